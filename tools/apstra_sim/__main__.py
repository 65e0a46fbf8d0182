"""Command line: python -m apstra_sim --topology FILE --port N [--tls] [--host H] [options]."""

import argparse
import json
import signal
import sys
import threading

from apstra_sim.server import start_server


def _user(text):
    name, sep, password = text.partition(":")
    if not sep or not name:
        raise argparse.ArgumentTypeError("a user is NAME:PASSWORD, got %r" % text)
    return name, password


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m apstra_sim", description="In-memory Juniper Apstra REST API emulator"
    )
    parser.add_argument(
        "--topology",
        required=True,
        action="append",
        help="topology YAML file (see README.md); repeatable: one blueprint per file",
    )
    parser.add_argument(
        "--port", type=int, default=8443, help="port to listen on (0 picks a free one)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a self-signed certificate made at start",
    )
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="sim-admin-password")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        type=_user,
        metavar="NAME:PASSWORD",
        help="one more user who can log in (repeatable)",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="milliseconds added to every /api/ call (default 0)",
    )
    parser.add_argument(
        "--token-ttl", type=float, default=86400.0, help="auth token lifetime in seconds"
    )
    parser.add_argument(
        "--task-polls", type=int, default=2, help="polls after which an async deploy task completes"
    )
    parser.add_argument(
        "--task-seconds",
        type=float,
        default=1.0,
        help="seconds after which an async deploy task completes",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="JSON",
        help="a fault rule (JSON object); repeatable",
    )
    parser.add_argument("--faults-file", help="JSON file with a list of fault rules")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the RNG behind fractional faults"
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    rules = [json.loads(text) for text in args.fault]
    if args.faults_file:
        with open(args.faults_file, encoding="utf-8") as handle:
            loaded = json.load(handle)
        rules.extend(loaded if isinstance(loaded, list) else [loaded])
    if args.latency_ms < 0:
        raise SystemExit("--latency-ms must be >= 0")
    server = start_server(
        args.topology,
        port=args.port,
        tls=args.tls,
        host=args.host,
        username=args.username,
        password=args.password,
        users=dict(args.user),
        token_ttl=args.token_ttl,
        task_polls=args.task_polls,
        task_seconds=args.task_seconds,
        latency=args.latency_ms / 1000.0,
        faults=rules,
        seed=args.seed,
    )
    print(
        "apstra-sim serving %s (blueprint %s) at %s"
        % (
            ", ".join(args.topology),
            ", ".join(
                "%s id %s" % (bp.label, bp.id) for bp in server.sim.backend.blueprints.values()
            ),
            server.url,
        ),
        flush=True,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
