"""The targets of a run are explicit: where the playbooks find a relative intent_file (the playbooks directory, its
vars/, then the current directory), and what they refuse before any call to Apstra or the cluster: no intent file, an
empty one, one without sriov_networks, one that is not YAML, and no blueprint on a server that holds two.
"""

import json
import re
from pathlib import Path

import pytest
import yaml
from sim_core.testing import DEMO_TOPOLOGY, Emulator

from apstra_sim.server import start_server

NETWORK = {
    "name": "sriov-cwd",
    "namespace": "telco",
    "vlan": 130,
    "routing_zone": "telco",
    "subnet": "10.130.0.0/24",
    "resource_name": "intel.com/sriov_netdevice",
}


def failure(result):
    """The message of the failed task."""
    line = next(line for line in result.stdout.splitlines() if line.startswith("fatal:"))
    return json.loads(line.split("=> ", 1)[1])["msg"]


def test_a_relative_intent_file_in_the_current_directory_and_the_example_are_found(job, tmp_path):
    gitops = tmp_path / "gitops"
    gitops.mkdir()
    (gitops / "my_intent.yml").write_text(yaml.safe_dump({"sriov_networks": [NETWORK]}))
    job.intent_file = "my_intent.yml"
    from_cwd = job("provision", "--check", cwd=gitops)
    assert from_cwd.rc == 0, from_cwd
    assert "sriov-cwd" in from_cwd.stdout and "sriov-data" not in from_cwd.stdout
    # the example, relative to playbooks/vars/, from a directory that does not hold it: only when named
    job.intent_file = "example_intent.yml"
    example = job("provision", "--check", cwd=gitops)
    assert example.rc == 0, example
    assert "sriov-data" in example.stdout and "sriov-cwd" not in example.stdout
    job.intent_file = "nothere.yml"
    missing = job("provision", "--check", cwd=gitops)
    # the playbooks' directory (the collection's, as ansible-playbook imports it), then the current one
    assert missing.rc != 0 and re.fullmatch(
        r"intent_file: nothere.yml not found \(looked in: (/\S+)/playbooks/vars/nothere.yml, "
        r"\1/playbooks/nothere.yml, %s/vars/nothere.yml, %s/nothere.yml\)" % (gitops, gitops),
        failure(missing),
    ), failure(missing)


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "intent_file: required with source intent (-e intent_file=PATH;"),
        (
            "",
            "intent_file: {path} is empty: it must hold sriov_networks (a list; sriov_networks: [] for none)",
        ),
        (
            "sriov_allocation: {}\n",
            "intent_file: {path} has no sriov_networks (a list; sriov_networks: [] for none)",
        ),
        (
            "sriov_networks:\n  - name: a\n    vlan: [110\n",
            "intent_file: {path} is not valid YAML at line 4, column 1: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "- just a list\n",
            "intent_file: {path} must be a mapping with sriov_networks, not a list",
        ),
        (
            "sriov_networks: []\nblueprint: dc1\n",
            "intent_file: {path}: unknown key(s) blueprint; allowed sriov_networks, sriov_allocation, sriov_owner, sriov_tenants",
        ),
    ],
    ids=["no-intent-file", "empty", "no-networks", "not-yaml", "not-a-mapping", "unknown-key"],
)
def test_a_missing_or_broken_intent_is_refused_before_any_call(
    job, apstra, k8s, tmp_path, content, message
):
    path = tmp_path / "intent.yml"
    job.intent_file = None
    if content is not None:
        path.write_text(content)
        job.intent_file = path
    apstra.clear_log()
    k8s.clear_log()
    result = job("provision")
    assert result.rc != 0
    assert message.format(path=path) in failure(result), result
    assert apstra.requests_log() == [] and k8s.requests_log() == []


def test_an_explicit_empty_intent_is_a_valid_nothing(job, tmp_path):
    path = tmp_path / "intent.yml"
    path.write_text("sriov_networks: []\n")
    job.intent_file = path
    result = job("provision")
    assert result.rc == 0, result
    assert "changed=0" in result.stdout


def test_apstra_blueprint_alone_selects_and_none_on_a_two_blueprint_server_is_an_error(
    job, k8s, tmp_path
):
    second = tmp_path / "dc2.yml"
    second.write_text(DEMO_TOPOLOGY.read_text().replace("blueprint: dc1", "blueprint: dc2"))
    server = start_server([str(DEMO_TOPOLOGY), str(second)], port=0, task_polls=2)
    try:
        shared = Emulator(server)
        job.apstra = shared
        extra = {"blueprint": ""}  # as if not given: the environment or the server decides
        none = job("provision", "--check", extra=extra)
        assert none.rc != 0 and failure(none) == (
            "blueprint: not given (option blueprint, APSTRA_BLUEPRINT, or -e blueprint=) and the server holds 2 "
            "blueprints; name the one to work on: dc1, dc2"
        )
        shared.clear_log()
        chosen = job("provision", extra=extra, env={"APSTRA_BLUEPRINT": "dc2"})
        assert chosen.rc == 0, chosen
        ids = dict(
            (item["label"], item["id"])
            for item in shared.state()["blueprints"].values()
            if isinstance(item, dict) and "label" in item
        )
        writes = [entry["path"] for entry in shared.writes() if "/blueprints/" in entry["path"]]
        assert writes and all("/blueprints/%s/" % ids["dc2"] in path for path in writes), writes
    finally:
        server.stop()


def test_an_allocation_given_two_ways_that_differ_is_refused_before_any_call(
    job, apstra, k8s, tmp_path
):
    path = tmp_path / "intent.yml"
    path.write_text(
        yaml.safe_dump(
            {"sriov_networks": [NETWORK], "sriov_allocation": {"vlan_range": [2000, 2099]}}
        )
    )
    job.intent_file = path
    apstra.clear_log()
    k8s.clear_log()
    result = job(
        "provision", "-e", json.dumps({"sriov_network_allocation": {"vlan_range": [3000, 3099]}})
    )
    assert result.rc != 0
    assert failure(result).startswith(
        "allocation: {'vlan_range': [3000, 3099]} is given, but %s says sriov_allocation: "
        "{'vlan_range': [2000, 2099]}; give the allocation one way" % path
    ), result
    assert apstra.requests_log() == [] and k8s.requests_log() == []


def test_without_pwd_the_reports_land_in_the_directory_the_run_started_in(job, tmp_path):
    """systemd, cron and some AWX setups start ansible-playbook without PWD (the env lookup reads it as "", as it
    reads an unset one): the report still lands in reports/ of the directory the process runs in, never in /reports.
    """
    path = tmp_path / "intent.yml"
    path.write_text(yaml.safe_dump({"sriov_networks": [NETWORK]}))
    job.intent_file = path
    workdir = tmp_path / "started-here"
    workdir.mkdir()
    extra = job.extra_vars(None)
    del extra["reports_dir"]
    result = job.run_playbook(
        Path(__file__).resolve().parents[2] / "playbooks" / "provision.yml",
        "--check",
        extra_vars=extra,
        env={"APSTRA_VERIFY_CERTIFICATES": "false", "PWD": "", "SRIOV_REPORTS_DIR": ""},
        cwd=workdir,
    )
    assert result.rc == 0, result.stdout[-3000:]
    assert (workdir / "reports" / "provision-latest.md").is_file(), result.stdout[-3000:]
    assert "report: %s/reports/" % workdir in result.stdout
