"""Backend state and every validation rule; methods raise errors.ApiError subclasses carrying Apstra's answers.

One `Backend` holds users, tokens and blueprints. A `Blueprint` keeps its staging graph (the single source of truth for
routing zones, virtual networks and connectivity templates), the last deployed graph, tasks, revisions and the lock.
"""

import ipaddress
import re
import secrets
import time
import uuid
from datetime import datetime, timezone

from apstra_sim import topology
from apstra_sim.errors import Conflict, NotFound, Unauthorized, Unprocessable
from apstra_sim.graph import stable_id

LABEL_RE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
LABEL_MSG = "Label must be 1 to 30 characters long and contain only letters, digits, underscores and dashes"
VRF_RE = re.compile(r"^[A-Za-z0-9_-]{1,15}$")
VNI_RANGE = (4096, 16777214)
VLAN_RANGE = (2, 4094)
VN_FIELDS = {
    "description": None, "vn_id": None, "reserved_vlan_id": None, "ipv4_enabled": False, "ipv4_subnet": None,
    "virtual_gateway_ipv4": None, "virtual_gateway_ipv4_enabled": False, "ipv6_enabled": False, "ipv6_subnet": None,
    "virtual_gateway_ipv6": None, "virtual_gateway_ipv6_enabled": False, "virtual_mac": None, "dhcp_service": "dhcpServiceDisabled",
    "l3_mtu": None, "rt_policy": None, "svi_ips": [], "tags": [], "encapsulate_inner_vlan": False,
}
VN_INPUT_ONLY = ("label", "vn_type", "bound_to", "security_zone_id", "switching_zone_id", "endpoints", "default_endpoint_tag_types",
                 "create_policy_tagged", "create_policy_untagged")
VN_READ_ONLY = ("id", "route_target", "l3_connectivity", "floating_ips", "virtual_network_id")
SZ_FIELDS = {
    "routing_policy_id": None, "rt_policy": None, "vni_id": None, "vlan_id": None, "junos_evpn_irb_mode": "asymmetric",
    "vrf_description": None, "addressing_support": "ipv4", "disable_ipv4": False, "vtep_addressing": None, "tags": [],
}
CT_TYPES = ("batch", "pipeline", "AttachSingleVLAN", "AttachMultipleVLAN")
CT_FIELDS = ("id", "label", "description", "policy_type_name", "attributes", "visible", "tags", "user_data")
CT_RELS = ("ep_subpolicy", "ep_first_subpolicy", "ep_second_subpolicy", "vn_to_attach")


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _in_range(value, bounds):
    return isinstance(value, int) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]


def _range_msg(bounds):
    return "Value should be at least %d and at most %d" % bounds


def _tags_error(tags):
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        return "Tags must be a list of non-empty strings"
    if len({t.lower() for t in tags}) != len(tags):
        return "Tags must be unique (case-insensitive)"
    return None


class Backend:
    """Users, tokens and blueprints of one emulated Apstra server."""

    def __init__(self, topo, username="admin", password="sim-admin-password", token_ttl=86400.0, task_polls=2, task_seconds=1.0):
        self.topo = topo
        self.users = {username: password}
        self.token_ttl = float(token_ttl)
        self.task_polls = int(task_polls)
        self.task_seconds = float(task_seconds)
        self.tokens = {}
        self.blueprints = {}
        self.reset()

    def reset(self):
        """Back to the seeded blueprints; sessions survive, as they would across a blueprint restore."""
        blueprint = Blueprint(self, self.topo)
        self.blueprints = {blueprint.id: blueprint}

    def version(self):
        parts = (self.topo["apstra_version"].split(".") + ["0", "0"])[:3]
        return {"major": parts[0], "minor": parts[1], "build": parts[2], "version": self.topo["apstra_version"], "hotfix": "0"}

    @staticmethod
    def user_id(username):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "apstra-sim:user:" + username))

    def login(self, body):
        if not isinstance(body, dict) or not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
            raise Unprocessable({"username": "Missing data for required field.", "password": "Missing data for required field."})
        if self.users.get(body["username"]) != body["password"]:
            raise Unauthorized("Invalid credentials")
        token = secrets.token_urlsafe(32)
        self.tokens[token] = {"username": body["username"], "expires": time.monotonic() + self.token_ttl}
        return {"token": token, "id": self.user_id(body["username"])}

    def authenticate(self, token):
        if not token:
            raise Unauthorized("Authentication required: no AuthToken header")
        session = self.tokens.get(token)
        if session is None or session["expires"] <= time.monotonic():
            self.tokens.pop(token, None)
            raise Unauthorized("Invalid or expired auth token")
        return session["username"]

    def logout(self, token):
        self.tokens.pop(token, None)

    def expire_token(self, token):
        """Expire a token now: the next call with it answers 401."""
        if token in self.tokens:
            self.tokens[token]["expires"] = 0

    def blueprint(self, bp_id):
        blueprint = self.blueprints.get(bp_id)
        if blueprint is None:
            raise NotFound("Blueprint %s of type staging not found" % bp_id)
        blueprint.advance_tasks()
        return blueprint

    def state(self):
        return {"users": sorted(self.users), "sessions": len(self.tokens), "blueprints": {bp_id: bp.state() for bp_id, bp in self.blueprints.items()}}


class Blueprint:
    """One two_stage_l3clos blueprint: staging graph, deployed graph and the operations on them."""

    def __init__(self, backend, topo):
        self.backend = backend
        self.topo = topo
        self.id = topo["blueprint_id"]
        self.label = topo["blueprint"]
        self.graph = topology.build_graph(topo)
        self.counter = 0
        self.policy_id = self.graph.add_node("routing_policy", self._new_id("routing_policy"), label="Default_immutable",
                                             policy_type="default_immutable", tags=None)["id"]
        self.default_sz = self.graph.add_node(
            "security_zone", self._new_id("security_zone"), label="Default routing zone", vrf_name="default", sz_type="l3_fabric",
            vni_id=None, vlan_id=None, vrf_id=1, l3_mtu=9170, junos_evpn_irb_mode=None, vrf_description=None, rt_policy=None,
            routing_policy_id=self.policy_id, addressing_support="ipv4", disable_ipv4=False, vtep_addressing="ipv4", tags=None)["id"]
        self.version = 1
        self.user = None
        self.lock = None
        self.tasks = {}
        self.revisions = []
        self.last_modified = now_iso()
        for zone in topo["security_zones"]:
            self.create_sz(dict(zone), "admin")
        for network in topo["virtual_networks"]:
            self.create_vns([dict(network)], "admin", batch=False)
        self.deployed = self.graph.copy()
        self.deployed_version = self.version
        self.deploy_state = {"version": self.version, "state": "success", "error": None}
        self.uncommitted = False
        self.user = None

    def _new_id(self, kind):
        self.counter += 1
        return stable_id(self.label, kind, self.counter)

    # ---- staging bookkeeping -------------------------------------------------------------------------------------
    def check_writable(self, user):
        lock = self.lock
        if lock and lock.get("until") is not None and lock["until"] <= time.monotonic():
            self.lock = lock = None
        if lock and lock["username"] != user:
            raise Conflict("Blueprint %s is locked by user %s" % (self.label, lock["username"]))

    def touch(self, user):
        """Record a staging write: bump the version and mark uncommitted changes."""
        self.version += 1
        self.uncommitted = True
        self.user = user
        self.last_modified = now_iso()

    def summary(self):
        errors = self.build_errors()
        return {
            "id": self.id, "label": self.label, "design": "two_stage_l3clos", "status": "created", "version": self.version,
            "last_modified_at": self.last_modified, "has_uncommitted_changes": self.uncommitted,
            "build_errors_count": errors["errors_count"], "build_warnings_count": 0,
            "deployment_status": {"service_config": {"num_succeeded": len(self._switches()), "num_failed": 0, "num_pending": 0}},
            "anomaly_counts": {"all": 0}, "deploy_modes_summary": {"deploy": len(self._switches()), "ready": 0, "drain": 0, "undeploy": 0},
        }

    def _switches(self):
        return [n for n in self.graph.of_type("system") if n["system_type"] == "switch"]

    def graph_for(self, graph_type):
        if graph_type in (None, "", "staging", "config"):
            return self.graph, self.version
        if graph_type in ("deployed", "operation"):
            return self.deployed, self.deployed_version
        raise Unprocessable({"type": "Must be one of: staging, config, deployed, operation."})

    def dump(self, graph_type=None):
        graph, version = self.graph_for(graph_type)
        return {"id": self.id, "label": self.label, "design": "two_stage_l3clos", "version": version, "last_modified_at": self.last_modified,
                "source_versions": {"config": version}, "nodes": graph.nodes, "relationships": graph.rels}

    def nodes(self, node_type=None, graph_type=None):
        graph = self.graph_for(graph_type)[0]
        if node_type:
            return {n["id"]: n for n in graph.of_type(node_type)}
        return graph.nodes

    def node(self, node_id):
        node = self.graph.nodes.get(node_id)
        if node is None:
            raise NotFound("Node %s not found" % node_id)
        return node

    def relationships(self, rel_type=None):
        return {r_id: r for r_id, r in self.graph.rels.items() if rel_type is None or r["type"] == rel_type}

    # ---- helpers on the fabric ---------------------------------------------------------------------------------
    def host_of(self, interface_id):
        hosts = self.graph.sources(interface_id, "hosted_interfaces")
        return hosts[0] if hosts else None

    def leafs_of(self, system_id):
        """Leaf ids behind a binding target (a leaf or a redundancy group), or None if it is neither."""
        node = self.graph.nodes.get(system_id)
        if node is None:
            return None
        if node["type"] == "redundancy_group":
            return [n["id"] for n in self.graph.targets(system_id, "composed_of_systems")]
        if node["type"] == "system" and node["role"] == "leaf":
            return [system_id]
        return None

    # ---- build errors ------------------------------------------------------------------------------------------
    def build_errors(self):
        nodes = {}
        for vn in self.graph.of_type("virtual_network"):
            if vn["ipv4_enabled"] and not vn["ipv4_subnet"]:
                nodes[vn["id"]] = {"ipv4_subnet": "IPv4 is enabled but no IPv4 subnet is set and no IP pool is assigned"}
        return {"nodes": nodes, "relationships": {}, "errors_count": len(nodes), "warnings_count": 0, "version": self.version}

    # ---- routing zones -----------------------------------------------------------------------------------------
    def sz_view(self, node):
        view = {k: v for k, v in node.items() if k != "type"}
        view["tags"] = list(node.get("tags") or [])
        view["route_target"] = "%d:1" % node["vni_id"] if node.get("vni_id") else None
        return view

    def list_sz(self):
        return {"items": {n["id"]: self.sz_view(n) for n in self.graph.of_type("security_zone")}}

    def get_sz(self, sz_id):
        node = self.graph.nodes.get(sz_id)
        if node is None or node["type"] != "security_zone":
            raise NotFound("Routing zone %s not found" % sz_id)
        return node

    def used_vnis(self, exclude=None):
        used = {}
        for vn in self.graph.of_type("virtual_network"):
            if vn["vn_id"] and vn["id"] != exclude:
                used[int(vn["vn_id"])] = "virtual network %s" % vn["label"]
        for zone in self.graph.of_type("security_zone"):
            if zone["vni_id"] and zone["id"] != exclude:
                used[zone["vni_id"]] = "routing zone %s" % zone["label"]
        return used

    def _free_vni(self, used):
        first, last = self.topo["vni_pool"]
        for vni in range(first, last + 1):
            if vni not in used:
                return vni
        return None

    def _leaf_vlans(self, exclude_vn=None):
        """(leaf id, vlan) -> virtual network label, for every binding."""
        used = {}
        for vn in self.graph.of_type("virtual_network"):
            if vn["id"] == exclude_vn:
                continue
            for inst in self.graph.targets(vn["id"], "instantiated_by"):
                for leaf in self.graph.sources(inst["id"], "hosted_vn_instances"):
                    used[(leaf["id"], inst["vlan_id"])] = vn["label"]
        return used

    def _sz_errors(self, body, sz_id=None, partial=False):
        errors = {}
        allowed = set(SZ_FIELDS) | {"label", "vrf_name", "sz_type", "id", "route_target", "vrf_id", "l3_mtu"}
        for key in body:
            if key not in allowed:
                errors[key] = "Unknown field."
        zones = [z for z in self.graph.of_type("security_zone") if z["id"] != sz_id]
        if not partial or "label" in body:
            if not isinstance(body.get("label"), str) or not LABEL_RE.match(body["label"]):
                errors["label"] = LABEL_MSG
            elif any(z["label"] == body["label"] for z in zones):
                errors["label"] = 'Routing zone name "%s" not unique' % body["label"]
        if not partial or "vrf_name" in body:
            vrf = body.get("vrf_name")
            if not isinstance(vrf, str) or not VRF_RE.match(vrf):
                errors["vrf_name"] = "VRF name must be 1 to 15 characters long and contain only letters, digits, underscores and dashes"
            elif any(z["vrf_name"] == vrf for z in zones) or vrf == "default":
                errors["vrf_name"] = 'VRF name "%s" is already used' % vrf
        if not partial or "sz_type" in body:
            if body.get("sz_type") != "evpn":
                errors["sz_type"] = "Must be one of: evpn."
        if body.get("vni_id") is not None:
            if not _in_range(body["vni_id"], VNI_RANGE):
                errors["vni_id"] = _range_msg(VNI_RANGE)
            elif body["vni_id"] in self.used_vnis(exclude=sz_id):
                errors["vni_id"] = "VNI %d is already used by %s" % (body["vni_id"], self.used_vnis(exclude=sz_id)[body["vni_id"]])
        if body.get("vlan_id") is not None:
            if not _in_range(body["vlan_id"], VLAN_RANGE):
                errors["vlan_id"] = _range_msg(VLAN_RANGE)
            elif any(z["vlan_id"] == body["vlan_id"] for z in zones):
                errors["vlan_id"] = "VLAN %d is already used by another routing zone" % body["vlan_id"]
            else:
                users = sorted({label for (_leaf, vlan), label in self._leaf_vlans().items() if vlan == body["vlan_id"]})
                if users:
                    errors["vlan_id"] = "VLAN %d overlaps with virtual network %s" % (body["vlan_id"], users[0])
        if body.get("junos_evpn_irb_mode") not in (None, "asymmetric", "symmetric"):
            errors["junos_evpn_irb_mode"] = "Must be one of: asymmetric, symmetric."
        if "tags" in body and body["tags"] is not None and _tags_error(body["tags"]):
            errors["tags"] = _tags_error(body["tags"])
        if body.get("rt_policy") is not None and not isinstance(body["rt_policy"], dict):
            errors["rt_policy"] = "Not a valid mapping type."
        return errors

    def _sz_props(self, body, current):
        props = dict(current)
        for key in ("label", "vrf_name", "sz_type") + tuple(SZ_FIELDS):
            if key in body:
                props[key] = body[key]
        if props.get("vni_id") is None:
            props["vni_id"] = self._free_vni(self.used_vnis(exclude=current.get("id")))
            if props["vni_id"] is None:
                raise Unprocessable({"vni_id": "No free VNI left in the VNI pool"})
        if props.get("vlan_id") is None:
            used = {z["vlan_id"] for z in self.graph.of_type("security_zone")} | {vlan for (_leaf, vlan) in self._leaf_vlans()}
            props["vlan_id"] = next(v for v in range(VLAN_RANGE[0], VLAN_RANGE[1] + 1) if v not in used)
        props["routing_policy_id"] = props.get("routing_policy_id") or self.policy_id
        props["tags"] = list(props.get("tags") or [])
        props.pop("route_target", None)
        props.pop("id", None)
        props.pop("type", None)
        return props

    def create_sz(self, body, user):
        if not isinstance(body, dict):
            raise Unprocessable("Request body must be a JSON object")
        self.check_writable(user)
        errors = self._sz_errors(body)
        if errors:
            raise Unprocessable(errors)
        props = self._sz_props(body, dict(SZ_FIELDS, vrf_id=None, l3_mtu=9000))
        props["vrf_id"] = 1 + len(self.graph.of_type("security_zone"))
        node = self.graph.add_node("security_zone", self._new_id("security_zone"), **props)
        self.touch(user)
        return node["id"]

    def update_sz(self, sz_id, body, user, partial):
        node = self.get_sz(sz_id)
        if not isinstance(body, dict):
            raise Unprocessable("Request body must be a JSON object")
        self.check_writable(user)
        if sz_id == self.default_sz:
            raise Unprocessable("The default routing zone can not be modified")
        errors = self._sz_errors(body, sz_id=sz_id, partial=partial)
        if errors:
            raise Unprocessable(errors)
        base = node if partial else dict(SZ_FIELDS, vrf_id=node["vrf_id"], l3_mtu=node["l3_mtu"], id=sz_id)
        if not partial and "vni_id" not in body:
            body = dict(body, vni_id=node["vni_id"])
        if not partial and "vlan_id" not in body:
            body = dict(body, vlan_id=node["vlan_id"])
        self.graph.add_node("security_zone", sz_id, **self._sz_props(body, base))
        self.touch(user)

    def delete_szs(self, sz_ids, user, batch=False):
        if not isinstance(sz_ids, list) or not all(isinstance(i, str) for i in sz_ids):
            raise Unprocessable({"security_zone_ids": "Must be a list of routing zone ids."})
        errors = {}
        for index, sz_id in enumerate(sz_ids):
            node = self.graph.nodes.get(sz_id)
            if node is None or node["type"] != "security_zone":
                if not batch:
                    raise NotFound("Routing zone %s not found" % sz_id)
                errors[str(index)] = "Routing zone %s does not exist" % sz_id
            elif sz_id == self.default_sz:
                errors[str(index)] = "The default routing zone can not be deleted"
            elif self.graph.targets(sz_id, "member_vns"):
                labels = sorted(vn["label"] for vn in self.graph.targets(sz_id, "member_vns"))
                errors[str(index)] = "Routing zone %s has virtual networks: %s" % (node["label"], ", ".join(labels))
        if errors:
            raise Unprocessable({"security_zone_ids": errors} if batch else errors["0"])
        self.check_writable(user)
        for sz_id in sz_ids:
            self.graph.del_node(sz_id)
        self.touch(user)

    # ---- virtual networks ----------------------------------------------------------------------------------------
    def vn_view(self, node):
        view = {k: v for k, v in node.items() if k != "type"}
        view["tags"] = list(node.get("tags") or [])
        zones = self.graph.sources(node["id"], "member_vns")
        view["security_zone_id"] = zones[0]["id"] if zones else None
        view["bound_to"] = self._bound_to(node["id"])
        view["route_target"] = "%s:1" % node["vn_id"] if node["vn_id"] else None
        view["l3_connectivity"] = "l3Enabled" if node["ipv4_enabled"] or node["ipv6_enabled"] else "l3Disabled"
        view["floating_ips"] = []
        view["endpoints"] = []
        return view

    def _bound_to(self, vn_id):
        bindings = {}
        for inst in self.graph.targets(vn_id, "instantiated_by"):
            entry = bindings.setdefault(inst["bound_to_id"], {"system_id": inst["bound_to_id"], "vlan_id": inst["vlan_id"],
                                                              "access_switch_node_ids": list(inst["access_switch_node_ids"])})
            entry["vlan_id"] = inst["vlan_id"]
        return list(bindings.values())

    def list_vns(self):
        return {"virtual_networks": {n["id"]: self.vn_view(n) for n in self.graph.of_type("virtual_network")}}

    def get_vn(self, vn_id):
        node = self.graph.nodes.get(vn_id)
        if node is None or node["type"] != "virtual_network":
            raise NotFound("Virtual network %s not found" % vn_id)
        return node

    def _vn_errors(self, body, vn_id, pending, partial):
        """Field errors of one VN body; `pending` are the (label, vni, leaf vlans) of earlier items of the same batch."""
        errors = {}
        for key in body:
            if key not in VN_FIELDS and key not in VN_INPUT_ONLY and key not in VN_READ_ONLY:
                errors[key] = "Unknown field."
        current = self.graph.nodes.get(vn_id) if vn_id else None
        merged = dict(VN_FIELDS, **(dict(current) if current and partial else {}))
        merged.update({k: v for k, v in body.items() if k in VN_FIELDS or k in ("label", "vn_type")})
        others = [n for n in self.graph.of_type("virtual_network") if n["id"] != vn_id]
        label = merged.get("label")
        if not isinstance(label, str) or not LABEL_RE.match(label):
            errors["label"] = LABEL_MSG if label is not None else "Missing data for required field."
        elif any(n["label"] == label for n in others) or label in pending["labels"]:
            errors["label"] = 'Virtual Network name "%s" not unique' % label
        vn_type = merged.get("vn_type")
        if vn_type not in ("vxlan", "vlan"):
            errors["vn_type"] = "Must be one of: vlan, vxlan." if vn_type is not None else "Missing data for required field."
        if vn_type == "vxlan" and merged.get("vn_id") is not None:
            vni = merged["vn_id"]
            try:
                vni = int(vni)
            except (TypeError, ValueError):
                vni = None
            if vni is None or not _in_range(vni, VNI_RANGE):
                errors["vn_id"] = _range_msg(VNI_RANGE)
            elif vni in self.used_vnis(exclude=vn_id) or vni in pending["vnis"]:
                errors["vn_id"] = "VNI %d is already used by %s" % (vni, self.used_vnis(exclude=vn_id).get(vni, "another virtual network"))
        if merged.get("reserved_vlan_id") is not None and not _in_range(merged["reserved_vlan_id"], VLAN_RANGE):
            errors["reserved_vlan_id"] = _range_msg(VLAN_RANGE)
        if "security_zone_id" in body:
            zone = self.graph.nodes.get(body["security_zone_id"])
            if zone is None or zone["type"] != "security_zone":
                errors["security_zone_id"] = "Routing zone %s does not exist" % body["security_zone_id"]
        for field in ("ipv4_subnet", "ipv6_subnet"):
            if merged.get(field) is not None:
                try:
                    ipaddress.ip_network(merged[field], strict=True)
                except (TypeError, ValueError):
                    errors[field] = "Invalid subnet %r" % (merged[field],)
        gateway = merged.get("virtual_gateway_ipv4")
        if gateway is not None and "ipv4_subnet" not in errors:
            try:
                address = ipaddress.ip_address(gateway)
                if merged.get("ipv4_subnet") and address not in ipaddress.ip_network(merged["ipv4_subnet"]):
                    errors["virtual_gateway_ipv4"] = "Virtual gateway %s is not in subnet %s" % (gateway, merged["ipv4_subnet"])
            except (TypeError, ValueError):
                errors["virtual_gateway_ipv4"] = "Not a valid IPv4 address."
        if merged.get("dhcp_service") not in ("dhcpServiceEnabled", "dhcpServiceDisabled"):
            errors["dhcp_service"] = "Must be one of: dhcpServiceDisabled, dhcpServiceEnabled."
        if merged.get("tags") is not None and _tags_error(merged["tags"]):
            errors["tags"] = _tags_error(merged["tags"])
        if "bound_to" in body:
            binding_errors = self._binding_errors(body["bound_to"], merged, vn_id, pending)
            if binding_errors:
                errors["bound_to"] = binding_errors
        return errors

    def _binding_errors(self, bound_to, merged, vn_id, pending):
        if not isinstance(bound_to, list):
            return "Not a valid list."
        if merged.get("vn_type") == "vlan" and len(bound_to) > 1:
            return "A VLAN type virtual network can be bound to at most one leaf or leaf pair"
        used = self._leaf_vlans(exclude_vn=vn_id)
        used.update(pending["vlans"])
        zone_vlans = {z["vlan_id"]: z["label"] for z in self.graph.of_type("security_zone") if z["vlan_id"]}
        errors = {}
        seen = set()
        for index, binding in enumerate(bound_to):
            item = {}
            system_id = binding.get("system_id") if isinstance(binding, dict) else None
            leafs = self.leafs_of(system_id) if isinstance(system_id, str) else None
            if not isinstance(binding, dict) or not isinstance(system_id, str):
                item["system_id"] = "Missing data for required field."
            elif system_id not in self.graph.nodes:
                item["system_id"] = "System %s does not exist" % system_id
            elif leafs is None:
                node = self.graph.nodes[system_id]
                item["system_id"] = "Virtual networks can only be bound to leafs or leaf pairs, not %s %s" % (
                    node.get("role") or node["type"], node.get("label"))
            elif any(leaf in seen for leaf in leafs):
                item["system_id"] = "System %s is bound more than once" % system_id
            else:
                seen.update(leafs)
                vlan = binding.get("vlan_id")
                if vlan is not None and not _in_range(vlan, VLAN_RANGE):
                    item["vlan_id"] = _range_msg(VLAN_RANGE)
                elif vlan is not None and merged.get("reserved_vlan_id") is not None and vlan != merged["reserved_vlan_id"]:
                    item["vlan_id"] = "VLAN %d differs from the reserved VLAN %d" % (vlan, merged["reserved_vlan_id"])
                elif vlan is not None and vlan in zone_vlans:
                    item["vlan_id"] = "VLAN %d overlaps with routing zone %s" % (vlan, zone_vlans[vlan])
                elif vlan is not None:
                    for leaf in leafs:
                        if (leaf, vlan) in used:
                            item["vlan_id"] = "VLAN %d overlaps with virtual network %s on system %s" % (
                                vlan, used[(leaf, vlan)], self.graph.nodes[leaf]["label"])
                            break
            if item:
                errors[str(index)] = item
        return errors

    def _vlan_for(self, leafs, preferred, vn_id):
        if preferred is not None:
            return preferred
        used = self._leaf_vlans(exclude_vn=vn_id)
        zone_vlans = {z["vlan_id"] for z in self.graph.of_type("security_zone")}
        for vlan in range(VLAN_RANGE[0], VLAN_RANGE[1] + 1):
            if vlan not in zone_vlans and all((leaf, vlan) not in used for leaf in leafs):
                return vlan
        raise Unprocessable({"bound_to": "No free VLAN left on the bound leafs"})

    def _bind(self, vn_id, bindings):
        """Replace the VN's vn_instances by `bindings` (validated), allocating VLANs where none is given."""
        for inst in self.graph.targets(vn_id, "instantiated_by"):
            self.graph.del_node(inst["id"])
        reserved = self.graph.nodes[vn_id]["reserved_vlan_id"]
        for binding in bindings:
            leafs = self.leafs_of(binding["system_id"])
            vlan = self._vlan_for(leafs, binding.get("vlan_id") if binding.get("vlan_id") is not None else reserved, vn_id)
            for leaf in leafs:
                inst = self.graph.add_node("vn_instance", self._new_id("vn_instance"), vlan_id=vlan, bound_to_id=binding["system_id"],
                                           access_switch_node_ids=list(binding.get("access_switch_node_ids") or []), ipv4_mode="enabled",
                                           dhcp_enabled=self.graph.nodes[vn_id]["dhcp_service"] == "dhcpServiceEnabled", tags=None)
                self.graph.add_rel("hosted_vn_instances", leaf, inst["id"])
                self.graph.add_rel("instantiated_by", vn_id, inst["id"])

    def _vn_props(self, body, base):
        props = dict(base)
        for key in ("label", "vn_type") + tuple(VN_FIELDS):
            if key in body:
                props[key] = body[key]
        if props["vn_type"] == "vxlan":
            if props.get("vn_id") is None:
                vni = self._free_vni(self.used_vnis(exclude=base.get("id")))
                if vni is None:
                    raise Unprocessable({"vn_id": "No free VNI left in the VNI pool"})
                props["vn_id"] = str(vni)
            props["vn_id"] = str(int(props["vn_id"]))
        else:
            props["vn_id"] = None
        props["tags"] = list(props.get("tags") or [])
        props.pop("id", None)
        props.pop("type", None)
        return props

    def create_vns(self, items, user, batch=True):
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise Unprocessable({"virtual_networks": "Must be a list of virtual networks."} if batch else "Request body must be a JSON object")
        self.check_writable(user)
        pending = {"labels": set(), "vnis": set(), "vlans": {}}
        errors = {}
        for index, body in enumerate(items):
            item_errors = self._vn_errors(body, None, pending, partial=False)
            if item_errors:
                errors[str(index)] = item_errors
                continue
            pending["labels"].add(body["label"])
            if body.get("vn_id") is not None and body["vn_type"] == "vxlan":
                pending["vnis"].add(int(body["vn_id"]))
            for binding in body.get("bound_to") or []:
                if binding.get("vlan_id") is not None:
                    for leaf in self.leafs_of(binding["system_id"]):
                        pending["vlans"][(leaf, binding["vlan_id"])] = body["label"]
        if errors:
            raise Unprocessable({"virtual_networks": errors} if batch else errors["0"])
        ids = []
        for body in items:
            node = self.graph.add_node("virtual_network", self._new_id("virtual_network"), **self._vn_props(body, dict(VN_FIELDS)))
            self.graph.add_rel("member_vns", body.get("security_zone_id") or self.default_sz, node["id"])
            self._bind(node["id"], body.get("bound_to") or [])
            for tag_type, key in (("vlan_tagged", "create_policy_tagged"), ("untagged", "create_policy_untagged")):
                if body.get(key):
                    self._auto_policy(node, tag_type)
            ids.append(node["id"])
        self.touch(user)
        return ids

    def _auto_policy(self, vn, tag_type):
        root, pipe, prim = (self._new_id("ep_endpoint_policy") for _index in range(3))
        label = "%s (%s)" % (vn["label"], "tagged" if tag_type == "vlan_tagged" else "untagged")
        self._store_policies([
            {"id": root, "label": label, "description": "", "policy_type_name": "batch", "attributes": {"subpolicies": [pipe]},
             "visible": True, "tags": [], "user_data": None},
            {"id": pipe, "label": label + " (pipeline)", "description": "", "policy_type_name": "pipeline",
             "attributes": {"first_subpolicy": prim, "second_subpolicy": None, "resolver": None}, "visible": False, "tags": [], "user_data": None},
            {"id": prim, "label": "Virtual Network (Single)", "description": "", "policy_type_name": "AttachSingleVLAN",
             "attributes": {"vn_node_id": vn["id"], "tag_type": tag_type}, "visible": False, "tags": [], "user_data": None},
        ])

    def update_vns(self, items, user, partial=True, batch=True):
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise Unprocessable({"virtual_networks": "Must be a list of virtual networks."})
        self.check_writable(user)
        pending = {"labels": set(), "vnis": set(), "vlans": {}}
        errors = {}
        for index, body in enumerate(items):
            vn_id = body.get("virtual_network_id") if batch else body.get("id")
            node = self.graph.nodes.get(vn_id) if isinstance(vn_id, str) else None
            if node is None or node["type"] != "virtual_network":
                if not batch:
                    raise NotFound("Virtual network %s not found" % vn_id)
                errors[str(index)] = {"virtual_network_id": "Virtual network %s does not exist" % vn_id}
                continue
            item_errors = self._vn_errors({k: v for k, v in body.items() if k not in ("virtual_network_id", "id")}, vn_id, pending, partial)
            if item_errors:
                errors[str(index)] = item_errors
        if errors:
            raise Unprocessable({"virtual_networks": errors} if batch else errors["0"])
        for body in items:
            vn_id = body.get("virtual_network_id") if batch else body.get("id")
            node = self.graph.nodes[vn_id]
            base = dict(node) if partial else dict(VN_FIELDS, id=vn_id, label=node["label"], vn_type=node["vn_type"])
            if not partial and body.get("vn_id") is None and node["vn_type"] == body.get("vn_type", node["vn_type"]):
                base["vn_id"] = node["vn_id"]
            self.graph.add_node("virtual_network", vn_id, **self._vn_props(body, base))
            if "security_zone_id" in body or not partial:
                for rel, _zone in self.graph.in_(vn_id, "member_vns"):
                    self.graph.del_rel(rel["id"])
                self.graph.add_rel("member_vns", body.get("security_zone_id") or self.default_sz, vn_id)
            if "bound_to" in body or not partial:
                self._bind(vn_id, body.get("bound_to") or [])
        self.touch(user)

    def delete_vns(self, vn_ids, user, batch=True):
        if not isinstance(vn_ids, list) or not all(isinstance(i, str) for i in vn_ids):
            raise Unprocessable({"virtual_network_ids": "Must be a list of virtual network ids."})
        errors = {}
        for index, vn_id in enumerate(vn_ids):
            node = self.graph.nodes.get(vn_id)
            if node is None or node["type"] != "virtual_network":
                if not batch:
                    raise NotFound("Virtual network %s not found" % vn_id)
                errors[str(index)] = "Virtual network %s does not exist" % vn_id
                continue
            users = sorted({self._root_of(p["id"])["label"] for p in self.graph.sources(vn_id, "vn_to_attach")})
            if users:
                errors[str(index)] = "Virtual network %s is used by connectivity template(s): %s" % (node["label"], ", ".join(users))
        if errors:
            raise Unprocessable({"virtual_network_ids": errors} if batch else errors["0"])
        self.check_writable(user)
        for vn_id in vn_ids:
            for inst in self.graph.targets(vn_id, "instantiated_by"):
                self.graph.del_node(inst["id"])
            self.graph.del_node(vn_id)
        self.touch(user)

    # ---- connectivity templates --------------------------------------------------------------------------------
    def _children(self, policy_id):
        return [n for rel_type in ("ep_subpolicy", "ep_first_subpolicy", "ep_second_subpolicy") for n in self.graph.targets(policy_id, rel_type)]

    def _descendants(self, policy_id):
        found, stack = {}, [policy_id]
        while stack:
            for child in self._children(stack.pop()):
                if child["id"] not in found:
                    found[child["id"]] = child
                    stack.append(child["id"])
        return list(found.values())

    def _root_of(self, policy_id):
        node = self.graph.nodes[policy_id]
        while True:
            parents = [n for rel_type in ("ep_subpolicy", "ep_first_subpolicy", "ep_second_subpolicy")
                       for n in self.graph.sources(node["id"], rel_type)]
            if not parents:
                return node
            node = parents[0]

    def _app_instances(self, root_id):
        return self.graph.sources(root_id, "ep_top_level")

    def _vns_of(self, root_id):
        """(vn id, tag_type) pairs a template attaches."""
        pairs = []
        for policy in [self.graph.nodes[root_id]] + self._descendants(root_id):
            attrs = policy["attributes"]
            if policy["policy_type_name"] == "AttachSingleVLAN" and attrs.get("vn_node_id"):
                pairs.append((attrs["vn_node_id"], attrs.get("tag_type", "vlan_tagged")))
            elif policy["policy_type_name"] == "AttachMultipleVLAN":
                if attrs.get("untagged_vn_node_id"):
                    pairs.append((attrs["untagged_vn_node_id"], "untagged"))
                pairs.extend((vn, "vlan_tagged") for vn in attrs.get("tagged_vn_node_ids") or [])
        return pairs

    def _missing(self, policy):
        attrs, kind = policy["attributes"], policy["policy_type_name"]
        if kind == "AttachSingleVLAN" and not attrs.get("vn_node_id"):
            return {"vn_node_id": "Missing value"}
        if kind == "AttachMultipleVLAN" and not attrs.get("untagged_vn_node_id") and not attrs.get("tagged_vn_node_ids"):
            return {"tagged_vn_node_ids": "Missing value"}
        if kind == "batch" and not attrs.get("subpolicies"):
            return {"subpolicies": "Missing value"}
        if kind == "pipeline" and not attrs.get("first_subpolicy"):
            return {"first_subpolicy": "Missing value"}
        return {}

    def policy_status(self, policy_id):
        root = self.graph.nodes[policy_id]
        if any(self._missing(p) for p in [root] + self._descendants(policy_id)):
            return "incomplete"
        return "assigned" if self._app_instances(policy_id) else "ready"

    def policy_view(self, node):
        view = {k: node.get(k) for k in CT_FIELDS}
        view["tags"] = list(node.get("tags") or [])
        view["description"] = node.get("description") or ""
        view["missing_attributes"] = self._missing(node)
        view["status"] = self.policy_status(node["id"])
        view["app_points_count"] = len(self._app_instances(node["id"]))
        return view

    def list_policies(self):
        return {"endpoint_policies": [self.policy_view(n) for n in self.graph.of_type("ep_endpoint_policy")]}

    def get_policy(self, policy_id):
        node = self.graph.nodes.get(policy_id)
        if node is None or node["type"] != "ep_endpoint_policy":
            raise NotFound("Endpoint policy %s not found" % policy_id)
        return node

    def export_policies(self, policy_id=None):
        if policy_id is None:
            nodes = self.graph.of_type("ep_endpoint_policy")
        else:
            nodes = [self.get_policy(policy_id)] + self._descendants(policy_id)
        return {"policies": [dict({k: n.get(k) for k in CT_FIELDS}, tags=list(n.get("tags") or [])) for n in nodes]}

    def _policy_errors(self, policy, known):
        errors = {}
        for key in policy:
            if key not in CT_FIELDS:
                errors[key] = "Unknown field."
        for key in ("id", "label", "policy_type_name"):
            if not isinstance(policy.get(key), str) or not policy[key]:
                errors[key] = "Missing data for required field."
        kind, attrs = policy.get("policy_type_name"), policy.get("attributes")
        if isinstance(kind, str) and kind not in CT_TYPES:
            errors["policy_type_name"] = "Unknown policy type %s (the simulator implements %s)" % (kind, ", ".join(CT_TYPES))
        if not isinstance(attrs, dict):
            errors["attributes"] = "Not a valid mapping type."
            return errors
        problems = {}

        def vn_exists(vn_id):
            node = self.graph.nodes.get(vn_id)
            return node is not None and node["type"] == "virtual_network"

        if kind == "batch":
            subs = attrs.get("subpolicies", [])
            if not isinstance(subs, list) or any(s not in known for s in subs):
                problems["subpolicies"] = "Subpolicies must be ids of policies that exist or are imported together"
        elif kind == "pipeline":
            for key in ("first_subpolicy", "second_subpolicy"):
                if attrs.get(key) is not None and attrs[key] not in known:
                    problems[key] = "Policy %s does not exist" % attrs[key]
        elif kind == "AttachSingleVLAN":
            if attrs.get("vn_node_id") is not None and not vn_exists(attrs["vn_node_id"]):
                problems["vn_node_id"] = "Virtual network %s does not exist" % attrs["vn_node_id"]
            if attrs.get("tag_type", "vlan_tagged") not in ("vlan_tagged", "untagged"):
                problems["tag_type"] = "Must be one of: untagged, vlan_tagged."
        elif kind == "AttachMultipleVLAN":
            if attrs.get("untagged_vn_node_id") is not None and not vn_exists(attrs["untagged_vn_node_id"]):
                problems["untagged_vn_node_id"] = "Virtual network %s does not exist" % attrs["untagged_vn_node_id"]
            tagged = attrs.get("tagged_vn_node_ids") or []
            if not isinstance(tagged, list) or not all(vn_exists(v) for v in tagged):
                problems["tagged_vn_node_ids"] = "Every tagged VN must exist"
        if problems:
            errors["attributes"] = problems
        if policy.get("tags") is not None and _tags_error(policy["tags"]):
            errors["tags"] = _tags_error(policy["tags"])
        return errors

    def import_policies(self, body, user):
        policies = body.get("policies") if isinstance(body, dict) else None
        if not isinstance(policies, list) or not all(isinstance(p, dict) for p in policies):
            raise Unprocessable({"policies": "Must be a list of policies."})
        self.check_writable(user)
        known = set(self.graph.by_type.get("ep_endpoint_policy", {})) | {p.get("id") for p in policies}
        errors = {}
        for index, policy in enumerate(policies):
            policy_errors = self._policy_errors(policy, known)
            existing = self.graph.nodes.get(policy.get("id"))
            if not policy_errors and existing is not None and existing["type"] != "ep_endpoint_policy":
                policy_errors["id"] = "Id %s is used by a %s node" % (policy["id"], existing["type"])
            if policy_errors:
                errors[str(index)] = policy_errors
        if errors:
            raise Unprocessable({"policies": errors})
        self._store_policies(policies)
        for root in {self._root_of(p["id"])["id"] for p in policies}:
            for inst in self._app_instances(root):
                self._sync_instance(inst["id"], root)
                for interface in self._instance_interfaces(inst["id"]):
                    if self._extension_problem(interface["id"], root) is None:
                        self._extend_bindings(interface["id"], root)
        self.touch(user)

    def _store_policies(self, policies):
        for policy in policies:
            if policy["id"] in self.graph.nodes:
                for rel, _target in self.graph.out(policy["id"]):
                    if rel["type"] in CT_RELS:
                        self.graph.del_rel(rel["id"])
            props = {k: policy.get(k) for k in CT_FIELDS if k != "id"}
            props["description"] = props["description"] or ""
            props["visible"] = bool(props["visible"])
            props["tags"] = list(props["tags"] or [])
            self.graph.add_node("ep_endpoint_policy", policy["id"], **props)
        for policy in policies:
            attrs, kind = policy["attributes"], policy["policy_type_name"]
            if kind == "batch":
                for sub in attrs.get("subpolicies") or []:
                    self.graph.add_rel("ep_subpolicy", policy["id"], sub)
            elif kind == "pipeline":
                for key, rel_type in (("first_subpolicy", "ep_first_subpolicy"), ("second_subpolicy", "ep_second_subpolicy")):
                    if attrs.get(key):
                        self.graph.add_rel(rel_type, policy["id"], attrs[key])
            for vn_id in [attrs.get("vn_node_id"), attrs.get("untagged_vn_node_id")] + list(attrs.get("tagged_vn_node_ids") or []):
                if vn_id and kind in ("AttachSingleVLAN", "AttachMultipleVLAN"):
                    self.graph.add_rel("vn_to_attach", policy["id"], vn_id)

    def _instance_interfaces(self, inst_id):
        return [intf for group in self.graph.targets(inst_id, "ep_affected_by") for intf in self.graph.sources(group["id"], "ep_member_of")]

    def _sync_instance(self, inst_id, root_id):
        for rel, _policy in self.graph.out(inst_id, "ep_nested"):
            self.graph.del_rel(rel["id"])
        for policy in self._descendants(root_id):
            self.graph.add_rel("ep_nested", inst_id, policy["id"])

    def _delete_policy_tree(self, policy_id, recursive):
        doomed = [policy_id] + ([p["id"] for p in self._descendants(policy_id)] if recursive else [])
        for node_id in doomed:
            shared = [p for rel_type in ("ep_subpolicy", "ep_first_subpolicy", "ep_second_subpolicy")
                      for p in self.graph.sources(node_id, rel_type) if p["id"] not in doomed]
            if node_id in self.graph.nodes and not shared:
                self.graph.del_node(node_id)

    def delete_policy(self, policy_id, user, recursive):
        node = self.get_policy(policy_id)
        if self._app_instances(policy_id):
            raise Unprocessable("Connectivity template %s is assigned to application points; unassign it first" % node["label"])
        self.check_writable(user)
        self._delete_policy_tree(policy_id, recursive)
        self.touch(user)

    def batch_delete_policies(self, body, user):
        ids = body.get("policy_ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise Unprocessable({"policy_ids": "Must be a list of connectivity template ids."})
        errors = {}
        for index, policy_id in enumerate(ids):
            node = self.graph.nodes.get(policy_id)
            if node is None or node["type"] != "ep_endpoint_policy":
                errors[str(index)] = "Connectivity template %s does not exist" % policy_id
            elif self._app_instances(policy_id):
                errors[str(index)] = "Connectivity template %s is assigned to application points; unassign it first" % node["label"]
            elif self._root_of(policy_id)["id"] != policy_id:
                errors[str(index)] = "Policy %s is not a top-level connectivity template" % policy_id
        if errors:
            raise Unprocessable({"policy_ids": errors})
        self.check_writable(user)
        for policy_id in ids:
            self._delete_policy_tree(policy_id, recursive=True)
        self.touch(user)

    def is_application_point(self, interface_id):
        node = self.graph.nodes.get(interface_id)
        if node is None or node["type"] != "interface":
            return False
        host = self.host_of(interface_id)
        if host is None or not (host["type"] == "redundancy_group" or host.get("role") == "leaf"):
            return False
        if self.graph.sources(interface_id, "composed_of"):
            return False
        return any(link["role"] == "to_generic" for link in self.graph.targets(interface_id, "link"))

    def _host_leafs(self, interface_id):
        host = self.host_of(interface_id)
        return host, self.leafs_of(host["id"])

    def _interface_vns(self, interface_id, skip_root=None):
        """vn id -> (tag_type, template label) already attached to the interface."""
        attached = {}
        for group in self.graph.targets(interface_id, "ep_member_of"):
            for inst in self.graph.sources(group["id"], "ep_affected_by"):
                for root in self.graph.targets(inst["id"], "ep_top_level"):
                    if root["id"] != skip_root:
                        for vn_id, tag_type in self._vns_of(root["id"]):
                            attached[vn_id] = (tag_type, root["label"])
        return attached

    def _conflicts(self, interface_id, root_id, planned):
        host = self.host_of(interface_id)
        attached = self._interface_vns(interface_id, skip_root=root_id)
        for vn_id, tag_type, label in planned:
            attached[vn_id] = (tag_type, label)
        untagged = [vn for vn, (tag_type, _label) in attached.items() if tag_type == "untagged"]
        for vn_id, tag_type in self._vns_of(root_id):
            vn = self.graph.nodes[vn_id]
            if vn_id in attached:
                return "VN %s is already configured on interface %s of system %s" % (
                    vn["label"], self.graph.nodes[interface_id]["if_name"], host["label"])
            if tag_type == "untagged" and untagged:
                return "Interface %s of system %s already has an untagged VN (%s)" % (
                    self.graph.nodes[interface_id]["if_name"], host["label"], self.graph.nodes[untagged[0]]["label"])
        return None

    def _extensions(self, interface_id, root_id):
        """Bindings Apstra adds when the template is assigned here: (vn id, new binding) for VNs not yet on these leafs."""
        host, leafs = self._host_leafs(interface_id)
        extensions = []
        for vn_id, _tag_type in self._vns_of(root_id):
            bound = self._bound_to(vn_id)
            covered = {leaf for b in bound for leaf in (self.leafs_of(b["system_id"]) or [])}
            if not all(leaf in covered for leaf in leafs):
                vlan = self.graph.nodes[vn_id]["reserved_vlan_id"] or (bound[0]["vlan_id"] if bound else None)
                extensions.append((vn_id, {"system_id": host["id"], "vlan_id": vlan}))
        return extensions

    def _extension_problem(self, interface_id, root_id):
        for vn_id, binding in self._extensions(interface_id, root_id):
            vn = self.graph.nodes[vn_id]
            if vn["vn_type"] == "vlan" and self._bound_to(vn_id):
                return "VLAN type virtual network %s is already bound to another leaf" % vn["label"]
            errors = self._binding_errors([binding], dict(vn), vn_id, {"vlans": {}})
            if errors:
                return "; ".join(errors["0"].values())
        return None

    def _extend_bindings(self, interface_id, root_id):
        """Bind the template's VNs to the leaf(s) behind the interface, as Apstra does on assignment."""
        for vn_id, binding in self._extensions(interface_id, root_id):
            self._bind(vn_id, self._bound_to(vn_id) + [binding])

    def batch_apply(self, body, user):
        points = body.get("application_points") if isinstance(body, dict) else None
        if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
            raise Unprocessable({"application_points": "Must be a list of application points."})
        errors = {}
        planned = {}
        for index, point in enumerate(points):
            item = {}
            policies = point.get("policies")
            if not isinstance(point.get("id"), str) or not isinstance(policies, list):
                errors[str(index)] = {"id": "Application points need an id and a list of policies"}
                continue
            for p_index, entry in enumerate(policies):
                policy_id = entry.get("policy") if isinstance(entry, dict) else None
                node = self.graph.nodes.get(policy_id) if isinstance(policy_id, str) else None
                if not isinstance(entry, dict) or not isinstance(entry.get("used"), bool):
                    item[str(p_index)] = "Each policy needs a policy id and used: true|false"
                elif node is None or node["type"] != "ep_endpoint_policy":
                    item[str(p_index)] = "Connectivity template %s does not exist" % policy_id
                elif not node["visible"] or node["policy_type_name"] != "batch" or self._root_of(policy_id)["id"] != policy_id:
                    item[str(p_index)] = "Policy %s is not a top-level connectivity template" % policy_id
                elif not self.is_application_point(point["id"]):
                    item[str(p_index)] = "Not a valid application point"
                elif entry["used"]:
                    if self.policy_status(policy_id) == "incomplete":
                        item[str(p_index)] = "Connectivity template %s is incomplete" % node["label"]
                        continue
                    plan = planned.setdefault(point["id"], [])
                    conflict = self._conflicts(point["id"], policy_id, plan) or self._extension_problem(point["id"], policy_id)
                    if conflict:
                        item[str(p_index)] = conflict
                    else:
                        plan.extend((vn, tag, node["label"]) for vn, tag in self._vns_of(policy_id))
            if item:
                errors[str(index)] = {"policies": item}
        if errors:
            raise Unprocessable({"application_points": errors})
        self.check_writable(user)
        for point in points:
            for entry in point["policies"]:
                self._apply(point["id"], entry["policy"], entry["used"])
        self.touch(user)

    def _apply(self, interface_id, root_id, used):
        inst_id = stable_id(self.label, "ep_application_instance", interface_id, root_id)
        group_id = stable_id(self.label, "ep_group", interface_id, root_id)
        if not used:
            for node_id in (inst_id, group_id):
                if node_id in self.graph.nodes:
                    self.graph.del_node(node_id)
            return
        if inst_id in self.graph.nodes:
            return
        self._extend_bindings(interface_id, root_id)
        self.graph.add_node("ep_application_instance", inst_id, label=None, tags=None)
        self.graph.add_node("ep_group", group_id, label=None, tags=None)
        self.graph.add_rel("ep_top_level", inst_id, root_id)
        self.graph.add_rel("ep_affected_by", inst_id, group_id)
        self.graph.add_rel("ep_member_of", interface_id, group_id)
        self._sync_instance(inst_id, root_id)

    def application_points(self, policy=None, max_count=1000, offset=0):
        """The tree pod -> rack -> leaf / leaf pair -> interface; paging counts interfaces."""
        roots = [n for n in self.graph.of_type("ep_endpoint_policy") if n["visible"] and n["policy_type_name"] == "batch"]
        leaves = []
        for pod in self.graph.of_type("pod"):
            for rack in self.graph.sources(pod["id"], "part_of_pod"):
                systems = [s for s in self.graph.sources(rack["id"], "part_of_rack") if s.get("role") == "leaf"]
                groups = {g["id"]: g for s in systems for g in self.graph.sources(s["id"], "composed_of_systems")}
                for owner in systems + list(groups.values()):
                    for intf in sorted(self.graph.targets(owner["id"], "hosted_interfaces"), key=lambda n: n["if_name"] or ""):
                        if self.is_application_point(intf["id"]):
                            leaves.append((pod, rack, owner, intf))
        total = len(leaves)
        tree = {"id": self.id, "type": "blueprint", "label": self.label, "tags": [], "children": []}
        index = {}
        for pod, rack, owner, intf in leaves[offset:offset + max_count]:
            assigned = {r["id"] for g in self.graph.targets(intf["id"], "ep_member_of")
                        for i in self.graph.sources(g["id"], "ep_affected_by") for r in self.graph.targets(i["id"], "ep_top_level")}
            if policy:
                states = [{"policy": policy, "state": "used-directly" if policy in assigned else "unused"}]
            else:
                states = [{"policy": r["id"], "state": "used-directly"} for r in roots if r["id"] in assigned]
            parent = tree
            for node, node_type in ((pod, "pod"), (rack, "rack"), (owner, owner["type"])):
                key = (id(parent), node["id"])
                if key not in index:
                    index[key] = {"id": node["id"], "type": node_type, "label": node["label"], "tags": [], "children": []}
                    parent["children"].append(index[key])
                parent = index[key]
            parent["children"].append({"id": intf["id"], "type": "interface", "label": intf["if_name"], "if_name": intf["if_name"],
                                       "tags": list(intf.get("tags") or []), "children_count": 0, "policies": states})
        self._count_children(tree)
        return {"application_points": tree, "node_types": ["blueprint", "pod", "rack", "system", "redundancy_group", "interface"],
                "total_count": total}

    def _count_children(self, node):
        node["children_count"] = len(node.get("children", []))
        for child in node.get("children", []):
            if "children" in child:
                self._count_children(child)

    # ---- cabling map -------------------------------------------------------------------------------------------
    def _endpoint(self, interface):
        host = self.host_of(interface["id"])
        return {"system": {"id": host["id"], "label": host["label"], "role": host.get("role") or host["type"]},
                "interface": {"id": interface["id"], "if_name": interface["if_name"], "if_type": interface["if_type"],
                              "description": interface["description"], "lag_mode": interface["lag_mode"],
                              "port_channel_id": interface["port_channel_id"], "ipv4_addr": interface["ipv4_addr"],
                              "operation_state": interface["operation_state"], "tags": list(interface.get("tags") or [])}}

    def cabling_map(self):
        links, rg_pcs = [], []
        for link in self.graph.of_type("link"):
            ends = sorted(self.graph.sources(link["id"], "link"), key=lambda i: 0 if (self.host_of(i["id"]) or {}).get("system_type") != "server" else 1)
            aggregate = None
            if link["link_type"] == "ethernet":
                for po in self.graph.sources(ends[0]["id"], "composed_of"):
                    for top in self.graph.sources(po["id"], "composed_of") or [po]:
                        for agg in self.graph.targets(top["id"], "link"):
                            aggregate = agg["id"]
            links.append({"id": link["id"], "label": link["label"], "role": link["role"], "type": link["link_type"], "speed": link["speed"],
                          "group_label": link["group_label"], "aggregate_link_id": aggregate, "rail_id": None,
                          "tags": list(link.get("tags") or []), "endpoints": [self._endpoint(e) for e in ends]})
        for group in self.graph.of_type("redundancy_group"):
            for po in self.graph.targets(group["id"], "hosted_interfaces"):
                members = [{"id": m["id"], "system_node_id": self.host_of(m["id"])["id"], "system_label": self.host_of(m["id"])["label"],
                            "if_name": m["if_name"], "description": m["description"], "tags": []}
                           for m in self.graph.targets(po["id"], "composed_of")]
                rg_pcs.append({"id": po["id"], "description": po["description"] or "", "members": members,
                               "redundancy_group": {"id": group["id"], "label": group["label"]}})
        return {"links": links, "redundancy_group_port_channels": rg_pcs, "version": self.version}

    def cabling_map_lldp(self, system_id=None):
        by_name = {n["label"]: n for n in self.graph.of_type("system")}
        links = []
        for server in self.topo["servers"]:
            for link in server["links"]:
                leaf = by_name[link["lldp"]["leaf"]]
                if system_id and system_id not in (leaf["id"], by_name[server["hostname"]]["id"]):
                    continue
                links.append({"endpoints": [
                    {"system": {"id": leaf["id"], "label": leaf["label"], "role": "leaf"}, "interface": {"if_name": link["lldp"]["port"]}},
                    {"system": {"id": by_name[server["hostname"]]["id"], "label": server["hostname"], "role": "generic"},
                     "interface": {"if_name": link["nic"]}}]})
        return {"nodes": {}, "links": links}

    # ---- deploy, revert, tasks, revisions, locks ---------------------------------------------------------------
    def deploy(self, body, user, run_async, fail_message=None):
        if not isinstance(body, dict) or not isinstance(body.get("version"), int) or isinstance(body.get("version"), bool):
            raise Unprocessable({"version": "Missing data for required field."})
        self.check_writable(user)
        if body["version"] != self.version:
            raise Conflict("Deploy version %d does not match the staging version %d" % (body["version"], self.version))
        errors = self.build_errors()
        if errors["errors_count"]:
            raise Unprocessable("Blueprint has %d build error(s); resolve them before deploying" % errors["errors_count"])
        snapshot, description = self.graph.copy(), body.get("description") or ""
        if not run_async:
            self._finish_deploy(snapshot, body["version"], description, user, fail_message)
            return {"version": body["version"], "state": self.deploy_state["state"], "error": self.deploy_state["error"]}
        task_id = str(uuid.UUID(int=len(self.tasks) + 1, version=4))
        self.tasks[task_id] = {
            "id": task_id, "type": "deploy", "status": "init", "created_at": now_iso(), "config_last_updated_at": now_iso(),
            "user_name": user, "user_id": Backend.user_id(user),
            "request_data": {"url": "/api/blueprints/%s/deploy" % self.id, "method": "PUT", "data": "", "args": {"async": "full"}},
            "_polls": 0, "_started": time.monotonic(), "_job": (snapshot, body["version"], description, user, fail_message),
        }
        return {"task_id": task_id}

    def _finish_deploy(self, snapshot, version, description, user, fail_message):
        if fail_message:
            self.deploy_state = {"version": self.deployed_version, "state": "failure", "error": fail_message}
            return False
        self.deployed, self.deployed_version = snapshot, version
        self.deploy_state = {"version": version, "state": "success", "error": None}
        if version == self.version:
            self.uncommitted = False
            if self.lock and self.lock["type"] == "lock_by_changes":
                self.lock = None
        self.revisions.append({"revision_id": str(len(self.revisions) + 1), "version": version, "description": description,
                               "created_at": now_iso(), "user": user, "user_ip": "127.0.0.1", "keep": False, "auto_saved": True})
        return True

    def advance_tasks(self):
        """Move unfinished tasks on: a task completes after `task_polls` polls or `task_seconds` seconds."""
        for task in self.tasks.values():
            if task["status"] in ("succeeded", "failed", "timeout"):
                continue
            if task["_polls"] >= self.backend.task_polls or time.monotonic() - task["_started"] >= self.backend.task_seconds:
                ok = self._finish_deploy(*task["_job"])
                task["status"] = "succeeded" if ok else "failed"
                task["last_updated_at"] = now_iso()
                task["detailed_status"] = {"api_response": {}, "errors": [] if ok else [self.deploy_state["error"]],
                                           "error": None if ok else self.deploy_state["error"]}
            elif task["_polls"] > 0 and task["status"] == "init":
                task["status"] = "in_progress"
                task["begin_at"] = now_iso()

    @staticmethod
    def task_view(task, detail):
        view = {k: v for k, v in task.items() if not k.startswith("_")}
        if not detail:
            view.pop("detailed_status", None)
        return view

    def get_task(self, task_id):
        task = self.tasks.get(task_id)
        if task is None:
            raise NotFound("Task %s not found" % task_id)
        task["_polls"] += 1
        self.advance_tasks()
        return self.task_view(task, True)

    def list_tasks(self):
        return {"items": [self.task_view(t, False) for t in self.tasks.values()]}

    def diff_status(self):
        return {"status": "completed", "staging_version": self.version, "deployed_version": self.deployed_version,
                "operation_version": self.deployed_version, "logical_diff_supported": True, "cache_diff_supported": True,
                "deploy_config_version": self.deploy_state["version"], "deploy_status_version": self.deploy_state["version"],
                "deploy_status": self.deploy_state["state"], "deploy_error": self.deploy_state["error"]}

    def revert(self, user):
        self.check_writable(user)
        self.graph = self.deployed.copy()
        self.touch(user)
        self.uncommitted = False
        if self.lock and self.lock["type"] == "lock_by_changes":
            self.lock = None

    def concurrent_write(self, username):
        """Another user changes staging (fault injection): the version moves on under the client."""
        self.touch(username)

    def lock_status(self, user):
        lock = self.lock
        if lock and lock.get("until") is not None and lock["until"] <= time.monotonic():
            self.lock = lock = None
        if lock:
            return {"lock_status": "locked", "lock_type": lock["type"], "username": lock["username"], "user_id": Backend.user_id(lock["username"]),
                    "first_name": "", "last_name": "", "possible_override": lock["username"] == user}
        if self.uncommitted and self.user:
            return {"lock_status": "locked", "lock_type": "lock_by_changes", "username": self.user, "user_id": Backend.user_id(self.user),
                    "first_name": "", "last_name": "", "possible_override": self.user == user}
        return {"lock_status": "unlocked", "lock_type": "unlocked"}

    def lock_by_user(self, username, seconds=None):
        self.check_writable(username)
        self.lock = {"type": "lock_by_user", "username": username, "until": time.monotonic() + seconds if seconds else None}

    def unlock(self, user):
        self.check_writable(user)
        self.lock = None

    def state(self):
        return {"id": self.id, "label": self.label, "version": self.version, "deployed_version": self.deployed_version,
                "has_uncommitted_changes": self.uncommitted, "lock": self.lock_status(None), "deploy": self.deploy_state,
                "security_zones": self.list_sz()["items"], "virtual_networks": self.list_vns()["virtual_networks"],
                "endpoint_policies": self.list_policies()["endpoint_policies"], "tasks": self.list_tasks()["items"],
                "revisions": self.revisions, "node_count": len(self.graph.nodes), "relationship_count": len(self.graph.rels)}
