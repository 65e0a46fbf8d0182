# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two-layer plan: VN bindings (ESI pairs, the mixed rack), port bindings, NADs, routers, capacity, removals, steps per run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import Fabric
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import (
    model,
    planning,
    topology,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.validation import (
    validate_intent,
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
OWNER = model.OWNER_TAG


def node(name, pfs, resources=None, labels=None, lldp=None):
    lldp = lldp or {}
    return {
        "name": name,
        "labels": labels or {},
        "resources": {RES: 8} if resources is None else resources,
        "pfs": [{"name": pf, "lldp": [lldp[pf]] if pf in lldp else []} for pf in pfs],
    }


@pytest.fixture
def ports(apstra):
    """worker-01 on leaf1, worker-02 mis-cabled, worker-05 dual-homed on leaf3-leaf4, worker-07 single-homed on leaf3 (mixed rack),
    worker-09 not in Apstra; worker-02 also offers a DPDK resource."""
    miscabled = {"ens1f0": {"switch": "leaf1", "port": "xe-0/0/9"}}
    nodes = [
        node("worker-01", ["ens1f0"]),
        node("worker-02", ["ens1f0"], {RES: 8, "intel.com/dpdk": 4}, lldp=miscabled),
        node("worker-05", ["ens1f0", "ens1f1"]),
        node("worker-07", ["ens1f0"]),
        node("worker-09", ["ens1f0"]),
    ]
    return topology.port_map(nodes, Fabric.from_rows(apstra.fabric_rows()).links)


def nets(*items):
    return validate_intent([dict(NET, **item) for item in items])[0]


def test_reserved_block_covers_network_gateway_and_svi_addresses():
    assert planning.reserved_block("10.1.0.0/24", 4) == ["10.1.0.0/30", "10.1.0.4/31"]
    assert planning.reserved_block("10.1.0.0/24", 2) == ["10.1.0.0/30"]
    assert planning.reserved_block("10.1.0.0/29", 10) == [
        "10.1.0.0/30",
        "10.1.0.4/31",
        "10.1.0.6/32",
    ]


def test_vn_bound_to_the_leafs_and_pairs_facing_mapped_nodes(ports):
    plan = planning.build_plan(nets({}), ports, fabric_leafs=4)
    assert plan["routing_zones"] == [{"label": "telco"}]
    assert plan["virtual_networks"] == [
        {
            "label": "sriov-a",
            "vn_type": "vxlan",
            "vni": None,
            "routing_zone": "telco",
            "vlan_id": 100,
            "bindings": ["leaf1", "leaf3-leaf4"],
            "ipv4_subnet": "10.1.0.0/24",
            "ipv4_gateway": "10.1.0.1",
            "ipv6_subnet": None,
            "mtu": None,
            "tags": [OWNER],
            "description": "SR-IOV telco/sriov-a (intel.com/sriov_netdevice)",
        }
    ]
    assert plan["port_bindings"] == [
        {
            "virtual_network": "sriov-a",
            "tagged": True,
            "switch_ports": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5", "leaf3:xe-0/0/7"],
        }
    ]
    network = plan["networks"][0]
    assert network["nodes"]["bound"] == ["worker-01", "worker-05", "worker-07"]
    assert [(s["node"], s["status"]) for s in network["nodes"]["skipped"]] == [
        ("worker-02", "miscabled"),
        ("worker-09", "unmapped"),
    ]


def test_mixed_esi_rack_binds_the_vn_to_the_pair_only_and_the_port_on_the_leaf(ports):
    only_07 = [entry for entry in ports if entry["node"] == "worker-07"]
    plan = planning.build_plan(nets({}), only_07)
    assert plan["virtual_networks"][0]["bindings"] == ["leaf3-leaf4"]
    assert plan["port_bindings"][0]["switch_ports"] == ["leaf3:xe-0/0/7"]


def test_nad_for_each_ipam_kind(ports):
    whereabouts, host_local, cn2 = planning.build_plan(
        nets(
            {"mtu": 9000},
            {"name": "b", "vlan": 101, "subnet": "10.2.0.0/24", "ipam": "host-local"},
            {"name": "c", "vlan": 102, "subnet": "10.3.0.0/24", "ipam": "cn2"},
        ),
        ports,
        fabric_leafs=4,
    )["attachments"]
    assert whereabouts == {
        "name": "sriov-a",
        "namespace": "telco",
        "resource_name": RES,
        "vlan": 100,
        "mtu": 9000,
        "managed": True,
        "labels": {model.NETWORK_LABEL: "sriov-a"},
        "ipam": {
            "type": "whereabouts",
            "range": "10.1.0.0/24",
            "gateway": "10.1.0.1",
            "exclude": ["10.1.0.0/30", "10.1.0.4/31"],
        },
    }
    assert host_local["ipam"] == {
        "type": "host-local",
        "range": "10.2.0.0/24",
        "gateway": "10.2.0.1",
        "range_start": "10.2.0.6",
    }
    assert cn2["ipam"] == {"type": "cn2"} and cn2["cn2"] == {"subnet": "10.3.0.0/24"}


def test_routing_group_routes_and_one_router(ports):
    plan = planning.build_plan(
        nets(
            {"routing_group": "g", "routes": ["192.168.0.0/16"]},
            {"name": "b", "vlan": 101, "subnet": "10.2.0.0/24", "routing_group": "g"},
        ),
        ports,
    )
    a, b = plan["attachments"]
    assert a["ipam"]["routes"] == [
        {"dst": "10.2.0.0/24", "gw": "10.1.0.1"},
        {"dst": "192.168.0.0/16", "gw": "10.1.0.1"},
    ]
    assert b["ipam"]["routes"] == [{"dst": "10.1.0.0/24", "gw": "10.2.0.1"}]
    assert a["labels"][model.ROUTING_GROUP_LABEL] == "g"
    assert plan["routers"] == [
        {
            "name": "g",
            "namespace": "telco",
            "type": "mesh",
            "virtual_network_selector": {model.ROUTING_GROUP_LABEL: "g"},
            "owner": "intent",
        }
    ]
    assert plan["groups"] == [{"name": "g", "namespace": "telco", "networks": ["sriov-a", "b"]}]


def test_node_selector_limits_the_bound_nodes(apstra):
    nodes = [
        node("worker-01", ["ens1f0"], labels={"pool": "ran"}),
        node("worker-02", ["ens1f0"], labels={"pool": "core"}),
    ]
    ports = topology.port_map(nodes, Fabric.from_rows(apstra.fabric_rows()).links)
    plan = planning.build_plan(nets({"node_selector": {"pool": "ran"}}), ports)
    assert plan["virtual_networks"][0]["bindings"] == ["leaf1"] and plan["networks"][0]["nodes"][
        "bound"
    ] == ["worker-01"]


@pytest.mark.parametrize(
    "item, message",
    [
        (
            {"resource_name": "intel.com/none"},
            "sriov-a.resource_name: no node offers intel.com/none, so no node can carry the network (nodes: worker-01, "
            "worker-02, worker-05, worker-07, worker-09); set fabric_only: true to pre-provision the fabric side alone",
        ),
        (
            {"node_selector": {"pool": "x"}},
            "sriov-a.node_selector: {'pool': 'x'} matches no node offering intel.com/sriov_netdevice, so no node can carry "
            "the network; set fabric_only: true",
        ),
        (
            {"resource_name": "intel.com/dpdk"},
            "sriov-a.resource_name: every node offering intel.com/dpdk is mis-cabled or not in Apstra (worker-02: miscabled), "
            "so no node can carry the network",
        ),
    ],
)
def test_capacity_error_says_why_no_node_can_carry_the_network(ports, item, message):
    assert message in planning.capacity_error(nets(item)[0], ports)


def test_no_capacity_error_when_a_node_can_or_for_fabric_only_and_absent(ports):
    assert planning.capacity_error(nets({})[0], ports) is None
    assert (
        planning.capacity_error(
            nets({"resource_name": "intel.com/none", "fabric_only": True})[0], ports
        )
        is None
    )
    assert (
        planning.capacity_error(
            nets({"resource_name": "intel.com/none", "state": "absent"})[0], ports
        )
        is None
    )


def test_fabric_only_pre_provisions_the_vn_on_no_leaf_and_no_nad(ports):
    plan = planning.build_plan(
        nets({"resource_name": "intel.com/none", "fabric_only": True}), ports
    )
    assert (
        plan["virtual_networks"][0]["bindings"] == []
        and plan["port_bindings"] == []
        and plan["attachments"] == []
    )
    assert plan["networks"][0]["fabric_only"] is True


def test_a_vn_that_lost_its_nodes_gets_its_port_binding_cleared(ports):
    fabric_only = nets({"resource_name": "intel.com/none", "fabric_only": True})
    plan = planning.build_plan(
        fabric_only, ports, existing_vns=[{"label": "sriov-a", "tags": [OWNER]}]
    )
    assert plan["port_bindings_clear"] == [{"virtual_network": "sriov-a", "tagged": True}]
    assert planning.build_plan(fabric_only, ports)["port_bindings_clear"] == []


def test_pods_binding_tags_only_nodes_running_pods(ports):
    plan = planning.build_plan(
        nets({}),
        ports,
        binding="pods",
        pod_nodes={("telco", "sriov-a"): {"worker-05", "worker-03"}},
    )
    assert plan["virtual_networks"][0]["bindings"] == ["leaf3-leaf4"] and plan["port_bindings"][0][
        "switch_ports"
    ] == ["leaf3-leaf4:ae5"]
    skipped = plan["networks"][0]["nodes"]["skipped"]
    assert skipped[-1] == {
        "node": "worker-03",
        "status": "no SR-IOV intel.com/sriov_netdevice",
        "problems": [
            "sriov-a has pods on worker-03, which does not offer intel.com/sriov_netdevice"
        ],
    }
    with pytest.raises(ValueError, match="binding: 'pod' is not allowed; allowed nodes, pods"):
        planning.build_plan(nets({}), ports, binding="pod")


def test_absent_removes_only_what_exists_and_zones_no_vn_uses(ports):
    existing = [
        {"label": "sriov-a", "routing_zone": "red"},
        {"label": "keep", "routing_zone": "blue"},
        {"label": "b", "routing_zone": "blue"},
    ]
    plan = planning.build_plan(
        nets(
            {"routing_zone": "red", "routing_group": "g"},
            {"name": "b", "vlan": 101, "subnet": "10.2.0.0/24", "routing_zone": "blue"},
            {"name": "c", "vlan": 102, "subnet": "10.3.0.0/24"},
        ),
        ports,
        state="absent",
        existing_vns=existing,
    )
    assert (
        plan["virtual_networks"] == [] and plan["attachments"] == [] and plan["routing_zones"] == []
    )
    assert plan["absent"] == {
        "virtual_networks": [{"label": "sriov-a"}, {"label": "b"}],
        "port_bindings": [
            {"virtual_network": "sriov-a", "tagged": True},
            {"virtual_network": "b", "tagged": True},
        ],
        "attachments": [
            {"name": "sriov-a", "namespace": "telco"},
            {"name": "b", "namespace": "telco"},
            {"name": "c", "namespace": "telco"},
        ],
        "routers": [{"name": "g", "namespace": "telco", "owner": "intent"}],
        "routing_zones": [{"label": "red"}],  # blue still carries "keep"
        "pod_networks": [],
    }
    assert [n["state"] for n in plan["networks"]] == ["absent"] * 3


def cluster_net(cluster_vlan=None, **extra):
    net = nets(extra)[0]
    net["source"] = {
        "kind": "NetworkAttachmentDefinition",
        "namespace": "telco",
        "name": net["name"],
    }
    net["cluster_vlan"] = cluster_vlan
    return net


def test_a_cluster_network_keeps_the_app_teams_nad_and_gets_its_vlan_written_back(ports):
    plan = planning.build_plan([cluster_net(cluster_vlan=None)], ports)
    assert plan["attachments"] == [
        {
            "name": "sriov-a",
            "namespace": "telco",
            "vlan": 100,
            "resource_name": RES,
            "managed": False,
            "writable": True,
        }
    ]
    assert plan["attachment_writebacks"] == [{"name": "sriov-a", "namespace": "telco", "vlan": 100}]
    assert (
        planning.build_plan([cluster_net(cluster_vlan=100)], ports)["attachment_writebacks"] == []
    )
    assert plan["networks"][0]["source"] == "NetworkAttachmentDefinition telco/sriov-a"


def test_the_cluster_tag_goes_only_on_vns_made_for_cluster_objects(ports):
    assert (
        model.CLUSTER_TAG
        in planning.build_plan([cluster_net()], ports)["virtual_networks"][0]["tags"]
    )
    # a VN the intent file created earlier stays the file's, even when a cluster object now names it
    created_by_file = [{"label": "sriov-a", "tags": [OWNER]}]
    assert (
        model.CLUSTER_TAG
        not in planning.build_plan([cluster_net()], ports, existing_vns=created_by_file)[
            "virtual_networks"
        ][0]["tags"]
    )
    assert (
        model.CLUSTER_TAG not in planning.build_plan(nets({}), ports)["virtual_networks"][0]["tags"]
    )


def test_problems_of_lists_each_unbound_node_once(ports):
    plan = planning.build_plan(nets({}, {"name": "b", "vlan": 101, "subnet": "10.2.0.0/24"}), ports)
    problems = planning.problems_of(plan)
    assert (
        problems[0]
        == "sriov-a: worker-02 ens1f0 is cabled to leaf2 xe-0/0/2 in Apstra but LLDP sees leaf1 xe-0/0/9 (miscabled, not bound)"
    )
    assert len(problems) == 4 and len(set(problems)) == 4


@pytest.fixture
def plan_for_steps(ports):
    plan = planning.build_plan(nets({"routing_group": "g"}), ports)
    plan["absent"]["virtual_networks"] = [{"label": "old"}]
    plan["absent"]["port_bindings"] = [{"virtual_network": "old", "tagged": True}]
    plan["absent"]["routing_zones"] = [{"label": "red"}]
    plan["absent"]["attachments"] = [{"name": "old", "namespace": "telco"}]
    plan["port_bindings_clear"] = [{"virtual_network": "idle", "tagged": True}]
    return plan


def steps(list_of_steps):
    return [(step["resource"], step["state"], len(step["config"])) for step in list_of_steps]


@pytest.mark.parametrize(
    "run, overridden, fabric",
    [
        (
            "provision",
            False,
            [
                ("routing_zones", "merged", 1),
                ("virtual_networks", "merged", 1),
                ("port_bindings", "merged", 1),
            ],
        ),
        (
            "reconcile",
            False,
            [
                ("routing_zones", "merged", 1),
                ("virtual_networks", "replaced", 1),
                ("port_bindings", "replaced", 1),
                ("port_bindings", "deleted", 1),
                ("port_bindings", "deleted", 1),
                ("virtual_networks", "deleted", 1),
                ("routing_zones", "deleted", 1),
            ],
        ),
        (
            "reconcile",
            True,
            [
                ("routing_zones", "merged", 1),
                ("virtual_networks", "replaced", 1),
                ("port_bindings", "replaced", 1),
                ("port_bindings", "deleted", 1),
                ("port_bindings", "deleted", 1),
                ("virtual_networks", "deleted", 1),
                ("routing_zones", "deleted", 1),
            ],
        ),
        (
            "teardown",
            False,
            [
                ("port_bindings", "deleted", 1),
                ("virtual_networks", "deleted", 1),
                ("routing_zones", "deleted", 1),
            ],
        ),
        ("verify", False, []),
    ],
)
def test_fabric_steps_per_run(plan_for_steps, run, overridden, fabric):
    assert steps(planning.fabric_steps(plan_for_steps, run, overridden)) == fabric


@pytest.mark.parametrize(
    "run, overridden, cluster",
    [
        ("provision", False, [("attachments", "merged", 1), ("routers", "merged", 1)]),
        (
            "reconcile",
            True,
            [
                ("attachments", "overridden", 1),
                ("routers", "overridden", 1),
                ("attachments", "deleted", 1),
            ],
        ),
        ("teardown", False, [("attachments", "deleted", 1)]),
        ("verify", False, []),
    ],
)
def test_cluster_steps_per_run(plan_for_steps, run, overridden, cluster):
    assert steps(planning.cluster_steps(plan_for_steps, run, overridden)) == cluster
    for step in planning.cluster_steps(plan_for_steps, run, overridden):
        assert all("managed" not in item and "writable" not in item for item in step["config"])


def test_an_empty_deleted_step_is_never_run(ports):
    """``deleted`` with nothing listed means "every marked object": such a step is dropped. The fabric's overridden
    removals are planned networks, so an empty plan has no fabric step; the cluster keeps an empty ``overridden``
    (the NAD and router modules remove their owner's objects no step lists)."""
    plan = dict(planning.build_plan([], ports), owners=["intent"])
    assert (
        planning.fabric_steps(plan, "teardown") == []
        and planning.cluster_steps(plan, "teardown") == []
    )
    assert planning.fabric_steps(plan, "reconcile", overridden=True) == []
    assert [
        (step["resource"], step["state"], step["ownership"]["owner"])
        for step in planning.cluster_steps(plan, "reconcile", overridden=True)
    ] == [("attachments", "overridden", ["intent"]), ("routers", "overridden", ["intent"])]


def test_the_run_that_adopts_keeps_what_the_network_had_and_adds_only_what_is_missing(ports):
    """An adopted VN keeps its description, MTU and DHCP and its non-mark tags; the adoption run unions its leafs and
    ports with the plan's, and the NAD is planned as it was made (nothing that carries traffic changes).
    """
    hand_vn = {
        "label": "sriov-a",
        "bindings": ["leaf2"],
        "description": "made by hand",
        "mtu": 9100,
        "dhcp": True,
        "tags": ["legacy"],
    }
    hand_nad = {
        "name": "sriov-a",
        "namespace": "telco",
        "vlan": 100,
        "resource_name": "intel.com/sriov_netdevice",
        "ipam": {"type": "whereabouts", "range": "10.1.0.0/24", "gateway": "10.1.0.1"},
        "labels": {"team": "oam"},
    }
    bindings = [{"virtual_network": "sriov-a", "tagged": True, "interfaces": ["leaf2:xe-0/0/4"]}]
    held = planning.Existing([hand_vn], [], bindings, [hand_nad])
    net = dict(nets({})[0], adopting=True, adopted=True, owner="intent")
    plan = planning.build_plan([net], ports, existing=held)
    vn = plan["virtual_networks"][0]
    assert vn["bindings"] == ["leaf1", "leaf2", "leaf3-leaf4"]
    assert (vn["description"], vn["mtu"], vn["dhcp"]) == ("made by hand", 9100, True)
    assert "legacy" in vn["tags"]
    assert "leaf2:xe-0/0/4" in plan["port_bindings"][0]["switch_ports"]
    assert plan["attachments"][0] == dict(hand_nad, managed=True)
    # an adopted network in a later run (adopted, not adopting) is bound as the plan says
    later = planning.build_plan([dict(net, adopting=False)], ports, existing=held)
    assert later["virtual_networks"][0]["bindings"] == ["leaf1", "leaf3-leaf4"]
