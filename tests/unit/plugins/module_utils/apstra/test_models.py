# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The canonical read models, each mapped from the API answers the emulator gave (recorded by
scripts/record_apstra_answers.py into fixtures/recorded_answers.json): a REST answer and a graph node of the same
object map to the same model, so what the report and verification compare is the object, not the reader.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from pathlib import Path

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import models
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    Fabric,
    values,
)

RECORDED = json.loads(
    (Path(__file__).parent / "fixtures" / "recorded_answers.json").read_text(encoding="utf-8")
)
OWNER_MARKS = ["managed-by:netops.cn2_apstra", "netops.cn2_apstra/owner:team-x"]


@pytest.fixture(scope="module")
def fabric():
    return Fabric.from_rows(RECORDED["FABRIC_QUERY.staging"])


def rest_vns(fabric):
    zones = dict(
        (zone["id"], zone["label"]) for zone in values(RECORDED["security_zones"], "items")
    )
    return dict(
        (vn["label"], models.vn_from_api(vn, zones, fabric))
        for vn in values(RECORDED["virtual_networks"], "virtual_networks")
    )


def test_a_vn_from_rest_and_from_the_graph_is_one_model(fabric):
    rest = rest_vns(fabric)["sriov-a"]
    assert rest == {
        "id": rest["id"],
        "label": "sriov-a",
        "vn_type": "vxlan",
        "vni": rest["vni"],
        "routing_zone": "telco",
        "vlan_id": 100,
        "bindings": ["leaf1", "leaf3-leaf4"],
        "ipv4_subnet": "10.1.0.0/24",
        "ipv4_gateway": "10.1.0.1",
        "dhcp": False,
        "mtu": 9000,
        "tags": OWNER_MARKS,
        "description": "SR-IOV telco/sriov-a",
        "ipv6_subnet": None,
        "owner": "team-x",
    }
    assert isinstance(rest["vni"], int)
    for graph in ("staging", "deployed"):
        from_graph = models.vns_from_graph(
            RECORDED["VIRTUAL_NETWORKS_QUERY.%s" % graph], fabric.members
        )
        assert from_graph["sriov-a"] == rest


def test_a_zone_from_rest_and_from_the_graph_is_one_model():
    rest = dict(
        (zone["label"], models.zone(zone)) for zone in values(RECORDED["security_zones"], "items")
    )
    graph = dict(
        (row["sz"]["label"], models.zone(row["sz"])) for row in RECORDED["ZONES_QUERY.deployed"]
    )
    assert rest == graph
    assert rest["telco"]["tags"] == ["team"] and rest["telco"]["owner"] is None
    assert rest["telco"]["vrf_name"] == "telco" and isinstance(rest["telco"]["vni"], int)


def test_templates_and_port_bindings_from_the_bindings_query(fabric):
    vns = list(rest_vns(fabric).values())
    for graph in ("staging", "deployed"):
        single, names = models.templates(RECORDED["BINDINGS_QUERY.%s" % graph])
        assert [(t["id"], t["tag_type"], t["owner"]) for t in single] == [
            ("ct-a", "vlan_tagged", "intent")
        ]
        assert single[0]["vn_id"] == vns[0]["id"] and len(single[0]["interfaces"]) == 2
        assert models.port_bindings(single, vns, fabric.port_names, names) == [
            {
                "virtual_network": "sriov-a",
                "tagged": True,
                "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"],
            }
        ]


def test_a_revision_is_named_by_its_id_with_its_version():
    revisions = [models.revision(item) for item in RECORDED["revisions"]["items"]]
    assert revisions == [
        {"revision_id": "1", "version": revisions[0]["version"], "description": "recorded"}
    ]
    assert isinstance(revisions[0]["version"], int)
