# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Apstra read side: FABRIC_QUERY rows -> server links and Fabric, BINDINGS_QUERY rows -> templates, lookups."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import models
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    BINDINGS_QUERY,
    FABRIC_QUERY,
    VIRTUAL_NETWORKS_QUERY,
    ZONES_QUERY,
    Fabric,
    parse_link,
    values,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import (
    ValidationError,
)

BASE = "/api/blueprints/bp-1"


def aliases(query):
    return set(re.findall(r"[(, ]name='([a-z_]+)'", query))


@pytest.mark.parametrize(
    "query, expected",
    [
        (
            FABRIC_QUERY,
            {
                "leaf",
                "rg",
                "leaf_intf",
                "link",
                "server_intf",
                "server",
                "leaf_lag",
                "esi_lag",
                "esi_rg",
            },
        ),
        (BINDINGS_QUERY, {"ct", "prim", "intf", "intf_host"}),
        (VIRTUAL_NETWORKS_QUERY, {"vn", "sz", "inst", "switch"}),
        (ZONES_QUERY, {"sz"}),
    ],
)
def test_the_row_fixtures_use_the_aliases_of_the_queries(apstra, query, expected):
    assert aliases(query) == expected
    if query == FABRIC_QUERY:
        assert (
            set(apstra.fabric_row("leaf1", "p", server="s", nic="n", port="x", lag="ae1", esi=True))
            == expected
        )
    if query == BINDINGS_QUERY:
        assert set(apstra.binding_row("ct", "vn", "leaf1:xe-0/0/1")) == expected


def test_single_homed_link(apstra):
    link = parse_link(
        apstra.fabric_row(
            "leaf1",
            server="worker-01",
            nic="ens1f0",
            port="xe-0/0/1",
            leaf_hostname="leaf1.dc1.example.net",
        )
    )
    assert link == {
        "server": "worker-01",
        "server_hostname": "worker-01",
        "server_id": "id-worker-01",
        "server_interface": "ens1f0",
        "server_interface_id": "if-worker-01-ens1f0",
        "leaf": "leaf1",
        "leaf_hostname": "leaf1.dc1.example.net",
        "leaf_id": "id-leaf1",
        "leaf_interface": "xe-0/0/1",
        "leaf_interface_id": "if-leaf1-xe-0/0/1",
        "link_id": "link-worker-01-ens1f0",
        "speed": "25G",
        "redundancy_group": None,
        "redundancy_group_id": None,
        "lag": None,
        "lag_id": None,
        "esi": False,
        "switch": "leaf1",
        "switch_id": "id-leaf1",
        "port": "leaf1:xe-0/0/1",
        "application_point_id": "if-leaf1-xe-0/0/1",
    }


@pytest.mark.parametrize(
    "kwargs, switch, port, point, esi, lag",
    [
        # dual-homed: the pair's logical port-channel is the application point, the VN binds to the pair
        (
            dict(pair="leaf3-leaf4", lag="ae5", esi=True),
            "leaf3-leaf4",
            "leaf3-leaf4:ae5",
            "esi-leaf3-leaf4-ae5",
            True,
            "ae5",
        ),
        # single-homed on a leaf of an ESI pair (mixed rack): the VN binds to the pair, the port is the leaf's
        (
            dict(pair="leaf3-leaf4"),
            "leaf3-leaf4",
            "leaf3:xe-0/0/7",
            "if-leaf3-xe-0/0/7",
            False,
            None,
        ),
        # a LAG on one leaf (no ESI): the leaf port-channel is the application point
        (dict(lag="ae7"), "leaf3", "leaf3:ae7", "lag-leaf3-ae7", False, "ae7"),
    ],
)
def test_link_application_point_and_switch(apstra, kwargs, switch, port, point, esi, lag):
    link = parse_link(
        apstra.fabric_row("leaf3", server="worker-07", nic="ens1f0", port="xe-0/0/7", **kwargs)
    )
    assert (
        link["switch"],
        link["port"],
        link["application_point_id"],
        link["esi"],
        link["lag"],
    ) == (switch, port, point, esi, lag)
    assert link["leaf"] == "leaf3" and link["leaf_interface"] == "xe-0/0/7"
    assert link["redundancy_group"] == kwargs.get("pair")


def test_server_named_by_hostname_when_it_has_no_label(apstra):
    row = apstra.fabric_row("leaf1", server="worker-01", nic="ens1f0", port="xe-0/0/1")
    row["server"]["label"] = None
    assert parse_link(row)["server"] == "worker-01"


def test_fabric_from_rows(apstra):
    fabric = Fabric.from_rows(apstra.fabric_rows())
    assert fabric.leafs == {
        "leaf1": "id-leaf1",
        "leaf2": "id-leaf2",
        "leaf3": "id-leaf3",
        "leaf4": "id-leaf4",
    }
    assert fabric.groups == {"leaf3-leaf4": "id-leaf3-leaf4"}
    assert fabric.members == {"leaf3-leaf4": ["leaf3", "leaf4"]}
    assert [(link["server"], link["server_interface"], link["port"]) for link in fabric.links] == [
        ("worker-01", "ens1f0", "leaf1:xe-0/0/1"),
        ("worker-02", "ens1f0", "leaf2:xe-0/0/2"),
        ("worker-05", "ens1f0", "leaf3-leaf4:ae5"),
        ("worker-05", "ens1f1", "leaf3-leaf4:ae5"),
        ("worker-07", "ens1f0", "leaf3:xe-0/0/7"),
    ]
    # port names and the leaf:member aliases of an ESI LAG resolve to one application point
    assert (
        fabric.ports["leaf3-leaf4:ae5"]
        == fabric.ports["leaf3:xe-0/0/5"]
        == fabric.ports["leaf4:xe-0/0/5"]
        == "esi-leaf3-leaf4-ae5"
    )
    assert fabric.port_names["esi-leaf3-leaf4-ae5"] == "leaf3-leaf4:ae5"
    assert (
        fabric.name_of("id-leaf3-leaf4") == "leaf3-leaf4"
        and fabric.name_of("unknown-id") == "unknown-id"
    )


def test_fabric_round_trips_through_its_facts(apstra):
    fabric = Fabric.from_rows(apstra.fabric_rows())
    again = Fabric.from_facts(fabric.facts())
    assert (again.leafs, again.groups, again.members, again.links, again.ports) == (
        fabric.leafs,
        fabric.groups,
        fabric.members,
        fabric.links,
        fabric.ports,
    )
    assert fabric.facts()["leafs"] == ["leaf1", "leaf2", "leaf3", "leaf4"]


def test_switch_id_by_name_or_id_and_unknown_names(apstra):
    fabric = Fabric.from_rows(apstra.fabric_rows())
    assert fabric.switch_id("f", "leaf2") == "id-leaf2"
    assert fabric.switch_id("f", "leaf3-leaf4") == "id-leaf3-leaf4"
    assert fabric.switch_id("f", "id-leaf1") == "id-leaf1"
    with pytest.raises(
        ValidationError,
        match=r"config\[0\]\.bindings: unknown leaf or ESI pair 'leaf5'; did you mean: leaf4, leaf3",
    ):
        fabric.switch_id("config[0].bindings", "leaf5")


def test_templates_from_rows(apstra):
    rows = [
        apstra.binding_row("ct-a", "vn-a", "leaf1:xe-0/0/1"),
        apstra.binding_row("ct-a", "vn-a", "leaf3-leaf4:ae5"),
        apstra.binding_row("ct-u", "vn-a", tag_type="untagged", tags=()),
        # a template with two primitives is not a single-VLAN template
        apstra.binding_row("ct-multi", "vn-b", "leaf2:xe-0/0/2", prim="p1"),
        apstra.binding_row("ct-multi", "vn-c", "leaf2:xe-0/0/2", prim="p2"),
    ]
    single, names = models.templates(rows)
    assert single == [
        {
            "id": "ct-a",
            "vn_id": "vn-a",
            "tag_type": "vlan_tagged",
            "tags": ["managed-by:netops.cn2_apstra"],
            "owner": "intent",
            "interfaces": ["esi-leaf3-leaf4-ae5", "if-leaf1-xe-0/0/1"],
        },
        {
            "id": "ct-u",
            "vn_id": "vn-a",
            "tag_type": "untagged",
            "tags": [],
            "owner": None,
            "interfaces": [],
        },
    ]
    assert names == {
        "if-leaf1-xe-0/0/1": "leaf1:xe-0/0/1",
        "esi-leaf3-leaf4-ae5": "leaf3-leaf4:ae5",
        "if-leaf2-xe-0/0/2": "leaf2:xe-0/0/2",
    }


def test_tag_type_and_vn_are_read_from_the_primitive_attributes_or_the_node(apstra):
    single, _names = models.templates([apstra.binding_row("ct", "vn")])
    assert (single[0]["vn_id"], single[0]["tag_type"]) == ("vn", "vlan_tagged")
    row = apstra.binding_row("ct", "vn")
    del row["prim"]["attributes"]
    row["prim"].update(tag_type="untagged", vn_node_id="vn")
    single, _names = models.templates([row])
    assert (single[0]["vn_id"], single[0]["tag_type"]) == ("vn", "untagged")


def test_values_reads_lists_and_id_maps():
    assert values({"items": [{"id": "a"}]}, "items") == [{"id": "a"}]
    assert values({"items": {"a": {"label": "x"}, "b": {"id": "b", "label": "y"}}}, "items") == [
        {"label": "x", "id": "a"},
        {"id": "b", "label": "y"},
    ]
    assert values(None, "items") == [] and values({"items": None}, "items") == []


def test_resolve_blueprint_by_label_or_id_and_near_matches(apstra):
    service = apstra.service(apstra.client())
    assert service.resolve_blueprint("dc1")["id"] == "bp-1"
    assert service.resolve_blueprint("bp-1")["label"] == "dc1"
    with pytest.raises(
        ValidationError, match="blueprint: unknown blueprint 'dc2'; did you mean: dc1"
    ):
        service.resolve_blueprint("dc2")


def test_queries_go_to_the_staging_or_the_deployed_graph(apstra):
    client = apstra.client(
        queries={
            (ZONES_QUERY, "deployed"): [{"sz": {"id": "d"}}],
            ZONES_QUERY: [{"sz": {"id": "s"}}],
        }
    )
    service = apstra.service(client)
    assert service.graph_zones("bp-1") == [{"id": "s"}]
    assert service.graph_zones("bp-1", "deployed") == [{"id": "d"}]
    assert [call["params"] for call in client.calls] == [None, {"type": "deployed"}]
    assert [call["path"] for call in client.calls] == [BASE + "/qe"] * 2


def test_fabric_is_one_graph_query(apstra):
    client = apstra.blueprint()
    fabric = apstra.service(client).fabric("bp-1")
    assert client.queried() == [(FABRIC_QUERY, None)] and len(fabric.links) == 5
