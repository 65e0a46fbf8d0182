"""python -m k8s_sim --seed FILE --port N [--host H] [--kubeconfig OUT] [--token T] [--crds PATH ...] [--fault JSON ...]"""

import argparse
import json
import signal
import threading
from pathlib import Path

from .server import start_server

DEMO_SEED = Path(__file__).resolve().parent / "seeds" / "demo.yml"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m k8s_sim", description="In-memory Kubernetes API emulator")
    parser.add_argument("--seed", default=str(DEMO_SEED), help="seed YAML (default: the demo cluster)")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--kubeconfig", help="write a kubeconfig for this server here")
    parser.add_argument("--token", help="require this bearer token (401 without it)")
    parser.add_argument("--crds", nargs="*", default=[], help="extra CRD files or directories")
    parser.add_argument("--fault", action="append", default=[], type=json.loads, help="a fault rule as JSON (repeatable)")
    parser.add_argument("--random-seed", type=int, help="seed of the RNG behind fault rules' probability")
    args = parser.parse_args(argv)
    server = start_server(args.seed, port=args.port, token=args.token, host=args.host, crds=args.crds, faults=args.fault,
                          seed=args.random_seed)
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
