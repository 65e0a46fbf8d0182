"""Real clients against the Kubernetes emulator: kubectl (the image's 1.32 and Debian's 1.20) and the kubernetes Python
DynamicClient (with watch)."""

import threading
import time

import pytest
import requests
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic.exceptions import ConflictError, NotFoundError

from sim_core.testing import KUBECTLS, kubectl_runner

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
  namespace: telco
  labels: {app: demo}
data:
  vlan: "%s"
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: sriov-a
  namespace: telco
  labels: {app: demo}
spec:
  config: '{"cniVersion":"1.0.0","name":"sriov-a","type":"sriov","vlan":%s}'
"""


@pytest.fixture(params=sorted(KUBECTLS))
def kubectl(request, k8s, tmp_path):
    return kubectl_runner(request.param, k8s.kubeconfig, tmp_path)


def test_kubectl_create_get_apply_label_delete(kubectl, k8s):
    names = kubectl(
        "get", "nodes", "-l", "feature.node.kubernetes.io/network-sriov.capable=true", "-o", "name"
    ).stdout.split()
    assert names == ["node/worker-0%d" % n for n in range(1, 7)]
    assert "worker-08" in kubectl("get", "nodes").stdout
    assert (
        kubectl(
            "get",
            "nns",
            "worker-03",
            "-o",
            "jsonpath={.status.currentState.interfaces[2].lldp.neighbors[0][4].system-name}",
        ).stdout
        == "leaf1"
    )

    created = kubectl("create", "-f", "-", stdin=MANIFEST % (10, 10))
    assert (
        "configmap/demo created" in created.stdout
        and "networkattachmentdefinition.k8s.cni.cncf.io/sriov-a created" in created.stdout
    )
    assert (
        "AlreadyExists" in kubectl("create", "-f", "-", stdin=MANIFEST % (10, 10), ok=False).stderr
    )
    kubectl("apply", "-f", "-", stdin=MANIFEST % (10, 10))
    applied = kubectl("apply", "-f", "-", stdin=MANIFEST % (20, 20)).stdout
    assert "configmap/demo configured" in applied and "sriov-a configured" in applied
    assert "unchanged" in kubectl("apply", "-f", "-", stdin=MANIFEST % (20, 20)).stdout
    assert (
        "serverside-applied"
        in kubectl(
            "apply", "--server-side", "--force-conflicts", "-f", "-", stdin=MANIFEST % (30, 30)
        ).stdout
    )
    assert kubectl("-n", "telco", "get", "cm", "demo", "-o", "jsonpath={.data.vlan}").stdout == "30"
    kubectl("-n", "telco", "label", "net-attach-def", "sriov-a", "tier=gold")
    kubectl("-n", "telco", "label", "configmap", "demo", "tier=gold")
    gold = kubectl(
        "-n", "telco", "get", "cm,net-attach-def", "-l", "tier=gold,app in (demo)", "-o", "name"
    ).stdout.split()
    assert gold == ["configmap/demo", "networkattachmentdefinition.k8s.cni.cncf.io/sriov-a"]
    assert kubectl("-n", "telco", "get", "cm", "-l", "tier!=gold", "-o", "name").stdout == ""
    kubectl(
        "create",
        "-f",
        "-",
        "--dry-run=server",
        stdin=(MANIFEST % (1, 1)).replace("demo", "ghost").replace("sriov-a", "sriov-b"),
    )
    assert "NotFound" in kubectl("-n", "telco", "get", "cm", "ghost", ok=False).stderr
    deleted = kubectl("delete", "-f", "-", stdin=MANIFEST % (30, 30)).stdout
    assert 'configmap "demo" deleted' in deleted
    assert kubectl("-n", "telco", "get", "cm,net-attach-def", "-o", "name").stdout == ""
    writes = [(w["method"], w["resource"]) for w in k8s.writes()]
    assert ("PATCH", "network-attachment-definitions") in writes and (
        "DELETE",
        "configmaps",
    ) in writes


def test_openapi_v2_json_and_protobuf(k8s):
    doc = requests.get(k8s.url + "/openapi/v2", timeout=10)
    assert doc.status_code == 200 and doc.headers["Content-Type"].startswith("application/json")
    assert doc.json()["swagger"] == "2.0" and doc.json()["definitions"] == {}
    patch = doc.json()["paths"][
        "/apis/k8s.cni.cncf.io/v1/namespaces/{namespace}/network-attachment-definitions/{name}"
    ]["patch"]
    assert "dryRun" in [p["name"] for p in patch["parameters"]]
    for accept in (
        "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
    ):
        proto = requests.get(k8s.url + "/openapi/v2", headers={"Accept": accept}, timeout=10)
        assert proto.status_code == 200 and proto.content.startswith(
            b"\x0a\x032.0\x12"
        )  # Document.swagger = "2.0", then Info
    assert proto.headers["Content-Type"] == accept


def test_dynamic_client_crud_conflict_and_dry_run(dyn):
    nads = dyn.resources.get(api_version="k8s.cni.cncf.io/v1", kind="NetworkAttachmentDefinition")
    body = {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": "n1"},
        "spec": {"config": "{}"},
    }
    dry = nads.create(body=body, namespace="telco", dry_run="All")
    assert dry.metadata.name == "n1"
    with pytest.raises(NotFoundError):
        nads.get(name="n1", namespace="telco")
    first = nads.create(body=body, namespace="telco")
    stale = first.to_dict()
    nads.patch(
        name="n1",
        namespace="telco",
        body={"metadata": {"labels": {"a": "b"}}},
        content_type="application/merge-patch+json",
    )
    with pytest.raises(ConflictError):
        nads.replace(body=stale, namespace="telco")
    listing = nads.get(namespace="telco", label_selector="a=b")
    assert listing.kind == "NetworkAttachmentDefinitionList" and [
        i.metadata.name for i in listing.items
    ] == ["n1"]
    states = dyn.resources.get(
        api_version="sriovnetwork.openshift.io/v1", kind="SriovNetworkNodeState"
    )
    worker5 = states.get(name="worker-05", namespace="sriov-network-operator")
    assert [pf.name for pf in worker5.status.interfaces] == ["ens1f0", "ens1f1"]
    vnr = dyn.resources.get(api_version="core.contrail.juniper.net/v4", kind="VirtualNetworkRouter")
    assert vnr.namespaced and vnr.get(namespace="telco").items == []


def test_dynamic_client_watch(dyn):
    nads = dyn.resources.get(api_version="k8s.cni.cncf.io/v1", kind="NetworkAttachmentDefinition")
    start = nads.get(namespace="telco").metadata.resourceVersion

    def writer():
        time.sleep(0.2)
        for name, labels in (("w1", {"watch": "me"}), ("w2", {})):
            nads.create(
                namespace="telco",
                body={
                    "apiVersion": "k8s.cni.cncf.io/v1",
                    "kind": "NetworkAttachmentDefinition",
                    "metadata": {"name": name, "labels": labels},
                    "spec": {"config": "{}"},
                },
            )
        nads.patch(
            name="w1",
            namespace="telco",
            body={"spec": {"config": '{"vlan":5}'}},
            content_type="application/merge-patch+json",
        )
        nads.delete(name="w1", namespace="telco")

    thread = threading.Thread(target=writer)
    thread.start()
    seen = []
    for event in dyn.watch(
        nads, namespace="telco", label_selector="watch=me", resource_version=start, timeout=5
    ):
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == 3:
            break
    thread.join()
    assert seen == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]
    nodes = dyn.resources.get(api_version="v1", kind="Node")
    started = (
        time.monotonic()
    )  # a hang guard: the watch must end at its timeout, however slow the machine
    initial = [
        e["object"].metadata.name
        for e in dyn.watch(
            nodes, label_selector="!feature.node.kubernetes.io/network-sriov.capable", timeout=1
        )
    ]
    assert initial == ["worker-07", "worker-08"] and time.monotonic() - started < 120
    with pytest.raises(ApiException) as expired:
        list(dyn.watch(nodes, resource_version="1", timeout=1))
    assert expired.value.status == 410
