#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: sriov_node_info
short_description: SR-IOV resources, physical functions and LLDP neighbours of Kubernetes nodes
version_added: 0.1.0
description:
  - Reports, per node, the SR-IOV device plugin resources and their allocatable counts, the physical functions
    (PFs) from the SR-IOV network operator's C(SriovNetworkNodeState), the LLDP neighbour (switch and port) of
    each PF from kubernetes-nmstate's C(NodeNetworkState), the node's labels and InternalIP.
  - Makes one list call per source (Nodes, SriovNetworkNodeStates, NodeNetworkStates), never one per node.
    A source whose CRD is not installed is skipped with a warning.
author:
  - netops.cn2_apstra developers (@netops)
extends_documentation_fragment:
  - netops.cn2_apstra.k8s_auth
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_kubernetes
attributes:
  check_mode:
    support: full
    details: Read only.
  diff_mode:
    support: none
    details: Read only; there is nothing to diff.
options:
  resource_name:
    description:
      - Only nodes that advertise one of these SR-IOV resources, for example C(intel.com/sriov_netdevice); only
        these resources are reported.
    type: list
    elements: str
    default: []
  label_selector:
    description:
      - Kubernetes label selector for the nodes, for example C(feature.node.kubernetes.io/network-sriov.capable=true).
    type: str
  sriov_namespace:
    description:
      - Namespace of the SriovNetworkNodeState objects (the SR-IOV network operator's namespace). All namespaces
        when left out.
    type: str
"""

EXAMPLES = r"""
- name: Nodes that can give out intel.com/sriov_netdevice VFs, with their PFs and switch ports
  netops.cn2_apstra.sriov_node_info:
    resource_name: [intel.com/sriov_netdevice]
    label_selector: feature.node.kubernetes.io/network-sriov.capable=true
  register: sriov

- name: Switch port of every PF
  ansible.builtin.debug:
    msg: "{{ item.0.name }} {{ item.1.name }} -> {{ item.1.lldp | map(attribute='switch') | join(',') }}"
  loop: "{{ sriov.nodes | subelements('pfs') }}"
"""

RETURN = r"""
nodes:
  description: One entry per node, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node name.
      type: str
      sample: worker-01
    internal_ip:
      description: The node's InternalIP address.
      type: str
      sample: 10.0.0.11
    labels:
      description: Node labels.
      type: dict
    resources:
      description: SR-IOV resource name -> allocatable count.
      type: dict
      sample: {"intel.com/sriov_netdevice": 8}
    pfs:
      description: Physical functions from the SriovNetworkNodeState.
      type: list
      elements: dict
      contains:
        name: {description: PF interface name., type: str, sample: ens1f0}
        pci_address: {description: PCI address., type: str, sample: "0000:3b:00.0"}
        num_vfs: {description: Configured VFs., type: int}
        total_vfs: {description: VFs the PF supports., type: int}
        link_speed: {description: Link speed as reported., type: str, sample: 25000 Mb/s}
        link_type: {description: Link type., type: str}
        mac: {description: PF MAC address., type: str}
        driver: {description: Kernel driver., type: str}
        vendor: {description: PCI vendor id., type: str}
        device_id: {description: PCI device id., type: str}
        mtu: {description: PF MTU., type: int}
        lldp:
          description: LLDP neighbours of the PF (C(switch) = system name, C(port) = port id).
          type: list
          elements: dict
    lldp:
      description: LLDP neighbours of every interface of the node, keyed by interface name.
      type: dict
sources:
  description: Which sources were read (false when the CRD is not installed).
  returned: always
  type: dict
  sample: {"nodes": true, "sriov_states": true, "network_states": true}
"""

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.module import K8sModule
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.nodes import (
    node_facts,
    read_sources,
)


class NodeInfo(K8sModule):
    ARGUMENT_SPEC = dict(
        resource_name={"type": "list", "elements": "str", "default": []},
        label_selector={"type": "str"},
        sriov_namespace={"type": "str"},
    )

    def run(self):
        data, sources, warnings = read_sources(
            self.service, self.params["label_selector"], self.params["sriov_namespace"]
        )
        for warning in warnings:
            self.module.warn(warning)
        nodes = node_facts(
            data["nodes"],
            data["sriov_states"],
            data["network_states"],
            self.params["resource_name"],
        )
        return dict(changed=False, nodes=nodes, sources=sources)


def main():
    NodeInfo().main()


if __name__ == "__main__":
    main()
