"""Emulator-only benchmark: the collection's first provision, call by call, in-process (no HTTP, no latency).

    python -m apstra_sim.bench [--servers 268,1000,2000] [--networks 50,200,500] [--json FILE] [--profile DIR]

For each generated lab (``apstra_sim.generate``: M servers on 16, 64 or 128 leafs, a quarter of them in ESI pairs, half
of the servers behind a pair dual-homed) and each number N of networks, a fresh emulator answers the sequence of calls
``netops.cn2_apstra`` sends on a first provision where every network reaches every server port (N x ports application
points): the fabric query, a routing zone, the VN batch create (each VN bound to every leaf and ESI pair, VLAN given),
the template import (one single-VLAN template per VN), the batch-apply, the three graph queries the collection reads
(fabric, bindings, virtual networks), the blueprint list and diff-status, the deploy to completion (``PUT .../deploy
?async=full`` and the task polls), and the bindings and VN queries on the deployed graph.

A step's time is what the emulator spends on it as its HTTP server would, less the sockets: decode the request body
from JSON, ``Simulator.call`` (routing, auth, the backend), encode the answer to JSON. The client's side (encoding the
request, reading the answer) is not timed. Wall-clock figures are printed and written, never asserted; the bench checks
the answers it gets (statuses, the number of rows of the bindings query) and exits 1 if one is wrong.
"""

import argparse
import ast
import cProfile
import datetime
import gc
import json
import os
import platform
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs

import yaml

from apstra_sim import generate
from apstra_sim.server import Simulator, decode_body, encode_body
from sim_core.testing import template_policies

# Servers -> leafs of the generated labs.
LEAFS = {268: 16, 1000: 64, 2000: 128}
SERVERS = (268, 1000, 2000)
NETWORKS = (50, 200, 500)
USERNAME, PASSWORD = "admin", "sim-admin-password"
# What the collection sends, read from its source without importing it (the emulator does not depend on it).
PLUGINS = Path(__file__).resolve().parents[2] / "plugins" / "module_utils"


def collection_constant(relative, name):
    """A module-level constant of the collection's ``plugins/module_utils/<relative>`` (a literal, or uuid.UUID(...))."""
    for node in ast.parse((PLUGINS / relative).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            if isinstance(node.value, ast.Call):  # CT_NAMESPACE = uuid.UUID("...")
                return uuid.UUID(ast.literal_eval(node.value.args[0]))
            return ast.literal_eval(node.value)
    raise KeyError("%s has no %s" % (relative, name))


OWNER_TAG = collection_constant("sriov/model.py", "OWNER_TAG")
CT_NAMESPACE = collection_constant("apstra/resources.py", "CT_NAMESPACE")
FABRIC_QUERY = collection_constant("apstra/service.py", "FABRIC_QUERY")
BINDINGS_QUERY = collection_constant("apstra/service.py", "BINDINGS_QUERY")
VIRTUAL_NETWORKS_QUERY = collection_constant("apstra/service.py", "VIRTUAL_NETWORKS_QUERY")
QUERIES = {
    "FABRIC_QUERY": FABRIC_QUERY,
    "BINDINGS_QUERY": BINDINGS_QUERY,
    "VIRTUAL_NETWORKS_QUERY": VIRTUAL_NETWORKS_QUERY,
}


class BenchError(RuntimeError):
    """An answer the bench did not expect: the run is wrong, whatever its times."""


def leafs_for(servers):
    """Leafs of the lab with `servers` servers: the table above, else one leaf per 16 servers (a multiple of 4)."""
    return LEAFS.get(servers, max(4, 4 * round(servers / 64)))


def write_lab(directory, servers, leafs, dual_homed):
    path = Path(directory) / ("fabric_%d.yml" % servers)
    spec = generate.generate(leafs=leafs, servers=servers, dual_homed=dual_homed)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


class InProcess:
    """The emulator without its HTTP server: each call timed as the server's handler spends it (see the module doc)."""

    def __init__(self, topology_path, profile_dir=None):
        self.sim = Simulator(str(topology_path), task_polls=2, task_seconds=3600.0)
        self.token = None
        self.profile_dir = profile_dir
        self.token = self.call(
            "POST", "/api/aaa/login", {"username": USERNAME, "password": PASSWORD}
        )["body"]["token"]
        self.bp = self.call("GET", "/api/blueprints")["body"]["items"][0]["id"]

    def call(self, method, path, body=None, query="", expect=None, profile=None):
        """{"status", "body" (the answer as an object), "seconds" (wall), "cpu" (the process's), "bytes"} of one
        call."""
        raw = json.dumps(body).encode() if body is not None else b""
        profiler = cProfile.Profile() if profile and self.profile_dir else None
        gc.collect()
        if profiler:
            profiler.enable()
        start, cpu = time.perf_counter(), time.process_time()
        parsed = decode_body(raw)
        params = {
            key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()
        }
        result = self.sim.call(method, path, params, parsed, self.token)
        payload = encode_body(result.body)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(Path(self.profile_dir) / ("%s.prof" % profile)))
        if expect is not None and result.status != expect:
            raise BenchError(
                "%s %s answered %s, not %s: %s"
                % (method, path, result.status, expect, payload[:500].decode("utf-8", "replace"))
            )
        return {
            "status": result.status,
            "body": result.body,
            "seconds": seconds,
            "cpu": cpu,
            "bytes": len(payload),
        }

    def bp_call(self, method, suffix, body=None, query="", expect=200, profile=None):
        return self.call(
            method, "/api/blueprints/%s%s" % (self.bp, suffix), body, query, expect, profile
        )


def application_points(rows):
    """{application point id: port name} from FABRIC_QUERY rows, as the collection reads them (service.parse_link)."""
    points = {}
    for row in rows:
        if not row.get("server_intf"):
            continue
        if row.get("esi_lag"):
            point, port = row["esi_lag"], "%s:%s" % (
                row["esi_rg"]["label"],
                row["esi_lag"]["if_name"],
            )
        elif row.get("leaf_lag"):
            point, port = row["leaf_lag"], "%s:%s" % (
                row["leaf"]["label"],
                row["leaf_lag"]["if_name"],
            )
        else:
            point, port = row["leaf_intf"], "%s:%s" % (
                row["leaf"]["label"],
                row["leaf_intf"]["if_name"],
            )
        points[point["id"]] = port
    return points


def switches(rows):
    """Binding targets behind the application points: ESI pairs (by group id) and the leafs outside them."""
    found = {}
    for row in rows:
        target = row.get("rg") or row["leaf"]
        found[target["id"]] = target["label"]
    return sorted(found, key=found.get)


def vn_bodies(count, zone_id, targets):
    bodies = []
    for index in range(count):
        vlan = 2000 + index
        subnet = "10.%d.%d.0/24" % (200 + index // 256, index % 256)
        bodies.append(
            {
                "label": "bench-net-%03d" % index,
                "vn_type": "vxlan",
                "security_zone_id": zone_id,
                "bound_to": [{"system_id": target, "vlan_id": vlan} for target in targets],
                "reserved_vlan_id": vlan,
                "ipv4_enabled": True,
                "ipv4_subnet": subnet,
                "virtual_gateway_ipv4": subnet.replace(".0/24", ".1"),
                "virtual_gateway_ipv4_enabled": True,
                "dhcp_service": "dhcpServiceDisabled",
                "l3_mtu": 9000,
                "tags": [OWNER_TAG],
                "description": "SR-IOV telco/bench-net-%03d (intel.com/sriov_netdevice)" % index,
            }
        )
    return bodies


def template(bp_id, vn_id, label):
    """The three policies of the collection's single-VLAN tagged template (resources.new_template)."""
    root = str(uuid.uuid5(CT_NAMESPACE, "%s/%s/%s" % (bp_id, vn_id, "vlan_tagged")))
    parts = (
        (str(uuid.uuid5(CT_NAMESPACE, root + "/pipeline")), "Virtual Network (Single) (pipeline)"),
        (str(uuid.uuid5(CT_NAMESPACE, root + "/primitive")), "Virtual Network (Single)"),
    )
    attributes = {"vn_node_id": vn_id, "tag_type": "vlan_tagged"}
    return root, template_policies(
        root, attributes, parts=parts, label=label + "-tagged", tags=[OWNER_TAG]
    )


def run_case(topology_path, servers, leafs, networks, profile_dir=None, progress=None):
    """The steps of one first provision: [{"step", "seconds", "cpu", "calls", "bytes", "points"?, "rows"?}]."""
    emu = InProcess(topology_path, profile_dir)
    steps = []
    tag = "%dx%d" % (networks, servers)

    def record(name, answers, **extra):
        step = dict(
            step=name,
            seconds=sum(a["seconds"] for a in answers),
            cpu=sum(a["cpu"] for a in answers),
            calls=len(answers),
            bytes=sum(a["bytes"] for a in answers),
            **extra,
        )
        steps.append(step)
        if progress:
            progress(tag, step)
        return answers[-1]["body"]

    def query(name, text, graph_type=None):
        qs = "type=%s" % graph_type if graph_type else ""
        answer = emu.bp_call(
            "POST", "/qe", {"query": text}, qs, profile="%s-%s" % (tag, name.replace(" ", "_"))
        )
        body = record(name, [answer], rows=answer["body"]["count"])
        return body["items"]

    rows = query("fabric query (empty)", FABRIC_QUERY)
    points = application_points(rows)
    targets = switches(rows)
    zone = emu.bp_call(
        "POST",
        "/security-zones",
        {"label": "bench", "vrf_name": "bench", "sz_type": "evpn", "tags": [OWNER_TAG]},
        expect=201,
    )
    zone_id = record("routing zone create", [zone])["id"]
    answer = emu.bp_call(
        "POST",
        "/virtual-networks-batch",
        {"virtual_networks": vn_bodies(networks, zone_id, targets)},
        expect=201,
        profile=tag + "-vn_batch_create",
    )
    vn_ids = [item["id"] for item in record("VN batch create", [answer])["virtual_networks"]]
    roots, policies = [], []
    for index, vn_id in enumerate(vn_ids):
        root, three = template(emu.bp, vn_id, "bench-net-%03d" % index)
        roots.append(root)
        policies.extend(three)
    answer = emu.bp_call(
        "PUT",
        "/obj-policy-import",
        {"policies": policies},
        expect=204,
        profile=tag + "-template_import",
    )
    record("template import", [answer])
    body = {
        "application_points": [
            {"id": point, "policies": [{"policy": root, "used": True} for root in roots]}
            for point in sorted(points, key=points.get)
        ]
    }
    applied = len(points) * len(roots)
    answer = emu.bp_call(
        "PATCH", "/obj-policy-batch-apply", body, expect=204, profile=tag + "-batch_apply"
    )
    del body
    record("batch-apply", [answer], points=applied)
    query("fabric query", FABRIC_QUERY)
    bound = [row for row in query("bindings query", BINDINGS_QUERY) if row.get("intf")]
    if len(bound) != applied:
        raise BenchError(
            "the bindings query lists %d applied points, not %d" % (len(bound), applied)
        )
    del bound
    vn_rows = query("VN query", VIRTUAL_NETWORKS_QUERY)
    if len({row["vn"]["id"] for row in vn_rows}) != networks:
        raise BenchError("the VN query does not list the %d networks" % networks)
    del vn_rows
    record("GET blueprints", [emu.call("GET", "/api/blueprints", expect=200)])
    status = record("diff-status", [emu.bp_call("GET", "/diff-status")])
    deploy = [
        emu.bp_call(
            "PUT",
            "/deploy",
            {"version": status["staging_version"], "description": "bench"},
            "async=full",
            expect=202,
            profile=tag + "-deploy",
        )
    ]
    task_id = deploy[0]["body"]["task_id"]
    while deploy[-1]["body"].get("status") not in ("succeeded", "failed", "timeout"):
        deploy.append(emu.bp_call("GET", "/tasks/%s" % task_id, profile=tag + "-deploy_poll"))
        if len(deploy) > 20:
            raise BenchError("the deploy task did not complete after 20 polls")
    if record("deploy to completion", deploy)["status"] != "succeeded":
        raise BenchError("the deploy task failed: %s" % deploy[-1]["body"])
    deployed = list(query("bindings query (deployed)", BINDINGS_QUERY, "deployed"))
    if sum(1 for row in deployed if row.get("intf")) != applied:
        raise BenchError("the deployed graph does not hold the %d applied points" % applied)
    del deployed
    query("VN query (deployed)", VIRTUAL_NETWORKS_QUERY, "deployed")
    return steps


def peak_rss_mb():
    """The process's peak resident memory so far, in MB (cases run one after the other: the largest so far)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0))


def _size(count):
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return ("%d %s" % (count, unit)) if unit == "B" else ("%.1f %s" % (count, unit))
        count /= 1000.0
    return str(count)


def print_case(case, out=None):
    out = out or sys.stdout
    out.write(
        "\nM = %d servers (%d leafs), N = %d networks: %d application points\n"
        % (case["servers"], case["leafs"], case["networks"], case["application_points"])
    )
    out.write(
        "%-28s %9s %9s %6s %10s %10s\n" % ("step", "wall s", "cpu s", "calls", "rows", "response")
    )
    for step in case["steps"]:
        out.write(
            "%-28s %9.3f %9.3f %6d %10s %10s\n"
            % (
                step["step"],
                step["seconds"],
                step["cpu"],
                step["calls"],
                step.get("rows", step.get("points", "")),
                _size(step["bytes"]),
            )
        )
    out.write("%-28s %9.3f %9.3f\n" % ("total", case["total_seconds"], case["total_cpu"]))
    out.write("peak memory of the process so far: %d MB\n" % case["peak_rss_mb"])


def print_matrix(cases, key="seconds", title="wall seconds", out=None):
    """One figure per step (rows) and case (columns)."""
    out = out or sys.stdout
    if not cases:
        return
    heads = ["%dx%d" % (c["networks"], c["servers"]) for c in cases]
    names = list(dict.fromkeys(s["step"] for c in cases for s in c["steps"]))
    out.write("\n%s per step, N networks x M servers\n" % title)
    out.write("%-28s" % "step" + "".join("%11s" % h for h in heads) + "\n")
    for name in names + ["total"]:
        cells = []
        for case in cases:
            if name == "total":
                cells.append(case["total_" + ("seconds" if key == "seconds" else key)])
            else:
                cells.append(next((s[key] for s in case["steps"] if s["step"] == name), None))
        out.write(
            "%-28s" % name
            + "".join("%11s" % ("-" if v is None else "%.3f" % v) for v in cells)
            + "\n"
        )


def _numbers(text):
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of numbers, got %r" % text)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m apstra_sim.bench", description=__doc__.strip().splitlines()[0]
    )
    parser.add_argument(
        "--servers",
        type=_numbers,
        default=list(SERVERS),
        help="lab sizes M (default 268,1000,2000)",
    )
    parser.add_argument(
        "--networks",
        type=_numbers,
        default=list(NETWORKS),
        help="network counts N (default 50,200,500)",
    )
    parser.add_argument("--dual-homed", type=float, default=0.5, help="as apstra_sim.generate's")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="write a cProfile file per heavy call (<N>x<M>-<step>.prof)",
    )
    parser.add_argument("--quiet", action="store_true", help="only the final table")
    args = parser.parse_args(argv)
    if args.profile:
        os.makedirs(args.profile, exist_ok=True)
    started = time.time()
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "dual_homed": args.dual_homed,
        "cases": [],
    }

    def progress(tag, step):
        if not args.quiet:
            sys.stderr.write(
                "  %-10s %-28s %9.3f s (cpu %.3f s)\n"
                % (tag, step["step"], step["seconds"], step["cpu"])
            )
            sys.stderr.flush()

    status = 0
    with tempfile.TemporaryDirectory(prefix="apstra-sim-bench-") as directory:
        for servers in args.servers:
            leafs = leafs_for(servers)
            path = write_lab(directory, servers, leafs, args.dual_homed)
            for networks in args.networks:
                case = {"servers": servers, "leafs": leafs, "networks": networks}
                try:
                    case["steps"] = run_case(path, servers, leafs, networks, args.profile, progress)
                except BenchError as exc:
                    sys.stderr.write("bench %dx%d: %s\n" % (networks, servers, exc))
                    status = 1
                    continue
                finally:
                    gc.collect()
                case["application_points"] = next(
                    s["points"] for s in case["steps"] if "points" in s
                )
                case["total_seconds"] = sum(s["seconds"] for s in case["steps"])
                case["total_cpu"] = sum(s["cpu"] for s in case["steps"])
                case["peak_rss_mb"] = peak_rss_mb()
                result["cases"].append(case)
                if not args.quiet:
                    print_case(case)
                    sys.stdout.flush()
    result["wall_seconds"] = time.time() - started
    print_matrix(result["cases"])
    print_matrix(result["cases"], "cpu", "CPU seconds")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
