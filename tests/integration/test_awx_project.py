"""The repository as an AWX project: a fresh checkout resolves the collection through collections/requirements.yml.

AWX's project update runs `ansible-galaxy collection install -r collections/requirements.yml` from the project's
root into the project's requirements_collections, and puts that directory first on the jobs' collections path.
Here: the same command on a copy of the working tree, with nothing installed anywhere else and no Galaxy.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLAYBOOKS = sorted(path.name for path in (REPO / "playbooks").glob("*.yml"))

_SPEC = importlib.util.spec_from_file_location(
    "awx_emulation", Path(__file__).with_name("awx_emulation.py")
)
awx = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(awx)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A fresh checkout, and an environment in which no collection path holds netops.cn2_apstra."""
    base = tmp_path_factory.mktemp("awx-project")
    checkout = awx.project_checkout(REPO, base / "project")
    home = base / "home"
    home.mkdir()
    env = dict(
        (name, value)
        for name, value in os.environ.items()
        if not name.startswith(("ANSIBLE_", "APSTRA_", "K8S_AUTH_"))
    )
    env.update(
        HOME=str(home),
        ANSIBLE_HOME=str(home / ".ansible"),
        ANSIBLE_COLLECTIONS_PATH=str(base / "requirements_collections"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
    )
    return checkout, base / "requirements_collections", env


def syntax_check(project_dir, playbook, env):
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "--syntax-check", "-i", "localhost,", playbook],
        cwd=str(project_dir),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_fresh_checkout_needs_the_project_update(project):
    checkout, _collections, env = project
    proc = syntax_check(checkout, "playbooks/provision.yml", env)
    assert proc.returncode != 0
    # the playbooks import their shared play (and use the module groups) by the collection's name
    assert "netops.cn2_apstra.sriov_network" in proc.stdout + proc.stderr


def test_project_update_installs_the_checked_out_collection_and_every_playbook_resolves(project):
    checkout, collections, env = project
    # The command AWX's project update runs (awx/playbooks/project_update.yml), from the project root.
    awx.run_ok(
        [
            str(BIN / "ansible-galaxy"),
            "collection",
            "install",
            "-r",
            str(checkout / "collections" / "requirements.yml"),
            "-p",
            str(collections),
        ],
        checkout,
        env,
    )
    installed = collections / "ansible_collections" / "netops" / "cn2_apstra"
    for rel in (
        "meta/runtime.yml",
        "roles/sriov_network/tasks/report.yml",
        "plugins/modules/apstra_blueprint_info.py",
        "COPYING",
    ):
        assert (installed / rel).read_bytes() == (checkout / rel).read_bytes(), rel
    # Repository-only content stays out of the installed collection (galaxy.yml build_ignore).
    for rel in (
        "tests",
        "tools",
        "collections",
        "extensions/molecule",
        "execution-environment.yml",
    ):
        assert not (installed / rel).exists(), rel
    for playbook in PLAYBOOKS:
        proc = syntax_check(checkout, "playbooks/" + playbook, env)
        assert proc.returncode == 0, (playbook, proc.stdout + proc.stderr)


def test_awx_configuration_playbook_syntax():
    """extensions/awx/configure.yml resolves against awx.awx as the `ansible` package ships it (no controller needed)."""
    env = dict(
        os.environ, ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false"
    )
    proc = syntax_check(REPO, "extensions/awx/configure.yml", env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_awx_configuration_playbook_lint(ansible_env):
    """ansible-lint, production profile, on the configuration playbook alone: it cannot run here (no controller)."""
    proc = subprocess.run(
        [
            str(BIN / "ansible-lint"),
            "--nocolor",
            "--profile",
            "production",
            "extensions/awx/configure.yml",
        ],
        cwd=str(REPO),
        env=ansible_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Profile 'production' was required, and it passed" in proc.stdout + proc.stderr
    # configure.yml and the tasks it imports
    assert "2 files processed" in proc.stdout + proc.stderr
