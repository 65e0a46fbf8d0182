# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The change window on the Apstra side.

A change held for approval is recorded where the blueprint mutex is: a global-catalog tag, labelled
``netops.cn2_apstra held <blueprint id>``, whose description (JSON) says which staging version was held, by whom, for
which owner, which objects it changes and which devices it touches. Writing it never touches the blueprint's staging.
The record holds while the blueprint's staging is still that version with changes uncommitted; the next run reads it
(apstra_blueprint_info, only when something is staged) and recognises the staged change as the held one.

A preview ends with a revert of the staging, read back: the deployed version unchanged and nothing uncommitted.
No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraError,
    concurrently,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.mutex import (
    HOLDER,
    TAGS_PATH,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import values

# The kind of each resource step's objects, as the staging diff (state.staged_changes) names them.
KINDS = {
    "routing_zones": "routing_zone",
    "virtual_networks": "virtual_network",
    "port_bindings": "port_binding",
}


def held_label(bp_id):
    """The record's tag label (59 characters with a blueprint UUID; Apstra allows 64)."""
    return "%s held %s" % (HOLDER, bp_id)


def held_record(tags, bp_id):
    """The held-change record among the global-catalog tags, with its tag ``id``; None when there is none. A tag of that
    label whose description is not a record of this collection is returned as ``{"id", "unreadable": true}``.
    """
    for tag in tags:
        if tag.get("label") != held_label(bp_id):
            continue
        try:
            record = json.loads(tag.get("description") or "")
        except ValueError:
            record = None
        if not isinstance(record, dict) or record.get("holder") != HOLDER:
            return {"id": tag.get("id"), "unreadable": True}
        return dict(record, id=tag.get("id"))
    return None


def read_held(client, bp_id):
    return held_record(values(client.get(TAGS_PATH), "items"), bp_id)


def change_names(steps):
    """``<kind> <name>`` of each object the step results changed, as the staging diff names them."""
    names = set()
    for step in steps:
        for change in step.get("changes") or []:
            key = change.get("key")
            names.add("%s %s" % (KINDS[step["resource"]], key[0] if isinstance(key, list) else key))
    return names


def new_record(owner, user, versions, changes, devices):
    return {
        "holder": HOLDER,
        "owner": owner,
        "by": user,
        "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "staging_version": versions["staging_version"],
        "deployed_version": versions["deployed_version"],
        "changes": sorted(changes),
        "devices": list(devices),
    }


def record_held(client, bp_id, record, tag_id=None):
    """Write the record (a new tag, or the tag ``tag_id`` of an earlier one); returns the tag id."""
    body = {"label": held_label(bp_id), "description": json.dumps(record, sort_keys=True)}
    if tag_id is None:
        try:
            return (client.post(TAGS_PATH, body=body) or {}).get("id")
        except ApstraError as exc:
            found = read_held(client, bp_id) if exc.status in (409, 422) else None
            if found is None:
                raise
            tag_id = found["id"]  # a record of an earlier hold, no longer current
    client.request("PUT", "%s/%s" % (TAGS_PATH, tag_id), body=body)
    return tag_id


def forget_held(client, tag_id):
    """Delete the record once its change is deployed; returns None, or why it is left (harmless: a record whose
    version is deployed holds nothing, and the next hold replaces it)."""
    try:
        client.request("DELETE", "%s/%s" % (TAGS_PATH, tag_id))
    except ApstraError as exc:
        if exc.status != 404:
            return "the record of the held change (global-catalog tag %s) was left: %s" % (
                tag_id,
                exc,
            )
    return None


def revert_read_back(service, bp_id):
    """After a revert: {staging_version, deployed_version, has_uncommitted_changes}, from the diff-status and the
    blueprint list (which says whether anything is uncommitted; Apstra may move the staging version on a revert), read
    at once."""
    status, blueprints = concurrently(lambda: service.diff_status(bp_id) or {}, service.blueprints)
    listed = next((bp for bp in blueprints if bp.get("id") == bp_id), {})
    return {
        "staging_version": status.get("staging_version"),
        "deployed_version": status.get("deployed_version"),
        "has_uncommitted_changes": bool(listed.get("has_uncommitted_changes")),
    }
