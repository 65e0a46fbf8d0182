# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-memory stand-in for K8sService, recording every call (for runner and module unit tests)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import K8sError

PLURALS = {"NetworkAttachmentDefinition": "network-attachment-definitions", "Pod": "pods", "Node": "nodes",
           "VirtualNetworkRouter": "virtualnetworkrouters", "VirtualNetwork": "virtualnetworks",
           "SriovNetworkNodeState": "sriovnetworknodestates", "NodeNetworkState": "nodenetworkstates"}
VERSIONS = {"k8s.cni.cncf.io": "k8s.cni.cncf.io/v1", "core.contrail.juniper.net": "core.contrail.juniper.net/v1"}


class FakeResource:
    def __init__(self, api_version, kind, namespaced=True):
        self.group_version = api_version
        self.kind = kind
        self.namespaced = namespaced

    def path(self, name=None, namespace=None):
        prefix = "/api/" if "/" not in self.group_version else "/apis/"
        path = prefix + self.group_version
        if namespace:
            path += "/namespaces/" + namespace
        path += "/" + PLURALS[self.kind]
        return path + ("/" + name if name else "")


def apply_merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


class FakeService:
    """Objects keyed by (kind, namespace, name); ``calls`` lists (verb, kind, namespace, name, dry_run)."""

    def __init__(self, objects=(), check_mode=False, served=("NetworkAttachmentDefinition", "Pod", "Node", "VirtualNetworkRouter")):
        self.check_mode = check_mode
        self.served = set(served)
        self.store = {}
        self.calls = []
        self.fail = {}
        for obj in objects:
            meta = obj["metadata"]
            self.store[(obj["kind"], meta.get("namespace"), meta["name"])] = copy.deepcopy(obj)

    def resource(self, api_version, kind, required=True):
        if kind not in self.served:
            if required:
                raise K8sError("the API server does not serve %s %s" % (api_version, kind), status=404)
            return None
        return FakeResource(VERSIONS.get(api_version, api_version), kind, kind not in ("Node", "NodeNetworkState"))

    def _check(self, verb, kind):
        if (verb, kind) in self.fail:
            status, body = self.fail[(verb, kind)]
            raise K8sError(body.get("message", "failed"), status=status, body=body, method=verb)

    def list(self, resource, namespace=None, label_selector=None, field_selector=None):
        self.calls.append(("list", resource.kind, namespace, None, False))
        self._check("list", resource.kind)
        return [copy.deepcopy(o) for (kind, ns, _n), o in sorted(self.store.items(), key=lambda i: (i[0][0], i[0][1] or "", i[0][2]))
                if kind == resource.kind and (namespace is None or ns == namespace)]

    def create(self, resource, body, namespace=None):
        self.calls.append(("create", resource.kind, namespace, body["metadata"]["name"], self.check_mode))
        self._check("create", resource.kind)
        obj = copy.deepcopy(body)
        obj["metadata"].setdefault("namespace", namespace)
        obj["metadata"]["resourceVersion"] = "1"
        if not self.check_mode:
            self.store[(resource.kind, namespace, body["metadata"]["name"])] = copy.deepcopy(obj)
        return obj

    def patch(self, resource, name, body, namespace=None):
        self.calls.append(("patch", resource.kind, namespace, name, self.check_mode))
        self._check("patch", resource.kind)
        key = (resource.kind, namespace, name)
        obj = apply_merge_patch(self.store[key], body)
        if not self.check_mode:
            self.store[key] = copy.deepcopy(obj)
        return obj

    def delete(self, resource, name, namespace=None):
        self.calls.append(("delete", resource.kind, namespace, name, self.check_mode))
        self._check("delete", resource.kind)
        if not self.check_mode:
            self.store.pop((resource.kind, namespace, name), None)
        return True

    def writes(self):
        return [c for c in self.calls if c[0] in ("create", "patch", "delete")]
