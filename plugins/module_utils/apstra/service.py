# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read side of the Apstra API, one place for modules and the inventory plugin.

The fabric (leafs, ESI pairs, server links with their ids) comes from one graph query; the port bindings (single-VLAN
connectivity templates and the interfaces they are applied to) from another, which runs on the staging or the
deployed graph alike; so does the virtual-network query that verification reads back. No Ansible imports; raises
ApstraError / ValidationError.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import models
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import (
    ValidationError,
    unknown_name,
)

# Every leaf with its ESI pair, and every server-facing port of it with the server, the leaf port-channel and, for a
# dual-homed server, the pair's logical port-channel (that one, not the leaf port, is the application point).
FABRIC_QUERY = (
    "match(node('system', role='leaf', name='leaf'), "
    "optional(node('redundancy_group', name='rg').out('composed_of_systems').node(name='leaf')), "
    "optional(node(name='leaf').out('hosted_interfaces').node('interface', if_type='ethernet', name='leaf_intf')"
    ".out('link').node('link', role='to_generic', name='link').in_('link')"
    ".node('interface', if_type='ethernet', name='server_intf').in_('hosted_interfaces')"
    ".node('system', system_type='server', name='server')), "
    "optional(node(name='leaf_intf').in_('composed_of').node('interface', if_type='port_channel', name='leaf_lag')), "
    "optional(node(name='leaf_lag').in_('composed_of').node('interface', if_type='port_channel', name='esi_lag')"
    ".in_('hosted_interfaces').node('redundancy_group', name='esi_rg')))"
)

# Single-VLAN connectivity templates (root -> pipeline -> primitive -> VN) and the interfaces they are applied to.
# Only the nodes read are named: a row carries every property of each named node, for every (template, interface)
# pair (at 50 VNs on 200 servers, naming the pipeline and the VN too made 12 MB of rows instead of 7). The VN's id is
# the primitive's vn_node_id.
BINDINGS_QUERY = (
    "match(node('ep_endpoint_policy', policy_type_name='batch', name='ct')"
    ".out('ep_subpolicy').node('ep_endpoint_policy', policy_type_name='pipeline')"
    ".out('ep_first_subpolicy').node('ep_endpoint_policy', policy_type_name='AttachSingleVLAN', name='prim')"
    ".out('vn_to_attach').node('virtual_network'), "
    "optional(node(name='ct').in_('ep_top_level').node('ep_application_instance')"
    ".out('ep_affected_by').node('ep_group').in_('ep_member_of').node('interface', name='intf')"
    ".in_('hosted_interfaces').node(name='intf_host')))"
)

# The assignments of named templates: one row per (template, interface) with those two nodes alone (half the bytes of
# BINDINGS_QUERY's rows), for a reader that knows which VN each template carries (the read-back of a run).
ASSIGNMENTS_QUERY = (
    "match(node('ep_endpoint_policy', policy_type_name='batch', name='ct', id=is_in(%s))"
    ".in_('ep_top_level').node('ep_application_instance').out('ep_affected_by').node('ep_group')"
    ".in_('ep_member_of').node('interface', name='intf'))"
)

# A scoped bindings read names the templates it reads; one answer holds at most this many (template, interface) rows,
# about 60 MB of JSON (some 300 MB once decoded): the reads of a large fabric go one after another, each reduced
# before the next is read.
ROWS_PER_READ = 50000

# Virtual networks with their routing zone and their instances (the VLAN on each bound leaf or ESI pair).
VIRTUAL_NETWORKS_QUERY = (
    "match(node('virtual_network', name='vn'), "
    "optional(node('security_zone', name='sz').out('member_vns').node(name='vn')), "
    "optional(node(name='vn').out('instantiated_by').node('vn_instance', name='inst').in_('hosted_vn_instances').node(name='switch')))"
)

ZONES_QUERY = "node('security_zone', name='sz')"


def bp_path(bp_id, suffix=""):
    return "/api/blueprints/%s%s" % (bp_id, suffix)


def values(container, key):
    """Apstra answers lists as {key: [...]} or maps as {key: {id: {...}}}: return the objects with their id."""
    items = (container or {}).get(key) or []
    if isinstance(items, dict):
        return [dict(value, id=value.get("id", obj_id)) for obj_id, value in items.items()]
    return list(items)


def _prop(row, name, key="label"):
    return (row.get(name) or {}).get(key)


class Fabric:
    """Leafs, ESI pairs and server links of a blueprint (see ``sriov.topology`` for the link fields)."""

    def __init__(self, leafs, groups, members, links):
        self.leafs = leafs  # label -> id
        self.groups = groups  # label -> id
        self.members = members  # pair label -> [leaf labels]
        self.links = links
        self.names = dict((v, k) for k, v in list(leafs.items()) + list(groups.items()))
        self.ports = {}  # port name (and leaf:member alias) -> application point id
        self.port_names = {}  # application point id -> port name
        for link in links:
            self.ports[link["port"]] = link["application_point_id"]
            self.ports.setdefault(
                "%s:%s" % (link["leaf"], link["leaf_interface"]), link["application_point_id"]
            )
            self.port_names[link["application_point_id"]] = link["port"]

    @classmethod
    def from_rows(cls, rows):
        leafs, groups, members, links = {}, {}, {}, []
        for row in rows:
            leaf = row.get("leaf") or {}
            leafs[leaf.get("label")] = leaf.get("id")
            group = row.get("rg")
            if group:
                groups[group.get("label")] = group.get("id")
                if leaf.get("label") not in members.setdefault(group.get("label"), []):
                    members[group["label"]].append(leaf.get("label"))
            if row.get("server_intf"):
                links.append(parse_link(row))
        links.sort(key=lambda link: (link["server"] or "", link["server_interface"] or ""))
        return cls(
            leafs, groups, dict((name, sorted(leafs)) for name, leafs in members.items()), links
        )

    @classmethod
    def from_facts(cls, facts):
        """The fabric an earlier apstra_blueprint_info task returned (``fabric``), without reading it again."""
        return cls(
            dict(facts.get("leaf_ids") or {}),
            dict(facts.get("esi_pair_ids") or {}),
            dict(facts.get("esi_pairs") or {}),
            list(facts.get("links") or []),
        )

    def facts(self):
        return {
            "leafs": sorted(self.leafs),
            "leaf_ids": self.leafs,
            "esi_pairs": self.members,
            "esi_pair_ids": self.groups,
            "links": self.links,
        }

    def switch_id(self, field, name):
        """Id of a leaf or ESI pair given by name (or by id)."""
        if name in self.leafs:
            return self.leafs[name]
        if name in self.groups:
            return self.groups[name]
        if name in self.names:
            return name
        raise unknown_name("leaf or ESI pair", field, name, list(self.leafs) + list(self.groups))

    def name_of(self, system_id):
        return self.names.get(system_id, system_id)


def parse_link(row):
    """One server link from a FABRIC_QUERY row, with the names and ids every later step uses."""
    leaf, group = row.get("leaf") or {}, row.get("rg")
    esi_lag, leaf_lag = row.get("esi_lag"), row.get("leaf_lag")
    if esi_lag:
        point, port = esi_lag, "%s:%s" % (_prop(row, "esi_rg"), esi_lag.get("if_name"))
    elif leaf_lag:
        point, port = leaf_lag, "%s:%s" % (leaf.get("label"), leaf_lag.get("if_name"))
    else:
        point, port = row["leaf_intf"], "%s:%s" % (
            leaf.get("label"),
            _prop(row, "leaf_intf", "if_name"),
        )
    return {
        "server": _prop(row, "server") or _prop(row, "server", "hostname"),
        "server_hostname": _prop(row, "server", "hostname"),
        "server_id": _prop(row, "server", "id"),
        "server_interface": _prop(row, "server_intf", "if_name"),
        "server_interface_id": _prop(row, "server_intf", "id"),
        "leaf": leaf.get("label"),
        "leaf_hostname": leaf.get("hostname"),
        "leaf_id": leaf.get("id"),
        "leaf_interface": _prop(row, "leaf_intf", "if_name"),
        "leaf_interface_id": _prop(row, "leaf_intf", "id"),
        "link_id": _prop(row, "link", "id"),
        "speed": _prop(row, "link", "speed"),
        "redundancy_group": group.get("label") if group else None,
        "redundancy_group_id": group.get("id") if group else None,
        "lag": leaf_lag.get("if_name") if leaf_lag else None,
        "lag_id": leaf_lag.get("id") if leaf_lag else None,
        "esi": bool(esi_lag),
        "switch": group.get("label") if group else leaf.get("label"),
        "switch_id": group.get("id") if group else leaf.get("id"),
        "port": port,
        "application_point_id": point.get("id"),
    }


def row_chunks(rows_by_template):
    """Template ids in groups whose expected rows add up to at most ROWS_PER_READ (a larger template alone)."""
    chunks, chunk, size = [], [], 0
    for template_id in sorted(rows_by_template):
        rows = max(1, rows_by_template[template_id] or 0)
        if chunk and size + rows > ROWS_PER_READ:
            chunks.append(chunk)
            chunk, size = [], 0
        chunk.append(template_id)
        size += rows
    return chunks + ([chunk] if chunk else [])


class ApstraService:
    """Read side of the API and the lookups modules share."""

    def __init__(self, client):
        self.client = client

    # -- blueprints -------------------------------------------------------------------------------------
    def blueprints(self):
        return values(self.client.get("/api/blueprints"), "items")

    def resolve_blueprint(self, name):
        """The blueprint named ``name`` (label or id); without a name, the only blueprint on the server. A server with
        several and no name given is an error that lists them: no blueprint is ever chosen by default.
        """
        blueprints = self.blueprints()
        labels = sorted(bp.get("label") or bp.get("id") for bp in blueprints)
        if not name:
            if len(blueprints) == 1:
                return blueprints[0]
            raise ValidationError(
                "blueprint: not given (option blueprint, APSTRA_BLUEPRINT, or -e blueprint=) and the server holds %s; "
                "name the one to work on%s"
                % (
                    "%d blueprints" % len(blueprints) if blueprints else "no blueprint",
                    ": %s" % ", ".join(labels) if labels else "",
                )
            )
        for blueprint in blueprints:
            if name in (blueprint.get("id"), blueprint.get("label")):
                return blueprint
        raise unknown_name("blueprint", "blueprint", name, labels)

    def query(self, bp_id, query, qe_type=None):
        """Run a QE graph query (on the staging graph, or ``qe_type`` deployed); returns the items."""
        params = {"type": qe_type} if qe_type else None
        return self.client.post(bp_path(bp_id, "/qe"), body={"query": query}, params=params).get(
            "items", []
        )

    def query_rows(self, bp_id, query, qe_type=None):
        """The items of ``query`` one at a time, for a reader that reduces them in one pass: the answer's rows are
        decoded as they are taken (client.post_items), never all held at once. A client without post_items (a
        stand-in) answers them as ``query``."""
        post_items = getattr(self.client, "post_items", None)
        if post_items is None:
            return iter(self.query(bp_id, query, qe_type))
        params = {"type": qe_type} if qe_type else None
        return post_items(bp_path(bp_id, "/qe"), body={"query": query}, params=params)

    # -- the fabric and its objects ---------------------------------------------------------------------
    def fabric(self, bp_id):
        return Fabric.from_rows(self.query_rows(bp_id, FABRIC_QUERY))

    def security_zones(self, bp_id):
        return values(self.client.get(bp_path(bp_id, "/security-zones")), "items")

    def virtual_networks(self, bp_id):
        return values(self.client.get(bp_path(bp_id, "/virtual-networks")), "virtual_networks")

    def bindings(self, bp_id, qe_type=None, templates=None):
        """(single-VLAN templates, interface names) of the staging (or ``qe_type``) graph: see models.templates; with
        ``templates`` (root ids), of those alone."""
        query = BINDINGS_QUERY
        if templates is not None:
            query = query.replace(
                "policy_type_name='batch', name='ct'",
                "policy_type_name='batch', name='ct', id=is_in(%s)" % json.dumps(sorted(templates)),
            )
        return models.templates(self.query_rows(bp_id, query, qe_type))

    def endpoint_policies(self, bp_id):
        """Every connectivity-template policy of the staging, with each root's app_points_count (one GET)."""
        return values(self.client.get(bp_path(bp_id, "/endpoint-policies")), "endpoint_policies")

    def bindings_of(self, bp_id, rows_by_template, qe_type=None):
        """``bindings`` of the templates {root id: rows expected (its application points)}, in reads of at most
        ROWS_PER_READ rows one after another; the first template per VN and mode, as ``models.templates`` keeps.
        """
        singles, names = {}, {}
        for chunk in row_chunks(rows_by_template):
            found, found_names = self.bindings(bp_id, qe_type, templates=chunk)
            singles.update((template["id"], template) for template in found)
            names.update(found_names)
        kept, seen = [], set()
        for root_id in sorted(singles):
            key = (singles[root_id]["vn_id"], singles[root_id]["tag_type"])
            if key not in seen:
                seen.add(key)
                kept.append(singles[root_id])
        return kept, names

    def assignments_of(self, bp_id, rows_by_template, qe_type=None):
        """{template id: sorted application point ids} of the templates {root id: rows expected}, in reads of at most
        ROWS_PER_READ rows one after another (a template assigned nowhere is absent)."""
        held = {}
        for chunk in row_chunks(rows_by_template):
            for row in self.query_rows(bp_id, ASSIGNMENTS_QUERY % json.dumps(chunk), qe_type):
                held.setdefault(row["ct"]["id"], set()).add(row["intf"]["id"])
        return dict((template_id, sorted(points)) for template_id, points in held.items())

    def graph_virtual_networks(self, bp_id, qe_type=None):
        """The VIRTUAL_NETWORKS_QUERY rows, one at a time (query_rows)."""
        return self.query_rows(bp_id, VIRTUAL_NETWORKS_QUERY, qe_type)

    def graph_zones(self, bp_id, qe_type=None):
        return [row["sz"] for row in self.query(bp_id, ZONES_QUERY, qe_type)]

    # -- staging and deploy -----------------------------------------------------------------------------
    def diff_status(self, bp_id):
        return self.client.get(bp_path(bp_id, "/diff-status"))

    def build_errors(self, bp_id):
        return self.client.get(bp_path(bp_id, "/errors"))

    def lock_status(self, bp_id):
        return self.client.get(bp_path(bp_id, "/lock-status"))

    def revisions(self, bp_id):
        return [
            models.revision(item)
            for item in values(self.client.get(bp_path(bp_id, "/revisions")), "items")
        ]

    def deploy_state(self, bp_id):
        return self.client.get(bp_path(bp_id, "/deploy"))

    def task(self, bp_id, task_id):
        return self.client.get(bp_path(bp_id, "/tasks/%s" % task_id))
