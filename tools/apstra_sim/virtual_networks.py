"""Virtual networks of a blueprint and their bindings (vn_instance nodes)."""

import ipaddress

from apstra_sim.common import (
    LABEL_MSG,
    LABEL_RE,
    VLAN_RANGE,
    VN_FIELDS,
    VN_INPUT_ONLY,
    VN_READ_ONLY,
    VNI_RANGE,
    in_range,
    range_msg,
    tags_error,
)
from apstra_sim.errors import NotFound, Unprocessable


class VirtualNetworksMixin:
    """Virtual networks: views, validation, bindings, create, update, delete. Part of `Blueprint`."""

    def vn_view(self, node):
        view = {k: v for k, v in node.items() if k != "type"}
        view["tags"] = list(node.get("tags") or [])
        zones = self.graph.sources(node["id"], "member_vns")
        view["security_zone_id"] = zones[0]["id"] if zones else None
        view["bound_to"] = self._bound_to(node["id"])
        view["route_target"] = "%s:1" % node["vn_id"] if node["vn_id"] else None
        view["l3_connectivity"] = (
            "l3Enabled" if node["ipv4_enabled"] or node["ipv6_enabled"] else "l3Disabled"
        )
        view["floating_ips"] = []
        view["endpoints"] = []
        return view

    def _bound_to(self, vn_id):
        bindings = {}
        for inst in self.graph.targets(vn_id, "instantiated_by"):
            entry = bindings.setdefault(
                inst["bound_to_id"],
                {
                    "system_id": inst["bound_to_id"],
                    "vlan_id": inst["vlan_id"],
                    "access_switch_node_ids": list(inst["access_switch_node_ids"]),
                },
            )
            entry["vlan_id"] = inst["vlan_id"]
        return list(bindings.values())

    def list_vns(self):
        return {
            "virtual_networks": {
                n["id"]: self.vn_view(n) for n in self.graph.of_type("virtual_network")
            }
        }

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
        merged.update(
            {k: v for k, v in body.items() if k in VN_FIELDS or k in ("label", "vn_type")}
        )
        label = merged.get("label")
        if not isinstance(label, str) or not LABEL_RE.match(label):
            errors["label"] = LABEL_MSG if label is not None else "Missing data for required field."
        elif self.vn_label_taken(label, vn_id) or label in pending["labels"]:
            errors["label"] = 'Virtual Network name "%s" not unique' % label
        vn_type = merged.get("vn_type")
        if vn_type not in ("vxlan", "vlan"):
            errors["vn_type"] = (
                "Must be one of: vlan, vxlan."
                if vn_type is not None
                else "Missing data for required field."
            )
        if vn_type == "vxlan" and merged.get("vn_id") is not None:
            vni = merged["vn_id"]
            try:
                vni = int(vni)
            except (TypeError, ValueError):
                vni = None
            if vni is None or not in_range(vni, VNI_RANGE):
                errors["vn_id"] = range_msg(VNI_RANGE)
            elif self.vni_user(vni, exclude=vn_id) is not None or vni in pending["vnis"]:
                errors["vn_id"] = "VNI %d is already used by %s" % (
                    vni,
                    self.vni_user(vni, exclude=vn_id) or "another virtual network",
                )
        if merged.get("reserved_vlan_id") is not None and not in_range(
            merged["reserved_vlan_id"], VLAN_RANGE
        ):
            errors["reserved_vlan_id"] = range_msg(VLAN_RANGE)
        if "security_zone_id" in body:
            zone = self.graph.nodes.get(body["security_zone_id"])
            if zone is None or zone["type"] != "security_zone":
                errors["security_zone_id"] = (
                    "Routing zone %s does not exist" % body["security_zone_id"]
                )
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
                if merged.get("ipv4_subnet") and address not in ipaddress.ip_network(
                    merged["ipv4_subnet"]
                ):
                    errors["virtual_gateway_ipv4"] = "Virtual gateway %s is not in subnet %s" % (
                        gateway,
                        merged["ipv4_subnet"],
                    )
            except (TypeError, ValueError):
                errors["virtual_gateway_ipv4"] = "Not a valid IPv4 address."
        if merged.get("dhcp_service") not in ("dhcpServiceEnabled", "dhcpServiceDisabled"):
            errors["dhcp_service"] = "Must be one of: dhcpServiceDisabled, dhcpServiceEnabled."
        if merged.get("tags") is not None and tags_error(merged["tags"]):
            errors["tags"] = tags_error(merged["tags"])
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
        pending_vlans = pending["vlans"]
        zone_vlans = {
            z["vlan_id"]: z["label"] for z in self.graph.of_type("security_zone") if z["vlan_id"]
        }
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
                item["system_id"] = (
                    "Virtual networks can only be bound to leafs or leaf pairs, not %s %s"
                    % (node.get("role") or node["type"], node.get("label"))
                )
            elif any(leaf in seen for leaf in leafs):
                item["system_id"] = "System %s is bound more than once" % system_id
            else:
                seen.update(leafs)
                vlan = binding.get("vlan_id")
                if vlan is not None and not in_range(vlan, VLAN_RANGE):
                    item["vlan_id"] = range_msg(VLAN_RANGE)
                elif (
                    vlan is not None
                    and merged.get("reserved_vlan_id") is not None
                    and vlan != merged["reserved_vlan_id"]
                ):
                    item["vlan_id"] = "VLAN %d differs from the reserved VLAN %d" % (
                        vlan,
                        merged["reserved_vlan_id"],
                    )
                elif vlan is not None and vlan in zone_vlans:
                    item["vlan_id"] = "VLAN %d overlaps with routing zone %s" % (
                        vlan,
                        zone_vlans[vlan],
                    )
                elif vlan is not None:
                    for leaf in leafs:
                        user = pending_vlans.get((leaf, vlan)) or self.leaf_vlan_user(
                            leaf, vlan, exclude_vn=vn_id
                        )
                        if user is not None:
                            item["vlan_id"] = (
                                "VLAN %d overlaps with virtual network %s on system %s"
                                % (vlan, user, self.graph.nodes[leaf]["label"])
                            )
                            break
            if item:
                errors[str(index)] = item
        return errors

    def _vlan_for(self, leafs, preferred, vn_id):
        if preferred is not None:
            return preferred
        zone_vlans = {z["vlan_id"] for z in self.graph.of_type("security_zone")}
        for vlan in range(VLAN_RANGE[0], VLAN_RANGE[1] + 1):
            if vlan not in zone_vlans and all(
                self.leaf_vlan_user(leaf, vlan, exclude_vn=vn_id) is None for leaf in leafs
            ):
                return vlan
        raise Unprocessable({"bound_to": "No free VLAN left on the bound leafs"})

    def _bind(self, vn_id, bindings):
        """Replace the VN's vn_instances by `bindings` (validated), allocating VLANs where none is given."""
        self._forget_bindings(vn_id)
        for inst in self.graph.targets(vn_id, "instantiated_by"):
            self.graph.del_node(inst["id"])
        reserved = self.graph.nodes[vn_id]["reserved_vlan_id"]
        for binding in bindings:
            leafs = self.leafs_of(binding["system_id"])
            vlan = self._vlan_for(
                leafs,
                binding.get("vlan_id") if binding.get("vlan_id") is not None else reserved,
                vn_id,
            )
            for leaf in leafs:
                inst = self.graph.add_node(
                    "vn_instance",
                    self._new_id("vn_instance"),
                    vlan_id=vlan,
                    bound_to_id=binding["system_id"],
                    access_switch_node_ids=list(binding.get("access_switch_node_ids") or []),
                    ipv4_mode="enabled",
                    dhcp_enabled=self.graph.nodes[vn_id]["dhcp_service"] == "dhcpServiceEnabled",
                    tags=None,
                )
                self.graph.add_rel("hosted_vn_instances", leaf, inst["id"])
                self.graph.add_rel("instantiated_by", vn_id, inst["id"])

    def _vn_props(self, body, base, vnis=None):
        """Node properties of a VN; `vnis` ({"used": set, "from": VNI}) lets a batch draw VNIs without re-reading the
        graph: the first free VNI only moves up while VNIs are taken."""
        props = dict(base)
        for key in ("label", "vn_type") + tuple(VN_FIELDS):
            if key in body:
                props[key] = body[key]
        if props["vn_type"] == "vxlan":
            if props.get("vn_id") is None:
                if vnis is None:
                    vni = self._free_vni(self.used_vnis(exclude=base.get("id")))
                else:
                    vni = vnis["from"] = self._free_vni(vnis["used"], vnis["from"])
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
            raise Unprocessable(
                {"virtual_networks": "Must be a list of virtual networks."}
                if batch
                else "Request body must be a JSON object"
            )
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
        vnis = {"used": set(self.used_vnis()), "from": None}
        for body in items:
            node = self.graph.add_node(
                "virtual_network",
                self._new_id("virtual_network"),
                **self._vn_props(body, dict(VN_FIELDS), vnis),
            )
            if node["vn_id"]:
                vnis["used"].add(int(node["vn_id"]))
            self.graph.add_rel(
                "member_vns", body.get("security_zone_id") or self.default_sz, node["id"]
            )
            self._bind(node["id"], body.get("bound_to") or [])
            for tag_type, key in (
                ("vlan_tagged", "create_policy_tagged"),
                ("untagged", "create_policy_untagged"),
            ):
                if body.get(key):
                    self._auto_policy(node, tag_type)
            ids.append(node["id"])
        self.touch(user)
        return ids

    def _auto_policy(self, vn, tag_type):
        root, pipe, prim = (self._new_id("ep_endpoint_policy") for _index in range(3))
        label = "%s (%s)" % (vn["label"], "tagged" if tag_type == "vlan_tagged" else "untagged")
        self._store_policies(
            [
                {
                    "id": root,
                    "label": label,
                    "description": "",
                    "policy_type_name": "batch",
                    "attributes": {"subpolicies": [pipe]},
                    "visible": True,
                    "tags": [],
                    "user_data": None,
                },
                {
                    "id": pipe,
                    "label": label + " (pipeline)",
                    "description": "",
                    "policy_type_name": "pipeline",
                    "attributes": {
                        "first_subpolicy": prim,
                        "second_subpolicy": None,
                        "resolver": None,
                    },
                    "visible": False,
                    "tags": [],
                    "user_data": None,
                },
                {
                    "id": prim,
                    "label": "Virtual Network (Single)",
                    "description": "",
                    "policy_type_name": "AttachSingleVLAN",
                    "attributes": {"vn_node_id": vn["id"], "tag_type": tag_type},
                    "visible": False,
                    "tags": [],
                    "user_data": None,
                },
            ]
        )

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
                errors[str(index)] = {
                    "virtual_network_id": "Virtual network %s does not exist" % vn_id
                }
                continue
            item_errors = self._vn_errors(
                {k: v for k, v in body.items() if k not in ("virtual_network_id", "id")},
                vn_id,
                pending,
                partial,
            )
            if item_errors:
                errors[str(index)] = item_errors
        if errors:
            raise Unprocessable({"virtual_networks": errors} if batch else errors["0"])
        for body in items:
            vn_id = body.get("virtual_network_id") if batch else body.get("id")
            node = self.graph.nodes[vn_id]
            base = (
                dict(node)
                if partial
                else dict(VN_FIELDS, id=vn_id, label=node["label"], vn_type=node["vn_type"])
            )
            if (
                not partial
                and body.get("vn_id") is None
                and node["vn_type"] == body.get("vn_type", node["vn_type"])
            ):
                base["vn_id"] = node["vn_id"]
            self.graph.add_node("virtual_network", vn_id, **self._vn_props(body, base))
            if "security_zone_id" in body or not partial:
                for rel, _zone in self.graph.in_(vn_id, "member_vns"):
                    self.graph.del_rel(rel["id"])
                self.graph.add_rel(
                    "member_vns", body.get("security_zone_id") or self.default_sz, vn_id
                )
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
            users = sorted(
                {self._root_of(p["id"])["label"] for p in self.graph.sources(vn_id, "vn_to_attach")}
            )
            if users:
                errors[str(index)] = (
                    "Virtual network %s is used by connectivity template(s): %s"
                    % (node["label"], ", ".join(users))
                )
        if errors:
            raise Unprocessable({"virtual_network_ids": errors} if batch else errors["0"])
        self.check_writable(user)
        for vn_id in vn_ids:
            for inst in self.graph.targets(vn_id, "instantiated_by"):
                self.graph.del_node(inst["id"])
            self.graph.del_node(vn_id)
        self.touch(user)
