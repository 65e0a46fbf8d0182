"""Apstra port bindings, commit, info, graph query, token reuse, retries and scale, through ansible-playbook."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import requests

from apstra_sim.server import start_server

DEMO = Path(__file__).resolve().parents[2] / "tools" / "apstra_sim" / "topologies" / "demo.yml"
BASE_ESI_QUERY = "node('redundancy_group', label='leaf3-leaf4').out('hosted_interfaces').node('interface', if_type='port_channel', name='lag')"
PB = "netops.cn2_apstra.apstra_port_bindings"
VNS = "netops.cn2_apstra.apstra_virtual_networks"
ZONES = "netops.cn2_apstra.apstra_routing_zones"
COMMIT = "netops.cn2_apstra.apstra_blueprint_commit"
INFO = "netops.cn2_apstra.apstra_blueprint_info"
QUERY = "netops.cn2_apstra.apstra_graph_query"


def planned(plan):
    return [(p["method"], p["path"].split("?")[0]) for p in plan]


def writes(apstra):
    return [(r["method"], r["path"]) for r in apstra.writes()]


def test_port_bindings_esi_four_way_replaced_deleted(apstra, apstra_credentials, run_tasks):
    bind = {
        "config": [
            {"virtual_network": "sriov-a", "servers": ["worker-01", "worker-05"]},
            {"virtual_network": "storage", "tagged": False, "switch_ports": ["leaf2:xe-0/0/4"]},
        ]
    }
    tasks = [
        {
            "name": "networks",
            VNS: {
                "config": [
                    {"label": "sriov-a", "vlan_id": 100, "bindings": ["leaf1"]},
                    {"label": "storage", "vlan_id": 200, "bindings": ["leaf2"]},
                ]
            },
        },
        {"name": "esi lag", QUERY: {"query": BASE_ESI_QUERY}},
        {
            "name": "leaf1 port",
            QUERY: {
                "query": "node('system', label='leaf1').out('hosted_interfaces').node('interface', if_name='xe-0/0/1', name='intf')"
            },
        },
        {"name": "check 1", PB: bind, "check_mode": True},
        {"name": "real 1", PB: bind},
        {"name": "check 2", PB: bind, "check_mode": True},
        {"name": "real 2", PB: bind},
        {
            "name": "replaced",
            PB: {
                "config": [{"virtual_network": "sriov-a", "servers": ["worker-02"]}],
                "state": "replaced",
            },
        },
        {
            "name": "deleted",
            PB: {"config": [{"virtual_network": "storage", "tagged": False}], "state": "deleted"},
        },
        {
            "name": "deleted again",
            PB: {"config": [{"virtual_network": "storage", "tagged": False}], "state": "deleted"},
        },
        {
            "name": "network now deletable",
            VNS: {"config": [{"label": "storage"}], "state": "deleted"},
        },
        {
            "name": "conflict",
            PB: {
                "config": [
                    {"virtual_network": "sriov-a", "tagged": True, "servers": ["worker-04"]},
                    {"virtual_network": "sriov-a", "tagged": False, "servers": ["worker-02"]},
                ]
            },
            "ignore_errors": True,
        },
        {"name": "info", INFO: {"fabric": True}},
    ]
    _run, results = run_tasks(apstra_credentials, tasks, "--diff")
    (
        _vns,
        esi,
        leaf1,
        check1,
        real1,
        check2,
        real2,
        replaced,
        deleted,
        deleted2,
        vn_deleted,
        conflict,
        info,
    ) = results
    assert [r["changed"] for r in (check1, real1, check2, real2)] == [True, True, False, False]
    assert check1["plan"] == real1["plan"] and check2["plan"] == [] == real2["plan"]
    assert planned(real1["plan"]) == [
        ("PUT", "/api/blueprints/%s/obj-policy-import" % real1["plan"][0]["path"].split("/")[3]),
        (
            "PATCH",
            "/api/blueprints/%s/obj-policy-batch-apply" % real1["plan"][0]["path"].split("/")[3],
        ),
    ]
    assert len(real1["plan"][0]["body"]["policies"]) == 6  # two templates of three nodes each
    points = {p["id"] for p in real1["plan"][1]["body"]["application_points"]}
    esi_lag = esi["items"][0]["lag"]["id"]
    assert esi_lag in points and leaf1["items"][0]["intf"]["id"] in points and len(points) == 3
    assert real1["after"][0]["interfaces"] == ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]
    assert {d["after_header"] for d in real1["diff"]} == {
        "port_binding sriov-a (vlan_tagged)",
        "port_binding storage (untagged)",
    }
    assert replaced["after"][0]["interfaces"] == ["leaf1:xe-0/0/2"]
    assert sorted(
        e["used"] for p in replaced["plan"][0]["body"]["application_points"] for e in p["policies"]
    ) == [False, False, True]
    assert (
        deleted["changed"] and deleted["after"][0]["interfaces"] == [] and not deleted2["changed"]
    )
    assert (
        planned(deleted["plan"])[-1][1].endswith("/obj-policy-batch-delete")
        and vn_deleted["changed"]
    )
    assert conflict["failed"] and conflict["status"] == 422 and "applied 1 of 3" in conflict["msg"]
    # the assignments failed: the root whose port record they would have changed is not imported again
    assert [r["path"].rsplit("/", 1)[1] for r in conflict["not_applied"]] == [
        "obj-policy-batch-apply",
        "obj-policy-import",
    ]
    assert info["fabric"]["servers"]["worker-05"][0]["esi_lag"] == "leaf3-leaf4:ae5"
    assert info["fabric"]["esi_pairs"] == {"leaf3-leaf4": ["leaf3", "leaf4"]}
    logged = writes(apstra)
    sent = [planned(r["plan"]) for r in (_vns, real1, replaced, deleted)]
    assert logged[: len(sum(sent, []))] == sum(
        sent, []
    ), "check runs send nothing; real runs send exactly their plan"


def api_login(apstra):
    token = requests.post(
        apstra.url + "/api/aaa/login",
        json={"username": "admin", "password": "sim-admin-password"},
        timeout=10,
    ).json()["token"]
    return {"AuthToken": token}


def test_commit_noop_check_deploy_revert_and_failures(apstra, apstra_credentials, run_tasks):
    commit = {"description": "AWX job 42", "poll_interval": 0.2}
    tasks = [
        {"name": "nothing to commit", COMMIT: commit},
        {"name": "stage", ZONES: {"config": [{"label": "telco"}]}},
        {"name": "info staged", INFO: {}},
        {"name": "commit check", COMMIT: commit, "check_mode": True},
        {"name": "commit", COMMIT: commit},
        {"name": "commit again", COMMIT: commit},
        {"name": "stage 2", ZONES: {"config": [{"label": "edge"}]}},
        {"name": "revert check", COMMIT: {"revert": True}, "check_mode": True},
        {"name": "revert", COMMIT: {"revert": True}},
        {"name": "zones", ZONES: {"state": "gathered"}},
    ]
    _run, results = run_tasks(apstra_credentials, tasks, "--diff")
    noop, _stage, staged, check, real, again, _stage2, revert_check, revert, zones = results
    assert not noop["changed"] and noop["plan"] == []
    assert (
        staged["blueprints"][0]["has_uncommitted_changes"]
        and staged["blueprints"][0]["lock_type"] == "lock_by_changes"
    )
    assert check["changed"] and check["plan"] == real["plan"]
    assert check["plan"][0]["body"] == {
        "version": staged["blueprints"][0]["staging_version"],
        "description": "AWX job 42",
    }
    assert (
        real["changed"]
        and real["deployed_version"] == staged["blueprints"][0]["staging_version"]
        and real["task"]["status"] == "succeeded"
    )
    assert not again["changed"]
    assert (
        revert_check["changed"]
        and revert["changed"]
        and planned(revert["plan"])[0][1].endswith("/revert")
    )
    assert {z["label"] for z in zones["gathered"]} == {"Default routing zone", "telco"}
    log = writes(apstra)
    assert [m for m, p in log if p.endswith(("/deploy", "/revert"))] == ["PUT", "POST"]
    state = next(iter(apstra.state()["blueprints"].values()))
    assert state["revisions"][-1]["description"] == "AWX job 42"

    # deploy failure, lock, build errors
    apstra.reset()
    headers = api_login(apstra)
    bp_id = next(iter(apstra.state()["blueprints"]))
    apstra.faults(
        [
            {
                "action": "deploy_fail",
                "path": "/deploy$",
                "method": "PUT",
                "message": "leaf2 rejected the configuration",
                "times": 1,
            },
            # held for three reads of lock-status, whatever the clock: the info task's, the failing commit's and the
            # waiting commit's first; its second read finds the blueprint unlocked (no test depends on process start-up)
            {
                "action": "lock",
                "path": "/lock-status$",
                "username": "operator",
                "polls": 3,
                "nth": 2,
            },
        ]
    )
    tasks = [
        {"name": "stage", ZONES: {"config": [{"label": "telco"}]}},
        {"name": "deploy fails", COMMIT: commit, "ignore_errors": True},
        {"name": "info", INFO: {}},
        {"name": "locked, no wait", COMMIT: commit, "ignore_errors": True},
        {"name": "locked, wait", COMMIT: dict(commit, wait_for_lock=10)},
    ]
    _run, results = run_tasks(apstra_credentials, tasks)
    _stage, failed, info, locked, waited = results
    assert (
        failed["failed"]
        and "leaf2 rejected the configuration" in failed["msg"]
        and "staging is left as it was" in failed["msg"]
    )
    assert (
        info["blueprints"][0]["has_uncommitted_changes"]
        and info["blueprints"][0]["deploy_status"] == "failure"
    )
    assert locked["failed"] and "locked" in locked["msg"] and "operator" in locked["msg"]
    assert waited["changed"], waited
    assert waited["deployed_version"] == info["blueprints"][0]["staging_version"]

    apstra.clear_log()
    resp = requests.post(
        apstra.url + "/api/blueprints/%s/virtual-networks" % bp_id,
        headers=headers,
        timeout=10,
        json={"label": "broken", "vn_type": "vxlan", "ipv4_enabled": True},
    )
    assert resp.status_code == 201, resp.text
    _run, results = run_tasks(
        apstra_credentials, [{"name": "build errors", COMMIT: commit, "ignore_errors": True}]
    )
    assert (
        results[0]["failed"]
        and "1 build error" in results[0]["msg"]
        and "no IP pool" in results[0]["msg"]
    )
    assert results[0]["build_errors"]["errors_count"] == 1
    assert writes(apstra) == [("POST", "/api/blueprints/%s/virtual-networks" % bp_id)]


def test_token_reused_across_tasks_never_shown(apstra, apstra_credentials, run_tasks, ansible_env):
    cache_dir = Path(ansible_env["ANSIBLE_HOME"]) / "netops.cn2_apstra"
    for path in cache_dir.glob("token-*.json"):
        path.unlink()  # earlier tests may have left a token for this emulator
    tasks = [
        {"name": "info", INFO: {}},
        {"name": "zones", ZONES: {"state": "gathered"}},
        {"name": "query", QUERY: {"query": "node('system', role='leaf', name='leaf')"}},
    ]
    run, results = run_tasks(apstra_credentials, tasks, "-vvv")
    assert all(not r.get("failed") for r in results), results
    assert len(results[2]["items"]) == 4
    logins = [r for r in apstra.requests_log() if r["path"] == "/api/aaa/login"]
    assert len(logins) == 1, "one login for the whole play"
    cached = [p for p in cache_dir.iterdir() if p.name.startswith("token-")]
    token = None
    for path in cached:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        token = json.loads(path.read_text())["token"]
        if token in run.stdout:
            break
    assert token and token not in run.stdout and token not in run.stderr
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700

    # Next play: no login at all; an expired token costs exactly one new login; 503 and 429 are retried.
    apstra.clear_log()
    apstra.faults(
        [
            {"action": "expire_token", "path": "/security-zones$", "nth": 1},
            {
                "action": "error",
                "status": 503,
                "path": "/virtual-networks$",
                "method": "GET",
                "nth": 1,
            },
            {
                "action": "throttle",
                "retry_after": 1,
                "path": "/virtual-networks$",
                "method": "GET",
                "nth": 2,
            },
        ]
    )
    tasks = [
        {"name": "info", INFO: {}},
        {"name": "zones", ZONES: {"state": "gathered"}},
        {"name": "vns", VNS: {"state": "gathered"}},
    ]
    _run, results = run_tasks(apstra_credentials, tasks)
    assert all(not r.get("failed") for r in results), results
    log = apstra.requests_log()
    assert [r["path"] for r in log].count("/api/aaa/login") == 1
    assert [r["status"] for r in log if r["path"].endswith("/security-zones")] == [
        401,
        200,
        200,
    ]  # zones, then the VN module's read
    assert [r["status"] for r in log if r["path"].endswith("/virtual-networks")] == [503, 429, 200]


def test_bad_credentials_and_bad_query(apstra, apstra_credentials, run_tasks):
    tasks = [
        {
            "name": "bad password",
            INFO: {"password": "wrong", "token_cache": False},
            "ignore_errors": True,
        },
        {"name": "bad query", QUERY: {"query": "node("}, "ignore_errors": True},
    ]
    _run, results = run_tasks(apstra_credentials, tasks)
    bad, query = results
    assert bad["failed"] and bad["status"] == 401 and "Invalid credentials" in bad["msg"]
    assert query["failed"] and query["status"] == 422 and "Invalid query" in query["msg"]


def test_tls_validate_certs_and_ca_path(apstra_credentials, run_tasks, tmp_path):
    server = start_server(str(DEMO), port=0, tls=True)
    try:
        ca_file = tmp_path / "ca.pem"
        ca_file.write_bytes(
            server.cert_pem if isinstance(server.cert_pem, bytes) else server.cert_pem.encode()
        )
        creds = dict(apstra_credentials, api_url=server.url, validate_certs=True, token_cache=False)
        tasks = [
            {"name": "untrusted", INFO: {}, "ignore_errors": True},
            {"name": "ca_path", INFO: {"ca_path": str(ca_file)}},
            {"name": "no verification", INFO: {"validate_certs": False}},
        ]
        _run, results = run_tasks(creds, tasks)
        assert len(results) == 3, [r.get("msg") for r in results]
        untrusted, with_ca, unverified = results
        assert (
            untrusted["failed"]
            and "TLS error" in untrusted["msg"]
            and "CERTIFICATE_VERIFY_FAILED" in untrusted["msg"]
        )
        assert (
            with_ca["blueprints"][0]["label"] == "dc1"
            and unverified["blueprints"][0]["label"] == "dc1"
        )
    finally:
        server.stop()


def test_fifty_networks_cost_the_same_calls_as_five(apstra_credentials, run_tasks, tmp_path):
    fabric = tmp_path / "fabric.yml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "apstra_sim.generate",
            "--leafs",
            "8",
            "--servers",
            "16",
            "--esi-pairs",
            "0",
            "--blueprint",
            "dc1",
            "--output",
            str(fabric),
        ],
        check=True,
        env=dict(os.environ),
    )
    server = start_server(str(fabric), port=0)
    try:
        creds = dict(apstra_credentials, api_url=server.url)
        leafs = ["leaf%d" % i for i in range(1, 9)]
        counts = {}
        for size in (5, 50):
            requests.post(server.url + "/_sim/reset", timeout=10)
            config = [
                {"label": "vn%03d" % i, "vni": 20000 + i, "vlan_id": 1000 + i, "bindings": leafs}
                for i in range(size)
            ]
            _run, results = run_tasks(
                creds,
                [{"name": "create", VNS: {"config": config}}],
                env={"APSTRA_TOKEN_CACHE": "false"},
            )
            assert results[0]["changed"] and len(results[0]["after"]) == size, results[0].get("msg")
            log = requests.get(server.url + "/_sim/requests", timeout=10).json()["requests"]
            counts[size] = [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in log]
            assert len([r for r in log if r["write"]]) == 1
            state = requests.get(server.url + "/_sim/state", timeout=10).json()
            bp = next(iter(state["blueprints"].values()))
            assert len(bp["virtual_networks"]) == size
            assert all(len(vn["bound_to"]) == 8 for vn in bp["virtual_networks"].values())
        assert counts[5] == counts[50], counts
        assert (
            len(counts[50]) == 6
        )  # login, blueprints, zones, fabric query, list, one batch create
    finally:
        server.stop()


def test_staging_and_deployed_facts_read_the_deployed_graph_once(
    apstra, apstra_credentials, run_tasks
):
    gather = ["fabric", "staging", "deployed"]
    tasks = [
        {"name": "deployed alone", INFO: {"gather": ["fabric", "deployed"]}},
        {"name": "stage", ZONES: {"config": [{"label": "telco"}]}},
    ]
    _run, (alone, _stage) = run_tasks(apstra_credentials, tasks)
    apstra.clear_log()
    _run, (both,) = run_tasks(apstra_credentials, [{"name": "both", INFO: {"gather": gather}}])
    assert both["staging"]["uncommitted"] and both["staging"]["changes"]
    assert both["deployed"] == alone["deployed"]
    deployed_queries = [
        r
        for r in apstra.requests_log()
        if r["path"].endswith("/qe") and "deployed" in json.dumps(r.get("query"))
    ]
    # the staging diff's deployed side (VNs, bindings, zones) serves the deployed facts: no second read
    assert len(deployed_queries) == 3, [r["path"] for r in apstra.requests_log()]
