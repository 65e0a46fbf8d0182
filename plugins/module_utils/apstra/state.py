# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a blueprint graph holds of routing zones, virtual networks and port bindings, read the same way from the
staging and from the deployed graph; and what is staged but not deployed (the difference of the two).

"Done" is what Apstra has deployed: verification reads ``deployed`` state, never the staging. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import concurrently
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    BINDINGS_QUERY,
    bindings_from_rows,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import owner_of_tags

VN_COMPARED = (
    "vni",
    "vlan_id",
    "routing_zone",
    "ipv4_subnet",
    "ipv4_gateway",
    "bindings",
    "mtu",
    "tags",
)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def vn_state(rows, pairs=None):
    """{label: canonical VN} from VIRTUAL_NETWORKS_QUERY rows. A VN bound to an ESI pair has an instance on each member
    leaf: ``pairs`` ({pair: [member leafs]}) names the pair instead, as the VN's ``bound_to`` does.
    """
    out = {}
    for row in rows:
        vn = row["vn"]
        entry = out.get(vn.get("label"))
        if entry is None:
            entry = out[vn.get("label")] = dict(
                id=vn["id"],
                label=vn.get("label"),
                vni=_int(vn.get("vn_id")),
                routing_zone=(row.get("sz") or {}).get("label"),
                ipv4_subnet=vn.get("ipv4_subnet") if vn.get("ipv4_enabled") else None,
                ipv4_gateway=(
                    vn.get("virtual_gateway_ipv4")
                    if vn.get("virtual_gateway_ipv4_enabled")
                    else None
                ),
                mtu=vn.get("l3_mtu"),
                tags=sorted(vn.get("tags") or []),
                bindings=[],
                vlan_id=_int(vn.get("reserved_vlan_id")),
            )
        inst, switch = row.get("inst"), row.get("switch")
        if inst and switch:
            name = switch.get("label") or switch.get("id")
            if name not in entry["bindings"]:
                entry["bindings"] = sorted(entry["bindings"] + [name])
            if inst.get("vlan_id") is not None:
                entry["vlan_id"] = _int(inst["vlan_id"])
    for entry in out.values():
        for pair, members in (pairs or {}).items():
            if members and set(members) <= set(entry["bindings"]):
                entry["bindings"] = sorted((set(entry["bindings"]) - set(members)) | {pair})
    return out


def binding_state(rows, vns, port_names):
    """{(VN label, tagged): {interfaces, owner, template}} from BINDINGS_QUERY rows; ``vns`` is vn_state() of the same graph."""
    labels = dict((vn["id"], label) for label, vn in vns.items())
    templates, roots, assigned, names = bindings_from_rows(rows)
    out = {}
    for (vn_id, tag_type), root in templates.items():
        if vn_id not in labels:
            continue
        interfaces = sorted(
            port_names.get(ap) or names.get(ap, ap) for ap in assigned.get(root, ())
        )
        out[(labels[vn_id], tag_type == "vlan_tagged")] = {
            "interfaces": interfaces,
            "owner": owner_of_tags(roots[root]["tags"]),
            "template": root,
        }
    return out


def zone_state(zones):
    return dict(
        (
            zone.get("label"),
            dict(
                id=zone.get("id"),
                label=zone.get("label"),
                vni=_int(zone.get("vni_id")),
                vrf_name=zone.get("vrf_name"),
                tags=sorted(zone.get("tags") or []),
            ),
        )
        for zone in zones
    )


def read_state(service, bp_id, fabric, qe_type=None, with_zones=False):
    """The zones (optionally), VNs and port bindings one graph holds: 2 or 3 graph queries, sent at once.
    ``fabric``: a service.Fabric."""
    answers = concurrently(
        lambda: service.graph_virtual_networks(bp_id, qe_type),
        lambda: service.query(bp_id, BINDINGS_QUERY, qe_type),
        *([lambda: service.graph_zones(bp_id, qe_type)] if with_zones else []),
    )
    vns = vn_state(answers[0], fabric.members)
    state = {
        "virtual_networks": vns,
        "port_bindings": binding_state(answers[1], vns, fabric.port_names),
    }
    if with_zones:
        state["routing_zones"] = zone_state(answers[2])
    return state


def _compare(kind, staged, deployed, fields, owner_of):
    changes = []
    for name in sorted(set(staged) | set(deployed), key=str):
        new, old = staged.get(name), deployed.get(name)
        if new == old or (new and old and all(new.get(f) == old.get(f) for f in fields)):
            continue
        action = "create" if old is None else ("delete" if new is None else "modify")
        label = (
            "%s (%s)" % (name[0], "tagged" if name[1] else "untagged")
            if isinstance(name, tuple)
            else name
        )
        changes.append(
            {
                "kind": kind,
                "name": name[0] if isinstance(name, tuple) else name,
                "object": label,
                "action": action,
                "owner": owner_of(new or old),
            }
        )
    return changes


def _owner(obj):
    return owner_of_tags(obj.get("tags"))


def staged_changes(staging, deployed):
    """This blueprint's staged, undeployed changes to zones, VNs and port bindings: [{kind, name, action, owner}]
    (``owner``: whose mark the object carries, None without one)."""
    return (
        _compare(
            "routing_zone",
            staging["routing_zones"],
            deployed["routing_zones"],
            ("vni", "vrf_name", "tags"),
            _owner,
        )
        + _compare(
            "virtual_network",
            staging["virtual_networks"],
            deployed["virtual_networks"],
            VN_COMPARED,
            _owner,
        )
        + _compare(
            "port_binding",
            staging["port_bindings"],
            deployed["port_bindings"],
            ("interfaces",),
            lambda obj: obj["owner"],
        )
    )


def verification_view(state):
    """The deployed state in the shapes verification compares: canonical VNs and port bindings."""
    vns = [
        dict((k, v) for k, v in vn.items() if k != "id")
        for _label, vn in sorted(state["virtual_networks"].items())
    ]
    bindings = [
        {"virtual_network": label, "tagged": tagged, "interfaces": value["interfaces"]}
        for (label, tagged), value in sorted(state["port_bindings"].items())
    ]
    return {"virtual_networks": vns, "port_bindings": bindings}
