# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift: the plan against what each side holds, and the two sides against each other.

The fabric side is what Apstra has *deployed* (read from the deployed graph), never the staging: a change that
is staged but not deployed is drift. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.models import VN_FIELDS
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    PODNETWORK_ANNOTATION,
)

# What verification compares of a VN: every canonical field but its name and its tags (others may tag it too).
FABRIC_FIELDS = tuple(field for field in VN_FIELDS if field not in ("label", "tags"))


def index(items, *keys):
    return dict(
        (tuple(item.get(k) for k in keys) if len(keys) > 1 else item.get(keys[0]), item)
        for item in items or []
    )


def binding_ports(binding):
    """The ports of a port binding: ``switch_ports`` in config form, ``interfaces`` as the modules report them."""
    binding = binding or {}
    return sorted(binding.get("switch_ports") or binding.get("interfaces") or [])


class Drift:
    def __init__(self):
        self.entries = []

    def add(self, network, layer, field, want, have):
        self.entries.append(
            {"network": network, "layer": layer, "field": field, "want": want, "have": have}
        )


def _fabric(drift, plan, vn_by, binding_by, additive):
    for want in plan["virtual_networks"]:
        have = vn_by.get(want["label"])
        if have is None:
            drift.add(want["label"], "fabric", "virtual_network", "deployed", "missing")
            continue
        for key in FABRIC_FIELDS:
            wanted = want.get(key)
            if wanted is None:
                continue
            got = have.get(key)
            if key == "bindings":
                wanted, got = sorted(wanted), sorted(got or [])
                if additive and set(wanted) <= set(got):
                    continue
            if wanted != got:
                drift.add(want["label"], "fabric", key, wanted, got)
    if binding_by is None:
        return
    wanted_ports = dict(
        (item["virtual_network"], binding_ports(item)) for item in plan["port_bindings"]
    )
    for item in plan.get("port_bindings_clear") or []:
        wanted_ports.setdefault(item["virtual_network"], [])
    for name, wanted in sorted(wanted_ports.items()):
        got = binding_ports(binding_by.get(name))
        if wanted != got and not (additive and set(wanted) <= set(got)):
            drift.add(name, "fabric", "ports", wanted, got)


def _cluster(drift, plan, vn_by, nad_by):
    for want in plan["attachments"]:
        key = (want["namespace"], want["name"])
        name = "%s/%s" % key
        have = nad_by.get(key)
        if have is None:
            drift.add(name, "cluster", "attachment", "present", "missing")
            continue
        for field in ("vlan", "resource_name", "mtu"):
            if want.get(field) is not None and want.get(field) != have.get(field):
                drift.add(name, "cluster", field, want.get(field), have.get(field))
        have_ipam = have.get("ipam") or {}
        if want.get("managed", True):
            want_ipam = want.get("ipam") or {}
            for field in sorted(set(want_ipam) | set(have_ipam)):
                if want_ipam.get(field) != have_ipam.get(field):
                    drift.add(
                        name, "cluster", "ipam." + field, want_ipam.get(field), have_ipam.get(field)
                    )
        vn = vn_by.get(want["name"])
        if vn is not None:
            if have.get("vlan") != vn.get("vlan_id"):
                drift.add(name, "cross", "vlan", vn.get("vlan_id"), have.get("vlan"))
            gateway = have_ipam.get("gateway")
            if gateway is not None and gateway != vn.get("ipv4_gateway"):
                drift.add(name, "cross", "gateway", vn.get("ipv4_gateway"), gateway)


def _pod_network(drift, want, subnets, vns, namespaces):
    """One tenant's pod network: its Subnet, its VirtualNetwork and the annotation of each of its namespaces."""
    key = (want["namespace"], want["name"])
    name, ref = "tenant %s" % want["tenant"], "%s/%s" % key
    subnet, vn = subnets.get(key), vns.get(key)
    if subnet is None:
        drift.add(name, "cluster", "Subnet %s" % ref, "present", "missing")
    elif subnet.get("subnet") != want["subnet"]:
        drift.add(name, "cluster", "Subnet %s cidr" % ref, want["subnet"], subnet.get("subnet"))
    if vn is None:
        drift.add(name, "cluster", "VirtualNetwork %s" % ref, "present", "missing")
    else:
        for field, wanted in (("pod_network", True), ("subnet_reference", ref)):
            if vn.get(field) != wanted:
                drift.add(
                    name, "cluster", "VirtualNetwork %s %s" % (ref, field), wanted, vn.get(field)
                )
        if vn.get("state") not in (None, "Success"):
            drift.add(name, "cluster", "VirtualNetwork %s state" % ref, "Success", vn.get("state"))
    for namespace in want["namespaces"]:
        have = ((namespaces.get(namespace) or {}).get("annotations") or {}).get(
            PODNETWORK_ANNOTATION
        )
        if have != ref:
            field = "namespace %s %s" % (namespace, PODNETWORK_ANNOTATION)
            drift.add(name, "cluster", field, ref, have or "none")


ROUTER_FIELDS = ("type", "virtual_network_selector", "import_routers")


def _tenant_routers(drift, plan, routers):
    planned = index(plan.get("routers"), "namespace", "name")
    for text in plan.get("tenant_routers") or []:
        key = tuple(text.split("/", 1))
        want, have = planned.get(key) or {}, routers.get(key)
        if have is None:
            drift.add(text, "cluster", "VirtualNetworkRouter", "present", "missing")
            continue
        for field in ROUTER_FIELDS:
            if (want.get(field) or None) != (have.get(field) or None):
                drift.add(
                    text,
                    "cluster",
                    "VirtualNetworkRouter " + field,
                    want.get(field),
                    have.get(field),
                )
    for want in plan["absent"].get("routers") or []:
        if (want["namespace"], want["name"]) in routers:
            text = "%s/%s" % (want["namespace"], want["name"])
            drift.add(text, "cluster", "VirtualNetworkRouter", "absent", "present")


def verify_tenants(drift, plan, state):
    """The tenants' CN2 objects (``state``: subnets, virtual_networks, namespaces, routers as the cluster holds them)
    against the plan: what is missing or differs, what should be gone."""
    subnets = index(state.get("subnets"), "namespace", "name")
    vns = index(state.get("virtual_networks"), "namespace", "name")
    namespaces = index(state.get("namespaces"), "name")
    for want in plan.get("pod_networks") or []:
        _pod_network(drift, want, subnets, vns, namespaces)
    for want in plan["absent"].get("pod_networks") or []:
        key = (want["namespace"], want["name"])
        for namespace in want["namespaces"]:
            have = ((namespaces.get(namespace) or {}).get("annotations") or {}).get(
                PODNETWORK_ANNOTATION
            )
            if have == "%s/%s" % key:
                field = "namespace %s %s" % (namespace, PODNETWORK_ANNOTATION)
                drift.add("tenant %s" % want["tenant"], "cluster", field, "none", have)
        for kind, table in (("Subnet", subnets), ("VirtualNetwork", vns)):
            if key in table:
                drift.add(
                    "tenant %s" % want["tenant"],
                    "cluster",
                    "%s %s/%s" % ((kind,) + key),
                    "absent",
                    "present",
                )
    _tenant_routers(drift, plan, index(state.get("routers"), "namespace", "name"))


def verify(
    plan, vns=None, nads=None, bindings=None, additive=False, pending=None, tenant_state=None
):
    """Drift entries {network, layer (fabric|cluster|cross), field, want, have}; empty when everything agrees.

    ``vns``/``bindings``: what Apstra has deployed (canonical VNs, port bindings). ``nads``: the cluster's NADs in
    option form. ``additive``: leafs and ports beyond the plan are accepted (what a provision run, which only adds,
    leaves in place). ``pending``: this collection's changes that are staged in Apstra but not deployed.
    ``tenant_state``: the tenants' CN2 objects as the cluster holds them (None: not read, not compared).
    """
    drift = Drift()
    vn_by = index(vns, "label")
    _fabric(
        drift,
        plan,
        vn_by,
        index(bindings, "virtual_network") if bindings is not None else None,
        additive,
    )
    _cluster(drift, plan, vn_by, index(nads, "namespace", "name"))
    for want in plan["absent"]["virtual_networks"]:
        if want["label"] in vn_by:
            drift.add(want["label"], "fabric", "virtual_network", "absent", "deployed")
    nad_by = index(nads, "namespace", "name")
    for want in plan["absent"]["attachments"]:
        if (want["namespace"], want["name"]) in nad_by:
            drift.add(
                "%s/%s" % (want["namespace"], want["name"]),
                "cluster",
                "attachment",
                "absent",
                "present",
            )
    if tenant_state is not None:
        verify_tenants(drift, plan, tenant_state)
    for change in pending or []:
        drift.add(
            change.get("name"),
            "fabric",
            "deployed",
            "deployed",
            "staged only (%s %s)" % (change.get("action"), change.get("kind")),
        )
    return drift.entries


def drift_lines(drift):
    return [
        "%s %s %s: want %s, have %s" % (d["layer"], d["network"], d["field"], d["want"], d["have"])
        for d in drift
    ]
