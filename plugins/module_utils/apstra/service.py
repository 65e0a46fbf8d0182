# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads and name->id resolution on top of ApstraClient. No Ansible imports; raises ApstraError/ValidationError."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import unknown_name

# One query returns every leaf with its redundancy group, if any (the optional() keeps single leafs).
FABRIC_QUERY = (
    "match(node('system', role='leaf', name='leaf'), "
    "optional(node('redundancy_group', name='rg').out('composed_of_systems').node('system', role='leaf', name='leaf')))"
)

# Every server-facing leaf port with its server, and for ESI servers the redundancy group's logical port_channel
# that spans both leafs: that one, not the leaf port, is the connectivity-template application point.
SERVER_PORTS_QUERY = (
    "match(node('system', system_type='server', name='server').out('hosted_interfaces')"
    ".node('interface', if_type='ethernet', name='server_intf').out('link')"
    ".node('link', role='to_generic', name='link').in_('link')"
    ".node('interface', if_type='ethernet', name='leaf_intf').in_('hosted_interfaces')"
    ".node('system', role='leaf', name='leaf'), "
    "optional(node(name='leaf_intf').in_('composed_of').node('interface', if_type='port_channel', name='leaf_lag')"
    ".in_('composed_of').node('interface', if_type='port_channel', name='esi_lag')"
    ".in_('hosted_interfaces').node('redundancy_group', name='rg')))"
)


def bp_path(bp_id, suffix=""):
    return "/api/blueprints/%s%s" % (bp_id, suffix)


def _values(container, key):
    """Apstra answers lists as {key: [...]} or maps as {key: {id: {...}}}: return the objects with their id."""
    items = (container or {}).get(key) or []
    if isinstance(items, dict):
        return [dict(value, id=value.get("id", obj_id)) for obj_id, value in items.items()]
    return list(items)


class Fabric:
    """Leafs and redundancy groups (ESI pairs) of a blueprint, by name and by id."""

    def __init__(self, leafs, groups, members=None):
        self.leafs = leafs  # label -> id
        self.groups = groups  # label -> id
        self.members = members or {}  # group label -> [leaf labels]
        self.names = dict((v, k) for k, v in list(leafs.items()) + list(groups.items()))

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


class ApstraService:
    """Read side of the API and the lookups modules share."""

    def __init__(self, client):
        self.client = client

    # -- blueprints -------------------------------------------------------------------------------------

    def blueprints(self):
        return _values(self.client.get("/api/blueprints"), "items")

    def resolve_blueprint(self, name):
        blueprints = self.blueprints()
        for blueprint in blueprints:
            if name in (blueprint.get("id"), blueprint.get("label")):
                return blueprint
        raise unknown_name("blueprint", "blueprint", name, [bp.get("label") for bp in blueprints if bp.get("label")])

    def query(self, bp_id, query, qe_type=None):
        """Run a QE graph query; returns the items."""
        params = {"type": qe_type} if qe_type else None
        return self.client.post(bp_path(bp_id, "/qe"), body={"query": query}, params=params).get("items", [])

    # -- resources --------------------------------------------------------------------------------------

    def security_zones(self, bp_id):
        return _values(self.client.get(bp_path(bp_id, "/security-zones")), "items")

    def virtual_networks(self, bp_id):
        return _values(self.client.get(bp_path(bp_id, "/virtual-networks")), "virtual_networks")

    def policies(self, bp_id):
        """Every connectivity-template node (batch, pipeline, primitives), flat, from obj-policy-export."""
        return _values(self.client.get(bp_path(bp_id, "/obj-policy-export")), "policies")

    def assignments(self, bp_id):
        """{policy id: set of application point ids} for policies used directly on an application point."""
        tree = self.client.get(bp_path(bp_id, "/obj-policy-application-points"), params={"max_count": 100000})
        used = {}
        stack = [tree]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                for policy in item.get("policies") or []:
                    if isinstance(policy, dict) and policy.get("state") == "used-directly" and item.get("id"):
                        used.setdefault(policy.get("policy"), set()).add(item["id"])
                stack.extend(value for key, value in item.items() if key != "policies" and isinstance(value, (dict, list)))
        return used

    def server_ports(self, bp_id):
        """One row per server NIC port: server, server_intf, leaf, leaf_intf, and for ESI esi_lag and rg."""
        return self.query(bp_id, SERVER_PORTS_QUERY)

    def fabric(self, bp_id):
        leafs, groups, members = {}, {}, {}
        for item in self.query(bp_id, FABRIC_QUERY):
            leaf = item.get("leaf") or {}
            leafs[leaf.get("label")] = leaf.get("id")
            group = item.get("rg")
            if group:
                groups[group.get("label")] = group.get("id")
                members.setdefault(group.get("label"), []).append(leaf.get("label"))
        return Fabric(leafs, groups, dict((name, sorted(leafs)) for name, leafs in members.items()))

    # -- staging and deploy -----------------------------------------------------------------------------

    def diff_status(self, bp_id):
        return self.client.get(bp_path(bp_id, "/diff-status"))

    def build_errors(self, bp_id):
        return self.client.get(bp_path(bp_id, "/errors"))

    def lock_status(self, bp_id):
        return self.client.get(bp_path(bp_id, "/lock-status"))

    def deploy_state(self, bp_id):
        return self.client.get(bp_path(bp_id, "/deploy"))

    def task(self, bp_id, task_id):
        return self.client.get(bp_path(bp_id, "/tasks/%s" % task_id))
