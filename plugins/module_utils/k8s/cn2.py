# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes backends of a tenant's pod network (docs/contracts.md "CN2 tenants"): CN2 Subnets and
VirtualNetworks (``podNetwork: true``) in ``core.contrail.juniper.net``, and the namespaces whose annotation
``net.juniper.contrail.podnetwork`` makes it the default of their new pods; and the facts the plan reads of them.

A Subnet's and a VirtualNetwork's spec are written over what the object holds (CN2 fills in the reference's uid and
fqName), and the collection manages only its own labels on them. A namespace is never created nor deleted: the
collection sets or removes its annotation, its tenant label and its owner's marks, nothing else. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.nad import CN2_GROUP, compact
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.resources import (
    K8sResource,
    VirtualNetworkRouters,
    merge_patch,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import ResourceError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.cluster import (
    INACTIVE_PHASES,
    pod_primary_network,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    PODNETWORK_ANNOTATION,
    TENANT_LABEL,
    owner_of_labels,
)


class _TenantLabelled(K8sResource):
    """An object that carries a tenant's label: option form ``name``, ``tenant`` (the label) and ``owner``."""

    @staticmethod
    def marks(metadata):
        labels = metadata.get("labels") or {}
        return {
            "name": metadata.get("name"),
            "tenant": labels.get(TENANT_LABEL),
            "owner": owner_of_labels(labels),
        }

    def labels(self, item, have_obj, merge):
        """The object's labels as they are (CN2 adds its own), with the tenant label and the owner's marks."""
        labels = super(_TenantLabelled, self).labels(item, have_obj, True)
        if item.get("tenant"):
            labels[TENANT_LABEL] = item["tenant"]
        else:
            labels.pop(TENANT_LABEL, None)
        return labels


class _TenantObject(_TenantLabelled):
    """A CN2 object of a tenant: the marks, its ``namespace`` and the kind's fields."""

    def spec_fields(self, spec):
        raise NotImplementedError

    def spec(self, item, have_spec):
        raise NotImplementedError

    def from_object(self, obj):
        metadata = obj.get("metadata") or {}
        item = dict(self.marks(metadata), namespace=metadata.get("namespace"))
        item.update(self.spec_fields(obj.get("spec") or {}))
        return compact(item)

    def to_object(self, item, labels, have_obj=None, merge=False):
        return {
            "apiVersion": self.api_resource.group_version,
            "kind": self.OBJECT_KIND,
            "metadata": {"name": item["name"], "namespace": item["namespace"], "labels": labels},
            "spec": self.spec(item, dict((have_obj or {}).get("spec") or {})),
        }


class Subnets(_TenantObject):
    """CN2 Subnets: ``subnet`` (spec.cidr) and ``gateway`` (spec.defaultGateway)."""

    KIND = "subnet"
    OBJECT_KIND = "Subnet"

    def spec_fields(self, spec):
        return {"subnet": spec.get("cidr"), "gateway": spec.get("defaultGateway")}

    def spec(self, item, have_spec):
        have_spec["cidr"] = item["subnet"]
        if item.get("gateway"):
            have_spec["defaultGateway"] = item["gateway"]
        return have_spec


class PodNetworks(_TenantObject):
    """CN2 VirtualNetworks that are pod networks: ``pod_network`` (spec.podNetwork) and ``subnet_reference``
    (``namespace/name`` of spec.v4SubnetReference)."""

    KIND = "pod network"
    OBJECT_KIND = "VirtualNetwork"

    def spec_fields(self, spec):
        ref = spec.get("v4SubnetReference") or {}
        return {
            "pod_network": bool(spec.get("podNetwork")),
            "subnet_reference": (
                "%s/%s" % (ref.get("namespace"), ref.get("name")) if ref.get("name") else None
            ),
        }

    def spec(self, item, have_spec):
        have_spec["podNetwork"] = True
        namespace, _sep, name = item["subnet_reference"].partition("/")
        held = have_spec.get("v4SubnetReference") or {}
        if (held.get("namespace"), held.get("name")) != (namespace, name):
            have_spec["v4SubnetReference"] = {
                "apiVersion": self.api_resource.group_version,
                "kind": "Subnet",
                "namespace": namespace,
                "name": name,
            }
        return have_spec


class TenantNamespaces(_TenantLabelled):
    """Namespaces: ``pod_network`` (annotation net.juniper.contrail.podnetwork) and ``tenant`` (label). Only listed
    namespaces are read back (SCOPED); one that does not exist is an error, none is ever deleted."""

    KIND = "namespace"
    OBJECT_KIND = "Namespace"
    API_VERSION = "v1"
    NAMESPACED = False
    SCOPED = True
    MANAGED_ANNOTATIONS = (PODNETWORK_ANNOTATION,)

    def from_object(self, obj):
        metadata = obj.get("metadata") or {}
        pod_network = (metadata.get("annotations") or {}).get(PODNETWORK_ANNOTATION)
        item = compact(dict(self.marks(metadata), pod_network=pod_network))
        item["namespace"] = None
        return item

    def to_object(self, item, labels, have_obj=None, merge=False):
        return {
            "apiVersion": "v1",
            "kind": self.OBJECT_KIND,
            "metadata": {
                "name": item["name"],
                "labels": labels,
                "annotations": {PODNETWORK_ANNOTATION: item.get("pod_network")},
            },
        }

    def update_patch(self, have_obj, desired):
        """Labels and the pod network annotation only: the namespace's other annotations (its consent among them) and
        its spec are not the collection's."""
        have_meta, want_meta = have_obj.get("metadata") or {}, desired.get("metadata") or {}
        metadata = {}
        labels = merge_patch(have_meta.get("labels") or {}, want_meta.get("labels") or {})
        if labels:
            metadata["labels"] = labels
        have_value = (have_meta.get("annotations") or {}).get(PODNETWORK_ANNOTATION)
        want_value = (want_meta.get("annotations") or {}).get(PODNETWORK_ANNOTATION)
        if have_value != want_value:
            metadata["annotations"] = {PODNETWORK_ANNOTATION: want_value}
        return {"metadata": metadata} if metadata else {}

    def check_change(self, change):
        if change.action != "update":
            raise ResourceError(
                "namespace %s does not exist; create it first (the collection annotates namespaces, it never creates "
                "or deletes them): nothing was changed" % change.key[1]
                if change.action == "create"
                else "namespace %s: the collection never deletes a namespace" % change.key[1]
            )
        super(TenantNamespaces, self).check_change(change)


def validate_pod_network(item, field):
    """Raise ResourceError naming the field of a pod network that cannot be written."""
    try:
        cidr = ipaddress.IPv4Network(str(item.get("subnet")), strict=True)
    except ValueError:
        raise ResourceError(
            "%s.subnet: %r is not an IPv4 CIDR such as 10.10.0.0/24" % (field, item.get("subnet"))
        ) from None
    gateway = item.get("gateway")
    try:
        inside = gateway is None or ipaddress.IPv4Address(str(gateway)) in cidr
    except ValueError:
        inside = False
    if not inside:
        raise ResourceError("%s.gateway: %r is not an address inside %s" % (field, gateway, cidr))


def list_pods(service):
    """Every pod of the cluster, one list call."""
    return service.list(service.resource("v1", "Pod"))


def primary_networks(pod_objects):
    """{running pod ``namespace/name``: its primary network ``namespace/name``, or "" for the default}."""
    pods = {}
    for pod in pod_objects:
        if (pod.get("status") or {}).get("phase") not in INACTIVE_PHASES:
            metadata = pod.get("metadata") or {}
            pods["%s/%s" % (metadata.get("namespace"), metadata.get("name"))] = (
                pod_primary_network(pod) or ""
            )
    return pods


def pod_users(service, refs):
    """{pod network ``namespace/name``: [pods (``namespace/name``) whose primary network it is]} for ``refs``."""
    users = {}
    for pod, network in primary_networks(list_pods(service)).items():
        if network in refs:
            users.setdefault(network, []).append(pod)
    return dict((ref, sorted(pods)) for ref, pods in users.items())


def tenant_facts(service, api_version=CN2_GROUP, pods=None):
    """What the plan reads for tenants, one list call per kind: namespaces (name, labels, annotations), the pod
    networks' Subnets and VirtualNetworks (option form; VirtualNetworks with their status ``state``), the
    VirtualNetworkRouters (option form) and each running pod's primary network (``namespace/name`` -> network, or "").
    ``pods``: the pods already listed by the caller (else listed here).
    """
    namespaces = [
        dict(
            (key, (obj.get("metadata") or {}).get(key) or ({} if key != "name" else None))
            for key in ("name", "labels", "annotations")
        )
        for obj in service.list(service.resource("v1", "Namespace"))
    ]
    kinds = {}
    for kind, resource in (
        ("Subnet", Subnets(service)),
        ("VirtualNetwork", PodNetworks(service)),
        ("VirtualNetworkRouter", VirtualNetworkRouters(service)),
    ):
        api = service.resource(api_version, kind)
        kinds[kind] = [(resource.from_object(obj), obj) for obj in service.list(api)]
    return {
        "namespaces": namespaces,
        "subnets": [item for item, _obj in kinds["Subnet"]],
        "virtual_networks": [
            dict(item, state=(obj.get("status") or {}).get("state"))
            for item, obj in kinds["VirtualNetwork"]
        ],
        "routers": [item for item, _obj in kinds["VirtualNetworkRouter"]],
        "pods": primary_networks(list_pods(service) if pods is None else pods),
    }
