# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    BINDINGS_QUERY,
    FABRIC_QUERY,
)
from ansible_collections.netops.cn2_apstra.plugins.modules.apstra_virtual_networks import main

OWNER = "managed-by:netops.cn2_apstra"
BASE = "/api/blueprints/bp-1"
BATCH, PATCH, DELETE = (
    BASE + "/virtual-networks-batch",
    BASE + "/virtual-networks-batch-patch",
    BASE + "/delete-virtual-networks",
)
A_CONFIG = {
    "label": "sriov-a",
    "vni": 10100,
    "vlan_id": 100,
    "routing_zone": "telco",
    "bindings": ["leaf1", "leaf3-leaf4"],
    "ipv4_subnet": "10.100.0.0/24",
    "ipv4_gateway": "10.100.0.1",
}


def blueprint(apstra, *vns, **kwargs):
    routes = {("POST", BATCH): {"virtual_networks": []}, ("PATCH", PATCH): {}, ("POST", DELETE): {}}
    return apstra.blueprint(
        zones=[apstra.zone("sz-telco", "telco")], vns=vns, routes=routes, **kwargs
    )


def vn_a(apstra, **kwargs):
    fields = dict(
        bound=["id-leaf1", "id-leaf3-leaf4"],
        subnet="10.100.0.0/24",
        gateway="10.100.0.1",
        vni=10100,
        mtu=9000,
    )
    fields.update(kwargs)
    return apstra.vn("vn-a", "sriov-a", **fields)


def test_many_creates_are_one_batch_call_after_three_reads(apstra):
    config = [
        {"label": "vn%d" % i, "vlan_id": 100 + i, "bindings": ["leaf1", "leaf2"]} for i in range(50)
    ]
    client = blueprint(apstra)
    result = apstra.run(main, {"blueprint": "dc1", "config": config}, client)
    assert [c["path"] for c in client.writes()] == [BATCH]
    body = client.writes()[0]["body"]["virtual_networks"]
    assert len(body) == 50
    assert body[0]["bound_to"] == [
        {"system_id": "id-leaf1", "vlan_id": 100},
        {"system_id": "id-leaf2", "vlan_id": 100},
    ]
    assert (
        body[0]["security_zone_id"] == "sz-default"
        and body[0]["tags"] == [OWNER]
        and "vn_id" not in body[0]
    )
    # blueprint list, the fabric query, zones, VN list, one batch; no port-binding read
    assert len(client.calls) == 5 and client.queried() == [(FABRIC_QUERY, None)]
    assert result["after"][0]["routing_zone"] == "default"


def test_existing_is_unchanged_in_merged_and_replaced(apstra):
    for state in ("merged", "replaced"):
        client = blueprint(apstra, vn_a(apstra))
        result = apstra.run(
            main, {"blueprint": "dc1", "config": [dict(A_CONFIG, mtu=9000)], "state": state}, client
        )
        assert result["changed"] is False and client.writes() == [], (state, result["plan"])


def test_update_is_one_patch_with_changed_fields_and_merged_bindings(apstra):
    config = [dict(A_CONFIG, bindings=["leaf2"], dhcp=True)]
    result = apstra.run(
        main,
        {"blueprint": "dc1", "config": config},
        blueprint(apstra, vn_a(apstra)),
        check_mode=True,
        diff=True,
    )
    assert result["plan"] == [
        {
            "method": "PATCH",
            "path": PATCH,
            "body": {
                "virtual_networks": [
                    {
                        "bound_to": [
                            {"system_id": "id-leaf1", "vlan_id": 100},
                            {"system_id": "id-leaf2", "vlan_id": 100},
                            {"system_id": "id-leaf3-leaf4", "vlan_id": 100},
                        ],
                        "dhcp_service": "dhcpServiceEnabled",
                        "virtual_network_id": "vn-a",
                    }
                ]
            },
        }
    ]
    assert (
        result["diff"][0]["after"]["bindings"] == ["leaf1", "leaf2", "leaf3-leaf4"]
        and result["diff"][0]["before_header"] == "virtual_network sriov-a"
    )


def test_overridden_deletes_owned_in_one_call(apstra):
    client = blueprint(
        apstra, vn_a(apstra), apstra.vn("vn-f", "foreign", tags=[]), apstra.vn("vn-o", "other")
    )
    result = apstra.run(
        main,
        {"blueprint": "dc1", "config": [dict(A_CONFIG, mtu=9000)], "state": "overridden"},
        client,
        check_mode=True,
    )
    assert result["plan"] == [
        {"method": "POST", "path": DELETE, "body": {"virtual_network_ids": ["vn-o"]}}
    ]


def test_unknown_names_list_near_matches_before_any_write(apstra):
    client = blueprint(apstra)
    result = apstra.run(
        main, {"blueprint": "dc1", "config": [dict(A_CONFIG, bindings=["lef1"])]}, client
    )
    assert (
        result["failed"]
        and "unknown leaf or ESI pair 'lef1'; did you mean: leaf1" in result["msg"]
        and client.writes() == []
    )
    result = apstra.run(
        main,
        {"blueprint": "dc1", "config": [dict(A_CONFIG, routing_zone="telc0")]},
        blueprint(apstra),
    )
    assert (
        result["msg"]
        == "config[label=sriov-a].routing_zone: unknown routing zone 'telc0'; did you mean: telco?"
    )


@pytest.mark.parametrize(
    "config, message",
    [
        (dict(A_CONFIG, vlan_id=1), "config[0].vlan_id=1 is out of range: allowed 2-4094"),
        (dict(A_CONFIG, vni=4095), "config[0].vni=4095 is out of range: allowed 4096-16777214"),
        (dict(A_CONFIG, label="x" * 31), "config[0].label"),
        (
            dict(A_CONFIG, ipv4_subnet="10.0.0.0/33"),
            "config[0].ipv4_subnet='10.0.0.0/33' is not an IPv4 CIDR",
        ),
        (dict(A_CONFIG, ipv4_subnet="10.0.0.1/24"), "host bits"),
        (
            dict(A_CONFIG, ipv4_gateway="10.9.0.1"),
            "config[0].ipv4_gateway=10.9.0.1 is not a host address inside",
        ),
        (dict(A_CONFIG, vn_type="vlan"), "at most one"),
        (dict(A_CONFIG, mtu=100), "config[0].mtu=100 is out of range: allowed 1280-9216"),
    ],
)
def test_input_validation_names_field_and_range_before_any_call(apstra, config, message):
    client = blueprint(apstra)
    result = apstra.run(
        main, {"blueprint": "abad57ff-cf56-548e-a362-227bc6ecea16", "config": [config]}, client
    )
    assert result["failed"] and message in result["msg"], result["msg"]
    assert client.calls == []


def test_failure_midway_says_what_was_applied(apstra):
    client = blueprint(apstra, apstra.vn("vn-o", "other"))
    client.routes[("POST", BATCH)] = apstra.error(
        422, {"errors": {"virtual_networks": {"0": {"vn_id": "VNI in use"}}}}, "POST", BATCH
    )
    result = apstra.run(
        main,
        {"blueprint": "dc1", "config": [dict(A_CONFIG, label="new1")], "state": "overridden"},
        client,
    )
    assert result["failed"] and result["changed"] is True
    assert "applied 1 of 2" in result["msg"] and "VNI in use" in result["msg"]
    assert [p["path"] for p in result["applied"]] == [DELETE] and [
        p["path"] for p in result["not_applied"]
    ] == [BATCH]


def test_gathered_and_deleted(apstra):
    result = apstra.run(
        main, {"blueprint": "dc1", "state": "gathered"}, blueprint(apstra, vn_a(apstra))
    )
    assert (
        result["gathered"][0]["bindings"] == ["leaf1", "leaf3-leaf4"]
        and result["gathered"][0]["vni"] == 10100
    )
    result = apstra.run(
        main,
        {"blueprint": "dc1", "config": [{"label": "sriov-a"}], "state": "deleted"},
        blueprint(apstra, vn_a(apstra)),
        check_mode=True,
    )
    assert result["plan"][0]["body"] == {"virtual_network_ids": ["vn-a"]} and result["after"] == []


def test_check_mode_plans_a_missing_zone_with_a_placeholder_and_a_note(apstra):
    config = [
        dict(A_CONFIG, routing_zone="sriov-red"),
        dict(A_CONFIG, label="sriov-b", vni=None, routing_zone="sriov-red"),
    ]
    client = blueprint(apstra)
    result = apstra.run(main, {"blueprint": "dc1", "config": config}, client, check_mode=True)
    assert not result["failed"] and client.writes() == [] and result["warnings"] == []
    created = result["plan"][0]["body"]["virtual_networks"]
    assert [vn["security_zone_id"] for vn in created] == ["<routing zone sriov-red (planned)>"] * 2
    assert len(result["notes"]) == 1 and "unknown routing zone 'sriov-red'" in result["notes"][0]
    result = apstra.run(main, {"blueprint": "dc1", "config": config}, blueprint(apstra))
    assert (
        result["failed"]
        and "config[label=sriov-a].routing_zone: unknown routing zone 'sriov-red'" in result["msg"]
    )
    assert "notes" not in apstra.run(
        main, {"blueprint": "dc1", "config": [A_CONFIG]}, blueprint(apstra), check_mode=True
    )


def test_vn_module_never_reads_port_bindings(apstra):
    client = blueprint(apstra, vn_a(apstra))
    apstra.run(main, {"blueprint": "dc1", "state": "gathered"}, client)
    assert BINDINGS_QUERY not in [query for query, _type in client.queried()]
