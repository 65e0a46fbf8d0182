# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.modules.apstra_routing_zones import main

OWNER = "managed-by:netops.cn2_apstra"
SZ_PATH = "/api/blueprints/bp-1/security-zones"


def telco(apstra):
    return apstra.zone("sz-1", "telco", vni=20001, vlan_id=3, import_rts=["65000:1"])


def test_create_in_check_mode_plans_without_writing(apstra):
    client = apstra.blueprint()
    result = apstra.run(
        main,
        {"blueprint": "dc1", "config": [{"label": "telco", "vni": 20001}]},
        client,
        check_mode=True,
        diff=True,
    )
    assert result["changed"] is True and client.writes() == []
    assert result["plan"] == [
        {
            "method": "POST",
            "path": SZ_PATH,
            "body": {
                "label": "telco",
                "vrf_name": "telco",
                "vni_id": 20001,
                "tags": [OWNER],
                "rt_policy": {"import_RTs": [], "export_RTs": []},
                "sz_type": "evpn",
            },
        }
    ]
    assert result["diff"] == [
        {
            "before_header": "routing_zone telco",
            "after_header": "routing_zone telco",
            "before": {},
            "after": result["after"][-1],
        }
    ]


def test_create_sends_the_plan_and_closes_the_client(apstra):
    client = apstra.blueprint(routes={("POST", SZ_PATH): {"id": "new"}})
    result = apstra.run(main, {"blueprint": "dc1", "config": [{"label": "telco"}]}, client)
    assert client.writes()[0]["body"] == result["plan"][0]["body"] and result["changed"] is True
    assert "diff" not in result and client.closed is True
    assert apstra.factory_calls == [
        {
            "api_url": "https://apstra.test",
            "username": "admin",
            "password": "pw",
            "auth_token": None,
            "validate_certs": True,
            "ca_path": None,
            "timeout": 30,
            "write_timeout": 300,
            "token_cache": None,
        }
    ]


def test_merged_unchanged_is_idempotent(apstra):
    client = apstra.blueprint(zones=[telco(apstra)])
    result = apstra.run(
        main,
        {
            "blueprint": "dc1",
            "config": [{"label": "telco", "vni": 20001, "import_rts": ["65000:1"]}],
        },
        client,
    )
    assert result["changed"] is False and result["plan"] == [] and client.writes() == []


def test_merged_unions_route_targets(apstra):
    client = apstra.blueprint(zones=[telco(apstra)], routes={("PATCH", SZ_PATH + "/sz-1"): {}})
    result = apstra.run(
        main,
        {"blueprint": "dc1", "config": [{"label": "telco", "import_rts": ["65000:2"]}]},
        client,
    )
    assert result["plan"] == [
        {
            "method": "PATCH",
            "path": SZ_PATH + "/sz-1",
            "body": {"rt_policy": {"import_RTs": ["65000:1", "65000:2"], "export_RTs": []}},
        }
    ]


def test_replaced_resets_left_out_fields(apstra):
    client = apstra.blueprint(zones=[telco(apstra)], routes={("PATCH", SZ_PATH + "/sz-1"): {}})
    result = apstra.run(
        main, {"blueprint": "dc1", "config": [{"label": "telco"}], "state": "replaced"}, client
    )
    assert result["plan"][0]["body"] == {"rt_policy": {"import_RTs": [], "export_RTs": []}}


def test_overridden_removes_only_owned_zones(apstra):
    client = apstra.blueprint(zones=[telco(apstra), apstra.zone("sz-2", "foreign", tags=[])])
    result = apstra.run(
        main,
        {"blueprint": "dc1", "config": [{"label": "storage"}], "state": "overridden"},
        client,
        check_mode=True,
    )
    assert [(p["method"], p["path"]) for p in result["plan"]] == [
        ("DELETE", SZ_PATH + "/sz-1"),
        ("POST", SZ_PATH),
    ]


def test_deleted_named_and_all_owned(apstra):
    result = apstra.run(
        main,
        {
            "blueprint": "dc1",
            "config": [{"label": "telco"}, {"label": "absent"}],
            "state": "deleted",
        },
        apstra.blueprint(zones=[telco(apstra)]),
        check_mode=True,
    )
    assert result["plan"] == [{"method": "DELETE", "path": SZ_PATH + "/sz-1", "body": None}]
    result = apstra.run(
        main,
        {"blueprint": "dc1", "state": "deleted"},
        apstra.blueprint(zones=[telco(apstra)]),
        check_mode=True,
    )
    assert len(result["plan"]) == 1 and [zone["label"] for zone in result["after"]] == ["default"]


def test_gathered_and_rendered(apstra):
    result = apstra.run(
        main, {"blueprint": "dc1", "state": "gathered"}, apstra.blueprint(zones=[telco(apstra)])
    )
    assert [z["label"] for z in result["gathered"]] == ["default", "telco"] and result[
        "changed"
    ] is False
    client = apstra.client()
    result = apstra.run(
        main,
        {"blueprint": "dc1", "state": "rendered", "config": [{"label": "x1", "vni": 5000}]},
        client,
    )
    assert (
        client.calls == [] and result["rendered"][0]["path"] == "/api/blueprints/dc1/security-zones"
    )


@pytest.mark.parametrize("blueprint", ["abad57ff-cf56-548e-a362-227bc6ecea16", "dc1"])
@pytest.mark.parametrize(
    "item, message",
    [
        ({"label": "telco", "vni": 12}, "config[0].vni=12 is out of range: allowed 4096-16777214"),
        (
            {"label": "bad label!"},
            "config[0].label='bad label!' is not a valid label: allowed 1-30 characters of [A-Za-z0-9_-]",
        ),
    ],
)
def test_validation_before_any_call(apstra, blueprint, item, message):
    client = apstra.blueprint()
    result = apstra.run(main, {"blueprint": blueprint, "config": [item]}, client)
    assert result["failed"] and result["msg"] == message and result["changed"] is False
    assert client.calls == []


def test_unknown_blueprint_lists_near_matches(apstra):
    result = apstra.run(main, {"blueprint": "dc2", "state": "gathered"}, apstra.blueprint())
    assert (
        result["failed"]
        and result["msg"] == "blueprint: unknown blueprint 'dc2'; did you mean: dc1?"
    )


def test_api_error_carries_status_body_and_what_was_not_applied(apstra):
    client = apstra.blueprint(
        routes={
            ("POST", SZ_PATH): apstra.error(
                422, {"errors": {"vrf_name": "must be unique per pod"}}, "POST", SZ_PATH
            )
        }
    )
    result = apstra.run(
        main, {"blueprint": "dc1", "config": [{"label": "a1"}, {"label": "a2"}]}, client
    )
    assert (
        result["failed"]
        and result["status"] == 422
        and result["error"] == {"errors": {"vrf_name": "must be unique per pod"}}
    )
    assert "applied 0 of 2" in result["msg"] and result["changed"] is False
    assert result["applied"] == [] and [r["body"]["label"] for r in result["not_applied"]] == [
        "a1",
        "a2",
    ]


def test_missing_connection_options_are_named(apstra):
    result = apstra.run(
        main, {"blueprint": "dc1", "state": "gathered", "api_url": None}, apstra.client()
    )
    assert result["failed"] and result["msg"] == "api_url is required (or set APSTRA_API_URL)"
