# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cn2_pod_networks: a tenant's Subnet and pod network, then its namespaces' annotation; removal refused while pods use
it; a namespace is never created, and only the collection's annotation, label and marks on it change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    OWNER_LABEL,
    OWNER_VALUE,
    PODNETWORK_ANNOTATION,
    TENANT_ANNOTATION,
    TENANT_LABEL,
)
from ansible_collections.netops.cn2_apstra.plugins.modules import cn2_pod_networks as module

SERVED = ("Subnet", "VirtualNetwork", "Namespace", "Pod")
RED = {
    "name": "red-pods",
    "namespace": "red-a",
    "subnet": "10.30.0.0/24",
    "gateway": "10.30.0.1",
    "tenant": "red",
    "namespaces": ["red-a", "red-b"],
}


def namespace(name, labels=None):
    return {
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": dict({"kubernetes.io/metadata.name": name}, **(labels or {})),
            "annotations": {TENANT_ANNOTATION: "red", "team": "shop"},
        },
        "spec": {"finalizers": ["kubernetes"]},
    }


def ready(service):
    """CN2 reports the stored VirtualNetworks ready."""
    for (kind, _ns, _name), obj in service.store.items():
        if kind == "VirtualNetwork":
            obj["status"] = {"state": "Success"}


def test_creates_the_subnet_the_pod_network_then_annotates_the_namespaces(k8s):
    service = k8s.service([namespace("red-a"), namespace("red-b")], served=SERVED)
    args = {"config": [RED], "adopt": ["red-a", "red-b"], "guard": True}
    result = k8s.run(module.main, args, service, check_mode=True)
    assert result["changed"] is True and all(call[4] for call in service.writes())
    created = k8s.run(module.main, dict(args, wait_timeout=0), service)
    assert (
        created["failed"]
        and "VirtualNetwork red-a/red-pods is not ready (state none)" in created["msg"]
    )
    assert (
        service.get_object("Namespace", None, "red-a")["metadata"]["annotations"].get(
            PODNETWORK_ANNOTATION
        )
        is None
    )
    ready(service)
    result = k8s.run(module.main, args, service)
    assert [(c["kind"], c["action"]) for c in result["changes"]] == [
        ("Namespace", "update"),
        ("Namespace", "update"),
    ]
    subnet = service.get_object("Subnet", "red-a", "red-pods")
    assert subnet["spec"] == {"cidr": "10.30.0.0/24", "defaultGateway": "10.30.0.1"}
    vn = service.get_object("VirtualNetwork", "red-a", "red-pods")
    assert (
        vn["spec"]["podNetwork"] is True and vn["spec"]["v4SubnetReference"]["name"] == "red-pods"
    )
    assert vn["metadata"]["labels"] == {TENANT_LABEL: "red", OWNER_LABEL: OWNER_VALUE}
    red_b = service.get_object("Namespace", None, "red-b")
    assert red_b["metadata"]["annotations"] == {
        TENANT_ANNOTATION: "red",
        "team": "shop",
        PODNETWORK_ANNOTATION: "red-a/red-pods",
    }
    assert red_b["metadata"]["labels"][TENANT_LABEL] == "red" and red_b["spec"] == {
        "finalizers": ["kubernetes"]
    }
    service.calls = []
    again = k8s.run(module.main, args, service)
    assert again["changed"] is False and service.writes() == []


def test_a_namespace_without_a_mark_is_not_touched_unless_adopted_nor_one_that_does_not_exist(k8s):
    service = k8s.service([namespace("red-a")], served=SERVED)
    service.add({"kind": "Subnet", "metadata": {"name": "red-pods", "namespace": "red-a"}})
    result = k8s.run(module.main, {"config": [RED], "guard": True}, service)
    assert result["failed"] and "Subnet red-a/red-pods carries no owner's mark" in result["msg"]
    del service.store[("Subnet", "red-a", "red-pods")]
    service.calls = []
    result = k8s.run(
        module.main,
        {"config": [dict(RED, namespaces=["red-a"])], "guard": True, "wait_timeout": 0},
        service,
    )
    assert "not ready" in result["msg"]
    ready(service)
    result = k8s.run(
        module.main, {"config": [dict(RED, namespaces=["red-a"])], "guard": True}, service
    )
    assert result["failed"] and "Namespace red-a carries no owner's mark" in result["msg"]
    result = k8s.run(module.main, {"config": [RED], "adopt": ["red-a", "red-b"]}, service)
    assert result["failed"] and "namespace red-b does not exist; create it first" in result["msg"]


def test_removal_is_refused_while_pods_use_the_pod_network_then_removes_only_the_collections_marks(
    k8s,
):
    marked = {OWNER_LABEL: OWNER_VALUE, TENANT_LABEL: "red"}
    service = k8s.service([namespace("red-a", marked), namespace("red-b", marked)], served=SERVED)
    k8s.run(module.main, {"config": [RED], "wait_timeout": 0}, service)
    ready(service)
    assert k8s.run(module.main, {"config": [RED]}, service)["changed"] is True
    status = json.dumps([{"name": "red-a/red-pods", "interface": "eth0", "default": True}])
    pod = k8s.pod("web-0", namespace="red-b")
    pod["metadata"]["annotations"]["k8s.v1.cni.cncf.io/network-status"] = status
    service.add(pod)
    service.calls = []
    removal = {
        "config": [{"name": "red-pods", "namespace": "red-a", "namespaces": ["red-a", "red-b"]}],
        "state": "deleted",
    }
    refused = k8s.run(module.main, removal, service)
    assert (
        refused["failed"]
        and "red-a/red-pods used by red-b/web-0; nothing was changed" in refused["msg"]
    )
    assert service.writes() == []
    del service.store[("Pod", "red-b", "web-0")]
    result = k8s.run(module.main, removal, service)
    assert [(c["kind"], c["action"]) for c in result["changes"]] == [
        ("Namespace", "update"),
        ("Namespace", "update"),
        ("VirtualNetwork", "delete"),
        ("Subnet", "delete"),
    ]
    red_a = service.get_object("Namespace", None, "red-a")["metadata"]
    assert red_a["labels"] == {"kubernetes.io/metadata.name": "red-a"}
    assert red_a["annotations"] == {TENANT_ANNOTATION: "red", "team": "shop"}


def test_a_bad_subnet_or_gateway_is_named_before_anything_is_read(k8s):
    service = k8s.service(served=SERVED)
    result = k8s.run(module.main, {"config": [dict(RED, subnet="10.30.0.1/24")]}, service)
    assert (
        result["failed"]
        and result["msg"]
        == "config[0].subnet: '10.30.0.1/24' is not an IPv4 CIDR such as 10.10.0.0/24"
    )
    result = k8s.run(module.main, {"config": [dict(RED, gateway="10.31.0.1")]}, service)
    assert result["msg"] == "config[0].gateway: '10.31.0.1' is not an address inside 10.30.0.0/24"
    assert service.calls == []
