"""Issue "Trust in a change window", items 1-6: runs that used to report success on a fabric that did not carry the
change, deploy someone else's staging, or push cluster drift into the fabric. Each runs the shipped playbooks against
the emulators and checks what Apstra has *deployed* and what the cluster holds."""

import pytest
from sim_core.testing import generate_lab, lab_emulators

EXAMPLE_VNS = {"sriov-data", "sriov-signal", "sriov-dpdk"}


def test_a_failed_deploy_is_finished_by_the_next_run_and_never_reported_done(job, fabric, cluster):
    job.apstra.faults(
        [{"action": "deploy_fail", "message": "leaf2 rejected the configuration", "times": 1}]
    )
    first = job("provision")
    assert first.rc != 0
    assert (
        "deploy of version" in first.stdout and "leaf2 rejected the configuration" in first.stdout
    )
    assert (
        "{'" not in first.stdout.split("deploy of version", 1)[1].split("\n", 1)[0]
    ), "the reason is text, not a Python dict"
    assert (
        not EXAMPLE_VNS & set(fabric.deployed_vns()) and cluster.nads() == {}
    ), "nothing deployed, no NAD created"
    assert EXAMPLE_VNS <= set(fabric.staged_vns())
    report = job.report()
    assert "The run failed" in report and "| fabric changed | staged, not deployed |" in report
    assert "## Staged in Apstra, not deployed" in report

    verify = job("verify")
    assert (
        verify.rc != 0 and "staged only" in verify.stdout
    ), "verify compares with what is deployed"

    second = job("provision")
    assert second.rc == 0, second
    assert "staged but not deployed (this collection's, committed by this run)" in second.stdout
    assert EXAMPLE_VNS <= set(fabric.deployed_vns()) and len(fabric.commits()) == 2
    assert set(cluster.nads()) == {"telco/" + name for name in EXAMPLE_VNS}
    assert job("verify").rc == 0


def test_a_lock_that_outlives_the_wait_then_a_rerun(job, fabric):
    job.apstra.faults(
        [{"action": "lock", "path": "/deploy$", "method": "PUT", "username": "operator"}]
    )
    first = job("provision")
    assert first.rc != 0 and "locked" in first.stdout and "operator" in first.stdout
    assert not EXAMPLE_VNS & set(fabric.deployed_vns())
    assert (
        fabric.session("operator").call("PUT", "/unlock-blueprint").status_code < 300
    )  # the operator lets go
    assert job("provision").rc == 0
    assert EXAMPLE_VNS <= set(fabric.deployed_vns())


def test_foreign_staging_is_refused_before_any_write_and_deployed_only_when_included(
    job, fabric, cluster
):
    alice = fabric.session("alice")
    resp = alice.call("POST", "/virtual-networks", {"label": "alice-test", "vn_type": "vxlan"})
    assert resp.status_code == 201, resp.text
    job.apstra.clear_log()
    refused = job("provision")
    assert refused.rc != 0
    assert (
        "alice" in refused.stdout
        and "alice-test" in refused.stdout
        and "nothing was changed" in refused.stdout
    )
    assert fabric.writes() == [] and cluster.writes() == [] and fabric.writes("/api/design/") == []

    included = job("provision", extra={"include_foreign_staging": True})
    assert included.rc == 0, included
    assert {"alice-test"} | EXAMPLE_VNS <= set(fabric.deployed_vns())
    assert "alice-test" in job.report() and "deployed with this run" in job.report()


def test_another_sessions_object_of_the_same_user_is_foreign(job, fabric):
    resp = fabric.admin.call(
        "POST",
        "/virtual-networks",
        {"label": "other-session", "vn_type": "vxlan", "tags": ["managed-by:netops.cn2_apstra"]},
    )
    assert resp.status_code == 201, resp.text
    refused = job("provision")
    assert refused.rc != 0 and "other-session" in refused.stdout
    assert "other-session" not in fabric.deployed_vns()


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            {"resource_name": "intel.com/no_such_resource"},
            "no node offers intel.com/no_such_resource",
        ),
        ({"node_selector": {"rack": "r99"}}, "node_selector: {'rack': 'r99'} matches no node"),
    ],
)
def test_a_network_no_node_can_carry_is_an_error_before_any_write(
    job, fabric, cluster, change, expected
):
    net = dict(
        {
            "name": "lonely",
            "namespace": "telco",
            "vlan": 300,
            "routing_zone": "telco",
            "subnet": "10.30.0.0/24",
            "resource_name": "intel.com/sriov_netdevice",
        },
        **change,
    )
    job.intent([net])
    run = job("provision")
    assert run.rc != 0 and expected in run.stdout and "fabric_only" in run.stdout
    assert fabric.writes() == [] and cluster.writes() == []

    job.intent([dict(net, fabric_only=True)])
    assert job("provision").rc == 0
    assert fabric.deployed_vns()["lonely"]["switches"] == set() and cluster.nads() == {}


def test_reconcile_repairs_the_cluster_from_the_fabric_record(job, fabric, cluster):
    assert job("provision").rc == 0
    signal = cluster.nads()["telco/sriov-signal"]
    allocated = signal["vlan"]
    cluster.patch_nad("telco", "sriov-signal", dict(signal, vlan=3999))
    job.apstra.clear_log()
    check = job("reconcile", "--check")
    assert check.rc == 0 and fabric.writes() == []
    run = job("reconcile")
    assert run.rc == 0, run
    assert (
        fabric.deployed_vns()["sriov-signal"]["vlan"] == allocated
    ), "the fabric keeps its allocation"
    assert cluster.nads()["telco/sriov-signal"]["vlan"] == allocated, "the NAD is repaired from it"
    assert not [w for w in fabric.writes() if "virtual-networks" in w[1]]


def test_mixed_esi_racks(job, fabric_of, tmp_path):
    """An ESI-pair leaf with single- and dual-homed servers: the VN is bound to the pair only (never to a member too)."""
    lab = generate_lab(tmp_path, leafs=4, servers=12, dual_homed=0.5, sriov_fraction=1)
    with lab_emulators(*lab, tmp_path) as (job.apstra, job.k8s):
        job.intent(
            [
                {
                    "name": "mixed",
                    "namespace": "telco",
                    "vlan": 310,
                    "routing_zone": "telco",
                    "subnet": "10.31.0.0/24",
                    "resource_name": "intel.com/sriov_netdevice",
                }
            ]
        )
        run = job("provision")
        assert run.rc == 0, run
        admin = fabric_of(job.apstra).admin
        vn = next(
            v
            for v in admin.get("/virtual-networks").json()["virtual_networks"].values()
            if v["label"] == "mixed"
        )
        names = dict((v, k) for k, v in admin.systems().items())
        rg = next(row["rg"] for row in admin.qe("node('redundancy_group', name='rg')"))
        bound = sorted(
            names.get(b["system_id"], rg["label"] if b["system_id"] == rg["id"] else b["system_id"])
            for b in vn["bound_to"]
        )
        assert bound == ["leaf1", "leaf2", "leaf3-leaf4"], bound
        # the report lists every port a run tagged (the plan on screen groups them past 8)
        row = next(
            line for line in job.report("provision").splitlines() if "| ports of mixed |" in line
        )
        tagged = row.split("| + ", 1)[1].split(" |", 1)[0].split(", ")
        assert (
            "leaf3:xe-0/0/1" in tagged
        ), "the single-homed server on the pair's leaf is tagged on its own leaf port"
        assert job("verify").rc == 0


def test_teardown_removes_the_routing_zones_it_created_when_no_vn_uses_them(job, fabric, cluster):
    shared = fabric.admin.call(
        "POST", "/security-zones", {"label": "shared", "vrf_name": "shared", "sz_type": "evpn"}
    )
    assert shared.status_code == 201, shared.text
    fabric.admin.call(
        "PUT",
        "/deploy",
        {"version": fabric.blueprint()["version"], "description": "someone else's zone"},
    )
    nets = [
        {
            "name": "td-a",
            "namespace": "telco",
            "vlan": 401,
            "routing_zone": "td-zone",
            "subnet": "10.41.0.0/24",
            "resource_name": "intel.com/sriov_netdevice",
        },
        {
            "name": "td-b",
            "namespace": "telco",
            "vlan": 402,
            "routing_zone": "shared",
            "subnet": "10.42.0.0/24",
            "resource_name": "intel.com/sriov_netdevice",
        },
    ]
    job.intent(nets)
    assert job("provision").rc == 0
    assert {"td-zone", "shared"} <= set(fabric.zones())
    job.intent([nets[0]])
    run = job("teardown")
    assert run.rc == 0, run
    zones = fabric.zones()
    assert "td-zone" not in zones, "created and tagged by the collection, used by no VN: removed"
    assert "shared" in zones, "not the collection's: kept"
    assert "td-a" not in fabric.deployed_vns() and "td-b" in fabric.deployed_vns()


PORTS_OF = (
    "match(node('ep_endpoint_policy', policy_type_name='batch', name='ct').in_('ep_top_level')"
    ".node('ep_application_instance').out('ep_affected_by').node('ep_group').in_('ep_member_of')"
    ".node('interface', name='intf'), node(name='ct').out('ep_subpolicy').node().out('ep_first_subpolicy')"
    ".node().out('vn_to_attach').node('virtual_network', label='%s'))"
)


def deployed_points(fabric, label):
    """{application point id: template id} of the VN's deployed assignments."""
    rows = fabric.admin.qe(PORTS_OF % label, "deployed")
    return dict((row["intf"]["id"], row["ct"]["id"]) for row in rows)


def assign_by_hand(fabric, changes):
    """An operator assigns or unassigns templates ({point: (template, used)}) and deploys it."""
    operator = fabric.session("operator")
    body = {
        "application_points": [
            {"id": point, "policies": [{"policy": ct, "used": used}]}
            for point, (ct, used) in changes.items()
        ]
    }
    assert operator.call("PATCH", "/obj-policy-batch-apply", body).status_code < 300
    assert operator.call(
        "PUT", "/deploy", {"version": operator.version(), "description": "by hand"}
    ).status_code in (200, 202)


def test_a_no_op_reads_the_templates_not_their_assignments_and_a_port_taken_off_by_hand_is_read_and_put_back(
    job, fabric, cluster
):
    """The no-op takes the ports from the records the first run deployed (one list of templates, no assignment
    read). A port an operator took off by hand (Apstra then counts one point less than the record) is read, and the
    provision puts it back."""
    assert job("provision").rc == 0
    job.apstra.clear_log()
    assert job("provision").rc == 0
    log = job.apstra.requests_log()
    assert [r["path"].rsplit("/", 1)[1] for r in log if r["method"] == "POST"] == [
        "qe"
    ], "the fabric query only"
    assert [r for r in log if r["path"].endswith("/endpoint-policies")]
    points = deployed_points(fabric, "sriov-data")
    taken = sorted(points)[0]
    assign_by_hand(fabric, {taken: (points[taken], False)})
    assert taken not in deployed_points(fabric, "sriov-data")
    job.apstra.clear_log()
    run = job("provision")
    assert run.rc == 0, run
    assert deployed_points(fabric, "sriov-data") == points
    assert len(fabric.commits()) == 1 and job("verify").rc == 0


def test_verify_reads_every_assignment_and_reports_a_port_moved_by_hand(job, fabric, cluster):
    """A port moved by hand to another server keeps the template's count of ports: a provision takes the record
    (docs/architecture.md says so); verify reads every assignment and reports it, reconcile puts it back.
    """
    assert job("provision").rc == 0
    dpdk = deployed_points(fabric, "sriov-dpdk")
    moved_from = sorted(dpdk)[0]
    moved_to = sorted(set(deployed_points(fabric, "sriov-data")) - set(dpdk))[0]
    template = dpdk[moved_from]
    assign_by_hand(fabric, {moved_from: (template, False), moved_to: (template, True)})
    job.apstra.clear_log()
    assert job("provision").rc == 0
    assert [
        w for w in job.apstra.writes() if "/blueprints/" in w["path"]
    ] == [], "the record is taken"
    verify = job("verify")
    assert verify.rc != 0 and "sriov-dpdk" in verify.stdout, verify
    assert job("reconcile").rc == 0
    assert deployed_points(fabric, "sriov-dpdk") == dpdk and job("verify").rc == 0
