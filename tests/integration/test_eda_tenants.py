"""Tenants follow the cluster, unattended: ansible-rulebook runs the shipped rulebook with the collection's event source,
and namespaces that opt in as a tenant (annotation cn2-apstra.netops.io/tenant) get their pod network; a pod created
afterwards lands in it; a drifted namespace annotation is repaired; namespaces that opt out lose it once no pod uses it.
Nobody runs a playbook. Waits are bounded by generous timeouts; nothing depends on how fast a step is.
"""

import json
import subprocess
import time

from sim_core.testing import APSTRA_PASSWORD, APSTRA_USER

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


def kubectl(kubeconfig, *args, stdin=None):
    proc = subprocess.run(
        ["kubectl", "--kubeconfig", kubeconfig, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def get(kubeconfig, *args):
    return json.loads(kubectl(kubeconfig, "get", "-o", "json", *args))


def annotation(kubeconfig, namespace):
    return (get(kubeconfig, "namespace", namespace)["metadata"].get("annotations") or {}).get(
        PODNETWORK
    )


def pod_networks(kubeconfig):
    return sorted(
        "%s/%s" % (vn["metadata"]["namespace"], vn["metadata"]["name"])
        for vn in get(kubeconfig, "virtualnetworks.core.contrail.juniper.net", "-A")["items"]
    )


def wait_until(condition, what, engine):
    deadline = time.monotonic() + WAIT
    while not condition():
        assert engine.proc.poll() is None, "ansible-rulebook exited:\n%s" % engine.output()[-5000:]
        assert time.monotonic() < deadline, "%s did not happen in %s s:\n%s" % (
            what,
            WAIT,
            engine.output()[-8000:],
        )
        time.sleep(1)


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
    engine = rulebook(
        "netops.cn2_apstra.sriov_fabric", variables={"sriov_unbind_grace": 5}, env=env
    )
    wait_until(
        lambda: engine.output().count("PLAY RECAP") >= 1, "the catch-up run after `synced`", engine
    )

    for name in ("shop-a", "shop-b"):
        kubectl(k8s.kubeconfig, "apply", "-f", "-", stdin=NAMESPACE.format(name=name))
    wait_until(
        lambda: all(
            annotation(k8s.kubeconfig, ns) == "shop-a/shop-pods" for ns in ("shop-a", "shop-b")
        ),
        "the namespaces annotated with the tenant's pod network",
        engine,
    )
    assert "shop-a/shop-pods" in pod_networks(k8s.kubeconfig)
    kubectl(k8s.kubeconfig, "apply", "-f", "-", stdin=POD)
    status = get(k8s.kubeconfig, "pod", "-n", "shop-b", "web-0")["metadata"]["annotations"]
    assert json.loads(status["k8s.v1.cni.cncf.io/network-status"])[0]["name"] == "shop-a/shop-pods"

    kubectl(
        k8s.kubeconfig,
        "annotate",
        "--overwrite",
        "namespace",
        "shop-b",
        "%s=shop-b/other" % PODNETWORK,
    )
    wait_until(
        lambda: annotation(k8s.kubeconfig, "shop-b") == "shop-a/shop-pods",
        "the drifted annotation repaired",
        engine,
    )

    # opting out while a pod uses the pod network removes nothing; once the pod is gone, the next run removes it
    for name in ("shop-a", "shop-b"):
        kubectl(k8s.kubeconfig, "annotate", "namespace", name, "cn2-apstra.netops.io/tenant-")
    kubectl(k8s.kubeconfig, "delete", "pod", "-n", "shop-b", "web-0")
    kubectl(k8s.kubeconfig, "annotate", "namespace", "shop-a", "cn2-apstra.netops.io/pod-subnet-")
    wait_until(
        lambda: "shop-a/shop-pods" not in pod_networks(k8s.kubeconfig)
        and annotation(k8s.kubeconfig, "shop-b") is None,
        "the pod network removed and the namespaces released",
        engine,
    )
    report = json.dumps([p.read_text() for p in (tmp_path / "reports").glob("reconcile-*.md")])
    assert "## Tenants" in report and "tenant event" in report
