# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a blueprint graph holds of routing zones, virtual networks and port bindings, read the same way from the
staging and from the deployed graph (in the canonical models of ``models.py``); and what is staged but not deployed
(the difference of the two).

"Done" is what Apstra has deployed: verification reads ``deployed`` state, never the staging. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import models
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import concurrently
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    BINDINGS_QUERY,
)


def binding_state(single, names, vns, port_names):
    """{(VN label, tagged): {interfaces, owner, template}} of the single-VLAN templates ``single`` (models.templates,
    with ``names`` of their interfaces); ``vns``: {label: VN} of the same graph (models.vns_from_graph).
    """
    by_vn = dict(((t["vn_id"], t["tag_type"]), t) for t in single)
    out = {}
    for binding in models.port_bindings(single, list(vns.values()), port_names, names):
        vn_id = vns[binding["virtual_network"]]["id"]
        template = by_vn[(vn_id, "vlan_tagged" if binding["tagged"] else "untagged")]
        out[(binding["virtual_network"], binding["tagged"])] = {
            "interfaces": binding["interfaces"],
            "owner": template["owner"],
            "template": template["id"],
        }
    return out


def read_state(
    service, bp_id, fabric, qe_type=None, with_zones=False, with_revisions=False, scope=None
):
    """The zones (optionally), VNs and port bindings one graph holds, and (optionally) the blueprint's revisions: 2 to 4
    reads, sent at once. ``fabric``: a service.Fabric.

    ``scope``: ({template id: application points expected} of the templates to read, every template as known, with
    the listed ones' VN and mode: models.templates): the assignments of the listed templates alone are read (in bounded
    reads, after the others), the rest is taken as known. A run whose blueprint was clean before it reads back only what it changed this way.
    """
    # each answer reduced as it is read, in its own thread (service.query_rows)
    reads = [
        (
            "virtual_networks",
            lambda: models.vns_from_graph(
                service.graph_virtual_networks(bp_id, qe_type), fabric.members
            ),
        )
    ]
    if scope is None:
        reads.append(
            (
                "bindings",
                lambda: models.templates(service.query_rows(bp_id, BINDINGS_QUERY, qe_type)),
            )
        )
    if with_zones:
        reads.append(("routing_zones", lambda: service.graph_zones(bp_id, qe_type)))
    if with_revisions:
        reads.append(("revisions", lambda: service.revisions(bp_id)))
    answers = dict(
        zip([name for name, _read in reads], concurrently(*[read for _n, read in reads]))
    )
    vns = answers["virtual_networks"]
    single, names = (
        answers["bindings"] if scope is None else scoped_templates(service, bp_id, qe_type, scope)
    )
    state = {
        "virtual_networks": vns,
        "port_bindings": binding_state(single, names, vns, fabric.port_names),
    }
    if with_zones:
        state["routing_zones"] = dict(
            (zone.get("label"), models.zone(zone)) for zone in answers["routing_zones"]
        )
    if with_revisions:
        state["revisions"] = answers["revisions"]
    return state


def scoped_templates(service, bp_id, qe_type, scope):
    """(templates, interface names) of a graph: the assignments of the listed templates read, the rest as known."""
    listed, known = scope
    held = service.assignments_of(bp_id, listed, qe_type)
    kept, seen = [], set()
    for template in sorted(known, key=lambda t: t["id"]):
        if template["id"] in listed:
            template = dict(template, interfaces=held.get(template["id"], []))
        if (template["vn_id"], template["tag_type"]) not in seen:
            seen.add((template["vn_id"], template["tag_type"]))
            kept.append(template)
    return kept, {}


def _compare(kind, staged, deployed, fields):
    changes = []
    for name in sorted(set(staged) | set(deployed), key=str):
        new, old = staged.get(name), deployed.get(name)
        if new and old and all(new.get(f) == old.get(f) for f in fields):
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
                "owner": (new or old).get("owner"),
            }
        )
    return changes


def staged_changes(staging, deployed):
    """This blueprint's staged, undeployed changes to zones, VNs and port bindings: [{kind, name, action, owner}]
    (``owner``: whose mark the object carries, None without one)."""
    return (
        _compare(
            "routing_zone",
            staging["routing_zones"],
            deployed["routing_zones"],
            models.ZONE_FIELDS,
        )
        + _compare(
            "virtual_network",
            staging["virtual_networks"],
            deployed["virtual_networks"],
            models.VN_FIELDS,
        )
        + _compare(
            "port_binding", staging["port_bindings"], deployed["port_bindings"], ("interfaces",)
        )
    )


def verification_view(state):
    """The deployed state in the shapes verification and the report compare: canonical VNs (without their graph ids)
    and port bindings."""
    vns = [
        dict((k, v) for k, v in vn.items() if k != "id")
        for _label, vn in sorted(state["virtual_networks"].items())
    ]
    bindings = [
        {"virtual_network": label, "tagged": tagged, "interfaces": value["interfaces"]}
        for (label, tagged), value in sorted(state["port_bindings"].items())
    ]
    return {"virtual_networks": vns, "port_bindings": bindings}
