"""The Apstra connection settings users bring from other tools, each against the emulator, in the modules and in the
inventory plugin:

- ``APSTRA_API_URL`` as juniper.apstra's README writes it (``https://host/api``), with a trailing slash, or bare;
- ``verify_certificates``, juniper.apstra's name of ``validate_certs`` (against the HTTPS emulator);
- terraform-provider-apstra's ``APSTRA_USER`` / ``APSTRA_PASS`` after ``APSTRA_USERNAME`` / ``APSTRA_PASSWORD``;
- a malformed URL is an error naming ``api_url``.

Every run gets its connection from the environment (or the task) alone: no APSTRA_* variable of this machine leaks in.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from apstra_sim.server import start_server
from sim_core.testing import APSTRA_PASSWORD, APSTRA_USER

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "tools" / "apstra_sim" / "topologies" / "demo.yml"
BIN = Path(sys.executable).parent
INFO = "netops.cn2_apstra.apstra_blueprint_info"


@pytest.fixture(scope="module")
def tls_apstra(tmp_path_factory):
    """The Apstra emulator over HTTPS with a self-signed certificate; (server, CA file)."""
    server = start_server(str(DEMO), port=0, tls=True)
    ca_file = tmp_path_factory.mktemp("tls") / "apstra-ca.pem"
    ca_file.write_text(server.cert_pem)
    yield server, ca_file
    server.stop()


def logins(apstra):
    return [r["path"] for r in apstra.requests_log() if r["path"].endswith("/aaa/login")]


@pytest.mark.parametrize("suffix", ["", "/", "/api", "/api/"])
def test_api_url_with_or_without_the_api_prefix(apstra, bare_env, suffix, blueprint_info):
    env = dict(
        bare_env,
        APSTRA_API_URL=apstra.url + suffix,
        APSTRA_USERNAME=APSTRA_USER,
        APSTRA_PASSWORD=APSTRA_PASSWORD,
    )
    rc, result = blueprint_info(env)
    assert rc == 0, result
    assert result["blueprints"][0]["label"] == "dc1"
    # one login, at /api/aaa/login: never /api/api/aaa/login
    assert logins(apstra) == ["/api/aaa/login"]


@pytest.mark.parametrize("url", ["apstra.example.net", "ftp://apstra.example.net", "https://"])
def test_a_malformed_api_url_is_an_error_naming_the_option(bare_env, url, blueprint_info):
    env = dict(
        bare_env, APSTRA_API_URL=url, APSTRA_USERNAME="netops", APSTRA_PASSWORD="a-long-secret"
    )
    rc, result = blueprint_info(env)
    assert rc != 0 and result["failed"]
    assert result["msg"].startswith("api_url: %r is not an http(s) URL" % url), result["msg"]


def test_terraform_user_and_pass_variables(apstra, bare_env, blueprint_info):
    env = dict(
        bare_env,
        APSTRA_API_URL=apstra.url,
        APSTRA_USER=APSTRA_USER,
        APSTRA_PASS=APSTRA_PASSWORD,
    )
    rc, result = blueprint_info(env)
    assert rc == 0, result
    assert result["blueprints"][0]["label"] == "dc1" and logins(apstra) == ["/api/aaa/login"]
    assert APSTRA_PASSWORD not in json.dumps(result)


def test_username_and_password_win_over_terraform_names_and_empty_ones_do_not(
    apstra, bare_env, blueprint_info
):
    # APSTRA_USERNAME/APSTRA_PASSWORD come first: a wrong Terraform pair beside them is never tried.
    env = dict(
        bare_env,
        APSTRA_API_URL=apstra.url,
        APSTRA_USERNAME=APSTRA_USER,
        APSTRA_PASSWORD=APSTRA_PASSWORD,
        APSTRA_USER="someone-else",
        APSTRA_PASS="not-the-password",
    )
    rc, result = blueprint_info(env)
    assert rc == 0, result
    # An empty APSTRA_USERNAME (AWX injects the fields a credential leaves empty as "") falls through to APSTRA_USER.
    env = dict(
        bare_env,
        APSTRA_API_URL=apstra.url,
        APSTRA_USERNAME="",
        APSTRA_PASSWORD="",
        APSTRA_USER=APSTRA_USER,
        APSTRA_PASS=APSTRA_PASSWORD,
    )
    rc, result = blueprint_info(env)
    assert rc == 0, result


def test_verify_certificates_alias_against_the_https_emulator(
    tls_apstra, bare_env, run_playbook, blueprint_info
):
    server, ca_file = tls_apstra
    env = dict(
        bare_env,
        APSTRA_API_URL=server.url,
        APSTRA_USERNAME=APSTRA_USER,
        APSTRA_PASSWORD=APSTRA_PASSWORD,
    )
    rc, result = blueprint_info(env, {"verify_certificates": False})
    assert rc == 0, result
    assert result["blueprints"][0]["label"] == "dc1"
    rc, result = blueprint_info(env, {"verify_certificates": True})
    assert rc != 0 and "CERTIFICATE_VERIFY_FAILED" in result["msg"], result
    # APSTRA_CA_PATH verifies the self-signed certificate, with the alias set to true
    rc, result = blueprint_info(
        dict(env, APSTRA_CA_PATH=str(ca_file)), {"verify_certificates": True}
    )
    assert rc == 0, result
    # as module_defaults for the action group, with the URL in juniper.apstra's form
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {
                "group/netops.cn2_apstra.apstra": {
                    "api_url": server.url + "/api",
                    "verify_certificates": False,
                    "token_cache": False,
                }
            },
            "tasks": [{"name": "Read the blueprint", INFO: {"blueprint": "dc1"}}],
        }
    ]
    run = run_playbook(json.dumps(play), env=env)
    assert run.rc == 0, run
    assert "dc1" in run.stdout or "ok=1" in run.stdout


def run_inventory(env, tmp_path, text):
    path = tmp_path / "lab.sriov_fabric.yml"
    path.write_text(text)
    return subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(path), "--list"],
        env=dict(env, ANSIBLE_INVENTORY_UNPARSED_FAILED="true"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def sriov_nodes(proc):
    assert proc.returncode == 0, proc.stderr
    return sorted(json.loads(proc.stdout)["sriov_nodes"]["hosts"])


CONFIG = "plugin: netops.cn2_apstra.sriov_fabric\napstra_blueprint: dc1\n"


def test_inventory_takes_the_same_forms(apstra, k8s, tls_apstra, bare_env, tmp_path):
    # a token cache of its own: the first run logs in, whatever earlier tests cached
    env = dict(
        bare_env, K8S_AUTH_KUBECONFIG=k8s.kubeconfig, ANSIBLE_HOME=str(tmp_path / "ansible-home")
    )
    # juniper.apstra's URL form, Terraform's user and password
    proc = run_inventory(
        dict(
            env,
            APSTRA_API_URL=apstra.url + "/api/",
            APSTRA_USER=APSTRA_USER,
            APSTRA_PASS=APSTRA_PASSWORD,
        ),
        tmp_path,
        CONFIG,
    )
    assert len(sriov_nodes(proc)) == 6
    assert logins(apstra) == ["/api/aaa/login"]
    assert APSTRA_PASSWORD not in proc.stdout + proc.stderr
    # APSTRA_USERNAME wins over APSTRA_USER; an empty one falls through
    proc = run_inventory(
        dict(
            env,
            APSTRA_API_URL=apstra.url,
            APSTRA_USERNAME="",
            APSTRA_PASSWORD=APSTRA_PASSWORD,
            APSTRA_USER=APSTRA_USER,
            APSTRA_PASS="not-the-password",
        ),
        tmp_path,
        CONFIG,
    )
    assert len(sriov_nodes(proc)) == 6
    # apstra_verify_certificates against the HTTPS emulator: off works, on fails, on with APSTRA_CA_PATH works
    server, ca_file = tls_apstra
    tls_env = dict(
        env, APSTRA_API_URL=server.url, APSTRA_USERNAME=APSTRA_USER, APSTRA_PASSWORD=APSTRA_PASSWORD
    )
    proc = run_inventory(tls_env, tmp_path, CONFIG + "apstra_verify_certificates: false\n")
    assert len(sriov_nodes(proc)) == 6
    proc = run_inventory(tls_env, tmp_path, CONFIG + "apstra_verify_certificates: true\n")
    assert proc.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in proc.stderr, proc.stderr
    proc = run_inventory(
        dict(tls_env, APSTRA_CA_PATH=str(ca_file)),
        tmp_path,
        CONFIG + "apstra_verify_certificates: true\n",
    )
    assert len(sriov_nodes(proc)) == 6
    # a malformed URL names the option
    proc = run_inventory(dict(tls_env, APSTRA_API_URL="apstra.example.net"), tmp_path, CONFIG)
    assert (
        proc.returncode != 0
        and "api_url: 'apstra.example.net' is not an http(s) URL" in proc.stderr
    )
