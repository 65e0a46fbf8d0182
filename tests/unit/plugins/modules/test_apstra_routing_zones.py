# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.modules.apstra_routing_zones import main
from ansible_collections.netops.cn2_apstra.tests.unit.plugins.modules.apstra_fakes import BP, api_error, run_module

OWNER = "managed-by:netops.cn2_apstra"
SZ_PATH = "/api/blueprints/%s/security-zones" % BP


def zones(*extra):
    items = {"sz-default": {"id": "sz-default", "label": "default", "vrf_name": "default", "sz_type": "l3_fabric", "vni_id": None}}
    for zone in extra:
        items[zone["id"]] = zone
    return {("GET", SZ_PATH): {"items": items}}


TELCO = {"id": "sz-1", "label": "telco", "vrf_name": "telco", "sz_type": "evpn", "vni_id": 20001, "vlan_id": 3,
         "rt_policy": {"import_RTs": ["65000:1"], "export_RTs": []}, "tags": [OWNER]}


def test_create_in_check_mode_plans_without_writing():
    result, client = run_module(main, {"blueprint": "dc1", "config": [{"label": "telco", "vni": 20001}]}, zones(), check_mode=True, diff=True)
    assert result["changed"] and not client.writes()
    assert result["plan"] == [{"method": "POST", "path": SZ_PATH, "body": {
        "label": "telco", "vrf_name": "telco", "vni_id": 20001, "tags": [OWNER], "rt_policy": {"import_RTs": [], "export_RTs": []}, "sz_type": "evpn"}}]
    assert result["diff"][0]["before"] == {} and result["diff"][0]["after"]["label"] == "telco"


def test_create_real_sends_plan():
    routes = zones()
    routes[("POST", SZ_PATH)] = {"id": "new"}
    result, client = run_module(main, {"blueprint": "dc1", "config": [{"label": "telco"}]}, routes)
    assert client.writes()[0]["body"] == result["plan"][0]["body"]
    assert "diff" not in result


def test_merged_unchanged_is_idempotent():
    result, client = run_module(main, {"blueprint": "dc1", "config": [{"label": "telco", "vni": 20001, "import_rts": ["65000:1"]}]}, zones(TELCO))
    assert not result["changed"] and result["plan"] == [] and not client.writes()


def test_merged_patches_only_changed_fields_and_merges_lists():
    routes = zones(TELCO)
    routes[("PATCH", SZ_PATH + "/sz-1")] = {}
    result, _calls = run_module(main, {"blueprint": "dc1", "config": [{"label": "telco", "import_rts": ["65000:2"]}]}, routes)
    assert result["plan"] == [{"method": "PATCH", "path": SZ_PATH + "/sz-1",
                               "body": {"rt_policy": {"import_RTs": ["65000:1", "65000:2"], "export_RTs": []}}}]


def test_replaced_resets_left_out_fields():
    routes = zones(TELCO)
    routes[("PATCH", SZ_PATH + "/sz-1")] = {}
    result, _calls = run_module(main, {"blueprint": "dc1", "config": [{"label": "telco"}], "state": "replaced"}, routes)
    assert result["plan"][0]["body"] == {"rt_policy": {"import_RTs": [], "export_RTs": []}}


def test_overridden_removes_only_owned_zones():
    foreign = {"id": "sz-2", "label": "foreign", "vrf_name": "foreign", "tags": []}
    routes = zones(TELCO, foreign)
    result, _calls = run_module(main, {"blueprint": "dc1", "config": [{"label": "storage"}], "state": "overridden"}, routes, check_mode=True)
    assert [(p["method"], p["path"]) for p in result["plan"]] == [("DELETE", SZ_PATH + "/sz-1"), ("POST", SZ_PATH)]


def test_deleted_named_and_all_owned():
    args = {"blueprint": "dc1", "config": [{"label": "telco"}, {"label": "absent"}], "state": "deleted"}
    result, _calls = run_module(main, args, zones(TELCO), check_mode=True)
    assert result["plan"] == [{"method": "DELETE", "path": SZ_PATH + "/sz-1", "body": None}]
    result, _calls = run_module(main, {"blueprint": "dc1", "state": "deleted"}, zones(TELCO), check_mode=True)
    assert len(result["plan"]) == 1 and result["after"][0]["label"] == "default"


def test_gathered_and_rendered():
    result, _calls = run_module(main, {"blueprint": "dc1", "state": "gathered"}, zones(TELCO))
    assert [z["label"] for z in result["gathered"]] == ["default", "telco"] and not result["changed"]
    result, client = run_module(main, {"blueprint": "dc1", "state": "rendered", "config": [{"label": "x1", "vni": 5000}]}, {})
    assert not client.calls and result["rendered"][0]["path"] == "/api/blueprints/dc1/security-zones"


def test_validation_before_any_call():
    result, client = run_module(main, {"blueprint": "dc1", "config": [{"label": "telco", "vni": 12}]}, zones())
    assert result["failed"] and "config[0].vni=12" in result["msg"] and "4096-16777214" in result["msg"] and not client.calls
    result, client = run_module(main, {"blueprint": "dc1", "config": [{"label": "bad label!"}]}, zones())
    assert "1-30 characters" in result["msg"] and not client.calls


def test_unknown_blueprint_lists_near_matches():
    result, _calls = run_module(main, {"blueprint": "dc2", "state": "gathered"}, zones())
    assert result["failed"] and "did you mean: dc1" in result["msg"]


def test_api_error_carries_status_and_body():
    routes = zones()
    routes[("POST", SZ_PATH)] = api_error(422, {"errors": {"vrf_name": "not unique"}}, "POST", SZ_PATH)
    result, _calls = run_module(main, {"blueprint": "dc1", "config": [{"label": "a1"}, {"label": "a2"}]}, routes)
    assert result["failed"] and result["status"] == 422 and "not unique" in result["msg"]
    assert "applied 0 of 2" in result["msg"] and len(result["not_applied"]) == 2
