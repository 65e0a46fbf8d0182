#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: apstra_virtual_networks
short_description: Manage Apstra virtual networks as a resource list, in batches
version_added: 0.1.0
description:
  - Create, update and delete the virtual networks of an Apstra blueprint from a list of wanted networks,
    with the network resource module states.
  - Whatever the length of O(config), a run sends at most three writes, one
    C(virtual-networks-batch) for all creates, one C(virtual-networks-batch-patch) for all updates and one
    C(delete-virtual-networks) for all deletes, and resolves leaf, ESI pair and routing zone names with one
    graph query and one list call.
  - Networks are identified by O(config[].label). Networks this module creates carry the tag
    C(managed-by:netops.cn2_apstra); O(state=overridden) and O(state=deleted) without O(config) only remove
    networks carrying that tag.
  - Changes land in the blueprint's staging; deploy them with M(netops.cn2_apstra.apstra_blueprint_commit).
extends_documentation_fragment:
  - netops.cn2_apstra.apstra
  - netops.cn2_apstra.apstra.blueprint
  - netops.cn2_apstra.apstra.results
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_apstra
options:
  config:
    description:
      - The wanted virtual networks.
    type: list
    elements: dict
    suboptions:
      label:
        description:
          - Name of the virtual network, 1-30 characters of C([A-Za-z0-9_-]).
        type: str
        required: true
      vn_type:
        description:
          - V(vxlan) spans leafs; V(vlan) lives on one leaf or ESI pair.
          - Defaults to V(vxlan) when the network is created.
        type: str
        choices: [vxlan, vlan]
      vni:
        description:
          - VXLAN network identifier, 4096-16777214. Drawn from the VNI pool by Apstra if not set.
        type: int
      routing_zone:
        description:
          - Label (or VRF name) of the routing zone. The default routing zone if not set when the network is created.
          - In check mode a routing zone that does not exist yet (one an earlier task of the same check run would
            create) is planned with the placeholder id C(<routing zone NAME (planned)>) and the result carries a
            note. A real run fails on an unknown routing zone, naming the closest existing ones, before any write.
        type: str
      vlan_id:
        description:
          - VLAN of the network on every bound leaf, 2-4094.
        type: int
      bindings:
        description:
          - Leafs (by name) and ESI pairs (by redundancy group label, for example C(leaf3-leaf4)) the network
            is bound to.
        type: list
        elements: str
      ipv4_subnet:
        description:
          - IPv4 subnet in CIDR form, for example C(10.1.0.0/24). Enables IPv4 on the network.
        type: str
      ipv4_gateway:
        description:
          - Virtual gateway address, a host address inside O(config[].ipv4_subnet).
        type: str
      dhcp:
        description:
          - Relay DHCP on the network.
        type: bool
      mtu:
        description:
          - L3 MTU of the network's gateway interfaces, 1280-9216.
        type: int
      tags:
        description:
          - Tags of the network. The ownership tag is added to networks this module creates.
        type: list
        elements: str
      description:
        description:
          - Free text description.
        type: str
  state:
    description:
      - V(merged) creates missing networks and updates the given fields of existing ones; O(config[].bindings)
        and O(config[].tags) are added to the existing ones.
      - V(replaced) makes each listed network exactly as given; fields left out go back to their defaults
        (values Apstra assigns, the VNI, VLAN, routing zone and MTU, are kept).
      - V(overridden) is V(replaced) plus removal of every network with the ownership tag that is not listed.
      - V(deleted) removes the listed networks, or without O(config) every network with the ownership tag.
      - V(gathered) returns the existing networks in O(config) form and changes nothing.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
attributes:
  check_mode:
    support: full
    details: Plans from reads only and sends no write; RV(plan) lists the requests a real run would send.
  diff_mode:
    support: full
author:
  - netops.cn2_apstra developers (@netops)
"""

EXAMPLES = r"""
- name: SR-IOV networks on the leafs that face the workers
  netops.cn2_apstra.apstra_virtual_networks:
    blueprint: dc1
    config:
      - label: sriov-a
        vni: 10100
        vlan_id: 100
        routing_zone: telco
        bindings: [leaf1, leaf2, leaf3-leaf4]
        ipv4_subnet: 10.100.0.0/24
        ipv4_gateway: 10.100.0.1
        tags: [sriov]
      - label: sriov-b
        vlan_id: 101
        bindings: [leaf1]
    state: merged

- name: Remove one network
  netops.cn2_apstra.apstra_virtual_networks:
    blueprint: dc1
    config:
      - label: sriov-b
    state: deleted
"""

RETURN = r"""
before:
  description: The virtual networks before the run, in O(config) form plus C(id).
  returned: always
  type: list
  elements: dict
after:
  description: The virtual networks after the run (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
plan:
  description: The write requests a real run sends, each with C(method), C(path) and C(body); filled in check mode too.
  returned: always
  type: list
  elements: dict
  sample: [{"method": "POST", "path": "/api/blueprints/bp1/virtual-networks-batch", "body": {"virtual_networks": []}}]
gathered:
  description: The existing virtual networks, with O(state=gathered).
  returned: when O(state=gathered)
  type: list
  elements: dict
notes:
  description: In check mode, one line per routing zone that does not exist yet and was planned with a placeholder id.
  returned: when a placeholder was planned
  type: list
  elements: str
  sample: ["check mode: config[label=sriov-a].routing_zone: unknown routing zone 'telco'; planned with the placeholder id <routing zone telco (planned)>, ..."]
diff:
  description: One before/after pair per changed virtual network.
  returned: with C(--diff)
  type: list
  elements: dict
msg:
  description: What failed, with Apstra's HTTP status and error body, and which requests were and were not applied.
  returned: on failure
  type: str
applied:
  description:
    - The requests of RV(plan) that Apstra accepted before the run failed, in order.
    - Apstra keeps them (in the staging blueprint); a later run plans only what is still missing.
  returned: when a write of the plan failed
  type: list
  elements: dict
not_applied:
  description:
    - The requests of RV(plan) that were not applied, the failing one first.
    - Empty when the failure came after the last request was accepted (a deploy task that failed, for example).
  returned: when a write of the plan failed
  type: list
  elements: dict
status:
  description: The HTTP status of the Apstra call that failed.
  returned: on failure of an Apstra call
  type: int
  sample: 422
error:
  description: The error body Apstra answered with (parsed JSON, or the text when it is not JSON).
  returned: on failure of an Apstra call
  type: raw
  sample: {"errors": {"vn_id": "VNI 10110 is already in use"}}
"""

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module import ResourceModule, op
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import bp_path
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import (
    ValidationError,
    check_label,
    check_range,
    check_subnet,
    check_vlan,
    check_vni,
    unknown_name,
)

VN_SPEC = dict(
    label=dict(type="str", required=True),
    vn_type=dict(type="str", choices=["vxlan", "vlan"]),
    vni=dict(type="int"),
    routing_zone=dict(type="str"),
    vlan_id=dict(type="int"),
    bindings=dict(type="list", elements="str"),
    ipv4_subnet=dict(type="str"),
    ipv4_gateway=dict(type="str"),
    dhcp=dict(type="bool"),
    mtu=dict(type="int"),
    tags=dict(type="list", elements="str"),
    description=dict(type="str"),
)

# Which API fields carry each canonical field (a change to any of them rewrites these API fields together).
API_GROUPS = dict(
    label=("label",),
    vn_type=("vn_type",),
    vni=("vn_id",),
    routing_zone=("security_zone_id",),
    vlan_id=("bound_to", "reserved_vlan_id"),
    bindings=("bound_to",),
    ipv4_subnet=("ipv4_enabled", "ipv4_subnet", "virtual_gateway_ipv4", "virtual_gateway_ipv4_enabled"),
    ipv4_gateway=("virtual_gateway_ipv4", "virtual_gateway_ipv4_enabled"),
    dhcp=("dhcp_service",),
    mtu=("l3_mtu",),
    tags=("tags",),
    description=("description",),
)
MTU_MIN = 1280
MTU_MAX = 9216


class VirtualNetworks(ResourceModule):
    KIND = "virtual_network"
    NEEDS_NETADDR = True
    ARGUMENT_SPEC = dict(
        config=dict(type="list", elements="dict", options=VN_SPEC),
        state=dict(type="str", default="merged", choices=["merged", "replaced", "overridden", "deleted", "gathered"]),
    )
    DEFAULTS = dict(vn_type="vxlan", vni=None, routing_zone=None, vlan_id=None, bindings=[], ipv4_subnet=None, ipv4_gateway=None,
                    dhcp=False, mtu=None, tags=[], description=None)
    LIST_FIELDS = ("bindings", "tags")
    KEEP = ("id", "vn_type", "vni", "routing_zone", "vlan_id", "mtu")

    def __init__(self):
        super(VirtualNetworks, self).__init__()
        self.fabric = None
        self.zones = {}  # label -> id
        self.zone_aliases = {}  # vrf name -> label
        self.default_zone = None
        self.planned_zones = {}  # check mode: label -> placeholder id of a zone that does not exist yet

    def validate(self):
        labels = set()
        for index, item in enumerate(self.params.get("config") or []):
            prefix = "config[%d]" % index
            check_label(prefix + ".label", item["label"])
            if item["label"] in labels:
                raise ValidationError("%s.label=%s is listed twice" % (prefix, item["label"]))
            labels.add(item["label"])
            check_vni(prefix + ".vni", item.get("vni"))
            check_vlan(prefix + ".vlan_id", item.get("vlan_id"))
            check_range(prefix + ".mtu", item.get("mtu"), MTU_MIN, MTU_MAX)
            item["ipv4_subnet"] = check_subnet(prefix + ".ipv4_subnet", item.get("ipv4_subnet"), prefix + ".ipv4_gateway", item.get("ipv4_gateway"))
            if item.get("vn_type") == "vlan" and len(item.get("bindings") or []) > 1:
                raise ValidationError("%s.bindings: a vn_type=vlan network is bound to at most one leaf or ESI pair" % prefix)

    def read_have(self):
        zones = self.service.security_zones(self.bp_id)
        self.zones = dict((zone["label"], zone["id"]) for zone in zones)
        # A zone may also be named by its VRF name (the default zone's label is "Default routing zone", its VRF "default").
        self.zone_aliases = dict((zone.get("vrf_name"), zone["label"]) for zone in zones if zone.get("vrf_name"))
        self.default_zone = self.zone_aliases.get("default")
        self.fabric = self.service.fabric(self.bp_id)
        zone_names = dict((zone_id, label) for label, zone_id in self.zones.items())
        return [self.canonical_have(vn, zone_names) for vn in self.service.virtual_networks(self.bp_id)]

    def canonical_have(self, vn, zone_names):
        bound = vn.get("bound_to") or []
        vlans = [binding.get("vlan_id") for binding in bound if binding.get("vlan_id") is not None]
        vlan_id = vlans[0] if vlans else vn.get("reserved_vlan_id")
        vni = vn.get("vn_id")
        return dict(
            id=vn["id"],
            label=vn.get("label"),
            vn_type=vn.get("vn_type"),
            vni=int(vni) if vni not in (None, "") else None,
            routing_zone=zone_names.get(vn.get("security_zone_id"), vn.get("security_zone_id")),
            vlan_id=int(vlan_id) if vlan_id is not None else None,
            bindings=sorted(self.fabric.name_of(binding.get("system_id")) for binding in bound),
            ipv4_subnet=vn.get("ipv4_subnet") if vn.get("ipv4_enabled") else None,
            ipv4_gateway=vn.get("virtual_gateway_ipv4") if vn.get("virtual_gateway_ipv4_enabled") else None,
            dhcp=vn.get("dhcp_service") == "dhcpServiceEnabled",
            mtu=vn.get("l3_mtu"),
            tags=sorted(vn.get("tags") or []),
            description=vn.get("description") or None,
        )

    def canonical_want(self, item):
        want = dict((key, item.get(key)) for key in VN_SPEC)
        prefix = "config[label=%s]" % item["label"]
        zone = want["routing_zone"]
        if zone is not None and zone not in self.zones and zone not in self.planned_zones:
            if zone in self.zone_aliases:
                want["routing_zone"] = self.zone_aliases[zone]
            else:
                # Check mode only: a zone an earlier task of this check run would create gets a placeholder id.
                error = unknown_name("routing zone", prefix + ".routing_zone", zone, list(self.zones) + list(self.zone_aliases))
                self.planned_zones[zone] = self.plan_missing(error, "routing zone", zone)
        if want["bindings"] is not None:
            want["bindings"] = sorted(set(self.fabric.name_of(self.fabric.switch_id(prefix + ".bindings", name)) for name in want["bindings"]))
        if want["tags"] is not None:
            want["tags"] = sorted(set(want["tags"]))
        return want

    def complete(self, target, current):
        target = super(VirtualNetworks, self).complete(target, current)
        target["bindings"] = sorted(set(target.get("bindings") or []))
        if current is None and target.get("routing_zone") is None:
            target["routing_zone"] = self.default_zone
        if not target.get("ipv4_subnet"):
            target["ipv4_gateway"] = None
        return target

    def api_body(self, vn, fields=None):
        """API body for a canonical network; with fields, only the API fields those canonical fields map to."""
        api_fields = set()
        for field in fields if fields is not None else API_GROUPS:
            api_fields.update(API_GROUPS.get(field, ()))
        subnet, gateway = vn.get("ipv4_subnet"), vn.get("ipv4_gateway")
        full = dict(
            label=vn["label"],
            vn_type=vn.get("vn_type") or "vxlan",
            vn_id=str(vn["vni"]) if vn.get("vni") is not None else None,
            security_zone_id=self.zones.get(vn.get("routing_zone"), self.planned_zones.get(vn.get("routing_zone"))),
            bound_to=[dict(system_id=self.fabric.switch_id("bindings", name), vlan_id=vn.get("vlan_id")) for name in vn.get("bindings") or []],
            reserved_vlan_id=vn.get("vlan_id"),
            ipv4_enabled=bool(subnet),
            ipv4_subnet=subnet,
            virtual_gateway_ipv4=gateway,
            virtual_gateway_ipv4_enabled=bool(gateway),
            dhcp_service="dhcpServiceEnabled" if vn.get("dhcp") else "dhcpServiceDisabled",
            l3_mtu=vn.get("mtu"),
            tags=vn.get("tags") or [],
            description=vn.get("description") or "",
        )
        return dict((key, value) for key, value in full.items() if key in api_fields and (value is not None or fields is not None))

    def build_plan(self, changes):
        plan = []
        deletes = [change.before["id"] for change in changes if change.action == "delete"]
        updates = [dict(self.api_body(change.after, change.changed_fields()), virtual_network_id=change.before["id"])
                   for change in changes if change.action == "update"]
        creates = [self.api_body(change.after) for change in changes if change.action == "create"]
        if deletes:
            plan.append(op("POST", bp_path(self.bp_id, "/delete-virtual-networks"), {"virtual_network_ids": deletes}))
        if updates:
            plan.append(op("PATCH", bp_path(self.bp_id, "/virtual-networks-batch-patch"), {"virtual_networks": updates}))
        if creates:
            plan.append(op("POST", bp_path(self.bp_id, "/virtual-networks-batch"), {"virtual_networks": creates}))
        return plan


def main():
    VirtualNetworks().main()


if __name__ == "__main__":
    main()
