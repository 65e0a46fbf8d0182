"""ansible-rulebook really runs the shipped rulebook (netops.cn2_apstra.sriov_fabric) with the collection's source pointed
at the Kubernetes emulator; a recording playbook stands in for reconcile.yml. A scale-out of 50 pods gives one or two
runs (the throttle), not 50."""

import json
import time
from pathlib import Path

import pytest
import requests

from k8s_sim.server import start_server

REPO = Path(__file__).resolve().parents[2]
DEMO_CLUSTER = REPO / "tools" / "k8s_sim" / "seeds" / "demo.yml"
OPT_IN = "cn2-apstra.netops.io/fabric"
# Stands in for playbooks/reconcile.yml: appends the run's extra vars (one JSON line) to $EDA_TEST_RUNS.
RECORDING_PLAYBOOK = """\
- name: Record the run (stands in for reconcile.yml)
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Append this run's extra vars
      ansible.builtin.lineinfile:
        path: "{{ lookup('ansible.builtin.env', 'EDA_TEST_RUNS') }}"
        line: "{{ {'sriov_network_source': sriov_network_source, 'sriov_network_binding': sriov_network_binding,
                   'sriov_network_trigger': sriov_network_trigger, 'ansible_eda': ansible_eda} | to_json }}"
        create: true
        mode: "0644"
"""
WAIT = 180  # seconds: generous bounds on waiting for a condition, never a speed expectation


def collection_with_recording_playbook(base):
    """A collections path whose netops.cn2_apstra is this checkout, except playbooks/reconcile.yml."""
    tree = Path(base) / "ansible_collections" / "netops" / "cn2_apstra"
    tree.mkdir(parents=True)
    for entry in REPO.iterdir():
        if entry.name not in ("playbooks", ".git", ".venv", ".venv-eda", "build"):
            (tree / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (tree / "playbooks").mkdir()
    (tree / "playbooks" / "reconcile.yml").write_text(RECORDING_PLAYBOOK)
    return str(base)


@pytest.fixture
def cluster():
    server = start_server(str(DEMO_CLUSTER), port=0, bookmark_interval=5)
    yield server
    server.stop()


def runs(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_50_pod_scale_out_gives_one_or_two_reconcile_runs(rulebook, cluster, tmp_path):
    record = tmp_path / "runs.jsonl"
    engine = rulebook(
        "netops.cn2_apstra.sriov_fabric",
        collections_path=collection_with_recording_playbook(tmp_path / "collections"),
        variables={"sriov_unbind_grace": 600},
        env={
            "K8S_AUTH_KUBECONFIG": cluster.write_kubeconfig(str(tmp_path / "kubeconfig")),
            "EDA_TEST_RUNS": str(record),
        },
    )
    # The source lists the cluster and says so: one catch-up run.
    engine.wait_until(
        lambda: len(runs(record)) == 1, "the run after `synced`", timeout=WAIT, interval=0.5
    )
    first = runs(record)[0]
    assert first["sriov_network_source"] == "cluster" and first["sriov_network_binding"] == "pods"
    assert (
        first["sriov_network_trigger"]["type"] == "synced"
        and first["sriov_network_trigger"]["cluster"] == cluster.url
    )
    assert first["ansible_eda"]["rule"] == "Reconcile the fabric after cluster changes"

    base = cluster.url + "/api/v1/namespaces/telco/pods"
    nad = {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": "ran-scale", "annotations": {OPT_IN: "true"}},
        "spec": {"config": '{"cniVersion":"1.0.0","name":"ran-scale","type":"sriov","vlan":300}'},
    }
    assert (
        requests.post(
            cluster.url
            + "/apis/k8s.cni.cncf.io/v1/namespaces/telco/network-attachment-definitions",
            json=nad,
            timeout=30,
        ).status_code
        == 201
    )
    with requests.Session() as session:
        for n in range(50):
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": "du-%02d" % n,
                    "annotations": {"k8s.v1.cni.cncf.io/networks": "ran-scale"},
                },
                "spec": {
                    "nodeName": "worker-0%d" % (1 + n % 6),
                    "containers": [{"name": "du", "image": "registry.example/du:1"}],
                },
            }
            assert session.post(base, json=pod, timeout=30).status_code == 201
    # Every event reached the engine (it prints them), then the throttle windows close: one run, two if the burst
    # straddled a window boundary. The engine is watched for a while after the first run for any further one.
    engine.wait_until(
        lambda: engine.output().count("'change': 'pods'") == 50,
        "50 pod events in the engine",
        timeout=WAIT,
        interval=0.5,
    )
    engine.wait_until(
        lambda: len(runs(record)) >= 2, "a run after the scale-out", timeout=WAIT, interval=0.5
    )
    settle_until = time.monotonic() + 30
    while time.monotonic() < settle_until and len(runs(record)) < 3:
        time.sleep(0.5)
    later = runs(record)[1:]
    assert 1 <= len(later) <= 2, [r["sriov_network_trigger"] for r in later]
    trigger = later[0]["sriov_network_trigger"]
    assert trigger["type"] == "sriov_network"
    assert trigger["network"] == {
        "namespace": "telco",
        "name": "ran-scale",
        "kind": "NetworkAttachmentDefinition",
    }
    assert later[0]["ansible_eda"]["event"]["meta"]["source"]["name"] == "cluster"
