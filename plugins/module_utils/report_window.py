# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The change report's "Change window" and "Device configuration" sections, and the data they are written from.

The device configuration is what the fabric task read from Apstra after staging and before the deploy: per touched
leaf, the lines its incremental config adds and removes; leafs with identical lines are one group ("leaf1-leaf8: the
same 12 lines"), a leaf without a line is not listed. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.device_diff import (
    device_names,
    group_diffs,
)

WHEN_READ = {
    "deploy": "after staging and before the deploy",
    "preview": "after staging and before the revert",
    "hold": "after staging (held, not deployed)",
    "approve": "before the held staging version was deployed",
}


def device_data(params):
    """What the report says of the device configuration: {state, diffs, read}. ``state``: ``check_mode`` (nothing is
    staged), ``no_change`` (the fabric task had nothing to stage), ``not_read`` (reads off, or the run stopped before),
    ``read``."""
    fabric = params.get("fabric_result") or {}
    if params.get("check_mode"):
        return {"state": "check_mode"}
    if "device_diffs" in fabric:
        return {
            "state": "read",
            "diffs": fabric.get("device_diffs") or [],
            "read": fabric.get("devices_read") or [],
        }
    if fabric.get("skipped") or (not fabric and not params.get("failure")):
        return {"state": "no_change"}
    return {"state": "not_read"}


def window_data(params):
    """The run's change window: the plan's (mode, approve, held, already_deployed) and what the fabric task did (the
    record it wrote: ``held_now``; the preview's read-back)."""
    fabric = params.get("fabric_result") or {}
    window = dict((params.get("intent") or {}).get("change_window") or {"mode": "deploy"})
    window.update(held_now=fabric.get("held"), preview=fabric.get("preview"))
    return window


def blueprint_as_read(params):
    """The blueprint facts, with the deployed version the fabric task read under the mutex when it ran (the discovery
    takes a blueprint listed clean as deployed at its listed version, which a revert moves on)."""
    blueprint = dict(params.get("blueprint") or {})
    commit = (params.get("fabric_result") or {}).get("commit") or {}
    before = (commit.get("before") or {}).get("deployed_version")
    if before is None and not commit.get("changed"):
        before = commit.get("deployed_version")
    if before is not None:
        blueprint["deployed_version"] = before
    return blueprint


def mode_text(data):
    """The header's mode in a change window, else None."""
    window = data.get("change_window") or {}
    mode = window.get("mode")
    if mode == "preview":
        return "preview (staged, device configuration read, reverted: nothing deployed, nothing written to the cluster)"
    if mode == "hold":
        return "hold (staged for approval, not deployed, nothing written to the cluster)"
    if mode == "approve" and data.get("check_mode"):
        return "check mode: the approve of the held staging version %s planned, nothing changed" % (
            window.get("approve")
        )
    if mode == "approve":
        return "approve (the held staging version %s%s)" % (
            window.get("approve"),
            (
                " is deployed already: nothing to deploy"
                if window.get("already_deployed")
                else " deployed"
            ),
        )
    return None


def fabric_text(data):
    """The header's "fabric changed" in a preview or a hold, else None."""
    window = data.get("change_window") or {}
    if window.get("mode") == "preview":
        return "no (previewed: staged, then reverted)" if window.get("preview") else "no"
    if window.get("mode") == "hold":
        held = window.get("held_now") or {}
        if held:
            return "staged, held for approval as version %s" % held.get("staging_version")
        return "no (nothing to hold)"
    return None


def window_lines(window, label):
    mode = window.get("mode")
    if mode == "preview":
        after = window.get("preview") or {}
        if not after:
            return [
                "Preview: the plan changes nothing on the fabric, so nothing was staged or reverted."
            ]
        return [
            "Preview: this run staged its plan in blueprint %s under the blueprint mutex, read the device configuration "
            "below and reverted the staging. Read back after the revert: deployed version %s (unchanged), nothing "
            "uncommitted; the staging version is now %s (Apstra moves it on a revert). Nothing was deployed and nothing "
            "was written to the cluster."
            % (label, after.get("deployed_version"), after.get("staging_version"))
        ]
    if mode == "hold":
        held = window.get("held_now") or {}
        if not held:
            return ["Hold: the plan changes nothing on the fabric, so nothing is held."]
        return [
            "Held for approval: staging version **%s** of blueprint %s (deployed version %s), not deployed; nothing was "
            "written to the cluster."
            % (held.get("staging_version"), label, held.get("deployed_version")),
            "",
            "To deploy exactly this version: `-e approve=%s` (the run refuses, before any write, if the staging moves "
            "in between)." % held.get("staging_version"),
        ]
    held = window.get("held") or {}
    if window.get("already_deployed"):
        return [
            "Approve: staging version %s is deployed already; nothing was deployed again."
            % window.get("approve")
        ]
    return [
        "Approved: the held staging version %s (held by %s at %s: %s), deployed as it was reviewed."
        % (
            window.get("approve"),
            held.get("by") or "-",
            held.get("since") or "-",
            ", ".join(held.get("changes") or []) or "-",
        )
    ]


def change_window(data):
    """The "Change window" section of a preview, a hold or an approve."""
    window = data.get("change_window") or {}
    if window.get("mode") in (None, "deploy"):
        return []
    label = (data.get("blueprint") or {}).get("label") or "-"
    if data.get("check_mode"):
        lines = [
            "Check mode: the held staging version %s of blueprint %s would be deployed as it is; nothing was changed."
            % (window.get("approve"), label)
        ]
    else:
        lines = window_lines(window, label)
    return ["", "## Change window", ""] + lines


def group_lines(group):
    names = device_names(group["devices"])
    if group.get("error"):
        return ["", "### %s: not read" % names, "", group["error"]]
    count = len(group["added"]) + len(group["removed"])
    title = "%s: the same %d lines" if len(group["devices"]) > 1 else "%s: %d lines"
    return (
        [
            "",
            "### %s (%d added, %d removed)"
            % (title % (names, count), len(group["added"]), len(group["removed"])),
            "",
            "```diff",
        ]
        + ["- %s" % line for line in group["removed"]]
        + ["+ %s" % line for line in group["added"]]
        + ["```"]
    )


def device_configuration(data):
    """The "Device configuration" section: the lines each touched leaf gets, identical diffs grouped."""
    found = data.get("device_configuration") or {}
    lines = ["", "## Device configuration", ""]
    state = found.get("state")
    if state == "check_mode":
        return lines + [
            "Not read: check mode stages nothing, and Apstra renders the configuration of staged changes only. A preview "
            "(`-e preview=true`) stages the plan, reads it and reverts."
        ]
    if state == "no_change":
        return lines + ["No device changes."]
    if state != "read":
        return lines + ["Not read in this run."]
    diffs, read = found.get("diffs") or [], found.get("read") or []
    if not diffs:
        return lines + [
            "No device changes%s." % (" (%s read)" % device_names(read) if read else "")
        ]
    lines.append(
        "Apstra's incremental config of each leaf this run touches (what a deploy of the staging pushes to it), read %s: "
        "%d of %d leafs read change. A leaf the run does not touch is not listed."
        % (
            WHEN_READ.get((data.get("change_window") or {}).get("mode"), WHEN_READ["deploy"]),
            len(diffs),
            len(read),
        )
    )
    for group in group_diffs(diffs):
        lines += group_lines(group)
    return lines
