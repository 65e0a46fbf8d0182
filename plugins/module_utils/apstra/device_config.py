# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device configuration a run changes: which leafs its changes touch, and Apstra's incremental config of each
(what a commit of the staging pushes to the device), read at once.

Apstra serves it per system node (``GET /api/blueprints/{bp}/nodes/{node}/config-incremental``, apstra-go-sdk
``RenderDiff``; the emulator's README, "Rendered configuration"). Only the incremental config is read, one call per
touched leaf: the full staged and deployed renderings (two calls more per leaf, at 64 leafs 128 more) show nothing the
board signs that the incremental config does not. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraError,
    concurrently,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import bp_path
from ansible_collections.netops.cn2_apstra.plugins.module_utils.device_diff import (
    natural,
    parse_incremental,
)


def incremental_path(bp_id, node_id):
    return bp_path(bp_id, "/nodes/%s/config-incremental" % node_id)


def _switches_of(resource, change, zone_vns):
    """The leafs and ESI pairs (by name) whose configuration one change touches."""
    before, after = change.get("before") or {}, change.get("after") or {}
    if resource == "virtual_networks":
        return set(before.get("bindings") or []) | set(after.get("bindings") or [])
    if resource == "port_bindings":
        ports = set(before.get("interfaces") or []) ^ set(after.get("interfaces") or [])
        return set(port.rpartition(":")[0] for port in ports if ":" in port)
    if resource == "routing_zones" and change.get("action") != "create":
        # a zone's own settings render in its VRF on every leaf carrying one of its VNs
        label = (before or after).get("label")
        return set(switch for vn in zone_vns.get(label, []) for switch in vn.get("bindings") or [])
    return set()


def touched_devices(steps, fabric, virtual_networks=()):
    """The labels of the leafs whose configuration the step results (``changes`` of each) touch, in natural order: the
    leafs a VN is bound to before and after, the leafs of the ports a binding adds or removes, both leafs of an ESI
    pair, and for a changed routing zone the leafs of its VNs (``virtual_networks``: canonical VNs). ``fabric``: a
    service.Fabric."""
    zone_vns = {}
    for vn in virtual_networks or []:
        zone_vns.setdefault(vn.get("routing_zone"), []).append(vn)
    switches = set()
    for step in steps:
        for change in step.get("changes") or []:
            switches |= _switches_of(step.get("resource"), change, zone_vns)
    leafs = set()
    for switch in switches:
        leafs.update(fabric.members.get(switch) or [switch])
    return sorted((leaf for leaf in leafs if leaf in fabric.leafs), key=natural)


def read_device_diffs(client, bp_id, devices):
    """Each device's incremental config, read at once (client.concurrently): [{device, node_id, added, removed}], with
    ``error`` instead of the lines when Apstra did not answer (the run goes on: the diff informs, it decides nothing).
    ``devices``: [(label, node id)]."""

    def read(label, node_id):
        entry = {"device": label, "node_id": node_id}
        try:
            answer = client.get(incremental_path(bp_id, node_id)) or {}
        except ApstraError as exc:
            return dict(entry, added=[], removed=[], error=str(exc))
        added, removed = parse_incremental(answer.get("config"))
        return dict(entry, added=added, removed=removed)

    return concurrently(
        *[lambda label=label, node_id=node_id: read(label, node_id) for label, node_id in devices]
    )
