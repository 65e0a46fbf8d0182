# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The change report's "Device configuration" and "Change window" sections, from the fabric task's registered result."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.report_markdown import markdown
from ansible_collections.netops.cn2_apstra.plugins.module_utils.report_task import report_data

SAME = [
    "routing-instances evpn-1 vlans vn110 vlan-id 110",
    "interfaces ae5 unit 0 vlan members vn110",
]


def params(fabric_result=None, intent=None, check_mode=False, failure=None):
    return {
        "title": "t",
        "run": "provision",
        "check_mode": check_mode,
        "timestamp": "20261201T000000Z",
        "blueprint": {"label": "dc1", "deployed_version": 6},
        "fabric_result": fabric_result or {},
        "intent": intent or {},
        "failure": failure,
    }


def diff(device, added=(), removed=()):
    return {
        "device": device,
        "node_id": "id-" + device,
        "added": list(added),
        "removed": list(removed),
    }


def section(text, title):
    return text.split("## %s\n" % title, 1)[1].split("\n## ", 1)[0].strip()


def report(**kwargs):
    return markdown(report_data(params(**kwargs)))


def test_identical_diffs_are_grouped_and_untouched_leafs_are_not_listed():
    fabric = {
        "changed": True,
        "device_diffs": [
            diff("leaf1", ["interfaces xe-0/0/1 unit 0 vlan members vn110"], ["x y"]),
            diff("leaf3", SAME),
            diff("leaf4", SAME),
            diff("leaf5", SAME),
        ],
        "devices_read": ["leaf1", "leaf2", "leaf3", "leaf4", "leaf5"],
        "commit": {"changed": True, "deployed_version": 7, "before": {"deployed_version": 6}},
    }
    text = section(report(fabric_result=fabric), "Device configuration")
    assert "read after staging and before the deploy: 4 of 5 leafs read change" in text
    assert (
        "### leaf1: 2 lines (1 added, 1 removed)\n\n```diff\n- x y\n+ interfaces xe-0/0/1" in text
    )
    assert "### leaf3-leaf5: the same 2 lines (2 added, 0 removed)" in text
    assert "leaf2" not in text.split("change.", 1)[1]


def test_no_fabric_change_check_mode_and_reads_off_each_say_so():
    assert section(report(fabric_result={"skipped": True}), "Device configuration") == (
        "No device changes."
    )
    read_nothing = {"device_diffs": [], "devices_read": ["leaf2"], "commit": {"changed": True}}
    assert section(report(fabric_result=read_nothing), "Device configuration") == (
        "No device changes (leaf2 read)."
    )
    assert section(report(check_mode=True), "Device configuration").startswith(
        "Not read: check mode stages nothing"
    )
    reads_off = {"changed": True, "commit": {"changed": True}}
    assert section(report(fabric_result=reads_off), "Device configuration") == (
        "Not read in this run."
    )
    assert section(report(failure="boom"), "Device configuration") == "Not read in this run."


def test_a_hold_names_the_version_to_approve():
    held = {"staging_version": 12, "deployed_version": 6, "changes": ["virtual_network a"]}
    fabric = {
        "changed": True,
        "held": held,
        "device_diffs": [diff("leaf2", SAME)],
        "devices_read": ["leaf2"],
        "commit": {"changed": False, "plan": [], "deployed_version": 6},
    }
    text = report(fabric_result=fabric, intent={"change_window": {"mode": "hold", "approve": None}})
    assert (
        "| mode | hold (staged for approval, not deployed, nothing written to the cluster) |"
        in text
    )
    assert "| fabric changed | staged, held for approval as version 12 |" in text
    assert "Held for approval: staging version **12** of blueprint dc1 (deployed version 6)" in text
    assert "To deploy exactly this version: `-e approve=12`" in text
    assert "read after staging (held, not deployed): 1 of 1" in text
    assert "## Fabric (Apstra) changes (staged, held for approval: not deployed)" in text


def test_a_preview_says_what_was_read_back_and_the_deployed_version_is_the_one_read():
    fabric = {
        "changed": True,
        "preview": {"deployed_version": 5, "staging_version": 14, "has_uncommitted_changes": False},
        "device_diffs": [diff("leaf2", SAME)],
        "devices_read": ["leaf2"],
        "commit": {"changed": False, "before": {"deployed_version": 5}, "deployed_version": 5},
    }
    text = report(fabric_result=fabric, intent={"change_window": {"mode": "preview"}})
    assert "| fabric changed | no (previewed: staged, then reverted) |" in text
    # the discovery listed the blueprint at version 6 (its staging version after an earlier revert); 5 is deployed
    assert "| Apstra revision | unchanged (version 5) |" in text
    assert "Read back after the revert: deployed version 5 (unchanged), nothing uncommitted" in text
    assert "read after staging and before the revert" in text
    assert "## Fabric (Apstra) changes (staged, then reverted: not deployed)" in text


def test_an_approve_names_the_held_change_it_deployed():
    window = {
        "mode": "approve",
        "approve": 12,
        "held": {"by": "alice", "since": "2026-12-01T10:00:00Z", "changes": ["virtual_network a"]},
    }
    text = report(intent={"change_window": window}, fabric_result={"commit": {"changed": True}})
    assert "| mode | approve (the held staging version 12 deployed) |" in text
    assert (
        "Approved: the held staging version 12 (held by alice at 2026-12-01T10:00:00Z: virtual_network a)"
        in text
    )
    planned = report(intent={"change_window": window}, check_mode=True)
    assert (
        "| mode | check mode: the approve of the held staging version 12 planned, nothing changed |"
        in planned
    )
    assert (
        "Check mode: the held staging version 12 of blueprint dc1 would be deployed as it is"
        in planned
    )
    done = report(intent={"change_window": dict(window, already_deployed=True)})
    assert "Approve: staging version 12 is deployed already; nothing was deployed again." in done
