"""Generate a large fabric topology for benchmarks: python -m apstra_sim.generate --leafs 32 --servers 1000 > fabric.yml.

Racks are single leafs or ESI leaf pairs; servers are spread over racks round-robin, one 25G link each, except that on
ESI pairs a share of them (--dual-homed) get one link to each leaf bundled into an ESI LAG. Output is deterministic.
"""

import argparse
import sys

import yaml


def port_name(index):
    return "xe-0/%d/%d" % divmod(index, 48)


def generate(leafs=32, servers=1000, spines=2, esi_pairs=None, dual_homed=0.5, blueprint="dc1"):
    esi_pairs = leafs // 4 if esi_pairs is None else esi_pairs
    if (
        leafs < 1
        or servers < 0
        or spines < 0
        or not 0 <= esi_pairs * 2 <= leafs
        or not 0 <= dual_homed <= 1
    ):
        raise ValueError(
            "need leafs >= 1, servers >= 0, spines >= 0, 2 * esi_pairs <= leafs and 0 <= dual_homed <= 1"
        )
    leaf_names = ["leaf%d" % (i + 1) for i in range(leafs)]
    paired = leaf_names[leafs - 2 * esi_pairs :]
    pairs = [
        {"name": "%s-%s" % (paired[i], paired[i + 1]), "leafs": [paired[i], paired[i + 1]]}
        for i in range(0, len(paired), 2)
    ]
    racks = [[name] for name in leaf_names[: leafs - 2 * esi_pairs]] + [
        pair["leafs"] for pair in pairs
    ]
    next_port = dict.fromkeys(leaf_names, 1)
    lag_count = {}
    hosts = []
    for index in range(servers):
        rack = racks[index % len(racks)]
        visit = index // len(racks)
        hostname = "worker-%04d" % (index + 1)
        if (
            len(rack) == 2
            and dual_homed
            and int((visit + 1) * dual_homed) > int(visit * dual_homed)
        ):
            lag_count[rack[0]] = lag_count.get(rack[0], 0) + 1
            links = []
            for nic, leaf in zip(("ens1f0", "ens1f1"), rack):
                links.append(
                    {"leaf": leaf, "port": port_name(next_port[leaf]), "nic": nic, "speed": "25G"}
                )
                next_port[leaf] += 1
            hosts.append({"hostname": hostname, "lag": "ae%d" % lag_count[rack[0]], "links": links})
        else:
            leaf = rack[visit % len(rack)]
            hosts.append(
                {
                    "hostname": hostname,
                    "links": [
                        {
                            "leaf": leaf,
                            "port": port_name(next_port[leaf]),
                            "nic": "ens1f0",
                            "speed": "25G",
                        }
                    ],
                }
            )
            next_port[leaf] += 1
    return {
        "blueprint": blueprint,
        "apstra_version": "5.1.0",
        "spine_link_speed": "100G",
        "spines": ["spine%d" % (i + 1) for i in range(spines)],
        "leafs": leaf_names,
        "esi_pairs": pairs,
        "vni_pool": [10000, 19999],
        "servers": hosts,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m apstra_sim.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--leafs", type=int, default=32)
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--spines", type=int, default=2)
    parser.add_argument(
        "--esi-pairs", type=int, default=None, help="number of ESI leaf pairs (default: leafs // 4)"
    )
    parser.add_argument(
        "--dual-homed",
        type=float,
        default=0.5,
        help="share of servers on ESI pairs that get an ESI LAG",
    )
    parser.add_argument("--blueprint", default="dc1", help="blueprint label")
    parser.add_argument("--output", "-o", help="write here instead of stdout")
    args = parser.parse_args(argv)
    try:
        spec = generate(
            args.leafs, args.servers, args.spines, args.esi_pairs, args.dual_homed, args.blueprint
        )
    except ValueError as exc:
        parser.error(str(exc))
    text = yaml.safe_dump(spec, sort_keys=False, default_flow_style=None, width=200)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
