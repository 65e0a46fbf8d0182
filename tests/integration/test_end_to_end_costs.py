"""What a run costs in API calls (deterministic, unlike time): the example intent provisioned, then provisioned again."""


def api_calls(emulator):
    return [
        (r["method"], r["path"])
        for r in emulator.requests_log()
        if not r["path"].endswith("/aaa/login")
    ]


def test_a_first_provision_and_a_no_op_rerun(job, apstra, k8s):
    first = job("provision")
    assert first.rc == 0, first
    assert "| drift found | 0 |" in job.report(), "the report carries the post-change verification"
    calls = api_calls(apstra)
    assert len([c for c in calls if c[1].endswith("/deploy")]) == 1
    # blueprint list, graph queries 2, zones, VNs + mutex, staging check, 4 writes, versions, deploy, task polls 2,
    # deployed read-back 2 and the revision list (sent together: the report names the revision as Apstra does), mutex
    # release (the blueprint listed clean: no diff-status before the plan)
    assert len(calls) == 19, calls
    assert ("GET", "/api/blueprints/%s/revisions" % calls[1][1].split("/")[3]) in calls
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
