# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The canonical read model of each Apstra object kind, one mapping from the API's answer each (as
terraform-provider-apstra's LoadApiData per resource): routing zones, virtual networks, single-VLAN connectivity
templates, port bindings, revisions.

A REST answer and a graph node carry the same properties (the graph has the relationships where REST inlines ids: a
VN's zone and its bindings), so one function maps both; the engine, the staging diff, the deployed read-back,
verification and the report all read these models, never a raw answer. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import owner_of_tags

# VN fields that are one API field each: canonical name -> (API field, the API flag that enables it or None, what the
# API takes for "none"). The one place a plain VN field is added: reading it (virtual_network), writing it
# (resources.VirtualNetworks), its default, the fields a change, the staging diff, verification and the report compare.
PLAIN_VN_FIELDS = {
    "mtu": ("l3_mtu", None, None),
    "description": ("description", None, ""),
    "ipv6_subnet": ("ipv6_subnet", "ipv6_enabled", None),
}
# The fields of a canonical VN besides its id and owner (what a change, the staging diff and the report compare).
VN_FIELDS = (
    "label",
    "vn_type",
    "vni",
    "routing_zone",
    "vlan_id",
    "bindings",
    "ipv4_subnet",
    "ipv4_gateway",
    "dhcp",
    "tags",
) + tuple(PLAIN_VN_FIELDS)
ZONE_FIELDS = (
    "label",
    "vrf_name",
    "vni",
    "vlan_id",
    "import_rts",
    "export_rts",
    "junos_evpn_irb_mode",
    "tags",
)


def _int(value):
    """An integer the API gives as a number or a string of digits (a VNI is a string), else None."""
    return int(value) if str(value).lstrip("-").isdigit() else None


def zone(obj):
    """A routing zone from a security-zone REST item or graph node."""
    rt_policy = obj.get("rt_policy") or {}
    tags = sorted(obj.get("tags") or [])
    return dict(
        id=obj.get("id"),
        label=obj.get("label"),
        vrf_name=obj.get("vrf_name"),
        vni=_int(obj.get("vni_id")),
        vlan_id=obj.get("vlan_id"),
        import_rts=sorted(rt_policy.get("import_RTs") or []),
        export_rts=sorted(rt_policy.get("export_RTs") or []),
        junos_evpn_irb_mode=obj.get("junos_evpn_irb_mode"),
        tags=tags,
        owner=owner_of_tags(tags),
    )


def virtual_network(obj, routing_zone, bindings, vlan_id):
    """A VN from a virtual-network REST item or graph node, with what the relationships give: the label of its zone,
    the names of the leafs / ESI pairs it is bound to and its VLAN there."""
    tags = sorted(obj.get("tags") or [])
    vlan = vlan_id if vlan_id is not None else obj.get("reserved_vlan_id")
    vn = dict(
        id=obj.get("id"),
        label=obj.get("label"),
        vn_type=obj.get("vn_type"),
        vni=_int(obj.get("vn_id")),
        routing_zone=routing_zone,
        vlan_id=_int(vlan),
        bindings=sorted(set(bindings)),
        ipv4_subnet=obj.get("ipv4_subnet") if obj.get("ipv4_enabled") else None,
        ipv4_gateway=(
            obj.get("virtual_gateway_ipv4") if obj.get("virtual_gateway_ipv4_enabled") else None
        ),
        dhcp=obj.get("dhcp_service") == "dhcpServiceEnabled",
        tags=tags,
        owner=owner_of_tags(tags),
    )
    for field, (api, flag, _none) in PLAIN_VN_FIELDS.items():
        vn[field] = (obj.get(api) or None) if flag is None or obj.get(flag) else None
    return vn


def vn_from_api(vn, zone_names, fabric):
    """A VN from GET .../virtual-networks (``zone_names``: zone id -> label; ``fabric``: a service.Fabric)."""
    bound = vn.get("bound_to") or []
    vlans = [binding.get("vlan_id") for binding in bound if binding.get("vlan_id") is not None]
    return virtual_network(
        vn,
        zone_names.get(vn.get("security_zone_id"), vn.get("security_zone_id")),
        [fabric.name_of(binding.get("system_id")) for binding in bound],
        vlans[0] if vlans else None,
    )


def vns_from_graph(rows, pairs=None):
    """{label: VN} from VIRTUAL_NETWORKS_QUERY rows. A VN bound to an ESI pair has an instance on each member leaf:
    ``pairs`` ({pair: [member leafs]}) names the pair instead, as the VN's ``bound_to`` does."""
    nodes, zones, instances = {}, {}, {}
    for row in rows:
        label = row["vn"].get("label")
        nodes.setdefault(label, row["vn"])
        if row.get("sz"):
            zones[label] = row["sz"].get("label")
        inst, switch = row.get("inst"), row.get("switch")
        if inst and switch:
            instances.setdefault(label, {})[switch.get("label") or switch.get("id")] = inst
    out = {}
    for label, node in nodes.items():
        bound = instances.get(label, {})
        names = set(bound)
        for pair, members in (pairs or {}).items():
            if members and set(members) <= names:
                names = (names - set(members)) | {pair}
        vlans = [inst.get("vlan_id") for inst in bound.values() if inst.get("vlan_id") is not None]
        out[label] = virtual_network(node, zones.get(label), names, vlans[-1] if vlans else None)
    return out


def _attributes(node):
    attrs = node.get("attributes")
    if isinstance(attrs, str):
        try:
            attrs = json.loads(attrs)
        except ValueError:
            attrs = {}
    return attrs if isinstance(attrs, dict) else {}


def templates(rows):
    """The single-VLAN connectivity templates in BINDINGS_QUERY rows: [{id, vn_id, tag_type, tags, owner, interfaces
    (application point ids)}], and {interface id: "<host>:<if_name>"} of the interfaces they are applied to. A template
    with more than one primitive is not a single-VLAN one and is left out."""
    found, primitives, names = {}, {}, {}
    for row in rows:
        root, prim = row["ct"], row["prim"]
        primitives.setdefault(root["id"], set()).add(prim["id"])
        tags = sorted(root.get("tags") or [])
        entry = found.setdefault(
            root["id"],
            dict(
                id=root["id"],
                vn_id=_attributes(prim).get("vn_node_id") or prim.get("vn_node_id"),
                tag_type=_attributes(prim).get("tag_type") or prim.get("tag_type"),
                tags=tags,
                owner=owner_of_tags(tags),
                interfaces=set(),
            ),
        )
        interface = row.get("intf")
        if interface:
            entry["interfaces"].add(interface["id"])
            host = row.get("intf_host") or {}
            names[interface["id"]] = "%s:%s" % (
                host.get("label") or host.get("hostname"),
                interface.get("if_name"),
            )
    singles, seen = [], set()
    for root_id in sorted(found):
        entry = found[root_id]
        key = (entry["vn_id"], entry["tag_type"])
        if len(primitives[root_id]) == 1 and key not in seen:
            seen.add(key)
            singles.append(dict(entry, interfaces=sorted(entry["interfaces"])))
    return singles, names


def templates_from_policies(policies):
    """The single-VLAN connectivity templates in GET .../endpoint-policies (every policy node, with the root's
    ``description`` and ``app_points_count``): [{id, vn_id, tag_type, tags, owner, description, app_points_count}],
    by root id, the same templates as ``templates`` finds (one pipeline to one AttachSingleVLAN, the first per VN
    and mode), without their interfaces."""
    by_id = dict((policy.get("id"), policy) for policy in policies)
    found, seen = [], set()
    for root in sorted(
        (p for p in policies if p.get("policy_type_name") == "batch"), key=lambda p: p["id"]
    ):
        pipelines = _attributes(root).get("subpolicies") or []
        if len(pipelines) != 1:
            continue
        prim = by_id.get(_attributes(by_id.get(pipelines[0]) or {}).get("first_subpolicy")) or {}
        if prim.get("policy_type_name") != "AttachSingleVLAN":
            continue
        key = (_attributes(prim).get("vn_node_id"), _attributes(prim).get("tag_type"))
        if key in seen:
            continue
        seen.add(key)
        tags = sorted(root.get("tags") or [])
        found.append(
            dict(
                id=root["id"],
                vn_id=key[0],
                tag_type=key[1],
                tags=tags,
                owner=owner_of_tags(tags),
                description=root.get("description") or "",
                app_points_count=root.get("app_points_count"),
            )
        )
    return found


def port_bindings(single_templates, vns, port_names, interface_names=None):
    """The port bindings the templates make: [{virtual_network, tagged, interfaces}] for each applied template of a
    known VN, interfaces by port name (``port_names``: application point id -> name, else ``interface_names``).
    """
    labels = dict((vn["id"], vn["label"]) for vn in vns)
    out = []
    for template in single_templates:
        if template["interfaces"] and template["vn_id"] in labels:
            out.append(
                dict(
                    virtual_network=labels[template["vn_id"]],
                    tagged=template["tag_type"] == "vlan_tagged",
                    interfaces=sorted(
                        port_names.get(ap) or (interface_names or {}).get(ap, ap)
                        for ap in template["interfaces"]
                    ),
                )
            )
    return sorted(out, key=lambda item: (item["virtual_network"], not item["tagged"]))


def revision(item):
    """A revision from GET .../revisions: Apstra names it by its id; the version is the blueprint's it deployed."""
    return dict(
        revision_id=item.get("revision_id") or item.get("id"),
        version=_int(item.get("version")),
        description=item.get("description"),
    )
