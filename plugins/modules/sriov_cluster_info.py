#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: sriov_cluster_info
short_description: Everything the SR-IOV plan reads from the cluster, in one task
version_added: 0.1.0
description:
  - Reads, with one list call per kind, what M(netops.cn2_apstra.sriov_intent) plans from; each fact once per run.
  - V(nodes) as M(netops.cn2_apstra.sriov_node_info) reports them (resources, PFs, host LLDP neighbours).
  - V(attachments) every NetworkAttachmentDefinition in the option form of M(netops.cn2_apstra.sriov_network_attachments),
    and the nodes whose release the collection recorded on them (pods binding).
  - V(sources) the NetworkAttachmentDefinitions and SriovNetworks that opt in to the fabric with the annotation
    C(cn2-apstra.netops.io/fabric=true) (the cluster as a source of networks; see the event-driven guide).
  - V(pods) which nodes run pods attached to each network (C(k8s.v1.cni.cncf.io/networks), string and JSON forms).
  - V(identity) the cluster's identity, the uid of its C(kube-system) namespace (the cluster ID convention of
    KEP-2149), the owner of the networks the fabric follows from this cluster, unless a C(cluster_name) is given.
  - V(tenants) what the plan of CN2 tenants reads (the usage guide's "Tenants") - the namespaces, the CN2 Subnets,
    VirtualNetworks and VirtualNetworkRouters, and each running pod's primary network; one list call per kind.
extends_documentation_fragment:
  - netops.cn2_apstra.k8s_auth
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_kubernetes
options:
  gather:
    description: What to read.
    type: list
    elements: str
    choices: [nodes, attachments, sources, pods, identity, tenants]
    default: [nodes, attachments]
  label_selector:
    description: Label selector of the SR-IOV nodes.
    type: str
  sriov_namespace:
    description: Namespace of the SriovNetworkNodeStates and SriovNetworks (the SR-IOV network operator's).
    type: str
attributes:
  check_mode:
    support: full
    details: Read only.
  diff_mode:
    support: none
    details: Read only; there is nothing to diff.
author:
  - netops.cn2_apstra developers (@netops)
"""

EXAMPLES = r"""
- name: Read the cluster side of the plan
  netops.cn2_apstra.sriov_cluster_info:
    gather: [nodes, attachments, sources, pods]
    label_selector: feature.node.kubernetes.io/network-sriov.capable=true
  register: cluster_facts
"""

RETURN = r"""
nodes:
  description: As M(netops.cn2_apstra.sriov_node_info) returns them.
  returned: when O(gather) has V(nodes)
  type: list
  elements: dict
attachments:
  description:
    - Every NetworkAttachmentDefinition in option form, with C(owner), the owner whose mark it carries (left out for an
      object without the collection's mark).
  returned: when O(gather) has V(attachments)
  type: list
  elements: dict
released:
  description: C(namespace/name) -> {node -> time} recorded on the NADs (the pods binding's grace period).
  returned: when O(gather) has V(attachments)
  type: dict
nads:
  description:
    - The NetworkAttachmentDefinitions that opt in to the fabric, and those the SR-IOV network operator rendered from a
      SriovNetwork (they carry the resource name it gave them) (metadata and spec).
  returned: when O(gather) has V(sources)
  type: list
  elements: dict
sriov_networks:
  description: The SriovNetworks that opt in to the fabric (metadata and spec).
  returned: when O(gather) has V(sources)
  type: list
  elements: dict
pod_usage:
  description: C(namespace/name) of a network -> node -> the pods on it attached to the network.
  returned: when O(gather) has V(pods)
  type: dict
tenants:
  description:
    - C(namespaces) (C(name), C(labels), C(annotations)); C(subnets) and C(virtual_networks), the CN2 Subnets and
      VirtualNetworks in the option form of M(netops.cn2_apstra.cn2_pod_networks) (VirtualNetworks with their status
      C(state)); C(routers) as M(netops.cn2_apstra.cn2_virtual_network_routers) reads them; C(pods), C(namespace/name)
      of each running pod -> its primary network C(namespace/name) (empty when nothing records it).
  returned: when O(gather) has V(tenants)
  type: dict
cluster_id:
  description: The uid of the C(kube-system) namespace.
  returned: when O(gather) has V(identity)
  type: str
  sample: 8a1e9a7e-2c0c-4f5e-9d59-0d1f9c5b7e21
"""

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import nad
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.cn2 import (
    list_pods,
    tenant_facts,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.module import K8sModule
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.nodes import (
    node_facts,
    read_sources,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import cluster

SRIOV_NETWORK = ("sriovnetwork.openshift.io/v1", "SriovNetwork")


def summary(obj):
    metadata = obj.get("metadata") or {}
    return {
        "metadata": dict(
            (k, metadata.get(k))
            for k in ("name", "namespace", "labels", "annotations")
            if metadata.get(k) is not None
        ),
        "spec": obj.get("spec") or {},
    }


class ClusterInfo(K8sModule):
    ARGUMENT_SPEC = dict(
        gather={
            "type": "list",
            "elements": "str",
            "default": ["nodes", "attachments"],
            "choices": ["nodes", "attachments", "sources", "pods", "identity", "tenants"],
        },
        label_selector={"type": "str"},
        sriov_namespace={"type": "str"},
    )

    def run(self):
        gather = set(self.params["gather"])
        service = self.service
        result = dict(changed=False)
        if "nodes" in gather:
            data, _served, warnings = read_sources(
                service, self.params["label_selector"], self.params["sriov_namespace"]
            )
            for warning in warnings:
                self.module.warn(warning)
            result["nodes"] = node_facts(
                data["nodes"], data["sriov_states"], data["network_states"]
            )
        if gather & {"attachments", "sources"}:
            objects = service.list(service.resource(nad.API_VERSION, nad.KIND))
            if "attachments" in gather:
                result["attachments"] = [nad.from_object(obj) for obj in objects]
                result["released"] = dict(
                    (
                        "%s/%s" % (o["metadata"].get("namespace"), o["metadata"]["name"]),
                        cluster.released_marks(o),
                    )
                    for o in objects
                    if cluster.released_marks(o)
                )
            if "sources" in gather:
                result["nads"] = [
                    summary(obj)
                    for obj in objects
                    if cluster.opted_in(obj) or cluster.rendered_by(obj)
                ]
                networks = service.list(
                    service.resource(*SRIOV_NETWORK),
                    namespace=self.params["sriov_namespace"],
                    missing_ok=True,
                )
                result["sriov_networks"] = [
                    summary(obj) for obj in networks or [] if cluster.opted_in(obj)
                ]
        if "identity" in gather:
            # the cluster ID convention of KEP-2149: the kube-system namespace's uid
            namespace = service.get(service.resource("v1", "Namespace"), "kube-system")
            result["cluster_id"] = ((namespace or {}).get("metadata") or {}).get("uid")
        # one pod list serves both the pods' nodes and the tenants' primary networks
        pods = list_pods(service) if gather & {"pods", "tenants"} else None
        if "tenants" in gather:
            result["tenants"] = tenant_facts(service, pods=pods)
        if "pods" in gather:
            usage = cluster.pod_usage(pods)
            result["pod_usage"] = dict(
                ("%s/%s" % key, nodes) for key, nodes in sorted(usage.items())
            )
        return result


def main():
    ClusterInfo().main()


if __name__ == "__main__":
    main()
