"""Fixtures of the integration tests beside the shared ones (tests/conftest.py): ansible-rulebook from the rulebook venv."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]

EDA_VENV = Path(os.environ.get("EDA_VENV", REPO / ".venv-eda"))


class Rulebook:
    """A running ansible-rulebook: `log` (its combined output so far, a path), `output()`, `wait_for(text)`,
    `wait_until(condition, what)`, `stop()`."""

    def __init__(self, proc, log):
        self.proc = proc
        self.log = log

    def output(self):
        return self.log.read_text(errors="replace")

    def wait_for(self, text, timeout=120):
        """Wait until `text` shows in the output (fails early if ansible-rulebook exits)."""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.proc.poll() is None, "ansible-rulebook exited (rc %s):\n%s" % (
                self.proc.returncode,
                self.output()[-5000:],
            )
            assert time.monotonic() < deadline, "no %r from ansible-rulebook in %s s:\n%s" % (
                text,
                timeout,
                self.output()[-5000:],
            )
            time.sleep(0.2)

    def wait_until(self, condition, what, timeout=300, interval=1.0):
        """condition()'s first true value, polled every `interval` s; fails when ansible-rulebook exits or after
        `timeout` s, naming `what` and the end of the output."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            assert self.proc.poll() is None, "ansible-rulebook exited:\n%s" % self.output()[-5000:]
            assert time.monotonic() < deadline, "%s did not happen in %s s:\n%s" % (
                what,
                timeout,
                self.output()[-8000:],
            )
            time.sleep(interval)

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
            inventory.write_text(
                "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
            )
        cmd = [str(binary), "-r", str(path), "-i", str(inventory), "--print-events", "-v", *args]
        if variables is not None:
            (run_dir / "vars.yml").write_text(yaml.safe_dump(variables))
            cmd += ["--vars", str(run_dir / "vars.yml")]
        run_env = dict(
            ansible_env,
            PATH="%s:%s" % (EDA_VENV / "bin", ansible_env.get("PATH", "")),
            **(env or {}),
        )
        if collections_path is not None:
            run_env["ANSIBLE_COLLECTIONS_PATH"] = str(collections_path)
        log = run_dir / "ansible-rulebook.log"
        with open(log, "wb") as handle:
            proc = subprocess.Popen(
                cmd,
                cwd=run_dir,
                env=run_env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(Rulebook(proc, log))
        return started[-1]

    yield start
    for running in started:
        running.stop()
