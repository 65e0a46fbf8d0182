# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SR-IOV network intent: validation, allocation, the node/port map and the two-layer plan.

Pure Python (standard library only, no Ansible imports), so the role's logic is unit-tested without a
connection. Inputs are plain data: the intent (a list of networks), discovery facts (SR-IOV nodes from
``sriov_node_info``, server links from an Apstra graph query) and the existing virtual networks and
NetworkAttachmentDefinitions in the resource modules' ``gathered`` form. Outputs are the ``config`` lists
the resource modules take, so the role passes whole lists and never loops per network or per port.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

ALLOCATE = "allocate"
VLAN_MIN, VLAN_MAX = 2, 4094
VNI_MIN, VNI_MAX = 4096, 16777214
MTU_MIN, MTU_MAX = 1280, 9216
PREFIX_MIN, PREFIX_MAX = 8, 29
NAME_MAX = 30
IPAM_KINDS = ("whereabouts", "cn2", "host-local")
NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
ZONE_RE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
RESOURCE_RE = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
LABEL_KEY_RE = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
LABEL_VALUE_RE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
TAG_RE = re.compile(r"^[^\s,]{1,64}$")

OWNER_TAG = "managed-by:netops.cn2_apstra"
OWNER_LABEL = "app.kubernetes.io/managed-by"
OWNER_VALUE = "netops.cn2_apstra"
ROUTING_GROUP_LABEL = "netops.io/routing-group"
NETWORK_LABEL = "netops.io/sriov-network"

FIELDS = ("name", "namespace", "vlan", "vni", "routing_zone", "subnet", "resource_name", "node_selector", "ipam", "mtu",
          "labels", "routing_group", "tags", "routes", "description")
DEFAULT_ALLOCATION = {"vlan_range": [2000, 2999], "supernet": None, "prefix_length": 24}


class IntentError(ValueError):
    """The intent is invalid; ``errors`` holds one message per bad field."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(IntentError, self).__init__("; ".join(self.errors))


# -- validation -----------------------------------------------------------------------------------------


def _int(errors, field, value, low, high, allow_allocate=False):
    if value is None:
        return None
    if allow_allocate and value == ALLOCATE:
        return ALLOCATE
    if isinstance(value, bool):
        value = "%r" % value
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        extra = ' or "allocate"' if allow_allocate else ""
        errors.append("%s: %r is not an integer; allowed %d-%d%s" % (field, value, low, high, extra))
        return None
    if not low <= number <= high:
        extra = ' or "allocate"' if allow_allocate else ""
        errors.append("%s: %s is out of range; allowed %d-%d%s" % (field, number, low, high, extra))
        return None
    return number


def _subnet(errors, field, value, allow_allocate=False):
    if value is None:
        return None
    if allow_allocate and value == ALLOCATE:
        return ALLOCATE
    hint = ' or "allocate"' if allow_allocate else ""
    try:
        net = ipaddress.ip_network(str(value), strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            errors.append("%s: %s has host bits set; the network is %s" % (field, value, ipaddress.ip_network(str(value), strict=False)))
        else:
            errors.append("%s: %r is not an IPv4 CIDR such as 10.1.0.0/24%s" % (field, value, hint))
        return None
    if net.version != 4 or "/" not in str(value):
        errors.append("%s: %r is not an IPv4 CIDR such as 10.1.0.0/24%s" % (field, value, hint))
        return None
    if not PREFIX_MIN <= net.prefixlen <= PREFIX_MAX:
        errors.append("%s: prefix length /%d is out of range; allowed /%d-/%d" % (field, net.prefixlen, PREFIX_MIN, PREFIX_MAX))
        return None
    return str(net)


def _labels(errors, field, value):
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append("%s: must be a mapping of label keys to values" % field)
        return {}
    out = {}
    for key, item in value.items():
        item = "" if item is None else str(item)
        if not LABEL_KEY_RE.match(str(key)) or len(str(key).rsplit("/", maxsplit=1)[-1]) > 63:
            errors.append("%s: %r is not a valid label key ([prefix/]name, name 1-63 characters of [A-Za-z0-9_.-])" % (field, key))
        elif len(item) > 63 or not LABEL_VALUE_RE.match(item):
            errors.append("%s.%s: %r is not a valid label value (0-63 characters of [A-Za-z0-9_.-])" % (field, key, item))
        else:
            out[str(key)] = item
    return out


def validate_allocation(allocation):
    """Normalise the allocation settings: vlan_range [low, high], supernet, prefix_length."""
    errors = []
    allocation = dict(DEFAULT_ALLOCATION, **dict((k, v) for k, v in (allocation or {}).items() if v is not None))
    unknown = sorted(set(allocation) - set(DEFAULT_ALLOCATION))
    if unknown:
        errors.append("allocation: unknown field(s) %s; allowed %s" % (", ".join(unknown), ", ".join(sorted(DEFAULT_ALLOCATION))))
    vlan_range = allocation["vlan_range"]
    if isinstance(vlan_range, str) and "-" in vlan_range:
        vlan_range = vlan_range.split("-", 1)
    if not isinstance(vlan_range, (list, tuple)) or len(vlan_range) != 2:
        errors.append("allocation.vlan_range: %r must be two VLANs [low, high] (or 'low-high'), allowed %d-%d" % (vlan_range, VLAN_MIN, VLAN_MAX))
        low = high = None
    else:
        low = _int(errors, "allocation.vlan_range[0]", vlan_range[0], VLAN_MIN, VLAN_MAX)
        high = _int(errors, "allocation.vlan_range[1]", vlan_range[1], VLAN_MIN, VLAN_MAX)
        if low is not None and high is not None and low > high:
            errors.append("allocation.vlan_range: %s-%s is empty (low > high)" % (low, high))
    supernet = _subnet(errors, "allocation.supernet", allocation["supernet"]) if allocation["supernet"] is not None else None
    prefix = _int(errors, "allocation.prefix_length", allocation["prefix_length"], PREFIX_MIN, PREFIX_MAX)
    if supernet and prefix is not None and prefix < ipaddress.ip_network(supernet).prefixlen:
        errors.append("allocation.prefix_length: /%s is shorter than the supernet %s" % (prefix, supernet))
    if errors:
        raise IntentError(errors)
    return {"vlan_range": [low, high], "supernet": supernet, "prefix_length": prefix}


def validate_network(item, field, errors):
    """One network of the intent in canonical form; appends one message per bad field to ``errors``."""
    if not isinstance(item, dict):
        errors.append("%s: must be a mapping with at least name, routing_zone and resource_name" % field)
        return None
    unknown = sorted(set(item) - set(FIELDS) - {"state"})
    if unknown:
        errors.append("%s: unknown field(s) %s; allowed %s" % (field, ", ".join(unknown), ", ".join(FIELDS)))
    net = {}
    name = item.get("name")
    if name is None:
        errors.append("%s.name is required" % field)
    elif not isinstance(name, str) or len(name) > NAME_MAX or not NAME_RE.match(name):
        errors.append("%s.name: %r is not a valid name (1-%d characters of lower-case letters, digits and '-', starting and ending "
                      "with a letter or digit: it names both the NAD and the Apstra virtual network)" % (field, name, NAME_MAX))
    net["name"] = name
    namespace = item.get("namespace") or "default"
    if not isinstance(namespace, str) or len(namespace) > 63 or not NAME_RE.match(namespace):
        errors.append("%s.namespace: %r is not a valid namespace (RFC 1123 label, at most 63 characters)" % (field, namespace))
    net["namespace"] = namespace
    net["vlan"] = _int(errors, field + ".vlan", item.get("vlan"), VLAN_MIN, VLAN_MAX, allow_allocate=True)
    if item.get("vlan") is None:
        errors.append('%s.vlan is required: a VLAN %d-%d or "allocate"' % (field, VLAN_MIN, VLAN_MAX))
    net["vni"] = _int(errors, field + ".vni", item.get("vni"), VNI_MIN, VNI_MAX)
    zone = item.get("routing_zone")
    if zone is None:
        errors.append("%s.routing_zone is required (the Apstra routing zone / VRF label)" % field)
    elif not ZONE_RE.match(str(zone)) or str(zone) == "default":
        errors.append("%s.routing_zone: %r is not a valid routing zone label (1-30 characters of [A-Za-z0-9_-], not 'default')" % (field, zone))
    net["routing_zone"] = None if zone is None else str(zone)
    net["subnet"] = _subnet(errors, field + ".subnet", item.get("subnet"), allow_allocate=True)
    if item.get("subnet") is None:
        errors.append('%s.subnet is required: an IPv4 CIDR (prefix /%d-/%d) or "allocate"' % (field, PREFIX_MIN, PREFIX_MAX))
    resource = item.get("resource_name")
    if resource is None:
        errors.append("%s.resource_name is required (the SR-IOV resource, for example intel.com/sriov_netdevice)" % field)
    elif not RESOURCE_RE.match(str(resource)):
        errors.append("%s.resource_name: %r is not a resource name of the form <domain>/<name>" % (field, resource))
    net["resource_name"] = resource
    net["node_selector"] = _labels(errors, field + ".node_selector", item.get("node_selector"))
    ipam = item.get("ipam") or "whereabouts"
    if ipam not in IPAM_KINDS:
        errors.append("%s.ipam: %r is not supported; allowed %s" % (field, ipam, ", ".join(IPAM_KINDS)))
    net["ipam"] = ipam
    net["mtu"] = _int(errors, field + ".mtu", item.get("mtu"), MTU_MIN, MTU_MAX)
    net["labels"] = _labels(errors, field + ".labels", item.get("labels"))
    for key in (OWNER_LABEL, ROUTING_GROUP_LABEL, NETWORK_LABEL):
        if key in net["labels"]:
            errors.append("%s.labels: %s is set by the collection and cannot be given" % (field, key))
    group = item.get("routing_group")
    if group is not None and (not isinstance(group, str) or len(group) > 63 or not NAME_RE.match(group)):
        errors.append("%s.routing_group: %r is not a valid name (RFC 1123 label, at most 63 characters)" % (field, group))
    net["routing_group"] = group
    tags = item.get("tags") or []
    if not isinstance(tags, list):
        errors.append("%s.tags: must be a list of strings" % field)
        tags = []
    for index, tag in enumerate(tags):
        if not isinstance(tag, str) or not TAG_RE.match(tag):
            errors.append("%s.tags[%d]: %r is not a valid tag (1-64 characters, no spaces or commas)" % (field, index, tag))
    net["tags"] = sorted(set(str(tag) for tag in tags))
    routes = item.get("routes") or []
    net["routes"] = []
    for index, route in enumerate(routes if isinstance(routes, list) else [routes]):
        value = _subnet(errors, "%s.routes[%d]" % (field, index), route)
        if value:
            net["routes"].append(value)
    description = item.get("description")
    net["description"] = None if description is None else str(description)
    state = item.get("state", "present")
    if state not in ("present", "absent"):
        errors.append("%s.state: %r is not allowed; allowed present, absent" % (field, state))
    net["state"] = state
    return net


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
        label = item.get("name") if isinstance(item, dict) and isinstance(item.get("name"), str) else None
        field = "networks[%d]%s" % (index, "(%s)" % label if label else "")
        net = validate_network(item, field, errors)
        if net is not None:
            out.append(net)
    _check_unique(out, errors)
    if allocation is not None:
        for index, net in enumerate(out):
            if net.get("subnet") == ALLOCATE and not allocation.get("supernet"):
                errors.append('networks[%d](%s).subnet: "allocate" needs allocation.supernet' % (index, net["name"]))
    if errors:
        raise IntentError(errors)
    return out, allocation


def _check_unique(nets, errors):
    seen = {}
    for key, what in (("name", "name (it is also the Apstra VN label)"), ("vlan", "VLAN"), ("vni", "VNI")):
        seen = {}
        for index, net in enumerate(nets):
            value = net.get(key)
            if value in (None, ALLOCATE):
                continue
            if value in seen:
                errors.append("networks[%d].%s: %s %s is already used by networks[%d]" % (index, key, what, value, seen[value]))
            else:
                seen[value] = index
    subnets = [(index, ipaddress.ip_network(net["subnet"])) for index, net in enumerate(nets) if net.get("subnet") not in (None, ALLOCATE)]
    for pos, (index, subnet) in enumerate(subnets):
        for other_index, other in subnets[:pos]:
            if subnet.overlaps(other):
                errors.append("networks[%d].subnet: %s overlaps networks[%d].subnet %s" % (index, subnet, other_index, other))
    groups = {}
    for index, net in enumerate(nets):
        if net.get("routing_group"):
            groups.setdefault(net["routing_group"], []).append(index)
    for group, members in groups.items():
        namespaces = set(nets[i]["namespace"] for i in members)
        zones = set(nets[i]["routing_zone"] for i in members)
        if len(namespaces) > 1:
            errors.append("networks[%d].routing_group: group %s spans namespaces %s; a routing group lives in one namespace"
                          % (members[-1], group, ", ".join(sorted(namespaces))))
        if len(zones) > 1:
            errors.append("networks[%d].routing_group: group %s spans routing zones %s; the fabric only routes within one routing zone"
                          % (members[-1], group, ", ".join(sorted(str(z) for z in zones))))


# -- allocation -----------------------------------------------------------------------------------------


def _nad_subnet(nad):
    ipam = nad.get("ipam") or {}
    value = ipam.get("range") or (nad.get("cn2") or {}).get("subnet")
    try:
        return str(ipaddress.ip_network(value, strict=False)) if value else None
    except ValueError:
        return None


def allocate(nets, allocation, vns=None, nads=None):
    """Fill in "allocate" VLANs and subnets; returns (nets, errors).

    A network that already exists (an Apstra VN with its name, or its NAD) keeps the VLAN and subnet it has,
    so allocation is stable across runs. New values never collide with an existing VN or NAD, nor with the
    rest of the intent. Explicit values that collide with a different existing network are errors.
    """
    vns = vns or []
    nads = nads or []
    errors = []
    vn_by_label = dict((vn.get("label"), vn) for vn in vns)
    nad_by_key = dict(((nad.get("namespace"), nad.get("name")), nad) for nad in nads)
    names = set(net["name"] for net in nets)
    keys = set((net["namespace"], net["name"]) for net in nets)
    used_vlans = {}
    used_subnets = []
    for vn in vns:
        if vn.get("label") in names:
            continue
        if vn.get("vlan_id") is not None:
            used_vlans[int(vn["vlan_id"])] = "Apstra virtual network %s" % vn.get("label")
        if vn.get("ipv4_subnet"):
            used_subnets.append((ipaddress.ip_network(vn["ipv4_subnet"], strict=False), "Apstra virtual network %s" % vn.get("label")))
    for nad in nads:
        if (nad.get("namespace"), nad.get("name")) in keys:
            continue
        if nad.get("vlan"):
            used_vlans.setdefault(int(nad["vlan"]), "NetworkAttachmentDefinition %s/%s" % (nad.get("namespace"), nad.get("name")))
        subnet = _nad_subnet(nad)
        if subnet:
            used_subnets.append((ipaddress.ip_network(subnet), "NetworkAttachmentDefinition %s/%s" % (nad.get("namespace"), nad.get("name"))))
    out = []
    for net in nets:
        net = dict(net, allocated=[])
        vn = vn_by_label.get(net["name"])
        nad = nad_by_key.get((net["namespace"], net["name"]))
        for key, vn_key, nad_value in (("vlan", "vlan_id", (nad or {}).get("vlan")), ("subnet", "ipv4_subnet", _nad_subnet(nad or {}))):
            if net[key] != ALLOCATE:
                continue
            current = nad_value if nad_value is not None else (vn or {}).get(vn_key)
            if current is not None:
                net[key] = int(current) if key == "vlan" else str(ipaddress.ip_network(current, strict=False))
                net["allocated"].append(key)
        out.append(net)
    for net in out:
        if net["vlan"] not in (None, ALLOCATE) and net["vlan"] in used_vlans:
            errors.append("%s.vlan: %s is already used by %s" % (net["name"], net["vlan"], used_vlans[net["vlan"]]))
        if net["subnet"] not in (None, ALLOCATE):
            subnet = ipaddress.ip_network(net["subnet"])
            for other, owner in used_subnets:
                if subnet.overlaps(other):
                    errors.append("%s.subnet: %s overlaps %s of %s" % (net["name"], subnet, other, owner))
    taken_vlans = set(used_vlans) | set(net["vlan"] for net in out if net["vlan"] not in (None, ALLOCATE))
    taken_subnets = [other for other, _owner in used_subnets] + [ipaddress.ip_network(net["subnet"]) for net in out
                                                                 if net["subnet"] not in (None, ALLOCATE)]
    low, high = allocation["vlan_range"]
    for net in out:
        if net["vlan"] == ALLOCATE:
            free = next((vlan for vlan in range(low, high + 1) if vlan not in taken_vlans), None)
            if free is None:
                errors.append("%s.vlan: no free VLAN left in allocation.vlan_range %d-%d" % (net["name"], low, high))
                continue
            net["vlan"] = free
            net["allocated"].append("vlan")
            taken_vlans.add(free)
        if net["subnet"] == ALLOCATE:
            free = None
            for candidate in ipaddress.ip_network(allocation["supernet"]).subnets(new_prefix=allocation["prefix_length"]):
                if not any(candidate.overlaps(other) for other in taken_subnets):
                    free = candidate
                    break
            if free is None:
                errors.append("%s.subnet: no free /%d left in allocation.supernet %s" % (net["name"], allocation["prefix_length"], allocation["supernet"]))
                continue
            net["subnet"] = str(free)
            net["allocated"].append("subnet")
            taken_subnets.append(free)
    return out, errors


# -- discovery: node -> PF -> leaf port ------------------------------------------------------------------


def fabric_links(fabric):
    """Server links from the ``fabric`` facts of ``apstra_blueprint_info`` (``servers``: hostname -> NIC ports).

    Returns [{server, server_interface, leaf, leaf_interface, switch, application_point, esi}] where
    ``switch`` is what the VN is bound to (the leaf or the ESI pair) and ``application_point`` the interface
    the connectivity template goes on (the leaf port, or the ESI pair's logical port-channel).
    """
    links = []
    for server, interfaces in sorted(((fabric or {}).get("servers") or {}).items()):
        for intf in interfaces or []:
            esi = intf.get("esi_lag")
            if esi:
                switch, _sep, point = esi.partition(":")
            else:
                switch, point = intf.get("leaf"), intf.get("leaf_interface")
            links.append({"server": server, "server_interface": intf.get("interface"), "leaf": intf.get("leaf"),
                          "leaf_interface": intf.get("leaf_interface"), "switch": switch, "application_point": point, "esi": bool(esi)})
    return sorted(links, key=lambda link: (link["server"] or "", link["server_interface"] or ""))


def port_map(nodes, links):
    """Join SR-IOV nodes to the fabric: one entry per node with its PFs, status and application points.

    status: ``mapped`` (every PF cabled in Apstra and LLDP agrees or is silent), ``miscabled`` (LLDP sees a
    different leaf port than Apstra's cabling map: reported, never bound), ``unmapped`` (the node or a PF is
    not in Apstra's cabling map: reported, never bound).
    """
    by_pf = dict(((link["server"], link["server_interface"]), link) for link in links)
    servers = set(link["server"] for link in links)
    out = []
    for node in sorted(nodes or [], key=lambda n: n.get("name") or ""):
        name = node.get("name")
        entry = {"node": name, "labels": node.get("labels") or {}, "resources": node.get("resources") or {}, "pfs": [],
                 "status": "mapped", "problems": [], "application_points": []}
        pfs = node.get("pfs") or []
        if name not in servers:
            entry["status"] = "unmapped"
            entry["problems"].append("node %s is not a generic system (hostname) in the Apstra blueprint" % name)
        if not pfs:
            entry["status"] = "unmapped"
            entry["problems"].append("node %s reports no SR-IOV physical function (SriovNetworkNodeState)" % name)
        for pf in pfs:
            link = by_pf.get((name, pf.get("name")))
            lldp = pf.get("lldp") or []
            pf_entry = {"name": pf.get("name"), "lldp": lldp, "leaf": None, "leaf_interface": None, "status": "mapped"}
            if link is None:
                pf_entry["status"] = "unmapped"
                if name in servers:
                    entry["status"] = "unmapped" if entry["status"] != "miscabled" else entry["status"]
                    entry["problems"].append("%s %s has no link in the Apstra cabling map" % (name, pf.get("name")))
            else:
                pf_entry.update(leaf=link["leaf"], leaf_interface=link["leaf_interface"], switch=link["switch"],
                                application_point=link["application_point"], esi=link["esi"])
                seen = [(n.get("switch"), n.get("port")) for n in lldp]
                if seen and (link["leaf"], link["leaf_interface"]) not in seen:
                    pf_entry["status"] = "miscabled"
                    entry["status"] = "miscabled"
                    entry["problems"].append("%s %s is cabled to %s %s in Apstra but LLDP sees %s" % (
                        name, pf.get("name"), link["leaf"], link["leaf_interface"], ", ".join("%s %s" % pair for pair in seen)))
                elif not seen:
                    pf_entry["status"] = "no-lldp"
            entry["pfs"].append(pf_entry)
        if entry["status"] == "mapped":
            points = []
            for pf in entry["pfs"]:
                point = {"switch": pf["switch"], "interface": pf["application_point"], "esi": pf["esi"]}
                if point not in points:
                    points.append(point)
            entry["application_points"] = points
        out.append(entry)
    return out


def nodes_for(net, ports):
    """Port-map entries of the nodes that offer the network's resource and match its node selector."""
    out = []
    for entry in ports:
        count = entry["resources"].get(net["resource_name"])
        try:
            count = int(count)
        except (TypeError, ValueError):
            count = 0
        if count <= 0:
            continue
        if any(entry["labels"].get(key) != value for key, value in net["node_selector"].items()):
            continue
        out.append(entry)
    return out


# -- plan -----------------------------------------------------------------------------------------------


def gateway_of(subnet):
    return str(next(ipaddress.ip_network(subnet).hosts()))


def reserved_block(subnet, svi_count):
    """CIDRs covering the network address, the gateway (first host) and ``svi_count`` SVI addresses after it."""
    net = ipaddress.ip_network(subnet)
    last = min(net.network_address + 1 + svi_count, net.broadcast_address - 1)
    return [str(block) for block in ipaddress.summarize_address_range(net.network_address, last)]


def network_plan(net, ports, peer_subnets, svi_count):
    """Fabric and cluster halves of one present network."""
    selected = nodes_for(net, ports)
    bound = [entry for entry in selected if entry["status"] == "mapped"]
    switches = sorted(set(point["switch"] for entry in bound for point in entry["application_points"]))
    points = sorted({(point["switch"], point["interface"]) for entry in bound for point in entry["application_points"]})
    gateway = gateway_of(net["subnet"])
    routes = sorted(set(net["routes"]) | set(s for s in peer_subnets if s != net["subnet"]))
    tags = sorted(set(net["tags"]) | {OWNER_TAG})
    description = net["description"] or "SR-IOV %s/%s (%s)" % (net["namespace"], net["name"], net["resource_name"])
    vn = {"label": net["name"], "vn_type": "vxlan", "vni": net["vni"], "routing_zone": net["routing_zone"], "vlan_id": net["vlan"],
          "bindings": switches, "ipv4_subnet": net["subnet"], "ipv4_gateway": gateway, "mtu": net["mtu"], "tags": tags,
          "description": description}
    binding = {"virtual_network": net["name"], "tagged": True, "switch_ports": ["%s:%s" % point for point in points]}
    labels = dict(net["labels"])
    labels[NETWORK_LABEL] = net["name"]
    if net["routing_group"]:
        labels[ROUTING_GROUP_LABEL] = net["routing_group"]
    nad = {"name": net["name"], "namespace": net["namespace"], "resource_name": net["resource_name"], "vlan": net["vlan"],
           "labels": labels}
    if net["mtu"]:
        nad["mtu"] = net["mtu"]
    if net["ipam"] == "cn2":
        nad["ipam"] = {"type": "cn2"}
        nad["cn2"] = {"subnet": net["subnet"]}
    else:
        nad["ipam"] = {"type": net["ipam"], "range": net["subnet"], "gateway": gateway,
                       "routes": [{"dst": dst, "gw": gateway} for dst in routes]}
        if net["ipam"] == "whereabouts":
            nad["ipam"]["exclude"] = reserved_block(net["subnet"], svi_count)
        else:
            last_reserved = ipaddress.ip_network(reserved_block(net["subnet"], svi_count)[-1]).broadcast_address
            nad["ipam"]["range_start"] = str(last_reserved + 1)
        if not nad["ipam"]["routes"]:
            del nad["ipam"]["routes"]
    nodes = {
        "bound": [entry["node"] for entry in bound],
        "skipped": [{"node": entry["node"], "status": entry["status"], "problems": entry["problems"]} for entry in selected if entry["status"] != "mapped"],
    }
    return {"virtual_network": vn, "port_binding": binding, "attachment": nad, "nodes": nodes, "gateway": gateway}


def build_plan(nets, ports, fabric_leafs=None, state="present"):
    """The whole two-layer plan: ``config`` lists for every resource module, plus a per-network summary.

    ``fabric_leafs``: number of leafs in the blueprint, the SVI addresses reserved after the gateway (one per
    leaf that may ever host the VN, so the IPAM range does not move when a node joins on another leaf).
    """
    svi_count = max(int(fabric_leafs or 0), 2)
    present = [net for net in nets if state == "present" and net.get("state", "present") == "present"]
    absent = [net for net in nets if not (state == "present" and net.get("state", "present") == "present")]
    zones = sorted(set(net["routing_zone"] for net in present))
    group_subnets = {}
    for net in present:
        if net["routing_group"]:
            group_subnets.setdefault((net["namespace"], net["routing_group"]), []).append(net["subnet"])
    plan = {"routing_zones": [], "virtual_networks": [], "port_bindings": [], "attachments": [], "routers": [], "networks": [], "groups": [],
            "absent": {"virtual_networks": [], "port_bindings": [], "attachments": [], "routers": []}}
    for zone in zones:
        plan["routing_zones"].append({"label": zone})
    groups = {}
    for net in present:
        part = network_plan(net, ports, group_subnets.get((net["namespace"], net["routing_group"]), []), svi_count)
        plan["virtual_networks"].append(part["virtual_network"])
        plan["port_bindings"].append(part["port_binding"])
        plan["attachments"].append(part["attachment"])
        plan["networks"].append({"name": net["name"], "namespace": net["namespace"], "vlan": net["vlan"], "vni": net["vni"],
                                 "subnet": net["subnet"], "gateway": part["gateway"], "routing_zone": net["routing_zone"],
                                 "routing_group": net["routing_group"], "resource_name": net["resource_name"],
                                 "switches": part["virtual_network"]["bindings"], "ports": part["port_binding"]["switch_ports"],
                                 "nodes": part["nodes"], "allocated": net.get("allocated", []), "state": "present"})
        if net["routing_group"]:
            groups.setdefault((net["namespace"], net["routing_group"]), []).append(net["name"])
    for (namespace, group), members in sorted(groups.items()):
        plan["routers"].append({"name": group, "namespace": namespace, "type": "mesh", "virtual_network_selector": {ROUTING_GROUP_LABEL: group}})
        plan["groups"].append({"name": group, "namespace": namespace, "networks": members})
    absent_groups = set()
    for net in absent:
        plan["absent"]["virtual_networks"].append({"label": net["name"]})
        plan["absent"]["port_bindings"].append({"virtual_network": net["name"], "tagged": True})
        plan["absent"]["attachments"].append({"name": net["name"], "namespace": net["namespace"]})
        if net.get("routing_group") and (net["namespace"], net["routing_group"]) not in groups:
            absent_groups.add((net["namespace"], net["routing_group"]))
        plan["networks"].append({"name": net["name"], "namespace": net["namespace"], "vlan": net.get("vlan"), "subnet": net.get("subnet"),
                                 "routing_zone": net["routing_zone"], "routing_group": net.get("routing_group"), "state": "absent"})
    plan["absent"]["routers"] = [{"name": group, "namespace": namespace} for namespace, group in sorted(absent_groups)]
    return plan


# -- verification ---------------------------------------------------------------------------------------


def _by(items, *keys):
    return dict((tuple(item.get(k) for k in keys) if len(keys) > 1 else item.get(keys[0]), item) for item in items or [])


def _binding_ports(binding):
    return sorted(binding.get("switch_ports") or binding.get("interfaces") or [])


def verify(plan, vns=None, nads=None, bindings=None, additive=False):
    """Compare the plan with what each side holds, and the two sides with each other; returns drift entries.

    Each entry: {network, layer (fabric|cluster|cross), field, want, have}. An empty list means both sides
    hold exactly the intent and agree with each other. ``additive``: leafs and ports beyond the plan are
    accepted (what a provision run, which only adds, leaves in place).
    """
    drift = []
    vn_by = _by(vns, "label")
    nad_by = _by(nads, "namespace", "name")
    binding_by = _by(bindings, "virtual_network") if bindings is not None else None

    def add(network, layer, field, want, have):
        drift.append({"network": network, "layer": layer, "field": field, "want": want, "have": have})

    for want in plan["virtual_networks"]:
        have = vn_by.get(want["label"])
        if have is None:
            add(want["label"], "fabric", "virtual_network", "present", "missing")
            continue
        for key in ("vlan_id", "routing_zone", "ipv4_subnet", "ipv4_gateway", "bindings", "vni", "mtu"):
            wanted = want.get(key)
            if wanted is None:
                continue
            got = have.get(key)
            if key == "bindings":
                wanted, got = sorted(wanted), sorted(got or [])
                if additive and set(wanted) <= set(got):
                    continue
            if wanted != got:
                add(want["label"], "fabric", key, wanted, got)
    if binding_by is not None:
        for want in plan["port_bindings"]:
            have = binding_by.get(want["virtual_network"])
            wanted = _binding_ports(want)
            got = _binding_ports(have or {})
            if wanted != got and not (additive and set(wanted) <= set(got)):
                add(want["virtual_network"], "fabric", "ports", wanted, got)
    for want in plan["attachments"]:
        key = (want["namespace"], want["name"])
        have = nad_by.get(key)
        if have is None:
            add("%s/%s" % key, "cluster", "attachment", "present", "missing")
            continue
        for field in ("vlan", "resource_name", "mtu"):
            if want.get(field) is not None and want.get(field) != have.get(field):
                add("%s/%s" % key, "cluster", field, want.get(field), have.get(field))
        want_ipam, have_ipam = want.get("ipam") or {}, have.get("ipam") or {}
        for field in sorted(set(want_ipam) | set(have_ipam)):
            if want_ipam.get(field) != have_ipam.get(field):
                add("%s/%s" % key, "cluster", "ipam." + field, want_ipam.get(field), have_ipam.get(field))
        # the two sides against each other: same VLAN, the NAD's gateway is the fabric's
        vn = vn_by.get(want["name"])
        if vn is not None:
            if have.get("vlan") != vn.get("vlan_id"):
                add("%s/%s" % key, "cross", "vlan", vn.get("vlan_id"), have.get("vlan"))
            gateway = have_ipam.get("gateway")
            if gateway is not None and gateway != vn.get("ipv4_gateway"):
                add("%s/%s" % key, "cross", "gateway", vn.get("ipv4_gateway"), gateway)
    for want in plan["absent"]["virtual_networks"]:
        if want["label"] in vn_by:
            add(want["label"], "fabric", "virtual_network", "absent", "present")
    for want in plan["absent"]["attachments"]:
        if (want["namespace"], want["name"]) in nad_by:
            add("%s/%s" % (want["namespace"], want["name"]), "cluster", "attachment", "absent", "present")
    return drift


def summary(plan, problems=None):
    """Human-readable lines of the two-layer plan (what ``--check --diff`` shows before any change)."""
    lines = []
    nads = _by(plan["attachments"], "name")
    for net in plan["networks"]:
        if net["state"] == "absent":
            lines.append("%s/%s: remove (NAD, port bindings, virtual network)" % (net["namespace"], net["name"]))
            continue
        nad = nads.get(net["name"]) or {}
        ipam = nad.get("ipam") or {}
        lines.append("%s/%s: VLAN %s, VNI %s, %s gateway %s, routing zone %s%s%s" % (
            net["namespace"], net["name"], net["vlan"], net["vni"] or "from pool", net["subnet"], net["gateway"], net["routing_zone"],
            ", routing group %s" % net["routing_group"] if net["routing_group"] else "",
            " (allocated: %s)" % ", ".join(net["allocated"]) if net.get("allocated") else ""))
        lines.append("  fabric: VN bound to %s; tagged on %s" % (", ".join(net["switches"]) or "no leaf", ", ".join(net["ports"]) or "no port"))
        lines.append("  cluster: NAD %s/%s resource %s, IPAM %s range %s exclude %s" % (
            net["namespace"], net["name"], net["resource_name"], ipam.get("type"), ipam.get("range") or (nad.get("cn2") or {}).get("subnet"),
            ", ".join(ipam.get("exclude") or []) or "-"))
        skipped = (net.get("nodes") or {}).get("skipped") or []
        if skipped:
            lines.append("  not bound: %s" % ", ".join("%s (%s)" % (s["node"], s["status"]) for s in skipped))
    for group in plan["groups"]:
        lines.append("VirtualNetworkRouter %s/%s (mesh) connects %s" % (group["namespace"], group["name"], ", ".join(group["networks"])))
    lines.extend("problem: %s" % problem for problem in problems or [])
    return lines


def port_summary(ports):
    """One line per node of the node/port map: PF -> leaf port, LLDP check, resources, status."""
    lines = []
    for entry in ports:
        pfs = []
        for pf in entry["pfs"]:
            where = "%s %s" % (pf["leaf"], pf["leaf_interface"]) if pf.get("leaf") else "not in Apstra"
            seen = ", ".join("%s %s" % (n.get("switch"), n.get("port")) for n in pf.get("lldp") or []) or "none"
            pfs.append("%s -> %s (LLDP: %s)" % (pf["name"], where, seen))
        points = ", ".join("%s:%s" % (p["switch"], p["interface"]) for p in entry["application_points"]) or "-"
        resources = ", ".join("%s=%s" % item for item in sorted(entry["resources"].items())) or "no SR-IOV resource"
        lines.append("%s [%s] %s; binds on %s; %s" % (entry["node"], entry["status"], "; ".join(pfs) or "no PF", points, resources))
    return lines
