# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.modules.apstra_virtual_networks import main
from ansible_collections.netops.cn2_apstra.tests.unit.plugins.modules.apstra_fakes import BP, api_error, run_module

OWNER = "managed-by:netops.cn2_apstra"
BASE = "/api/blueprints/%s" % BP
FABRIC = {"items": [
    {"leaf": {"id": "L1", "label": "leaf1"}, "rg": None},
    {"leaf": {"id": "L2", "label": "leaf2"}, "rg": None},
    {"leaf": {"id": "L3", "label": "leaf3"}, "rg": {"id": "RG", "label": "leaf3-leaf4"}},
    {"leaf": {"id": "L4", "label": "leaf4"}, "rg": {"id": "RG", "label": "leaf3-leaf4"}},
]}
ZONES = {"items": {"SZD": {"id": "SZD", "label": "default", "vrf_name": "default"}, "SZT": {"id": "SZT", "label": "telco", "vrf_name": "telco"}}}
VN_A = {"id": "VNA", "label": "sriov-a", "vn_type": "vxlan", "vn_id": "10100", "security_zone_id": "SZT",
        "bound_to": [{"system_id": "L1", "vlan_id": 100}, {"system_id": "RG", "vlan_id": 100}], "ipv4_enabled": True,
        "ipv4_subnet": "10.100.0.0/24", "virtual_gateway_ipv4": "10.100.0.1", "virtual_gateway_ipv4_enabled": True,
        "dhcp_service": "dhcpServiceDisabled", "l3_mtu": 9000, "tags": [OWNER], "description": None}


def routes(*vns):
    return {
        ("GET", BASE + "/security-zones"): ZONES,
        ("POST", BASE + "/qe"): FABRIC,
        ("GET", BASE + "/virtual-networks"): {"virtual_networks": dict((vn["id"], vn) for vn in vns)},
        ("POST", BASE + "/virtual-networks-batch"): {"virtual_networks": []},
        ("PATCH", BASE + "/virtual-networks-batch-patch"): {},
        ("POST", BASE + "/delete-virtual-networks"): {},
    }


A_CONFIG = {"label": "sriov-a", "vni": 10100, "vlan_id": 100, "routing_zone": "telco", "bindings": ["leaf1", "leaf3-leaf4"],
            "ipv4_subnet": "10.100.0.0/24", "ipv4_gateway": "10.100.0.1"}


def test_many_creates_are_one_batch_call():
    config = [{"label": "vn%d" % i, "vlan_id": 100 + i, "bindings": ["leaf1", "leaf2"]} for i in range(50)]
    result, client = run_module(main, {"blueprint": "dc1", "config": config}, routes())
    assert [c["path"] for c in client.writes()] == [BASE + "/virtual-networks-batch"]
    body = client.writes()[0]["body"]["virtual_networks"]
    assert len(body) == 50
    assert body[0]["bound_to"] == [{"system_id": "L1", "vlan_id": 100}, {"system_id": "L2", "vlan_id": 100}]
    assert body[0]["security_zone_id"] == "SZD" and body[0]["tags"] == [OWNER] and "vn_id" not in body[0]
    assert len(client.calls) == 5  # blueprints, zones, fabric query, VN list, one batch
    assert result["after"][0]["routing_zone"] == "default"


def test_existing_is_unchanged():
    result, client = run_module(main, {"blueprint": "dc1", "config": [A_CONFIG]}, routes(VN_A))
    assert not result["changed"] and not client.writes()
    result, client = run_module(main, {"blueprint": "dc1", "config": [A_CONFIG], "state": "replaced"}, routes(VN_A))
    assert not result["changed"], result["plan"]


def test_update_is_one_patch_with_changed_fields():
    config = [dict(A_CONFIG, bindings=["leaf2"], dhcp=True)]
    result, _calls = run_module(main, {"blueprint": "dc1", "config": config}, routes(VN_A), check_mode=True, diff=True)
    assert result["plan"] == [{"method": "PATCH", "path": BASE + "/virtual-networks-batch-patch", "body": {"virtual_networks": [{
        "virtual_network_id": "VNA", "dhcp_service": "dhcpServiceEnabled",
        "bound_to": [{"system_id": "L1", "vlan_id": 100}, {"system_id": "L2", "vlan_id": 100}, {"system_id": "RG", "vlan_id": 100}]}]}}]
    assert result["diff"][0]["after"]["bindings"] == ["leaf1", "leaf2", "leaf3-leaf4"]


def test_overridden_deletes_owned_in_one_call():
    foreign = dict(VN_A, id="VNF", label="foreign", tags=[])
    other = dict(VN_A, id="VNO", label="other")
    result, _calls = run_module(main, {"blueprint": "dc1", "config": [A_CONFIG], "state": "overridden"}, routes(VN_A, foreign, other), check_mode=True)
    assert result["plan"] == [{"method": "POST", "path": BASE + "/delete-virtual-networks", "body": {"virtual_network_ids": ["VNO"]}}]


def test_unknown_names_list_near_matches():
    config = [dict(A_CONFIG, bindings=["lef1"])]
    result, client = run_module(main, {"blueprint": "dc1", "config": config}, routes())
    assert result["failed"] and "unknown leaf or ESI pair 'lef1'" in result["msg"] and "did you mean: leaf1" in result["msg"]
    assert not client.writes()
    result, _calls = run_module(main, {"blueprint": "dc1", "config": [dict(A_CONFIG, routing_zone="telc0")]}, routes())
    assert "routing_zone" in result["msg"] and "telco" in result["msg"]


def test_input_validation_names_field_and_range():
    cases = [
        (dict(A_CONFIG, vlan_id=1), "config[0].vlan_id=1 is out of range: allowed 2-4094"),
        (dict(A_CONFIG, vni=4095), "config[0].vni=4095 is out of range: allowed 4096-16777214"),
        (dict(A_CONFIG, label="x" * 31), "config[0].label"),
        (dict(A_CONFIG, ipv4_subnet="10.0.0.0/33"), "config[0].ipv4_subnet"),
        (dict(A_CONFIG, ipv4_subnet="10.0.0.1/24"), "host bits"),
        (dict(A_CONFIG, ipv4_gateway="10.9.0.1"), "config[0].ipv4_gateway=10.9.0.1 is not a host address inside"),
        (dict(A_CONFIG, vn_type="vlan"), "at most one"),
        (dict(A_CONFIG, mtu=100), "config[0].mtu=100 is out of range: allowed 1280-9216"),
    ]
    for config, message in cases:
        result, client = run_module(main, {"blueprint": "dc1", "config": [config]}, routes())
        assert result["failed"] and message in result["msg"], (config, result["msg"])
        assert not client.calls


def test_failure_midway_says_what_was_applied():
    r = routes(dict(VN_A, id="VNO", label="other"))
    r[("POST", BASE + "/virtual-networks-batch")] = api_error(422, {"errors": {"virtual_networks": {"0": {"label": "not unique"}}}})
    result, _calls = run_module(main, {"blueprint": "dc1", "config": [dict(A_CONFIG, label="new1")], "state": "overridden"}, r)
    assert result["failed"] and result["changed"]
    assert "applied 1 of 2" in result["msg"] and "not unique" in result["msg"]
    assert [p["path"] for p in result["applied"]] == [BASE + "/delete-virtual-networks"]
    assert [p["path"] for p in result["not_applied"]] == [BASE + "/virtual-networks-batch"]


def test_gathered_and_deleted():
    result, _calls = run_module(main, {"blueprint": "dc1", "state": "gathered"}, routes(VN_A))
    assert result["gathered"][0]["bindings"] == ["leaf1", "leaf3-leaf4"] and result["gathered"][0]["vni"] == 10100
    result, _calls = run_module(main, {"blueprint": "dc1", "config": [{"label": "sriov-a"}], "state": "deleted"}, routes(VN_A), check_mode=True)
    assert result["plan"][0]["body"] == {"virtual_network_ids": ["VNA"]} and result["after"] == []


def test_check_mode_plans_a_missing_zone_with_a_placeholder():
    config = [dict(A_CONFIG, routing_zone="sriov-red"), dict(A_CONFIG, label="sriov-b", vni=None, routing_zone="sriov-red")]
    result, client = run_module(main, {"blueprint": "dc1", "config": config}, routes(), check_mode=True)
    assert not result["failed"] and not client.writes() and not result.get("warnings")
    created = result["plan"][0]["body"]["virtual_networks"]
    assert [vn["security_zone_id"] for vn in created] == ["<routing zone sriov-red (planned)>"] * 2
    assert [vn["routing_zone"] for vn in result["after"]] == ["sriov-red", "sriov-red"]
    assert len(result["notes"]) == 1 and "unknown routing zone 'sriov-red'" in result["notes"][0]
    # a real run still refuses the unknown zone before any write
    result, client = run_module(main, {"blueprint": "dc1", "config": config}, routes())
    assert result["failed"] and "config[label=sriov-a].routing_zone: unknown routing zone 'sriov-red'" in result["msg"]
    assert not client.writes()


def test_no_notes_when_every_zone_exists():
    result, _client = run_module(main, {"blueprint": "dc1", "config": [A_CONFIG]}, routes(), check_mode=True)
    assert "notes" not in result and result["plan"][0]["body"]["virtual_networks"][0]["security_zone_id"] == "SZT"
