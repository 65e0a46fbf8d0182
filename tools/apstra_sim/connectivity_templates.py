"""Connectivity templates (endpoint policies), their assignment to application points, and the application-points tree.

In the graph, as in Apstra's, an `ep_endpoint_policy` node holds its `attributes` as a JSON string; the REST views
(`endpoint-policies`, `obj-policy-export`) show them as objects.
"""

import contextlib
import json

from apstra_sim.common import CT_FIELDS, CT_RELS, CT_TYPES, SUBPOLICY_RELS, tags_error
from apstra_sim.errors import NotFound, Unprocessable
from apstra_sim.graph import stable_id


def attributes_of(policy):
    """The attributes of a policy node as an object (the graph stores them as a JSON string)."""
    attrs = policy.get("attributes")
    if isinstance(attrs, str):
        return json.loads(attrs) if attrs else {}
    return dict(attrs or {})


def primitive_vns(policy):
    """(vn id, tag_type) pairs one policy attaches: an AttachSingleVLAN's VN, an AttachMultipleVLAN's untagged and
    tagged VNs; none for any other policy."""
    attrs = attributes_of(policy)
    if policy["policy_type_name"] == "AttachSingleVLAN" and attrs.get("vn_node_id"):
        return [(attrs["vn_node_id"], attrs.get("tag_type", "vlan_tagged"))]
    if policy["policy_type_name"] == "AttachMultipleVLAN":
        pairs = (
            [(attrs["untagged_vn_node_id"], "untagged")] if attrs.get("untagged_vn_node_id") else []
        )
        return pairs + [(vn, "vlan_tagged") for vn in attrs.get("tagged_vn_node_ids") or []]
    return []


class ConnectivityTemplatesMixin:
    """Connectivity templates and application points. Part of `Blueprint`."""

    # While a batch apply or the end of an import runs: {kind: {key: value}} of facts that hold for its whole length
    # (templates and the fabric do not change then; a VN's bindings do, and _bind forgets what it knew of them).
    _batch_memo = None

    @contextlib.contextmanager
    def _batch(self):
        """Memoize what a batch reads again and again (see `_memo`) while the block runs."""
        outer = self._batch_memo
        if outer is None:
            self._batch_memo = {}
        try:
            yield
        finally:
            if outer is None:
                self._batch_memo = None

    def _memo(self, kind):
        """The running batch's memo of `kind` (a dict), or None outside a batch."""
        memo = self._batch_memo
        return None if memo is None else memo.setdefault(kind, {})

    def _forget_bindings(self, vn_id):
        """The VN's bindings change: what the running batch knew of them no longer holds."""
        if self._batch_memo is not None:
            self._memo("covered").pop(vn_id, None)
            self._memo("no_extensions").clear()

    def _children(self, policy_id):
        return [n for rel_type in SUBPOLICY_RELS for n in self.graph.targets(policy_id, rel_type)]

    def _memoized(self, kind, key, find):
        """find(key), kept in the running batch's memo of `kind`; outside a batch, found anew each time."""
        memo = self._memo(kind)
        if memo is None:
            return find(key)
        if key not in memo:
            memo[key] = find(key)
        return memo[key]

    def _descendants(self, policy_id):
        return list(self._memoized("descendants", policy_id, self._find_descendants))

    def _find_descendants(self, policy_id):
        found, stack = {}, [policy_id]
        while stack:
            for child in self._children(stack.pop()):
                if child["id"] not in found:
                    found[child["id"]] = child
                    stack.append(child["id"])
        return list(found.values())

    def _root_of(self, policy_id):
        return self._memoized("roots", policy_id, self._find_root)

    def _find_root(self, policy_id):
        node = self.graph.nodes[policy_id]
        while True:
            parents = [
                n for rel_type in SUBPOLICY_RELS for n in self.graph.sources(node["id"], rel_type)
            ]
            if not parents:
                return node
            node = parents[0]

    def _app_instances(self, root_id):
        return self.graph.sources(root_id, "ep_top_level")

    def _vns_of(self, root_id):
        """(vn id, tag_type) pairs a template attaches (memoized while a batch runs: templates do not change)."""
        memo = self._memo("vns")
        if memo is not None and root_id in memo:
            return memo[root_id]
        pairs = []
        for policy in [self.graph.nodes[root_id]] + self._descendants(root_id):
            pairs.extend(primitive_vns(policy))
        if memo is not None:
            memo[root_id] = pairs
        return pairs

    def _missing(self, policy):
        attrs, kind = attributes_of(policy), policy["policy_type_name"]
        if kind == "AttachSingleVLAN" and not attrs.get("vn_node_id"):
            return {"vn_node_id": "Missing value"}
        if (
            kind == "AttachMultipleVLAN"
            and not attrs.get("untagged_vn_node_id")
            and not attrs.get("tagged_vn_node_ids")
        ):
            return {"tagged_vn_node_ids": "Missing value"}
        if kind == "batch" and not attrs.get("subpolicies"):
            return {"subpolicies": "Missing value"}
        if kind == "pipeline" and not attrs.get("first_subpolicy"):
            return {"first_subpolicy": "Missing value"}
        return {}

    def _incomplete(self, policy_id):
        """Whether the template misses a required attribute somewhere (memoized while a batch runs)."""
        memo = self._memo("incomplete")
        if memo is not None and policy_id in memo:
            return memo[policy_id]
        root = self.graph.nodes[policy_id]
        incomplete = any(self._missing(p) for p in [root] + self._descendants(policy_id))
        if memo is not None:
            memo[policy_id] = incomplete
        return incomplete

    def policy_status(self, policy_id):
        if self._incomplete(policy_id):
            return "incomplete"
        return "assigned" if self.graph.has_sources(policy_id, "ep_top_level") else "ready"

    def policy_view(self, node):
        view = {k: node.get(k) for k in CT_FIELDS}
        view["attributes"] = attributes_of(node)
        view["tags"] = list(node.get("tags") or [])
        view["description"] = node.get("description") or ""
        view["missing_attributes"] = self._missing(node)
        view["status"] = self.policy_status(node["id"])
        view["app_points_count"] = len(self._app_instances(node["id"]))
        return view

    def list_policies(self):
        return {
            "endpoint_policies": [
                self.policy_view(n) for n in self.graph.of_type("ep_endpoint_policy")
            ]
        }

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
        return {
            "policies": [
                dict(
                    {k: n.get(k) for k in CT_FIELDS},
                    attributes=attributes_of(n),
                    tags=list(n.get("tags") or []),
                )
                for n in nodes
            ]
        }

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
            errors["policy_type_name"] = "Unknown policy type %s (the simulator implements %s)" % (
                kind,
                ", ".join(CT_TYPES),
            )
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
                problems["subpolicies"] = (
                    "Subpolicies must be ids of policies that exist or are imported together"
                )
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
            if attrs.get("untagged_vn_node_id") is not None and not vn_exists(
                attrs["untagged_vn_node_id"]
            ):
                problems["untagged_vn_node_id"] = (
                    "Virtual network %s does not exist" % attrs["untagged_vn_node_id"]
                )
            tagged = attrs.get("tagged_vn_node_ids") or []
            if not isinstance(tagged, list) or not all(vn_exists(v) for v in tagged):
                problems["tagged_vn_node_ids"] = "Every tagged VN must exist"
        if problems:
            errors["attributes"] = problems
        if policy.get("tags") is not None and tags_error(policy["tags"]):
            errors["tags"] = tags_error(policy["tags"])
        return errors

    def import_policies(self, body, user):
        policies = body.get("policies") if isinstance(body, dict) else None
        if not isinstance(policies, list) or not all(isinstance(p, dict) for p in policies):
            raise Unprocessable({"policies": "Must be a list of policies."})
        self.check_writable(user)
        known = set(self.graph.by_type.get("ep_endpoint_policy", {})) | {
            p.get("id") for p in policies
        }
        errors = {}
        for index, policy in enumerate(policies):
            policy_errors = self._policy_errors(policy, known)
            existing = self.graph.nodes.get(policy.get("id"))
            if (
                not policy_errors
                and existing is not None
                and existing["type"] != "ep_endpoint_policy"
            ):
                policy_errors["id"] = "Id %s is used by a %s node" % (
                    policy["id"],
                    existing["type"],
                )
            if policy_errors:
                errors[str(index)] = policy_errors
        if errors:
            raise Unprocessable({"policies": errors})
        self._store_policies(policies)
        with self._batch():  # the templates are stored: they do not change below
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
            props["attributes"] = json.dumps(props["attributes"], sort_keys=True)
            self.graph.add_node("ep_endpoint_policy", policy["id"], **props)
        for policy in policies:
            attrs, kind = policy["attributes"], policy["policy_type_name"]
            if kind == "batch":
                for sub in attrs.get("subpolicies") or []:
                    self.graph.add_rel("ep_subpolicy", policy["id"], sub)
            elif kind == "pipeline":
                for key, rel_type in (
                    ("first_subpolicy", "ep_first_subpolicy"),
                    ("second_subpolicy", "ep_second_subpolicy"),
                ):
                    if attrs.get(key):
                        self.graph.add_rel(rel_type, policy["id"], attrs[key])
            for vn_id in [attrs.get("vn_node_id"), attrs.get("untagged_vn_node_id")] + list(
                attrs.get("tagged_vn_node_ids") or []
            ):
                if vn_id and kind in ("AttachSingleVLAN", "AttachMultipleVLAN"):
                    self.graph.add_rel("vn_to_attach", policy["id"], vn_id)

    def _instance_interfaces(self, inst_id):
        return [
            intf
            for group in self.graph.targets(inst_id, "ep_affected_by")
            for intf in self.graph.sources(group["id"], "ep_member_of")
        ]

    def _sync_instance(self, inst_id, root_id):
        """`ep_nested` from the application instance to every policy of its template, the top-level one included."""
        for rel_id in list(self.graph.adjacent(inst_id, "ep_nested", forward=True)):
            self.graph.del_rel(rel_id)
        self.graph.add_rels(
            [("ep_nested", inst_id, root_id)]
            + [("ep_nested", inst_id, policy["id"]) for policy in self._descendants(root_id)]
        )

    def _delete_policy_tree(self, policy_id, recursive):
        doomed = [policy_id] + (
            [p["id"] for p in self._descendants(policy_id)] if recursive else []
        )
        for node_id in doomed:
            shared = [
                p
                for rel_type in SUBPOLICY_RELS
                for p in self.graph.sources(node_id, rel_type)
                if p["id"] not in doomed
            ]
            if node_id in self.graph.nodes and not shared:
                self.graph.del_node(node_id)

    def delete_policy(self, policy_id, user, recursive):
        node = self.get_policy(policy_id)
        if self._app_instances(policy_id):
            raise Unprocessable(
                "Connectivity template %s is assigned to application points; unassign it first"
                % node["label"]
            )
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
                errors[str(index)] = (
                    "Connectivity template %s is assigned to application points; unassign it first"
                    % node["label"]
                )
            elif self._root_of(policy_id)["id"] != policy_id:
                errors[str(index)] = (
                    "Policy %s is not a top-level connectivity template" % policy_id
                )
        if errors:
            raise Unprocessable({"policy_ids": errors})
        self.check_writable(user)
        for policy_id in ids:
            self._delete_policy_tree(policy_id, recursive=True)
        self.touch(user)

    def is_application_point(self, interface_id):
        return self._memoized("points", interface_id, self._is_application_point)

    def _is_application_point(self, interface_id):
        node = self.graph.nodes.get(interface_id)
        if node is None or node["type"] != "interface":
            return False
        host = self.host_of(interface_id)
        if host is None or not (host["type"] == "redundancy_group" or host.get("role") == "leaf"):
            return False
        if self.graph.has_sources(interface_id, "composed_of"):
            return False
        return any(
            link["role"] == "to_generic" for link in self.graph.targets(interface_id, "link")
        )

    def _host_leafs(self, interface_id):
        memo = self._memo("hosts")
        if memo is not None and interface_id in memo:
            return memo[interface_id]
        host = self.host_of(interface_id)
        found = host, self.leafs_of(host["id"])
        if memo is not None:
            memo[interface_id] = found
        return found

    def _applied(self, interface_id):
        """(template id, its (vn id, tag_type) pairs) of the templates applied to the interface, in graph order."""
        return [
            (root["id"], self._vns_of(root["id"]))
            for group in self.graph.targets(interface_id, "ep_member_of")
            for inst in self.graph.sources(group["id"], "ep_affected_by")
            for root in self.graph.targets(inst["id"], "ep_top_level")
        ]

    def _conflicts(self, interface_id, root_id, attached):
        """Why the template cannot go on the interface next to what is `attached` there (an `_Attached`), or None."""
        host = self._host_leafs(interface_id)[0]
        for vn_id, tag_type in self._vns_of(root_id):
            vn = self.graph.nodes[vn_id]
            if attached.has(vn_id, skip_root=root_id):
                return "VN %s is already configured on interface %s of system %s" % (
                    vn["label"],
                    self.graph.nodes[interface_id]["if_name"],
                    host["label"],
                )
            if tag_type == "untagged":
                untagged = attached.first_untagged(skip_root=root_id)
                if untagged is not None:
                    return "Interface %s of system %s already has an untagged VN (%s)" % (
                        self.graph.nodes[interface_id]["if_name"],
                        host["label"],
                        self.graph.nodes[untagged]["label"],
                    )
        return None

    def _covered(self, vn_id):
        """The leafs the VN is bound to (memoized while a batch runs, until _bind changes them)."""
        memo = self._memo("covered")
        if memo is not None and vn_id in memo:
            return memo[vn_id]
        covered = {
            leaf for b in self._bound_to(vn_id) for leaf in (self.leafs_of(b["system_id"]) or [])
        }
        if memo is not None:
            memo[vn_id] = covered
        return covered

    def _extensions(self, interface_id, root_id):
        """Bindings Apstra adds when the template is assigned here: (vn id, new binding) for VNs not yet on these leafs."""
        host, leafs = self._host_leafs(interface_id)
        # (host id, template id) whose VNs reach the host's leafs already
        done = self._memo("no_extensions")
        if done is not None and (host["id"], root_id) in done:
            return []
        extensions = []
        for vn_id, _tag_type in self._vns_of(root_id):
            covered = self._covered(vn_id)
            if not all(leaf in covered for leaf in leafs):
                bound = self._bound_to(vn_id)
                vlan = self.graph.nodes[vn_id]["reserved_vlan_id"] or (
                    bound[0]["vlan_id"] if bound else None
                )
                extensions.append((vn_id, {"system_id": host["id"], "vlan_id": vlan}))
        if done is not None and not extensions:
            done[(host["id"], root_id)] = True
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
        with self._batch():
            self._batch_apply(body, user)

    def _batch_apply(self, body, user):
        points = body.get("application_points") if isinstance(body, dict) else None
        if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
            raise Unprocessable({"application_points": "Must be a list of application points."})
        errors = {}
        # interface id -> _Attached: what the batch's entries so far plan on it, next to what it has
        attached = {}
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
                elif (
                    not node["visible"]
                    or node["policy_type_name"] != "batch"
                    or self._root_of(policy_id)["id"] != policy_id
                ):
                    item[str(p_index)] = (
                        "Policy %s is not a top-level connectivity template" % policy_id
                    )
                elif not self.is_application_point(point["id"]):
                    item[str(p_index)] = "Not a valid application point"
                elif entry["used"]:
                    if self._incomplete(policy_id):
                        item[str(p_index)] = (
                            "Connectivity template %s is incomplete" % node["label"]
                        )
                        continue
                    there = attached.get(point["id"])
                    if there is None:
                        there = attached[point["id"]] = _Attached(self._applied(point["id"]))
                    conflict = self._conflicts(
                        point["id"], policy_id, there
                    ) or self._extension_problem(point["id"], policy_id)
                    if conflict:
                        item[str(p_index)] = conflict
                    else:
                        there.plan(self._vns_of(policy_id))
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
        if used and inst_id in self.graph.nodes:
            return
        group_id = stable_id(self.label, "ep_group", interface_id, root_id)
        if not used:
            for node_id in (inst_id, group_id):
                if node_id in self.graph.nodes:
                    self.graph.del_node(node_id)
            return
        self._extend_bindings(interface_id, root_id)
        self.graph.add_node("ep_application_instance", inst_id, label=None, tags=None)
        self.graph.add_node("ep_group", group_id, label=None, tags=None)
        self.graph.add_rels(
            [
                ("ep_top_level", inst_id, root_id),
                ("ep_affected_by", inst_id, group_id),
                ("ep_member_of", interface_id, group_id),
                ("ep_nested", inst_id, root_id),  # what _sync_instance adds for a new instance
            ]
            + [("ep_nested", inst_id, policy["id"]) for policy in self._descendants(root_id)]
        )

    def application_points(self, policy=None, max_count=1000, offset=0):
        """The tree pod -> rack -> leaf / leaf pair -> interface; paging counts interfaces."""
        roots = [
            n
            for n in self.graph.of_type("ep_endpoint_policy")
            if n["visible"] and n["policy_type_name"] == "batch"
        ]
        leaves = []
        for pod in self.graph.of_type("pod"):
            for rack in self.graph.sources(pod["id"], "part_of_pod"):
                systems = [
                    s
                    for s in self.graph.sources(rack["id"], "part_of_rack")
                    if s.get("role") == "leaf"
                ]
                groups = {
                    g["id"]: g
                    for s in systems
                    for g in self.graph.sources(s["id"], "composed_of_systems")
                }
                for owner in systems + list(groups.values()):
                    for intf in sorted(
                        self.graph.targets(owner["id"], "hosted_interfaces"),
                        key=lambda n: n["if_name"] or "",
                    ):
                        if self.is_application_point(intf["id"]):
                            leaves.append((pod, rack, owner, intf))
        total = len(leaves)
        tree = {"id": self.id, "type": "blueprint", "label": self.label, "tags": [], "children": []}
        index = {}
        for pod, rack, owner, intf in leaves[offset : offset + max_count]:
            assigned = {
                r["id"]
                for g in self.graph.targets(intf["id"], "ep_member_of")
                for i in self.graph.sources(g["id"], "ep_affected_by")
                for r in self.graph.targets(i["id"], "ep_top_level")
            }
            if policy:
                states = [
                    {"policy": policy, "state": "used-directly" if policy in assigned else "unused"}
                ]
            else:
                states = [
                    {"policy": r["id"], "state": "used-directly"}
                    for r in roots
                    if r["id"] in assigned
                ]
            parent = tree
            for node, node_type in ((pod, "pod"), (rack, "rack"), (owner, owner["type"])):
                key = (id(parent), node["id"])
                if key not in index:
                    index[key] = {
                        "id": node["id"],
                        "type": node_type,
                        "label": node["label"],
                        "tags": [],
                        "children": [],
                    }
                    parent["children"].append(index[key])
                parent = index[key]
            parent["children"].append(
                {
                    "id": intf["id"],
                    "type": "interface",
                    "label": intf["if_name"],
                    "if_name": intf["if_name"],
                    "tags": list(intf.get("tags") or []),
                    "children_count": 0,
                    "policies": states,
                }
            )
        self._count_children(tree)
        return {
            "application_points": tree,
            "node_types": ["blueprint", "pod", "rack", "system", "redundancy_group", "interface"],
            "total_count": total,
        }

    def _count_children(self, node):
        node["children_count"] = len(node.get("children", []))
        for child in node.get("children", []):
            if "children" in child:
                self._count_children(child)


class _Attached:
    """The VNs on one interface while a batch apply is checked: those of the templates applied to it (the template
    being checked left out), then those the batch's earlier entries plan there, later ones overriding the tag_type.
    `has` and `first_untagged` answer in time independent of how many there are (unless the template being checked is
    applied already and has an untagged VN), so a batch of N templates on an interface is checked in O(N), not O(N^2).
    """

    def __init__(self, applied):
        self.applied = applied  # [(template id, pairs)] in graph order
        self.vns_of = {}  # template id -> set of its vn ids
        self.count = {}  # vn id -> number of applied templates that attach it
        # vn id -> tag_type: every applied template, then the plan (later ones win)
        self.current = {}
        self.position = {}  # vn id -> position of its first appearance in `current`
        self.untagged = {}  # vn id -> position, for the VNs whose tag_type in `current` is untagged
        self.planned = []  # (vn id, tag_type) in plan order
        self.planned_vns = set()
        for root_id, pairs in applied:
            vns = {vn_id for vn_id, _tag_type in pairs}
            self.vns_of[root_id] = vns
            for vn_id in vns:
                self.count[vn_id] = self.count.get(vn_id, 0) + 1
            for vn_id, tag_type in pairs:
                self._put(vn_id, tag_type)

    def _put(self, vn_id, tag_type):
        if vn_id not in self.current:
            self.position[vn_id] = len(self.position)
        self.current[vn_id] = tag_type
        if tag_type == "untagged":
            self.untagged[vn_id] = self.position[vn_id]
        else:
            self.untagged.pop(vn_id, None)

    def plan(self, pairs):
        for vn_id, tag_type in pairs:
            self.planned.append((vn_id, tag_type))
            self.planned_vns.add(vn_id)
            self._put(vn_id, tag_type)

    def has(self, vn_id, skip_root):
        """Whether the VN is on the interface, the applied template `skip_root` left out."""
        if vn_id in self.planned_vns:
            return True
        count = self.count.get(vn_id, 0)
        if vn_id in self.vns_of.get(skip_root, ()):
            count -= 1
        return count > 0

    def first_untagged(self, skip_root):
        """The first untagged VN in the order the interface lists its VNs, `skip_root` left out; None if none."""
        if skip_root not in self.vns_of:
            return min(self.untagged, key=self.untagged.get) if self.untagged else None
        tags = {}
        for root_id, pairs in self.applied:
            if root_id != skip_root:
                tags.update(pairs)
        tags.update(self.planned)
        return next((vn_id for vn_id, tag_type in tags.items() if tag_type == "untagged"), None)
