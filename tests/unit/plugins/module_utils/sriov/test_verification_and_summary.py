# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift between the plan and what each side holds (pending = staged, not deployed), and the plan as readable lines."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import Fabric
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import planning, topology
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.summary import (
    port_list,
    summary,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.validation import (
    validate_intent,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.verification import (
    binding_ports,
    drift_lines,
    verify,
)

RES = "intel.com/sriov_netdevice"
NET = {
    "name": "sriov-a",
    "namespace": "telco",
    "vlan": 100,
    "routing_zone": "telco",
    "subnet": "10.1.0.0/24",
    "resource_name": RES,
}


@pytest.fixture
def plan(apstra):
    nodes = [
        {
            "name": "worker-01",
            "labels": {},
            "resources": {RES: 8},
            "pfs": [{"name": "ens1f0", "lldp": []}],
        },
        {
            "name": "worker-05",
            "labels": {},
            "resources": {RES: 8},
            "pfs": [{"name": "ens1f0", "lldp": []}, {"name": "ens1f1", "lldp": []}],
        },
    ]
    ports = topology.port_map(nodes, Fabric.from_rows(apstra.fabric_rows()).links)
    return planning.build_plan(validate_intent([NET])[0], ports, fabric_leafs=4)


def held(plan):
    """What both sides hold when everything is as planned."""
    vn = dict(plan["virtual_networks"][0])
    nad = dict((k, v) for k, v in plan["attachments"][0].items() if k != "managed")
    bindings = [
        {
            "virtual_network": "sriov-a",
            "tagged": True,
            "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"],
        }
    ]
    return [vn], [nad], bindings


def drift_of(entries):
    return [(d["network"], d["layer"], d["field"], d["want"], d["have"]) for d in entries]


def test_no_drift_when_both_sides_hold_the_plan(plan):
    vns, nads, bindings = held(plan)
    assert verify(plan, vns, nads, bindings) == []


def test_drift_on_each_side_and_across(plan):
    vns, nads, _bindings = held(plan)
    drift = verify(
        plan,
        [dict(vns[0], bindings=["leaf1"], mtu=1500)],
        [dict(nads[0], vlan=999)],
        [{"virtual_network": "sriov-a", "interfaces": ["leaf1:xe-0/0/1"]}],
    )
    assert drift_of(drift) == [
        ("sriov-a", "fabric", "bindings", ["leaf1", "leaf3-leaf4"], ["leaf1"]),
        ("sriov-a", "fabric", "ports", ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"], ["leaf1:xe-0/0/1"]),
        ("telco/sriov-a", "cluster", "vlan", 100, 999),
        ("telco/sriov-a", "cross", "vlan", 100, 999),
    ]


def test_missing_objects(plan):
    assert drift_of(verify(plan, [], [], [])) == [
        ("sriov-a", "fabric", "virtual_network", "deployed", "missing"),
        ("sriov-a", "fabric", "ports", ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"], []),
        ("telco/sriov-a", "cluster", "attachment", "present", "missing"),
    ]
    # without the bindings read, ports are not judged
    assert [d["field"] for d in verify(plan, [], [], None)] == ["virtual_network", "attachment"]


def test_additive_accepts_leafs_and_ports_beyond_the_plan(plan):
    vns, nads, bindings = held(plan)
    more = [dict(vns[0], bindings=vns[0]["bindings"] + ["leaf2"])]
    more_ports = [dict(bindings[0], interfaces=bindings[0]["interfaces"] + ["leaf2:xe-0/0/2"])]
    assert verify(plan, more, nads, more_ports, additive=True) == []
    assert [d["field"] for d in verify(plan, more, nads, more_ports)] == ["bindings", "ports"]


def test_managed_nad_ipam_and_gateway_across(plan):
    vns, nads, bindings = held(plan)
    changed = dict(nads[0], ipam=dict(nads[0]["ipam"], gateway="10.1.0.254", exclude=[]))
    assert drift_of(verify(plan, vns, [changed], bindings)) == [
        ("telco/sriov-a", "cluster", "ipam.exclude", ["10.1.0.0/30", "10.1.0.4/31"], []),
        ("telco/sriov-a", "cluster", "ipam.gateway", "10.1.0.1", "10.1.0.254"),
        ("telco/sriov-a", "cross", "gateway", "10.1.0.1", "10.1.0.254"),
    ]


def test_absent_objects_still_there_and_pending_changes(plan):
    vns, nads, bindings = held(plan)
    plan["absent"]["virtual_networks"] = [{"label": "old"}]
    plan["absent"]["attachments"] = [{"name": "old", "namespace": "telco"}]
    pending = [{"kind": "virtual_network", "name": "sriov-a", "action": "modify", "owned": True}]
    drift = verify(
        plan,
        vns + [{"label": "old"}],
        nads + [{"name": "old", "namespace": "telco"}],
        bindings,
        pending=pending,
    )
    assert drift_of(drift) == [
        ("old", "fabric", "virtual_network", "absent", "deployed"),
        ("telco/old", "cluster", "attachment", "absent", "present"),
        ("sriov-a", "fabric", "deployed", "deployed", "staged only (modify virtual_network)"),
    ]
    assert (
        drift_lines(drift)[-1]
        == "fabric sriov-a deployed: want deployed, have staged only (modify virtual_network)"
    )


def test_binding_ports_reads_config_and_result_forms():
    assert binding_ports({"switch_ports": ["b", "a"]}) == ["a", "b"]
    assert binding_ports({"interfaces": ["x"]}) == ["x"] and binding_ports(None) == []


def test_summary_lines(plan):
    plan["absent"]["routing_zones"] = [{"label": "red"}]
    staging = {
        "ours": [{"action": "modify", "kind": "virtual_network", "name": "sriov-a"}],
        "foreign": [{"action": "create", "kind": "virtual_network", "name": "x", "by": "bob"}],
    }
    lines = summary(
        plan,
        ["worker-09: not in Apstra"],
        staging,
        [{"source": "SriovNetwork ops/bad", "error": "spec.vlan: 0 means untagged VFs"}],
    )
    assert lines == [
        "telco/sriov-a: VLAN 100, VNI from pool, 10.1.0.0/24 gateway 10.1.0.1, routing zone telco",
        "  fabric: VN bound to leaf1, leaf3-leaf4; tagged on leaf1:xe-0/0/1, leaf3-leaf4:ae5",
        "  cluster: NAD telco/sriov-a resource intel.com/sriov_netdevice, IPAM whereabouts range 10.1.0.0/24 exclude 10.1.0.0/30, 10.1.0.4/31",
        "routing zone red: remove if it carries this collection's tag (no remaining VN uses it)",
        "staged but not deployed (this collection's, committed by this run): modify virtual_network sriov-a",
        "staged by others (bob): create virtual_network x",
        "skipped SriovNetwork ops/bad: spec.vlan: 0 means untagged VFs",
        "problem: worker-09: not in Apstra",
    ]


def test_summary_of_fabric_only_cluster_kept_group_and_absent_networks(apstra):
    nets = validate_intent(
        [
            dict(
                NET,
                fabric_only=True,
                resource_name="intel.com/none",
                routing_group="g",
                vni=5000,
                vlan="allocate",
                subnet="allocate",
            ),
            dict(NET, name="b", vlan=101, subnet="10.2.0.0/24", routing_group="g", state="absent"),
        ],
        {"supernet": "10.9.0.0/16"},
    )[0]
    nets[0].update(vlan=2000, subnet="10.9.0.0/24", allocated=["vlan", "subnet"])
    plan = planning.build_plan(nets, [], existing_vns=[{"label": "b"}])
    lines = summary(plan)
    assert (
        lines[0]
        == "telco/sriov-a: VLAN 2000, VNI 5000, 10.9.0.0/24 gateway 10.9.0.1, routing zone telco, routing group g (allocated: vlan, subnet)"
    )
    assert lines[1] == "  fabric: VN pre-provisioned on no leaf (fabric_only); no NAD"
    assert "telco/b: remove (port bindings, virtual network, NAD)" in lines
    assert "VirtualNetworkRouter telco/g (mesh) connects sriov-a" in lines
    cluster = validate_intent([dict(NET, name="c", vlan=102, subnet="10.3.0.0/24")])[0]
    cluster[0]["source"] = {"kind": "SriovNetwork", "namespace": "ops", "name": "c"}
    plan = planning.build_plan(cluster, [], existing_vns=[])
    assert (
        summary(plan)[2] == "  cluster: SriovNetwork ops/c kept as the app team wrote it (VLAN 102)"
    )
    assert summary(plan)[0].endswith("[from SriovNetwork ops/c]")


def test_a_long_port_list_is_counted_and_grouped_by_switch_in_junos_range_notation():
    few = ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]
    assert port_list(few) == "leaf1:xe-0/0/1, leaf3-leaf4:ae5"
    assert port_list([]) == "no port"
    many = (
        ["leaf1:xe-0/0/%d" % n for n in (1, 2, 3, 4, 5, 7, 9, 10, 11, 13)]
        + ["leaf3-leaf4:ae%d" % n for n in (1, 2, 3)]
        + ["leaf2:xe-0/0/12", "leaf2:et-0/0/48", "leaf5:mgmt"]
    )
    assert port_list(many) == (
        "16 ports: leaf1:xe-0/0/[1-5,7,9-11,13], leaf2:et-0/0/[48], leaf2:xe-0/0/[12], "
        "leaf3-leaf4:ae[1-3], leaf5:mgmt"
    )
    # under the limit, every port is listed as it is
    assert port_list(many, limit=len(many)) == ", ".join(many)
