# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The intent of the SR-IOV networks that run today, stitched by hand: the VNs without any owner's mark whose VLAN is
tagged on ports facing SR-IOV nodes, each with the NAD of the same name. Provisioned with ``adopt``, that intent
plans only ``adopt``: the move from manual stitching to the collection. Pure Python."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.allocation import nad_subnet
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.verification import (
    binding_ports,
)

HEADER = (
    "# The SR-IOV networks that run today (written by playbooks/discover.yml from blueprint %s).\n"
    "# Review it, then: ansible-playbook playbooks/provision.yml -e intent_file=THIS -e adopt=true --check --diff\n"
)


def _network(vn, nad):
    """The intent entry of a hand-made VN and its NAD, or the reason there is none."""
    if not model.NAME_RE.match(vn["label"] or ""):
        return None, "its label is not a valid network name (RFC 1123, at most 30 characters)"
    if nad is None:
        return None, "no NetworkAttachmentDefinition named %s" % vn["label"]
    ipam = (nad.get("ipam") or {}).get("type")
    entry = {
        "name": vn["label"],
        "namespace": nad["namespace"],
        "vlan": vn.get("vlan_id"),
        "vni": vn.get("vni"),
        "routing_zone": vn.get("routing_zone"),
        "subnet": vn.get("ipv4_subnet") or nad_subnet(nad),
        "resource_name": nad.get("resource_name"),
        "ipam": "cn2" if nad.get("cn2") else (ipam if ipam in model.IPAM_KINDS else None),
        "mtu": vn.get("mtu"),
        "tags": model.without_owner_tags(vn.get("tags")),
    }
    missing = [key for key in ("vlan", "routing_zone", "subnet", "resource_name") if not entry[key]]
    if missing:
        return None, "it has no %s" % ", ".join(missing)
    return dict((key, value) for key, value in entry.items() if value not in (None, [])), None


def discover(vns, bindings, ports, nads):
    """({"sriov_networks": [...]}, [comments]) from the canonical VNs, the port bindings, the node/port map and the NADs
    (option form). Only VNs without any owner's mark, tagged on at least one port that faces an SR-IOV node.
    """
    sriov_ports = set(
        point["port"]
        for entry in ports
        if entry["status"] == "mapped"
        for point in entry["application_points"]
    )
    tagged = dict(
        (item["virtual_network"], set(binding_ports(item)))
        for item in bindings or []
        if item.get("tagged", True)
    )
    by_name = {}
    for nad in nads or []:
        by_name.setdefault(nad.get("name"), []).append(nad)
    networks, comments = [], []
    for vn in sorted(vns or [], key=lambda vn: vn.get("label") or ""):
        if model.owner_of_tags(vn.get("tags")) is not None:
            continue
        if not tagged.get(vn.get("label"), set()) & sriov_ports:
            continue
        candidates = [nad for nad in by_name.get(vn["label"], []) if nad.get("owner") is None]
        entry, reason = _network(vn, candidates[0] if len(candidates) == 1 else None)
        if entry is None:
            comments.append("%s: not written, %s" % (vn["label"], reason))
        else:
            networks.append(entry)
    return {"sriov_networks": networks}, comments


def intent_text(intent, comments, blueprint):
    """The intent file's text: a header, what was left out (as comments), the networks (JSON is YAML)."""
    lines = [HEADER % blueprint] + ["# %s\n" % comment for comment in comments]
    body = "sriov_networks:\n" + "".join(
        "  - %s\n" % json.dumps(network, sort_keys=True) for network in intent["sriov_networks"]
    )
    return "".join(lines) + (body if intent["sriov_networks"] else "sriov_networks: []\n")
