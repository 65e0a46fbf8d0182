# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Node -> PF -> leaf port: the one cabling judgement (FQDN switch names and unit ports match), the node/port map."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    Fabric,
    parse_link,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import topology

RES = "intel.com/sriov_netdevice"


def node(name, pfs, resources=None, labels=None):
    """A sriov_node_info fact: pfs as [(pf, lldp switch, lldp port)], no LLDP when the switch is None."""
    return {
        "name": name,
        "labels": labels or {},
        "resources": {RES: 8} if resources is None else resources,
        "pfs": [
            {"name": pf, "lldp": [{"switch": switch, "port": port}] if switch else []}
            for pf, switch, port in pfs
        ],
    }


@pytest.fixture
def links(apstra):
    return Fabric.from_rows(apstra.fabric_rows()).links


def by_node(nodes, links):
    return dict((entry["node"], entry) for entry in topology.port_map(nodes, links))


@pytest.mark.parametrize(
    "switch, port, verdict",
    [
        ("leaf1", "xe-0/0/1", "verified"),
        ("leaf1.dc1.example.net", "xe-0/0/1.0", "verified"),
        ("leaf1.dc1.example.net", "xe-0/0/1", "verified"),
        ("leaf1", "xe-0/0/1.0", "verified"),
        ("leaf2", "xe-0/0/1", "mismatch"),
        ("leaf1", "xe-0/0/10", "mismatch"),
        ("leaf1.dc1", "xe-0/0/1.0.0", "mismatch"),
    ],
)
def test_cabling_verdict_for_one_pf(apstra, switch, port, verdict):
    link = parse_link(apstra.fabric_row("leaf1", server="worker-01", nic="ens1f0", port="xe-0/0/1"))
    assert topology.cabling([{"switch": switch, "port": port}], link) == verdict


def test_cabling_without_lldp_or_link(apstra):
    link = parse_link(apstra.fabric_row("leaf1", server="worker-01", nic="ens1f0", port="xe-0/0/1"))
    assert topology.cabling([], link) == "unverified"
    assert topology.cabling([{"switch": "leaf1", "port": "xe-0/0/1"}], None) == "unmapped"
    # one of several neighbours agreeing is enough; the Apstra hostname counts as well as the label
    assert (
        topology.cabling(
            [{"switch": "mgmt-sw", "port": "1"}, {"switch": "leaf1", "port": "xe-0/0/1"}], link
        )
        == "verified"
    )
    fqdn_link = parse_link(
        apstra.fabric_row(
            "leaf1", server="w", nic="n", port="xe-0/0/1", leaf_hostname="tor-a.dc1.example.net"
        )
    )
    assert (
        topology.cabling([{"switch": "tor-a.dc1.example.net", "port": "xe-0/0/1.0"}], fqdn_link)
        == "verified"
    )


def test_port_map_statuses_and_application_points(links):
    nodes = [
        node("worker-01", [("ens1f0", "leaf1.dc1.example.net", "xe-0/0/1.0")]),
        node("worker-02", [("ens1f0", "leaf1", "xe-0/0/2")]),  # LLDP sees another leaf: mis-cabled
        node("worker-05", [("ens1f0", "leaf3", "xe-0/0/5"), ("ens1f1", None, None)]),
        node("worker-07", [("ens1f0", None, None)]),
        node("worker-09", [("ens1f0", "leaf1", "xe-0/0/9")]),  # not in Apstra
    ]
    ports = by_node(nodes, links)
    assert {name: entry["status"] for name, entry in ports.items()} == {
        "worker-01": "mapped",
        "worker-02": "miscabled",
        "worker-05": "mapped",
        "worker-07": "mapped",
        "worker-09": "unmapped",
    }
    assert ports["worker-01"]["application_points"] == [
        {
            "switch": "leaf1",
            "switch_id": "id-leaf1",
            "port": "leaf1:xe-0/0/1",
            "application_point_id": "if-leaf1-xe-0/0/1",
            "esi": False,
        }
    ]
    # dual-homed: both PFs, one ESI LAG application point, bound through the pair
    assert ports["worker-05"]["application_points"] == [
        {
            "switch": "leaf3-leaf4",
            "switch_id": "id-leaf3-leaf4",
            "port": "leaf3-leaf4:ae5",
            "application_point_id": "esi-leaf3-leaf4-ae5",
            "esi": True,
        }
    ]
    assert [pf["cabling"] for pf in ports["worker-05"]["pfs"]] == ["verified", "unverified"]
    # single-homed on a leaf of an ESI pair: the port is the leaf's, the switch the pair
    assert ports["worker-07"]["application_points"] == [
        {
            "switch": "leaf3-leaf4",
            "switch_id": "id-leaf3-leaf4",
            "port": "leaf3:xe-0/0/7",
            "application_point_id": "if-leaf3-xe-0/0/7",
            "esi": False,
        }
    ]
    assert (
        ports["worker-02"]["application_points"] == []
        and ports["worker-09"]["application_points"] == []
    )
    assert ports["worker-02"]["problems"] == [
        "worker-02 ens1f0 is cabled to leaf2 xe-0/0/2 in Apstra but LLDP sees leaf1 xe-0/0/2"
    ]
    assert ports["worker-09"]["problems"] == [
        "node worker-09 is not a generic system (hostname) in the Apstra blueprint"
    ]


def test_a_pf_apstra_does_not_know_or_no_pf_at_all_leaves_the_node_unmapped(links):
    ports = by_node(
        [
            node("worker-01", [("ens1f0", None, None), ("ens9f9", None, None)]),
            node("worker-02", []),
        ],
        links,
    )
    assert (
        ports["worker-01"]["status"] == "unmapped"
        and ports["worker-01"]["application_points"] == []
    )
    assert ports["worker-01"]["problems"] == [
        "worker-01 ens9f9 has no link in the Apstra cabling map"
    ]
    assert ports["worker-02"]["status"] == "unmapped"
    assert ports["worker-02"]["problems"] == [
        "node worker-02 reports no SR-IOV physical function (SriovNetworkNodeState)"
    ]


def test_miscabled_wins_over_unmapped_pfs(links):
    entry = by_node(
        [node("worker-01", [("ens1f0", "leaf2", "xe-0/0/1"), ("ens9f9", None, None)])], links
    )["worker-01"]
    assert entry["status"] == "miscabled" and len(entry["problems"]) == 2


def test_links_are_found_by_server_label_and_hostname(apstra):
    row = apstra.fabric_row("leaf1", server="worker-01", nic="ens1f0", port="xe-0/0/1")
    row["server"]["label"] = "rack1-srv1"
    index = topology.links_by_pf([parse_link(row)])
    assert set(index) == {("rack1-srv1", "ens1f0"), ("worker-01", "ens1f0")}


def test_nodes_for_a_network_offer_its_resource_and_match_its_selector(links):
    ports = topology.port_map(
        [
            node("worker-01", [("ens1f0", None, None)], labels={"zone": "a"}),
            node("worker-02", [("ens1f0", None, None)], labels={"zone": "b"}),
            node("worker-07", [("ens1f0", None, None)], resources={"intel.com/other": 4}),
        ],
        links,
    )
    net = {"resource_name": RES, "node_selector": {"zone": "a"}}
    assert [e["node"] for e in topology.nodes_for(net, ports)] == ["worker-01"]
    assert [e["node"] for e in topology.nodes_for(dict(net, node_selector={}), ports)] == [
        "worker-01",
        "worker-02",
    ]
    assert (
        topology.offers({"resources": {RES: "0"}}, RES) is False
        and topology.offers({"resources": {RES: "x"}}, RES) is False
    )


def test_port_summary_one_line_per_node(links):
    ports = topology.port_map(
        [
            node("worker-05", [("ens1f0", "leaf3", "xe-0/0/5"), ("ens1f1", None, None)]),
            node("worker-09", [("ens1f0", None, None)], resources={}),
        ],
        links,
    )
    assert topology.port_summary(ports) == [
        "worker-05 [mapped] ens1f0 -> leaf3 xe-0/0/5 (LLDP: leaf3 xe-0/0/5, verified); ens1f1 -> leaf4 xe-0/0/5 (LLDP: none, unverified); "
        "binds on leaf3-leaf4:ae5; intel.com/sriov_netdevice=8",
        "worker-09 [unmapped] ens1f0 -> not in Apstra (LLDP: none, unmapped); binds on -; no SR-IOV resource",
    ]
