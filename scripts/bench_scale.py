"""The bench at scale (issue 26): N networks on M servers, a first provision, a no-op and "add one network", with the
collection's share of each run printed apart from the emulators'.

    python scripts/bench_scale.py [--points 200x268,200x1000,500x2000] [--apstra-latency-ms 50] [--results DIR]

(`make bench` runs it after the grid of scripts/bench.py.) For each run: the wall time; the emulators' share (the sum
of `elapsed_ms` of their request logs: the time they spent on the calls) and the configured Apstra latency (per
call; the device reads leave four at a time); what is left is the collection's own (Ansible, the modules, the client); Apstra calls (the device configuration
reads, one per touched leaf, apart) and Kubernetes calls; bytes received from both; the peak memory (maximum resident
set) of the largest controller process (ansible-playbook and the modules it runs). Figures are printed and written,
never asserted.
"""

import argparse
import datetime
import json
import math
import os
import subprocess
import sys
import time

import yaml
from bench import BIN, OUT, REPO, Lab, ansible_env, collections_path, intent, log, tally

# servers -> leafs of the scale labs (issue 26: 1,000 servers on 64 leafs, 2,000 on 128; 268 on 16 is the reference
# of "add one network").
SCALE_LEAFS = {268: 16, 1000: 64, 2000: 128}
DEFAULT_POINTS = "200x268,200x1000,500x2000"
# The device configuration reads leave together, as many at a time as the client's MAX_CONCURRENT_READS.
DEVICE_READS_AT_ONCE = 4
# The child runs ansible-playbook and reports the largest resident set among the processes it waited for (the
# playbook and, through it, every module process) in KiB (Linux ru_maxrss).
PEAK_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


def run_playbook(lab, intent_file, name):
    """(wall s, peak KiB) of playbooks/provision.yml on ``intent_file``; a failed run stops the bench."""
    peak_file = OUT / ("peak_%s.txt" % name)
    cmd = [
        sys.executable,
        "-c",
        PEAK_WRAPPER,
        str(peak_file),
        str(BIN / "ansible-playbook"),
        "-i",
        "localhost,",
        "playbooks/provision.yml",
        "-e",
        "intent_file=%s" % intent_file,
        "-e",
        "reports_dir=%s" % (OUT / "reports"),
    ]
    started = time.monotonic()
    proc = subprocess.run(
        cmd, env=ansible_env(lab.env), cwd=REPO, capture_output=True, text=True, check=False
    )
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(
            "bench: %s failed\n%s\n%s" % (name, proc.stdout[-4000:], proc.stderr[-2000:])
        )
    return wall, int(peak_file.read_text())


def latency_of(calls, device_reads, latency_ms):
    """Seconds of configured latency in a run's wall: each call's, but the device reads go DEVICE_READS_AT_ONCE at a
    time."""
    return (calls + math.ceil(device_reads / float(DEVICE_READS_AT_ONCE))) * latency_ms / 1000.0


def measured(lab, run, networks, intent_file):
    lab.clear()
    wall, peak_kib = run_playbook(lab, intent_file, "%s_%d_%d" % (run, networks, lab.servers))
    logs = lab.logs()
    counts = tally(logs)
    emulators_s = sum(e.get("elapsed_ms", 0) for entries in logs.values() for e in entries) / 1000.0
    latency_s = latency_of(counts["apstra_calls"], counts["device_reads"], lab.latency_ms)
    return {
        "run": run,
        "networks": networks,
        "servers": lab.servers,
        "leafs": SCALE_LEAFS.get(lab.servers),
        "wall_s": round(wall, 2),
        "emulators_s": round(emulators_s, 2),
        "latency_s": round(latency_s, 2),
        "collection_s": round(wall - emulators_s - latency_s, 2),
        "apstra_calls": counts["apstra_calls"],
        "device_reads": counts["device_reads"],
        "apstra_writes": counts["apstra_writes"],
        "k8s_calls": counts["k8s_calls"],
        "bytes_received": sum(e.get("bytes", 0) for entries in logs.values() for e in entries),
        "peak_mb": round(peak_kib / 1024.0, 1),
        "apstra_endpoints": counts["apstra_endpoints"],
    }


def write_intent(networks, servers):
    path = OUT / ("scale_intent_%d_%d.yml" % (networks, servers))
    path.write_text(yaml.safe_dump(intent(networks), sort_keys=False))
    return path


def scale_point(networks, servers, latency_ms):
    """First provision of N networks, the no-op re-run, then the intent with one network more."""
    lab = Lab(servers, latency_ms, leafs=SCALE_LEAFS[servers])
    try:
        lab.reset()
        rows = [measured(lab, "first", networks, write_intent(networks, servers))]
        rows.append(measured(lab, "noop", networks, write_intent(networks, servers)))
        rows.append(measured(lab, "add one", networks, write_intent(networks + 1, servers)))
    finally:
        lab.stop()
    for row in rows:
        log(line(row))
    return rows


def line(row):
    return (
        "  N=%-3d M=%-4d %-8s %6.1f s (emulators %5.1f s, latency %4.1f s, collection %5.1f s)  Apstra %3d calls"
        " (%d writes) + %d device reads  k8s %3d  received %7.1f MB  peak %6.0f MB"
        % (
            row["networks"],
            row["servers"],
            row["run"],
            row["wall_s"],
            row["emulators_s"],
            row["latency_s"],
            row["collection_s"],
            row["apstra_calls"],
            row["apstra_writes"],
            row["device_reads"],
            row["k8s_calls"],
            row["bytes_received"] / 1e6,
            row["peak_mb"],
        )
    )


def table(rows):
    out = [
        "| N | M (leafs) | run | wall s | emulators s | latency s | collection s | Apstra calls | writes"
        " | device reads | k8s calls | MB received | peak MB |",
        "| --: | --: | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |",
    ]
    out += [
        "| %d | %d (%s) | %s | %.1f | %.1f | %.1f | %.1f | %d | %d | %d | %d | %.1f | %.0f |"
        % (
            r["networks"],
            r["servers"],
            r["leafs"],
            r["run"],
            r["wall_s"],
            r["emulators_s"],
            r["latency_s"],
            r["collection_s"],
            r["apstra_calls"],
            r["apstra_writes"],
            r["device_reads"],
            r["k8s_calls"],
            r["bytes_received"] / 1e6,
            r["peak_mb"],
        )
        for r in rows
    ]
    return out


def targets(rows):
    """Issue 26's targets next to the figures (met / not met), never asserted."""
    by = dict(((r["run"], r["networks"], r["servers"]), r) for r in rows)
    out = []

    def add(name, key, figure, met):
        if all(k in by for k in key):
            out.append({"target": name, "figure": figure(), "met": bool(met())})

    first, noop = ("first", 200, 1000), ("noop", 200, 1000)
    add(
        "N=200, M=1,000 first provision: at most 25 Apstra calls (the device reads of issue 23 apart)",
        [first],
        lambda: by[first]["apstra_calls"],
        lambda: by[first]["apstra_calls"] <= 25,
    )
    add(
        "N=200, M=1,000 first provision: wall at most 60 s, at most 15 s outside the emulators",
        [first],
        lambda: "%.1f s, %.1f s outside" % (by[first]["wall_s"], by[first]["collection_s"]),
        lambda: by[first]["wall_s"] <= 60 and by[first]["collection_s"] <= 15,
    )
    add(
        "N=200, M=1,000 no-op: at most 10 s",
        [noop],
        lambda: "%.1f s" % by[noop]["wall_s"],
        lambda: by[noop]["wall_s"] <= 10,
    )
    big, small = ("add one", 200, 1000), ("add one", 200, 268)
    add(
        "add one network to 200: M=1,000 at most 3x M=268",
        [big, small],
        lambda: "%.1f s vs %.1f s (%.1fx)"
        % (by[big]["wall_s"], by[small]["wall_s"], by[big]["wall_s"] / by[small]["wall_s"]),
        lambda: by[big]["wall_s"] <= 3 * by[small]["wall_s"],
    )
    largest = max(rows, key=lambda r: (r["networks"] * r["servers"]))
    add(
        "peak memory of the controller under 1 GB at the largest point",
        [("first", largest["networks"], largest["servers"])],
        lambda: "%.0f MB" % max(r["peak_mb"] for r in rows if r["servers"] == largest["servers"]),
        lambda: max(r["peak_mb"] for r in rows if r["servers"] == largest["servers"]) < 1024,
    )
    return out


SHARES = (
    ("emulators_s", "emulators", "#1f77b4"),
    ("latency_s", "latency", "#aec7e8"),
    ("collection_s", "collection", "#d62728"),
)


def svg(rows):
    """One stacked bar per run: the emulators' share, the configured latency and the collection's own seconds."""
    bar_height, gap, left, top = 18, 8, 210, 40
    longest = max(r["wall_s"] for r in rows) or 1.0
    scale = 520.0 / longest
    height = top + len(rows) * (bar_height + gap) + 40
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="%d" font-family="sans-serif">'
        % height,
        '<text x="10" y="22" font-size="14" font-weight="bold">Wall time per run at scale: emulators, latency,'
        " collection (s)</text>",
    ]
    for index, row in enumerate(rows):
        y = top + index * (bar_height + gap)
        parts.append(
            '<text x="%d" y="%d" font-size="11" text-anchor="end">N=%d M=%d %s</text>'
            % (left - 6, y + 13, row["networks"], row["servers"], row["run"])
        )
        x = left
        for key, _name, colour in SHARES:
            width = max(row[key], 0) * scale
            parts.append(
                '<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>'
                % (x, y, width, bar_height, colour)
            )
            x += width
        parts.append(
            '<text x="%.1f" y="%d" font-size="11">%.1f s, %d calls, %.0f MB, peak %.0f MB</text>'
            % (
                x + 4,
                y + 13,
                row["wall_s"],
                row["apstra_calls"],
                row["bytes_received"] / 1e6,
                row["peak_mb"],
            )
        )
    for index, (_key, name, colour) in enumerate(SHARES):
        x = left + index * 120
        parts.append(
            '<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (x, height - 24, colour)
        )
        parts.append('<text x="%d" y="%d" font-size="11">%s</text>' % (x + 16, height - 14, name))
    return "\n".join(parts + ["</svg>"]) + "\n"


def points(text):
    out = []
    for item in text.split(","):
        networks, servers = item.lower().split("x")
        if int(servers) not in SCALE_LEAFS:
            raise SystemExit("bench: M must be one of %s" % ", ".join(map(str, SCALE_LEAFS)))
        out.append((int(networks), int(servers)))
    return out


def run(point_list, latency_ms):
    """Every point; the rows, the Markdown section and the targets."""
    rows = []
    for networks, servers in point_list:
        log("scale: N=%d on M=%d (%d leafs)" % (networks, servers, SCALE_LEAFS[servers]))
        rows += scale_point(networks, servers, latency_ms)
    goals = targets(rows)
    text = (
        ["## At scale (issue 26)", ""]
        + table(rows)
        + ["", "| target | figure | |", "| --- | --- | --- |"]
    )
    text += [
        "| %s | %s | %s |" % (g["target"], g["figure"], "met" if g["met"] else "NOT MET")
        for g in goals
    ]
    return rows, goals, text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", default=os.environ.get("BENCH_SCALE_POINTS", DEFAULT_POINTS))
    parser.add_argument(
        "--apstra-latency-ms",
        type=float,
        default=float(os.environ.get("BENCH_APSTRA_LATENCY_MS", 50)),
    )
    parser.add_argument(
        "--results", type=str, help="write bench-scale-<date>.{json,md,svg} into this directory"
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = collections_path()
    os.environ.setdefault("ANSIBLE_NOCOLOR", "1")
    rows, goals, text = run(points(args.points), args.apstra_latency_ms)
    log("\n".join(text))
    if args.results:
        write_results(args.results, rows, goals, text, args.apstra_latency_ms)


def write_results(directory, rows, goals, text, latency_ms):
    stem = os.path.join(directory, "bench-scale-%s" % datetime.date.today().isoformat())
    os.makedirs(directory, exist_ok=True)
    with open(stem + ".json", "w", encoding="utf-8") as handle:
        json.dump(
            {"apstra_latency_ms": latency_ms, "rows": rows, "targets": goals}, handle, indent=1
        )
    with open(stem + ".md", "w", encoding="utf-8") as handle:
        handle.write(
            "\n".join(
                [
                    "# Benchmark at scale",
                    "",
                    "Apstra latency %g ms per call (the device reads %d at a time)."
                    % (latency_ms, DEVICE_READS_AT_ONCE),
                    "",
                ]
                + text
            )
            + "\n"
        )
    with open(stem + ".svg", "w", encoding="utf-8") as handle:
        handle.write(svg(rows))
    log("results: %s.{json,md,svg}" % stem)


if __name__ == "__main__":
    main()
