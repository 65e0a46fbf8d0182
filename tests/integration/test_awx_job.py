"""Acceptance: a fresh AWX-like job runs playbooks/provision.yml in check mode, with nothing but what ships.

- The execution environment is a clean venv holding only what execution-environment.yml installs: ansible-core and
  ansible-runner at its pins, and the built tarball's requirements.txt (version ranges, no constraints file), from
  PyPI. The venv is kept in build/awx-ee-venv and rebuilt only when one of those inputs changes.
- The project update installs collections/requirements.yml from a fresh checkout (this collection, no Galaxy).
- The job runs through ansible-runner, as AWX does, with the private data directory AWX prepares: the credentials
  injected as the shipped Apstra credential type and AWX's built-in Kubernetes bearer token type do, the job's
  extra variables (AWX's awx_* variables and the survey answers), `--check --diff`, localhost as inventory.
- Apstra is the emulator over HTTPS with a self-signed certificate: the credential's CA input reaches the job as the
  file APSTRA_CA_PATH names, and the job verifies the certificate with it (verification stays on).
- The change report reaches the job's artifacts (set_stats) and the reports directory (a "persistent volume").
"""

import glob
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import requests
import yaml
from apstra_sim.server import start_server
from sim_core.testing import APSTRA_TEST_OPTIONS, Emulator

REPO = Path(__file__).resolve().parents[2]
DEMO_CLUSTER = REPO / "tools" / "k8s_sim" / "seeds" / "demo.yml"
DEMO_TOPOLOGY = REPO / "tools" / "apstra_sim" / "topologies" / "demo.yml"
EE_VENV = REPO / "build" / "awx-ee-venv"
APSTRA_USER = "admin"
APSTRA_PASSWORD = "sim-admin-password"
K8S_TOKEN = "awx-job-token"
JOB_ID = 4242

_SPEC = importlib.util.spec_from_file_location(
    "awx_emulation", Path(__file__).with_name("awx_emulation.py")
)
awx = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(awx)


def clean_env(home):
    """The bare environment of a job's container: no venv, no Ansible or connection settings from this machine."""
    env = dict(
        PATH="%s:/usr/local/bin:/usr/bin:/bin" % (EE_VENV / "bin"),
        HOME=str(home),
        LANG="C.UTF-8",
        TMPDIR=os.environ.get("TMPDIR", "/tmp"),
    )
    if os.environ.get("PIP_CACHE_DIR"):
        env["PIP_CACHE_DIR"] = os.environ["PIP_CACHE_DIR"]
    return env


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    return awx.project_checkout(REPO, tmp_path_factory.mktemp("awx-job") / "checkout")


@pytest.fixture(scope="module")
def tarball(checkout, tmp_path_factory):
    return awx.build_collection(checkout, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def ee_venv(tarball, tmp_path_factory):
    """The execution environment's Python: execution-environment.yml's pins plus the tarball's requirements.txt."""
    definition = yaml.safe_load((REPO / "execution-environment.yml").read_text())
    deps = definition["dependencies"]
    pins = [deps["ansible_core"]["package_pip"], deps["ansible_runner"]["package_pip"]]
    python = os.path.basename(deps["python_interpreter"]["python_path"])
    with tarfile.open(str(tarball)) as archive:
        requirements = archive.extractfile("requirements.txt").read().decode()
    assert (
        "==" not in requirements
    ), "requirements.txt must hold ranges; the pins are in constraints.txt"
    stamp = hashlib.sha256(json.dumps([python, pins, requirements]).encode()).hexdigest()
    stamp_file = EE_VENV / ".awx-ee-stamp"
    if not stamp_file.exists() or stamp_file.read_text() != stamp:
        shutil.rmtree(str(EE_VENV), ignore_errors=True)
        req_file = tmp_path_factory.mktemp("ee") / "requirements.txt"
        req_file.write_text(requirements)
        env = clean_env(tmp_path_factory.mktemp("ee-home"))
        subprocess.run(
            [shutil.which(python) or sys.executable, "-m", "venv", str(EE_VENV)],
            check=True,
            env=env,
            timeout=300,
        )
        subprocess.run(
            [
                str(EE_VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                str(req_file),
            ]
            + pins,
            check=True,
            env=env,
            timeout=1200,
        )
        stamp_file.write_text(stamp)
    return EE_VENV


@pytest.fixture(scope="module")
def https_apstra():
    """The Apstra emulator over HTTPS, with a self-signed certificate (server.cert_pem)."""
    server = start_server(str(DEMO_TOPOLOGY), port=0, tls=True, **APSTRA_TEST_OPTIONS)
    yield Emulator(server)
    server.stop()


@pytest.fixture(scope="module")
def k8s_with_token():
    from k8s_sim.server import start_server  # pylint: disable=import-outside-toplevel

    server = start_server(str(DEMO_CLUSTER), port=0, token=K8S_TOKEN)
    yield server
    server.stop()


def test_provision_check_runs_as_an_awx_job(
    https_apstra, k8s_with_token, checkout, tarball, ee_venv, tmp_path
):
    apstra = https_apstra
    # The venv holds the tarball's requirements and nothing of the development tool chain.
    installed = subprocess.run(
        [str(ee_venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    names = set(package["name"].lower() for package in json.loads(installed.stdout))
    assert {"ansible-core", "ansible-runner", "requests", "kubernetes", "netaddr"} <= names
    assert not names & {"ansible", "ansible-lint", "molecule", "pytest", "jmespath"}

    # Project update: the project's copy, and its requirements_collections (AWX runs ansible-galaxy from the project root).
    private_data_dir = tmp_path / "pdd"
    project = private_data_dir / "project"
    shutil.copytree(str(checkout), str(project), symlinks=True)
    collections = private_data_dir / "requirements_collections"
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)
    awx.run_ok(
        [
            str(ee_venv / "bin" / "ansible-galaxy"),
            "collection",
            "install",
            "-r",
            "collections/requirements.yml",
            "-p",
            str(collections),
        ],
        project,
        dict(env, ANSIBLE_COLLECTIONS_PATH=str(collections)),
    )

    # The job: credentials as AWX injects them, AWX's variables, the survey answers, check mode with diff.
    apstra_type = awx.load(REPO / "extensions" / "awx" / "credential_types" / "apstra.yml")
    job_env, cred_args = awx.inject(
        apstra_type,
        {
            "api_url": apstra.url,
            "username": APSTRA_USER,
            "password": APSTRA_PASSWORD,
            "ca_cert": apstra.server.cert_pem,
        },
        str(private_data_dir),
    )
    # the CA is a file of the job's private data directory, verification on
    assert job_env["APSTRA_CA_PATH"].startswith(str(private_data_dir / "env") + "/")
    assert Path(job_env["APSTRA_CA_PATH"]).read_text() == apstra.server.cert_pem
    assert job_env["APSTRA_VERIFY_CERTIFICATES"] == "true" and apstra.url.startswith("https://")
    job_env.update(
        awx.inject_kubernetes_bearer_token(
            {"host": k8s_with_token.url, "bearer_token": K8S_TOKEN, "verify_ssl": False},
            str(private_data_dir),
        )
    )
    job_env.update(
        ANSIBLE_COLLECTIONS_PATH="%s:~/.ansible/collections:/usr/share/ansible/collections"
        % collections,
        ANSIBLE_RETRY_FILES_ENABLED="False",
        ANSIBLE_INVENTORY_UNPARSED_FAILED="True",
        JOB_ID=str(JOB_ID),
        PROJECT_REVISION="0" * 40,
        AWX_PRIVATE_DATA_DIR=str(private_data_dir),
    )
    persistent_volume = tmp_path / "persistent-volume"
    extra_vars = {
        "awx_job_id": JOB_ID,
        "tower_job_id": JOB_ID,
        "awx_job_launch_type": "manual",
        "awx_job_template_name": "SR-IOV provision",
        "awx_project_revision": "0" * 40,
        "awx_user_name": "admin",
        "intent_file": "vars/example_intent.yml",
        "blueprint": "dc1",
        "reports_dir": str(persistent_volume / "reports"),
    }
    (private_data_dir / "env" / "envvars").write_text(yaml.safe_dump(job_env))
    (private_data_dir / "env" / "extravars").write_text(yaml.safe_dump(extra_vars))
    (private_data_dir / "env" / "cmdline").write_text(" ".join(["--check", "--diff"] + cred_args))
    (private_data_dir / "inventory").mkdir()
    (private_data_dir / "inventory" / "hosts").write_text("localhost ansible_connection=local\n")
    apstra.clear_log()
    requests.delete(k8s_with_token.url + "/_sim/requests", timeout=30).raise_for_status()

    run = subprocess.run(
        [
            str(ee_venv / "bin" / "ansible-runner"),
            "run",
            str(private_data_dir),
            "-p",
            "playbooks/provision.yml",
            "--ident",
            str(JOB_ID),
        ],
        cwd=str(tmp_path),
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    artifacts = private_data_dir / "artifacts" / str(JOB_ID)
    stdout = (artifacts / "stdout").read_text() if (artifacts / "stdout").exists() else run.stdout
    assert run.returncode == 0, stdout[-6000:] + run.stderr[-3000:]
    assert (artifacts / "status").read_text() == "successful"

    # Nothing written: Apstra got reads and the login (with the injected credential), Kubernetes only dry runs.
    assert apstra.writes() == []
    assert any(r["path"] == "/api/aaa/login" for r in apstra.requests_log())
    k8s_log = requests.get(k8s_with_token.url + "/_sim/requests", timeout=30).json()["requests"]
    assert [r for r in k8s_log if r["write"]] == []
    assert any(r.get("dry_run") for r in k8s_log)
    for secret in (APSTRA_PASSWORD, K8S_TOKEN):
        assert secret not in stdout

    # The change report in the job's artifacts (what AWX stores from the playbook_on_stats event) ...
    stats = []
    for path in sorted(glob.glob(str(artifacts / "job_events" / "*.json"))):
        with open(path, encoding="utf-8") as handle:
            event = json.load(handle)
        if event.get("event") == "playbook_on_stats":
            stats.append(event["event_data"])
    assert len(stats) == 1
    report = stats[0]["artifact_data"]["sriov_network_change_report"]
    assert report["check_mode"] is True
    assert report["run"] == "provision.yml (AWX job %d)" % JOB_ID
    assert (
        report["summary"]["fabric_changed"] is True and report["summary"]["cluster_changed"] is True
    )
    assert "sriov-data" in report["markdown"] and "(AWX job %d)" % JOB_ID in report["markdown"]
    # ... and in the reports directory, which outlives the job's container when it is a persistent volume.
    assert report["markdown_file"].startswith(str(persistent_volume / "reports") + "/")
    assert Path(report["markdown_file"]).read_text() == report["markdown"]
    assert Path(report["svg_file"]).is_file()
