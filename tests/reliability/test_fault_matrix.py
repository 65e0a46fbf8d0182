"""The fault matrix: each fault injected into a provision of the example intent; then the final state of both systems
(nothing lost, nothing duplicated), the message the user sees, and, where the run must stop, a re-run that finishes.

Faults fire by call count (nth/times), never by wall clock: CI runs on a loaded 2-core machine."""

import os
import time
from pathlib import Path

import pytest
import requests
from sim_core.testing import DEMO_TOPOLOGY

EXAMPLE_VNS = {"sriov-data", "sriov-signal", "sriov-dpdk"}
EXAMPLE_NADS = {"telco/" + name for name in EXAMPLE_VNS}
VN_BATCH = "/virtual-networks-batch$"
NAD_POST = {"method": "POST", "path": "/network-attachment-definitions$"}
NADS_PATH = "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions"


def assert_done(job, fabric, cluster):
    """Both systems hold the example intent exactly once, deployed, and verify.yml agrees."""
    staged = fabric.staged_vns()
    assert EXAMPLE_VNS <= set(fabric.deployed_vns()), fabric.deployed_vns()
    assert len([vn for vn in staged.values() if vn["label"] in EXAMPLE_VNS]) == 3, "no duplicate VN"
    assert [z for z in fabric.zones() if z == "telco"] == ["telco"]
    assert set(cluster.nads()) == EXAMPLE_NADS
    assert not fabric.blueprint()["has_uncommitted_changes"]
    verify = job("verify")
    assert verify.rc == 0, verify


# (id, Apstra rules, Kubernetes rules) of faults the run survives on its own.
SURVIVED = [
    (
        "apstra-503-burst",
        [
            {
                "action": "error",
                "status": 503,
                "method": "GET",
                "path": "/virtual-networks$",
                "times": 2,
            }
        ],
        [],
    ),
    (
        "apstra-500-on-read",
        [
            {
                "action": "error",
                "status": 500,
                "method": "POST",
                "path": "/qe$",
                "nth": 2,
                "times": 1,
            }
        ],
        [],
    ),
    (
        "apstra-reset-before-processing",
        [{"action": "reset", "method": "POST", "path": VN_BATCH, "times": 1}],
        [],
    ),
    (
        "apstra-reset-after-processing-vns",
        [{"action": "reset_after", "method": "POST", "path": VN_BATCH, "times": 1}],
        [],
    ),
    (
        "apstra-reset-after-processing-zone",
        [{"action": "reset_after", "method": "POST", "path": "/security-zones$", "times": 1}],
        [],
    ),
    (
        "apstra-reset-after-processing-mutex",
        [{"action": "reset_after", "method": "POST", "path": "/design/tags$", "times": 1}],
        [],
    ),
    (
        "apstra-reset-after-processing-deploy",
        [{"action": "reset_after", "method": "PUT", "path": "/deploy$", "times": 1}],
        [],
    ),
    (
        "apstra-429",
        [
            {
                "action": "throttle",
                "retry_after": 0,
                "method": "PATCH",
                "path": "/obj-policy-batch-apply$",
                "times": 2,
            }
        ],
        [],
    ),
    ("apstra-latency", [{"action": "latency", "seconds": 0.05, "path": "/api/"}], []),
    ("apstra-token-expiry", [{"action": "expire_token", "method": "POST", "path": VN_BATCH}], []),
    ("k8s-reset-after-processing", [], [dict(NAD_POST, action="reset_after", times=1)]),
    (
        "k8s-503-on-list",
        [],
        [
            {
                "action": "error",
                "status": 503,
                "verb": "list",
                "path": "/network-attachment-definitions$",
                "times": 1,
            }
        ],
    ),
]


@pytest.mark.parametrize(
    "apstra_rules, k8s_rules", [(a, k) for _n, a, k in SURVIVED], ids=[n for n, _a, _k in SURVIVED]
)
def test_survived_faults(job, fabric, cluster, apstra_rules, k8s_rules):
    job.apstra.faults(apstra_rules)
    job.k8s.faults(k8s_rules)
    run = job("provision")
    assert run.rc == 0, run
    assert len(fabric.commits()) == 1
    job.apstra.control("DELETE", "faults")
    job.k8s.control("DELETE", "faults")
    assert_done(job, fabric, cluster)


@pytest.mark.parametrize(
    "method, path",
    [("PATCH", "/obj-policy-batch-apply"), ("PUT", "/obj-policy-import")],
    ids=["batch-apply", "template-import"],
)
def test_a_write_whose_answer_was_lost_is_looked_up_and_never_sent_again(
    job, fabric, cluster, method, path
):
    """Apstra applies the write and the answer never comes: the run reads what the staging holds, finds it there and
    goes on; the request log holds that write once."""
    job.apstra.faults([{"action": "reset_after", "method": method, "path": path + "$", "times": 1}])
    run = job("provision")
    assert run.rc == 0, run
    sent = [
        r for r in job.apstra.requests_log() if r["method"] == method and r["path"].endswith(path)
    ]
    assert len(sent) == 1, sent
    job.apstra.control("DELETE", "faults")
    assert_done(job, fabric, cluster)


@pytest.mark.parametrize(
    "rule, shows",
    [
        ({"action": "error", "status": 500, "message": "etcd timeout"}, "etcd timeout"),
        ({"action": "conflict", "verb": "create"}, "the object has been modified"),
        ({"action": "reset", "times": 5}, "cannot reach the Kubernetes API"),
    ],
    ids=["k8s-500", "k8s-409", "k8s-down"],
)
def test_kubernetes_failure_after_the_commit_says_what_was_applied(
    job, fabric, cluster, rule, shows
):
    job.k8s.faults([dict(NAD_POST, nth=2, **dict({"times": 1}, **rule))])
    run = job("provision")
    assert run.rc != 0
    message = run.stdout[run.stdout.rfind("fatal:") :]
    assert shows in message
    assert "Fabric: deployed as revision" in message, message
    assert "applied 1 of 3 planned requests" in message and "(sriov-data)" in message, message
    assert (
        "not applied" in message and "Cluster: 1 NAD write(s) applied before the failure" in message
    )
    assert EXAMPLE_VNS <= set(fabric.deployed_vns()), "the fabric was committed before the cluster"
    assert len(cluster.nads()) == 1
    report = job.report()
    assert "The run failed" in report and shows in report
    job.k8s.control("DELETE", "faults")
    rerun = job("provision")
    assert rerun.rc == 0, rerun
    assert len(fabric.commits()) == 1, "the re-run has nothing left to deploy"
    assert_done(job, fabric, cluster)


def test_a_nad_another_run_created_first_is_taken_as_found_and_not_as_this_runs_change(
    job, fabric, cluster
):
    job.k8s.faults([dict(NAD_POST, action="raced", nth=2)])
    run = job("provision")
    assert run.rc == 0, run
    assert_done(job, fabric, cluster)
    report = job.report()
    created = report.split("## NetworkAttachmentDefinitions created", 1)[1].split("##", 1)[0]
    assert created.count("- telco/") == 2, "the NAD the other run created is not reported as ours"


def test_a_same_named_nad_another_owner_created_first_is_never_taken_over(job, fabric, cluster):
    job.k8s.faults([dict(NAD_POST, action="raced", nth=2, labels={"app": "someone-else"})])
    run = job("provision")
    assert run.rc != 0
    message = run.stdout[run.stdout.rfind("fatal:") :]
    assert "already exists (HTTP 409)" in message and "Fabric: deployed as revision" in message
    assert len(cluster.nads()) == 2
    labels = [
        o["metadata"].get("labels")
        for o in requests.get(job.k8s.url + NADS_PATH, timeout=10).json()["items"]
    ]
    assert labels.count({"app": "someone-else"}) == 1, "their NAD is left as they made it"


def test_a_user_lock_at_write_stops_before_anything_is_staged(job, fabric, cluster):
    job.apstra.faults(
        [{"action": "lock", "method": "POST", "path": "/security-zones$", "username": "operator"}]
    )
    run = job("provision")
    assert run.rc != 0 and "locked by user operator" in run.stdout
    assert fabric.staged_vns() == {} and cluster.nads() == {}
    assert fabric.session("operator").call("PUT", "/unlock-blueprint").status_code < 300
    assert job("provision").rc == 0
    assert_done(job, fabric, cluster)


def test_staging_bumped_by_another_user_under_the_deploy(job, fabric, cluster):
    job.apstra.faults(
        [{"action": "bump_version", "method": "PUT", "path": "/deploy$", "username": "operator"}]
    )
    run = job("provision")
    assert (
        run.rc != 0 and "moved from version" in run.stdout and "someone else changed" in run.stdout
    )
    assert not EXAMPLE_VNS & set(fabric.deployed_vns()) and cluster.nads() == {}
    refused = job("provision")
    assert (
        refused.rc != 0 and "by operator" in refused.stdout
    ), "the staging now holds another user's change"
    included = job("provision", extra={"include_foreign_staging": True})
    assert included.rc == 0, included
    assert_done(job, fabric, cluster)


def test_the_blueprint_mutex_of_other_tools_is_honoured(job, fabric, cluster, tmp_path):
    label = "blueprint %s locked" % fabric.admin.bp
    tag = fabric.admin.api(
        "POST", "design/tags", {"label": label, "description": "locked by terraform at 2026-11-26"}
    )
    assert tag.status_code == 201, tag.text
    job.apstra.clear_log()
    refused = job("provision")
    assert (
        refused.rc != 0
        and "locked by another tool" in refused.stdout
        and "terraform" in refused.stdout
    )
    assert fabric.writes() == [] and cluster.writes() == []

    # A run that may wait: it waits while the tag is there and goes on once terraform deletes it.
    job.apstra.clear_log()
    waiting = job.background(
        "provision", extra={"sriov_network_commit_wait_for_lock": 600}, workdir=tmp_path
    )
    deadline = time.monotonic() + 300
    while not [
        r
        for r in job.apstra.requests_log()
        if r["path"] == "/api/design/tags" and r["method"] == "GET"
    ]:
        assert (
            waiting.poll() is None and time.monotonic() < deadline
        ), "the run should be waiting for the mutex"
        time.sleep(0.2)
    assert fabric.writes() == [], "nothing is written while another tool holds the mutex"
    assert fabric.admin.api("DELETE", "design/tags/%s" % tag.json()["id"]).status_code == 204
    assert waiting.wait(timeout=600) == 0, waiting.stdout.read()
    assert_done(job, fabric, cluster)
    assert not [
        t for t in fabric.admin.api("GET", "design/tags").json()["items"] if t["label"] == label
    ], "released"


def test_two_runs_at_once(job, fabric, cluster, tmp_path):
    runs = [
        job.background(
            "provision",
            extra={"sriov_network_commit_wait_for_lock": 600},
            workdir=tmp_path / str(i),
        )
        for i in range(2)
    ]
    codes = [run.wait(timeout=900) for run in runs]
    if codes != [0, 0]:
        # whole outputs (an assertion message would be cut): which layer met the other run, and how
        pytest.fail("\n\n".join(run.stdout.read() for run in runs), pytrace=False)
    assert 1 <= len(fabric.commits()) <= 2
    assert_done(job, fabric, cluster)
    zone_creates = [
        w
        for w in fabric.writes()
        if w == ("POST", "/api/blueprints/%s/security-zones" % fabric.admin.bp)
    ]
    assert (
        len(zone_creates) == 1
    ), "the second run found the zone (its facts moved: re-read) and did not create it again"


def test_a_ca_bundle_from_the_environment_or_a_playbook_variable(job, tmp_path):
    from apstra_sim.server import start_server  # pylint: disable=import-outside-toplevel

    server = start_server(str(DEMO_TOPOLOGY), port=0, tls=True)
    try:
        ca = tmp_path / "ca.pem"
        ca.write_text(server.cert_pem)
        emulator = type(job.apstra)
        job.apstra = emulator(server)
        verified = {"APSTRA_VERIFY_CERTIFICATES": "true"}
        untrusted = job("verify", env=verified)
        assert untrusted.rc != 0 and "TLS error" in untrusted.stdout
        assert job("provision", env=dict(verified, APSTRA_CA_PATH=str(ca))).rc == 0
        assert job("verify", extra={"apstra_ca_path": str(ca)}, env=verified).rc == 0
    finally:
        server.stop()


def test_expired_cached_tokens_are_pruned(job, ansible_env):
    cache = Path(ansible_env["ANSIBLE_HOME"]) / "netops.cn2_apstra"
    cache.mkdir(parents=True, exist_ok=True)
    stale = cache / "token-0000.json"
    stale.write_text('{"token": "old-secret", "created": 0}')
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    job.apstra.faults(
        [{"action": "expire_token", "method": "GET", "path": "/api/blueprints$"}]
    )  # forces a new login
    job("verify")  # drift or not, it logs in again and writes its token
    assert not stale.exists()


def server_error(method, path, times):
    """A fault rule: Apstra answers 500 to the first ``times`` calls of ``method`` on ``path``."""
    return {"action": "error", "status": 500, "method": method, "path": path, "times": times}


def test_a_failure_midway_is_reported_staged_not_deployed_and_the_next_run_deploys_it(
    job, fabric, cluster
):
    """The VNs are staged, the batch-apply is refused: the run fails, its report says which writes sit in the
    staging undeployed (never "fabric changed: no"), the cluster is untouched; the next run deploys it all once.
    """
    job.apstra.faults([server_error("PATCH", "/obj-policy-batch-apply$", times=1)])
    run = job("provision")
    assert run.rc != 0 and "staged, not deployed" in run.stdout, run
    report = job.report()
    assert "| fabric changed | staged, not deployed |" in report
    staged = report.split("## Staged in Apstra, not deployed", 1)[1].split("\n## ", 1)[0]
    assert "/virtual-networks-batch" in staged and "/obj-policy-batch-apply" not in staged
    assert EXAMPLE_VNS <= set(fabric.staged_vns()) and not EXAMPLE_VNS & set(fabric.deployed_vns())
    assert cluster.nads() == {}
    job.apstra.control("DELETE", "faults")
    assert job("provision").rc == 0
    assert len(fabric.commits()) == 1
    assert_done(job, fabric, cluster)


def test_a_mutex_that_cannot_be_released_is_reported_and_the_next_run_takes_it_over(
    job, fabric, cluster
):
    """Every release of the mutex fails: the fabric is deployed and the cluster follows, then the run fails naming the
    tag and how to remove it (message and report). The next run of the owner that changes the fabric (a teardown)
    takes the leftover over and releases it."""
    label = "blueprint %s locked" % fabric.admin.bp
    job.apstra.faults([server_error("DELETE", "/design/tags/", times=4)])
    run = job("provision")
    assert run.rc != 0 and "could not be released" in run.stdout, run
    assert "DELETE /api/design/tags/" in run.stdout
    left = [
        t for t in fabric.admin.api("GET", "design/tags").json()["items"] if t["label"] == label
    ]
    assert len(left) == 1, "the tag is still there"
    assert EXAMPLE_VNS <= set(fabric.deployed_vns()) and set(cluster.nads()) == EXAMPLE_NADS
    report = job.report()
    assert "## Blueprint mutex left held" in report and left[0]["id"] in report
    job.apstra.control("DELETE", "faults")
    teardown = job("teardown")
    assert teardown.rc == 0, teardown
    assert "## Blueprint mutex taken over" in job.report("teardown")
    assert not [
        t for t in fabric.admin.api("GET", "design/tags").json()["items"] if t["label"] == label
    ], "taken over, then released"
    assert not EXAMPLE_VNS & set(fabric.deployed_vns()) and cluster.nads() == {}
