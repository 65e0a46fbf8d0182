# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CN2 tenants: namespaces whose pods get their primary interface from a CN2 pod network of the tenant's own, routed
with the tenant's SR-IOV networks, which sit in the tenant's routing zone on the fabric (docs/usage.md "Tenants").

Here: a tenant's fields validated (every bad field at once, each naming the field and what is allowed), tenants from
the intent or from namespaces that opt in (annotation ``cn2-apstra.netops.io/tenant``), and which tenant each SR-IOV
network belongs to (its ``tenant`` field, else its namespace). The plan of the tenants' objects is tenant_plan.py.
Pure Python (standard library only).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import ALLOCATE

FIELDS = (
    "name",
    "namespaces",
    "pod_network",
    "routing_zone",
    "share_routing_zone",
    "reach",
    "state",
)
NAMESPACE_KIND = "Namespace"


def field_of(index, item):
    label = (
        item.get("name") if isinstance(item, dict) and isinstance(item.get("name"), str) else None
    )
    return "tenants[%d]%s" % (index, "(%s)" % label if label else "")


def _names(item, field, errors):
    """The tenant's name and its namespaces (the first holds the pod network)."""
    name = item.get("name")
    if name is None:
        errors.append("%s.name is required" % field)
    elif not model.is_label(name, model.TENANT_NAME_MAX):
        errors.append(
            "%s.name: %r is not a valid tenant name (1-%d characters of lower-case letters, digits and '-', starting "
            "and ending with a letter or digit: it names the tenant's pod network and routers)"
            % (field, name, model.TENANT_NAME_MAX)
        )
    namespaces = item.get("namespaces")
    if not isinstance(namespaces, list) or not namespaces:
        errors.append(
            "%s.namespaces: a list of at least one namespace is required (the first holds the pod network)"
            % field
        )
        namespaces = []
    for index, namespace in enumerate(namespaces):
        if not model.is_label(namespace):
            errors.append(
                "%s.namespaces[%d]: %r is not a valid namespace (RFC 1123 label, at most 63 characters)"
                % (field, index, namespace)
            )
        elif namespace in namespaces[:index]:
            errors.append("%s.namespaces[%d]: %s is listed twice" % (field, index, namespace))
    return {"name": name, "namespaces": [ns for ns in namespaces if model.is_label(ns)]}


def _addressing(item, field, errors):
    """The pod network's subnet, the routing zone (default: the tenant's name) and whether it may be shared."""
    pod = item.get("pod_network")
    pod = {"subnet": ALLOCATE} if pod is None else pod
    if not isinstance(pod, dict) or sorted(pod) not in (["subnet"], []):
        errors.append(
            '%s.pod_network: %r must be a mapping with subnet (an IPv4 CIDR, prefix /%d-/%d, or "allocate")'
            % (field, pod, model.PREFIX_RANGE[0], model.PREFIX_RANGE[1])
        )
        pod = {}
    subnet = model.subnet(
        errors, field + ".pod_network.subnet", pod.get("subnet", ALLOCATE), allow_allocate=True
    )
    zone = item.get("routing_zone") or item.get("name")
    model.routing_zone(errors, field + ".routing_zone", zone)
    share = item.get("share_routing_zone", False)
    if not isinstance(share, bool):
        errors.append("%s.share_routing_zone: %r is not a boolean" % (field, share))
    return {
        "subnet": subnet,
        "routing_zone": None if zone is None else str(zone),
        "share_routing_zone": share is True,
    }


def _links(item, field, errors):
    """The tenants it may reach, and its state."""
    reach = item.get("reach") or []
    if not isinstance(reach, list) or not all(
        model.is_label(name, model.TENANT_NAME_MAX) for name in reach
    ):
        errors.append("%s.reach: %r must be a list of tenant names" % (field, reach))
        reach = []
    state = item.get("state", "present")
    if state not in ("present", "absent"):
        errors.append("%s.state: %r is not allowed; allowed present, absent" % (field, state))
    return {"reach": sorted(set(reach)), "state": state}


def validate_tenant(item, field, errors):
    """One tenant in canonical form; appends one message per bad field to ``errors``."""
    if not isinstance(item, dict):
        errors.append("%s: must be a mapping with at least name and namespaces" % field)
        return None
    unknown = sorted(set(item) - set(FIELDS) - {"source"})
    if unknown:
        errors.append(
            "%s: unknown field(s) %s; allowed %s" % (field, ", ".join(unknown), ", ".join(FIELDS))
        )
    tenant = {"source": item.get("source") or {"kind": "intent"}, "field": field}
    for part in (_names, _addressing, _links):
        tenant.update(part(item, field, errors))
    return tenant


def validate_tenants(items, errors):
    """The intent's tenants in canonical form (``sriov_tenants``); bad fields are appended to ``errors``."""
    if items is None:
        return []
    if not isinstance(items, list):
        errors.append("tenants: must be a list of tenants")
        return []
    tenants = []
    for index, item in enumerate(items):
        tenant = validate_tenant(item, field_of(index, item), errors)
        if tenant is not None:
            tenants.append(tenant)
    return tenants


def check_tenants(tenants, errors):
    """Across tenants: unique names, a namespace in one tenant, reach names tenants, routing zones shared only when every
    tenant using the zone says so, pod subnets that do not overlap."""
    by_name, by_namespace, by_zone = {}, {}, {}
    for tenant in tenants:
        if tenant["name"] in by_name:
            errors.append(
                "%s.name: %s is already tenant %s"
                % (tenant["field"], tenant["name"], by_name[tenant["name"]]["field"])
            )
        by_name.setdefault(tenant["name"], tenant)
        for namespace in tenant["namespaces"]:
            other = by_namespace.setdefault(namespace, tenant)
            if other is not tenant:
                errors.append(
                    "%s.namespaces: %s already belongs to tenant %s; a namespace belongs to one tenant"
                    % (tenant["field"], namespace, other["name"])
                )
        by_zone.setdefault(tenant["routing_zone"], []).append(tenant)
    for tenant in tenants:
        for name in tenant["reach"]:
            if name == tenant["name"] or name not in by_name:
                errors.append(
                    "%s.reach: %r is not another tenant; allowed %s"
                    % (
                        tenant["field"],
                        name,
                        ", ".join(sorted(set(by_name) - {tenant["name"]})) or "none",
                    )
                )
    for zone, members in sorted(by_zone.items(), key=lambda item: str(item[0])):
        if len(members) > 1 and not all(t["share_routing_zone"] for t in members):
            errors.append(
                "%s.routing_zone: %s is also the routing zone of tenant %s; two tenants share a routing zone only when "
                "each of them sets share_routing_zone: true"
                % (members[-1]["field"], zone, ", ".join(t["name"] for t in members[:-1]))
            )
    _check_pod_subnets(tenants, errors)


def _check_pod_subnets(tenants, errors):
    stated = [
        (t, ipaddress.ip_network(t["subnet"]))
        for t in tenants
        if t["subnet"] not in (None, ALLOCATE)
    ]
    for pos, (tenant, cidr) in enumerate(stated):
        for other, other_cidr in stated[:pos]:
            if cidr.overlaps(other_cidr):
                errors.append(
                    "%s.pod_network.subnet: %s overlaps the pod network %s of tenant %s"
                    % (tenant["field"], cidr, other_cidr, other["name"])
                )


# -- networks and their tenants -------------------------------------------------------------------------------------


def tenant_index(tenants):
    """({tenant name: tenant}, {namespace: tenant})."""
    by_name = dict((t["name"], t) for t in tenants)
    by_namespace = dict((ns, t) for t in tenants for ns in t["namespaces"])
    return by_name, by_namespace


def with_tenant_zones(items, tenants):
    """The raw networks, each that belongs to a tenant (by its ``tenant`` field or its namespace) and names no routing
    zone given its tenant's, so the network's validation finds it."""
    by_name, by_namespace = tenant_index(tenants)
    out = []
    for item in items or []:
        if isinstance(item, dict) and item.get("routing_zone") is None:
            tenant = by_name.get(item.get("tenant")) or by_namespace.get(
                item.get("namespace") or "default"
            )
            if tenant is not None:
                item = dict(item, routing_zone=tenant["routing_zone"])
        out.append(item)
    return out


def network_tenant_error(net, where, tenants):
    """Why a validated network cannot sit where it does, or None; sets ``net["tenant"]`` (None: no tenant)."""
    by_name, by_namespace = tenant_index(tenants)
    named, by_ns = net.get("tenant"), by_namespace.get(net["namespace"])
    net["tenant"] = None
    if named is not None and named not in by_name:
        return "%s.tenant: %r is not a tenant; allowed %s" % (
            where,
            named,
            ", ".join(sorted(by_name)) or "none",
        )
    if named is not None and (by_ns is None or by_ns["name"] != named):
        return (
            "%s.tenant: %s, but its namespace %s is not one of that tenant's (%s); a tenant's networks live in its "
            "namespaces" % (where, named, net["namespace"], ", ".join(by_name[named]["namespaces"]))
        )
    tenant = by_name.get(named) or by_ns
    if tenant is None:
        holders = [t["name"] for t in tenants if t["routing_zone"] == net["routing_zone"]]
        if holders:
            return (
                "%s.routing_zone: %s is the routing zone of tenant %s; put the network in that tenant (its namespace or "
                "tenant: %s) or use another routing zone"
                % (where, net["routing_zone"], holders[0], holders[0])
            )
        return None
    net["tenant"] = tenant["name"]
    if net["routing_zone"] != tenant["routing_zone"]:
        return (
            "%s.routing_zone: %s is not the routing zone %s of its tenant %s; leave routing_zone out"
            % (where, net["routing_zone"], tenant["routing_zone"], tenant["name"])
        )
    if tenant["state"] == "absent" and net.get("state", "present") == "present":
        return "%s: its tenant %s is absent; remove the network too (state: absent) or move it" % (
            where,
            tenant["name"],
        )
    return None


# -- tenants from the cluster ---------------------------------------------------------------------------------------


def _agreed(members, annotation, errors, field):
    """The one value the namespaces of a tenant give an annotation (None when none gives it)."""
    values = sorted(
        set(((ns.get("annotations") or {}).get(annotation) or "").strip() for ns in members) - {""}
    )
    if len(values) > 1:
        errors.append(
            "%s: %s differs (%s); the namespaces of one tenant must agree"
            % (field, annotation, ", ".join(values))
        )
    return values[0] if values else None


def _home_first(name, names, pod_networks):
    """The namespaces of a cluster tenant, the one holding its pod network first (else in name order)."""
    held = [
        vn.get("namespace")
        for vn in pod_networks or []
        if vn.get("tenant") == name and vn.get("namespace") in names
    ]
    home = held[0] if held else sorted(names)[0]
    return [home] + sorted(n for n in names if n != home)


def derive_tenants(namespaces, pod_networks=None, owner=None):
    """(tenants, skipped) from the namespaces that opt in (annotation cn2-apstra.netops.io/tenant: <tenant>), grouped by
    tenant; the namespaces of one tenant may carry its pod subnet, routing zone and reach (the others need not). A
    namespace another owner marked (an intent's tenant took it) is skipped by name; ``owner``: the cluster's.
    """
    groups, skipped = {}, []
    for namespace in namespaces or []:
        name = ((namespace.get("annotations") or {}).get(model.TENANT_ANNOTATION) or "").strip()
        holder = model.owner_of_labels(namespace.get("labels"))
        if name and holder not in (None, owner):
            skipped.append(
                {
                    "source": "%s %s" % (NAMESPACE_KIND, namespace["name"]),
                    "error": "belongs to owner %s (its tenant is theirs); this cluster's runs leave it alone"
                    % holder,
                }
            )
        elif name:
            groups.setdefault(name, []).append(namespace)
    tenants = []
    for name, members in sorted(groups.items()):
        names = sorted(ns["name"] for ns in members)
        field = "%s %s" % (NAMESPACE_KIND, ", ".join(names))
        errors = []
        reach = _agreed(members, model.REACH_ANNOTATION, errors, field)
        item = {
            "name": name,
            "namespaces": _home_first(name, names, pod_networks),
            "pod_network": {
                "subnet": _agreed(members, model.POD_SUBNET_ANNOTATION, errors, field) or ALLOCATE
            },
            "routing_zone": _agreed(members, model.ZONE_ANNOTATION, errors, field),
            "reach": [part.strip() for part in (reach or "").split(",") if part.strip()],
            "source": {"kind": NAMESPACE_KIND, "namespace": None, "name": ", ".join(names)},
        }
        tenant = validate_tenant(item, field, errors)
        if errors:
            skipped.append({"source": field, "error": "; ".join(errors)})
        else:
            tenants.append(tenant)
    return tenants, skipped


def merge_tenants(intent_tenants, cluster_tenants):
    """(tenants, skipped): the intent's, then the cluster's whose name the intent does not use (the intent's wins)."""
    names = set(t["name"] for t in intent_tenants)
    skipped = [
        {
            "source": t["field"],
            "error": "tenant %s is defined by the intent file, which wins" % t["name"],
        }
        for t in cluster_tenants
        if t["name"] in names
    ]
    return list(intent_tenants) + [t for t in cluster_tenants if t["name"] not in names], skipped


def is_cluster_tenant(tenant):
    return (tenant.get("source") or {}).get("kind") == NAMESPACE_KIND
