"""What a run costs in API calls (deterministic, unlike time): the example intent provisioned, then provisioned again;
the device diffs apart."""

from sim_core.testing import ApstraSession

# the leafs the example intent touches: leaf1, leaf2 and both leafs of the ESI pair leaf3-leaf4
LEAFS = ("leaf1", "leaf2", "leaf3", "leaf4")


def api_calls(emulator):
    return [
        (r["method"], r["path"])
        for r in emulator.requests_log()
        if not r["path"].endswith("/aaa/login")
    ]


def test_a_first_provision_and_a_no_op_rerun(job, apstra, k8s):
    """Without the device diffs (-e device_diffs=false): the run's own calls."""
    first = job("provision", extra={"device_diffs": False})
    assert first.rc == 0, first
    assert "| drift found | 0 |" in job.report(), "the report carries the post-change verification"
    calls = api_calls(apstra)
    assert len([c for c in calls if c[1].endswith("/deploy")]) == 1
    # blueprint list, graph queries 2, zones, VNs + mutex, staging check, 4 writes, versions, deploy, task polls 2,
    # deployed read-back 2 and the revision list (sent together: the report names the revision as Apstra does), mutex
    # release (the blueprint listed clean: no diff-status before the plan)
    assert len(calls) == 19, calls
    assert ("GET", "/api/blueprints/%s/revisions" % calls[1][1].split("/")[3]) in calls
    assert not [c for c in calls if c[1].endswith("/config-incremental")]
    apstra.clear_log()
    k8s.clear_log()
    again = job("provision")
    assert again.rc == 0, again
    calls = api_calls(apstra)
    # the blueprint list (clean: no diff-status), the fabric and bindings queries, zones, VNs; a login when cold
    assert len(calls) == 5 and apstra.writes() == [], calls
    assert k8s.writes() == []
    # one list per kind read and no API discovery: the only other call looks up CN2's preferred version
    k8s_calls = k8s.requests_log()
    assert [r["path"] for r in k8s_calls if not r.get("verb")] == [
        "/apis/core.contrail.juniper.net"
    ], k8s_calls
    assert [r["verb"] for r in k8s_calls if r.get("verb")] == ["list"] * 5, k8s_calls
    assert "Apply the fabric and commit once (Apstra)] ***\nskipping" in again.stdout.replace(
        "\r", ""
    )


def test_the_device_diffs_cost_one_read_per_touched_leaf(job, apstra):
    """With the device diffs (the default): the same 19 calls, plus one incremental-config read per leaf the run
    touches (the example intent touches leaf1, leaf2 and both leafs of the ESI pair leaf3-leaf4), and nothing else.
    """
    run = job("provision")
    assert run.rc == 0, run
    calls = api_calls(apstra)
    base = "/api/blueprints/%s" % calls[1][1].split("/")[3]
    systems = ApstraSession(apstra.url).systems()
    reads = [("GET", "%s/nodes/%s/config-incremental" % (base, systems[leaf])) for leaf in LEAFS]
    assert sorted(c for c in calls if c[1].endswith("/config-incremental")) == sorted(reads)
    assert len(calls) == 19 + len(LEAFS), calls
    # read after the writes, before the deploy
    at = [calls.index(read) for read in reads]
    assert calls.index(("PATCH", base + "/obj-policy-batch-apply")) < min(at)
    assert max(at) < calls.index(("PUT", base + "/deploy")), calls
