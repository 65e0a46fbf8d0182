"""Tenants follow the cluster, unattended: ansible-rulebook runs the shipped rulebook with the collection's event source,
and namespaces that opt in as a tenant (annotation cn2-apstra.netops.io/tenant) get their pod network; a pod created
afterwards lands in it; a drifted namespace annotation is repaired; namespaces that opt out lose it once no pod uses it.
Nobody runs a playbook. Waits are bounded by generous timeouts; nothing depends on how fast a step is.
"""

import json

from sim_core.testing import APSTRA_PASSWORD, APSTRA_USER, kubectl_runner

WAIT = 300
PODNETWORK = "net.juniper.contrail.podnetwork"
NAMESPACE = """apiVersion: v1
kind: Namespace
metadata:
  name: {name}
  annotations:
    cn2-apstra.netops.io/tenant: shop
    cn2-apstra.netops.io/pod-subnet: 10.60.0.0/24
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: shop-b
spec:
  containers:
    - name: app
      image: registry.example/app:1
"""


def get(kubectl, *args):
    return json.loads(kubectl("get", "-o", "json", *args).stdout)


def annotation(kubectl, namespace):
    return (get(kubectl, "namespace", namespace)["metadata"].get("annotations") or {}).get(
        PODNETWORK
    )


def pod_networks(kubectl):
    return sorted(
        "%s/%s" % (vn["metadata"]["namespace"], vn["metadata"]["name"])
        for vn in get(kubectl, "virtualnetworks.core.contrail.juniper.net", "-A")["items"]
    )


def test_a_tenant_follows_its_namespaces_with_nobody_running_a_playbook(
    rulebook, apstra, k8s, tmp_path
):
    env = {
        "K8S_AUTH_KUBECONFIG": k8s.kubeconfig,
        "APSTRA_API_URL": apstra.url,
        "APSTRA_USERNAME": APSTRA_USER,
        "APSTRA_PASSWORD": APSTRA_PASSWORD,
        "APSTRA_VERIFY_CERTIFICATES": "false",
        "SRIOV_REPORTS_DIR": str(tmp_path / "reports"),
    }
    kubectl = kubectl_runner("kubectl-image", k8s.kubeconfig)
    engine = rulebook(
        "netops.cn2_apstra.sriov_fabric", variables={"sriov_unbind_grace": 5}, env=env
    )
    engine.wait_until(
        lambda: engine.output().count("PLAY RECAP") >= 1,
        "the catch-up run after `synced`",
        timeout=WAIT,
    )

    for name in ("shop-a", "shop-b"):
        kubectl("apply", "-f", "-", stdin=NAMESPACE.format(name=name))
    engine.wait_until(
        lambda: all(annotation(kubectl, ns) == "shop-a/shop-pods" for ns in ("shop-a", "shop-b")),
        "the namespaces annotated with the tenant's pod network",
        timeout=WAIT,
    )
    assert "shop-a/shop-pods" in pod_networks(kubectl)
    kubectl("apply", "-f", "-", stdin=POD)
    status = get(kubectl, "pod", "-n", "shop-b", "web-0")["metadata"]["annotations"]
    assert json.loads(status["k8s.v1.cni.cncf.io/network-status"])[0]["name"] == "shop-a/shop-pods"

    kubectl(
        "annotate",
        "--overwrite",
        "namespace",
        "shop-b",
        "%s=shop-b/other" % PODNETWORK,
    )
    engine.wait_until(
        lambda: annotation(kubectl, "shop-b") == "shop-a/shop-pods",
        "the drifted annotation repaired",
        timeout=WAIT,
    )

    # opting out (the pod deleted at once, so no run is known to see it still running: the refusal while pods use
    # the pod network is test_tenants.py's and the unit tests'): the next run removes the pod network
    for name in ("shop-a", "shop-b"):
        kubectl("annotate", "namespace", name, "cn2-apstra.netops.io/tenant-")
    kubectl("delete", "pod", "-n", "shop-b", "web-0")
    kubectl("annotate", "namespace", "shop-a", "cn2-apstra.netops.io/pod-subnet-")
    engine.wait_until(
        lambda: "shop-a/shop-pods" not in pod_networks(kubectl)
        and annotation(kubectl, "shop-b") is None,
        "the pod network removed and the namespaces released",
        timeout=WAIT,
    )
    report = json.dumps([p.read_text() for p in (tmp_path / "reports").glob("reconcile-*.md")])
    assert "## Tenants" in report and "tenant event" in report
