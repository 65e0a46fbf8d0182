"""Test harness shared by the emulators' own tests (tools/*/tests) and the collection's integration tests.

A conftest imports what it needs: `from sim_core.testing import Emulator, apstra, k8s  # the fixtures`. Each emulator runs
once per test session (per conftest directory) in a background thread; a test that asks for one gets it reset to the
seeded state with no faults and an empty request log.
"""

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
DEMO_TOPOLOGY = REPO / "tools" / "apstra_sim" / "topologies" / "demo.yml"
DEMO_CLUSTER = REPO / "tools" / "k8s_sim" / "seeds" / "demo.yml"
APSTRA_USER = "admin"
APSTRA_PASSWORD = "sim-admin-password"
# Deploy tasks complete after task_polls polls; a long task_seconds keeps wall-clock time out of every test.
APSTRA_TEST_OPTIONS = {"task_polls": 2, "task_seconds": 3600.0}


class Emulator:
    """A running emulator: its URL and its control API."""

    def __init__(self, server):
        self.server = server
        self.url = server.url

    def control(self, method, path, body=None):
        resp = requests.request(
            method, self.url + "/_sim/" + path, json=body, timeout=30, verify=False
        )
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def reset(self):
        self.control("POST", "reset")

    def requests_log(self):
        return self.control("GET", "requests")["requests"]

    def writes(self):
        return [r for r in self.requests_log() if r["write"]]

    def clear_log(self):
        self.control("DELETE", "requests")

    def faults(self, rules):
        return self.control("POST", "faults", rules)

    def state(self):
        return self.control("GET", "state")


class ApstraSession:
    """A user logged in to the Apstra emulator, working on its first blueprint (`bp`)."""

    def __init__(self, url, username=APSTRA_USER, password=APSTRA_PASSWORD):
        self.url = url
        self.username = username
        self.session = requests.Session()
        login = self.session.post(
            url + "/api/aaa/login", json={"username": username, "password": password}, timeout=10
        )
        login.raise_for_status()
        self.user_id = login.json()["id"]
        self.session.headers["AuthToken"] = login.json()["token"]
        self.bp = self.session.get(url + "/api/blueprints", timeout=10).json()["items"][0]["id"]

    def api(self, method, path, body=None, **kwargs):
        """A call on /api/<path>."""
        return self.session.request(
            method, self.url + "/api/" + path.lstrip("/"), json=body, timeout=10, **kwargs
        )

    def call(self, method, suffix, body=None, **kwargs):
        """A call on /api/blueprints/<bp><suffix>."""
        return self.api(method, "blueprints/%s%s" % (self.bp, suffix), body, **kwargs)

    def get(self, suffix, **kwargs):
        return self.call("GET", suffix, **kwargs)

    def qe(self, query, graph_type=None):
        """The items of a graph query (graph_type: staging, deployed...)."""
        resp = self.call(
            "POST", "/qe", {"query": query}, params={"type": graph_type} if graph_type else None
        )
        assert resp.status_code == 200, resp.text
        return resp.json()["items"]

    def systems(self):
        """label -> id of every system node."""
        return {
            n["label"]: n["id"]
            for n in self.get("/nodes", params={"node_type": "system"}).json()["nodes"].values()
        }

    def version(self):
        return self.call("POST", "/ql-readonly", {"query": "{ version }"}).json()["data"]["version"]


@pytest.fixture(scope="session")
def _apstra_server():
    from apstra_sim.server import start_server  # pylint: disable=import-outside-toplevel

    server = start_server(str(DEMO_TOPOLOGY), port=0, **APSTRA_TEST_OPTIONS)
    yield Emulator(server)
    server.stop()


@pytest.fixture
def apstra(_apstra_server):  # pylint: disable=redefined-outer-name
    """The Apstra emulator on the demo topology, reset for this test."""
    _apstra_server.reset()
    return _apstra_server


@pytest.fixture(scope="session")
def _k8s_server():
    from k8s_sim.server import start_server  # pylint: disable=import-outside-toplevel

    server = start_server(str(DEMO_CLUSTER), port=0)
    yield Emulator(server)
    server.stop()


@pytest.fixture
def k8s(_k8s_server, tmp_path):  # pylint: disable=redefined-outer-name
    """The Kubernetes emulator on the demo cluster, reset for this test; `k8s.kubeconfig` points at it."""
    _k8s_server.reset()
    _k8s_server.kubeconfig = _k8s_server.server.write_kubeconfig(str(tmp_path / "kubeconfig"))
    return _k8s_server


def generate_lab(directory, leafs, servers, dual_homed=None, sriov_fraction=None, miscabled=None):
    """A generated fabric and the cluster cabled to it, written by the emulators' generators as a user runs them;
    returns (fabric file, cluster seed file)."""
    fabric, cluster = Path(directory) / "fabric.yml", Path(directory) / "cluster.yml"
    fabric_args = ["--leafs", str(leafs), "--servers", str(servers)]
    if dual_homed is not None:
        fabric_args += ["--dual-homed", str(dual_homed)]
    subprocess.run(
        [sys.executable, "-m", "apstra_sim.generate", *fabric_args, "--output", str(fabric)],
        check=True,
    )
    cluster_args = ["--fabric", str(fabric)]
    if sriov_fraction is not None:
        cluster_args += ["--sriov-fraction", str(sriov_fraction)]
    if miscabled is not None:
        cluster_args += ["--miscabled", str(miscabled)]
    subprocess.run(
        [sys.executable, "-m", "k8s_sim.generate", *cluster_args, "--out", str(cluster)],
        check=True,
    )
    return fabric, cluster


@contextlib.contextmanager
def lab_emulators(fabric, cluster, directory):
    """Both emulators serving a generated lab, as (apstra, k8s) Emulators (``k8s.kubeconfig`` is written into
    ``directory``); stopped on exit."""
    from apstra_sim.server import (
        start_server as start_apstra,
    )  # pylint: disable=import-outside-toplevel
    from k8s_sim.server import start_server as start_k8s  # pylint: disable=import-outside-toplevel

    apstra_server, k8s_server = start_apstra(str(fabric), port=0), start_k8s(str(cluster), port=0)
    try:
        apstra, k8s = Emulator(apstra_server), Emulator(k8s_server)
        k8s.kubeconfig = k8s_server.write_kubeconfig(str(Path(directory) / "kubeconfig"))
        yield apstra, k8s
    finally:
        apstra_server.stop()
        k8s_server.stop()
