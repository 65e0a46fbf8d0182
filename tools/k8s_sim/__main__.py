"""python -m k8s_sim --seed FILE --port N [--host H] [--kubeconfig OUT] [--token T] [--crds PATH ...] [--fault JSON ...] [--history N]
[--bookmark-interval S] [--no-sriov-operator] [--sriov-operator-namespace NS] [--sriov-resource-prefix P]
[--cluster-id ID] [--no-cn2-controller] [--cn2-pod-subnet CIDR]
"""

import argparse
import json
import signal
import threading
from pathlib import Path

from .server import start_server

DEMO_SEED = Path(__file__).resolve().parent / "seeds" / "demo.yml"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m k8s_sim", description="In-memory Kubernetes API emulator"
    )
    parser.add_argument(
        "--seed", default=str(DEMO_SEED), help="seed YAML (default: the demo cluster)"
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--kubeconfig", help="write a kubeconfig for this server here")
    parser.add_argument("--token", help="require this bearer token (401 without it)")
    parser.add_argument("--crds", nargs="*", default=[], help="extra CRD files or directories")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        type=json.loads,
        help="a fault rule as JSON (repeatable)",
    )
    parser.add_argument(
        "--random-seed", type=int, help="seed of the RNG behind fault rules' probability"
    )
    parser.add_argument(
        "--history",
        type=int,
        default=20000,
        help="events kept for watches to resume from (default 20000)",
    )
    parser.add_argument(
        "--bookmark-interval",
        type=float,
        default=60.0,
        help="least seconds between two BOOKMARKs of a watch (default 60)",
    )
    parser.add_argument(
        "--no-sriov-operator",
        dest="sriov_operator",
        action="store_false",
        help="do not run the SR-IOV network operator (SriovNetworks then render no NAD)",
    )
    parser.add_argument(
        "--sriov-operator-namespace",
        default="sriov-network-operator",
        help="the operator's namespace",
    )
    parser.add_argument(
        "--sriov-resource-prefix",
        default="openshift.io",
        help="the operator's RESOURCE_PREFIX (default openshift.io)",
    )
    parser.add_argument(
        "--cluster-id",
        default="k8s-sim",
        help="seeds the uids of seeded objects (kube-system's uid identifies a cluster); default k8s-sim",
    )
    parser.add_argument(
        "--no-cn2-controller",
        dest="cn2_controller",
        action="store_false",
        help="do not run CN2's part (pods then get no primary network record, CN2 objects no status)",
    )
    parser.add_argument(
        "--cn2-pod-subnet",
        default="10.244.0.0/16",
        help="the cluster's default pod network CIDR (default 10.244.0.0/16)",
    )
    args = parser.parse_args(argv)
    server = start_server(
        args.seed,
        port=args.port,
        token=args.token,
        host=args.host,
        crds=args.crds,
        faults=args.fault,
        seed=args.random_seed,
        history=args.history,
        bookmark_interval=args.bookmark_interval,
        sriov_operator=args.sriov_operator,
        sriov_operator_namespace=args.sriov_operator_namespace,
        sriov_resource_prefix=args.sriov_resource_prefix,
        cluster_id=args.cluster_id,
        cn2_controller=args.cn2_controller,
        cn2_pod_subnet=args.cn2_pod_subnet,
    )
    if args.kubeconfig:
        server.write_kubeconfig(args.kubeconfig)
    print("k8s_sim serving %s on %s" % (args.seed, server.url), flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
