# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A device's configuration diff as the change board reads it: Apstra's incremental config as lines added and removed,
devices named in natural order (runs as ranges), identical diffs grouped, and the diff Ansible's ``--diff`` shows.

The incremental config (apstra-go-sdk ``RenderDiff``, ``{"config": text}``) is one block per run of changed statements
under one hierarchy path: ``[path]``, ``+ [path]`` (a level only the staging has) or ``- [path]`` (only the deployed
config has), then ``+ statement;`` and ``- statement;``; blocks are separated by a blank line. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_PATH_LINE = re.compile(r"^(?:[+-] )?\[(.*)\]$")
_SIGNED = re.compile(r"^([+-]) (.*?);?$")
# How Apstra loads a level (replace it as a whole); not part of what the device holds, so left out of the lines.
_LOAD_TAG = re.compile(r"(^|\s)replace: ")
# A run of at least this many consecutively numbered devices is written as a range (leaf1-leaf8); two stay a list, so a
# pair of leafs never reads like the label of their ESI pair.
RANGE_FROM = 3


def parse_incremental(text):
    """(added, removed): the statements of an incremental config, each as one line ``<hierarchy path> <statement>``
    (``interfaces xe-0/0/1 unit 0 family ethernet-switching vlan members vn100``), in the order Apstra gives them.
    """
    added, removed, path = [], [], ""
    for raw in (text or "").splitlines():
        line = raw.strip()
        header = _PATH_LINE.match(line)
        if header:
            path = _LOAD_TAG.sub(r"\1", header.group(1)).strip()
            continue
        signed = _SIGNED.match(line)
        if signed:
            statement = "%s %s" % (path, signed.group(2)) if path else signed.group(2)
            (added if signed.group(1) == "+" else removed).append(statement)
    return added, removed


def natural(name):
    """Sort key: leaf2 before leaf11."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name or "")]


def changed_devices(diffs):
    """The entries with a line added or removed, or an error: an untouched device is not listed."""
    return [entry for entry in diffs if entry["added"] or entry["removed"] or entry.get("error")]


def device_names(names):
    """Device labels in natural order, runs of RANGE_FROM or more consecutive numbers as ranges: ``leaf1-leaf8, leaf10``."""
    parsed = []
    for name in sorted(set(names), key=natural):
        match = re.match(r"^(.*?)(\d+)$", name)
        parsed.append((match.group(1), int(match.group(2))) if match else (name, None))
    runs = []
    for prefix, number in parsed:
        last = runs[-1] if runs else None
        if last and number is not None and last[0] == prefix and last[2] == number - 1:
            last[2] = number
        else:
            runs.append([prefix, number, number])
    parts = []
    for prefix, first, last in runs:
        if first is None:
            parts.append(prefix)
        elif last - first + 1 >= RANGE_FROM:
            parts.append("%s%d-%s%d" % (prefix, first, prefix, last))
        else:
            parts.extend("%s%d" % (prefix, number) for number in range(first, last + 1))
    return ", ".join(parts)


def group_diffs(diffs):
    """Devices with identical lines together: [{devices, added, removed}] (errors apart, one per device), in the natural
    order of each group's first device."""
    groups, errors = {}, []
    for entry in sorted(diffs, key=lambda item: natural(item["device"])):
        if entry.get("error"):
            errors.append({"devices": [entry["device"]], "error": entry["error"]})
            continue
        key = (tuple(entry["added"]), tuple(entry["removed"]))
        groups.setdefault(
            key, {"devices": [], "added": entry["added"], "removed": entry["removed"]}
        )
        groups[key]["devices"].append(entry["device"])
    return list(groups.values()) + errors


def diff_entries(diffs):
    """The device diffs in Ansible's diff shape (``prepared`` text, shown as it is by ``--diff``)."""
    return [
        {
            "prepared": "%s: Apstra incremental config\n%s\n"
            % (
                entry["device"],
                entry.get("error")
                or "\n".join(
                    ["- %s" % line for line in entry["removed"]]
                    + ["+ %s" % line for line in entry["added"]]
                ),
            )
        }
        for entry in changed_devices(diffs)
    ]
