"""Shared fixtures: the collection on a collections path, an isolated HOME, both emulators, a playbook runner.

Emulators run once per test session in background threads; each test that asks for one gets it reset to the
seeded state with an empty request log.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

REPO = Path(__file__).resolve().parents[2]
DEMO_TOPOLOGY = REPO / "tools" / "apstra_sim" / "topologies" / "demo.yml"
DEMO_CLUSTER = REPO / "tools" / "k8s_sim" / "seeds" / "demo.yml"
APSTRA_USER = "admin"
APSTRA_PASSWORD = "sim-admin-password"


def collections_root(base):
    """Return a collections path holding ansible_collections/netops/cn2_apstra -> this checkout."""
    link = Path(base) / "ansible_collections" / "netops" / "cn2_apstra"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO, target_is_directory=True)
    return str(base)


@pytest.fixture(scope="session")
def ansible_env(tmp_path_factory):
    """Environment for ansible-playbook / ansible-inventory: isolated HOME, this collection on the path."""
    home = tmp_path_factory.mktemp("home")
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        ANSIBLE_HOME=str(home / ".ansible"),
        ANSIBLE_COLLECTIONS_PATH=collections_root(tmp_path_factory.mktemp("collections")),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
    )
    env.pop("PIP_CONFIG_FILE", None)
    return env


class Emulator:
    """A running emulator: its URL and its control API."""

    def __init__(self, server):
        self.server = server
        self.url = server.url

    def control(self, method, path, body=None):
        resp = requests.request(method, self.url + "/_sim/" + path, json=body, timeout=30, verify=False)
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
        self.control("POST", "faults", rules)

    def state(self):
        return self.control("GET", "state")


@pytest.fixture(scope="session")
def _apstra_server():
    from apstra_sim.server import start_server  # pylint: disable=import-outside-toplevel

    server = start_server(str(DEMO_TOPOLOGY), port=0)
    yield Emulator(server)
    server.stop()


@pytest.fixture
def apstra(_apstra_server):
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
def k8s(_k8s_server, tmp_path):
    """The Kubernetes emulator on the demo cluster, reset for this test; `k8s.kubeconfig` points at it."""
    _k8s_server.reset()
    _k8s_server.kubeconfig = _k8s_server.server.write_kubeconfig(str(tmp_path / "kubeconfig"))
    return _k8s_server


@pytest.fixture
def apstra_credentials(apstra):
    """Module options that reach the Apstra emulator."""
    return {"api_url": apstra.url, "username": APSTRA_USER, "password": APSTRA_PASSWORD, "validate_certs": False}


class PlaybookResult:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __repr__(self):
        return "rc=%s\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.stdout, self.stderr)

    def task_results(self):
        """Per-task results on localhost of the first play, from a run with the ansible.builtin.json callback."""
        start = self.stdout.find("{")
        assert start >= 0, self
        return [task["hosts"]["localhost"] for task in json.loads(self.stdout[start:])["plays"][0]["tasks"]]


@pytest.fixture
def run_playbook(ansible_env, tmp_path):
    """Run ansible-playbook on a playbook text (or path) against localhost; returns rc/stdout/stderr."""

    def run(playbook, *args, extra_vars=None, env=None):
        path = Path(playbook) if isinstance(playbook, Path) else tmp_path / "playbook.yml"
        if not isinstance(playbook, Path):
            path.write_text(playbook)
        cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path)]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        cmd += list(args)
        run_env = dict(ansible_env, **(env or {}))
        return PlaybookResult(subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=600, check=False))

    return run


@pytest.fixture
def run_tasks(run_playbook):
    """Run tasks in one play with an Apstra connection (creds) in module_defaults, blueprint dc1; (run, per-task results)."""

    def run(creds, tasks, *args, env=None):
        play = [{"hosts": "localhost", "gather_facts": False,
                 "module_defaults": {"group/netops.cn2_apstra.apstra": dict(creds, blueprint="dc1")}, "tasks": tasks}]
        result = run_playbook(yaml.safe_dump(play, sort_keys=False), *args,
                              env=dict({"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json"}, **(env or {})))
        return result, result.task_results()

    return run


# Event-Driven Ansible: ansible-rulebook from the rulebook venv (the imports stay with these fixtures).
import signal  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order
import time  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order

EDA_VENV = Path(os.environ.get("EDA_VENV", REPO / ".venv-eda"))


class Rulebook:
    """A running ansible-rulebook: `log` (its combined output so far, a path), `output()`, `wait_for(text)`, `stop()`."""

    def __init__(self, proc, log):
        self.proc = proc
        self.log = log

    def output(self):
        return self.log.read_text(errors="replace")

    def wait_for(self, text, timeout=120):
        """Wait until `text` shows in the output (fails early if ansible-rulebook exits)."""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.proc.poll() is None, "ansible-rulebook exited (rc %s):\n%s" % (self.proc.returncode, self.output()[-5000:])
            assert time.monotonic() < deadline, "no %r from ansible-rulebook in %s s:\n%s" % (text, timeout, self.output()[-5000:])
            time.sleep(0.2)

    def stop(self):
        """End ansible-rulebook and what it started (its own process group)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(30)


@pytest.fixture
def rulebook(ansible_env, tmp_path):
    """Start ansible-rulebook (the rulebook venv of `scripts/setup.sh`); every started one is stopped after the test.

    start(rulebook, *, inventory=None, variables=None, env=None, collections_path=None, args=()) -> Rulebook
    `rulebook` is a path or a collection rulebook name (netops.cn2_apstra.sriov_fabric); `inventory` a path (default:
    localhost, local connection); `variables` a dict for --vars; `env` is added to the environment (K8S_AUTH_*, APSTRA_*;
    `ansible_env`'s isolated HOME and this collection on ANSIBLE_COLLECTIONS_PATH unless `collections_path` says otherwise).
    """
    binary = EDA_VENV / "bin" / "ansible-rulebook"
    if not os.access(binary, os.X_OK):
        pytest.fail("ansible-rulebook not found at %s: run `bash scripts/setup.sh`" % binary)
    started = []

    def start(path, *, inventory=None, variables=None, env=None, collections_path=None, args=()):
        run_dir = tmp_path / ("rulebook-%d" % len(started))
        run_dir.mkdir()
        if inventory is None:
            inventory = run_dir / "inventory.yml"
            inventory.write_text("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n")
        cmd = [str(binary), "-r", str(path), "-i", str(inventory), "--print-events", "-v", *args]
        if variables is not None:
            (run_dir / "vars.yml").write_text(yaml.safe_dump(variables))
            cmd += ["--vars", str(run_dir / "vars.yml")]
        run_env = dict(ansible_env, PATH="%s:%s" % (EDA_VENV / "bin", ansible_env.get("PATH", "")), **(env or {}))
        if collections_path is not None:
            run_env["ANSIBLE_COLLECTIONS_PATH"] = str(collections_path)
        log = run_dir / "ansible-rulebook.log"
        with open(log, "wb") as handle:
            proc = subprocess.Popen(cmd, cwd=run_dir, env=run_env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(Rulebook(proc, log))
        return started[-1]

    yield start
    for running in started:
        running.stop()
