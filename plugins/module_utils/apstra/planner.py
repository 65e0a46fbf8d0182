# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource-module state logic on canonical objects (plain dicts keyed by `label`). No I/O, no Ansible."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

OWNER_TAG = "managed-by:netops.cn2_apstra"


class Change:
    """What to do with one object: action is create|update|delete; before/after are canonical dicts."""

    def __init__(self, action, name, before, after):
        self.action = action
        self.name = name
        self.before = before
        self.after = after

    def changed_fields(self):
        before = self.before or {}
        return sorted(k for k in self.after if before.get(k) != self.after.get(k)) if self.after else []


def merge_object(have, want, list_fields=()):
    """merged: fields given in want override have; list fields are unioned (order kept, have first)."""
    out = dict(have)
    for key, value in want.items():
        if value is None:
            continue
        if key in list_fields and have.get(key):
            out[key] = list(have[key]) + [item for item in value if item not in have[key]]
        else:
            out[key] = value
    return out


def replace_object(have, want, defaults, keep=()):
    """replaced: fields left out of want go back to defaults, except `keep` (values the server assigns)."""
    out = dict(defaults)
    for key in keep:
        if want.get(key) is None and have.get(key) is not None:
            out[key] = have[key]
    for key, value in want.items():
        if value is not None:
            out[key] = value
    return out


def plan_changes(want, have, state, defaults, list_fields=(), keep=(), owned=None, complete=None):
    """Compare wanted and existing canonical objects and return the list of Change.

    want/have: lists of canonical dicts with a unique `label`. defaults: a canonical object with every field
    at its default (for create and replaced). owned(have_obj) -> bool marks objects `overridden` (and a
    `deleted` without config) may remove. complete(target, current) -> obj normalises the target (current is
    None for a create) before comparing.
    """
    complete = complete or (lambda obj, current: obj)
    have_by = {obj["label"]: obj for obj in have}
    want_labels = [obj["label"] for obj in want]
    changes = []
    if state == "deleted":
        targets = [have_by[label] for label in want_labels if label in have_by] if want else [obj for obj in have if owned is None or owned(obj)]
        return [Change("delete", obj["label"], obj, None) for obj in targets]
    for obj in want:
        current = have_by.get(obj["label"])
        if current is None:
            changes.append(Change("create", obj["label"], None, complete(replace_object({}, obj, defaults), None)))
            continue
        if state == "merged":
            target = complete(merge_object(current, obj, list_fields), current)
        else:
            target = complete(replace_object(current, obj, defaults, keep), current)
        if any(target.get(key) != current.get(key) for key in target):
            changes.append(Change("update", obj["label"], current, target))
    if state == "overridden":
        wanted = set(want_labels)
        for obj in have:
            if obj["label"] not in wanted and (owned is None or owned(obj)):
                changes.append(Change("delete", obj["label"], obj, None))
    return changes


def after_objects(have, changes):
    """The objects as they are after the changes (in the order of have, new ones last)."""
    by_name = {change.name: change for change in changes}
    out = []
    for obj in have:
        change = by_name.get(obj["label"])
        if change is None:
            out.append(obj)
        elif change.action == "update":
            out.append(change.after)
    out.extend(change.after for change in changes if change.action == "create")
    return out
