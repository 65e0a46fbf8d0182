"""HTTP(S) front end: control API under /_sim/, fault injection, auth, routing and the request log.

`start_server(topology_path, port=0, tls=False, **opts)` serves on 127.0.0.1 in a background thread. Faults, the request
log and the control API are sim_core's, shared with k8s_sim.
"""

import contextlib
import datetime
import gc
import ipaddress
import json
import os
import socket
import ssl
import struct
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from apstra_sim import faults as apstra_faults
from apstra_sim import routes, topology
from apstra_sim.backend import Backend
from apstra_sim.errors import ApiError, BadRequest
from apstra_sim.qe import Answer
from apstra_sim.responses import Context
from sim_core.control import PREFIX, ControlApi, ControlError
from sim_core.log import CallClock, RequestLog

BACKEND_OPTIONS = ("username", "password", "token_ttl", "task_polls", "task_seconds", "users")


@contextlib.contextmanager
def gc_paused():
    """Python's cyclic garbage collector off while a call is decoded, handled and encoded (on again after, if it was
    on).

    A large call makes millions of objects (a batch-apply's request 200,000 policy entries and about eight graph
    dicts per application point, a graph query a row per match) and none of them form cycles; while they pile up,
    the collector would walk the whole graph again and again (a quarter of a 200,000-point batch-apply). After the
    call it runs as usual, over what the call left behind. Calls decoded or encoded while another one is handled may
    turn it on early (then that call only runs slower).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def encode_body(body):
    """The bytes of an answer's JSON body (empty for no body), as the server sends them."""
    if body is None:
        return b""
    with gc_paused():
        return body.to_json_bytes() if isinstance(body, Answer) else json.dumps(body).encode()


def decode_body(raw):
    """A request's JSON body (None when empty); ValueError when it is not JSON."""
    if not raw.strip():
        return None
    with gc_paused():
        return json.loads(raw)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "apstra-sim"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: the request log is available through /_sim/requests."""

    def do_GET(self):
        self.handle_call()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass

    def _send(self, status, body, headers=None):
        self._send_payload(status, encode_body(body), headers)

    def _send_payload(self, status, payload, headers=None):
        self.send_response(status)
        if payload:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _reset(self):
        """Drop the connection with a TCP RST, as a crashed proxy or a dying API server would."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _read_raw(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_call(self):
        sim = self.server.sim
        url = urlsplit(self.path)
        path, method = url.path, self.command
        raw = self._read_raw()
        if path.startswith(PREFIX):
            self._send(*sim.control.handle(method, path, raw))
            return
        clock = CallClock()
        query = {
            key: values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()
        }
        try:
            body = decode_body(raw)
        except ValueError:
            error = BadRequest("Request body is not valid JSON")
            payload = encode_body(error.body)
            sim.log_call(method, path, url.query, error.status, clock=clock, size=len(payload))
            self._send_payload(error.status, payload)
            return
        result = sim.call(method, path, query, body, self.headers.get("AuthToken"), clock)
        payload = b"" if result.dropped else encode_body(result.body)
        sim.log_call(
            method,
            path,
            url.query,
            0 if result.dropped else result.status,
            result.fault,
            clock,
            len(payload),
        )
        if result.dropped:
            self._reset()
            return
        self._send_payload(result.status, payload, result.headers)


class CallResult:
    """What becomes of an API call: the answer, or a dropped connection (`dropped`); `fault` names the action that
    decided it, if any."""

    def __init__(self, status, body=None, headers=None, dropped=False, fault=None):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.dropped = dropped
        self.fault = fault


class Simulator:
    """The backend, its faults and log, and how a call flows through them."""

    def __init__(self, topology_path, faults=None, seed=0, latency=0.0, **options):
        unknown = set(options) - set(BACKEND_OPTIONS)
        if unknown:
            raise TypeError("unknown simulator option(s): %s" % ", ".join(sorted(unknown)))
        if isinstance(latency, bool) or not isinstance(latency, (int, float)) or latency < 0:
            raise ValueError("latency must be a number of seconds >= 0")
        self.topology_path = topology_path
        paths = topology_path if isinstance(topology_path, (list, tuple)) else [topology_path]
        self.backend = Backend([topology.load(path) for path in paths], **options)
        self.faults = apstra_faults.fault_set(faults, seed)
        self.latency = float(latency)
        self.log = RequestLog()
        self.lock = threading.RLock()
        self.control = ControlApi(
            self.faults,
            self.log,
            self._reset_state,
            self._state,
            endpoints={("POST", "users"): self._add_users, ("GET", "users"): self._list_users},
        )

    def log_call(self, method, path, query, status, fault=None, clock=None, size=None):
        """Log a call; `clock` (a CallClock) and `size` (of the response body) give "elapsed_ms" and "bytes"."""
        entry = {
            "method": method,
            "path": path,
            "query": query,
            "status": status,
            "write": routes.is_write(method, path),
        }
        if fault:
            entry["fault"] = fault
        self.log.add(entry, clock or CallClock(), 0 if size is None else size)

    def _reset_state(self):
        with self.lock:
            self.backend.reset()

    def _state(self):
        with self.lock:
            return self.backend.state()

    def _list_users(self, _body):
        with self.lock:
            return 200, {"users": sorted(self.backend.users)}

    def _add_users(self, body):
        """POST /_sim/users: {"username", "password"} or a list of them; they can log in at once."""
        specs = body if isinstance(body, list) else [body]
        if not specs or not all(
            isinstance(s, dict) and set(s) == {"username", "password"} for s in specs
        ):
            raise ControlError(
                'a user is {"username": NAME, "password": PASSWORD}; post one or a list'
            )
        with self.lock:
            for spec in specs:
                try:
                    self.backend.add_user(spec["username"], spec["password"])
                except ValueError as exc:
                    raise ControlError(str(exc)) from exc
            return 200, {"users": sorted(self.backend.users)}

    def _blueprints_of(self, path):
        parts = path.split("/")
        if len(parts) > 3 and parts[2] == "blueprints" and parts[3] in self.backend.blueprints:
            return [self.backend.blueprints[parts[3]]]
        return list(self.backend.blueprints.values())

    def call(self, method, path, query, body, token, clock=None):
        """A CallResult for an API call: faults first (latency, state actions, a failing rule), then the handler.

        `clock` (a CallClock) leaves out the latency, fault delays and the wait for another call to finish.
        """
        clock = clock or CallClock()
        if self.latency and path.startswith("/api/"):
            clock.sleep(self.latency)
        outcome = self.faults.fire({"method": method, "path": path})
        if outcome.delay:
            clock.sleep(outcome.delay)
        flags = {}
        for rule in outcome.effects:
            if rule.action == "deploy_fail":
                flags["deploy_fail"] = rule.option("message", apstra_faults.DEPLOY_FAIL_MESSAGE)
            else:
                with self._locked(clock):
                    self._state_fault(rule, path, token)
        if outcome.drop_before:
            return CallResult(None, dropped=True, fault=outcome.fault)
        if outcome.failure is not None:
            status, answer, headers = apstra_faults.render(outcome.failure)
        else:
            status, answer, headers = self._handle(method, path, query, body, token, flags, clock)
        return CallResult(status, answer, headers, dropped=outcome.drop_after, fault=outcome.fault)

    @contextlib.contextmanager
    def _locked(self, clock):
        """The backend's lock (one call at a time), the wait for it not counted on `clock`."""
        with clock.paused():
            self.lock.acquire()
        try:
            yield
        finally:
            self.lock.release()

    def _handle(self, method, path, query, body, token, flags, clock):
        try:
            handler, params, needs_auth = routes.resolve(method, path)
            ctx = Context(self.backend, method, path, query, body, token, params, flags)
            with self._locked(clock), gc_paused():
                if needs_auth:
                    ctx.user = self.backend.authenticate(token)
                status, answer = handler(ctx)
            return status, answer, {}
        except ApiError as exc:
            return exc.status, exc.body, exc.headers

    def _state_fault(self, rule, path, token):
        username = rule.option("username", "operator")
        if rule.action == "expire_token":
            self.backend.expire_token(token)
        elif rule.action == "bump_version":
            for blueprint in self._blueprints_of(path):
                blueprint.concurrent_write(username)
        elif rule.action == "lock":
            seconds, polls = rule.option("seconds"), rule.option("polls")
            for blueprint in self._blueprints_of(path):
                blueprint.lock = {
                    "type": "lock_by_user",
                    "username": username,
                    "until": time.monotonic() + seconds if seconds else None,
                    "polls": polls,
                }


def _self_signed(directory):
    """Write a fresh self-signed certificate for localhost / 127.0.0.1; returns (cert path, key path, cert PEM)."""
    # pylint: disable=import-outside-toplevel
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "apstra-sim")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as handle:
        handle.write(cert_pem)
    with open(key_path, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return cert_path, key_path, cert_pem.decode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class SimServer:
    """A running simulator: `url`, `stop()`, and `sim` (backend, faults, log) for in-process inspection."""

    def __init__(self, topology_path, port=0, tls=False, host="127.0.0.1", **opts):
        self.sim = Simulator(topology_path, **opts)
        self.httpd = _Server((host, port), Handler)
        self.httpd.sim = self.sim
        self.cert_pem = None
        if tls:
            with tempfile.TemporaryDirectory() as directory:
                cert_path, key_path, self.cert_pem = _self_signed(directory)
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert_path, key_path)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.host, self.port = self.httpd.server_address[:2]
        self.url = "%s://%s:%d" % ("https" if tls else "http", host, self.port)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="apstra-sim",
            daemon=True,
        )
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def start_server(topology_path, port=0, tls=False, **opts):
    """Start the simulator on 127.0.0.1 (or opts["host"]) in a background thread.

    ``topology_path``: one topology file, or a list of them (one blueprint each, labels must differ).
    Options: username, password, users ({name: password} of more users), token_ttl (seconds), task_polls, task_seconds,
    latency (seconds added to every /api/ call), faults (rules), seed (of the RNG behind fractional faults), host.
    """
    return SimServer(topology_path, port=port, tls=tls, **opts)
