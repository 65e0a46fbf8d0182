# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the intent logic: validation, allocation, node/port map, plan, verify."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils import intent

FABRIC = {
    "leafs": ["leaf1", "leaf2", "leaf3", "leaf4"],
    "esi_pairs": {"leaf3-leaf4": ["leaf3", "leaf4"]},
    "servers": {
        "worker-01": [{"interface": "ens1f0", "leaf": "leaf1", "leaf_interface": "xe-0/0/1", "esi_lag": None}],
        "worker-03": [{"interface": "ens1f0", "leaf": "leaf2", "leaf_interface": "xe-0/0/3", "esi_lag": None}],
        "worker-05": [{"interface": "ens1f0", "leaf": "leaf3", "leaf_interface": "xe-0/0/5", "esi_lag": "leaf3-leaf4:ae5"},
                      {"interface": "ens1f1", "leaf": "leaf4", "leaf_interface": "xe-0/0/5", "esi_lag": "leaf3-leaf4:ae5"}],
        "worker-06": [{"interface": "ens1f0", "leaf": "leaf2", "leaf_interface": "xe-0/0/6", "esi_lag": None}],
    },
}
RES = "intel.com/sriov_netdevice"


def node(name, pfs, resources=None, labels=None):
    return {"name": name, "labels": labels or {}, "resources": resources if resources is not None else {RES: 8},
            "pfs": [{"name": pf, "lldp": [{"switch": sw, "port": port}] if sw else []} for pf, sw, port in pfs]}


NODES = [
    node("worker-01", [("ens1f0", "leaf1", "xe-0/0/1")]),
    node("worker-03", [("ens1f0", "leaf1", "xe-0/0/3")]),  # mis-cabled
    node("worker-05", [("ens1f0", "leaf3", "xe-0/0/5"), ("ens1f1", "leaf4", "xe-0/0/5")]),
    node("worker-06", [("ens1f0", "leaf2", "xe-0/0/6")], resources={"intel.com/sriov_dpdk": 8}),
    node("worker-09", [("ens1f0", "leaf1", "xe-0/0/9")]),  # not in Apstra
]
NET = {"name": "sriov-a", "namespace": "telco", "vlan": 100, "routing_zone": "telco", "subnet": "10.1.0.0/24", "resource_name": RES}
ALLOC = {"vlan_range": [2000, 2001], "supernet": "10.200.0.0/23", "prefix_length": 24}


def errors_of(networks, allocation=None):
    with pytest.raises(intent.IntentError) as info:
        intent.validate_intent(networks, allocation)
    return info.value.errors


def test_valid_intent_is_normalised():
    nets, allocation = intent.validate_intent([NET], ALLOC)
    assert nets[0]["ipam"] == "whereabouts" and nets[0]["vlan"] == 100 and nets[0]["state"] == "present"
    assert allocation["vlan_range"] == [2000, 2001]


@pytest.mark.parametrize("field,value,needle", [
    ("vlan", 4095, "networks[0](sriov-a).vlan: 4095 is out of range; allowed 2-4094"),
    ("vlan", "ten", "is not an integer; allowed 2-4094"),
    ("vni", 12, "networks[0](sriov-a).vni: 12 is out of range; allowed 4096-16777214"),
    ("subnet", "10.1.0.5/24", "has host bits set"),
    ("subnet", "10.1.0.0/30", "prefix length /30 is out of range; allowed /8-/29"),
    ("mtu", 100, "mtu: 100 is out of range; allowed 1280-9216"),
    ("name", "Bad_Name", "is not a valid name"),
    ("resource_name", "sriov", "is not a resource name"),
    ("ipam", "dhcp", "allowed whereabouts, cn2, host-local"),
    ("routing_zone", "default", "not 'default'"),
])
def test_each_bad_field_is_named_with_its_range(field, value, needle):
    errors = errors_of([dict(NET, **{field: value})])
    assert any(needle in error for error in errors), errors


def test_every_error_is_reported_at_once():
    errors = errors_of([dict(NET, vlan=1, vni=1, mtu=1)])
    assert len(errors) == 3


def test_duplicates_and_overlaps():
    errors = errors_of([NET, dict(NET, name="sriov-b", subnet="10.1.0.128/25")])
    assert any("VLAN 100 is already used" in e for e in errors)
    assert any("overlaps" in e for e in errors)


def test_allocate_needs_supernet():
    errors = errors_of([dict(NET, subnet="allocate")], {"supernet": None})
    assert any("needs allocation.supernet" in e for e in errors)


def test_allocation_avoids_existing_and_is_stable():
    nets, allocation = intent.validate_intent([dict(NET, vlan="allocate", subnet="allocate")], ALLOC)
    vns = [{"label": "other", "vlan_id": 2000, "ipv4_subnet": "10.200.0.0/24"}]
    out, errors = intent.allocate(nets, allocation, vns, [])
    assert not errors
    assert out[0]["vlan"] == 2001 and out[0]["subnet"] == "10.200.1.0/24"
    # once it exists, it keeps what it has
    vns.append({"label": "sriov-a", "vlan_id": 2001, "ipv4_subnet": "10.200.1.0/24"})
    again, errors = intent.allocate(nets, allocation, vns, [])
    assert again[0]["vlan"] == 2001 and again[0]["subnet"] == "10.200.1.0/24"


def test_allocation_exhausted_and_conflicts():
    nets, allocation = intent.validate_intent([dict(NET, vlan="allocate")], dict(ALLOC, vlan_range=[2000, 2000]))
    _out, errors = intent.allocate(nets, allocation, [{"label": "x", "vlan_id": 2000}], [])
    assert "no free VLAN" in errors[0]
    nets, allocation = intent.validate_intent([NET], ALLOC)
    _out, errors = intent.allocate(nets, allocation, [], [{"name": "y", "namespace": "n", "vlan": 100, "ipam": {"range": "10.1.0.0/16"}}])
    assert any("already used by NetworkAttachmentDefinition n/y" in e for e in errors)
    assert any("overlaps" in e for e in errors)


def test_port_map_statuses():
    ports = dict((e["node"], e) for e in intent.port_map(NODES, intent.fabric_links(FABRIC)))
    assert ports["worker-01"]["status"] == "mapped"
    assert ports["worker-01"]["application_points"] == [{"switch": "leaf1", "interface": "xe-0/0/1", "esi": False}]
    assert ports["worker-03"]["status"] == "miscabled"
    assert ports["worker-05"]["application_points"] == [{"switch": "leaf3-leaf4", "interface": "ae5", "esi": True}]
    assert ports["worker-09"]["status"] == "unmapped"


def test_plan_binds_only_mapped_nodes_offering_the_resource():
    nets, _alloc = intent.validate_intent([dict(NET, routing_group="g"), dict(NET, name="sriov-b", vlan=101, subnet="10.2.0.0/24", routing_group="g")])
    ports = intent.port_map(NODES, intent.fabric_links(FABRIC))
    plan = intent.build_plan(nets, ports, fabric_leafs=4)
    vn = plan["virtual_networks"][0]
    assert vn["bindings"] == ["leaf1", "leaf3-leaf4"] and vn["ipv4_gateway"] == "10.1.0.1"
    assert intent.OWNER_TAG in vn["tags"]
    assert plan["port_bindings"][0]["switch_ports"] == ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]
    nad = plan["attachments"][0]
    assert nad["vlan"] == 100 and nad["ipam"]["gateway"] == "10.1.0.1"
    assert nad["ipam"]["exclude"] == ["10.1.0.0/30", "10.1.0.4/31"]
    assert nad["ipam"]["routes"] == [{"dst": "10.2.0.0/24", "gw": "10.1.0.1"}]
    assert plan["routers"] == [{"name": "g", "namespace": "telco", "type": "mesh", "virtual_network_selector": {intent.ROUTING_GROUP_LABEL: "g"}}]
    skipped = [s["node"] for s in plan["networks"][0]["nodes"]["skipped"]]
    assert skipped == ["worker-03", "worker-09"]


def test_verify_finds_drift_on_each_side_and_across():
    nets, _alloc = intent.validate_intent([NET])
    plan = intent.build_plan(nets, intent.port_map(NODES, intent.fabric_links(FABRIC)), fabric_leafs=4)
    vn = dict(plan["virtual_networks"][0])
    nad = dict(plan["attachments"][0])
    bindings = [{"virtual_network": "sriov-a", "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]}]
    assert intent.verify(plan, [vn], [nad], bindings) == []
    drift = intent.verify(plan, [dict(vn, bindings=["leaf1"])], [dict(nad, vlan=999)], [])
    layers = sorted(set(d["layer"] for d in drift))
    assert layers == ["cluster", "cross", "fabric"]
    assert intent.verify(plan, [dict(vn, bindings=vn["bindings"] + ["leaf2"])], [nad], bindings, additive=True) == []


def test_absent_plan_and_summary():
    nets, _alloc = intent.validate_intent([NET])
    plan = intent.build_plan(nets, [], state="absent")
    assert plan["absent"]["attachments"] == [{"name": "sriov-a", "namespace": "telco"}]
    assert plan["virtual_networks"] == []
    assert "remove" in intent.summary(plan)[0]
