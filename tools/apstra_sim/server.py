"""HTTP(S) front end: control API under /_sim/, fault injection, auth, routing and the request log.

`start_server(topology_path, port=0, tls=False, **opts)` serves on 127.0.0.1 in a background thread.
"""

import datetime
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

from apstra_sim import routes, topology
from apstra_sim.errors import ApiError, BadRequest, NotFound
from apstra_sim.faults import Faults
from apstra_sim.models import Backend
from apstra_sim.responses import Context

BACKEND_OPTIONS = ("username", "password", "token_ttl", "task_polls", "task_seconds")


class RequestLog:
    def __init__(self):
        self.entries = []
        self.lock = threading.Lock()

    def add(self, method, path, query, status):
        with self.lock:
            self.entries.append({"method": method, "path": path, "query": query, "status": status, "write": routes.is_write(method, path)})

    def clear(self):
        with self.lock:
            self.entries = []

    def to_json(self):
        with self.lock:
            return {"requests": list(self.entries)}


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
        payload = b"" if body is None else json.dumps(body).encode()
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

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise BadRequest("Request body is not valid JSON")

    def handle_call(self):
        sim = self.server.sim
        url = urlsplit(self.path)
        path, method = url.path, self.command
        try:
            body = self._read_body()
        except BadRequest as exc:
            self._send(exc.status, exc.body)
            return
        if path.startswith("/_sim/"):
            status, payload = sim.control(method, path, body)
            self._send(status, payload)
            return
        query = {key: values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
        token = self.headers.get("AuthToken")
        status, payload, headers = sim.call(method, path, query, body, token)
        if status is None:
            sim.log.add(method, path, url.query, 0)
            self._reset()
            return
        sim.log.add(method, path, url.query, status)
        self._send(status, payload, headers)


class Simulator:
    """The backend, its faults and log, and how a call flows through them."""

    def __init__(self, topology_path, faults=None, seed=0, **options):
        unknown = set(options) - set(BACKEND_OPTIONS)
        if unknown:
            raise TypeError("unknown simulator option(s): %s" % ", ".join(sorted(unknown)))
        self.topology_path = topology_path
        self.backend = Backend(topology.load(topology_path), **options)
        self.faults = Faults(faults, seed)
        self.log = RequestLog()
        self.lock = threading.RLock()

    def control(self, method, path, body):
        name = path[len("/_sim/"):].strip("/")
        try:
            if (method, name) == ("GET", "requests"):
                return 200, self.log.to_json()
            if (method, name) == ("DELETE", "requests"):
                self.log.clear()
                return 204, None
            if (method, name) == ("GET", "faults"):
                return 200, self.faults.to_json()
            if (method, name) == ("POST", "faults"):
                self.faults.add(body)
                return 200, self.faults.to_json()
            if (method, name) == ("DELETE", "faults"):
                self.faults.clear()
                return 204, None
            if (method, name) == ("POST", "reset"):
                with self.lock:
                    self.backend.reset()
                self.faults.clear()
                self.log.clear()
                return 204, None
            if (method, name) == ("GET", "state"):
                with self.lock:
                    return 200, dict(self.backend.state(), faults=self.faults.to_json()["rules"])
            raise NotFound("no simulator control endpoint %s %s" % (method, path))
        except ApiError as exc:
            return exc.status, exc.body

    def _blueprints_of(self, path):
        parts = path.split("/")
        if len(parts) > 3 and parts[2] == "blueprints" and parts[3] in self.backend.blueprints:
            return [self.backend.blueprints[parts[3]]]
        return list(self.backend.blueprints.values())

    def call(self, method, path, query, body, token):
        """(status, body, headers) for an API call; status None means: reset the connection."""
        flags = {}
        for rule in self.faults.fire(method, path):
            if rule.action == "latency":
                time.sleep(rule.seconds)
            elif rule.action == "reset":
                return None, None, None
            elif rule.action == "error":
                return rule.status, rule.body, {}
            elif rule.action == "throttle":
                return 429, {"errors": "Too many requests"}, {"Retry-After": rule.retry_after}
            elif rule.action == "deploy_fail":
                flags["deploy_fail"] = rule.message
            else:
                with self.lock:
                    self._state_fault(rule, path, token)
        try:
            handler, params, needs_auth = routes.resolve(method, path)
            ctx = Context(self.backend, method, path, query, body, token, params, flags)
            with self.lock:
                if needs_auth:
                    ctx.user = self.backend.authenticate(token)
                status, payload = handler(ctx)
            return status, payload, {}
        except ApiError as exc:
            return exc.status, exc.body, exc.headers

    def _state_fault(self, rule, path, token):
        if rule.action == "expire_token":
            self.backend.expire_token(token)
        elif rule.action == "bump_version":
            for blueprint in self._blueprints_of(path):
                blueprint.concurrent_write(rule.username)
        elif rule.action == "lock":
            for blueprint in self._blueprints_of(path):
                blueprint.lock = {"type": "lock_by_user", "username": rule.username,
                                  "until": time.monotonic() + rule.seconds if rule.seconds else None}


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
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as handle:
        handle.write(cert_pem)
    with open(key_path, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
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
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="apstra-sim", daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def start_server(topology_path, port=0, tls=False, **opts):
    """Start the simulator on 127.0.0.1 (or opts["host"]) in a background thread.

    Options: username, password, token_ttl (seconds), task_polls, task_seconds, faults (rules), seed, host.
    """
    return SimServer(topology_path, port=port, tls=tls, **opts)
