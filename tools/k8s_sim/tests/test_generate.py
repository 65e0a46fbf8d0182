"""The cluster generator agrees with the Apstra emulator's fabric and with the demo lab of docs/contracts.md; big labs stay fast."""

import subprocess
import sys
from pathlib import Path

import requests
import yaml

from k8s_sim.generate import generate
from k8s_sim.models import Store
from k8s_sim.resources import CRD_DIR, load_crd_files, load_objects as load_seed
from k8s_sim.server import SimServer

REPO = Path(__file__).resolve().parents[3]
DEMO_FABRIC = REPO / "tools" / "apstra_sim" / "topologies" / "demo.yml"
DEMO_SEED = REPO / "tools" / "k8s_sim" / "seeds" / "demo.yml"
SRIOV = "feature.node.kubernetes.io/network-sriov.capable"

# docs/contracts.md, the demo lab: node -> (allocatable SR-IOV resources, {PF: (leaf, port) seen by host LLDP})
DEMO = {
    "worker-01": ({"intel.com/sriov_netdevice": "8"}, {"ens1f0": ("leaf1", "xe-0/0/1")}),
    "worker-02": ({"intel.com/sriov_netdevice": "8"}, {"ens1f0": ("leaf1", "xe-0/0/2")}),
    "worker-03": ({"intel.com/sriov_netdevice": "8"}, {"ens1f0": ("leaf1", "xe-0/0/3")}),
    "worker-04": (
        {"intel.com/sriov_netdevice": "8", "intel.com/sriov_dpdk": "8"},
        {"ens1f0": ("leaf2", "xe-0/0/4")},
    ),
    "worker-05": (
        {"intel.com/sriov_netdevice": "16"},
        {"ens1f0": ("leaf3", "xe-0/0/5"), "ens1f1": ("leaf4", "xe-0/0/5")},
    ),
    "worker-06": ({"intel.com/sriov_dpdk": "8"}, {"ens1f0": ("leaf2", "xe-0/0/6")}),
    "worker-07": ({}, {"ens1f0": ("leaf1", "xe-0/0/7")}),
    "worker-08": ({}, {"ens1f0": ("leaf2", "xe-0/0/8")}),
}


def facts(docs):
    """node -> (SR-IOV allocatable, LLDP neighbours per NIC, [(PF, numVfs, totalvfs, VF count)], labels)."""
    out = {}
    for doc in docs:
        if doc["kind"] == "Node":
            alloc = {
                k: v for k, v in doc["status"]["allocatable"].items() if k.startswith("intel.com/")
            }
            out.setdefault(doc["metadata"]["name"], {}).update(
                alloc=alloc, labels=doc["metadata"]["labels"]
            )
        elif doc["kind"] == "NodeNetworkState":
            lldp = {}
            for intf in doc["status"]["currentState"]["interfaces"]:
                for neighbor in (intf.get("lldp") or {}).get("neighbors") or []:
                    tlv = {t["type"]: t for t in neighbor}
                    lldp[intf["name"]] = (tlv[5]["system-name"], tlv[2]["port-id"])
            out.setdefault(doc["metadata"]["name"], {})["lldp"] = lldp
        elif doc["kind"] == "SriovNetworkNodeState":
            assert doc["metadata"]["namespace"] == "sriov-network-operator"
            pfs = [
                (
                    i["name"],
                    i["numVfs"],
                    i["totalvfs"],
                    len(i["Vfs"]),
                    i["linkSpeed"],
                    bool(i["pciAddress"] and i["mac"]),
                )
                for i in doc["status"]["interfaces"]
            ]
            out.setdefault(doc["metadata"]["name"], {})["pfs"] = pfs
    return out


def test_demo_seed_matches_the_contract():
    docs = load_seed(DEMO_SEED)
    assert sorted(d["metadata"]["name"] for d in docs if d["kind"] == "Namespace") == [
        "default",
        "kube-system",
        "sriov-network-operator",
        "telco",
    ]
    seen = facts(docs)
    assert sorted(seen) == sorted(DEMO)
    for node, (alloc, lldp) in DEMO.items():
        assert seen[node]["alloc"] == alloc, node
        assert seen[node]["lldp"] == lldp, node
        assert seen[node]["labels"]["node-role.kubernetes.io/worker"] == ""
        assert (seen[node]["labels"].get(SRIOV) == "true") == bool(alloc)
        if alloc:
            vfs = sum(int(v) for v in alloc.values())
            assert sum(pf[1] for pf in seen[node]["pfs"]) == vfs
            assert all(
                pf[1] == pf[3] and pf[2] == 64 and pf[4] == "25000 Mb/s" and pf[5]
                for pf in seen[node]["pfs"]
            )
        else:
            assert "pfs" not in seen[node]
    assert [pf[0] for pf in seen["worker-05"]["pfs"]] == ["ens1f0", "ens1f1"]


def test_generate_on_the_demo_fabric_reproduces_the_demo_seed(tmp_path):
    out = tmp_path / "cluster.yml"
    subprocess.run(
        [sys.executable, "-m", "k8s_sim.generate", "--fabric", str(DEMO_FABRIC), "--out", str(out)],
        check=True,
        timeout=60,
    )
    generated = load_seed(out)
    assert facts(generated) == facts(load_seed(DEMO_SEED))
    assert generated == load_seed(DEMO_SEED)


def test_generate_options_miscable_and_sriov_fraction():
    with open(DEMO_FABRIC, encoding="utf-8") as handle:
        fabric = yaml.safe_load(handle)
    seen = facts(generate(fabric, miscabled=1, sriov_fraction=0.25))
    assert seen["worker-03"]["lldp"] == {"ens1f0": ("leaf1", "xe-0/0/3")}
    assert seen["worker-04"]["lldp"] == {"ens1f0": ("leaf1", "xe-0/0/4")}
    assert sum(1 for n in seen.values() if n["alloc"]) == 2
    assert sum(1 for n in seen.values() if n.get("pfs")) == 2


def test_thousand_node_cluster_from_generated_fabric_selects_by_label():
    fabric = yaml.load(
        subprocess.run(
            [sys.executable, "-m", "apstra_sim.generate", "--leafs", "32", "--servers", "1000"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout,
        Loader=yaml.CSafeLoader,
    )
    docs = generate(fabric, miscabled=10)
    seen = facts(docs)
    assert len(seen) == 1000
    hosts = {s["hostname"]: s for s in fabric["servers"]}
    wrong = [
        n
        for n, f in seen.items()
        if f["lldp"] != {link["nic"]: (link["leaf"], link["port"]) for link in hosts[n]["links"]}
    ]
    assert len(wrong) == 10
    server = SimServer(Store(docs, load_crd_files([CRD_DIR]))).start()
    try:
        params = {"labelSelector": "%s=true,kubernetes.io/hostname notin (worker-0001)" % SRIOV}
        resp = requests.get(server.url + "/api/v1/nodes", params=params, timeout=30)
        assert len(resp.json()["items"]) == 749
        one = requests.get(
            server.url + "/api/v1/nodes",
            params={"labelSelector": "kubernetes.io/hostname=worker-0500"},
            timeout=30,
        )
        assert [i["metadata"]["name"] for i in one.json()["items"]] == ["worker-0500"]
    finally:
        server.stop()
