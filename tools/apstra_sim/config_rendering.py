"""Rendered device configuration: what Apstra pushes to a switch, staged or deployed, and the incremental config.

Apstra renders every managed device's configuration from the blueprint graph. This module does the same for what the
emulator models and this collection changes, in the shape Apstra renders for Junos leafs of the two_stage_l3clos
reference design (sources in README.md, "Rendered configuration"):

- a base per switch: `system host-name`, the fabric links (/31 towards the spines), `lo0.0`, `routing-options`;
- per virtual network bound to a leaf: the VLAN `vn<vlan>` in the MAC-VRF `evpn-1` (vlan-id, `vxlan vni`,
  `l3-interface irb.<vlan>`), its `vni-options` route target under `protocols evpn` (`extended-vni-list all`), the
  IRB unit (anycast `address <gateway>/<len>` + `mac`, or a leaf's own SVI address with `virtual-gateway-address`)
  and, for a routing zone other than the default one, the zone's VRF routing instance with `interface irb.<vlan>`;
- per server port carrying a single/multiple-VLAN connectivity template: `unit 0 family ethernet-switching
  interface-mode trunk; vlan members ...` (`native-vlan-id` for an untagged VN); a dual-homed (ESI) server is the
  `ae` on both leafs of the pair (`esi`, `aggregated-ether-options lacp`), its ports `ether-options 802.3ad aeN`.

A device's rendering is a pure function of a "device context" (a JSON-able dict built from one graph, staging or
deployed); `incremental()` is the difference of two renderings in Apstra's incremental-config format. The HTTP
handlers (`render_node`, ...) are at the end, wired in `routes.py`.
"""

import difflib
import ipaddress
import json
import re

from apstra_sim.common import SUBPOLICY_RELS
from apstra_sim.connectivity_templates import primitive_vns
from apstra_sim.errors import NotFound, Unprocessable

ANYCAST_MAC = (
    "00:1c:73:00:00:01"  # Apstra's default anycast gateway MAC on Junos (JVD leaf configs)
)
SWITCH_MTU = 9216
FABRIC_L3_MTU = 9170
DEFAULT_L3_MTU = 9000
MAC_VRF = "evpn-1"
MAC_VRF_RD_SUFFIX = 65534
MAC_VRF_TARGET = "target:100:100"
FIRST_ASN = 64512
FABRIC_LINK_BASE = ipaddress.ip_address("10.0.1.0")
VRF_LOOPBACK_BASE = ipaddress.ip_address("10.255.0.0")


# ---- Junos hierarchy ----------------------------------------------------------------------------------------------
class Level:
    """One Junos hierarchy level: statements (`vlan-id 100`) and child levels, in rendering order."""

    def __init__(self):
        self.items = []  # ("stmt", text) or ("level", name, Level)
        self._levels = {}

    def stmt(self, text):
        self.items.append(("stmt", text))
        return self

    def level(self, name):
        if name not in self._levels:
            child = Level()
            self._levels[name] = child
            self.items.append(("level", name, child))
        return self._levels[name]

    def statements(self):
        return [item[1] for item in self.items if item[0] == "stmt"]

    def levels(self):
        return [(item[1], item[2]) for item in self.items if item[0] == "level"]

    def lines(self, depth=0):
        pad = "    " * depth
        out = []
        for item in self.items:
            if item[0] == "stmt":
                out.append("%s%s;" % (pad, item[1]))
            else:
                out.append("%s%s {" % (pad, item[1]))
                out.extend(item[2].lines(depth + 1))
                out.append("%s}" % pad)
        return out

    def text(self):
        lines = self.lines()
        return "\n".join(lines) + "\n" if lines else ""


def members_stmt(names):
    return "members %s" % names[0] if len(names) == 1 else "members [ %s ]" % " ".join(names)


# ---- incremental config ---------------------------------------------------------------------------------------------
def incremental(old, new):
    """What a commit of `new` over `old` pushes, as Apstra's config-incremental shows it for Junos.

    Both renderings are read in configuration order as (hierarchy path, statement) pairs and compared; each run of
    changed statements under one path is a block: `[path]` (the path is in both renderings), `+ [path]` (only in
    `new`) or `- [path]` (only in `old`), then `- removed;` / `+ added;`. Blocks are separated by a blank line; the text
    starts with a newline and ends with a blank line. Equal renderings give "".
    """
    before, after = _flatten(old), _flatten(new)
    old_paths, new_paths = {path for path, _s in before}, {path for path, _s in after}
    changes = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changes.extend(("-", path, stmt) for path, stmt in before[i1:i2])
            changes.extend(("+", path, stmt) for path, stmt in after[j1:j2])
    blocks = []
    for sign, path, stmt in changes:
        if path in old_paths and path in new_paths:
            head = "[%s]" % " ".join(path)
        else:
            head = "%s [%s]" % ("+" if path in new_paths else "-", " ".join(path))
        if not blocks or blocks[-1][0] != head:
            blocks.append((head, []))
        blocks[-1][1].append("%s %s;" % (sign, stmt))
    if not blocks:
        return ""
    return (
        "".join("\n%s\n%s" % (head, "".join(line + "\n" for line in body)) for head, body in blocks)
        + "\n"
    )


def _flatten(level, path=()):
    """(path, statement) pairs of a hierarchy in configuration order."""
    pairs = []
    for item in level.items:
        if item[0] == "stmt":
            pairs.append((path, item[1]))
        else:
            pairs.extend(_flatten(item[2], path + (item[1],)))
    return pairs


# ---- device context: what one graph says about one switch ---------------------------------------------------------
def _numbers(name):
    return [int(n) for n in re.findall(r"\d+", name or "")]


def _interface_order(item):
    name = item["name"]
    if name.startswith("ae"):
        return (1, _numbers(name))
    return (0, _numbers(name))


def _peer(graph, interface_id):
    """(link, the interface at the other end, its host) of an interface's first link, or (None, None, None)."""
    for link in graph.targets(interface_id, "link"):
        for other in graph.sources(link["id"], "link"):
            if other["id"] != interface_id:
                hosts = graph.sources(other["id"], "hosted_interfaces")
                return link, other, hosts[0] if hosts else None
    return None, None, None


def _switches(graph):
    return [n for n in graph.of_type("system") if n["system_type"] == "switch"]


def _loopback(index):
    """lo0.0 of the index-th switch: 192.168.255.0, .1, ... then 192.168.254.0 ... (deterministic, emulator's own)."""
    return "192.168.%d.%d" % (255 - index // 256, index % 256)


def _template_vns(graph, root_id):
    """(vn id, tag_type) pairs of a template (its AttachSingleVLAN / AttachMultipleVLAN primitives)."""
    pairs, seen, stack = [], set(), [root_id]
    while stack:
        policy = graph.nodes[stack.pop()]
        if policy["id"] in seen:
            continue
        seen.add(policy["id"])
        pairs.extend(primitive_vns(policy))
        for rel_type in SUBPOLICY_RELS:
            stack.extend(n["id"] for n in graph.targets(policy["id"], rel_type))
    return pairs


def _attached_vns(graph, app_point_id):
    """vn id -> tag_type of every template assigned to an application point."""
    attached = {}
    for group in graph.targets(app_point_id, "ep_member_of"):
        for inst in graph.sources(group["id"], "ep_affected_by"):
            for root in graph.targets(inst["id"], "ep_top_level"):
                for vn_id, tag_type in _template_vns(graph, root["id"]):
                    attached[vn_id] = tag_type
    return attached


def _svi_address(vn, leaf_id, prefix_len):
    for svi in vn.get("svi_ips") or []:
        if (
            isinstance(svi, dict)
            and svi.get("system_id") == leaf_id
            and svi.get("ipv4_mode", "enabled") in ("enabled", "forced")
            and svi.get("ipv4_addr")
        ):
            address = str(svi["ipv4_addr"])
            return address if "/" in address else "%s/%d" % (address, prefix_len)
    return None


def _irb(vn, zone, leaf_id):
    """The IRB of a VN on a leaf, or None for a layer-2 VN."""
    if not vn.get("ipv4_enabled") or not vn.get("ipv4_subnet"):
        return None
    try:
        prefix_len = ipaddress.ip_network(vn["ipv4_subnet"], strict=False).prefixlen
    except ValueError:
        return None
    gateway = vn.get("virtual_gateway_ipv4") if vn.get("virtual_gateway_ipv4_enabled") else None
    if gateway:
        gateway = str(gateway).split("/", maxsplit=1)[0]
    svi = _svi_address(vn, leaf_id, prefix_len)
    if not gateway and not svi:
        return None
    return {
        "mtu": vn.get("l3_mtu") or (zone or {}).get("l3_mtu") or DEFAULT_L3_MTU,
        "address": svi or "%s/%d" % (gateway, prefix_len),
        "virtual_gateway": gateway if svi else None,
        "mac": vn.get("virtual_mac") or ANYCAST_MAC,
    }


def device_context(graph, system):
    """What the graph says about one switch: the JSON-able input of `render()`."""
    switches = _switches(graph)
    index = next(i for i, n in enumerate(switches) if n["id"] == system["id"])
    context = {
        "hostname": system["hostname"] or system["label"],
        "role": system["role"],
        "system_id": system.get("system_id"),
        "loopback": _loopback(index),
        "asn": FIRST_ASN + index,
        "interfaces": [],
        "vlans": [],
        "vrfs": [],
    }
    fabric_links = [
        link["id"] for link in graph.of_type("link") if link.get("role") == "spine_leaf"
    ]
    vlans = {}  # vn id -> vlan entry (leafs only)
    if system["role"] == "leaf":
        vlans = _leaf_vlans(graph, system, context, index)
    esi_index = {
        po["id"]: n
        for n, po in enumerate(
            (
                intf
                for rg in graph.of_type("redundancy_group")
                for intf in graph.targets(rg["id"], "hosted_interfaces")
                if intf["if_type"] == "port_channel"
            ),
            start=1,
        )
    }
    for intf in graph.targets(system["id"], "hosted_interfaces"):
        entry = _interface(graph, system, intf, fabric_links, esi_index, vlans)
        if entry:
            context["interfaces"].append(entry)
    context["interfaces"].sort(key=_interface_order)
    return context


def _leaf_vlans(graph, leaf, context, index):
    vlans, zones = {}, {}
    for inst in graph.targets(leaf["id"], "hosted_vn_instances"):
        for vn in graph.sources(inst["id"], "instantiated_by"):
            zone_nodes = graph.sources(vn["id"], "member_vns")
            zone = zone_nodes[0] if zone_nodes else None
            vlans[vn["id"]] = {
                "name": "vn%d" % inst["vlan_id"],
                "description": vn["label"],
                "vlan_id": inst["vlan_id"],
                "vni": (
                    int(vn["vn_id"]) if vn.get("vn_type") == "vxlan" and vn.get("vn_id") else None
                ),
                "irb": _irb(vn, zone, leaf["id"]),
                "vrf": zone["vrf_name"] if zone and zone["vrf_name"] != "default" else None,
            }
            if zone and zone["vrf_name"] != "default":
                zones[zone["vrf_name"]] = zone
    context["vlans"] = sorted(vlans.values(), key=lambda v: v["vlan_id"])
    for name in sorted(zones):
        zone = zones[name]
        context["vrfs"].append(
            {
                "name": name,
                "vrf_id": zone["vrf_id"],
                "vni": zone["vni_id"],
                "loopback": str(VRF_LOOPBACK_BASE + (zone["vrf_id"] << 12) + index),
            }
        )
    return vlans


def _switching(graph, app_point_id, vlans):
    """The trunk of an application point: its VLANs (tagged and untagged) and the untagged one, or None."""
    attached = _attached_vns(graph, app_point_id)
    members = sorted(vlans[vn]["vlan_id"] for vn in attached if vn in vlans)
    untagged = [
        vlans[vn]["vlan_id"] for vn, tag in attached.items() if vn in vlans and tag == "untagged"
    ]
    if not members:
        return None
    return {"members": members, "native_vlan": untagged[0] if untagged else None}


def _interface(graph, system, intf, fabric_links, esi_index, vlans):
    name = intf["if_name"]
    if intf["if_type"] == "port_channel":
        groups = graph.sources(intf["id"], "composed_of")
        if not groups:
            return None
        group_po = groups[0]
        _link, _other, server = _peer(graph, group_po["id"])
        n = esi_index.get(group_po["id"], 0)
        lacp = "02:00:00:00:%02x:%02x" % ((n >> 8) & 0xFF, n & 0xFF)
        return {
            "name": name,
            "description": "to.%s" % server["label"] if server else None,
            "esi": "00:%s:%02x:%02x:%02x" % (lacp, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF),
            "lacp_system_id": lacp,
            "switching": _switching(graph, group_po["id"], vlans),
        }
    link, other, peer = _peer(graph, intf["id"])
    if link is None:
        return None
    if link.get("role") == "spine_leaf":
        number = fabric_links.index(link["id"])
        address = FABRIC_LINK_BASE + 2 * number + (1 if system["role"] == "leaf" else 0)
        return {
            "name": name,
            "description": "facing_%s:%s" % (peer["label"], other["if_name"]),
            "address": "%s/31" % address,
        }
    lags = graph.sources(intf["id"], "composed_of")
    entry = {"name": name, "description": "to.%s" % peer["label"] if peer else None}
    if lags:
        entry["lag"] = lags[0]["if_name"]
    elif system["role"] == "leaf":
        entry["switching"] = _switching(graph, intf["id"], vlans)
    return entry


# ---- rendering ------------------------------------------------------------------------------------------------------
def render(context):
    """The Junos configuration of a device context, as a hierarchy (`.text()` gives Apstra's curly-brace text)."""
    conf = Level()
    conf.level("system").stmt("host-name %s" % context["hostname"])
    interfaces = conf.level("interfaces")
    vlan_by_id = {v["vlan_id"]: v for v in context["vlans"]}
    switching_ports = []
    for intf in context["interfaces"]:
        level = interfaces.level("replace: %s" % intf["name"])
        if intf.get("description"):
            level.stmt("description %s" % intf["description"])
        if intf.get("lag"):
            level.level("ether-options").stmt("802.3ad %s" % intf["lag"])
            continue
        switching = intf.get("switching")
        if switching and switching["native_vlan"] is not None:
            level.stmt("native-vlan-id %d" % switching["native_vlan"])
        if intf.get("address") or switching or intf.get("esi"):
            level.stmt("mtu %d" % SWITCH_MTU)
        if intf.get("esi"):
            level.level("esi").stmt(intf["esi"]).stmt("all-active")
            lacp = level.level("aggregated-ether-options").level("lacp")
            lacp.stmt("active").stmt("system-id %s" % intf["lacp_system_id"])
        if intf.get("address"):
            inet = level.level("unit 0").level("family inet")
            inet.stmt("mtu %d" % FABRIC_L3_MTU).stmt("address %s" % intf["address"])
        if switching:
            family = level.level("unit 0").level("family ethernet-switching")
            family.stmt("interface-mode trunk")
            names = [vlan_by_id[v]["name"] for v in switching["members"]]
            family.level("vlan").stmt(members_stmt(names))
            switching_ports.append(intf["name"])
    irbs = [v for v in context["vlans"] if v["irb"]]
    if irbs:
        irb_level = interfaces.level("replace: irb")
        for vlan in irbs:
            irb = vlan["irb"]
            unit = irb_level.level("unit %d" % vlan["vlan_id"])
            if irb["virtual_gateway"]:
                unit.stmt("virtual-gateway-accept-data")
            inet = unit.level("family inet").stmt("mtu %d" % irb["mtu"])
            if irb["virtual_gateway"]:
                inet.level("address %s" % irb["address"]).stmt(
                    "virtual-gateway-address %s" % irb["virtual_gateway"]
                )
                unit.stmt("virtual-gateway-v4-mac %s" % irb["mac"])
            else:
                inet.stmt("address %s" % irb["address"])
                unit.stmt("mac %s" % irb["mac"])
    lo0 = interfaces.level("replace: lo0")
    lo0.level("unit 0").level("family inet").stmt("address %s/32" % context["loopback"])
    for vrf in context["vrfs"]:
        unit = lo0.level("unit %d" % vrf["vrf_id"])
        unit.level("family inet").stmt("address %s/32" % vrf["loopback"])
    if context["role"] == "leaf":
        _routing_instances(conf.level("routing-instances"), context, switching_ports)
    options = conf.level("routing-options")
    options.stmt("router-id %s" % context["loopback"]).stmt("autonomous-system %d" % context["asn"])
    return conf


def _routing_instances(instances, context, switching_ports):
    vrfs = {vrf["name"]: vrf for vrf in context["vrfs"]}
    for name in sorted(list(vrfs) + [MAC_VRF]):
        if name == MAC_VRF:
            _mac_vrf(instances.level(MAC_VRF), context, switching_ports)
            continue
        vrf = vrfs[name]
        level = instances.level(name).stmt("instance-type vrf")
        level.level("routing-options").stmt("graceful-restart").stmt("multipath").stmt(
            "auto-export"
        )
        prefix_routes = level.level("protocols").level("evpn").level("ip-prefix-routes")
        prefix_routes.stmt("advertise direct-nexthop").stmt("encapsulation vxlan")
        prefix_routes.stmt("vni %d" % vrf["vni"])
        for vlan in context["vlans"]:
            if vlan["vrf"] == name and vlan["irb"]:
                level.stmt("interface irb.%d" % vlan["vlan_id"])
        level.stmt("interface lo0.%d" % vrf["vrf_id"])
        level.stmt("route-distinguisher %s:%d" % (context["loopback"], vrf["vrf_id"]))
        level.stmt("vrf-target target:%d:1" % vrf["vni"])


def _mac_vrf(level, context, switching_ports):
    level.stmt("instance-type mac-vrf")
    evpn = level.level("protocols").level("evpn")
    evpn.stmt("encapsulation vxlan").stmt("default-gateway do-not-advertise")
    evpn.level("duplicate-mac-detection").stmt("auto-recovery-time 9")
    evpn.stmt("extended-vni-list all")
    vxlan_vlans = [v for v in context["vlans"] if v["vni"] is not None]
    if vxlan_vlans:
        options = evpn.level("vni-options")
        for vlan in sorted(vxlan_vlans, key=lambda v: v["vni"]):
            options.level("vni %d" % vlan["vni"]).stmt("vrf-target target:%d:1" % vlan["vni"])
    level.stmt("vtep-source-interface lo0.0").stmt("service-type vlan-aware")
    for port in switching_ports:
        level.stmt("interface %s.0" % port)
    level.stmt("route-distinguisher %s:%d" % (context["loopback"], MAC_VRF_RD_SUFFIX))
    level.stmt("vrf-target %s" % MAC_VRF_TARGET)
    if context["vlans"]:
        vlans = level.level("vlans")
        for vlan in context["vlans"]:
            entry = vlans.level(vlan["name"])
            entry.stmt("description %s" % vlan["description"])
            entry.stmt("vlan-id %d" % vlan["vlan_id"])
            if vlan["irb"]:
                entry.stmt("l3-interface irb.%d" % vlan["vlan_id"])
            if vlan["vni"] is not None:
                entry.level("vxlan").stmt("vni %d" % vlan["vni"])


# ---- the blueprint's view: which node, which graph ------------------------------------------------------------------
def _system(bp, graph, node_id=None, serial=None):
    """The system node asked for: by node id, or by its device serial (`system_id`). 404 if the graph has none."""
    if serial is not None:
        found = [n for n in graph.of_type("system") if n.get("system_id") == serial]
        if not found:
            raise NotFound("System %s not found" % serial)
        node = found[0]
    else:
        node = graph.nodes.get(node_id)
        if node is None:
            raise NotFound("Node %s not found" % node_id)
    if node["type"] != "system" or node["system_type"] != "switch":
        raise Unprocessable(
            "Node %s is not a managed device: no configuration is rendered for it" % node["id"]
        )
    return node


def context_of(bp, graph_type=None, node_id=None, serial=None):
    graph = bp.graph_for(graph_type)[0]
    return device_context(graph, _system(bp, graph, node_id, serial))


def rendered_config(bp, graph_type=None, node_id=None, serial=None):
    return render(context_of(bp, graph_type, node_id, serial)).text()


def incremental_config(bp, node_id=None, serial=None, context=None):
    """Apstra's config-incremental answer: staging (or a given device context) against the deployed rendering."""
    deployed = context_of(bp, "deployed", node_id, serial)
    staged = context_of(bp, "staging", node_id, serial) if context is None else context
    return {
        "config": incremental(render(deployed), render(staged)),
        "context": json.dumps(staged, sort_keys=True),
        "pristine_config": None,
        "supports_diff_config": False,
    }


# ---- HTTP handlers (routes.py) --------------------------------------------------------------------------------------
def render_node(ctx):
    return 200, {"config": rendered_config(ctx.bp, ctx.query.get("type"), node_id=ctx.params["id"])}


def render_system(ctx):
    return 200, {"config": rendered_config(ctx.bp, ctx.query.get("type"), serial=ctx.params["id"])}


def node_context(ctx):
    context = context_of(ctx.bp, ctx.query.get("type"), node_id=ctx.params["id"])
    return 200, {"context": json.dumps(context, sort_keys=True)}


def _given_context(body):
    if not isinstance(body, dict) or body.get("context") is None:
        return None
    try:
        context = json.loads(body["context"]) if isinstance(body["context"], str) else None
        render(context)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise Unprocessable(
            {"context": "Not a device context of this emulator (see GET .../config-context)"}
        )
    return context


def node_incremental(ctx):
    context = _given_context(ctx.body) if ctx.method == "POST" else None
    return 200, incremental_config(ctx.bp, node_id=ctx.params["id"], context=context)


def system_incremental(ctx):
    return 200, incremental_config(ctx.bp, serial=ctx.params["id"])
