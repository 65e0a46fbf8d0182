"""Several users (start_server users=, --user, POST /_sim/users), foreign staging through the real API, per-call latency."""

import re
import subprocess
import sys
import time

import pytest
import requests

from apstra_sim.server import Simulator, start_server
from sim_core.testing import DEMO_TOPOLOGY, REPO, ApstraSession


def test_users_from_start_server_and_the_control_api(apstra):
    server = start_server(str(DEMO_TOPOLOGY), users={"alice": "pw-a", "bob": "pw-b"})
    try:
        assert (
            ApstraSession(server.url, "alice", "pw-a").user_id
            != ApstraSession(server.url, "bob", "pw-b").user_id
        )
        assert requests.get(server.url + "/_sim/users", timeout=10).json() == {
            "users": ["admin", "alice", "bob"]
        }
    finally:
        server.stop()
    resp = requests.post(
        apstra.url + "/api/aaa/login", json={"username": "carol", "password": "pw"}, timeout=10
    )
    assert resp.status_code == 401
    answer = apstra.control(
        "POST",
        "users",
        [{"username": "carol", "password": "pw"}, {"username": "dave", "password": "pw"}],
    )
    assert {"carol", "dave"} <= set(answer["users"])
    assert ApstraSession(apstra.url, "carol", "pw").username == "carol"
    apstra.reset()
    assert ApstraSession(apstra.url, "carol", "pw").username == "carol", "users survive a reset"
    resp = requests.post(apstra.url + "/_sim/users", json={"username": "eve"}, timeout=10)
    assert resp.status_code == 400 and "username" in resp.json()["errors"]


def test_foreign_staging_is_seen_through_the_api(apstra):
    apstra.control("POST", "users", {"username": "alice", "password": "pw"})
    admin, alice = ApstraSession(apstra.url), ApstraSession(apstra.url, "alice", "pw")
    assert admin.get("/lock-status").json() == {"lock_status": "unlocked", "lock_type": "unlocked"}
    assert (
        alice.call(
            "POST", "/virtual-networks", {"label": "alice-vn", "vn_type": "vxlan"}
        ).status_code
        == 201
    )
    lock = admin.get("/lock-status").json()
    assert (
        lock["lock_status"],
        lock["lock_type"],
        lock["username"],
        lock["user_id"],
        lock["possible_override"],
    ) == ("locked", "lock_by_changes", "alice", alice.user_id, False)
    assert alice.get("/lock-status").json()["possible_override"] is True
    summary = admin.api("GET", "blueprints").json()["items"][0]
    status = admin.get("/diff-status").json()
    assert (
        summary["has_uncommitted_changes"]
        and status["staging_version"] > status["deployed_version"]
    )
    # A user lock by alice refuses admin's writes until alice unlocks.
    assert alice.call("PUT", "/lock-blueprint").status_code == 204
    resp = admin.call("POST", "/virtual-networks", {"label": "admin-vn", "vn_type": "vxlan"})
    assert (resp.status_code, resp.json()) == (
        409,
        {"errors": "Blueprint dc1 is locked by user alice"},
    )
    assert alice.call("PUT", "/unlock-blueprint").status_code == 204
    assert (
        admin.call(
            "POST", "/virtual-networks", {"label": "admin-vn", "vn_type": "vxlan"}
        ).status_code
        == 201
    )


def test_latency_applies_to_api_calls():
    server = start_server(str(DEMO_TOPOLOGY), latency=0.05)
    try:
        started = time.monotonic()
        session = ApstraSession(server.url)  # login + blueprint list: two /api/ calls
        session.get("/diff-status")
        assert time.monotonic() - started >= 0.15
        assert server.sim.latency == 0.05
    finally:
        server.stop()
    with pytest.raises(ValueError):
        Simulator(str(DEMO_TOPOLOGY), latency=-1)


def test_cli_users_and_latency():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "apstra_sim",
            "--topology",
            str(DEMO_TOPOLOGY),
            "--port",
            "0",
            "--user",
            "alice:pw:with:colons",
            "--user",
            "bob:",
            "--latency-ms",
            "50",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(REPO),
    )
    try:
        banner = proc.stdout.readline()
        assert banner.startswith("apstra-sim serving"), (
            proc.stderr.read() if proc.poll() is not None else banner
        )
        url = re.search(r"http://127\.0\.0\.1:\d+", banner).group(0)
        started = time.monotonic()
        assert ApstraSession(url, "alice", "pw:with:colons").username == "alice"
        assert time.monotonic() - started >= 0.1
        assert ApstraSession(url, "bob", "").username == "bob"
    finally:
        proc.kill()
        proc.wait(timeout=10)
    bad = subprocess.run(
        [sys.executable, "-m", "apstra_sim", "--topology", str(DEMO_TOPOLOGY), "--user", "nocolon"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=str(REPO),
    )
    assert bad.returncode == 2 and "NAME:PASSWORD" in bad.stderr
