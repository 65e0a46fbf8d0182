"""Shared fixtures of the integration and reliability tests: the collection on a collections path, an isolated HOME,
both emulators, a playbook runner, and `job`, which runs one of the shipped playbooks against the emulators.

Emulators run once per test session in background threads (sim_core.testing); each test that asks for one gets it
reset to the seeded state with no faults and an empty request log.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

# The emulators (session-wide, reset per test) and their control API client come from the emulators' shared harness.
from sim_core.testing import APSTRA_PASSWORD, APSTRA_USER

# pylint: disable-next=unused-import
from sim_core.testing import _apstra_server, _k8s_server, apstra, k8s  # noqa: F401

REPO = Path(__file__).resolve().parents[1]


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


@pytest.fixture
def bare_env(ansible_env):
    """ansible_env without any Apstra or Kubernetes connection variable (APSTRA_*, K8S_AUTH_*, KUBECONFIG): a run
    connects with what the test gives it alone."""
    return dict(
        (name, value)
        for name, value in ansible_env.items()
        if not name.startswith(("APSTRA_", "K8S_AUTH_", "KUBECONFIG"))
    )


@pytest.fixture
def run_module():
    """run(env, module, args=None) -> (CompletedProcess, the task's result): one module run by `ansible localhost`
    (local connection, the json callback) in `env`."""

    def run(env, module, args=None):
        cmd = localhost_command("ansible", "localhost", "-m", module)
        if args:
            cmd += ["-a", json.dumps(args)]
        proc = subprocess.run(
            cmd,
            env=dict(
                env,
                ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
                ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
            ),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        start = proc.stdout.find("{")
        assert start >= 0, proc
        return proc, json.loads(proc.stdout[start:])["plays"][0]["tasks"][0]["hosts"]["localhost"]

    return run


@pytest.fixture
def blueprint_info(run_module):
    """run(env, args=None) -> (rc, the task's result): apstra_blueprint_info on blueprint dc1 without a token cache
    (`args` adds or replaces options), in `env`."""

    def run(env, args=None):
        proc, result = run_module(
            env,
            "netops.cn2_apstra.apstra_blueprint_info",
            dict({"blueprint": "dc1", "token_cache": False}, **(args or {})),
        )
        return proc.returncode, result

    return run


@pytest.fixture
def apstra_credentials(apstra):  # pylint: disable=redefined-outer-name
    """Module options that reach the Apstra emulator."""
    return {
        "api_url": apstra.url,
        "username": APSTRA_USER,
        "password": APSTRA_PASSWORD,
        "validate_certs": False,
    }


class PlaybookResult:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __repr__(self):
        failed = [
            line for line in self.stdout.splitlines() if line.startswith(("fatal:", "failed:"))
        ]
        return "rc=%s\nfailures:\n%s\nstdout:\n%s\nstderr:\n%s" % (
            self.rc,
            "\n".join(failed),
            self.stdout,
            self.stderr,
        )

    def task_results(self):
        """Per-task results on localhost of the first play, from a run with the ansible.builtin.json callback."""
        start = self.stdout.find("{")
        assert start >= 0, self
        return [
            task["hosts"]["localhost"]
            for task in json.loads(self.stdout[start:])["plays"][0]["tasks"]
        ]


def localhost_command(program, *args):
    """`program` (ansible, ansible-playbook) of this Python's environment on localhost, the local connection."""
    return [str(Path(sys.executable).parent / program), "-i", "localhost,", "-c", "local", *args]


def playbook_command(playbook, args=(), extra_vars=None):
    cmd = localhost_command("ansible-playbook", str(playbook))
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    return cmd + list(args)


@pytest.fixture
def run_playbook(ansible_env, tmp_path):
    """Run ansible-playbook on a playbook text (or path) against localhost; returns rc/stdout/stderr."""

    def run(playbook, *args, extra_vars=None, env=None, cwd=None):
        path = Path(playbook) if isinstance(playbook, Path) else tmp_path / "playbook.yml"
        if not isinstance(playbook, Path):
            path.write_text(playbook)
        run_env = dict(ansible_env, **(env or {}))
        return PlaybookResult(
            subprocess.run(
                playbook_command(path, args, extra_vars),
                env=run_env,
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        )

    run.env = ansible_env
    return run


@pytest.fixture
def run_tasks(run_playbook):
    """Run tasks in one play with an Apstra connection (creds) in module_defaults, blueprint dc1; (run, per-task results)."""

    def run(creds, tasks, *args, env=None):
        play = [
            {
                "hosts": "localhost",
                "gather_facts": False,
                "module_defaults": {"group/netops.cn2_apstra.apstra": dict(creds, blueprint="dc1")},
                "tasks": tasks,
            }
        ]
        result = run_playbook(
            yaml.safe_dump(play, sort_keys=False),
            *args,
            env=dict({"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json"}, **(env or {})),
        )
        return result, result.task_results()

    return run


class Job:
    """One of the shipped playbooks (provision, reconcile, verify, teardown) against the emulators."""

    def __init__(self, run_playbook, apstra, k8s, workdir):
        self.run_playbook = run_playbook
        self.apstra = apstra
        self.k8s = k8s
        self.reports = workdir / "reports"
        # tests name their intent and blueprint: nothing runs on a default
        self.intent_file = REPO / "playbooks" / "vars" / "example_intent.yml"
        self.workdir = workdir

    def intent(self, networks, allocation=None):
        """Use this intent (a list of networks) instead of the example intent."""
        self.intent_file = self.workdir / "intent.yml"
        self.intent_file.write_text(
            yaml.safe_dump({"sriov_networks": networks, "sriov_allocation": allocation or {}})
        )
        return self.intent_file

    def extra_vars(self, extra):
        extra_vars = {
            "apstra_api_url": self.apstra.url,
            "apstra_username": APSTRA_USER,
            "apstra_password": APSTRA_PASSWORD,
            "k8s_kubeconfig": self.k8s.kubeconfig,
            "reports_dir": str(self.reports),
            "blueprint": "dc1",
            # the role's default poll interval, without waiting for locks unless a test asks
            "sriov_network_commit_wait_for_lock": 0,
        }
        if self.intent_file:
            extra_vars["intent_file"] = str(self.intent_file)
        extra_vars.update(extra or {})
        return extra_vars

    def __call__(self, playbook, *args, extra=None, env=None, cwd=None):
        return self.run_playbook(
            REPO / "playbooks" / ("%s.yml" % playbook),
            *args,
            extra_vars=self.extra_vars(extra),
            env=dict({"APSTRA_VERIFY_CERTIFICATES": "false"}, **(env or {})),
            cwd=cwd,
        )

    def background(self, playbook, *args, extra=None, env=None, workdir=None):
        """Start a playbook and return its Popen (``stdout`` is a text stream of its output, stderr merged)."""
        workdir = workdir or self.workdir
        workdir.mkdir(parents=True, exist_ok=True)
        extra = dict({"reports_dir": str(workdir / "reports")}, **(extra or {}))
        run_env = dict(self.run_playbook.env, APSTRA_VERIFY_CERTIFICATES="false", **(env or {}))
        return subprocess.Popen(
            playbook_command(
                REPO / "playbooks" / ("%s.yml" % playbook), args, self.extra_vars(extra)
            ),
            env=run_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def report(self, name="provision"):
        return (self.reports / ("%s-latest.md" % name)).read_text()


@pytest.fixture
def job(run_playbook, apstra, k8s, tmp_path):  # pylint: disable=redefined-outer-name
    """Run a shipped playbook against the emulators: ``job("provision", "--check", extra={...})`` -> PlaybookResult."""
    return Job(run_playbook, apstra, k8s, tmp_path)
