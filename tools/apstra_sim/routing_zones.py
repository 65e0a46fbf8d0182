"""Routing zones (security zones) of a blueprint."""

from apstra_sim.common import (
    LABEL_MSG,
    LABEL_RE,
    SZ_FIELDS,
    VLAN_RANGE,
    VNI_RANGE,
    VRF_RE,
    in_range,
    range_msg,
    tags_error,
)
from apstra_sim.errors import NotFound, Unprocessable


class RoutingZonesMixin:
    """Routing zones: views, validation, create, update, delete. Part of `Blueprint`."""

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

    def _sz_errors(self, body, sz_id=None, partial=False):
        errors = {}
        allowed = set(SZ_FIELDS) | {
            "label",
            "vrf_name",
            "sz_type",
            "id",
            "route_target",
            "vrf_id",
            "l3_mtu",
        }
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
                errors["vrf_name"] = (
                    "VRF name must be 1 to 15 characters long and contain only letters, digits, underscores and dashes"
                )
            elif any(z["vrf_name"] == vrf for z in zones) or vrf == "default":
                errors["vrf_name"] = 'VRF name "%s" is already used' % vrf
        if not partial or "sz_type" in body:
            if body.get("sz_type") != "evpn":
                errors["sz_type"] = "Must be one of: evpn."
        if body.get("vni_id") is not None:
            if not in_range(body["vni_id"], VNI_RANGE):
                errors["vni_id"] = range_msg(VNI_RANGE)
            elif body["vni_id"] in self.used_vnis(exclude=sz_id):
                errors["vni_id"] = "VNI %d is already used by %s" % (
                    body["vni_id"],
                    self.used_vnis(exclude=sz_id)[body["vni_id"]],
                )
        if body.get("vlan_id") is not None:
            if not in_range(body["vlan_id"], VLAN_RANGE):
                errors["vlan_id"] = range_msg(VLAN_RANGE)
            elif any(z["vlan_id"] == body["vlan_id"] for z in zones):
                errors["vlan_id"] = (
                    "VLAN %d is already used by another routing zone" % body["vlan_id"]
                )
            else:
                users = sorted(
                    {
                        label
                        for (_leaf, vlan), label in self._leaf_vlans().items()
                        if vlan == body["vlan_id"]
                    }
                )
                if users:
                    errors["vlan_id"] = "VLAN %d overlaps with virtual network %s" % (
                        body["vlan_id"],
                        users[0],
                    )
        if body.get("junos_evpn_irb_mode") not in (None, "asymmetric", "symmetric"):
            errors["junos_evpn_irb_mode"] = "Must be one of: asymmetric, symmetric."
        if "tags" in body and body["tags"] is not None and tags_error(body["tags"]):
            errors["tags"] = tags_error(body["tags"])
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
            used = {z["vlan_id"] for z in self.graph.of_type("security_zone")} | {
                vlan for (_leaf, vlan) in self._leaf_vlans()
            }
            props["vlan_id"] = next(
                v for v in range(VLAN_RANGE[0], VLAN_RANGE[1] + 1) if v not in used
            )
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
        base = (
            node
            if partial
            else dict(SZ_FIELDS, vrf_id=node["vrf_id"], l3_mtu=node["l3_mtu"], id=sz_id)
        )
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
                errors[str(index)] = "Routing zone %s has virtual networks: %s" % (
                    node["label"],
                    ", ".join(labels),
                )
        if errors:
            raise Unprocessable({"security_zone_ids": errors} if batch else errors["0"])
        self.check_writable(user)
        for sz_id in sz_ids:
            self.graph.del_node(sz_id)
        self.touch(user)
