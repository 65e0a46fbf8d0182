# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of SR-IOV networks (from the intent file or derived from cluster objects) and of the allocation settings.

Every bad field is reported at once, each message naming the field and what is allowed. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    ALLOCATE,
    IntentError,
)

FIELDS = (
    "name",
    "namespace",
    "vlan",
    "vni",
    "routing_zone",
    "subnet",
    "ipv6_subnet",
    "resource_name",
    "node_selector",
    "ipam",
    "mtu",
    "labels",
    "routing_group",
    "tags",
    "routes",
    "description",
    "fabric_only",
    "tenant",
)
DEFAULT_ALLOCATION = {"vlan_range": [2000, 2999], "supernet": None, "prefix_length": 24}
RESERVED_LABELS = (
    model.OWNER_LABEL,
    model.ROUTING_GROUP_LABEL,
    model.NETWORK_LABEL,
    model.TENANT_LABEL,
)


def validate_allocation(allocation):
    """Normalise the allocation settings: vlan_range [low, high], supernet, prefix_length."""
    errors = []
    allocation = dict(
        DEFAULT_ALLOCATION, **dict((k, v) for k, v in (allocation or {}).items() if v is not None)
    )
    unknown = sorted(set(allocation) - set(DEFAULT_ALLOCATION))
    if unknown:
        errors.append(
            "allocation: unknown field(s) %s; allowed %s"
            % (", ".join(unknown), ", ".join(sorted(DEFAULT_ALLOCATION)))
        )
    vlan_range = allocation["vlan_range"]
    if isinstance(vlan_range, str) and "-" in vlan_range:
        vlan_range = vlan_range.split("-", 1)
    low = high = None
    if not isinstance(vlan_range, (list, tuple)) or len(vlan_range) != 2:
        errors.append(
            "allocation.vlan_range: %r must be two VLANs [low, high] (or 'low-high'), %s"
            % (vlan_range, model.range_text(model.VLAN_RANGE))
        )
    else:
        low = model.integer(errors, "allocation.vlan_range[0]", vlan_range[0], model.VLAN_RANGE)
        high = model.integer(errors, "allocation.vlan_range[1]", vlan_range[1], model.VLAN_RANGE)
        if low is not None and high is not None and low > high:
            errors.append("allocation.vlan_range: %s-%s is empty (low > high)" % (low, high))
    supernet = model.subnet(errors, "allocation.supernet", allocation["supernet"])
    prefix = model.integer(
        errors, "allocation.prefix_length", allocation["prefix_length"], model.PREFIX_RANGE
    )
    if supernet and prefix is not None and prefix < ipaddress.ip_network(supernet).prefixlen:
        errors.append(
            "allocation.prefix_length: /%s is shorter than the supernet %s" % (prefix, supernet)
        )
    if errors:
        raise IntentError(errors)
    return {"vlan_range": [low, high], "supernet": supernet, "prefix_length": prefix}


def _names(item, field, errors):
    """The network's name and namespace."""
    name = item.get("name")
    if name is None:
        errors.append("%s.name is required" % field)
    elif not model.is_label(name, model.NAME_MAX):
        errors.append(
            "%s.name: %r is not a valid name (1-%d characters of lower-case letters, digits and '-', starting and ending "
            "with a letter or digit: it names both the NAD and the Apstra virtual network)"
            % (field, name, model.NAME_MAX)
        )
    namespace = item.get("namespace") or "default"
    if not model.is_label(namespace):
        errors.append(
            "%s.namespace: %r is not a valid namespace (RFC 1123 label, at most 63 characters)"
            % (field, namespace)
        )
    return {"name": name, "namespace": namespace}


def _addressing(item, field, errors):
    """The fabric addressing: vlan, vni, routing_zone and subnet."""
    vlan = model.integer(
        errors, field + ".vlan", item.get("vlan"), model.VLAN_RANGE, allow_allocate=True
    )
    if item.get("vlan") is None:
        errors.append(
            '%s.vlan is required: a VLAN %d-%d or "allocate"'
            % (field, model.VLAN_RANGE[0], model.VLAN_RANGE[1])
        )
    vni = model.integer(errors, field + ".vni", item.get("vni"), model.VNI_RANGE)
    zone = item.get("routing_zone")
    if zone is None:
        errors.append("%s.routing_zone is required (the Apstra routing zone / VRF label)" % field)
    else:
        model.routing_zone(errors, field + ".routing_zone", zone)
    subnet = model.subnet(errors, field + ".subnet", item.get("subnet"), allow_allocate=True)
    if item.get("subnet") is None:
        errors.append(
            '%s.subnet is required: an IPv4 CIDR (prefix /%d-/%d) or "allocate"'
            % (field, model.PREFIX_RANGE[0], model.PREFIX_RANGE[1])
        )
    ipv6 = item.get("ipv6_subnet")
    try:
        ipv6 = None if ipv6 is None else str(ipaddress.IPv6Network(str(ipv6), strict=True))
    except ValueError:
        errors.append(
            "%s.ipv6_subnet: %r is not an IPv6 CIDR such as fd00:110::/64" % (field, ipv6)
        )
        ipv6 = None
    return {
        "vlan": vlan,
        "vni": vni,
        "routing_zone": None if zone is None else str(zone),
        "subnet": subnet,
        "ipv6_subnet": ipv6,
    }


def _attachment(item, field, errors):
    """resource_name, node_selector, ipam, mtu and labels: what the NAD and its pods get."""
    resource = item.get("resource_name")
    if resource is None:
        errors.append(
            "%s.resource_name is required (the SR-IOV resource, for example intel.com/sriov_netdevice)"
            % field
        )
    out = {"resource_name": model.resource_name(errors, field + ".resource_name", resource)}
    out["node_selector"] = model.labels(errors, field + ".node_selector", item.get("node_selector"))
    ipam = item.get("ipam") or "whereabouts"
    if ipam not in model.IPAM_KINDS:
        errors.append(
            "%s.ipam: %r is not supported; allowed %s" % (field, ipam, ", ".join(model.IPAM_KINDS))
        )
    out["ipam"] = ipam
    out["mtu"] = model.integer(errors, field + ".mtu", item.get("mtu"), model.MTU_RANGE)
    out["labels"] = model.labels(errors, field + ".labels", item.get("labels"))
    for key in RESERVED_LABELS:
        if key in out["labels"]:
            errors.append(
                "%s.labels: %s is set by the collection and cannot be given" % (field, key)
            )
    return out


def _routing(item, field, errors):
    """routing_group, tenant, tags and routes."""
    group = item.get("routing_group")
    if group is not None and not model.is_label(group):
        errors.append(
            "%s.routing_group: %r is not a valid name (RFC 1123 label, at most 63 characters)"
            % (field, group)
        )
    tenant = item.get("tenant")
    if tenant is not None and not model.is_label(tenant, model.TENANT_NAME_MAX):
        errors.append(
            "%s.tenant: %r is not a valid tenant name (1-%d characters of lower-case letters, digits and '-', "
            "starting and ending with a letter or digit)" % (field, tenant, model.TENANT_NAME_MAX)
        )
    tags = model.tags(errors, field + ".tags", item.get("tags"))
    routes = item.get("routes") or []
    valid_routes = []
    for index, route in enumerate(routes if isinstance(routes, list) else [routes]):
        value = model.subnet(errors, "%s.routes[%d]" % (field, index), route, prefixes=(0, 32))
        if value:
            valid_routes.append(value)
    return {"routing_group": group, "tenant": tenant, "tags": tags, "routes": valid_routes}


def _options(item, field, errors):
    """description, fabric_only and state."""
    description = item.get("description")
    description = None if description is None else str(description)
    fabric_only = item.get("fabric_only", False)
    if not isinstance(fabric_only, bool):
        errors.append("%s.fabric_only: %r is not a boolean" % (field, fabric_only))
    state = item.get("state", "present")
    if state not in ("present", "absent"):
        errors.append("%s.state: %r is not allowed; allowed present, absent" % (field, state))
    return {"description": description, "fabric_only": fabric_only is True, "state": state}


def validate_network(item, field, errors):
    """One network in canonical form; appends one message per bad field to ``errors``."""
    if not isinstance(item, dict):
        errors.append(
            "%s: must be a mapping with at least name, routing_zone and resource_name" % field
        )
        return None
    unknown = sorted(set(item) - set(FIELDS) - {"state", "source"})
    if unknown:
        errors.append(
            "%s: unknown field(s) %s; allowed %s" % (field, ", ".join(unknown), ", ".join(FIELDS))
        )
    net = {"source": item.get("source") or {"kind": "intent"}}
    for part in (_names, _addressing, _attachment, _routing, _options):
        net.update(part(item, field, errors))
    return net


def field_of(index, item):
    label = (
        item.get("name") if isinstance(item, dict) and isinstance(item.get("name"), str) else None
    )
    return "networks[%d]%s" % (index, "(%s)" % label if label else "")


def validate_intent(networks, allocation=None):
    """Validate and normalise the intent; raises IntentError listing every bad field."""
    errors = []
    if networks is None:
        networks = []
    if isinstance(networks, dict) and "networks" in networks:
        networks = networks["networks"]
    if not isinstance(networks, list):
        raise IntentError(["networks: the intent must be a list of networks"])
    try:
        allocation = validate_allocation(allocation)
    except IntentError as exc:
        errors.extend(exc.errors)
        allocation = None
    out = []
    for index, item in enumerate(networks):
        net = validate_network(item, field_of(index, item), errors)
        if net is not None:
            out.append(net)
    check_unique(out, errors)
    if allocation is not None:
        for index, net in enumerate(out):
            if net.get("subnet") == ALLOCATE and not allocation.get("supernet"):
                errors.append(
                    'networks[%d](%s).subnet: "allocate" needs allocation.supernet'
                    % (index, net["name"])
                )
    if errors:
        raise IntentError(errors)
    return out, allocation


def describe(nets, index):
    """How a message names one network of a list: its intent position, or the cluster object it came from."""
    source = nets[index].get("source") or {}
    if source.get("kind", "intent") == "intent":
        return "networks[%d]" % index
    return "%s %s/%s" % (source["kind"], source.get("namespace"), source.get("name"))


def check_unique(nets, errors):
    """Names, VLANs and VNIs are unique and subnets do not overlap; a routing group lives in one namespace and zone."""
    for key, what in (
        ("name", "name (it is also the Apstra VN label)"),
        ("vlan", "VLAN"),
        ("vni", "VNI"),
    ):
        seen = {}
        for index, net in enumerate(nets):
            value = net.get(key)
            if value in (None, ALLOCATE):
                continue
            if value in seen:
                errors.append(
                    "%s.%s: %s %s is already used by %s"
                    % (describe(nets, index), key, what, value, describe(nets, seen[value]))
                )
            else:
                seen[value] = index
    subnets = [
        (index, ipaddress.ip_network(net["subnet"]))
        for index, net in enumerate(nets)
        if net.get("subnet") not in (None, ALLOCATE)
    ]
    for pos, (index, cidr) in enumerate(subnets):
        for other_index, other in subnets[:pos]:
            if cidr.overlaps(other):
                errors.append(
                    "%s.subnet: %s overlaps %s.subnet %s"
                    % (describe(nets, index), cidr, describe(nets, other_index), other)
                )
    groups = {}
    for index, net in enumerate(nets):
        if net.get("routing_group"):
            groups.setdefault(net["routing_group"], []).append(index)
    for group, members in groups.items():
        namespaces = set(nets[i]["namespace"] for i in members)
        zones = set(nets[i]["routing_zone"] for i in members)
        if len(namespaces) > 1:
            errors.append(
                "%s.routing_group: group %s spans namespaces %s; a routing group lives in one namespace"
                % (describe(nets, members[-1]), group, ", ".join(sorted(namespaces)))
            )
        if len(zones) > 1:
            errors.append(
                "%s.routing_group: group %s spans routing zones %s; the fabric only routes within one routing zone"
                % (describe(nets, members[-1]), group, ", ".join(sorted(str(z) for z in zones)))
            )
