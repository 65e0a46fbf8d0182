"""The change report states only what happened, read back from the report file: a run that adds a third network to
two lists exactly one VN created (and its ports), nothing updated; an MTU change lists that VN updated with the field,
its before and after; the revision is the one Apstra's revision list names, with its version."""

import re

from sim_core.testing import ApstraSession

NETWORKS = [
    {
        "name": "net-%d" % index,
        "namespace": "telco",
        "vlan": 700 + index,
        "routing_zone": "telco",
        "subnet": "10.7%d.0.0/24" % index,
        "resource_name": "intel.com/sriov_netdevice",
        "mtu": 9000,
    }
    for index in range(1, 4)
]


def fabric_rows(report):
    """The rows of the report's fabric changes table: [(kind, object, change, detail)]."""
    section = report.split("## Fabric (Apstra) changes", 1)[1].split("\n## ", 1)[0]
    return [
        tuple(cell.strip() for cell in line.strip("|").split("|"))
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| kind") and not line.startswith("| ---")
    ]


def test_adding_a_network_reports_only_that_network(job, apstra):
    job.intent(NETWORKS[:2])
    assert job("provision").rc == 0
    job.intent(NETWORKS)
    run = job("provision")
    assert run.rc == 0, run
    rows = fabric_rows(job.report("provision"))
    assert [row for row in rows if row[0] == "Virtual networks"] == [
        ("Virtual networks", "net-3", "created", "-")
    ]
    assert [row[:3] for row in rows if row[0] == "Port bindings"] == [
        ("Port bindings", "ports of net-3", "created")
    ]
    assert not [row for row in rows if row[2] == "updated"]


def test_an_mtu_change_reports_that_field_before_and_after(job, apstra):
    job.intent(NETWORKS[:2])
    assert job("provision").rc == 0
    changed = [dict(NETWORKS[0], mtu=1500), NETWORKS[1]]
    job.intent(changed)
    run = job("provision")
    assert run.rc == 0, run
    assert fabric_rows(job.report("provision")) == [
        ("Virtual networks", "net-1", "updated", "mtu: 9000 -> 1500")
    ]


def test_the_revision_is_named_as_apstra_names_it(job, apstra):
    job.intent(NETWORKS[:1])
    assert job("provision").rc == 0
    job.intent(NETWORKS[:2])
    assert job("provision").rc == 0
    session = ApstraSession(apstra.url)
    revisions = session.get("/revisions").json()["items"]
    deployed = session.get("/diff-status").json()["deployed_version"]
    latest = next(item for item in revisions if item["version"] == deployed)
    previous = next(item for item in revisions if item["version"] != deployed)
    report = job.report("provision")
    assert (
        "| Apstra revision | %s (version %s), before %s (version %s) |"
        % (
            latest["revision_id"],
            deployed,
            previous["revision_id"],
            previous["version"],
        )
        in report
    )
    assert re.search(
        r"Committed as Apstra revision %s \(version %s\)" % (latest["revision_id"], deployed),
        report,
    )


def test_an_ipv6_subnet_is_planned_applied_verified_and_reported(job, apstra):
    """A VN field added in three places of plugins/ (the canonical model's table, the intent's validation, the plan):
    Apstra holds it, verify compares it, the report names its change."""
    network = dict(NETWORKS[0], ipv6_subnet="fd00:71::/64")
    job.intent([network])
    assert job("provision").rc == 0
    vn = next(
        vn
        for vn in ApstraSession(apstra.url)
        .get("/virtual-networks")
        .json()["virtual_networks"]
        .values()
        if vn["label"] == "net-1"
    )
    assert vn["ipv6_enabled"] is True and vn["ipv6_subnet"] == "fd00:71::/64"
    verify = job("verify")
    assert verify.rc == 0, verify
    job.intent([dict(network, ipv6_subnet="fd00:72::/64")])
    assert job("provision").rc == 0
    assert fabric_rows(job.report("provision")) == [
        ("Virtual networks", "net-1", "updated", "ipv6_subnet: fd00:71::/64 -> fd00:72::/64")
    ]
    job.intent([dict(network, ipv6_subnet="10.1.0.0/24")])
    refused = job("provision", "--check")
    assert refused.rc != 0
    assert "networks[0](net-1).ipv6_subnet: '10.1.0.0/24' is not an IPv6 CIDR" in refused.stdout
