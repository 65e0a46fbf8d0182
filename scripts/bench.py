"""Benchmark: API calls and wall time of the collection's main operations against the emulators.

API calls are the cost that matters against a real Apstra, so every figure comes with the request counts the
emulators logged. Prints a table and writes it to build/bench/results.md. Nothing here asserts a time.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests
from apstra_sim.server import start_server as start_apstra
from k8s_sim.server import start_server as start_k8s

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = Path(os.environ.get("BUILD", REPO / "build")) / "bench"
DEMO_FABRIC = REPO / "tools" / "apstra_sim" / "topologies" / "demo.yml"
DEMO_CLUSTER = REPO / "tools" / "k8s_sim" / "seeds" / "demo.yml"


class Lab:
    """Both emulators on one fabric/cluster pair, with their request logs."""

    def __init__(self, name, fabric, cluster):
        self.name = name
        started = time.monotonic()
        self.apstra = start_apstra(str(fabric), port=0)
        self.apstra_start = time.monotonic() - started
        started = time.monotonic()
        self.k8s = start_k8s(str(cluster), port=0)
        self.k8s_start = time.monotonic() - started
        self.kubeconfig = self.k8s.write_kubeconfig(str(OUT / ("%s.kubeconfig" % name)))
        self.env = dict(
            os.environ,
            APSTRA_API_URL=self.apstra.url,
            APSTRA_USERNAME="admin",
            APSTRA_PASSWORD="sim-admin-password",
            APSTRA_VERIFY_CERTIFICATES="false",
            K8S_AUTH_KUBECONFIG=self.kubeconfig,
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        )

    def clear(self):
        for server in (self.apstra, self.k8s):
            requests.delete(server.url + "/_sim/requests", timeout=30)

    def counts(self):
        out = {}
        for name, server in (("apstra", self.apstra), ("k8s", self.k8s)):
            log = requests.get(server.url + "/_sim/requests", timeout=30).json()["requests"]
            out[name] = (len(log), sum(1 for entry in log if entry["write"]))
        return out

    def stop(self):
        self.apstra.stop()
        self.k8s.stop()


def timed(lab, cmd, **kwargs):
    lab.clear()
    start = time.monotonic()
    proc = subprocess.run(cmd, env=lab.env, capture_output=True, text=True, check=False, **kwargs)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(
            "benchmark step failed: %s\n%s\n%s"
            % (" ".join(map(str, cmd)), proc.stdout[-3000:], proc.stderr[-3000:])
        )
    return elapsed, lab.counts(), proc.stdout


def inventory(lab):
    config = OUT / ("%s.sriov_fabric.yml" % lab.name)
    config.write_text("plugin: netops.cn2_apstra.sriov_fabric\n")
    elapsed, counts, stdout = timed(
        lab, [str(BIN / "ansible-inventory"), "-i", str(config), "--list"]
    )
    hosts = len(json.loads(stdout).get("sriov_nodes", {}).get("hosts", []))
    return elapsed, counts, "%d SR-IOV nodes" % hosts


def virtual_networks(lab, count):
    leafs = ["leaf%d" % n for n in range(1, 9)]
    config = [
        {"label": "bench_vn_%03d" % n, "vn_type": "vxlan", "vlan_id": 100 + n, "bindings": leafs}
        for n in range(count)
    ]
    playbook = OUT / ("vns_%d.yml" % count)
    playbook.write_text(
        json.dumps(
            [
                {
                    "name": "Create virtual networks",
                    "hosts": "localhost",
                    "connection": "local",
                    "gather_facts": False,
                    "tasks": [
                        {
                            "name": "Create",
                            "netops.cn2_apstra.apstra_virtual_networks": {
                                "blueprint": "bench",
                                "config": config,
                            },
                        }
                    ],
                }
            ]
        )
    )
    elapsed, counts = timed(
        lab, [str(BIN / "ansible-playbook"), "-i", "localhost,", str(playbook)]
    )[:2]
    return elapsed, counts, "%d VNs x %d leafs" % (count, len(leafs))


def provision(lab, label):
    elapsed, counts = timed(
        lab,
        [
            str(BIN / "ansible-playbook"),
            "-i",
            "localhost,",
            "playbooks/provision.yml",
            "-e",
            "reports_dir=%s" % (OUT / "reports"),
        ],
        cwd=REPO,
    )[:2]
    return elapsed, counts, label


def collections_path():
    link = OUT / "collections" / "ansible_collections" / "netops" / "cn2_apstra"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO, target_is_directory=True)
    return str(OUT / "collections")


def generate(leafs, servers):
    fabric = OUT / ("fabric_%d.yml" % servers)
    cluster = OUT / ("cluster_%d.yml" % servers)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "apstra_sim.generate",
            "--leafs",
            str(leafs),
            "--servers",
            str(servers),
            "--blueprint",
            "bench",
            "-o",
            str(fabric),
        ],
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "k8s_sim.generate", "--fabric", str(fabric), "--out", str(cluster)],
        check=True,
    )
    return fabric, cluster


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = collections_path()
    rows = []
    demo = Lab("demo", DEMO_FABRIC, DEMO_CLUSTER)
    big = Lab("big", *generate(32, 1000))
    try:
        rows.append(("inventory sriov_fabric, demo (8 nodes)",) + inventory(demo))
        rows.append(("inventory sriov_fabric, 1,000 nodes",) + inventory(big))
        rows.append(("apstra_virtual_networks, 5 new VNs",) + virtual_networks(big, 5))
        rows.append(("apstra_virtual_networks, 50 new VNs",) + virtual_networks(big, 50))
        rows.append(
            ("provision.yml, demo, first run",) + provision(demo, "example intent (3 networks)")
        )
        rows.append(("provision.yml, demo, second run",) + provision(demo, "same intent again"))
    finally:
        demo.stop()
        big.stop()
    lines = [
        "| operation | detail | wall s | Apstra calls (writes) | Kubernetes calls (writes) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, elapsed, counts, detail in rows:
        lines.append(
            "| %s | %s | %.2f | %d (%d) | %d (%d) |"
            % ((name, detail, elapsed) + counts["apstra"] + counts["k8s"])
        )
    lines += ["", "| emulator start-up | Apstra s | Kubernetes s |", "| --- | --- | --- |"]
    lines += [
        "| %s | %.2f | %.2f |" % (lab.name, lab.apstra_start, lab.k8s_start) for lab in (demo, big)
    ]
    table = "\n".join(lines)
    (OUT / "results.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
