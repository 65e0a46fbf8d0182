"""The shipped AWX credential types: valid for AWX, and what they inject drives the modules and the inventory plugin.

Each credential is injected the way AWX does it (tests/integration/awx.py) into an environment that holds no other
APSTRA_* or K8S_AUTH_* variable, then a collection module (or ansible-inventory) runs with it against the emulators.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from apstra_sim.server import start_server
from sim_core.testing import APSTRA_PASSWORD, APSTRA_USER, DEMO_CLUSTER, DEMO_TOPOLOGY

REPO = Path(__file__).resolve().parents[2]
CREDENTIAL_TYPES = REPO / "extensions" / "awx" / "credential_types"
K8S_TOKEN = "awx-bearer-token"

_SPEC = importlib.util.spec_from_file_location(
    "awx_emulation", Path(__file__).with_name("awx_emulation.py")
)
awx = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(awx)


@pytest.fixture(scope="module")
def k8s_with_token():
    """The Kubernetes emulator on the demo cluster, accepting only the bearer token K8S_TOKEN."""
    from k8s_sim.server import start_server  # pylint: disable=import-outside-toplevel

    server = start_server(str(DEMO_CLUSTER), port=0, token=K8S_TOKEN)
    yield server
    server.stop()


@pytest.mark.parametrize("name", sorted(path.name for path in CREDENTIAL_TYPES.glob("*.yml")))
def test_credential_type_is_valid_for_awx(name):
    credential_type = awx.load(CREDENTIAL_TYPES / name)
    ids = awx.validate_credential_type(credential_type)
    assert {"api_url", "username", "password", "auth_token", "skip_tls_verify"} <= set(ids)
    env = credential_type["injectors"]["env"]
    # Every variable the Apstra modules and the inventory plugin read, and nothing of Ansible's own.
    assert {
        "APSTRA_API_URL",
        "APSTRA_USERNAME",
        "APSTRA_PASSWORD",
        "APSTRA_AUTH_TOKEN",
        "APSTRA_VERIFY_CERTIFICATES",
        "APSTRA_CA_PATH",
    } <= set(env)
    # the CA certificate: a PEM text input, injected as a file
    ca_field = [field for field in credential_type["inputs"]["fields"] if field["id"] == "ca_cert"][
        0
    ]
    assert ca_field.get("type", "string") == "string" and ca_field["multiline"] is True
    assert any("ca_cert" in template for template in credential_type["injectors"]["file"].values())
    secrets = set(
        field["id"] for field in credential_type["inputs"]["fields"] if field.get("secret")
    )
    assert {"password", "auth_token"} <= secrets


def test_configure_playbook_uses_the_shipped_types():
    """extensions/awx/configure.yml (its settings) loads the credential types from the files the tests validate."""
    text = (REPO / "extensions" / "awx" / "configure_vars.yml").read_text()
    for name in sorted(path.name for path in CREDENTIAL_TYPES.glob("*.yml")):
        assert "credential_types/%s" % name in text


def test_verification_is_the_default(tmp_path):
    """AWX renders a boolean input that was never set as false: certificates are then verified."""
    credential_type = awx.load(CREDENTIAL_TYPES / "apstra.yml")
    env, args = awx.inject(
        credential_type,
        {"api_url": "https://apstra.example.net", "username": "u", "password": "p"},
        str(tmp_path),
    )
    assert env["APSTRA_VERIFY_CERTIFICATES"] == "true"
    assert env["APSTRA_AUTH_TOKEN"] == ""
    # no CA certificate: APSTRA_CA_PATH is empty, which the modules and the inventory plugin take as not set
    assert env["APSTRA_CA_PATH"] == ""
    assert args == []
    env, _args = awx.inject(
        credential_type,
        {"api_url": "https://apstra.example.net", "auth_token": "t", "skip_tls_verify": True},
        str(tmp_path),
    )
    assert env["APSTRA_VERIFY_CERTIFICATES"] == "false"
    assert env["APSTRA_USERNAME"] == "" and env["APSTRA_AUTH_TOKEN"] == "t"


def test_apstra_credential_with_password_runs_a_module(apstra, bare_env, tmp_path, blueprint_info):
    credential_type = awx.load(CREDENTIAL_TYPES / "apstra.yml")
    env, _args = awx.inject(
        credential_type,
        {"api_url": apstra.url, "username": APSTRA_USER, "password": APSTRA_PASSWORD},
        str(tmp_path),
    )
    rc, result = blueprint_info(dict(bare_env, **env))
    assert rc == 0, result
    assert result["blueprints"][0]["label"] == "dc1"
    assert any(r["path"] == "/api/aaa/login" for r in apstra.requests_log())


def test_apstra_credential_ca_certificate_verifies_the_https_emulator(
    bare_env, tmp_path, blueprint_info
):
    """The CA input becomes a file whose path AWX injects as APSTRA_CA_PATH; the module verifies Apstra with it."""
    server = start_server(str(DEMO_TOPOLOGY), port=0, tls=True)
    try:
        credential_type = awx.load(CREDENTIAL_TYPES / "apstra.yml")
        inputs = {"api_url": server.url, "username": APSTRA_USER, "password": APSTRA_PASSWORD}
        env, _args = awx.inject(
            credential_type, dict(inputs, ca_cert=server.cert_pem), str(tmp_path / "with-ca")
        )
        path = env["APSTRA_CA_PATH"]
        assert os.path.dirname(path) == str(tmp_path / "with-ca" / "env")
        assert Path(path).read_text() == server.cert_pem
        assert env["APSTRA_VERIFY_CERTIFICATES"] == "true"
        rc, result = blueprint_info(dict(bare_env, **env))
        assert rc == 0, result
        assert result["blueprints"][0]["label"] == "dc1"
        # without the CA, the self-signed certificate is refused: verification is on
        env, _args = awx.inject(credential_type, inputs, str(tmp_path / "without-ca"))
        rc, result = blueprint_info(dict(bare_env, **env))
        assert rc != 0 and "CERTIFICATE_VERIFY_FAILED" in result["msg"], result
    finally:
        server.stop()


def test_apstra_credential_with_token_runs_a_module_without_login(
    apstra, bare_env, tmp_path, run_module
):
    token = requests.post(
        apstra.url + "/api/aaa/login",
        json={"username": APSTRA_USER, "password": APSTRA_PASSWORD},
        timeout=30,
    ).json()["token"]
    apstra.clear_log()
    credential_type = awx.load(CREDENTIAL_TYPES / "apstra.yml")
    env, _args = awx.inject(
        credential_type, {"api_url": apstra.url, "auth_token": token}, str(tmp_path)
    )
    proc, result = run_module(
        dict(bare_env, **env), "netops.cn2_apstra.apstra_blueprint_info", {"blueprint": "dc1"}
    )
    assert proc.returncode == 0, result
    assert result["blueprints"][0]["label"] == "dc1"
    assert not any(r["path"] == "/api/aaa/login" for r in apstra.requests_log())


def test_apstra_credential_with_a_wrong_password_fails(apstra, bare_env, tmp_path, blueprint_info):
    credential_type = awx.load(CREDENTIAL_TYPES / "apstra.yml")
    env, _args = awx.inject(
        credential_type,
        {"api_url": apstra.url, "username": APSTRA_USER, "password": "wrong"},
        str(tmp_path),
    )
    rc, result = blueprint_info(dict(bare_env, **env))
    assert rc != 0 and result.get("failed"), result
    assert "wrong" not in json.dumps(result)


def test_builtin_kubernetes_credential_runs_a_cluster_module(
    k8s_with_token, bare_env, tmp_path, run_module
):
    """AWX's "OpenShift or Kubernetes API Bearer Token" type (K8S_AUTH_HOST, _API_KEY, _VERIFY_SSL) drives the cluster modules."""
    env = awx.inject_kubernetes_bearer_token(
        {"host": k8s_with_token.url, "bearer_token": K8S_TOKEN, "verify_ssl": False}, str(tmp_path)
    )
    proc, result = run_module(dict(bare_env, **env), "netops.cn2_apstra.sriov_node_info")
    assert proc.returncode == 0, result
    assert "worker-05" in json.dumps(result)
    env = awx.inject_kubernetes_bearer_token(
        {"host": k8s_with_token.url, "bearer_token": "not-the-token"}, str(tmp_path)
    )
    proc, result = run_module(dict(bare_env, **env), "netops.cn2_apstra.sriov_node_info")
    assert proc.returncode != 0 and "401" in json.dumps(result), result


def test_inventory_credential_drives_the_shipped_inventory_source(
    apstra, k8s_with_token, bare_env, tmp_path
):
    """The project-sourced inventory file with the fabric inventory credential, as an AWX inventory update runs it."""
    credential_type = awx.load(CREDENTIAL_TYPES / "sriov_fabric_inventory.yml")
    private_data_dir = tmp_path / "pdd"
    env, _args = awx.inject(
        credential_type,
        {
            "api_url": apstra.url,
            "username": APSTRA_USER,
            "password": APSTRA_PASSWORD,
            "k8s_host": k8s_with_token.url,
            "k8s_bearer_token": K8S_TOKEN,
        },
        str(private_data_dir),
    )
    assert env["K8S_AUTH_SSL_CA_CERT"] == "" and env["K8S_AUTH_VERIFY_SSL"] == "true"
    # AWX turns the source variables of a project-sourced inventory into environment variables.
    env["APSTRA_BLUEPRINT"] = "dc1"
    source = tmp_path / "project" / "extensions" / "awx" / "inventory"
    source.mkdir(parents=True)
    shutil.copy(REPO / "extensions" / "awx" / "inventory" / "sriov_fabric.yml", source)
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-inventory"),
            "-i",
            str(source / "sriov_fabric.yml"),
            "--list",
        ],
        env=dict(bare_env, ANSIBLE_INVENTORY_UNPARSED_FAILED="true", **env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    inventory = json.loads(proc.stdout)
    assert sorted(inventory["sriov_nodes"]["hosts"]) == [
        "worker-01",
        "worker-02",
        "worker-03",
        "worker-04",
        "worker-05",
        "worker-06",
    ]
    assert "worker-03" in inventory["sriov_cabling_mismatch"]["hosts"]
    assert APSTRA_PASSWORD not in proc.stdout and K8S_TOKEN not in proc.stdout


def test_inventory_credential_ca_certificates_are_files(tmp_path):
    credential_type = awx.load(CREDENTIAL_TYPES / "sriov_fabric_inventory.yml")
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    apstra_pem = "-----BEGIN CERTIFICATE-----\nMIIBapstra\n-----END CERTIFICATE-----\n"
    inputs = {
        "api_url": "https://a",
        "k8s_host": "https://k",
        "k8s_bearer_token": "t",
        "k8s_ca_cert": pem,
    }
    env, _args = awx.inject(credential_type, dict(inputs, ca_cert=apstra_pem), str(tmp_path))
    path = env["K8S_AUTH_SSL_CA_CERT"]
    assert os.path.dirname(path) == str(tmp_path / "env")
    assert Path(path).read_text() == pem
    assert Path(env["APSTRA_CA_PATH"]).read_text() == apstra_pem
    assert env["APSTRA_CA_PATH"] != path
    # only the Kubernetes CA: APSTRA_CA_PATH empty
    env, _args = awx.inject(credential_type, inputs, str(tmp_path / "k8s-only"))
    assert env["APSTRA_CA_PATH"] == "" and Path(env["K8S_AUTH_SSL_CA_CERT"]).read_text() == pem


def test_inventory_credential_with_the_apstra_ca_against_the_https_emulator(
    k8s_with_token, bare_env, tmp_path
):
    """The inventory source with an Apstra CA and no Kubernetes CA (K8S_AUTH_SSL_CA_CERT injected empty)."""
    server = start_server(str(DEMO_TOPOLOGY), port=0, tls=True)
    try:
        credential_type = awx.load(CREDENTIAL_TYPES / "sriov_fabric_inventory.yml")
        env, _args = awx.inject(
            credential_type,
            {
                "api_url": server.url,
                "username": APSTRA_USER,
                "password": APSTRA_PASSWORD,
                "ca_cert": server.cert_pem,
                "k8s_host": k8s_with_token.url,
                "k8s_bearer_token": K8S_TOKEN,
            },
            str(tmp_path / "pdd"),
        )
        assert env["K8S_AUTH_SSL_CA_CERT"] == ""
        env["APSTRA_BLUEPRINT"] = "dc1"
        proc = subprocess.run(
            [
                str(Path(sys.executable).parent / "ansible-inventory"),
                "-i",
                str(REPO / "extensions" / "awx" / "inventory" / "sriov_fabric.yml"),
                "--list",
            ],
            env=dict(bare_env, ANSIBLE_INVENTORY_UNPARSED_FAILED="true", **env),
            cwd=str(tmp_path),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert len(json.loads(proc.stdout)["sriov_nodes"]["hosts"]) == 6
    finally:
        server.stop()
