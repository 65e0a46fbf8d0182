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
    M(netops.cn2_apstra.apstra_port_bindings), M(netops.cn2_apstra.sriov_network_attachments),
    M(netops.cn2_apstra.cn2_pod_networks) and M(netops.cn2_apstra.cn2_virtual_network_routers).
  - Pure computation on the facts it is given; it connects to nothing and changes nothing.
  - Every bad field is reported at once, each message naming the field and the allowed values.
  - "Fields of a network: V(fabric_only) (pre-provision the VN with no binding and no NAD although no node can carry
    it yet), V(name) (1-30 characters, RFC 1123; names the NAD and the Apstra VN), V(namespace)
    (default V(default)), V(vlan) (2-4094 or V(allocate)), V(vni) (4096-16777214, optional),
    V(routing_zone) (the Apstra routing zone / VRF label), V(subnet) (IPv4 CIDR /8-/29 or V(allocate)),
    V(ipv6_subnet) (an IPv6 CIDR on the VN as well, optional),
    V(resource_name) (the SR-IOV resource, for example V(intel.com/sriov_netdevice)), V(node_selector)
    (node labels, optional), V(ipam) (V(whereabouts), V(cn2) or V(host-local); default V(whereabouts)),
    V(mtu) (1280-9216, optional), V(labels) (NAD labels), V(routing_group) (networks of one group are
    connected by a CN2 VirtualNetworkRouter), V(tenant) (the tenant the network belongs to; by default the tenant
    of its namespace), V(tags) (Apstra tags), V(routes) (extra destination CIDRs routed through the fabric gateway),
    V(description), V(state) (V(present) or V(absent))."
  - A network of a tenant (O(tenants)) sits in the tenant's routing zone (its V(routing_zone) may be left out); a
    network outside every tenant cannot use a tenant's routing zone.
  - The gateway of each network is the first host of its subnet. The cluster-wide IPAM range excludes the
    network address, the gateway and one SVI address per leaf of the blueprint.
  - Nodes whose LLDP neighbours disagree with Apstra's cabling (mis-cabled) and nodes or NIC ports missing from
    Apstra (unmapped) are reported in RV(problems) and never bound.
  - A network that no node can carry (no node offers its resource, its node selector matches none, or every such
    node is mis-cabled) is an error before any write, unless it is C(fabric_only).
options:
  networks:
    description:
      - The intent, a list of networks (fields listed above). Not given with O(source=intent) or V(both) (and no
        O(intent_file)) is an error before anything is read, naming O(intent_file); C([]) is an explicit "nothing".
    type: list
    elements: dict
  tenants:
    description:
      - CN2 tenants (the usage guide's "Tenants") - C(name) (1-26 characters, RFC 1123), C(namespaces) (the first
        holds the pod network), C(pod_network) (C(subnet), an IPv4 CIDR or V(allocate), default V(allocate)),
        C(routing_zone) (default the tenant's name; two tenants share one only when both set C(share_routing_zone)),
        C(share_routing_zone), C(reach) (the tenants it is routed to), C(state) (V(present) or V(absent)).
      - Each tenant gets a pod network (a CN2 Subnet and VirtualNetwork C(<tenant>-pods)) that its namespaces make the
        default of their new pods, a mesh router C(<tenant>-mesh) joining it with the tenant's SR-IOV networks, and a
        router C(<a>--<b>) to each tenant it may reach. With O(source=cluster) or V(both), namespaces annotated
        C(cn2-apstra.netops.io/tenant=<tenant>) are tenants too.
      - Removing a tenant while pods use its pod network is an error naming the pods, before any write.
    type: list
    elements: dict
  intent_file:
    description:
      - An intent file (YAML with C(sriov_networks), optionally C(sriov_tenants), C(sriov_allocation) and C(sriov_owner)), read on the
        controller by the action plugin instead of O(networks), O(allocation) and O(owner). A relative path is looked
        for in the playbook's C(vars/) and directory, then in the current directory's C(vars/) and itself.
      - A missing file, an empty one, one without C(sriov_networks), one with other keys, or one that is not YAML is an
        error naming the file (and the line of the YAML error), before anything is read from Apstra or the cluster.
    type: str
  owner:
    description:
      - The owner of the intent's networks (default C(intent)); the intent file's C(sriov_owner) gives it too.
      - A run changes or removes only its owners' objects; see the usage guide's "Shared fabric".
    type: str
  cluster_name:
    description:
      - The owner of the networks derived from the cluster (O(source=cluster) or V(both)); default the uid of the
        cluster's C(kube-system) namespace (C(cluster_id) of M(netops.cn2_apstra.sriov_cluster_info)).
    type: str
  adopt:
    description:
      - Adopt the objects a network would touch that carry no owner's mark (a virtual network, its connectivity
        template, a NAD made by hand), when they match the network exactly (label, VLAN, VNI where given, subnet,
        gateway, routing zone; the NAD's resource, VLAN, subnet and gateway). The plan says C(adopt); the run adds the
        owner's marks and the ports still missing, and changes nothing else. A mismatch is an error listing each field.
      - Without it, such an object stops the run before any write, naming it and the fields that differ.
    type: bool
    default: false
  release:
    description:
      - With O(state=absent), release adopted networks instead of refusing; the owner's marks are dropped, the objects
        stay as they are.
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), delete adopted networks too.
    type: bool
    default: false
  routing_zones:
    description:
      - The existing routing zones (canonical form). Default, the C(resources.routing_zones) of O(blueprint_facts).
    type: list
    elements: dict
  templates:
    description:
      - The existing single-VLAN connectivity templates. Default, the C(resources.templates) of O(blueprint_facts).
    type: list
    elements: dict
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
      - V(verify) compares the plan (O(desired), or one computed from the facts) with what Apstra has O(deployed)
        (else O(virtual_networks) and O(bindings)) and the cluster's O(attachments).
      - V(discover) writes no plan; it returns RV(intent), the intent of the SR-IOV networks stitched by hand (virtual
        networks without any owner's mark tagged on ports that face SR-IOV nodes, each with the NAD of its name), to
        provision with O(adopt).
    type: str
    choices: [validate, plan, verify, discover]
    default: plan
  fabric:
    description:
      - The C(fabric) result of M(netops.cn2_apstra.apstra_blueprint_info) with C(fabric=true). Default, the C(fabric) of
        O(blueprint_facts).
    type: dict
    default: {}
  nodes:
    description:
      - The C(nodes) result of M(netops.cn2_apstra.sriov_node_info). Default, the C(nodes) of O(cluster).
    type: list
    elements: dict
    default: []
  virtual_networks:
    description:
      - The existing virtual networks (C(gathered) or C(after) of M(netops.cn2_apstra.apstra_virtual_networks)).
        Default, the C(resources.virtual_networks) of O(blueprint_facts).
    type: list
    elements: dict
    default: []
  attachments:
    description:
      - The existing NADs (C(gathered) or C(after) of M(netops.cn2_apstra.sriov_network_attachments)). Default, the
        C(attachments) of O(cluster).
    type: list
    elements: dict
    default: []
  bindings:
    description:
      - The port bindings (C(after) of M(netops.cn2_apstra.apstra_port_bindings)), compared with O(mode=verify).
        Default, the C(resources.port_bindings) of O(blueprint_facts).
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
  source:
    description:
      - Where the networks come from. V(intent) is O(networks). V(cluster) the NADs and SriovNetworks that opt in
        (O(cluster)); V(both) the two, a network listed in both with a different VLAN or subnet being a conflict
        that fails the plan.
    type: str
    choices: [intent, cluster, both]
    default: intent
  binding:
    description:
      - V(nodes) tags each network on the ports of every node that offers its resource; V(pods) only on the ports of
        nodes running pods attached to it (O(cluster)), keeping a port O(unbind_grace) seconds after its last pod left.
    type: str
    choices: [nodes, pods]
    default: nodes
  unbind_grace:
    description: With O(binding=pods), seconds a node keeps its port tagged after the last pod attached to the network left it.
    type: int
    default: 300
  cluster:
    description:
      - The registered result of M(netops.cn2_apstra.sriov_cluster_info) (C(nads), C(sriov_networks), C(pod_usage),
        C(released), C(tenants)). Its C(tenants) are what the tenants' plan and O(mode=verify) read of the cluster.
    type: dict
    default: {}
  cluster_defaults:
    description:
      - Defaults for networks derived from cluster objects; C(routing_zone) when the object has no
        C(cn2-apstra.netops.io/routing-zone) annotation, C(resource_prefix) of the SR-IOV operator (C(openshift.io)),
        C(ipam) when the object's IPAM is not one the fabric follows.
    type: dict
    default: {}
  staging:
    description:
      - The C(staging) result of M(netops.cn2_apstra.apstra_blueprint_info) (what is staged but not deployed, and by whom).
        Changes this plan does not own are refused unless O(include_foreign_staging=true). Default, the C(staging) of
        O(blueprint_facts).
    type: dict
    default: {}
  include_foreign_staging:
    description: Accept and deploy uncommitted changes others staged (the plan and the report list them).
    type: bool
    default: false
  preview:
    description:
      - The run previews its plan (M(netops.cn2_apstra.apstra_fabric_apply) with
        O(netops.cn2_apstra.apstra_fabric_apply#module:window=preview)), refused before any write while the staging
        holds anything, because the preview ends with a revert that would discard it too. Not with O(hold), O(approve),
        O(run=verify) or check mode.
    type: bool
    version_added: 0.2.0
    default: false
  hold:
    description:
      - The run stages its plan and holds it for approval (no deploy, no cluster write). Not with O(preview), O(approve),
        O(run=verify) or check mode.
    type: bool
    version_added: 0.2.0
    default: false
  approve:
    description:
      - The staging version a hold report names; the run deploys that held change unchanged. Refused before any write
        when the staging moved since the hold (naming what was staged since, and by whom), when no change is held at that
        version, or when the intent now plans more fabric changes; when that version is deployed and nothing is staged,
        nothing is deployed again.
      - Without O(preview), O(hold) or O(approve), a run that writes is refused while a change is held.
    type: str
    version_added: 0.2.0
  run:
    description:
      - What the role does with the plan; RV(desired) then carries the C(fabric_steps) (M(netops.cn2_apstra.apstra_fabric_apply))
        and C(cluster_steps) of that run. Default V(teardown) with O(state=absent), else V(provision).
    type: str
    choices: [provision, reconcile, teardown, verify]
  overridden:
    description: With O(run=reconcile), also remove objects carrying this collection's mark that the plan does not list.
    type: bool
    default: false
  attachment_results:
    description:
      - With O(mode=verify), registered results of M(netops.cn2_apstra.sriov_network_attachments) tasks of this run; their
        C(before) and C(after) update O(attachments) (what was read before the writes).
    type: list
    elements: dict
    default: []
  pod_network_results:
    description:
      - With O(mode=verify), registered results of M(netops.cn2_apstra.cn2_pod_networks) tasks of this run; they update
        the tenants' objects of O(cluster) (C(tenants)) before the comparison.
    type: list
    elements: dict
    default: []
  router_results:
    description:
      - With O(mode=verify), registered results of M(netops.cn2_apstra.cn2_virtual_network_routers) tasks of this run;
        they update the routers of O(cluster) (C(tenants)) before the comparison.
    type: list
    elements: dict
    default: []
  blueprint_facts:
    description:
      - The registered result of M(netops.cn2_apstra.apstra_blueprint_info) with V(resources) in
        O(netops.cn2_apstra.apstra_blueprint_info#module:gather); with it, RV(desired) says in C(fabric_writes) whether the
        fabric steps write anything (computed from these facts, without a call), so a run that changes nothing skips them.
      - Also the default of O(fabric), O(staging), O(virtual_networks) and O(bindings), so a task passes the result once.
    type: dict
  after_change:
    description:
      - With O(mode=verify), this is the check after this run's own writes; in check mode (which writes nothing, also when
        set per task) it returns without comparing and without RV(drift).
    type: bool
    default: false
  pending:
    description: With O(mode=verify), this collection's changes that are staged but not deployed (each is drift).
    type: list
    elements: dict
    default: []
  desired:
    description: With O(mode=verify), the C(desired) plan an earlier O(mode=plan) task returned (nothing is planned again).
    type: dict
  deployed:
    description:
      - With O(mode=verify), the C(deployed) virtual networks and port bindings (M(netops.cn2_apstra.apstra_fabric_apply) or
        M(netops.cn2_apstra.apstra_blueprint_info) with V(deployed)), that is what Apstra has deployed, compared with the plan.
    type: dict
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
intent:
  description: With O(mode=discover), the intent (C(sriov_networks)) of the SR-IOV networks stitched by hand.
  returned: when O(mode=discover)
  type: dict
intent_text:
  description: With O(mode=discover), RV(intent) as an intent file's text, with what was left out (and why) as comments.
  returned: when O(mode=discover)
  type: str
comments:
  description: With O(mode=discover), the hand-made networks not written into RV(intent), each with the reason.
  returned: when O(mode=discover)
  type: list
  elements: str
networks:
  description: The validated intent, normalised, with allocated values filled in (O(mode=plan) and O(mode=verify)).
  returned: success
  type: list
  elements: dict
tenants:
  description: With O(mode=validate), the intent's tenants, validated and normalised.
  returned: when O(mode=validate)
  type: list
  elements: dict
desired:
  description:
    - The plan as C(config) lists for the resource modules (C(routing_zones), C(virtual_networks),
      C(port_bindings), C(attachments), C(routers)), what to remove (C(absent)), the routing C(groups) and a
      per-network summary (C(networks)) with the chosen leafs, ports and bound or skipped nodes.
    - C(port_bindings) only lists networks with at least one port; C(port_bindings_clear) lists existing
      networks that should be on no port.
    - Who owns what - C(owners), the owners this run acts for; C(adopted) and C(released), the objects this run marks
      or unmarks (C(kind), C(name), C(network)); C(releases), the objects a release keeps without the marks;
      C(fabric_ownership) and each cluster step's C(ownership), the owner options of the task that applies it.
    - Tenants - C(tenants), one summary per tenant (namespaces, pod network, subnet, routing zone, SR-IOV networks,
      reach, routers, and C(namespace_changes) - the namespaces whose default pod network changes, each with the
      pods created before, which keep theirs); C(pod_networks), the config of M(netops.cn2_apstra.cn2_pod_networks)
      (C(absent.pod_networks) to remove); the tenants' routers are in C(routers) (C(tenant_routers) names them).
  returned: when O(mode) is V(plan) or V(verify)
  type: dict
port_map:
  description: One entry per SR-IOV node with its physical functions, their leaf ports and a C(status)
    (C(mapped), C(miscabled) or C(unmapped)).
  returned: when O(mode) is V(plan) or V(verify)
  type: list
  elements: dict
summary:
  description: The two-layer plan as readable lines.
  returned: when O(mode) is V(plan) or V(verify)
  type: list
  elements: str
port_summary:
  description: The node/port map as readable lines, one per node.
  returned: when O(mode) is not V(validate)
  type: list
  elements: str
skipped:
  description: Cluster objects that opt in but are invalid (C(source), C(error)); they are left out, the others go on.
  returned: when O(source) is not V(intent)
  type: list
  elements: dict
staging:
  description: What is staged but not deployed, split into C(ours) (committed by this run) and C(foreign) (C(included) when accepted).
  returned: when O(mode=plan)
  type: dict
change_window:
  description:
    - The change window of the run, C(mode) (V(deploy), V(preview), V(hold) or V(approve)), C(approve) (the version),
      and with an approve C(held) (the record of the held change it deploys) and C(already_deployed).
  returned: when O(mode=plan)
  type: dict
problems:
  description: Mis-cabled and unmapped nodes that offer a network's resource; they are not bound.
  returned: when O(mode) is not V(validate)
  type: list
  elements: str
drift:
  description: Differences between the intent and each side, and between the sides (O(mode=verify)); each entry
    has C(network), C(layer) (C(fabric), C(cluster) or C(cross)), C(field), C(want) and C(have).
  returned: when O(mode=verify), except with O(after_change) in check mode
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

from ansible_collections.netops.cn2_apstra.plugins.module_utils.local_task import TaskFailed
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.intent_task import (
    ARGUMENT_SPEC,
    run,
)


def main():
    """As a module (the action plugin of the same name runs the same code on the controller, without a process)."""
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        module.exit_json(**run(module.params, module.check_mode))
    except TaskFailed as exc:
        module.fail_json(**exc.result)


if __name__ == "__main__":
    main()
