# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which leafs a run's changes touch (from the plan and the facts, nothing read), their incremental config read at once,
and the record of a held change in the global catalog."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.device_config import (
    read_device_diffs,
    touched_devices,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.mutex import TAGS_PATH
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import Fabric
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.window import (
    change_names,
    forget_held,
    held_label,
    held_record,
    record_held,
)

BP = "bp-1"


@pytest.fixture
def fabric(apstra):
    """leaf1, leaf2 single; leaf3 + leaf4 the ESI pair leaf3-leaf4 (tests/unit/conftest.py)."""
    return Fabric.from_rows(apstra.fabric_rows())


def change(action, key, before=None, after=None):
    return {"action": action, "key": key, "before": before, "after": after}


def test_the_touched_leafs_come_from_the_changes_and_an_esi_pair_is_both_its_leafs(fabric):
    steps = [
        {
            "resource": "virtual_networks",
            "changes": [
                change("create", "net-a", after={"label": "net-a", "bindings": ["leaf3-leaf4"]}),
                change(
                    "update",
                    "net-b",
                    before={"label": "net-b", "bindings": ["leaf1"]},
                    after={"label": "net-b", "bindings": ["leaf1"], "mtu": 1500},
                ),
            ],
        },
        {
            "resource": "port_bindings",
            "changes": [
                change(
                    "update",
                    ["net-c", True],
                    before={"interfaces": ["leaf1:xe-0/0/1", "leaf2:xe-0/0/2"]},
                    after={"interfaces": ["leaf1:xe-0/0/1"]},
                )
            ],
        },
        {"resource": "routing_zones", "changes": [change("create", "red", after={"label": "red"})]},
    ]
    # leaf1 (net-b), leaf2 (the port net-c leaves), leaf3 and leaf4 (net-a on the pair); the new zone alone touches none
    assert touched_devices(steps, fabric) == ["leaf1", "leaf2", "leaf3", "leaf4"]
    only_ports = [steps[1]]
    assert touched_devices(only_ports, fabric) == [
        "leaf2"
    ], "a port kept on leaf1 is not a change of leaf1"


def test_a_changed_routing_zone_touches_the_leafs_of_its_networks(fabric):
    steps = [
        {
            "resource": "routing_zones",
            "changes": [
                change("update", "telco", {"label": "telco"}, {"label": "telco", "vni": 9})
            ],
        }
    ]
    vns = [
        {"label": "a", "routing_zone": "telco", "bindings": ["leaf2"]},
        {"label": "b", "routing_zone": "other", "bindings": ["leaf1"]},
    ]
    assert touched_devices(steps, fabric, vns) == ["leaf2"]
    # a switch the fabric does not know is not read
    assert touched_devices(steps, fabric, [{"routing_zone": "telco", "bindings": ["gone"]}]) == []


def test_the_diffs_are_read_per_leaf_and_a_leaf_that_cannot_be_read_says_why(apstra):
    base = "/api/blueprints/%s/nodes/" % BP
    client = apstra.client(
        routes={
            ("GET", base + "id-leaf1/config-incremental"): {
                "config": "\n+ [interfaces replace: irb unit 110]\n+ mac 00:1c:73:00:00:01;\n\n"
            },
            ("GET", base + "id-leaf2/config-incremental"): apstra.error(
                404,
                {"errors": "Node id-leaf2 not found"},
                "GET",
                base + "id-leaf2/config-incremental",
            ),
        }
    )
    diffs = read_device_diffs(client, BP, [("leaf1", "id-leaf1"), ("leaf2", "id-leaf2")])
    assert diffs[0] == {
        "device": "leaf1",
        "node_id": "id-leaf1",
        "added": ["interfaces irb unit 110 mac 00:1c:73:00:00:01"],
        "removed": [],
    }
    assert diffs[1]["added"] == [] and "(HTTP 404)" in diffs[1]["error"]
    assert sorted(path for _method, path in client.paths()) == [
        base + "id-leaf1/config-incremental",
        base + "id-leaf2/config-incremental",
    ]


def test_the_held_record_is_a_tag_of_this_collection_and_the_names_are_the_staging_diffs():
    record = {"holder": "netops.cn2_apstra", "staging_version": 7}
    tags = [
        {"id": "t1", "label": "blueprint %s locked" % BP, "description": "{}"},
        {"id": "t2", "label": held_label(BP), "description": json.dumps(record)},
    ]
    assert held_label(BP) == "netops.cn2_apstra held bp-1"
    assert held_record(tags, BP) == dict(record, id="t2")
    assert held_record(tags[:1], BP) is None
    assert held_record([dict(tags[1], description="by hand")], BP) == {
        "id": "t2",
        "unreadable": True,
    }
    steps = [
        {"resource": "virtual_networks", "changes": [change("create", "net-a")]},
        {"resource": "port_bindings", "changes": [change("create", ["net-a", True])]},
    ]
    assert change_names(steps) == {"virtual_network net-a", "port_binding net-a"}


def test_recording_replaces_an_earlier_record_and_forgetting_a_gone_one_is_fine(apstra):
    exists = apstra.error(
        422, {"errors": {"label": "Tag with label already exists"}}, "POST", TAGS_PATH
    )
    earlier = {
        "id": "t2",
        "label": held_label(BP),
        "description": json.dumps({"holder": "netops.cn2_apstra"}),
    }
    client = apstra.client(
        routes={
            ("POST", TAGS_PATH): exists,
            ("GET", TAGS_PATH): {"items": [earlier]},
            ("PUT", TAGS_PATH + "/t2"): {},
        }
    )
    assert record_held(client, BP, {"holder": "netops.cn2_apstra", "staging_version": 9}) == "t2"
    put = client.writes()[-1]
    assert put["method"] == "PUT" and json.loads(put["body"]["description"])["staging_version"] == 9
    gone = apstra.client(
        routes={("DELETE", TAGS_PATH + "/t2"): apstra.error(404, {}, "DELETE", TAGS_PATH + "/t2")}
    )
    assert forget_held(gone, "t2") is None
    failing = apstra.client(
        routes={("DELETE", TAGS_PATH + "/t2"): apstra.error(500, {}, "DELETE", TAGS_PATH + "/t2")}
    )
    assert "the record of the held change (global-catalog tag t2) was left" in forget_held(
        failing, "t2"
    )
