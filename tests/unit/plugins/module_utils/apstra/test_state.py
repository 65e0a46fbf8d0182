# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Graph state read the same way from staging and deployed: VNs (with ESI pairs), port bindings, zones, staged changes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import models
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    BINDINGS_QUERY,
    VIRTUAL_NETWORKS_QUERY,
    ZONES_QUERY,
    Fabric,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.state import (
    binding_state,
    read_state,
    staged_changes,
    verification_view,
)

OWNER = "managed-by:netops.cn2_apstra"
PAIRS = {"leaf3-leaf4": ["leaf3", "leaf4"]}


def vn_rows(
    vn_id,
    label,
    switches=(),
    vlan=100,
    zone="telco",
    subnet="10.1.0.0/24",
    gateway="10.1.0.1",
    vni="10100",
    tags=(OWNER,),
    mtu=9000,
):
    """VIRTUAL_NETWORKS_QUERY rows (aliases vn, sz, inst, switch): one per instance, or one without instance."""
    vn = {
        "id": vn_id,
        "label": label,
        "vn_id": vni,
        "ipv4_enabled": bool(subnet),
        "ipv4_subnet": subnet,
        "virtual_gateway_ipv4_enabled": bool(gateway),
        "virtual_gateway_ipv4": gateway,
        "l3_mtu": mtu,
        "tags": list(tags),
        "reserved_vlan_id": vlan,
    }
    sz = {"id": "sz-" + zone, "label": zone}
    if not switches:
        return [{"vn": vn, "sz": sz, "inst": None, "switch": None}]
    return [
        {
            "vn": vn,
            "sz": sz,
            "inst": {"id": "inst-%s-%s" % (label, switch), "vlan_id": vlan},
            "switch": {"id": "id-" + switch, "label": switch},
        }
        for switch in switches
    ]


def test_vns_from_graph_name_an_esi_pair_instead_of_its_members():
    rows = vn_rows("vn-a", "sriov-a", ["leaf1", "leaf3", "leaf4"]) + vn_rows(
        "vn-b", "sriov-b", ["leaf3"], vlan=101
    )
    state = models.vns_from_graph(rows, PAIRS)
    assert state["sriov-a"] == {
        "id": "vn-a",
        "label": "sriov-a",
        "vni": 10100,
        "routing_zone": "telco",
        "ipv4_subnet": "10.1.0.0/24",
        "ipv4_gateway": "10.1.0.1",
        "mtu": 9000,
        "tags": [OWNER],
        "bindings": ["leaf1", "leaf3-leaf4"],
        "vlan_id": 100,
        "vn_type": None,
        "dhcp": False,
        "description": None,
        "ipv6_subnet": None,
        "owner": "intent",
    }
    # bound to one member only: that leaf, not the pair
    assert state["sriov-b"]["bindings"] == ["leaf3"] and state["sriov-b"]["vlan_id"] == 101
    assert models.vns_from_graph(rows)["sriov-a"]["bindings"] == ["leaf1", "leaf3", "leaf4"]


def test_vns_from_graph_without_instances_and_disabled_ipv4():
    state = models.vns_from_graph(
        vn_rows("vn-c", "sriov-c", vlan=None, subnet=None, gateway=None, vni=None)
    )
    assert state["sriov-c"]["bindings"] == [] and state["sriov-c"]["vlan_id"] is None
    assert (
        state["sriov-c"]["ipv4_subnet"] is None
        and state["sriov-c"]["ipv4_gateway"] is None
        and state["sriov-c"]["vni"] is None
    )


def test_binding_state_keys_by_vn_and_tagging_with_port_names_and_ownership(apstra):
    vns = models.vns_from_graph(
        vn_rows("vn-a", "sriov-a", ["leaf1"]) + vn_rows("vn-b", "sriov-b", ["leaf2"]), PAIRS
    )
    rows = [
        apstra.binding_row("ct-a", "vn-a", "leaf1:xe-0/0/1"),
        apstra.binding_row("ct-a", "vn-a", "leaf3-leaf4:ae5"),
        apstra.binding_row("ct-b", "vn-b", "leaf2:xe-0/0/2", tag_type="untagged", tags=()),
        apstra.binding_row("ct-gone", "vn-unknown", "leaf2:xe-0/0/2"),
    ]
    port_names = Fabric.from_rows(apstra.fabric_rows()).port_names
    assert binding_state(*models.templates(rows), vns, port_names) == {
        ("sriov-a", True): {
            "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"],
            "owner": "intent",
            "template": "ct-a",
        },
        ("sriov-b", False): {"interfaces": ["leaf2:xe-0/0/2"], "owner": None, "template": "ct-b"},
    }
    # an application point the fabric does not know is named as the graph names it
    assert binding_state(*models.templates(rows[:1]), vns, {})[("sriov-a", True)]["interfaces"] == [
        "leaf1:xe-0/0/1"
    ]


def test_zone_from_a_graph_node_or_a_rest_item():
    node = {
        "id": "sz-1",
        "label": "telco",
        "vni_id": "20001",
        "vrf_name": "telco",
        "tags": ["b", "a"],
    }
    assert models.zone(node) == {
        "id": "sz-1",
        "label": "telco",
        "vrf_name": "telco",
        "vni": 20001,
        "vlan_id": None,
        "import_rts": [],
        "export_rts": [],
        "junos_evpn_irb_mode": None,
        "tags": ["a", "b"],
        "owner": None,
    }


def test_read_state_queries_one_graph(apstra):
    fabric = Fabric.from_rows(apstra.fabric_rows())
    client = apstra.client(
        queries={
            (VIRTUAL_NETWORKS_QUERY, "deployed"): vn_rows("vn-a", "sriov-a", ["leaf3", "leaf4"]),
            (BINDINGS_QUERY, "deployed"): [apstra.binding_row("ct-a", "vn-a", "leaf3-leaf4:ae5")],
            (ZONES_QUERY, "deployed"): [
                {"sz": {"id": "sz-telco", "label": "telco", "vni_id": 20001}}
            ],
        }
    )
    state = read_state(apstra.service(client), "bp-1", fabric, "deployed", with_zones=True)
    assert client.queried() == [
        (VIRTUAL_NETWORKS_QUERY, "deployed"),
        (BINDINGS_QUERY, "deployed"),
        (ZONES_QUERY, "deployed"),
    ]
    assert state["virtual_networks"]["sriov-a"]["bindings"] == ["leaf3-leaf4"]
    assert state["port_bindings"] == {
        ("sriov-a", True): {
            "interfaces": ["leaf3-leaf4:ae5"],
            "owner": "intent",
            "template": "ct-a",
        }
    }
    assert state["routing_zones"]["telco"]["vni"] == 20001
    assert "routing_zones" not in read_state(apstra.service(client), "bp-1", fabric, "deployed")


def state_of(zones=None, vns=None, bindings=None):
    return {
        "routing_zones": zones or {},
        "virtual_networks": vns or {},
        "port_bindings": bindings or {},
    }


def test_staged_changes_per_kind_and_action_with_ownership():
    deployed = state_of(
        zones={
            "telco": models.zone(
                {"label": "telco", "vni_id": 1, "vrf_name": "telco", "tags": [OWNER]}
            )
        },
        vns=models.vns_from_graph(
            vn_rows("vn-a", "sriov-a", ["leaf1"]) + vn_rows("vn-x", "theirs", ["leaf2"], tags=())
        ),
        bindings={("sriov-a", True): {"interfaces": ["leaf1:xe-0/0/1"], "owner": "intent"}},
    )
    staging = state_of(
        zones={
            "telco": models.zone(
                {"label": "telco", "vni_id": 1, "vrf_name": "telco", "tags": [OWNER]}
            ),
            "red": models.zone({"label": "red", "tags": [OWNER]}),
        },
        vns=models.vns_from_graph(
            vn_rows("vn-a", "sriov-a", ["leaf1", "leaf2"]) + vn_rows("vn-y", "new", tags=())
        ),
        bindings={
            ("sriov-a", True): {
                "interfaces": ["leaf1:xe-0/0/1", "leaf2:xe-0/0/2"],
                "owner": "intent",
            }
        },
    )
    assert staged_changes(staging, deployed) == [
        {
            "kind": "routing_zone",
            "name": "red",
            "object": "red",
            "action": "create",
            "owner": "intent",
        },
        {
            "kind": "virtual_network",
            "name": "new",
            "object": "new",
            "action": "create",
            "owner": None,
        },
        {
            "kind": "virtual_network",
            "name": "sriov-a",
            "object": "sriov-a",
            "action": "modify",
            "owner": "intent",
        },
        {
            "kind": "virtual_network",
            "name": "theirs",
            "object": "theirs",
            "action": "delete",
            "owner": None,
        },
        {
            "kind": "port_binding",
            "name": "sriov-a",
            "object": "sriov-a (tagged)",
            "action": "modify",
            "owner": "intent",
        },
    ]


def test_staged_changes_ignore_fields_that_are_not_compared():
    deployed = state_of(vns={"a": {"id": "1", "label": "a", "vni": 5, "tags": []}})
    staging = state_of(vns={"a": {"id": "2", "label": "a", "vni": 5, "tags": []}})
    assert staged_changes(staging, deployed) == [] and staged_changes(state_of(), state_of()) == []


def test_verification_view_drops_ids_and_lists_bindings():
    state = state_of(
        vns=models.vns_from_graph(vn_rows("vn-a", "sriov-a", ["leaf1"])),
        bindings={
            ("sriov-a", True): {
                "interfaces": ["leaf1:xe-0/0/1"],
                "owner": "intent",
                "template": "ct",
            }
        },
    )
    view = verification_view(state)
    assert view["port_bindings"] == [
        {"virtual_network": "sriov-a", "tagged": True, "interfaces": ["leaf1:xe-0/0/1"]}
    ]
    assert (
        view["virtual_networks"][0]["label"] == "sriov-a"
        and "id" not in view["virtual_networks"][0]
    )
