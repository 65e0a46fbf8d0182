"""extensions/awx/configure.yml (awx.awx) and configure_controller.yml (ansible.controller), run by ansible-playbook as a
user runs them, with the controller modules' arguments checked against the modules' own argument specs.

No controller here: an action plugin stands in for every controller module the tasks call (awx_stubs/: it validates
the task's arguments, templated by Ansible with omit, loops and conditions applied, with ArgumentSpecValidator against
the spec the real module's main() builds, and records them), and the controller_api lookup answers from canned data.
The modules are awx.awx 24.6.1's, from the `ansible` package. ansible.controller (Automation Hub) cannot be installed
here: it is built from the same source (ansible/awx awx_collection, namespace and name templated by
tools/template_galaxy.yml), so the test builds it the same way, from awx.awx's files with the collection's name
replaced, and runs configure_controller.yml against that.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
AWX_DIR = REPO / "extensions" / "awx"
STUBS = Path(__file__).with_name("awx_stubs")
BIN = Path(sys.executable).parent
SECRET = "apstra-secret-in-settings"
TOKEN = "k8s-token-in-settings"
CA = "-----BEGIN CERTIFICATE-----\nMIIBapstraCA\n-----END CERTIFICATE-----\n"
MODULES = sorted(
    {
        line.strip().split(":", 1)[0]
        for line in (AWX_DIR / "configure_tasks.yml").read_text().splitlines()
        if "# noqa: fqcn[action]" in line
    }
)
SETTINGS = {
    "cn2_apstra_awx_project_url": "https://git.example.net/netops/cn2_apstra.git",
    "cn2_apstra_awx_ee_image": "registry.example.net/cn2-apstra-ee:0.2.0",
    "cn2_apstra_awx_apstra_inputs": {
        "api_url": "https://apstra.example.net/api",
        "username": "netops",
        "password": SECRET,
        "ca_cert": CA,
    },
    "cn2_apstra_awx_k8s_inputs": {
        "host": "https://api.cluster.example.net:6443",
        "bearer_token": TOKEN,
        "verify_ssl": True,
    },
    "cn2_apstra_awx_inventory_inputs": {
        "api_url": "https://apstra.example.net",
        "auth_token": SECRET,
        "ca_cert": CA,
        "k8s_host": "https://api.cluster.example.net:6443",
        "k8s_bearer_token": TOKEN,
    },
}


def awx_awx_dir():
    import ansible_collections.awx.awx as awx_awx  # pylint: disable=import-outside-toplevel

    return Path(list(awx_awx.__path__)[0])


@pytest.fixture(scope="module")
def controller_collections(tmp_path_factory):
    """A collections path with awx.awx and ansible.controller, both awx.awx 24.6.1's code (ansible.controller renamed
    as AWX's build renames it), their controller_api lookup replaced by the stub."""
    base = tmp_path_factory.mktemp("controller-collections")
    source = awx_awx_dir()
    for namespace, name in (("awx", "awx"), ("ansible", "controller")):
        target = base / "ansible_collections" / namespace / name
        shutil.copytree(
            str(source), str(target), ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        if (namespace, name) != ("awx", "awx"):
            for path in target.rglob("*"):
                if path.is_file() and path.suffix in (".py", ".yml", ".yaml", ".json"):
                    text = path.read_text()
                    if "awx.awx" in text:
                        path.write_text(text.replace("awx.awx", "%s.%s" % (namespace, name)))
        shutil.copy(
            str(STUBS / "lookup_plugins" / "controller_api.py"), str(target / "plugins" / "lookup")
        )
    return base


@pytest.fixture
def configure(controller_collections, ansible_env, tmp_path):
    """Run a configure playbook with settings; returns (process, recorded calls)."""
    actions = tmp_path / "action_plugins"
    actions.mkdir()
    for module in MODULES:
        shutil.copy(str(STUBS / "controller_module_stub.py"), str(actions / ("%s.py" % module)))

    def run(playbook="configure.yml", settings=None, galaxy="", galaxy_exists=""):
        log = tmp_path / ("calls-%d.jsonl" % len(list(tmp_path.glob("calls-*.jsonl"))))
        log.write_text("")
        settings_file = tmp_path / "awx-settings.yml"
        settings_file.write_text(yaml.safe_dump(settings or {}))
        env = dict(
            (name, value)
            for name, value in ansible_env.items()
            if not name.startswith("CONTROLLER_")
        )
        env.update(
            ANSIBLE_COLLECTIONS_PATH=str(controller_collections),
            ANSIBLE_ACTION_PLUGINS=str(actions),
            CONFIGURE_STUB_LOG=str(log),
            CONFIGURE_STUB_GALAXY=galaxy,
            CONFIGURE_STUB_GALAXY_EXISTS=galaxy_exists,
        )
        proc = subprocess.run(
            [
                str(BIN / "ansible-playbook"),
                "-i",
                "localhost,",
                str(AWX_DIR / playbook),
                "-e",
                "@%s" % settings_file,
            ],
            env=env,
            cwd=str(tmp_path),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        calls = [json.loads(line) for line in log.read_text().splitlines() if line]
        return proc, calls

    return run


def modules_called(calls):
    return [call for call in calls if "module" in call]


def by_name(calls, module, name):
    found = [
        c["args"]
        for c in calls
        if c.get("module", "").endswith("." + module) and c["args"].get("name") == name
    ]
    assert len(found) == 1, (module, name, [c.get("args", {}).get("name") for c in calls])
    return found[0]


def test_the_modules_the_tasks_call():
    assert MODULES == [
        "credential",
        "credential_type",
        "execution_environment",
        "host",
        "inventory",
        "inventory_source",
        "job_template",
        "organization",
        "project",
        "workflow_job_template",
    ]
    for playbook, collection in (
        ("configure.yml", "awx.awx"),
        ("configure_controller.yml", "ansible.controller"),
    ):
        play = yaml.safe_load((AWX_DIR / playbook).read_text())[0]
        assert play["collections"] == [collection]
        assert play["vars"]["cn2_apstra_awx_collection"] == collection


@pytest.mark.parametrize(
    "settings, messages",
    [
        (
            {},
            [
                "cn2_apstra_awx_project_url is not set",
                'cn2_apstra_awx_apstra_inputs is not set: the credential "SR-IOV Apstra" that the job templates attach',
                'cn2_apstra_awx_k8s_inputs is not set: the credential "SR-IOV Kubernetes"',
                'cn2_apstra_awx_inventory_inputs is not set: the credential "SR-IOV fabric inventory" that the inventory'
                " source attaches",
            ],
        ),
        (
            dict(
                SETTINGS,
                cn2_apstra_awx_apstra_inputs={"api_url": "https://a", "username": "netops"},
                cn2_apstra_awx_k8s_inputs={"host": "https://k"},
                cn2_apstra_awx_inventory_inputs={
                    "api_url": "",
                    "k8s_host": "https://k",
                    "k8s_bearer_token": TOKEN,
                },
            ),
            [
                "cn2_apstra_awx_apstra_inputs needs username and password, or auth_token",
                "cn2_apstra_awx_k8s_inputs.bearer_token is missing",
                "cn2_apstra_awx_inventory_inputs.api_url is missing",
                "cn2_apstra_awx_inventory_inputs needs username and password, or auth_token",
            ],
        ),
    ],
)
def test_missing_credential_inputs_fail_before_any_change(configure, settings, messages):
    proc, calls = configure(settings=settings)
    assert proc.returncode != 0
    assert calls == [], "something was created or read before the check failed"
    for message in messages:
        assert message in proc.stdout, (message, proc.stdout[-3000:])
    assert TOKEN not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "playbook, collection",
    [("configure.yml", "awx.awx"), ("configure_controller.yml", "ansible.controller")],
)
def test_every_call_fits_the_module_argument_specs(configure, playbook, collection):
    proc, calls = configure(playbook, SETTINGS)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    called = modules_called(calls)
    assert called and all(call["module"].startswith(collection + ".") for call in called), called
    assert [call for call in called if call["errors"]] == []
    assert {call["module"].split(".")[-1] for call in called} == set(MODULES)
    assert SECRET not in proc.stdout + proc.stderr and TOKEN not in proc.stdout + proc.stderr
    lookups = [call for call in calls if call.get("lookup")]
    assert lookups, "the organization's Galaxy credentials were not read"

    # The Apstra credential type carries the CA input, injected as a file whose path is APSTRA_CA_PATH.
    apstra_type = by_name(calls, "credential_type", "Juniper Apstra (netops.cn2_apstra)")
    assert "ca_cert" in [field["id"] for field in apstra_type["inputs"]["fields"]]
    assert apstra_type["injectors"]["file"] == {"template": "{{ ca_cert }}"}
    assert (
        apstra_type["injectors"]["env"]["APSTRA_CA_PATH"]
        == "{{ tower.filename if ca_cert else '' }}"
    )
    assert by_name(calls, "credential", "SR-IOV Apstra")["inputs"]["ca_cert"] == CA

    # The organization had no Galaxy credential and none of that name existed: created, then given to it.
    galaxy = by_name(calls, "credential", "Ansible Galaxy")
    assert (
        galaxy["state"] == "exists"
        and galaxy["credential_type"] == "Ansible Galaxy/Automation Hub API Token"
    )
    assert by_name(calls, "organization", "Default")["galaxy_credentials"] == ["Ansible Galaxy"]

    # Surveys: the blueprint and the intent file are asked every launch, without a default.
    provision = by_name(calls, "job_template", "SR-IOV provision")
    for variable in ("blueprint", "intent_file"):
        question = [q for q in provision["survey_spec"]["spec"] if q["variable"] == variable][0]
        assert question["required"] is True and "default" not in question, question
    # The job template EDA launches: variables prompted on launch, never two at once, no survey to answer.
    eda = by_name(calls, "job_template", "SR-IOV fabric reconcile")
    assert eda["playbook"] == "playbooks/reconcile.yml"
    assert eda["ask_variables_on_launch"] is True and eda["allow_simultaneous"] is False
    assert eda["survey_enabled"] is False
    assert eda["extra_vars"] == {"source": "cluster", "binding": "pods", "reports_dir": "reports"}
    # No blueprint setting: the inventory source leaves it to the plugin (the only blueprint on the server).
    source = by_name(calls, "inventory_source", "SR-IOV fabric from Apstra and Kubernetes")
    assert source["source_vars"] == {}
    assert source["credential"] == "SR-IOV fabric inventory"


def test_a_blueprint_setting_and_an_organization_with_galaxy(configure):
    settings = dict(SETTINGS, cn2_apstra_awx_blueprint="dc1")
    proc, calls = configure(settings=settings, galaxy="Automation Hub")
    assert proc.returncode == 0, proc.stdout[-5000:]
    called = modules_called(calls)
    assert [call for call in called if call["errors"]] == []
    # The organization keeps its Galaxy credentials: nothing created, nothing associated.
    assert not [c for c in called if c["module"].endswith(".organization")]
    assert not [c for c in called if c["args"].get("name") == "Ansible Galaxy"]
    assert by_name(calls, "inventory_source", "SR-IOV fabric from Apstra and Kubernetes")[
        "source_vars"
    ] == {"APSTRA_BLUEPRINT": "dc1"}
    assert (
        by_name(calls, "job_template", "SR-IOV fabric reconcile")["extra_vars"]["blueprint"]
        == "dc1"
    )


def test_existing_credentials_need_no_inputs(configure):
    proc, calls = configure(
        settings={
            "cn2_apstra_awx_project_url": SETTINGS["cn2_apstra_awx_project_url"],
            "cn2_apstra_awx_existing_credentials": True,
        },
        galaxy="Ansible Galaxy",
        galaxy_exists="1",
    )
    assert proc.returncode == 0, proc.stdout[-5000:]
    called = modules_called(calls)
    assert [c for c in called if c["errors"]] == []
    # only the credential types; the credentials are the ones that exist, named as the job templates name them
    assert not [c for c in called if c["module"].endswith(".credential")]
    assert by_name(calls, "job_template", "SR-IOV verify")["credentials"] == [
        "SR-IOV Apstra",
        "SR-IOV Kubernetes",
    ]
