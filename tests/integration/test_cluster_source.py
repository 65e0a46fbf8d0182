"""The fabric follows the cluster: networks from opted-in NADs (and CN2-annotated NADs), port bindings from pods.

Each test creates cluster objects through the Kubernetes API of the emulator, runs playbooks/reconcile.yml with
`-e source=cluster` (and `-e binding=pods`), and reads back what Apstra has deployed."""

import json

import pytest
import requests
from sim_core.testing import DEMO_CLUSTER, ApstraSession, generate_lab, lab_emulators

NADS = "/apis/k8s.cni.cncf.io/v1/namespaces/%s/network-attachment-definitions"
PODS = "/api/v1/namespaces/%s/pods"
DEPLOYED = (
    "match(node('virtual_network', name='vn'), optional(node(name='vn').out('instantiated_by').node('vn_instance', name='inst')"
    ".in_('hosted_vn_instances').node(name='switch')))"
)
PORT_OF = {
    "worker-01": "leaf1:xe-0/0/1",
    "worker-02": "leaf1:xe-0/0/2",
    "worker-04": "leaf2:xe-0/0/4",
    "worker-05": "leaf3-leaf4:ae5",
}
CLUSTER = {"source": "cluster", "sriov_networks": []}


def nad(
    name,
    vlan=None,
    namespace="telco",
    annotations=None,
    ipam=None,
    labels=None,
    resource="intel.com/sriov_netdevice",
):
    config = {"cniVersion": "1.0.0", "name": name, "type": "sriov"}
    if vlan is not None:
        config["vlan"] = vlan
    if ipam is not False:
        config["ipam"] = ipam or {
            "type": "whereabouts",
            "range": "10.50.0.0/24",
            "gateway": "10.50.0.1",
        }
    meta = {
        "name": name,
        "namespace": namespace,
        "labels": labels or {},
        "annotations": dict(
            {
                "k8s.v1.cni.cncf.io/resourceName": resource,
                "cn2-apstra.netops.io/fabric": "true",
                "cn2-apstra.netops.io/routing-zone": "telco",
            },
            **(annotations or {}),
        ),
    }
    return {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": meta,
        "spec": {"config": json.dumps(config)},
    }


def pod(name, node, network, namespace="telco", form="string"):
    value = (
        network
        if form == "string"
        else json.dumps([{"name": network.split("/")[-1], "namespace": network.split("/")[0]}])
    )
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {"k8s.v1.cni.cncf.io/networks": value},
        },
        "spec": {
            "nodeName": node,
            "containers": [{"name": "app", "image": "registry.example/app:1"}],
        },
    }


class Cluster:
    def __init__(self, k8s):
        self.url = k8s.url

    def create(self, obj):
        kind_path = NADS if obj["kind"] == "NetworkAttachmentDefinition" else PODS
        resp = requests.post(
            self.url + kind_path % obj["metadata"]["namespace"], json=obj, timeout=10
        )
        assert resp.status_code == 201, resp.text

    def delete(self, kind_path, namespace, name):
        assert (
            requests.delete(self.url + kind_path % namespace + "/" + name, timeout=10).status_code
            == 200
        )

    def nad(self, namespace, name):
        resp = requests.get(self.url + NADS % namespace + "/" + name, timeout=10)
        return resp.json() if resp.status_code == 200 else None


def deployed(apstra):
    """label -> set of switches the VN is deployed on."""
    session = ApstraSession(apstra.url)
    out = {}
    for row in session.qe(DEPLOYED, "deployed"):
        out.setdefault(row["vn"]["label"], set())
        if row.get("switch"):
            out[row["vn"]["label"]].add(row["switch"]["label"])
    return out


def deployed_ports(apstra, vn_label):
    session = ApstraSession(apstra.url)
    query = (
        "match(node('ep_endpoint_policy', policy_type_name='batch', name='ct').in_('ep_top_level').node('ep_application_instance')"
        ".out('ep_affected_by').node('ep_group').in_('ep_member_of').node('interface', name='intf').in_('hosted_interfaces')"
        ".node(name='owner'), node(name='ct').out('ep_subpolicy').node().out('ep_first_subpolicy').node(name='prim')"
        ".out('vn_to_attach').node('virtual_network', label='%s'))" % vn_label
    )
    return sorted(
        "%s:%s" % (row["owner"]["label"], row["intf"]["if_name"])
        for row in session.qe(query, "deployed")
    )


def commits(apstra):
    return [r for r in apstra.writes() if r["path"].endswith("/deploy")]


@pytest.fixture
def cluster(k8s):
    return Cluster(k8s)


def test_an_opted_in_nad_gets_its_vn_ports_and_one_commit_then_nothing(job, apstra, cluster):
    cluster.create(nad("ran-fh", vlan=500))
    cluster.create(
        nad(
            "no-vlan", ipam={"type": "whereabouts", "range": "10.51.0.0/24", "gateway": "10.51.0.1"}
        )
    )
    other = nad("not-opted-in", vlan=600, ipam={"type": "whereabouts", "range": "10.60.0.0/24"})
    cluster.create(dict(other, metadata=dict(other["metadata"], annotations={})))
    run = job("reconcile", extra=dict(CLUSTER, sriov_allocation={"vlan_range": [2000, 2099]}))
    assert run.rc == 0, run
    vns = deployed(apstra)
    assert vns["ran-fh"] == {"leaf1", "leaf2", "leaf3", "leaf4"} and "not-opted-in" not in vns
    assert len(commits(apstra)) == 1
    assert deployed_ports(apstra, "ran-fh") == [
        "leaf1:xe-0/0/1",
        "leaf1:xe-0/0/2",
        "leaf2:xe-0/0/4",
        "leaf3-leaf4:ae5",
    ]
    written = json.loads(cluster.nad("telco", "no-vlan")["spec"]["config"])
    assert written["vlan"] == 2000, "a NAD without a VLAN gets one allocated and written back"
    assert "| NetworkAttachmentDefinition telco/ran-fh |" in job.report("reconcile")
    apstra.clear_log()
    again = job("reconcile", extra=CLUSTER)
    assert again.rc == 0, again
    assert [r for r in apstra.writes() if r["path"].startswith("/api/blueprints/")] == []


def test_a_cn2_annotated_nad(job, apstra, cluster):
    cn2 = nad(
        "cn2-net",
        vlan=510,
        ipam=False,
        annotations={
            "juniper.net/networks": json.dumps(
                {"ipamV4Subnet": "10.52.0.0/24", "fabricSNAT": False}
            )
        },
    )
    cluster.create(cn2)
    assert job("reconcile", extra=CLUSTER).rc == 0
    session = ApstraSession(apstra.url)
    vn = next(
        v
        for v in session.get("/virtual-networks").json()["virtual_networks"].values()
        if v["label"] == "cn2-net"
    )
    assert vn["ipv4_subnet"] == "10.52.0.0/24" and vn["virtual_gateway_ipv4"] == "10.52.0.1"


def test_a_bad_object_is_skipped_by_name_and_field_and_never_blocks_the_others(
    job, apstra, cluster
):
    cluster.create(
        nad("bad-vlan", vlan=4095, ipam={"type": "whereabouts", "range": "10.59.0.0/24"})
    )
    cluster.create(nad("good", vlan=520))
    run = job("reconcile", extra=CLUSTER)
    assert run.rc == 0, run
    assert (
        "NetworkAttachmentDefinition telco/bad-vlan.vlan: 4095 is out of range; allowed 2-4094"
        in run.stdout
    )
    assert "good" in deployed(apstra) and "bad-vlan" not in deployed(apstra)


def test_a_network_in_the_file_and_the_cluster_that_disagree_is_a_conflict(job, apstra, cluster):
    cluster.create(nad("sriov-data", vlan=999))
    run = job("reconcile", extra={"source": "both"})
    assert (
        run.rc != 0
        and "sriov-data: the intent file and NetworkAttachmentDefinition telco/sriov-data disagree (vlan: file 110, cluster 999;"
        in run.stdout
    )
    assert apstra.writes() == []


def test_a_network_follows_its_nad_away_unless_pods_use_it_and_never_an_intent_network(
    job, apstra, cluster
):
    assert job("provision").rc == 0  # the example intent: sriov-data, sriov-signal, sriov-dpdk
    cluster.create(nad("ephemeral", vlan=530))
    assert job("reconcile", extra=CLUSTER).rc == 0
    assert "ephemeral" in deployed(apstra)
    cluster.create(pod("cu-0", "worker-01", "telco/ephemeral"))
    cluster.delete(NADS, "telco", "ephemeral")
    kept = job("reconcile", extra=CLUSTER)
    assert (
        kept.rc == 0 and "pods still attach to telco/ephemeral; nothing is removed" in kept.stdout
    )
    assert "ephemeral" in deployed(apstra)
    cluster.delete(PODS, "telco", "cu-0")
    assert job("reconcile", extra=CLUSTER).rc == 0
    vns = deployed(apstra)
    assert "ephemeral" not in vns and {"sriov-data", "sriov-signal", "sriov-dpdk"} <= set(
        vns
    ), "intent networks stay"


def test_pods_binding_follows_the_pods(job, apstra, cluster):
    cluster.create(nad("upf", vlan=540))
    pods = {"upf-0": "worker-01", "upf-1": "worker-05"}
    for name, node in pods.items():
        cluster.create(
            pod(name, node, "telco/upf", form="json" if name.endswith("1") else "string")
        )
    pods_run = dict(CLUSTER, binding="pods", unbind_grace=0)
    assert job("reconcile", extra=pods_run).rc == 0
    assert deployed_ports(apstra, "upf") == sorted(PORT_OF[node] for node in pods.values())
    assert deployed(apstra)["upf"] == {
        "leaf1",
        "leaf3",
        "leaf4",
    }, "bound only to the leafs the ports need"
    # the pods move: worker-01 -> worker-04
    cluster.delete(PODS, "telco", "upf-0")
    cluster.create(pod("upf-2", "worker-04", "telco/upf"))
    apstra.clear_log()
    assert job("reconcile", extra=pods_run).rc == 0
    assert deployed_ports(apstra, "upf") == sorted([PORT_OF["worker-04"], PORT_OF["worker-05"]])
    assert deployed(apstra)["upf"] == {"leaf2", "leaf3", "leaf4"} and len(commits(apstra)) == 1

    # a grace period keeps the port of a node whose last pod left, and records when it left
    cluster.delete(PODS, "telco", "upf-2")
    graced = dict(pods_run, unbind_grace=3600)
    assert job("reconcile", extra=graced).rc == 0
    assert PORT_OF["worker-04"] in deployed_ports(apstra, "upf")
    released = json.loads(
        cluster.nad("telco", "upf")["metadata"]["annotations"]["cn2-apstra.netops.io/released"]
    )
    assert list(released) == ["worker-04"]
    # once the grace has passed (0 here), the port is untagged and the mark removed
    assert job("reconcile", extra=pods_run).rc == 0
    assert deployed_ports(apstra, "upf") == [PORT_OF["worker-05"]]
    assert "| fabric changed | yes |" in job.report(
        "reconcile"
    ), "an unbind-only reconcile says it committed"
    assert "cn2-apstra.netops.io/released" not in cluster.nad("telco", "upf")["metadata"].get(
        "annotations", {}
    )


def test_200_pods_on_50_nodes_cost_the_same_apstra_calls_as_2_pods(job, tmp_path):
    lab = generate_lab(tmp_path, leafs=8, servers=72, dual_homed=0.5, sriov_fraction=1)
    with lab_emulators(*lab, tmp_path) as (job.apstra, job.k8s):
        nodes = [
            n["metadata"]["name"]
            for n in requests.get(job.k8s.url + "/api/v1/nodes", timeout=30).json()["items"]
            if "intel.com/sriov_netdevice" in n["status"].get("allocatable", {})
        ]
        assert len(nodes) >= 50
        calls = []
        for pods, spread in ((2, nodes[:2]), (200, nodes[:50])):
            job.apstra.reset()
            job.k8s.reset()
            cluster = Cluster(job.k8s)
            cluster.create(nad("scale", vlan=550))
            for index in range(pods):
                cluster.create(pod("p-%d" % index, spread[index % len(spread)], "telco/scale"))
            run = job("reconcile", extra=dict(CLUSTER, binding="pods", unbind_grace=0))
            assert run.rc == 0, run
            log = [
                r
                for r in job.apstra.requests_log()
                if r["path"].startswith("/api/") and not r["path"].endswith("/aaa/login")
            ]
            # the device diffs cost one read per leaf the run touches (more nodes, more leafs; never more than the lab's
            # 8), whatever the pods: counted apart
            device_reads = [r for r in log if r["path"].endswith("/config-incremental")]
            assert 0 < len(device_reads) <= 8
            # sorted: reads sent together (the blueprint read's four) arrive in any order
            calls.append(
                (
                    sorted(
                        (r["method"], r["path"].split("/")[-1])
                        for r in log
                        if r not in device_reads
                    ),
                    len(commits(job.apstra)),
                )
            )
            assert len(set(deployed_ports(job.apstra, "scale"))) >= min(len(spread), 40)
        (few, few_commits), (many, many_commits) = calls
        assert few == many, "the same Apstra calls for 2 pods on 2 nodes and 200 pods on 50 nodes"
        assert few_commits == many_commits == 1


def test_a_sriov_network_through_the_nad_the_operator_renders(job, apstra, tmp_path):
    """The emulated SR-IOV network operator (resource prefix intel.com, as the demo nodes advertise) renders the NAD in
    spec.networkNamespace; the network comes from the SriovNetwork, with the resource name the operator gave the NAD.
    """
    from k8s_sim.server import start_server as start_k8s  # pylint: disable=import-outside-toplevel

    server = start_k8s(str(DEMO_CLUSTER), port=0, sriov_resource_prefix="intel.com")
    try:
        emulator = type(job.k8s)
        job.k8s = emulator(server)
        job.k8s.kubeconfig = server.write_kubeconfig(str(tmp_path / "kubeconfig"))
        network = {
            "apiVersion": "sriovnetwork.openshift.io/v1",
            "kind": "SriovNetwork",
            "metadata": {
                "name": "ran-mh",
                "namespace": "sriov-network-operator",
                "annotations": {
                    "cn2-apstra.netops.io/fabric": "true",
                    "cn2-apstra.netops.io/routing-zone": "telco",
                },
            },
            "spec": {
                "resourceName": "sriov_netdevice",
                "networkNamespace": "telco",
                "vlan": 570,
                "ipam": json.dumps(
                    {"type": "whereabouts", "range": "10.57.0.0/24", "gateway": "10.57.0.1"}
                ),
            },
        }
        resp = requests.post(
            server.url
            + "/apis/sriovnetwork.openshift.io/v1/namespaces/sriov-network-operator/sriovnetworks",
            json=network,
            timeout=10,
        )
        assert resp.status_code == 201, resp.text
        rendered = Cluster(job.k8s).nad("telco", "ran-mh")
        assert (
            rendered["metadata"]["annotations"]["k8s.v1.cni.cncf.io/resourceName"]
            == "intel.com/sriov_netdevice"
        )
        run = job("reconcile", extra=CLUSTER)
        assert run.rc == 0, run
        assert deployed(apstra)["ran-mh"] == {"leaf1", "leaf2", "leaf3", "leaf4"}
        assert "| SriovNetwork sriov-network-operator/ran-mh |" in job.report("reconcile")
        # deleting the SriovNetwork deletes its NAD (the operator) and, at the next reconcile, its VN
        assert (
            requests.delete(
                server.url
                + "/apis/sriovnetwork.openshift.io/v1/namespaces/sriov-network-operator/sriovnetworks/ran-mh",
                timeout=10,
            ).status_code
            == 200
        )
        assert job("reconcile", extra=CLUSTER).rc == 0
        assert "ran-mh" not in deployed(apstra)
    finally:
        server.stop()


SOURCE_KINDS = {
    "NetworkAttachmentDefinition": lambda url: requests.post(
        url + NADS % "telco",
        json=nad(
            "kind-net",
            vlan=600,
            ipam={"type": "whereabouts", "range": "10.61.0.0/24", "gateway": "10.61.0.1"},
        ),
        timeout=10,
    ),
    "SriovNetwork": lambda url: requests.post(
        url + "/apis/sriovnetwork.openshift.io/v1/namespaces/sriov-network-operator/sriovnetworks",
        json={
            "apiVersion": "sriovnetwork.openshift.io/v1",
            "kind": "SriovNetwork",
            "metadata": {
                "name": "kind-net",
                "namespace": "sriov-network-operator",
                "annotations": {
                    "cn2-apstra.netops.io/fabric": "true",
                    "cn2-apstra.netops.io/routing-zone": "telco",
                },
            },
            "spec": {
                "resourceName": "sriov_netdevice",
                "networkNamespace": "telco",
                "vlan": 600,
                "ipam": json.dumps(
                    {"type": "whereabouts", "range": "10.61.0.0/24", "gateway": "10.61.0.1"}
                ),
            },
        },
        timeout=10,
    ),
    "CN2": lambda url: requests.post(
        url + NADS % "telco",
        json=nad(
            "kind-net",
            vlan=600,
            ipam=False,
            annotations={"juniper.net/networks": json.dumps({"ipamV4Subnet": "10.61.0.0/24"})},
        ),
        timeout=10,
    ),
}


@pytest.mark.parametrize("kind", sorted(SOURCE_KINDS))
def test_each_source_kind_creates_the_vn_binds_the_ports_commits_once_then_writes_nothing(
    job, tmp_path, kind
):
    from k8s_sim.server import start_server as start_k8s  # pylint: disable=import-outside-toplevel

    server = start_k8s(str(DEMO_CLUSTER), port=0, sriov_resource_prefix="intel.com")
    try:
        job.k8s = type(job.k8s)(server)
        job.k8s.kubeconfig = server.write_kubeconfig(str(tmp_path / "kubeconfig"))
        assert SOURCE_KINDS[kind](server.url).status_code == 201
        job.apstra.clear_log()
        run = job("reconcile", extra=CLUSTER)
        assert run.rc == 0, run
        assert deployed(job.apstra)["kind-net"] == {"leaf1", "leaf2", "leaf3", "leaf4"}
        assert deployed_ports(job.apstra, "kind-net") == [
            "leaf1:xe-0/0/1",
            "leaf1:xe-0/0/2",
            "leaf2:xe-0/0/4",
            "leaf3-leaf4:ae5",
        ]
        assert len(commits(job.apstra)) == 1
        job.apstra.clear_log()
        job.k8s.clear_log()
        again = job("reconcile", extra=CLUSTER)
        assert again.rc == 0, again
        assert [
            r for r in job.apstra.writes() if r["path"].startswith("/api/")
        ] == [] and job.k8s.writes() == []
    finally:
        server.stop()
