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
  - netops.cn2_apstra.ownership
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
          - Tags of the network. The owner's marks are added to networks this module creates (see O(owner)).
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
      - V(overridden) is V(replaced) plus removal of every network of the task's O(owner) that is not listed.
      - V(deleted) removes the listed networks, or without O(config) every network of the task's O(owner).
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

from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import OWNERSHIP_SPEC
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module import ApstraModule
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    VirtualNetworks,
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


class VirtualNetworksModule(ApstraModule):
    ARGUMENT_SPEC = dict(
        **OWNERSHIP_SPEC,
        config=dict(type="list", elements="dict", options=VN_SPEC),
        state=dict(
            type="str",
            default="merged",
            choices=["merged", "replaced", "overridden", "deleted", "gathered"],
        ),
    )

    def run(self):
        return self.run_resource(VirtualNetworks(self.context))


def main():
    VirtualNetworksModule().main()


if __name__ == "__main__":
    main()
