"""CN2 tenants in the emulator: custom default pod networks and the CN2 objects behind them, seen through the kubernetes
Python client and kubectl (docs/contracts.md "CN2 tenants: custom default pod networks", k8s_sim/cn2.py).

A namespace annotated `net.juniper.contrail.podnetwork: <ns>/<vn>` puts the pods created afterwards on that
VirtualNetwork: their `k8s.v1.cni.cncf.io/network-status` eth0 entry names it and holds an address of its Subnet. Pods
created before keep the network they got. Invalid CN2 objects are refused (Subnet CIDR, VNR type) or flagged in their
status (a VirtualNetwork whose Subnet is missing)."""

import ipaddress
import json

import pytest
from kubernetes import config, dynamic
from kubernetes.client.rest import ApiException
from kubernetes.dynamic.exceptions import UnprocessibleEntityError

from k8s_sim.cn2 import format_network_status
from k8s_sim.server import start_server
from k8s_sim.validation import parse_cidr
from sim_core.testing import DEMO_CLUSTER, KUBECTLS, kubectl_runner

GROUP = "core.contrail.juniper.net"
PODNETWORK = "net.juniper.contrail.podnetwork"
STATUS = "k8s.v1.cni.cncf.io/network-status"
DEFAULT_NETWORK = "v1.multus-cni.io/default-network"
CLUSTER_DEFAULT = "contrail-k8s-kubemanager-k8s-sim-contrail/default-podnetwork"
POD_SUBNET = ipaddress.ip_network("10.244.0.0/16")


def api(client, kind, version="v4"):
    group_version = "v1" if kind in ("Pod", "Namespace") else "%s/%s" % (GROUP, version)
    return client.resources.get(api_version=group_version, kind=kind)


def namespace(client, name, annotations=None, labels=None):
    meta = {"name": name, "annotations": annotations or {}, "labels": labels or {}}
    api(client, "Namespace").create(
        body={"apiVersion": "v1", "kind": "Namespace", "metadata": meta}
    )


def subnet(client, ns, name, cidr, gateway=None, version="v4"):
    spec = {"cidr": cidr}
    if gateway:
        spec["defaultGateway"] = gateway
    return api(client, "Subnet", version).create(
        namespace=ns,
        body={
            "apiVersion": "%s/%s" % (GROUP, version),
            "kind": "Subnet",
            "metadata": {"name": name, "annotations": {"core.juniper.net/display-name": name}},
            "spec": spec,
        },
    )


def virtual_network(client, ns, name, subnet_name, labels=None, version="v4"):
    return api(client, "VirtualNetwork", version).create(
        namespace=ns,
        body={
            "apiVersion": "%s/%s" % (GROUP, version),
            "kind": "VirtualNetwork",
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {
                "podNetwork": True,
                "v4SubnetReference": {
                    "apiVersion": "%s/%s" % (GROUP, version),
                    "kind": "Subnet",
                    "namespace": ns,
                    "name": subnet_name,
                },
            },
        },
    )


def pod(client, ns, name, annotations=None, **spec):
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "annotations": annotations or {}},
        "spec": dict({"containers": [{"name": "app", "image": "registry.example/app:1"}]}, **spec),
    }
    return api(client, "Pod").create(namespace=ns, body=body)


def annotations_of(client, ns, name):
    return (
        api(client, "Pod").get(namespace=ns, name=name).to_dict()["metadata"].get("annotations")
        or {}
    )


def primary(client, ns, name):
    """The eth0 entry of the pod's network-status, as read back through the API (None if not recorded)."""
    text = annotations_of(client, ns, name).get(STATUS)
    if text is None:
        return None
    entries = json.loads(text)
    defaults = [e for e in entries if e.get("default")]
    assert len(defaults) == 1 and defaults[0]["interface"] == "eth0", entries
    return defaults[0]


def state_of(client, kind, ns, name):
    return api(client, kind).get(namespace=ns, name=name).to_dict().get("status") or {}


def test_new_pods_land_in_the_namespace_network_and_earlier_pods_keep_theirs(cluster):
    client, _server = cluster
    namespace(client, "tenant-a")
    pod(client, "tenant-a", "early")
    subnet(client, "tenant-a", "pods-v4", "10.20.0.0/24", gateway="10.20.0.1")
    virtual_network(client, "tenant-a", "pods", "pods-v4")
    assert state_of(client, "Subnet", "tenant-a", "pods-v4") == {
        "state": "Success",
        "observation": "",
    }
    assert state_of(client, "VirtualNetwork", "tenant-a", "pods")["state"] == "Success"
    api(client, "Namespace").patch(
        name="tenant-a",
        body={"metadata": {"annotations": {PODNETWORK: "tenant-a/pods"}}},
        content_type="application/merge-patch+json",
    )
    pod(client, "tenant-a", "late")
    pod(client, "tenant-a", "later")

    late = primary(client, "tenant-a", "late")
    assert late["name"] == "tenant-a/pods" and late["ips"] == ["10.20.0.2"]
    assert set(late) == {"name", "interface", "ips", "mac", "default", "dns"}
    assert primary(client, "tenant-a", "later")["ips"] == ["10.20.0.3"]
    assert annotations_of(client, "tenant-a", "late")[DEFAULT_NETWORK] == "tenant-a/pods"
    early = primary(client, "tenant-a", "early")
    assert early["name"] == CLUSTER_DEFAULT
    assert ipaddress.ip_address(early["ips"][0]) in POD_SUBNET
    assert DEFAULT_NETWORK not in annotations_of(client, "tenant-a", "early")

    # Another tenant network becomes the namespace's default: only pods created afterwards move.
    subnet(client, "tenant-a", "blue-v4", "10.30.0.0/24")
    virtual_network(client, "tenant-a", "blue", "blue-v4")
    api(client, "Namespace").patch(
        name="tenant-a",
        body={"metadata": {"annotations": {PODNETWORK: "blue"}}},
        content_type="application/merge-patch+json",
    )
    pod(client, "tenant-a", "newest")
    assert primary(client, "tenant-a", "newest")["name"] == "tenant-a/blue"
    assert primary(client, "tenant-a", "newest")["ips"] == ["10.30.0.2"]
    assert primary(client, "tenant-a", "late") == late
    assert primary(client, "tenant-a", "early") == early

    # Other namespaces keep the cluster's default pod network; an isolated namespace gets its own.
    pod(client, "telco", "du")
    assert primary(client, "telco", "du")["name"] == CLUSTER_DEFAULT
    namespace(client, "iso", labels={"core.juniper.net/isolated-namespace": "true"})
    pod(client, "iso", "p")
    iso = primary(client, "iso", "p")
    assert iso["name"] == "iso/default-podnetwork" and iso["ips"][0] not in early["ips"]


def test_pod_annotations_choose_a_pod_network_and_addresses_are_reused(cluster):
    client, _server = cluster
    namespace(client, "tenant-b")
    subnet(client, "tenant-b", "sub-v4", "10.40.0.0/24")
    virtual_network(client, "tenant-b", "vn", "sub-v4", version="v2")
    pod(
        client,
        "tenant-b",
        "fixed",
        {PODNETWORK: "tenant-b/vn", PODNETWORK + ".ip": "10.40.0.10"},
    )
    assert primary(client, "tenant-b", "fixed")["ips"] == ["10.40.0.10"]
    # The 22.4 form: a Multus JSON entry whose cni-args make it the pod network; the pod lives in another namespace.
    networks = [{"name": "vn", "namespace": "tenant-b", "cni-args": {PODNETWORK: True}}]
    pod(client, "telco", "cni-args", {"k8s.v1.cni.cncf.io/networks": json.dumps(networks)})
    assert primary(client, "telco", "cni-args") == dict(
        primary(client, "telco", "cni-args"), name="tenant-b/vn", ips=["10.40.0.2"]
    )
    api(client, "Pod").delete(namespace="telco", name="cni-args")
    pod(client, "tenant-b", "again", {PODNETWORK: "vn"})
    assert primary(client, "tenant-b", "again")["ips"] == ["10.40.0.2"], "a freed address is reused"
    pod(client, "tenant-b", "host", hostNetwork=True)
    assert STATUS not in annotations_of(client, "tenant-b", "host")
    # An entry a CNI already wrote stays; the primary one goes first.
    sriov = {"name": "telco/ran", "interface": "net1", "ips": ["10.56.0.5"], "dns": {}}
    pod(client, "tenant-b", "with-vf", {STATUS: format_network_status([sriov])})
    entries = json.loads(annotations_of(client, "tenant-b", "with-vf")[STATUS])
    assert [e["interface"] for e in entries] == ["eth0", "net1"] and entries[1] == sriov


def test_a_pod_waits_for_a_network_that_is_not_ready(cluster):
    client, _server = cluster
    namespace(client, "tenant-c", annotations={PODNETWORK: "tenant-c/vn"})
    pod(client, "tenant-c", "too-early")
    assert annotations_of(client, "tenant-c", "too-early") == {DEFAULT_NETWORK: "tenant-c/vn"}
    virtual_network(client, "tenant-c", "vn", "sub-v4")
    flagged = state_of(client, "VirtualNetwork", "tenant-c", "vn")
    assert flagged == {"state": "Failure", "observation": "Subnet tenant-c/sub-v4 not found"}
    assert primary(client, "tenant-c", "too-early") is None
    subnet(client, "tenant-c", "sub-v4", "10.50.0.0/24")
    assert state_of(client, "VirtualNetwork", "tenant-c", "vn") == {
        "state": "Success",
        "observation": "",
    }
    assert primary(client, "tenant-c", "too-early")["ips"] == ["10.50.0.2"]
    api(client, "Subnet").delete(namespace="tenant-c", name="sub-v4")
    assert state_of(client, "VirtualNetwork", "tenant-c", "vn")["state"] == "Failure"


def test_invalid_cn2_objects_are_refused(cluster):
    client, _server = cluster
    namespace(client, "tenant-d")
    for cidr, gateway, field in (
        ("10.60.0.0/33", None, "spec.cidr"),
        ("10.60.0.0", None, "spec.cidr"),
        ("not-a-cidr/24", None, "spec.cidr"),
        ("10.60.0.0/24", "10.61.0.1", "spec.defaultGateway"),
    ):
        with pytest.raises(UnprocessibleEntityError) as info:
            subnet(client, "tenant-d", "bad", cidr, gateway=gateway)
        status = json.loads(info.value.body)
        assert status["reason"] == "Invalid" and [
            c["field"] for c in status["details"]["causes"]
        ] == [field], status
    with pytest.raises(UnprocessibleEntityError):
        api(client, "Subnet").create(
            namespace="tenant-d",
            body={"apiVersion": GROUP + "/v4", "kind": "Subnet", "metadata": {"name": "x"}},
        )
    created = subnet(client, "tenant-d", "host-bits", "10.60.0.7/24")
    assert created.spec.cidr == "10.60.0.7/24", "Go's net.ParseCIDR allows host bits"
    with pytest.raises(UnprocessibleEntityError):
        api(client, "Subnet").patch(
            namespace="tenant-d",
            name="host-bits",
            body={"spec": {"cidr": "10.60.0.0/99"}},
            content_type="application/merge-patch+json",
        )
    router = {
        "apiVersion": GROUP + "/v1alpha1",
        "kind": "VirtualNetworkRouter",
        "metadata": {"name": "r"},
        "spec": {"type": "star", "virtualNetworkSelector": {"matchLabels": {"vn": "web"}}},
    }
    with pytest.raises(UnprocessibleEntityError) as info:
        api(client, "VirtualNetworkRouter", "v1alpha1").create(namespace="tenant-d", body=router)
    assert 'Unsupported value: "star"' in json.loads(info.value.body)["message"]
    router["spec"] = {"type": "mesh"}
    with pytest.raises(UnprocessibleEntityError) as info:
        api(client, "VirtualNetworkRouter", "v1alpha1").create(namespace="tenant-d", body=router)
    assert json.loads(info.value.body)["details"]["causes"][0]["field"] == (
        "spec.virtualNetworkSelector"
    )
    router["spec"]["virtualNetworkSelector"] = {"matchLabels": {"vn": "web"}}
    api(client, "VirtualNetworkRouter", "v1alpha1").create(namespace="tenant-d", body=router)
    assert state_of(client, "VirtualNetworkRouter", "tenant-d", "r")["state"] == "Success"
    vn = {
        "apiVersion": GROUP + "/v3",
        "kind": "VirtualNetwork",
        "metadata": {"name": "v"},
        "spec": {"routeTargetList": {"routeTarget": ["target:64512:1"]}},
    }
    with pytest.raises(ApiException) as info:
        api(client, "VirtualNetwork", "v3").create(namespace="tenant-d", body=vn)
    assert info.value.status == 422, "route target lists are lists of strings"
    vn["spec"] = {"routeTargetList": ["target:64512:1"], "vlanID": 4095}
    with pytest.raises(UnprocessibleEntityError):
        api(client, "VirtualNetwork", "v3").create(namespace="tenant-d", body=vn)


TENANT = """
apiVersion: v1
kind: Namespace
metadata:
  name: tenant-k
  labels:
    tenant: k
  annotations:
    net.juniper.contrail.podnetwork: tenant-k/k-pods
---
apiVersion: core.contrail.juniper.net/v1alpha1
kind: Subnet
metadata:
  namespace: tenant-k
  name: k-pods-v4
spec:
  cidr: "10.70.0.0/24"
  defaultGateway: 10.70.0.254
---
apiVersion: core.contrail.juniper.net/v2
kind: VirtualNetwork
metadata:
  namespace: tenant-k
  name: k-pods
  labels:
    tenant: k
spec:
  podNetwork: true
  v4SubnetReference:
    apiVersion: core.contrail.juniper.net/v2
    kind: Subnet
    namespace: tenant-k
    name: k-pods-v4
---
apiVersion: core.contrail.juniper.net/v4
kind: VirtualNetworkRouter
metadata:
  namespace: tenant-k
  name: k-mesh
  labels:
    vnr: k-mesh
spec:
  type: mesh
  virtualNetworkSelector:
    matchLabels:
      tenant: k
  import:
    virtualNetworkRouters:
    - virtualNetworkRouterSelector:
        matchLabels:
          vnr: hub
      namespaceSelector:
        matchLabels:
          tenant: hub
"""


@pytest.mark.parametrize("kubectl", sorted(KUBECTLS))
def test_kubectl_applies_a_tenant_and_reads_where_its_pods_land(kubectl, cluster, tmp_path):
    run = kubectl_runner(kubectl, cluster[1], tmp_path)
    assert run("apply", "-f", "-", stdin=TENANT).stdout.count("created") == 4
    run("-n", "tenant-k", "run", "web", "--image=registry.example/web:1", "--restart=Never")
    text = run(
        "-n", "tenant-k", "get", "pod", "web", "-o", "jsonpath={.metadata.annotations}"
    ).stdout
    status = json.loads(json.loads(text)[STATUS])
    assert [(e["name"], e["interface"], e["ips"]) for e in status] == [
        ("tenant-k/k-pods", "eth0", ["10.70.0.1"])
    ], "the gateway is .254, so .1 is free"
    assert (
        run("-n", "tenant-k", "get", "vn", "k-pods", "-o", "jsonpath={.status.state}").stdout
        == "Success"
    )
    assert (
        run("-n", "tenant-k", "get", "vnr", "k-mesh", "-o", "jsonpath={.status.state}").stdout
        == "Success"
    )
    bad = TENANT.split("---")[3].replace("type: mesh", "type: full-mesh")
    assert 'Unsupported value: "full-mesh"' in run("apply", "-f", "-", stdin=bad, ok=False).stderr
    bad = TENANT.split("---")[1].replace('"10.70.0.0/24"', '"10.70.0.0/40"')
    assert "must be a valid CIDR value" in run("apply", "-f", "-", stdin=bad, ok=False).stderr


def test_the_cn2_controller_can_be_switched_off(tmp_path):
    srv = start_server(str(DEMO_CLUSTER), port=0, cn2_controller=False)
    try:
        client = dynamic.DynamicClient(
            config.new_client_from_config(srv.write_kubeconfig(str(tmp_path / "kubeconfig")))
        )
        namespace(client, "tenant-e", annotations={PODNETWORK: "tenant-e/vn"})
        subnet(client, "tenant-e", "sub", "10.80.0.0/24")
        virtual_network(client, "tenant-e", "vn", "missing")
        pod(client, "tenant-e", "p")
        assert annotations_of(client, "tenant-e", "p") == {}
        assert state_of(client, "VirtualNetwork", "tenant-e", "vn") == {}
        with pytest.raises(UnprocessibleEntityError):
            subnet(client, "tenant-e", "bad", "10.80.0.0/33")  # the API server's check stays
    finally:
        srv.stop()


def test_cidrs_parse_as_go_parses_them_and_network_status_as_multus_writes_it():
    assert str(parse_cidr("10.1.2.3/24")) == "10.1.2.0/24"
    assert str(parse_cidr("2001:db8::1/64")) == "2001:db8::/64"
    for text in ("10.1.2.0", "10.1.2.0/", "10.1.2.0/024", "010.1.2.0/24", "fe80::1%eth0/64", None):
        assert parse_cidr(text) is None, text
    assert format_network_status([{"name": "a", "ips": ["10.0.0.2"]}, {"name": "b"}]) == (
        '[{\n    "name": "a",\n    "ips": [\n        "10.0.0.2"\n    ]\n},{\n    "name": "b"\n}]'
    )
