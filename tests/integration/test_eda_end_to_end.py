"""The fabric follows the cluster, unattended: ansible-rulebook runs the shipped rulebook (netops.cn2_apstra.sriov_fabric)
with the collection's event source on the Kubernetes emulator, and its runs of the shipped reconcile.yml reach the
Apstra emulator. Nobody runs a playbook: kubectl applies a NAD, pods start on two nodes, then go; the deployed fabric
follows each step. Waits are bounded by generous timeouts; nothing depends on how fast a step is."""

import json

from sim_core.testing import (
    APSTRA_PASSWORD,
    APSTRA_TEST_OPTIONS,
    APSTRA_USER,
    DEMO_TOPOLOGY,
    ApstraSession,
    kubectl_runner,
)

from apstra_sim.server import start_server

WAIT = 300
PORT_OF = {
    "worker-01": "leaf1:xe-0/0/1",
    "worker-02": "leaf1:xe-0/0/2",
    "worker-04": "leaf2:xe-0/0/4",
    "worker-05": "leaf3-leaf4:ae5",
}
NAD = """apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: ran-eda
  namespace: telco
  annotations:
    k8s.v1.cni.cncf.io/resourceName: intel.com/sriov_netdevice
    cn2-apstra.netops.io/fabric: "true"
    cn2-apstra.netops.io/routing-zone: telco
spec:
  config: '{"cniVersion": "1.0.0", "name": "ran-eda", "type": "sriov", "vlan": 580,
            "ipam": {"type": "whereabouts", "range": "10.58.0.0/24", "gateway": "10.58.0.1"}}'
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: telco
  annotations:
    k8s.v1.cni.cncf.io/networks: ran-eda
spec:
  nodeName: {node}
  containers:
    - name: app
      image: registry.example/du:1
"""
PORTS_QUERY = (
    "match(node('ep_endpoint_policy', policy_type_name='batch', name='ct').in_('ep_top_level').node('ep_application_instance')"
    ".out('ep_affected_by').node('ep_group').in_('ep_member_of').node('interface', name='intf').in_('hosted_interfaces')"
    ".node(name='owner'), node(name='ct').out('ep_subpolicy').node().out('ep_first_subpolicy').node(name='prim')"
    ".out('vn_to_attach').node('virtual_network', label='ran-eda'))"
)


def connection_env(apstra_url, k8s, tmp_path):
    """What the rulebook's runs connect with: the emulators (the Apstra one at `apstra_url`); reports go to
    tmp_path/reports."""
    return {
        "K8S_AUTH_KUBECONFIG": k8s.kubeconfig,
        "APSTRA_API_URL": apstra_url,
        "APSTRA_USERNAME": APSTRA_USER,
        "APSTRA_PASSWORD": APSTRA_PASSWORD,
        "APSTRA_VERIFY_CERTIFICATES": "false",
        "SRIOV_REPORTS_DIR": str(tmp_path / "reports"),
    }


def deployed_ports(apstra):
    """The ports Apstra has deployed ran-eda on, or None while the VN is not deployed."""
    session = ApstraSession(apstra.url)
    if not session.qe("node('virtual_network', label='ran-eda', name='vn')", "deployed"):
        return None
    return sorted(
        "%s:%s" % (row["owner"]["label"], row["intf"]["if_name"])
        for row in session.qe(PORTS_QUERY, "deployed")
    )


def commits(apstra):
    return len([r for r in apstra.writes() if r["path"].endswith("/deploy")])


def test_the_fabric_follows_the_cluster_with_nobody_running_a_playbook(
    rulebook, apstra, k8s, tmp_path
):
    kubectl = kubectl_runner("kubectl-image", k8s.kubeconfig)
    engine = rulebook(
        "netops.cn2_apstra.sriov_fabric",
        variables={"sriov_unbind_grace": 5},
        env=connection_env(apstra.url, k8s, tmp_path),
    )
    engine.wait_until(
        lambda: engine.output().count("PLAY RECAP") >= 1,
        "the catch-up run after `synced`",
        timeout=WAIT,
    )

    kubectl("apply", "-f", "-", stdin=NAD)
    assert (
        engine.wait_until(
            lambda: deployed_ports(apstra) is not None,
            "the VN of the applied NAD deployed",
            timeout=WAIT,
        )
        is not None
    )
    # pods binding: no pod yet, no port tagged
    assert deployed_ports(apstra) == []

    for name, node in (("du-0", "worker-01"), ("du-1", "worker-05")):
        kubectl("apply", "-f", "-", stdin=POD.format(name=name, node=node))
    wanted = sorted([PORT_OF["worker-01"], PORT_OF["worker-05"]])
    engine.wait_until(
        lambda: deployed_ports(apstra) == wanted,
        "the ports of the pods' nodes tagged",
        timeout=WAIT,
    )

    kubectl("delete", "pod", "-n", "telco", "du-0", "du-1")
    engine.wait_until(
        lambda: deployed_ports(apstra) == [],
        "the ports untagged after the grace period",
        timeout=WAIT,
    )

    runs = engine.output().count("PLAY RECAP")
    assert commits(apstra) <= runs, "one commit per run at most"
    report = json.dumps([p.read_text() for p in (tmp_path / "reports").glob("reconcile-*.md")])
    assert "ran-eda" in report and "NetworkAttachmentDefinition telco/ran-eda" in report
    # each reconcile's report names the event that started it
    assert "## Triggered by" in report
    assert "on NetworkAttachmentDefinition telco/ran-eda" in report and "- pod telco/du-" in report


def test_rulebook_variables_name_the_blueprint_and_the_cluster(rulebook, k8s, tmp_path):
    """ansible-rulebook hands the playbook only the action's extra_vars: the shipped rulebook passes its variables on,
    so --vars naming a blueprint other than the demo's (on a server holding two) reconciles that blueprint, and the
    VN carries the cluster_name it was given as its owner."""
    second = tmp_path / "dc2.yml"
    second.write_text(DEMO_TOPOLOGY.read_text().replace("blueprint: dc1", "blueprint: dc2"))
    server = start_server([str(DEMO_TOPOLOGY), str(second)], port=0, **APSTRA_TEST_OPTIONS)
    try:
        engine = rulebook(
            "netops.cn2_apstra.sriov_fabric",
            variables={"blueprint": "dc2", "cluster_name": "cluster-a", "sriov_unbind_grace": 5},
            env=connection_env(server.url, k8s, tmp_path),
        )
        engine.wait_until(
            lambda: engine.output().count("PLAY RECAP") >= 1,
            "the catch-up run after `synced`",
            timeout=WAIT,
        )
        kubectl_runner("kubectl-image", k8s.kubeconfig)("apply", "-f", "-", stdin=NAD)
        session = ApstraSession(server.url)
        ids = dict(
            (bp["label"], bp["id"]) for bp in session.api("GET", "blueprints").json()["items"]
        )

        def labels(label):
            session.bp = ids[label]
            return dict(
                (vn["label"], vn)
                for vn in session.get("/virtual-networks").json()["virtual_networks"].values()
            )

        engine.wait_until(lambda: "ran-eda" in labels("dc2"), "the VN created in dc2", timeout=WAIT)
        assert "netops.cn2_apstra/owner:cluster-a" in labels("dc2")["ran-eda"]["tags"]
        assert labels("dc1") == {}
    finally:
        server.stop()
