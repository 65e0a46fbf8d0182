"""Tenants end to end: CN2 custom default pod networks per namespace, routed with the tenant's SR-IOV networks, which
sit in the tenant's routing zone on the fabric (docs/usage.md "Tenants").

Two tenants with two namespaces each, provisioned by the shipped playbooks against both emulators. The Kubernetes
emulator records each pod's primary network when the pod is created, as CN2 does (network-status eth0,
v1.multus-cni.io/default-network), so the tests read which network a pod landed in.
"""

import ipaddress
import json

import requests
import yaml
from sim_core.testing import ApstraSession

GROUP = "/apis/core.contrail.juniper.net/v4"
PODNETWORK = "net.juniper.contrail.podnetwork"
NETWORK_STATUS = "k8s.v1.cni.cncf.io/network-status"
DEFAULT_NETWORK = "v1.multus-cni.io/default-network"
CLUSTER_DEFAULT = "contrail-k8s-kubemanager-k8s-sim-contrail/default-podnetwork"
OWNER_LABEL = "app.kubernetes.io/managed-by"
NAMESPACES = {"red": ["red-a", "red-b"], "blue": ["blue-a", "blue-b"]}
RED = {
    "name": "red",
    "namespaces": NAMESPACES["red"],
    "pod_network": {"subnet": "10.30.0.0/24"},
    "reach": ["blue"],
}
BLUE = {"name": "blue", "namespaces": NAMESPACES["blue"], "pod_network": {"subnet": "allocate"}}


def network(name, namespace, vlan, subnet):
    return {
        "name": name,
        "namespace": namespace,
        "vlan": vlan,
        "subnet": subnet,
        "resource_name": "intel.com/sriov_netdevice",
    }


NETWORKS = [
    network("red-data", "red-a", 301, "10.31.0.0/24"),
    network("blue-data", "blue-a", 302, "10.32.0.0/24"),
]


class Cluster:
    """The Kubernetes emulator through its API: namespaces, pods and the CN2 objects."""

    def __init__(self, k8s):
        self.url = k8s.url

    def get(self, path):
        resp = requests.get(self.url + path, timeout=10)
        return resp.json() if resp.status_code == 200 else None

    def items(self, path):
        return dict(
            ("%s/%s" % (o["metadata"].get("namespace"), o["metadata"]["name"]), o)
            for o in self.get(path)["items"]
        )

    def send(self, method, path, body):
        headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else {}
        resp = requests.request(method, self.url + path, json=body, headers=headers, timeout=10)
        assert resp.status_code in (200, 201), resp.text
        return resp.json()

    def namespace(self, name, tenant):
        """A namespace made by hand, consenting to join ``tenant`` (the collection's tenant annotation)."""
        meta = {"name": name, "annotations": {"cn2-apstra.netops.io/tenant": tenant}}
        self.send(
            "POST",
            "/api/v1/namespaces",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": meta},
        )

    def pod(self, namespace, name):
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]},
        }
        self.send("POST", "/api/v1/namespaces/%s/pods" % namespace, body)

    def delete_pod(self, namespace, name):
        requests.delete(self.url + "/api/v1/namespaces/%s/pods/%s" % (namespace, name), timeout=10)

    def primary(self, namespace, name):
        """The pod's eth0 entry of network-status as the emulator recorded it at the pod's creation."""
        annotations = self.get("/api/v1/namespaces/%s/pods/%s" % (namespace, name))["metadata"][
            "annotations"
        ]
        entries = json.loads(annotations[NETWORK_STATUS])
        return next(entry for entry in entries if entry["interface"] == "eth0"), annotations

    def annotation(self, namespace):
        return (
            self.get("/api/v1/namespaces/%s" % namespace)["metadata"].get("annotations") or {}
        ).get(PODNETWORK)

    def cn2(self):
        """Subnets, VirtualNetworks and VirtualNetworkRouters by namespace/name."""
        return dict(
            (kind, self.items("%s/%s" % (GROUP, kind)))
            for kind in ("subnets", "virtualnetworks", "virtualnetworkrouters")
        )

    def snapshot(self, tenant):
        """A tenant's CN2 objects and namespaces as the API answers them (resourceVersions aside)."""

        def plain(obj):
            meta = dict(
                (k, v)
                for k, v in obj["metadata"].items()
                if k not in ("resourceVersion", "managedFields")
            )
            return dict(obj, metadata=meta)

        out = dict(
            (
                kind,
                dict(
                    (key, plain(o))
                    for key, o in objects.items()
                    if key.split("/")[0] in NAMESPACES[tenant]
                ),
            )
            for kind, objects in self.cn2().items()
        )
        out["namespaces"] = [
            plain(self.get("/api/v1/namespaces/%s" % ns)) for ns in NAMESPACES[tenant]
        ]
        return out


def fabric_zones(apstra):
    """{VN label: its routing zone's label} and the zone labels, as Apstra holds them."""
    session = ApstraSession(apstra.url)
    zones = dict(
        (zone_id, zone["label"])
        for zone_id, zone in session.get("/security-zones").json()["items"].items()
    )
    vns = session.get("/virtual-networks").json()["virtual_networks"].values()
    return dict((vn["label"], zones.get(vn["security_zone_id"])) for vn in vns), set(zones.values())


def write_intent(job, tenants, networks):
    job.intent_file = job.workdir / "tenants.yml"
    job.intent_file.write_text(
        yaml.safe_dump(
            {
                "sriov_tenants": tenants,
                "sriov_networks": networks,
                "sriov_allocation": {"supernet": "10.200.0.0/16", "prefix_length": 24},
            }
        )
    )


def setup_tenants(job, k8s):
    cluster = Cluster(k8s)
    for tenant, namespaces in NAMESPACES.items():
        for namespace in namespaces:
            cluster.namespace(namespace, tenant)
    write_intent(job, [RED, BLUE], NETWORKS)
    k8s.clear_log()
    return cluster


def provisioned(job, apstra, k8s):
    cluster = setup_tenants(job, k8s)
    run = job("provision")
    assert run.rc == 0, run
    apstra.clear_log()
    k8s.clear_log()
    return cluster


def test_two_tenants_are_provisioned_on_both_sides_and_a_second_run_writes_nothing(
    job, apstra, k8s
):
    cluster = setup_tenants(job, k8s)
    check = job("provision", "--check", "--diff")
    assert check.rc == 0, check
    assert k8s.writes() == [] and apstra.writes() == []
    assert "tenant red: pod network red-a/red-pods 10.30.0.0/24" in check.stdout

    run = job("provision")
    assert run.rc == 0, run
    cn2 = cluster.cn2()
    assert cn2["subnets"]["red-a/red-pods"]["spec"]["cidr"] == "10.30.0.0/24"
    blue_cidr = cn2["subnets"]["blue-a/blue-pods"]["spec"]["cidr"]
    assert ipaddress.ip_network(blue_cidr).subnet_of(ipaddress.ip_network("10.200.0.0/16"))
    for key in ("red-a/red-pods", "blue-a/blue-pods"):
        vn = cn2["virtualnetworks"][key]
        assert vn["spec"]["podNetwork"] is True and vn["status"]["state"] == "Success"
        assert vn["spec"]["v4SubnetReference"]["name"] == key.split("/")[1]
        for kind in ("subnets", "virtualnetworks"):
            assert cn2[kind][key]["metadata"]["labels"][OWNER_LABEL] == "netops.cn2_apstra"
    for tenant, namespaces in NAMESPACES.items():
        for namespace in namespaces:
            assert cluster.annotation(namespace) == "%s/%s-pods" % (namespaces[0], tenant)
    routers = cn2["virtualnetworkrouters"]
    assert sorted(routers) == ["blue-a/blue--red", "blue-a/blue-mesh", "red-a/red-mesh"]
    assert routers["red-a/red-mesh"]["spec"]["virtualNetworkSelector"] == {
        "matchLabels": {"netops.io/tenant": "red"}
    }
    assert all(
        r["metadata"]["labels"][OWNER_LABEL] == "netops.cn2_apstra" for r in routers.values()
    )
    nad = cluster.get(
        "/apis/k8s.cni.cncf.io/v1/namespaces/red-a/network-attachment-definitions/red-data"
    )
    assert nad["metadata"]["labels"]["netops.io/tenant"] == "red"

    zone_of, zones = fabric_zones(apstra)
    assert zone_of["red-data"] == "red" and zone_of["blue-data"] == "blue"
    assert {"red", "blue"} <= zones
    report = job.report()
    assert "## Tenants" in report and "blue--red" in report
    assert "tenant red" in (job.reports / "provision-latest.svg").read_text()

    apstra.clear_log()
    k8s.clear_log()
    again = job("provision")
    assert again.rc == 0, again
    assert apstra.writes() == [] and k8s.writes() == []

    # a teardown of the whole intent removes every object of both tenants on both sides
    run = job("teardown")
    assert run.rc == 0, run
    assert all(not objects for objects in cluster.cn2().values())
    assert all(
        cluster.annotation(ns) is None for namespaces in NAMESPACES.values() for ns in namespaces
    )
    zone_of, zones = fabric_zones(apstra)
    assert zone_of == {} and not {"red", "blue"} & zones


def test_a_pod_created_afterwards_lands_in_the_pod_network_one_created_before_keeps_its_own(
    job, apstra, k8s
):
    cluster = setup_tenants(job, k8s)
    cluster.pod("red-b", "old-0")
    run = job("provision")
    assert run.rc == 0, run
    # the plan said it: the namespace's default changes for new pods, the pod that runs keeps its network
    assert (
        "namespace red-b: pods created from now on use red-a/red-pods (until now: the cluster's default pod network); "
        "pods created before keep their network: red-b/old-0 (%s)" % CLUSTER_DEFAULT
    ) in run.stdout
    assert "red-b/old-0" in job.report()

    cluster.pod("red-b", "new-0")
    new, annotations = cluster.primary("red-b", "new-0")
    assert new["name"] == "red-a/red-pods" and annotations[DEFAULT_NETWORK] == "red-a/red-pods"
    assert ipaddress.ip_address(new["ips"][0]) in ipaddress.ip_network("10.30.0.0/24")
    old, _annotations = cluster.primary("red-b", "old-0")
    assert old["name"] == CLUSTER_DEFAULT


def test_removing_a_tenant_is_refused_while_its_pods_run_then_removes_exactly_its_objects(
    job, apstra, k8s
):
    cluster = provisioned(job, apstra, k8s)
    cluster.pod("red-b", "web-0")
    assert cluster.primary("red-b", "web-0")[0]["name"] == "red-a/red-pods"
    blue_before = cluster.snapshot("blue")
    blue_vn = ApstraSession(apstra.url).get("/virtual-networks").json()["virtual_networks"]
    blue_vn = [vn for vn in blue_vn.values() if vn["label"] == "blue-data"]
    # the tenant's own intent, without the other tenant: what its team tears down
    write_intent(job, [dict(RED, reach=[])], NETWORKS[:1])
    k8s.clear_log()

    refused = job("teardown")
    assert refused.rc != 0
    assert (
        "refusing to remove the pod network red-a/red-pods while pods use it: red-b/web-0"
        in refused.stdout
    )
    assert apstra.writes() == [] and k8s.writes() == []

    cluster.delete_pod("red-b", "web-0")
    run = job("teardown")
    assert run.rc == 0, run
    cn2 = cluster.cn2()
    assert "red-a/red-pods" not in cn2["subnets"] and "red-a/red-pods" not in cn2["virtualnetworks"]
    assert sorted(cn2["virtualnetworkrouters"]) == ["blue-a/blue-mesh"]
    for namespace in NAMESPACES["red"]:
        found = cluster.get("/api/v1/namespaces/%s" % namespace)["metadata"]
        assert PODNETWORK not in (found.get("annotations") or {})
        assert OWNER_LABEL not in (found.get("labels") or {}) and "netops.io/tenant" not in (
            found.get("labels") or {}
        )
        # the namespace's consent stays: the collection removed only what it had put there
        assert found["annotations"]["cn2-apstra.netops.io/tenant"] == "red"
    assert (
        cluster.get(
            "/apis/k8s.cni.cncf.io/v1/namespaces/red-a/network-attachment-definitions/red-data"
        )
        is None
    )
    zone_of, zones = fabric_zones(apstra)
    assert "red-data" not in zone_of and "red" not in zones
    # the other tenant's objects on both sides are as they were, but for the router joining the two
    blue_after = cluster.snapshot("blue")
    assert blue_before["virtualnetworkrouters"].pop("blue-a/blue--red")
    assert blue_after == blue_before
    vns = ApstraSession(apstra.url).get("/virtual-networks").json()["virtual_networks"].values()
    assert [vn for vn in vns if vn["label"] == "blue-data"] == blue_vn


def test_a_drifted_namespace_annotation_or_router_selector_is_reported_and_repaired(
    job, apstra, k8s
):
    cluster = provisioned(job, apstra, k8s)
    cluster.send(
        "PATCH",
        "/api/v1/namespaces/red-b",
        {"metadata": {"annotations": {PODNETWORK: "red-b/other"}}},
    )
    cluster.send(
        "PATCH",
        "%s/namespaces/red-a/virtualnetworkrouters/red-mesh" % GROUP,
        {"spec": {"virtualNetworkSelector": {"matchLabels": {"netops.io/tenant": "blue"}}}},
    )
    verify = job("verify")
    assert verify.rc != 0
    report = job.report("verify")
    assert "namespace red-b net.juniper.contrail.podnetwork" in report
    assert "VirtualNetworkRouter virtual_network_selector" in report

    run = job("reconcile")
    assert run.rc == 0, run
    assert cluster.annotation("red-b") == "red-a/red-pods"
    selector = cluster.cn2()["virtualnetworkrouters"]["red-a/red-mesh"]["spec"][
        "virtualNetworkSelector"
    ]
    assert selector == {"matchLabels": {"netops.io/tenant": "red"}}
    assert job("verify").rc == 0
