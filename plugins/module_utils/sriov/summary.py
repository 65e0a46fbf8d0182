# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two-layer plan as readable lines: what ``--check --diff`` shows before any change. Pure Python."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netops.cn2_apstra.plugins.module_utils.device_diff import natural
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.verification import index

# Past this many ports a network's line groups them by switch in Junos range notation, so the plan of a 200-server
# fabric stays one readable line per network (the full list is in the plan's port bindings and the report).
PORT_LIST_LIMIT = 8
_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def _ranges(numbers):
    numbers, spans = sorted(set(numbers)), []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ",".join(str(a) if a == b else "%d-%d" % (a, b) for a, b in spans)


def port_list(ports, limit=PORT_LIST_LIMIT):
    """``switch:interface`` names, listed; past ``limit``, counted and grouped: ``3 ports: leaf1:xe-0/0/[1-2], leaf2:ae[4]``."""
    if len(ports) <= limit:
        return ", ".join(ports) or "no port"
    groups, others = {}, []
    for port in ports:
        switch, _sep, interface = port.rpartition(":")
        match = _NUMBERED.match(interface)
        if not switch or not match:
            others.append(port)
            continue
        groups.setdefault((switch, match.group(1)), []).append(int(match.group(2)))
    parts = [
        "%s:%s[%s]" % (switch, prefix, _ranges(numbers))
        for (switch, prefix), numbers in sorted(
            groups.items(), key=lambda item: [natural(name) for name in item[0]]
        )
    ]
    return "%d ports: %s" % (len(ports), ", ".join(parts + sorted(others)))


def _removal_line(net, origin):
    if net.get("release"):
        return (
            "%s/%s: release (the VN, its ports and the NAD stay; the owner's marks are dropped)%s"
            % (net["namespace"], net["name"], origin)
        )
    return "%s/%s: remove (port bindings, virtual network%s)%s" % (
        net["namespace"],
        net["name"],
        "" if origin else ", NAD",
        origin,
    )


def _cluster_line(net, nad):
    if not nad.get("managed", True):
        return "  cluster: %s kept as the app team wrote it (VLAN %s)" % (
            net["source"],
            net["vlan"],
        )
    ipam = nad.get("ipam") or {}
    return "  cluster: NAD %s/%s resource %s, IPAM %s range %s exclude %s" % (
        net["namespace"],
        net["name"],
        net["resource_name"],
        ipam.get("type"),
        ipam.get("range") or (nad.get("cn2") or {}).get("subnet"),
        ", ".join(ipam.get("exclude") or []) or "-",
    )


def _network_lines(net, nad, adopted, origin):
    """A present network: its addressing, what is adopted, the fabric side, the cluster side, the nodes not bound."""
    lines = [
        "%s/%s: VLAN %s, VNI %s, %s gateway %s, routing zone %s%s%s%s"
        % (
            net["namespace"],
            net["name"],
            net["vlan"],
            net["vni"] or "from pool",
            net["subnet"],
            net["gateway"],
            net["routing_zone"],
            ", routing group %s" % net["routing_group"] if net["routing_group"] else "",
            " (allocated: %s)" % ", ".join(net["allocated"]) if net.get("allocated") else "",
            origin,
        )
    ]
    if adopted:
        lines.append(
            "  adopt: %s (the owner's marks are added; nothing that carries traffic changes)"
            % ", ".join(adopted)
        )
    if net.get("fabric_only"):
        lines.append("  fabric: VN pre-provisioned on no leaf (fabric_only); no NAD")
    else:
        lines.append(
            "  fabric: VN bound to %s; tagged on %s"
            % (", ".join(net["switches"]) or "no leaf", port_list(net["ports"]))
        )
    lines.append(_cluster_line(net, nad))
    skipped_nodes = (net.get("nodes") or {}).get("skipped") or []
    if skipped_nodes:
        lines.append(
            "  not bound: %s"
            % ", ".join("%s (%s)" % (s["node"], s["status"]) for s in skipped_nodes)
        )
    return lines


def _fabric_wide_lines(plan, staging):
    """Routing groups, routing zones to remove, and what is staged but not deployed."""
    lines = [
        "VirtualNetworkRouter %s/%s (mesh) connects %s"
        % (group["namespace"], group["name"], ", ".join(group["networks"]))
        for group in plan["groups"]
    ]
    lines.extend(
        "routing zone %s: remove if it carries this collection's tag (no remaining VN uses it)"
        % zone["label"]
        for zone in plan["absent"].get("routing_zones") or []
    )
    lines.extend(
        "staged but not deployed (this collection's, committed by this run): %s %s %s"
        % (change["action"], change["kind"], change["name"])
        for change in (staging or {}).get("ours") or []
    )
    lines.extend(
        "staged by others (%s): %s %s %s"
        % (change.get("by") or "unknown", change["action"], change["kind"], change["name"])
        for change in (staging or {}).get("foreign") or []
    )
    return lines


def _tenant_lines(tenant):
    """A tenant: its pod network, zone, namespaces, networks, reach and routers; each namespace whose default changes,
    with the pods created before (they keep their network: CN2 chooses it when a pod is created)."""
    if tenant.get("kept"):
        return [
            "tenant %s: absent in the intent; a provision removes nothing (reconcile or teardown does)"
            % tenant["name"]
        ]
    if tenant["state"] == "absent":
        return [
            "tenant %s: remove (namespace annotations, pod network %s, routers %s)"
            % (tenant["name"], tenant["pod_network"], ", ".join(tenant["routers"]) or "-")
        ]
    lines = [
        "tenant %s: pod network %s %s gateway %s, routing zone %s, namespaces %s; SR-IOV networks %s; reaches %s%s"
        % (
            tenant["name"],
            tenant["pod_network"],
            tenant["subnet"],
            tenant["gateway"],
            tenant["routing_zone"],
            ", ".join(tenant["namespaces"]),
            ", ".join(tenant["networks"]) or "none",
            ", ".join(tenant["reach"]) or "no other tenant",
            " (allocated: %s)" % ", ".join(tenant["allocated"]) if tenant.get("allocated") else "",
        ),
        "  routers: %s" % ", ".join(tenant["routers"]),
    ]
    for change in tenant.get("namespace_changes") or []:
        lines.append(
            "  namespace %s: pods created from now on use %s (until now: %s); %s"
            % (
                change["namespace"],
                change["to"],
                change["from"],
                (
                    "pods created before keep their network: %s" % ", ".join(change["keeping"])
                    if change["keeping"]
                    else "no pod runs there yet"
                ),
            )
        )
    return lines


def summary(plan, problems=None, staging=None, skipped=None):
    lines = ["owner: %s" % ", ".join(plan["owners"])] if plan.get("owners") else []
    nads = index(plan["attachments"], "name")
    adopted = {}
    for item in plan.get("adopted") or []:
        adopted.setdefault(item["network"], []).append("%s %s" % (item["kind"], item["name"]))
    for net in plan["networks"]:
        origin = "" if net.get("source", "intent") == "intent" else " [from %s]" % net["source"]
        if net["state"] == "absent":
            lines.append(_removal_line(net, origin))
        else:
            nad = nads.get(net["name"]) or {}
            lines.extend(_network_lines(net, nad, adopted.get(net["name"]), origin))
    for tenant in plan.get("tenants") or []:
        lines.extend(_tenant_lines(tenant))
    lines.extend(_fabric_wide_lines(plan, staging))
    lines.extend("skipped %s: %s" % (item["source"], item["error"]) for item in skipped or [])
    lines.extend("problem: %s" % problem for problem in problems or [])
    return lines
