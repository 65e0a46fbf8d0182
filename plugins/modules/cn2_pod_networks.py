#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cn2_pod_networks
short_description: Manage CN2 custom default pod networks of namespaces (tenants)
version_added: 0.2.0
description:
  - Manages a tenant's pod network in CN2 (C(core.contrail.juniper.net)) - a C(Subnet), a C(VirtualNetwork) with
    C(spec.podNetwork=true) whose C(v4SubnetReference) names it, and the annotation C(net.juniper.contrail.podnetwork)
    of the tenant's namespaces that makes it the primary (eth0) network of the pods created in them afterwards.
    Pods created before keep the network they have (CN2 chooses it once, when the pod is created).
  - In that order - the Subnet, then the VirtualNetwork, waiting until CN2 reports its C(status.state) as C(Success),
    then the namespaces (in check mode nothing waits). Removal goes the other way and is refused, before any write,
    while a pod's primary network is one of the pod networks to remove (the pods are named).
  - A namespace is never created or deleted; the module sets or removes its annotation, the label
    C(netops.io/tenant) and the owner's marks, nothing else. A namespace that does not exist is an error.
  - Objects the module creates or marks carry the label C(app.kubernetes.io/managed-by=netops.cn2_apstra) (and the
    owner's name, see O(owner)); with O(guard) it changes nothing of another owner or without a mark, except the
    namespaces O(adopt) lists.
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
      - The pod networks.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the Subnet and of the VirtualNetwork (RFC 1123 label).
        type: str
        required: true
      namespace:
        description: Namespace of the Subnet and the VirtualNetwork.
        type: str
        required: true
      subnet:
        description: IPv4 CIDR of the Subnet (C(spec.cidr)). Required unless O(state=deleted).
        type: str
      gateway:
        description: Gateway of the Subnet (C(spec.defaultGateway)); CN2 picks one when left out.
        type: str
      tenant:
        description: The tenant, the value of the label C(netops.io/tenant) on the Subnet, the VirtualNetwork and the namespaces.
        type: str
      namespaces:
        description:
          - The namespaces whose new pods use the pod network (annotated C(net.juniper.contrail.podnetwork=<namespace>/<name>)).
        type: list
        elements: str
        default: []
  state:
    description:
      - V(merged) creates or updates the listed pod networks and annotates their namespaces; V(replaced) also
        repairs what differs (a namespace annotation edited by hand).
      - V(deleted) removes the annotation, the tenant label and the owner's marks of the listed namespaces, then
        the VirtualNetworks and the Subnets.
    type: str
    default: merged
    choices: [merged, replaced, deleted]
  api_version:
    description:
      - API version of the CN2 kinds, for example C(core.contrail.juniper.net/v4). By default the version the API
        server prefers in the C(core.contrail.juniper.net) group.
    type: str
  wait_timeout:
    description: Seconds to wait for a VirtualNetwork that changed to be ready (C(status.state) C(Success)).
    type: float
    default: 60
  poll_interval:
    description: Seconds between two reads of a VirtualNetwork that is not ready yet.
    type: float
    default: 0.2
"""

EXAMPLES = r"""
- name: The pod network of tenant red, the default of the pods created afterwards in red-a and red-b
  netops.cn2_apstra.cn2_pod_networks:
    config:
      - name: red-pods
        namespace: red-a
        subnet: 10.30.0.0/24
        gateway: 10.30.0.1
        tenant: red
        namespaces: [red-a, red-b]
    # red-a and red-b were made by hand: take them over (the owner's marks are added)
    adopt: [red-a, red-b]
    guard: true

- name: Remove it (refused while pods use it)
  netops.cn2_apstra.cn2_pod_networks:
    config:
      - name: red-pods
        namespace: red-a
        namespaces: [red-a, red-b]
    state: deleted
"""

RETURN = r"""
changed:
  description: Whether a write was (or, in check mode, would be) sent.
  returned: always
  type: bool
before:
  description: The listed objects before the run, in option form, each with C(kind) (Subnet, VirtualNetwork, Namespace).
  returned: always
  type: list
  elements: dict
after:
  description: The listed objects after the run (in check mode what the API server's dry run answered), with C(kind).
  returned: always
  type: list
  elements: dict
changes:
  description: What the run changed (C(action), C(key), C(before), C(after), C(kind)).
  returned: always
  type: list
  elements: dict
plan:
  description: The API requests the run sends (in check mode with C(dryRun=All)), each with C(method), C(path), C(body).
  returned: always
  type: list
  elements: dict
diff:
  description: Before and after of the objects that change.
  returned: with C(--diff)
  type: list
  elements: dict
msg:
  description: What failed, with the API status and error body.
  returned: on failure
  type: str
"""

import time

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.cn2 import (
    PodNetworks,
    Subnets,
    TenantNamespaces,
    pod_users,
    validate_pod_network,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.module import K8sModule
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.nad import (
    CN2_GROUP,
    ValidationError,
    validate_name,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    OWNERSHIP_SPEC,
    Engine,
    Ownership,
    ResourceError,
    ownership,
)

POD_NETWORK_SPEC = {
    "name": {"type": "str", "required": True},
    "namespace": {"type": "str", "required": True},
    "subnet": {"type": "str"},
    "gateway": {"type": "str"},
    "tenant": {"type": "str"},
    "namespaces": {"type": "list", "elements": "str", "default": []},
}
READY = "Success"


class PodNetworksModule(K8sModule):
    ARGUMENT_SPEC = dict(
        **OWNERSHIP_SPEC,
        config={"type": "list", "elements": "dict", "default": [], "options": POD_NETWORK_SPEC},
        state={"type": "str", "default": "merged", "choices": ["merged", "replaced", "deleted"]},
        api_version={"type": "str"},
        wait_timeout={"type": "float", "default": 60},
        poll_interval={"type": "float", "default": 0.2},
    )

    def __init__(self, module=None):
        super(PodNetworksModule, self).__init__(module)
        self.sent = []
        self.parts = []

    def planned(self):
        return self.sent + (self.engine.plan if self.engine else [])

    def validated(self):
        """The config, every name checked; a pod network to write needs a valid subnet and gateway."""
        config = self.params["config"]
        try:
            for index, item in enumerate(config):
                field = "config[%d]" % index
                for key in ("name", "namespace"):
                    validate_name("%s.%s" % (field, key), item.get(key))
                for pos, namespace in enumerate(item.get("namespaces") or []):
                    validate_name("%s.namespaces[%d]" % (field, pos), namespace)
                if self.params["state"] != "deleted":
                    validate_pod_network(item, field)
        except ValidationError as exc:
            raise ResourceError(str(exc)) from exc
        return config

    def resource(self, cls):
        owned = ownership(dict(self.params, adopt=[], release=[]), keyed=True)
        found = cls(self.service, ownership=owned)
        found.api_resource = self.service.resource(
            self.params["api_version"] or CN2_GROUP, cls.OBJECT_KIND
        )
        return found

    def namespaces(self, release=()):
        owned = ownership(dict(self.params, adopt=[], release=[]))
        return TenantNamespaces(
            self.service,
            ownership=Ownership(
                owned.owners,
                guard=owned.guard,
                adopt=[(None, name) for name in self.params["adopt"]],
                release=[(None, name) for name in release],
            ),
        )

    def step(self, kind, resource, state, config):
        """One kind's engine run; its result is kept for the combined one."""
        if self.engine is not None:
            self.sent += self.engine.plan
        self.engine = Engine(resource, state, config, check_mode=self.check_mode)
        self.parts.append((kind, self.engine.run()))
        return resource

    def wait_ready(self, networks, config):
        """Each listed VirtualNetwork read until CN2 reports it ready; a ResourceError naming it when it is not in time
        (the namespaces are then left as they were)."""
        deadline = time.monotonic() + self.params["wait_timeout"]
        for item in config:
            while True:
                found = (
                    self.service.get(networks.api_resource, item["name"], item["namespace"]) or {}
                )
                status = found.get("status") or {}
                if status.get("state") == READY:
                    break
                if time.monotonic() >= deadline:
                    raise ResourceError(
                        "VirtualNetwork %s/%s is not ready (state %s%s) after %s s; its namespaces were not annotated"
                        % (
                            item["namespace"],
                            item["name"],
                            status.get("state") or "none",
                            ": %s" % status["observation"] if status.get("observation") else "",
                            self.params["wait_timeout"],
                        )
                    )
                time.sleep(self.params["poll_interval"])

    def provide(self, config):
        state = self.params["state"]
        self.step(
            "Subnet",
            self.resource(Subnets),
            state,
            [
                dict((k, item.get(k)) for k in ("name", "namespace", "subnet", "gateway", "tenant"))
                for item in config
            ],
        )
        networks = self.step(
            "VirtualNetwork",
            self.resource(PodNetworks),
            state,
            [
                dict(
                    name=item["name"],
                    namespace=item["namespace"],
                    pod_network=True,
                    subnet_reference="%s/%s" % (item["namespace"], item["name"]),
                    tenant=item.get("tenant"),
                )
                for item in config
            ],
        )
        if not self.check_mode:
            self.wait_ready(networks, config)
        self.step(
            "Namespace",
            self.namespaces(),
            state,
            [
                dict(
                    name=name,
                    pod_network="%s/%s" % (item["namespace"], item["name"]),
                    tenant=item.get("tenant"),
                )
                for item in config
                for name in item["namespaces"]
            ],
        )

    def remove(self, config):
        """Refused while pods use a pod network to remove; else the namespaces, then the networks, then the Subnets."""
        refs = set("%s/%s" % (item["namespace"], item["name"]) for item in config)
        users = pod_users(self.service, refs)
        if users:
            raise ResourceError(
                "refusing to remove pod networks that pods use: %s; nothing was changed"
                % "; ".join(
                    "%s used by %s" % (ref, ", ".join(pods)) for ref, pods in sorted(users.items())
                )
            )
        names = [name for item in config for name in item["namespaces"]]
        self.step(
            "Namespace",
            self.namespaces(release=names),
            "replaced",
            [{"name": name} for name in names],
        )
        keys = [{"name": item["name"], "namespace": item["namespace"]} for item in config]
        self.step("VirtualNetwork", self.resource(PodNetworks), "deleted", keys)
        self.step("Subnet", self.resource(Subnets), "deleted", keys)

    def run(self):
        config = self.validated()
        if not config:
            return dict(changed=False, before=[], after=[], changes=[], plan=[], diff=[])
        (self.remove if self.params["state"] == "deleted" else self.provide)(config)
        out = dict(changed=False, before=[], after=[], changes=[], plan=[], diff=[])
        for kind, result in self.parts:
            out["changed"] = out["changed"] or result["changed"]
            for key in ("before", "after", "changes"):
                out[key] += [dict(item, kind=kind) for item in result.get(key) or [] if item]
            out["plan"] += result["plan"]
            out["diff"] += result["diff"]
        return out


def main():
    PodNetworksModule().main()


if __name__ == "__main__":
    main()
