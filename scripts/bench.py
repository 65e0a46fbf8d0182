"""Benchmark: the collection's main job against the emulators, next to the floor and a per-object baseline.

    python scripts/bench.py [--apstra-latency-ms 50] [--quick] [--results DIR]      (make bench; BENCH_QUICK=1)

One run measures:
  - the floor: wall time of a one-task ansible-playbook (benchmarks/floor.yml), so every wall time is also printed
    as "x.x times the floor";
  - playbooks/provision.yml on generated labs, N networks x M servers: a first provision, a no-op re-run and a node
    join (a server gets its SR-IOV resource through the Kubernetes API, then provision runs again); Apstra calls
    (reads, writes, commits = PUT .../deploy) and Kubernetes calls and writes from the emulators' request logs;
  - benchmarks/baseline_per_object.yml (one call per object, one commit per network) on the same lab, with the end
    state of both compared (deployed VNs and VLANs, tagged ports, NADs): a mismatch fails the bench;
  - the sriov_fabric inventory and the k8s_sim seed load at 5,000 nodes.
The targets of issue 13 are printed next to the figures as met / not met, never asserted (wall times are noisy
here). Results: CSV, JSON and an SVG plot in benchmarks/results/ (a quick run: build/bench/results/).
"""

import argparse
import csv
import datetime
import ipaddress
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml
from apstra_sim.server import start_server as start_apstra
from k8s_sim.server import start_server as start_k8s
from sim_core.testing import readme_query

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = Path(os.environ.get("BUILD", REPO / "build")) / "bench"
BLUEPRINT = "dc1"
ZONE = "bench"
NAMESPACE = "telco"
NETDEVICE, DPDK = "intel.com/sriov_netdevice", "intel.com/sriov_dpdk"
SRIOV_LABEL = "feature.node.kubernetes.io/network-sriov.capable"
RESOURCE_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"
ALLOCATION = {"vlan_range": [2000, 2999], "supernet": "10.200.0.0/16", "prefix_length": 24}
USERNAME, PASSWORD = "admin", "sim-admin-password"
# Servers -> leafs of the generated lab (a quarter of the leafs form ESI pairs; half of their servers are dual-homed).
LEAFS = {8: 4, 40: 8, 200: 16, 1000: 32, 5000: 64}
FULL = {"networks": (1, 10, 50), "servers": (8, 40, 200), "inventory_servers": 5000}
QUICK = {"networks": (1, 10), "servers": (8, 40), "inventory_servers": 1000}
FLOOR_RUNS = 3

# The baseline's one graph query: every leaf with its ESI pair, its server-facing ports, their servers and, for a
# dual-homed server, the pair's port-channel (the application point).
FABRIC_QUERY = (
    "match(node('system', role='leaf', name='leaf'), "
    "optional(node('redundancy_group', name='rg').out('composed_of_systems').node(name='leaf')), "
    "optional(node(name='leaf').out('hosted_interfaces').node('interface', if_type='ethernet', name='leaf_intf')"
    ".out('link').node('link', role='to_generic').in_('link')"
    ".node('interface', if_type='ethernet').in_('hosted_interfaces').node('system', system_type='server', name='server')), "
    "optional(node(name='leaf_intf').in_('composed_of').node('interface', if_type='port_channel')"
    ".in_('composed_of').node('interface', if_type='port_channel', name='esi_lag')"
    ".in_('hosted_interfaces').node('redundancy_group')))"
)
# What is deployed (tools/apstra_sim/README.md, "vn-bindings" without the ESI pair, and "single-vlan-templates").
DEPLOYED_VNS = (
    "match(node('security_zone', name='zone').out('member_vns').node('virtual_network', name='vn')"
    ".out('instantiated_by').node('vn_instance', name='inst').in_('hosted_vn_instances').node('system', role='leaf', name='leaf'))"
)
DEPLOYED_PORTS = readme_query("single-vlan-templates")
UUID_RE = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=/|$)")


def log(message):
    print(message, flush=True)


# -- labs ------------------------------------------------------------------------------------------------------------


def generate(servers, sriov_fraction=0.75, leafs=None):
    """(fabric file, cluster seed file, full-SR-IOV seed file) of a generated lab; reused when already written."""
    leafs = leafs or LEAFS[servers]
    fabric = OUT / "labs" / ("fabric_%d_%d.yml" % (servers, leafs))
    cluster = OUT / "labs" / ("cluster_%d_%d.yml" % (servers, leafs))
    joined = OUT / "labs" / ("cluster_%d_%d_all_sriov.yml" % (servers, leafs))
    fabric.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "apstra_sim.generate",
            "--leafs",
            str(leafs),
            "--servers",
            str(servers),
            "--dual-homed",
            "0.5",
            "--blueprint",
            BLUEPRINT,
            "-o",
            str(fabric),
        ],
        check=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "k8s_sim.generate",
            "--fabric",
            str(fabric),
            "--sriov-fraction",
            str(sriov_fraction),
            "--out",
            str(cluster),
        ],
        check=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "k8s_sim.generate",
            "--fabric",
            str(fabric),
            "--sriov-fraction",
            "1",
            "--out",
            str(joined),
        ],
        check=True,
    )
    return fabric, cluster, joined


def seed_objects(path):
    out = []
    for doc in yaml.load_all(
        path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    ):
        if doc:
            out.extend(doc.get("items") or [] if doc.get("kind") == "List" else [doc])
    return out


class Lab:
    """Both emulators on one generated fabric/cluster pair, with their request logs and end state."""

    def __init__(self, servers, latency_ms, leafs=None):
        self.servers = servers
        self.latency_ms = latency_ms
        self.fabric, self.cluster, self.joined = generate(servers, leafs=leafs)
        self.fabric_spec = yaml.safe_load(self.fabric.read_text())
        self.seed = seed_objects(self.cluster)
        self.apstra = start_apstra(str(self.fabric), port=0, latency=latency_ms / 1000.0)
        self.k8s = start_k8s(str(self.cluster), port=0)
        self.kubeconfig = self.k8s.write_kubeconfig(str(OUT / ("lab_%d.kubeconfig" % servers)))
        self.env = dict(
            os.environ,
            APSTRA_API_URL=self.apstra.url,
            APSTRA_USERNAME=USERNAME,
            APSTRA_PASSWORD=PASSWORD,
            APSTRA_VERIFY_CERTIFICATES="false",
            K8S_AUTH_KUBECONFIG=self.kubeconfig,
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        )
        self._token = None

    # emulator control -----------------------------------------------------------------------------------------------
    def reset(self):
        for server in (self.apstra, self.k8s):
            requests.post(server.url + "/_sim/reset", timeout=60).raise_for_status()

    def clear(self):
        for server in (self.apstra, self.k8s):
            requests.delete(server.url + "/_sim/requests", timeout=60).raise_for_status()

    def logs(self):
        return {
            name: requests.get(server.url + "/_sim/requests", timeout=60).json()["requests"]
            for name, server in (("apstra", self.apstra), ("k8s", self.k8s))
        }

    def stop(self):
        self.apstra.stop()
        self.k8s.stop()

    # the lab's SR-IOV nodes -----------------------------------------------------------------------------------------
    def nodes(self):
        """{node: {resource: count}} of the SR-IOV nodes in the seed."""
        out = {}
        for obj in self.seed:
            if obj["kind"] == "Node" and obj["metadata"]["labels"].get(SRIOV_LABEL) == "true":
                out[obj["metadata"]["name"]] = dict(
                    (k, int(v))
                    for k, v in obj["status"]["allocatable"].items()
                    if k.startswith("intel.com/")
                )
        return out

    def joiner(self):
        """The first server without SR-IOV in the seed: the node that joins."""
        return next(
            s["hostname"] for s in self.fabric_spec["servers"] if s["hostname"] not in self.nodes()
        )

    def join(self, host):
        """The node gets its SR-IOV resource as the operator and the kubelet would: label, allocatable, node state."""
        full = dict(((o["kind"], o["metadata"]["name"]), o) for o in seed_objects(self.joined))
        node, state = full[("Node", host)], full[("SriovNetworkNodeState", host)]
        merge = {"Content-Type": "application/merge-patch+json"}
        url = self.k8s.url
        calls = [
            requests.patch(
                url + "/api/v1/nodes/" + host,
                headers=merge,
                timeout=60,
                data=json.dumps({"metadata": {"labels": {SRIOV_LABEL: "true"}}}),
            ),
            requests.patch(
                url + "/api/v1/nodes/%s/status" % host,
                headers=merge,
                timeout=60,
                data=json.dumps(
                    {
                        "status": {
                            "allocatable": node["status"]["allocatable"],
                            "capacity": node["status"]["capacity"],
                        }
                    }
                ),
            ),
        ]
        states = (
            url
            + "/apis/sriovnetwork.openshift.io/v1/namespaces/%s/sriovnetworknodestates"
            % state["metadata"]["namespace"]
        )
        calls.append(
            requests.post(
                states, json={k: v for k, v in state.items() if k != "status"}, timeout=60
            )
        )
        calls.append(
            requests.patch(
                "%s/%s/status" % (states, host),
                headers=merge,
                timeout=60,
                data=json.dumps({"status": state["status"]}),
            )
        )
        for answer in calls:
            answer.raise_for_status()
        return {
            k: int(v)
            for k, v in node["status"]["allocatable"].items()
            if k.startswith("intel.com/")
        }

    # end state ------------------------------------------------------------------------------------------------------
    def _apstra(self, method, path, **kwargs):
        if self._token is None:
            answer = requests.post(
                self.apstra.url + "/api/aaa/login",
                json={"username": USERNAME, "password": PASSWORD},
                timeout=60,
            )
            self._token = answer.json()["token"]
        answer = requests.request(
            method,
            self.apstra.url + path,
            headers={"AuthToken": self._token},
            timeout=120,
            **kwargs,
        )
        answer.raise_for_status()
        return answer.json()

    def end_state(self):
        """What Apstra has deployed (VNs, VLANs per leaf, tagged ports) and the NADs the cluster holds, comparable."""
        bp = next(
            item
            for item in self._apstra("GET", "/api/blueprints")["items"]
            if item["label"] == BLUEPRINT
        )
        base = "/api/blueprints/%s/qe" % bp["id"]
        vns = set()
        for row in self._apstra(
            "POST", base, params={"type": "deployed"}, json={"query": DEPLOYED_VNS}
        )["items"]:
            vn = row["vn"]
            vns.add(
                (
                    row["zone"]["label"],
                    vn["label"],
                    vn.get("vn_id"),
                    vn.get("ipv4_subnet"),
                    vn.get("virtual_gateway_ipv4"),
                    row["leaf"]["label"],
                    row["inst"]["vlan_id"],
                )
            )
        ports = set()
        for row in self._apstra(
            "POST", base, params={"type": "deployed"}, json={"query": DEPLOYED_PORTS}
        )["items"]:
            attributes = row["prim"].get("attributes")
            attributes = json.loads(attributes) if isinstance(attributes, str) else attributes or {}
            ports.add(
                (
                    row["vn"]["label"],
                    row["owner"]["label"],
                    row["intf"]["if_name"],
                    attributes.get("tag_type"),
                )
            )
        nads = set()
        answer = requests.get(
            self.k8s.url + "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions", timeout=60
        ).json()
        for obj in answer["items"]:
            config = json.loads(obj["spec"]["config"])
            ipam = config.get("ipam") or {}
            nads.add(
                (
                    obj["metadata"]["namespace"],
                    obj["metadata"]["name"],
                    obj["metadata"].get("annotations", {}).get(RESOURCE_ANNOTATION),
                    config.get("type"),
                    config.get("vlan"),
                    ipam.get("type"),
                    ipam.get("range"),
                    ipam.get("gateway"),
                    tuple(ipam.get("exclude") or ()),
                )
            )
        deploy = self._apstra("GET", "/api/blueprints/%s/diff-status" % bp["id"])
        return {
            "virtual_networks": sorted(vns, key=str),
            "ports": sorted(ports, key=str),
            "nads": sorted(nads, key=str),
            "uncommitted": deploy["staging_version"] != deploy["deployed_version"],
        }


# -- intent and baseline inputs --------------------------------------------------------------------------------------


def intent(count):
    """N networks over the SR-IOV resources: even ones with explicit VLAN, VNI and subnet, odd ones "allocate";
    every fifth one on the DPDK resource."""
    nets = []
    for index in range(count):
        net = {
            "name": "bench-%03d" % index,
            "namespace": NAMESPACE,
            "routing_zone": ZONE,
            "resource_name": DPDK if index % 5 == 4 else NETDEVICE,
            "tags": ["bench"],
        }
        if index % 2 == 0:
            subnet = "10.%d.%d.0/24" % (100 + index // 256, index % 256)
            net.update(vlan=100 + index, vni=30000 + index, subnet=subnet)
        else:
            net.update(vlan="allocate", subnet="allocate")
        nets.append(net)
    return {"sriov_networks": nets, "sriov_allocation": ALLOCATION}


def reserved_block(cidr, svi_count):
    net = ipaddress.ip_network(cidr)
    last = min(net.network_address + 1 + svi_count, net.broadcast_address - 1)
    return [str(block) for block in ipaddress.summarize_address_range(net.network_address, last)]


def expected(spec, lab):
    """The networks as the bench expects them planned: "allocate" drawn in order from the allocation ranges, the
    servers offering each network's resource, the NAD (what the per-object playbook is given)."""
    supernet = ipaddress.ip_network(ALLOCATION["supernet"])
    subnets = supernet.subnets(new_prefix=ALLOCATION["prefix_length"])
    vlan = ALLOCATION["vlan_range"][0]
    nodes = lab.nodes()
    svi_count = max(len(lab.fabric_spec["leafs"]), 2)
    out = []
    for net in spec["sriov_networks"]:
        net = dict(net)
        if net["vlan"] == "allocate":
            net["vlan"], vlan = vlan, vlan + 1
        if net["subnet"] == "allocate":
            net["subnet"] = str(next(subnets))
        gateway = str(ipaddress.ip_network(net["subnet"]).network_address + 1)
        config = {
            "cniVersion": "1.0.0",
            "name": net["name"],
            "type": "sriov",
            "vlan": net["vlan"],
            "ipam": {
                "type": "whereabouts",
                "range": net["subnet"],
                "gateway": gateway,
                "exclude": reserved_block(net["subnet"], svi_count),
            },
        }
        nad = {
            "apiVersion": "k8s.cni.cncf.io/v1",
            "kind": "NetworkAttachmentDefinition",
            "metadata": {
                "name": net["name"],
                "namespace": net["namespace"],
                "annotations": {RESOURCE_ANNOTATION: net["resource_name"]},
            },
            "spec": {"config": json.dumps(config, sort_keys=True)},
        }
        out.append(
            {
                "name": net["name"],
                "namespace": net["namespace"],
                "vlan": net["vlan"],
                "vni": net.get("vni"),
                "subnet": net["subnet"],
                "gateway": gateway,
                "routing_zone": net["routing_zone"],
                "resource_name": net["resource_name"],
                "nad": nad,
                "servers": sorted(
                    node for node, resources in nodes.items() if resources.get(net["resource_name"])
                ),
            }
        )
    return out


# -- running playbooks -----------------------------------------------------------------------------------------------


def ansible_env(env):
    """A cold controller for every run (as a fresh AWX job container): no cached Apstra token, so each run logs in
    once, and no Kubernetes discovery cache in the temp dir, so kubernetes.core's client (the baseline's) discovers
    the API once. Calls that are not object reads or writes are counted apart as k8s_discovery; the collection's
    client knows its paths and makes none, except one group lookup when a CN2 kind is used."""
    home, tmp = OUT / "ansible_home", OUT / "tmp"
    shutil.rmtree(home / "netops.cn2_apstra", ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    return dict(env, ANSIBLE_HOME=str(home), TMPDIR=str(tmp))


PROFILE_LINE = re.compile(r"^(.+?) -{3,} (\d+\.\d+)s$")


def playbook(env, *args, profile=False):
    """(wall seconds, {task: seconds}) of one ansible-playbook run; a failed run stops the bench. With ``profile``,
    ansible.posix.profile_tasks times every task (summed by task name: a task of an include counts once per run).
    """
    cmd = [str(BIN / "ansible-playbook"), "-i", "localhost,"] + [str(arg) for arg in args]
    env = ansible_env(env)
    if profile:
        env.update(
            ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
            PROFILE_TASKS_TASK_OUTPUT_LIMIT="all",
            PROFILE_TASKS_SORT_ORDER="none",
        )
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(
            "bench: step failed: %s\n%s\n%s"
            % (" ".join(cmd), proc.stdout[-4000:], proc.stderr[-3000:])
        )
    tasks = {}
    if profile:
        summary = proc.stdout.rsplit("=" * 20, 1)[-1]
        for line in summary.splitlines():
            match = PROFILE_LINE.match(line.strip())
            if match:
                tasks[match.group(1)] = round(
                    tasks.get(match.group(1), 0) + float(match.group(2)), 2
                )
    return elapsed, tasks


def endpoint(entry):
    path = UUID_RE.sub("/{id}", entry["path"])
    path = re.sub(r"^/api/blueprints/\{id\}", "/api/blueprints/{bp}", path)
    query = entry.get("query")
    if isinstance(query, str) and "type=deployed" in query:
        path += "?type=deployed"
    elif isinstance(query, dict) and query.get("type") == "deployed":
        path += "?type=deployed"
    return "%s %s" % (entry["method"], path)


def tally(logs):
    apstra, k8s = logs["apstra"], logs["k8s"]
    by_endpoint = {}
    for entry in apstra:
        key = endpoint(entry)
        by_endpoint[key] = by_endpoint.get(key, 0) + 1
    k8s_endpoints = {}
    for entry in k8s:
        key = "%s %s" % (
            entry.get("verb") or entry["method"],
            entry.get("resource") or entry["path"],
        )
        k8s_endpoints[key] = k8s_endpoints.get(key, 0) + 1
    writes = sum(1 for e in apstra if e["write"])
    discovery = sum(1 for e in k8s if not e.get("verb"))
    # the change report's device configuration reads (one per touched leaf), counted apart
    device_reads = sum(1 for e in apstra if e["path"].endswith("/config-incremental"))
    return {
        "apstra_calls": len(apstra) - device_reads,
        "device_reads": device_reads,
        "apstra_reads": len(apstra) - writes - device_reads,
        "apstra_writes": writes,
        "commits": sum(
            1 for e in apstra if e["method"] == "PUT" and e["path"].rstrip("/").endswith("/deploy")
        ),
        "apstra_errors": sum(1 for e in apstra if not 200 <= e["status"] < 400),
        "k8s_calls": len(k8s),
        "k8s_discovery": discovery,
        "k8s_writes": sum(1 for e in k8s if e["write"]),
        "apstra_endpoints": dict(sorted(by_endpoint.items())),
        "k8s_endpoints": dict(sorted(k8s_endpoints.items())),
    }


def measured(lab, run, n, *args):
    lab.clear()
    wall, tasks = playbook(lab.env, *args, profile=True)
    row = {"run": run, "networks": n, "servers": lab.servers, "wall_s": round(wall, 2)}
    row.update(tally(lab.logs()))
    row["task_s"] = tasks
    return row


def floor():
    walls = [playbook(dict(os.environ), "benchmarks/floor.yml")[0] for _run in range(FLOOR_RUNS)]
    return {"median_s": round(statistics.median(walls), 2), "runs_s": [round(w, 2) for w in walls]}


def bench_cell(lab, n):
    """First provision, no-op, node join, then the per-object baseline from a reset lab; end states compared."""
    spec = intent(n)
    intent_file = OUT / ("intent_%d_%d.yml" % (n, lab.servers))
    intent_file.write_text(yaml.safe_dump(spec, sort_keys=False))
    plan = expected(spec, lab)
    provision = [
        "playbooks/provision.yml",
        "-e",
        "intent_file=%s" % intent_file,
        "-e",
        "reports_dir=%s" % (OUT / "reports"),
    ]
    rows = []
    lab.reset()
    rows.append(measured(lab, "first", n, *provision))
    collection_state = lab.end_state()
    rows.append(measured(lab, "noop", n, *provision))
    host = lab.joiner()
    resources = lab.join(host)
    row = measured(lab, "join", n, *provision)
    row["joined"] = "%s (%s)" % (
        host,
        ", ".join("%s=%s" % item for item in sorted(resources.items())),
    )
    row["join_networks"] = sum(1 for net in plan if resources.get(net["resource_name"]))
    rows.append(row)
    lab.reset()
    baseline_file = OUT / ("baseline_%d_%d.json" % (n, lab.servers))
    baseline_file.write_text(
        json.dumps(
            {
                "baseline_blueprint": BLUEPRINT,
                "baseline_zones": [ZONE],
                "baseline_fabric_query": FABRIC_QUERY,
                "baseline_networks": plan,
            },
            indent=1,
        )
    )
    rows.append(
        measured(
            lab,
            "baseline",
            n,
            "benchmarks/baseline_per_object.yml",
            "-e",
            "baseline_file=%s" % baseline_file,
        )
    )
    baseline_state = lab.end_state()
    check = compare(collection_state, baseline_state, plan)
    for row in rows:
        row["end_state_equal"] = check["equal"]
    return rows, check


def compare(collection, baseline, plan):
    """The collection's first provision and the baseline reach the same end state, and it is the expected one."""
    problems = []
    vnis = dict((net["name"], net["vni"]) for net in plan)
    for name, state in (("collection", collection), ("baseline", baseline)):
        # VNIs the intent leaves out are drawn from Apstra's pool in whatever order: only the given ones are compared.
        for row in state["virtual_networks"]:
            if vnis.get(row[1]) is not None and str(row[2]) != str(vnis[row[1]]):
                problems.append(
                    "%s: %s has VNI %s, expected %s" % (name, row[1], row[2], vnis[row[1]])
                )
        state["virtual_networks"] = sorted(
            (
                row[:2] + (row[2] if vnis.get(row[1]) is not None else None,) + row[3:]
                for row in state["virtual_networks"]
            ),
            key=str,
        )
    for key in ("virtual_networks", "ports", "nads"):
        if collection[key] != baseline[key]:
            only_c = [x for x in collection[key] if x not in baseline[key]][:5]
            only_b = [x for x in baseline[key] if x not in collection[key]][:5]
            problems.append(
                "%s differ: collection only %s; baseline only %s" % (key, only_c, only_b)
            )
    for name, state in (("collection", collection), ("baseline", baseline)):
        if state["uncommitted"]:
            problems.append("%s left uncommitted changes" % name)
        vlans = dict(((row[1], row[5]), row[6]) for row in state["virtual_networks"])
        for net in plan:
            found = set(v for (label, _leaf), v in vlans.items() if label == net["name"])
            if found != {net["vlan"]}:
                problems.append(
                    "%s: %s deployed VLANs %s, expected %s"
                    % (name, net["name"], sorted(found), net["vlan"])
                )
        if len(state["nads"]) != len(plan):
            problems.append("%s: %d NADs, expected %d" % (name, len(state["nads"]), len(plan)))
    return {
        "equal": not problems,
        "problems": problems,
        "virtual_networks": len(set(r[1] for r in collection["virtual_networks"])),
        "vn_instances": len(collection["virtual_networks"]),
        "tagged_ports": len(collection["ports"]),
        "nads": len(collection["nads"]),
    }


# -- inventory at scale -----------------------------------------------------------------------------------------------


def inventory_at_scale(servers, latency_ms):
    fabric = OUT / "labs" / ("fabric_%d.yml" % servers)
    cluster = OUT / "labs" / ("cluster_%d.yml" % servers)
    fabric.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "apstra_sim.generate",
            "--leafs",
            str(LEAFS[servers]),
            "--servers",
            str(servers),
            "--blueprint",
            BLUEPRINT,
            "-o",
            str(fabric),
        ],
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "k8s_sim.generate", "--fabric", str(fabric), "--out", str(cluster)],
        check=True,
    )
    started = time.monotonic()
    apstra = start_apstra(str(fabric), port=0, latency=latency_ms / 1000.0)
    apstra_load = time.monotonic() - started
    started = time.monotonic()
    k8s = start_k8s(str(cluster), port=0)
    seed_load = time.monotonic() - started
    try:
        kubeconfig = k8s.write_kubeconfig(str(OUT / "inventory.kubeconfig"))
        config = OUT / ("bench_%d.sriov_fabric.yml" % servers)
        config.write_text(
            "plugin: netops.cn2_apstra.sriov_fabric\napstra_blueprint: %s\n" % BLUEPRINT
        )
        env = ansible_env(
            dict(
                os.environ,
                APSTRA_API_URL=apstra.url,
                APSTRA_USERNAME=USERNAME,
                APSTRA_PASSWORD=PASSWORD,
                APSTRA_VERIFY_CERTIFICATES="false",
                K8S_AUTH_KUBECONFIG=kubeconfig,
            )
        )
        for server in (apstra, k8s):
            requests.delete(server.url + "/_sim/requests", timeout=60)
        cmd = [str(BIN / "ansible-inventory"), "-i", str(config), "--list"]
        started = time.monotonic()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        if proc.returncode != 0:
            raise SystemExit(
                "bench: inventory failed\n%s\n%s" % (proc.stdout[-3000:], proc.stderr[-3000:])
            )
        hosts = len(json.loads(proc.stdout).get("sriov_nodes", {}).get("hosts", []))
        logs = {
            name: requests.get(server.url + "/_sim/requests", timeout=60).json()["requests"]
            for name, server in (("apstra", apstra), ("k8s", k8s))
        }
    finally:
        apstra.stop()
        k8s.stop()
    counts = tally(logs)
    return {
        "servers": servers,
        "leafs": LEAFS[servers],
        "sriov_nodes": hosts,
        "wall_s": round(wall, 2),
        "apstra_calls": counts["apstra_calls"],
        "k8s_calls": counts["k8s_calls"],
        "k8s_discovery": counts["k8s_discovery"],
        "apstra_endpoints": counts["apstra_endpoints"],
        "k8s_endpoints": counts["k8s_endpoints"],
        "seed_load_s": round(seed_load, 2),
        "apstra_load_s": round(apstra_load, 2),
        "seed_bytes": cluster.stat().st_size,
    }


# -- targets ---------------------------------------------------------------------------------------------------------


def targets(rows, floor_s, inventory, grid):
    """Issue 13's targets, each with its figure and met / not met."""
    by = dict(((r["run"], r["networks"], r["servers"]), r) for r in rows)
    first = [r for r in rows if r["run"] == "first"]
    noop = [r for r in rows if r["run"] == "noop"]
    out = []

    def add(name, figure, met):
        out.append({"target": name, "figure": figure, "met": bool(met)})

    calls = sorted(set(r["apstra_calls"] for r in first))
    add(
        "first provision: Apstra calls <= 12 at every N, M",
        "%d-%d" % (calls[0], calls[-1]),
        calls[-1] <= 12,
    )
    add(
        "first provision: Apstra calls constant in N and M",
        ", ".join(map(str, calls)),
        len(calls) == 1,
    )
    worst = max(noop, key=lambda r: (r["apstra_calls"], r["apstra_writes"], r["commits"]))
    add(
        "no-op: <= 6 Apstra calls, 0 writes, 0 commits",
        "max %d calls, %d writes, %d commits"
        % (
            worst["apstra_calls"],
            max(r["apstra_writes"] for r in noop),
            max(r["commits"] for r in noop),
        ),
        all(r["apstra_calls"] <= 6 and r["apstra_writes"] == 0 and r["commits"] == 0 for r in noop),
    )
    n1 = [
        (by[("first", 1, m)], by[("baseline", 1, m)])
        for m in grid["servers"]
        if ("first", 1, m) in by
    ]
    add(
        "N = 1: Apstra calls <= the per-object playbook's",
        "; ".join(
            "M=%d: %d vs %d" % (c["servers"], c["apstra_calls"], b["apstra_calls"]) for c, b in n1
        ),
        all(c["apstra_calls"] <= b["apstra_calls"] for c, b in n1),
    )
    big = (max(grid["networks"]), max(grid["servers"]))
    cell = by[("first",) + big]
    add(
        "first provision at N = %d, M = %d: wall <= 5x the floor" % big,
        "%.1fx (%.1f s)" % (cell["wall_s"] / floor_s, cell["wall_s"]),
        cell["wall_s"] <= 5 * floor_s,
    )
    cell = by[("noop",) + big]
    add(
        "no-op at N = %d, M = %d: wall <= 3x the floor" % big,
        "%.1fx (%.1f s)" % (cell["wall_s"] / floor_s, cell["wall_s"]),
        cell["wall_s"] <= 3 * floor_s,
    )
    worst_noop = max(r["wall_s"] for r in noop)
    add(
        "no-op at every N, M: wall <= 3x the floor",
        "max %.1fx" % (worst_noop / floor_s),
        worst_noop <= 3 * floor_s,
    )
    k8s_ok = [r for r in first if r["k8s_writes"] == r["networks"]]
    add(
        "Kubernetes writes, first provision: one per NAD created (N)",
        ", ".join("%d/%d" % (r["k8s_writes"], r["networks"]) for r in first),
        len(k8s_ok) == len(first),
    )
    add(
        "Kubernetes writes, no-op and join: none (no NAD changes)",
        "max %d" % max(r["k8s_writes"] for r in rows if r["run"] in ("noop", "join")),
        all(r["k8s_writes"] == 0 for r in rows if r["run"] in ("noop", "join")),
    )
    add(
        "inventory at %d nodes: <= 5 calls per system" % inventory["servers"],
        "Apstra %d, Kubernetes %d (%d of them API discovery)"
        % (inventory["apstra_calls"], inventory["k8s_calls"], inventory["k8s_discovery"]),
        inventory["apstra_calls"] <= 5 and inventory["k8s_calls"] <= 5,
    )
    add(
        "inventory at %d nodes: wall < 10 s" % inventory["servers"],
        "%.1f s" % inventory["wall_s"],
        inventory["wall_s"] < 10,
    )
    add(
        "k8s_sim seed load at %d nodes: < 5 s" % inventory["servers"],
        "%.1f s" % inventory["seed_load_s"],
        inventory["seed_load_s"] < 5,
    )
    return out


# -- output ----------------------------------------------------------------------------------------------------------

CSV_FIELDS = (
    "run",
    "networks",
    "servers",
    "wall_s",
    "floor_x",
    "apstra_calls",
    "apstra_reads",
    "apstra_writes",
    "commits",
    "apstra_errors",
    "k8s_calls",
    "k8s_discovery",
    "k8s_writes",
    "end_state_equal",
)


def table(rows, floor_s):
    lines = [
        "| N | M | run | Apstra calls (reads / writes) | commits | Kubernetes calls (discovery / writes) | wall s | x floor |",
        "| --: | --: | --- | --- | --: | --- | --: | --: |",
    ]
    for r in rows:
        lines.append(
            "| %d | %d | %s | %d (%d / %d) | %d | %d (%d / %d) | %.1f | %.1f |"
            % (
                r["networks"],
                r["servers"],
                r["run"],
                r["apstra_calls"],
                r["apstra_reads"],
                r["apstra_writes"],
                r["commits"],
                r["k8s_calls"],
                r["k8s_discovery"],
                r["k8s_writes"],
                r["wall_s"],
                r["wall_s"] / floor_s,
            )
        )
    return lines


def summary(rows, floor_s, grid):
    """One line per (N, M): the three runs of the collection, the Kubernetes writes, the baseline and the ratios."""
    by = dict(((r["run"], r["networks"], r["servers"]), r) for r in rows)
    lines = [
        "| N | M | first: Apstra calls (writes, commits) | first: wall s (x floor) | no-op: calls (writes, commits) "
        "| no-op: wall s (x floor) | join: calls (writes, commits) | join: wall s | Kubernetes writes first / no-op / join "
        "| baseline: calls (commits) | baseline: wall s | collection / baseline: calls, commits, wall |",
        "| --: | --: | --- | --- | --- | --- | --- | --: | --- | --- | --: | --- |",
    ]
    for m in grid["servers"]:
        for n in grid["networks"]:
            first, noop, join, base = [
                by[(run, n, m)] for run in ("first", "noop", "join", "baseline")
            ]
            lines.append(
                "| %d | %d | %d (%d, %d) | %.1f (%.1fx) | %d (%d, %d) | %.1f (%.1fx) | %d (%d, %d) | %.1f | %d / %d / %d "
                "| %d (%d) | %.1f | %.2f, %.2f, %.2f |"
                % (
                    n,
                    m,
                    first["apstra_calls"],
                    first["apstra_writes"],
                    first["commits"],
                    first["wall_s"],
                    first["wall_s"] / floor_s,
                    noop["apstra_calls"],
                    noop["apstra_writes"],
                    noop["commits"],
                    noop["wall_s"],
                    noop["wall_s"] / floor_s,
                    join["apstra_calls"],
                    join["apstra_writes"],
                    join["commits"],
                    join["wall_s"],
                    first["k8s_writes"],
                    noop["k8s_writes"],
                    join["k8s_writes"],
                    base["apstra_calls"],
                    base["commits"],
                    base["wall_s"],
                    first["apstra_calls"] / base["apstra_calls"],
                    first["commits"] / max(base["commits"], 1),
                    first["wall_s"] / base["wall_s"],
                )
            )
    return lines


def ratios(rows):
    by = dict(((r["run"], r["networks"], r["servers"]), r) for r in rows)
    lines = [
        "| N | M | Apstra calls: collection / baseline | commits | wall s | end state |",
        "| --: | --: | --- | --- | --- | --- |",
    ]
    for r in rows:
        if r["run"] != "first":
            continue
        b = by[("baseline", r["networks"], r["servers"])]
        lines.append(
            "| %d | %d | %d / %d = %.2f | %d / %d = %.2f | %.1f / %.1f = %.2f | %s |"
            % (
                r["networks"],
                r["servers"],
                r["apstra_calls"],
                b["apstra_calls"],
                r["apstra_calls"] / b["apstra_calls"],
                r["commits"],
                b["commits"],
                r["commits"] / max(b["commits"], 1),
                r["wall_s"],
                b["wall_s"],
                r["wall_s"] / b["wall_s"],
                "equal" if r["end_state_equal"] else "DIFFERENT",
            )
        )
    return lines


def breakdown(row):
    return [
        "| %s | %d |" % item
        for item in sorted(row["apstra_endpoints"].items(), key=lambda item: (-item[1], item[0]))
    ]


def svg(rows, floor_s, grid):
    """Two log-scale panels against N: Apstra calls and wall time; lines per M, the baseline dashed."""
    width, height, pad = 460, 320, 56
    ns = sorted(grid["networks"])
    colours = dict(zip(sorted(grid["servers"]), ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")))

    def panel(x0, key, title, floor_line=None):
        values = [r[key] for r in rows if r["run"] in ("first", "baseline")] + (
            [floor_line, 5 * floor_line] if floor_line else []
        )
        low, high = 10 ** int(_floor_log(min(values))), 10 ** (int(_floor_log(max(values))) + 1)
        span = math.log10(high) - math.log10(low)

        def xy(n, value):
            x = x0 + pad + (ns.index(n) / max(len(ns) - 1, 1)) * (width - 2 * pad)
            y = pad + (1 - (math.log10(value) - math.log10(low)) / span) * (height - 2 * pad)
            return x, y

        parts = [
            '<text x="%d" y="24" font-size="14" font-weight="bold">%s</text>' % (x0 + pad, title)
        ]
        parts.append(
            '<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>'
            % (x0 + pad, pad, width - 2 * pad, height - 2 * pad)
        )
        decade = low
        while decade <= high:
            _x, y = xy(ns[0], decade)
            parts.append(
                '<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>'
                % (x0 + pad, y, x0 + width - pad, y)
            )
            parts.append(
                '<text x="%d" y="%.1f" font-size="11" text-anchor="end">%g</text>'
                % (x0 + pad - 4, y + 4, decade)
            )
            decade *= 10
        for n in ns:
            x, _y = xy(n, low)
            parts.append(
                '<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%d</text>'
                % (x, height - pad + 16, n)
            )
        parts.append(
            '<text x="%d" y="%d" font-size="11" text-anchor="middle">N networks</text>'
            % (x0 + width / 2, height - pad + 32)
        )
        if floor_line:
            _x, y = xy(ns[0], floor_line)
            parts.append(
                '<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#777" stroke-dasharray="2,3"/>'
                % (x0 + pad, y, x0 + width - pad, y)
            )
            parts.append(
                '<text x="%d" y="%.1f" font-size="10" fill="#777">floor %.1f s</text>'
                % (x0 + pad + 4, y - 3, floor_line)
            )
        if floor_line:
            _x, y = xy(ns[0], 5 * floor_line)
            parts.append(
                '<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e69f00" stroke-dasharray="2,3"/>'
                % (x0 + pad, y, x0 + width - pad, y)
            )
            parts.append(
                '<text x="%d" y="%.1f" font-size="10" fill="#e69f00">target: 5x the floor</text>'
                % (x0 + pad + 4, y - 3)
            )
        for shift, (m, colour) in enumerate(colours.items()):
            for run, dash in (("first", ""), ("baseline", ' stroke-dasharray="6,4"')):
                # Lines of equal values would hide each other: each M is shifted by a few pixels.
                points = [
                    (x + 3 * (shift - 1), y)
                    for x, y in (
                        xy(r["networks"], r[key])
                        for r in sorted(rows, key=lambda r: r["networks"])
                        if r["run"] == run and r["servers"] == m
                    )
                ]
                if points:
                    parts.append(
                        '<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>'
                        % (colour, dash, " ".join("%.1f,%.1f" % p for p in points))
                    )
                    parts += [
                        '<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (p + (colour,))
                        for p in points
                    ]
        return parts

    body = panel(0, "apstra_calls", "Apstra calls, first provision") + panel(
        width, "wall_s", "Wall time (s), first provision", floor_s
    )
    legend_y = height + 6
    for index, (m, colour) in enumerate(colours.items()):
        x = pad + index * 150
        body.append(
            '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>'
            % (x, legend_y, x + 24, legend_y, colour)
        )
        body.append(
            '<text x="%d" y="%d" font-size="11">M = %d servers</text>' % (x + 28, legend_y + 4, m)
        )
    x = pad + len(colours) * 150
    body.append(
        '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#000" stroke-width="2"/>'
        % (x, legend_y, x + 24, legend_y)
    )
    body.append('<text x="%d" y="%d" font-size="11">collection</text>' % (x + 28, legend_y + 4))
    body.append(
        '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#000" stroke-width="2" stroke-dasharray="6,4"/>'
        % (x + 100, legend_y, x + 124, legend_y)
    )
    body.append(
        '<text x="%d" y="%d" font-size="11">per-object baseline</text>' % (x + 128, legend_y + 4)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">\n'
        '<rect width="100%%" height="100%%" fill="white"/>\n%s\n</svg>\n'
        % (2 * width, height + 20, "\n".join(body))
    )


def _floor_log(value):
    return math.floor(math.log10(max(value, 1e-9)))


def write_results(results, directory, stem):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / (stem + ".json")).write_text(json.dumps(results, indent=1) + "\n")
    with open(directory / (stem + ".csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        for row in results["rows"]:
            writer.writerow(
                dict(row, floor_x=round(row["wall_s"] / results["floor"]["median_s"], 2))
            )
    (directory / (stem + ".svg")).write_text(
        svg(results["rows"], results["floor"]["median_s"], results["grid"])
    )
    return [directory / (stem + ext) for ext in (".csv", ".json", ".svg")]


def collections_path():
    link = OUT / "collections" / "ansible_collections" / "netops" / "cn2_apstra"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO, target_is_directory=True)
    return str(OUT / "collections")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--apstra-latency-ms",
        type=float,
        default=float(os.environ.get("BENCH_APSTRA_LATENCY_MS", 50)),
        help="latency the Apstra emulator adds to every API call (default 50, env BENCH_APSTRA_LATENCY_MS)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK", "") not in ("", "0"),
        help="N = 1, 10 on M = 8, 40 and the inventory at 1,000 nodes (env BENCH_QUICK=1)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="where the CSV, JSON and SVG go (default benchmarks/results, quick: build/bench/results)",
    )
    args = parser.parse_args(argv)
    grid = QUICK if args.quick else FULL
    results_dir = args.results or (
        OUT / "results" if args.quick else REPO / "benchmarks" / "results"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = collections_path()
    os.environ.setdefault("ANSIBLE_NOCOLOR", "1")
    started = time.monotonic()
    log(
        "bench: %s, Apstra latency %g ms per call, %d CPUs; wall times are printed, never asserted"
        % ("quick" if args.quick else "full", args.apstra_latency_ms, os.cpu_count())
    )

    floor_result = floor()
    floor_s = floor_result["median_s"]
    log(
        "floor (one debug task): %.2f s (median of %s)"
        % (floor_s, ", ".join("%.2f" % w for w in floor_result["runs_s"]))
    )

    rows, checks = [], []
    for servers in grid["servers"]:
        lab = Lab(servers, args.apstra_latency_ms)
        try:
            for n in grid["networks"]:
                cell, check = bench_cell(lab, n)
                rows += cell
                checks.append(dict(check, networks=n, servers=servers))
                for r in cell:
                    log(
                        "  N=%-3d M=%-4d %-8s Apstra %3d calls (%d writes, %d commits)  k8s %3d (%d discovery, %d writes)  %6.1f s  %.1fx floor"
                        % (
                            n,
                            servers,
                            r["run"],
                            r["apstra_calls"],
                            r["apstra_writes"],
                            r["commits"],
                            r["k8s_calls"],
                            r["k8s_discovery"],
                            r["k8s_writes"],
                            r["wall_s"],
                            r["wall_s"] / floor_s,
                        )
                    )
                log(
                    "  N=%-3d M=%-4d end state collection vs baseline: %s (%d VNs, %d VN instances, %d tagged ports, %d NADs)%s"
                    % (
                        n,
                        servers,
                        "equal" if check["equal"] else "DIFFERENT",
                        check["virtual_networks"],
                        check["vn_instances"],
                        check["tagged_ports"],
                        check["nads"],
                        "".join("\n    " + p for p in check["problems"]),
                    )
                )
        finally:
            lab.stop()

    inventory = inventory_at_scale(grid["inventory_servers"], args.apstra_latency_ms)
    log(
        "inventory at %d nodes (%d SR-IOV): %.1f s, Apstra %d calls, Kubernetes %d calls; k8s_sim seed load %.1f s (%.0f MB)"
        % (
            inventory["servers"],
            inventory["sriov_nodes"],
            inventory["wall_s"],
            inventory["apstra_calls"],
            inventory["k8s_calls"],
            inventory["seed_load_s"],
            inventory["seed_bytes"] / 1e6,
        )
    )

    goals = targets(rows, floor_s, inventory, grid)
    big = (max(grid["networks"]), max(grid["servers"]))
    by = dict(((r["run"], r["networks"], r["servers"]), r) for r in rows)
    total = time.monotonic() - started
    results = {
        "date": datetime.date.today().isoformat(),
        "quick": args.quick,
        "apstra_latency_ms": args.apstra_latency_ms,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "grid": grid,
        "floor": floor_result,
        "rows": rows,
        "end_state_checks": checks,
        "inventory": inventory,
        "targets": goals,
        "bench_wall_s": round(total, 1),
    }
    stem = "bench-%s%s" % (results["date"], "-quick" if args.quick else "")
    files = write_results(results, results_dir, stem)

    report = [
        "# Benchmark %s" % results["date"],
        "",
        "Apstra latency %g ms per call; floor %.2f s; %d CPUs; the whole bench took %.0f s."
        % (args.apstra_latency_ms, floor_s, os.cpu_count(), total),
        "",
        "## Summary",
        "",
    ]
    report += summary(rows, floor_s, grid)
    report += ["", "## Runs", ""] + table(rows, floor_s)
    report += ["", "## Collection (first provision) vs per-object baseline", ""] + ratios(rows)
    report += [
        "",
        "## Apstra calls by endpoint, N = %d, M = %d" % big,
        "",
        "| first provision | calls |",
        "| --- | --: |",
    ]
    report += breakdown(by[("first",) + big])
    report += ["", "| no-op | calls |", "| --- | --: |"] + breakdown(by[("noop",) + big])
    report += ["", "| node join | calls |", "| --- | --: |"] + breakdown(by[("join",) + big])
    report += ["", "| Kubernetes, first provision | calls |", "| --- | --: |"]
    report += [
        "| %s | %d |" % item
        for item in sorted(
            by[("first",) + big]["k8s_endpoints"].items(), key=lambda item: (-item[1], item[0])
        )
    ]
    for run in ("first", "noop"):
        tasks = by[(run,) + big]["task_s"]
        report += ["", "| %s: slowest tasks (profile_tasks, s) | s |" % run, "| --- | --: |"]
        report += [
            "| %s | %.2f |" % item for item in sorted(tasks.items(), key=lambda item: -item[1])[:10]
        ]
        report += ["| all %d tasks | %.2f |" % (len(tasks), sum(tasks.values()))]
    report += [
        "",
        "## Inventory at %d nodes" % inventory["servers"],
        "",
        "ansible-inventory --list: %.1f s, Apstra %d calls, Kubernetes %d calls (%d of them API discovery; %d SR-IOV nodes). "
        "k8s_sim seed load %.1f s (%.0f MB, one JSON object per line as k8s_sim.generate writes it)."
        % (
            inventory["wall_s"],
            inventory["apstra_calls"],
            inventory["k8s_calls"],
            inventory["k8s_discovery"],
            inventory["sriov_nodes"],
            inventory["seed_load_s"],
            inventory["seed_bytes"] / 1e6,
        ),
    ]
    report += [
        "",
        "## Targets (printed, never asserted)",
        "",
        "| target | figure | |",
        "| --- | --- | --- |",
    ]
    report += [
        "| %s | %s | %s |" % (g["target"], g["figure"], "met" if g["met"] else "NOT MET")
        for g in goals
    ]
    text = "\n".join(report) + "\n"
    (OUT / "results.md").write_text(text)
    (results_dir / (stem + ".md")).write_text(text)
    files.append(results_dir / (stem + ".md"))
    log("")
    log(text)
    log("results: %s" % ", ".join(str(f) for f in files))
    if not all(check["equal"] for check in checks):
        log(
            "bench: FAILED: the collection and the per-object baseline reached different end states (see above)"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
