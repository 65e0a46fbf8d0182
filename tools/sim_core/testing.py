"""Test harness shared by the emulators' own tests (tools/*/tests) and the collection's integration tests.

A conftest imports what it needs: `from sim_core.testing import Emulator, apstra, k8s  # the fixtures`. Each emulator runs
once per test session (per conftest directory) in a background thread; a test that asks for one gets it reset to the
seeded state with no faults and an empty request log.
"""

import contextlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
DEMO_TOPOLOGY = REPO / "tools" / "apstra_sim" / "topologies" / "demo.yml"
DEMO_CLUSTER = REPO / "tools" / "k8s_sim" / "seeds" / "demo.yml"
APSTRA_README = REPO / "tools" / "apstra_sim" / "README.md"
APSTRA_USER = "admin"
APSTRA_PASSWORD = "sim-admin-password"
# Deploy tasks complete after task_polls polls; a long task_seconds keeps wall-clock time out of every test.
APSTRA_TEST_OPTIONS = {"task_polls": 2, "task_seconds": 3600.0}
# The image's kubectl (1.32) and Debian's kubernetes-client (1.20), which `scripts/setup.sh` unpacks into build/.
KUBECTLS = {
    "kubectl-image": shutil.which("kubectl") or "/usr/bin/kubectl",
    "kubectl-debian": str(REPO / "build" / "debian-kubectl" / "usr" / "bin" / "kubectl"),
}


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

    def watch(self, path, seconds=1):
        """A Kubernetes watch on `path` that the emulator ends after `seconds`: a streamed answer, to use with `with`."""
        return requests.get(
            self.url + path,
            params={"watch": "1", "timeoutSeconds": str(seconds)},
            stream=True,
            timeout=10,
        )


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

    def redundancy_group(self):
        """The id of the first redundancy group (ESI pair)."""
        return next(
            iter(self.get("/nodes", params={"node_type": "redundancy_group"}).json()["nodes"])
        )

    def esi_lag(self):
        """The first ESI pair's port-channel: a graph row, `rg` (the redundancy group) and `i` (the interface)."""
        return self.qe(
            "node('redundancy_group', name='rg').out('hosted_interfaces')"
            ".node('interface', if_type='port_channel', name='i')"
        )[0]

    def interface_id(self, owner_label, if_name):
        """The id of interface `if_name` of the system or ESI pair labelled `owner_label`."""
        (item,) = self.qe(
            "node(label='%s').out('hosted_interfaces').node('interface', if_name='%s', name='i')"
            % (owner_label, if_name)
        )
        return item["i"]["id"]

    def routing_zone(self, label, **fields):
        """Create an EVPN routing zone (its VRF named as its label); the zone as answered."""
        resp = self.call(
            "POST",
            "/security-zones",
            dict({"label": label, "vrf_name": label, "sz_type": "evpn"}, **fields),
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    def virtual_network(self, label, zone_id, bound_to, subnet=None, gateway=None, **fields):
        """Create a VXLAN VN in routing zone `zone_id`, bound to `bound_to` ([{system_id, vlan_id}]); `subnet` turns
        IPv4 on, `gateway` adds that anycast gateway; `fields` are more of the body. Its id."""
        body = dict(
            {"label": label, "vn_type": "vxlan", "security_zone_id": zone_id, "bound_to": bound_to},
            **fields,
        )
        if subnet:
            body.update(ipv4_enabled=True, ipv4_subnet=subnet)
        if gateway:
            body.update(virtual_gateway_ipv4=gateway, virtual_gateway_ipv4_enabled=True)
        resp = self.call("POST", "/virtual-networks", body)
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]

    def import_policies(self, policies):
        """Import connectivity-template policies (template_policies gives those of one template)."""
        resp = self.call("PUT", "/obj-policy-import", {"policies": policies})
        assert resp.status_code == 204, resp.text

    def apply_template(self, ct_id, points, used=True):
        """Assign (used=False: unassign) template `ct_id` on the application points `points` in one batch-apply."""
        resp = self.call(
            "PATCH",
            "/obj-policy-batch-apply",
            {
                "application_points": [
                    {"id": point, "policies": [{"policy": ct_id, "used": used}]} for point in points
                ]
            },
        )
        assert resp.status_code == 204, resp.text

    def deploy(self, description):
        """Deploy the staged blueprint; the deploy status (state success)."""
        resp = self.call("PUT", "/deploy", {"version": self.version(), "description": description})
        assert resp.status_code == 200 and resp.json()["state"] == "success", resp.text
        return resp.json()


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


def fabric_session(url):
    """An ApstraSession on the emulator at `url` that knows its fabric: `nodes` (label -> id of every system) and `rg`
    (the id of the first ESI pair)."""
    session = ApstraSession(url)
    session.nodes = session.systems()
    session.rg = session.redundancy_group()
    return session


def template_policies(ct_id, attributes, kind="AttachSingleVLAN", parts=None, **root):
    """The policies obj-policy-import takes for a connectivity template of one primitive: the visible batch `ct_id`
    (labelled ct_id; `root` adds or replaces fields of it: label, tags, description), its pipeline and the primitive,
    of type `kind` with `attributes`. `parts` names the pipeline and the primitive, ((id, label), (id, label)); by
    default ((<ct_id>-p, "<ct_id> pipeline"), (<ct_id>-v, "Virtual Network (Single)"))."""
    (pipeline_id, pipeline_label), (primitive_id, primitive_label) = parts or (
        (ct_id + "-p", ct_id + " pipeline"),
        (ct_id + "-v", "Virtual Network (Single)"),
    )
    return [
        dict(
            {
                "id": ct_id,
                "label": ct_id,
                "policy_type_name": "batch",
                "visible": True,
                "attributes": {"subpolicies": [pipeline_id]},
            },
            **root,
        ),
        {
            "id": pipeline_id,
            "label": pipeline_label,
            "policy_type_name": "pipeline",
            "visible": False,
            "attributes": {"first_subpolicy": primitive_id, "second_subpolicy": None},
        },
        {
            "id": primitive_id,
            "label": primitive_label,
            "policy_type_name": kind,
            "visible": False,
            "attributes": attributes,
        },
    ]


def readme_query(name):
    """The graph query of tools/apstra_sim/README.md that follows `<!-- qe: name -->`, exactly as written there."""
    found = re.search(
        r"<!-- qe: %s -->\s*```python\n(.*?)```" % re.escape(name),
        APSTRA_README.read_text(encoding="utf-8"),
        re.S,
    )
    assert found, "README.md has no query %s" % name
    return found.group(1)


def kubectl_command(name, kubeconfig, home=None):
    """(binary, environment) of the kubectl KUBECTLS[name] against `kubeconfig` (HOME `home`, if given); fails the
    test when that kubectl is not installed."""
    binary = KUBECTLS[name]
    if not os.access(binary, os.X_OK):
        pytest.fail("%s not found at %s: run `bash scripts/setup.sh`" % (name, binary))
    env = dict(os.environ, KUBECONFIG=str(kubeconfig))
    if home is not None:
        env["HOME"] = str(home)
    return binary, env


def kubectl_runner(name, kubeconfig, home=None):
    """run(*args, stdin=None, ok=True) -> CompletedProcess: kubectl_command's kubectl run with `args`, which must exit
    0 (ok=False: must fail)."""
    binary, env = kubectl_command(name, kubeconfig, home)

    def run(*args, stdin=None, ok=True):
        proc = subprocess.run(
            [binary, *args],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (proc.returncode == 0) == ok, proc.stderr
        return proc

    return run
