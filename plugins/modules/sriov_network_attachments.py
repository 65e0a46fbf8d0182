#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: sriov_network_attachments
short_description: Manage SR-IOV Multus NetworkAttachmentDefinitions
version_added: 0.1.0
description:
  - Manages Multus C(NetworkAttachmentDefinition) objects (C(k8s.cni.cncf.io/v1)) for SR-IOV networks as a
    resource module. Each entry of O(config) is one network; the module renders the C(sriov) CNI config
    (VLAN, QoS, spoof check, trust, MTU, IPAM) as JSON, the C(k8s.v1.cni.cncf.io/resourceName) annotation and,
    for CN2 clusters, the C(juniper.net/networks) annotation.
  - Objects the module creates carry the label C(app.kubernetes.io/managed-by=netops.cn2_apstra);
    O(state=overridden) and O(state=deleted) without O(config) only remove objects with that label.
  - Every object in scope is read with one list call. All entries are validated, and pod references checked,
    before the first write.
author:
  - netops.cn2_apstra developers (@netops)
extends_documentation_fragment:
  - netops.cn2_apstra.ownership
  - netops.cn2_apstra.k8s_auth
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_kubernetes
  - netops.cn2_apstra.attributes.k8s_writes
options:
  config:
    description:
      - The SR-IOV networks.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - Name of the NetworkAttachmentDefinition (RFC 1123 label), also the CNI network name.
        type: str
        required: true
      namespace:
        description:
          - Namespace of the NetworkAttachmentDefinition. Defaults to O(namespace), else C(default).
        type: str
      resource_name:
        description:
          - SR-IOV device plugin resource, for example C(intel.com/sriov_netdevice); must equal a resource
            the nodes advertise in C(status.allocatable). Required to create a network.
        type: str
      vlan:
        description:
          - VLAN ID the VF tags traffic with, 0 to 4094 (0 means untagged).
        type: int
      vlan_qos:
        description:
          - VLAN QoS (PCP) bits, 0 to 7.
        type: int
      spoofchk:
        description:
          - MAC spoof checking on the VF.
        type: bool
      trust:
        description:
          - Trusted VF mode.
        type: bool
      mtu:
        description:
          - MTU of the VF inside the pod, 68 to 9216.
        type: int
      ipam:
        description:
          - IP address management for the network.
        type: dict
        suboptions:
          type:
            description:
              - V(whereabouts) allocates from one cluster-wide range.
              - V(static) gives fixed addresses.
              - V(host-local) allocates per node, so pods on different nodes get the same addresses (the module
                warns).
              - V(cn2) lets CN2 allocate from the subnet in O(config[].cn2.subnet); the config type becomes
                C(contrail-k8s-cni).
            type: str
            required: true
            choices: [whereabouts, static, host-local, cn2]
          range:
            description:
              - Address range in CIDR form (C(whereabouts) range, C(host-local) subnet).
            type: str
          range_start:
            description:
              - First address to allocate (C(whereabouts), C(host-local)).
            type: str
          range_end:
            description:
              - Last address to allocate (C(whereabouts), C(host-local)).
            type: str
          gateway:
            description:
              - Default gateway, inside O(config[].ipam.range).
            type: str
          exclude:
            description:
              - CIDRs inside the range never allocated (C(whereabouts)).
            type: list
            elements: str
          routes:
            description:
              - Routes to install in the pod.
            type: list
            elements: dict
            suboptions:
              dst:
                description: Destination CIDR.
                type: str
                required: true
              gw:
                description: Next hop; the gateway when left out.
                type: str
          addresses:
            description:
              - Fixed addresses (C(static)).
            type: list
            elements: dict
            suboptions:
              address:
                description: Address with prefix length, for example C(10.1.0.5/24).
                type: str
                required: true
              gateway:
                description: Gateway for this address.
                type: str
      cn2:
        description:
          - The C(juniper.net/networks) annotation that makes CN2 create the VirtualNetwork and Subnet. The
            cluster must serve the C(core.contrail.juniper.net) API group.
        type: dict
        suboptions:
          subnet:
            description: IPv4 subnet (C(ipamV4Subnet)).
            type: str
          route_targets:
            description: Route targets (C(routeTargetList)), for example C(target:64512:100).
            type: list
            elements: str
          import_route_targets:
            description: Import-only route targets (C(importRouteTargetList)).
            type: list
            elements: str
          export_route_targets:
            description: Export-only route targets (C(exportRouteTargetList)).
            type: list
            elements: str
          fabric_snat:
            description: Source NAT towards the fabric (C(fabricSNAT)).
            type: bool
      labels:
        description:
          - Labels of the object (the owner's marks are managed by the module, see O(owner)).
        type: dict
      annotations:
        description:
          - This collection's own annotations (keys starting with C(cn2-apstra.netops.io/)), for example the nodes the pods binding
            released (C(cn2-apstra.netops.io/released)). A C(null) value removes the annotation; other annotations are left alone.
        type: dict
  namespace:
    description:
      - Default namespace for O(config) entries without one, and the only namespace read and changed by
        O(state=gathered), O(state=overridden) and O(state=deleted). All namespaces when left out.
    type: str
  state:
    description:
      - V(merged) merges the given fields into existing networks and creates missing ones.
      - V(replaced) sets the given networks exactly as given; fields left out are removed.
      - V(overridden) is V(replaced) plus deleting networks this collection created that are not listed.
      - V(deleted) deletes the listed networks, or all networks this collection created when O(config) is empty.
      - V(gathered) returns the existing networks.
    type: str
    default: merged
    choices: [merged, replaced, overridden, deleted, gathered]
  force:
    description:
      - Delete networks even while pods reference them in their C(k8s.v1.cni.cncf.io/networks) annotation.
    type: bool
    default: false
notes:
  - Deleting a network that running pods still reference is refused unless O(force=true); the message lists the pods.
"""

EXAMPLES = r"""
- name: SR-IOV network with a cluster-wide whereabouts range
  netops.cn2_apstra.sriov_network_attachments:
    kubeconfig: ~/.kube/config
    config:
      - name: sriov-vlan100
        namespace: telco
        resource_name: intel.com/sriov_netdevice
        vlan: 100
        spoofchk: false
        trust: true
        mtu: 9000
        ipam:
          type: whereabouts
          range: 10.100.0.0/24
          gateway: 10.100.0.1
          exclude: [10.100.0.0/28]
          routes:
            - dst: 10.200.0.0/16
        labels:
          fabric-vn: vn100

- name: CN2 network (CN2 allocates addresses and creates the VirtualNetwork)
  netops.cn2_apstra.sriov_network_attachments:
    config:
      - name: sriov-cn2
        namespace: telco
        resource_name: intel.com/sriov_netdevice
        vlan: 200
        ipam:
          type: cn2
        cn2:
          subnet: 10.200.0.0/24
          route_targets: ["target:64512:200"]
          fabric_snat: false

- name: Only the listed networks of this collection remain in namespace telco
  netops.cn2_apstra.sriov_network_attachments:
    namespace: telco
    state: overridden
    config:
      - name: sriov-vlan100
        resource_name: intel.com/sriov_netdevice
        vlan: 100

- name: Delete a network even though pods still use it
  netops.cn2_apstra.sriov_network_attachments:
    state: deleted
    force: true
    config:
      - name: sriov-vlan100
        namespace: telco

- name: Read every SR-IOV network
  netops.cn2_apstra.sriov_network_attachments:
    state: gathered
  register: nads
"""

RETURN = r"""
changed:
  description: Whether a write was (or, in check mode, would be) sent.
  returned: always
  type: bool
before:
  description: The networks in scope before the run, in option form.
  returned: always
  type: list
  elements: dict
  sample:
    - name: sriov-vlan100
      namespace: telco
      resource_name: intel.com/sriov_netdevice
      vlan: 100
      ipam: {type: whereabouts, range: 10.100.0.0/24}
      labels: {}
after:
  description:
    - The networks in scope after the run, in option form; in check mode what the API server's dry run answered.
  returned: always
  type: list
  elements: dict
gathered:
  description: The existing networks (O(state=gathered)).
  returned: when O(state=gathered)
  type: list
  elements: dict
plan:
  description: The API requests the run sends (in check mode with C(dryRun=All)).
  returned: always
  type: list
  elements: dict
  contains:
    method:
      description: HTTP method.
      type: str
      sample: PATCH
    path:
      description: Request path.
      type: str
      sample: /apis/k8s.cni.cncf.io/v1/namespaces/telco/network-attachment-definitions/sriov-vlan100
    body:
      description: Request body (a JSON merge patch for PATCH).
      type: dict
diff:
  description: Before and after of the networks that change, keyed C(namespace/name).
  returned: with C(--diff)
  type: dict
msg:
  description: What failed, with the API status and error body.
  returned: on failure
  type: str
status:
  description: HTTP status of the failed API call.
  returned: on API failure
  type: int
error:
  description: Error body the API server answered with.
  returned: on API failure
  type: raw
"""

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import nad
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.module import K8sModule
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.resources import (
    NetworkAttachments,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    OWNERSHIP_SPEC,
    ownership,
    ResourceError,
)

ROUTE_SPEC = {"dst": {"type": "str", "required": True}, "gw": {"type": "str"}}
IPAM_SPEC = {
    "type": {"type": "str", "required": True, "choices": list(nad.IPAM_TYPES)},
    "range": {"type": "str"},
    "range_start": {"type": "str"},
    "range_end": {"type": "str"},
    "gateway": {"type": "str"},
    "exclude": {"type": "list", "elements": "str"},
    "routes": {"type": "list", "elements": "dict", "options": ROUTE_SPEC},
    "addresses": {
        "type": "list",
        "elements": "dict",
        "options": {"address": {"type": "str", "required": True}, "gateway": {"type": "str"}},
    },
}
CN2_SPEC = {
    "subnet": {"type": "str"},
    "route_targets": {"type": "list", "elements": "str"},
    "import_route_targets": {"type": "list", "elements": "str"},
    "export_route_targets": {"type": "list", "elements": "str"},
    "fabric_snat": {"type": "bool"},
}
NETWORK_SPEC = {
    "name": {"type": "str", "required": True},
    "namespace": {"type": "str"},
    "resource_name": {"type": "str"},
    "vlan": {"type": "int"},
    "vlan_qos": {"type": "int"},
    "spoofchk": {"type": "bool"},
    "trust": {"type": "bool"},
    "mtu": {"type": "int"},
    "ipam": {"type": "dict", "options": IPAM_SPEC},
    "cn2": {"type": "dict", "options": CN2_SPEC},
    "labels": {"type": "dict"},
    "annotations": {"type": "dict"},
}


class NetworkAttachmentsModule(K8sModule):
    ARGUMENT_SPEC = dict(
        **OWNERSHIP_SPEC,
        config={"type": "list", "elements": "dict", "default": [], "options": NETWORK_SPEC},
        namespace={"type": "str"},
        state={
            "type": "str",
            "default": "merged",
            "choices": ["merged", "replaced", "overridden", "deleted", "gathered"],
        },
        force={"type": "bool", "default": False},
    )

    def run(self):
        params = self.params
        state = params["state"]
        config = [nad.compact(item) for item in params["config"]]
        # Input errors are reported before connecting, so nothing can have been written.
        try:
            for index, item in enumerate(config):
                if state in ("deleted", "gathered"):
                    nad.validate_name("config[%d].name" % index, item.get("name"))
                    nad.validate_name(
                        "config[%d].namespace" % index, item.get("namespace"), required=False
                    )
                else:
                    nad.validate(item, "config[%d]" % index, creating=False)
            if params["namespace"]:
                nad.validate_name("namespace", params["namespace"])
        except nad.ValidationError as exc:
            raise ResourceError(str(exc)) from exc
        if state not in ("deleted", "gathered") and any(item.get("cn2") for item in config):
            if self.service.resource(nad.CN2_GROUP, "VirtualNetwork", required=False) is None:
                raise ResourceError(
                    "cn2 is set but the cluster does not serve %s: it does not run CN2"
                    % nad.CN2_GROUP
                )
        return self.run_resource(
            NetworkAttachments(
                self.service,
                params["namespace"],
                params["force"],
                ownership=ownership(params, keyed=True),
            ),
            config=config,
        )


def main():
    NetworkAttachmentsModule().main()


if __name__ == "__main__":
    main()
