# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apstra's incremental config read as lines added and removed; devices named and grouped as the change board reads them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.device_diff import (
    changed_devices,
    device_names,
    diff_entries,
    group_diffs,
    parse_incremental,
)

# The shape Apstra's config-incremental answers for a Junos leaf (terraform-provider-apstra's documented example, and
# the emulator's rendering of a VN bound to leaf1 with one tagged port).
INCREMENTAL = """
[routing-options]
- autonomous-system 64512;
+ autonomous-system 64511;

[interfaces replace: xe-0/0/1]
+ mtu 9216;

+ [interfaces replace: xe-0/0/1 unit 0 family ethernet-switching vlan]
+ members vn100;

+ [routing-instances evpn-1 vlans vn100]
+ description sriov-100;
+ vlan-id 100;

+ [routing-instances evpn-1 vlans vn100 vxlan]
+ vni 10001;

- [routing-instances evpn-1 vlans vn90]
- vlan-id 90;

"""


def entry(device, added=(), removed=(), error=None):
    out = {
        "device": device,
        "node_id": "id-" + device,
        "added": list(added),
        "removed": list(removed),
    }
    if error:
        out["error"] = error
    return out


def test_statements_are_read_with_their_hierarchy_path_without_the_load_tag():
    added, removed = parse_incremental(INCREMENTAL)
    assert added == [
        "routing-options autonomous-system 64511",
        "interfaces xe-0/0/1 mtu 9216",
        "interfaces xe-0/0/1 unit 0 family ethernet-switching vlan members vn100",
        "routing-instances evpn-1 vlans vn100 description sriov-100",
        "routing-instances evpn-1 vlans vn100 vlan-id 100",
        "routing-instances evpn-1 vlans vn100 vxlan vni 10001",
    ]
    assert removed == [
        "routing-options autonomous-system 64512",
        "routing-instances evpn-1 vlans vn90 vlan-id 90",
    ]


def test_nothing_staged_is_no_line():
    assert parse_incremental("") == ([], [])
    assert parse_incremental(None) == ([], [])
    # a statement outside any block keeps its text alone
    assert parse_incremental("+ set-alone;\n") == (["set-alone"], [])


def test_devices_are_named_in_natural_order_with_runs_of_three_or_more_as_ranges():
    assert device_names(["leaf10", "leaf2", "leaf1"]) == "leaf1, leaf2, leaf10"
    assert device_names(["leaf%d" % n for n in range(1, 9)] + ["leaf10"]) == "leaf1-leaf8, leaf10"
    # two stay a list: "leaf3-leaf4" is how an ESI pair is named
    assert device_names(["leaf4", "leaf3"]) == "leaf3, leaf4"
    assert device_names(["spine1", "leaf1", "border"]) == "border, leaf1, spine1"


def test_identical_diffs_are_one_group_and_errors_stand_apart():
    same = ["routing-instances evpn-1 vlans vn110 vlan-id 110"]
    diffs = [
        entry("leaf10", same),
        entry("leaf2", same),
        entry("leaf1", ["interfaces xe-0/0/1 mtu 9216"] + same),
        entry("leaf3", error="404 Node id-leaf3 not found"),
        entry("leaf2b", same, ["x"]),
    ]
    assert group_diffs(diffs) == [
        {"devices": ["leaf1"], "added": ["interfaces xe-0/0/1 mtu 9216"] + same, "removed": []},
        {"devices": ["leaf2", "leaf10"], "added": same, "removed": []},
        {"devices": ["leaf2b"], "added": same, "removed": ["x"]},
        {"devices": ["leaf3"], "error": "404 Node id-leaf3 not found"},
    ]


def test_an_untouched_device_is_not_listed_and_the_diff_shows_each_changed_one():
    diffs = [entry("leaf1", ["a b"], ["c d"]), entry("leaf2"), entry("leaf3", error="timeout")]
    assert [d["device"] for d in changed_devices(diffs)] == ["leaf1", "leaf3"]
    assert diff_entries(diffs) == [
        {"prepared": "leaf1: Apstra incremental config\n- c d\n+ a b\n"},
        {"prepared": "leaf3: Apstra incremental config\ntimeout\n"},
    ]
