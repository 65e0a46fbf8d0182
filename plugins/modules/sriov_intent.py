#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: sriov_intent
short_description: Validate an SR-IOV network intent and compute its fabric and cluster plan
version_added: 0.1.0
description:
  - Validates an intent (a list of SR-IOV networks), allocates the VLANs and subnets marked C(allocate), joins
    SR-IOV nodes to the leaf ports that face them, and returns the C(config) lists for
    M(netops.cn2_apstra.apstra_routing_zones), M(netops.cn2_apstra.apstra_virtual_networks),
    M(netops.cn2_apstra.apstra_port_bindings), M(netops.cn2_apstra.sriov_network_attachments) and
    M(netops.cn2_apstra.cn2_virtual_network_routers).
  - Pure computation on the facts it is given; it connects to nothing and changes nothing.
  - Every bad field is reported at once, each message naming the field and the allowed values.
  - "Fields of a network: V(name) (1-30 characters, RFC 1123; names the NAD and the Apstra VN), V(namespace)
    (default V(default)), V(vlan) (2-4094 or V(allocate)), V(vni) (4096-16777214, optional),
    V(routing_zone) (the Apstra routing zone / VRF label), V(subnet) (IPv4 CIDR /8-/29 or V(allocate)),
    V(resource_name) (the SR-IOV resource, for example V(intel.com/sriov_netdevice)), V(node_selector)
    (node labels, optional), V(ipam) (V(whereabouts), V(cn2) or V(host-local); default V(whereabouts)),
    V(mtu) (1280-9216, optional), V(labels) (NAD labels), V(routing_group) (networks of one group are
    connected by a CN2 VirtualNetworkRouter), V(tags) (Apstra tags), V(routes) (extra destination CIDRs routed
    through the fabric gateway), V(description), V(state) (V(present) or V(absent))."
  - The gateway of each network is the first host of its subnet. The cluster-wide IPAM range excludes the
    network address, the gateway and one SVI address per leaf of the blueprint.
  - Nodes whose LLDP neighbours disagree with Apstra's cabling (mis-cabled) and nodes or NIC ports missing from
    Apstra (unmapped) are reported in RV(problems) and never bound.
options:
  networks:
    description:
      - The intent, a list of networks (fields listed above).
    type: list
    elements: dict
    required: true
  allocation:
    description:
      - Where V(allocate) draws from.
    type: dict
    default: {}
    suboptions:
      vlan_range:
        description:
          - Lowest and highest VLAN to allocate, within 2-4094. C([2000, 2999]) if not set.
        type: list
        elements: int
      supernet:
        description:
          - IPv4 supernet to carve subnets from. Needed when a subnet is V(allocate).
        type: str
      prefix_length:
        description:
          - Prefix length of allocated subnets, 8-29. C(24) if not set.
        type: int
  state:
    description:
      - V(present) plans every network (except those with V(state=absent)); V(absent) plans their removal.
    type: str
    choices: [present, absent]
    default: present
  mode:
    description:
      - V(validate) checks the intent offline.
      - V(plan) also allocates and computes the plan from the facts.
      - V(verify) computes the plan and compares it with O(virtual_networks), O(attachments) and O(bindings).
    type: str
    choices: [validate, plan, verify]
    default: plan
  fabric:
    description:
      - The C(fabric) result of M(netops.cn2_apstra.apstra_blueprint_info) with C(fabric=true).
    type: dict
    default: {}
  nodes:
    description:
      - The C(nodes) result of M(netops.cn2_apstra.sriov_node_info).
    type: list
    elements: dict
    default: []
  virtual_networks:
    description:
      - The existing virtual networks (C(gathered) or C(after) of M(netops.cn2_apstra.apstra_virtual_networks)).
    type: list
    elements: dict
    default: []
  attachments:
    description:
      - The existing NADs (C(gathered) or C(after) of M(netops.cn2_apstra.sriov_network_attachments)).
    type: list
    elements: dict
    default: []
  bindings:
    description:
      - The port bindings (C(after) of M(netops.cn2_apstra.apstra_port_bindings)), compared with O(mode=verify).
    type: list
    elements: dict
  fail_on_drift:
    description:
      - With O(mode=verify), fail when the two sides differ from the intent or from each other.
    type: bool
    default: false
  additive:
    description:
      - With O(mode=verify), accept leafs and ports beyond the plan (what a provision run, which only adds, leaves in place).
    type: bool
    default: false
extends_documentation_fragment:
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_local
attributes:
  check_mode:
    support: full
    details: The module only computes.
  diff_mode:
    support: none
    details: Returns no diff; the plan is in RV(plan).
author:
  - netops.cn2_apstra developers (@netops)
"""

EXAMPLES = r"""
- name: Validate the intent before anything else
  netops.cn2_apstra.sriov_intent:
    networks: "{{ sriov_networks }}"
    mode: validate

- name: Plan both layers from the discovered facts
  netops.cn2_apstra.sriov_intent:
    networks: "{{ sriov_networks }}"
    allocation:
      vlan_range: [2000, 2999]
      supernet: 10.200.0.0/16
    fabric: "{{ blueprint_facts.fabric }}"
    nodes: "{{ node_facts.nodes }}"
    virtual_networks: "{{ existing_vns.gathered }}"
    attachments: "{{ existing_nads.gathered }}"
  register: intent

- name: Create the virtual networks in one task
  netops.cn2_apstra.apstra_virtual_networks:
    blueprint: dc1
    config: "{{ intent.desired.virtual_networks }}"
"""

RETURN = r"""
networks:
  description: The validated intent, normalised, with allocated values filled in (O(mode=plan) and O(mode=verify)).
  returned: success
  type: list
  elements: dict
desired:
  description:
    - The plan as C(config) lists for the resource modules (C(routing_zones), C(virtual_networks),
      C(port_bindings), C(attachments), C(routers)), what to remove (C(absent)), the routing C(groups) and a
      per-network summary (C(networks)) with the chosen leafs, ports and bound or skipped nodes.
    - C(port_bindings) only lists networks with at least one port; C(port_bindings_clear) lists existing
      networks that should be on no port.
  returned: when O(mode) is not V(validate)
  type: dict
port_map:
  description: One entry per SR-IOV node with its physical functions, their leaf ports and a C(status)
    (C(mapped), C(miscabled) or C(unmapped)).
  returned: when O(mode) is not V(validate)
  type: list
  elements: dict
summary:
  description: The two-layer plan as readable lines.
  returned: when O(mode) is not V(validate)
  type: list
  elements: str
port_summary:
  description: The node/port map as readable lines, one per node.
  returned: when O(mode) is not V(validate)
  type: list
  elements: str
problems:
  description: Mis-cabled and unmapped nodes that offer a network's resource; they are not bound.
  returned: when O(mode) is not V(validate)
  type: list
  elements: str
drift:
  description: Differences between the intent and each side, and between the sides (O(mode=verify)); each entry
    has C(network), C(layer) (C(fabric), C(cluster) or C(cross)), C(field), C(want) and C(have).
  returned: when O(mode=verify)
  type: list
  elements: dict
consistent:
  description: Whether O(mode=verify) found no drift.
  returned: when O(mode=verify)
  type: bool
plan:
  description: Always empty; the module sends no request.
  returned: always
  type: list
  elements: dict
msg:
  description: Every bad field of the intent, each naming the field and what is allowed.
  returned: on failure
  type: str
errors:
  description: The same, one entry per bad field.
  returned: when the intent is invalid
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netops.cn2_apstra.plugins.module_utils.intent import (
    IntentError,
    allocate,
    build_plan,
    fabric_links,
    port_map,
    port_summary,
    summary,
    validate_intent,
    verify,
)


def run(params):
    """The module's result for validated parameters; raises IntentError."""
    nets, allocation = validate_intent(params["networks"], params.get("allocation"))
    result = dict(changed=False, plan=[], before=[], after=[])
    if params["mode"] == "validate":
        result["networks"] = nets
        return result
    existing_vns = params.get("virtual_networks") or []
    nets, errors = allocate(nets, allocation, existing_vns, params.get("attachments") or [])
    if errors:
        raise IntentError(errors)
    fabric = params.get("fabric") or {}
    ports = port_map(params.get("nodes") or [], fabric_links(fabric))
    desired = build_plan(nets, ports, fabric_leafs=len(fabric.get("leafs") or []), state=params["state"])
    existing = set(vn.get("label") for vn in existing_vns)
    wanted = desired["port_bindings"]
    desired["port_bindings"] = [item for item in wanted if item["switch_ports"]]
    desired["port_bindings_clear"] = [dict(virtual_network=item["virtual_network"], tagged=True) for item in wanted
                                      if not item["switch_ports"] and item["virtual_network"] in existing]
    desired["absent"]["port_bindings"] = [item for item in desired["absent"]["port_bindings"] if item["virtual_network"] in existing]
    problems = []
    for net in desired["networks"]:
        for skipped in (net.get("nodes") or {}).get("skipped", []):
            for problem in skipped["problems"]:
                text = "%s: %s (%s, not bound)" % (net["name"], problem, skipped["status"])
                if text not in problems:
                    problems.append(text)
    result.update(networks=nets, desired=desired, port_map=ports, problems=problems, summary=summary(desired, problems),
                  port_summary=port_summary(ports))
    if params["mode"] == "verify":
        drift = verify(desired, existing_vns, params.get("attachments") or [], params.get("bindings"), additive=params["additive"])
        result.update(drift=drift, consistent=not drift)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            networks=dict(type="list", elements="dict", required=True),
            allocation=dict(type="dict", default={}, options=dict(
                vlan_range=dict(type="list", elements="int"),
                supernet=dict(type="str"),
                prefix_length=dict(type="int"),
            )),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            mode=dict(type="str", default="plan", choices=["validate", "plan", "verify"]),
            fabric=dict(type="dict", default={}),
            nodes=dict(type="list", elements="dict", default=[]),
            virtual_networks=dict(type="list", elements="dict", default=[]),
            attachments=dict(type="list", elements="dict", default=[]),
            bindings=dict(type="list", elements="dict"),
            fail_on_drift=dict(type="bool", default=False),
            additive=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        result = run(module.params)
    except IntentError as exc:
        module.fail_json(msg="invalid SR-IOV intent: %s" % exc, errors=exc.errors, changed=False, plan=[])
    if module.params["mode"] == "verify" and module.params["fail_on_drift"] and result["drift"]:
        lines = ["%s %s %s: want %s, have %s" % (d["layer"], d["network"], d["field"], d["want"], d["have"]) for d in result["drift"]]
        module.fail_json(msg="drift: %d difference(s): %s" % (len(lines), "; ".join(lines)), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
