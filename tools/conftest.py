"""Fixtures of the emulators' own tests (tools/*/tests): both emulators (from sim_core.testing) and a playbook runner."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# pylint: disable-next=unused-import
from sim_core.testing import _apstra_server, _k8s_server, apstra, k8s  # noqa: F401


class PlaybookResult:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __repr__(self):
        return "rc=%s\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.stdout, self.stderr)


@pytest.fixture
def run_playbook(tmp_path):
    """Run ansible-playbook (collections from the venv, an isolated HOME) on a playbook text against localhost."""
    home = tmp_path / "home"
    home.mkdir()
    env = dict(
        os.environ,
        HOME=str(home),
        ANSIBLE_HOME=str(home / ".ansible"),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
    )
    env.pop("PIP_CONFIG_FILE", None)

    def run(playbook, *args, extra_vars=None):
        path = tmp_path / "playbook.yml"
        path.write_text(playbook)
        cmd = [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            str(path),
        ]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        cmd += list(args)
        return PlaybookResult(
            subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
        )

    return run
