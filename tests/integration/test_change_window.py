"""The change board sees the device configuration (issue 23), against the emulators: the report's "Device configuration"
section lists, per leaf a run touches, the lines Apstra's incremental config adds and removes (identical diffs grouped,
untouched leafs left out); a preview stages, reads and reverts, leaving the blueprint as it was and the cluster
untouched; a hold stages and stops, and an approve deploys exactly the held version, refused when the staging moved.
Everything asserted is read back through the emulators' APIs or from the report file."""

import copy
import re

import requests
import yaml
from sim_core.testing import DEMO_CLUSTER, ApstraSession

EXAMPLE = yaml.safe_load(
    open(  # pylint: disable=consider-using-with
        __file__.rsplit("/tests/", 1)[0] + "/playbooks/vars/example_intent.yml", encoding="utf-8"
    )
)
DATA, SIGNAL, DPDK = copy.deepcopy(EXAMPLE["sriov_networks"])
# A fourth network on the netdevice nodes, in the zone the example creates: on the ESI pair's leafs its lines are the same.
EXTRA = dict(
    DATA, name="sriov-extra", vlan=130, vni=10130, subnet="10.130.0.0/24", routing_group=None
)
NADS = "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions"


def device_section(report):
    return report.split("## Device configuration", 1)[1].split("\n## ", 1)[0]


def device_groups(report):
    """{title of a group ("leaf1", "leaf3, leaf4"): (lines added, lines removed)} of the report's device section."""
    groups = {}
    for block in device_section(report).split("\n### ")[1:]:
        title = block.split(":", 1)[0]
        lines = block.split("```diff\n", 1)[1].split("```", 1)[0].splitlines()
        groups[title] = (
            [line[2:] for line in lines if line.startswith("+ ")],
            [line[2:] for line in lines if line.startswith("- ")],
        )
    return groups


def interfaces_named(lines):
    """The interfaces the lines configure (``interfaces <name> ...`` and ``routing-instances evpn-1 interface <name>.0``)."""
    named = set()
    for line in lines:
        words = line.split()
        if words[0] == "interfaces":
            named.add(words[1])
        elif words[:3] == ["routing-instances", "evpn-1", "interface"]:
            named.add(words[3].split(".")[0])
    return named


class Blueprint:
    """What the Apstra emulator holds, read through its API as an operator would."""

    def __init__(self, apstra):
        self.apstra = apstra
        self.admin = ApstraSession(apstra.url)

    def status(self):
        return self.admin.get("/diff-status").json()

    def uncommitted(self):
        listed = self.admin.api("GET", "blueprints").json()["items"]
        return next(bp for bp in listed if bp["id"] == self.admin.bp)["has_uncommitted_changes"]

    def objects(self, graph=None):
        """The VNs (label -> VLAN per switch), zones and templates of the staging (or the deployed) graph."""
        vns = {}
        for row in self.admin.qe(
            "match(node('virtual_network', name='vn'), optional(node(name='vn').out('instantiated_by')"
            ".node('vn_instance', name='inst').in_('hosted_vn_instances').node(name='sw')))",
            graph,
        ):
            entry = vns.setdefault(row["vn"]["label"], {})
            if row.get("inst"):
                entry[row["sw"]["label"]] = row["inst"]["vlan_id"]
        zones = sorted(
            row["sz"]["label"] for row in self.admin.qe("node('security_zone', name='sz')", graph)
        )
        templates = sorted(
            row["ct"]["label"]
            for row in self.admin.qe(
                "node('ep_endpoint_policy', policy_type_name='batch', name='ct')", graph
            )
        )
        return {"virtual_networks": vns, "routing_zones": zones, "templates": templates}

    def state(self):
        """Everything a preview must leave as it was (the staging version aside: Apstra moves it on a revert)."""
        return {
            "deployed_version": self.status()["deployed_version"],
            "uncommitted": self.uncommitted(),
            "staging": self.objects(),
            "deployed": self.objects("deployed"),
        }

    def held_tags(self):
        return [
            tag
            for tag in self.admin.api("GET", "design/tags").json()["items"]
            if tag["label"].startswith("netops.cn2_apstra held")
        ]

    def writes(self):
        return [r for r in self.apstra.writes() if r["path"].startswith("/api/")]

    def session(self, username):
        self.apstra.control("POST", "users", {"username": username, "password": username + "-pw"})
        return ApstraSession(self.apstra.url, username, username + "-pw")


def nads(k8s):
    items = requests.get(k8s.url + NADS, timeout=10).json()["items"]
    return sorted("%s/%s" % (o["metadata"]["namespace"], o["metadata"]["name"]) for o in items)


def held_version(report):
    found = re.search(r"Held for approval: staging version \*\*(\d+)\*\*", report)
    assert found, report
    return int(found.group(1))


def test_a_provision_lists_the_lines_of_each_touched_leaf_and_no_other(job, apstra):
    """sriov-dpdk lands on leaf2 alone (worker-04 and worker-06): only leaf2 is listed, with its VLAN, VNI, IRB and
    VRF lines and the units of exactly the two server ports."""
    job.intent([DPDK], EXAMPLE["sriov_allocation"])
    run = job("provision")
    assert run.rc == 0, run
    groups = device_groups(job.report("provision"))
    assert list(groups) == ["leaf2"], groups
    added, removed = groups["leaf2"]
    assert removed == []
    for line in (
        "routing-instances evpn-1 vlans vn120 vlan-id 120",
        "routing-instances evpn-1 vlans vn120 l3-interface irb.120",
        "interfaces irb unit 120 family inet address 10.120.0.1/24",
        "routing-instances telco interface irb.120",
        "interfaces xe-0/0/4 unit 0 family ethernet-switching vlan members vn120",
        "interfaces xe-0/0/6 unit 0 family ethernet-switching vlan members vn120",
    ):
        assert line in added, (line, added)
    vni = next(
        line for line in added if line.startswith("routing-instances evpn-1 vlans vn120 vxlan vni")
    )
    deployed_vni = next(
        vn["vn_id"]
        for vn in ApstraSession(apstra.url)
        .get("/virtual-networks")
        .json()["virtual_networks"]
        .values()
        if vn["label"] == "sriov-dpdk"
    )
    assert vni.endswith(" %s" % deployed_vni), "the VNI Apstra drew, as it deploys it"
    assert interfaces_named(added) == {"xe-0/0/4", "xe-0/0/6", "irb", "lo0"}


def test_identical_diffs_are_grouped_and_a_no_op_says_there_is_no_device_change(job):
    job.intent([DATA, SIGNAL, DPDK], EXAMPLE["sriov_allocation"])
    assert job("provision").rc == 0
    job.intent([DATA, SIGNAL, DPDK, EXTRA], EXAMPLE["sriov_allocation"])
    run = job("provision")
    assert run.rc == 0, run
    report = job.report("provision")
    groups = device_groups(report)
    # the ESI pair's leafs get the same lines (the VLAN on ae5); leaf1 and leaf2 each their own ports
    assert sorted(groups) == ["leaf1", "leaf2", "leaf3, leaf4"], groups
    added, removed = groups["leaf3, leaf4"]
    assert "### leaf3, leaf4: the same %d lines" % (len(added) + len(removed)) in report
    assert (
        "interfaces ae5 unit 0 family ethernet-switching vlan members [ vn110 vn130 vn2000 ]"
        in added
    )
    assert "routing-instances evpn-1 vlans vn130 vxlan vni 10130" in added
    assert (
        "interfaces ae5 unit 0 family ethernet-switching vlan members [ vn110 vn2000 ]"
        in groups["leaf3, leaf4"][1]
    ), "the members line Apstra replaces is removed"
    again = job("provision")
    assert again.rc == 0, again
    assert device_section(job.report("provision")).strip() == "No device changes."


def test_a_teardown_lists_the_removed_lines(job):
    job.intent([DPDK], EXAMPLE["sriov_allocation"])
    assert job("provision").rc == 0
    run = job("teardown")
    assert run.rc == 0, run
    groups = device_groups(job.report("teardown"))
    assert list(groups) == ["leaf2"], groups
    added, removed = groups["leaf2"]
    assert added == []
    for line in (
        "routing-instances evpn-1 vlans vn120 vlan-id 120",
        "interfaces irb unit 120 family inet address 10.120.0.1/24",
        "interfaces xe-0/0/4 unit 0 family ethernet-switching vlan members vn120",
    ):
        assert line in removed, (line, removed)


def test_a_preview_leaves_the_blueprint_as_it_was_and_writes_nothing_to_the_cluster(
    job, apstra, k8s
):
    blueprint = Blueprint(apstra)
    job.intent([DPDK], EXAMPLE["sriov_allocation"])
    before = blueprint.state()
    apstra.clear_log()
    k8s.clear_log()
    run = job("provision", "--diff", extra={"preview": True})
    assert run.rc == 0, run
    assert blueprint.state() == before
    assert k8s.writes() == [] and nads(k8s) == []
    writes = [(r["method"], r["path"].split("/")[-1]) for r in blueprint.writes()]
    assert ("POST", "revert") in writes and not [w for w in writes if w[1].startswith("deploy")]
    report = job.report("provision")
    assert "| mode | preview (staged, device configuration read, reverted" in report
    assert (
        "Read back after the revert: deployed version %s (unchanged), nothing uncommitted"
        % (before["deployed_version"])
        in report
    )
    assert list(device_groups(report)) == ["leaf2"]
    assert "leaf2: Apstra incremental config" in run.stdout, "--diff shows the device diff"
    assert "+ routing-instances evpn-1 vlans vn120 vlan-id 120" in run.stdout

    # a teardown preview lists the removed lines and removes nothing, on either side
    assert job("provision").rc == 0
    before, present = blueprint.state(), nads(k8s)
    k8s.clear_log()
    preview = job("teardown", extra={"preview": True})
    assert preview.rc == 0, preview
    assert blueprint.state() == before and nads(k8s) == present and k8s.writes() == []
    _added, removed = device_groups(job.report("teardown"))["leaf2"]
    assert "routing-instances evpn-1 vlans vn120 vlan-id 120" in removed


def test_a_preview_is_refused_before_any_write_while_anything_is_staged(job, apstra, k8s):
    """A revert discards the whole staging: another user's staged change would go with the preview's."""
    operator = Blueprint(apstra).session("operator")
    zone = operator.call(
        "POST", "/security-zones", {"label": "blue", "vrf_name": "blue", "sz_type": "evpn"}
    )
    assert zone.status_code == 201, zone.text
    job.intent([DPDK], EXAMPLE["sriov_allocation"])
    apstra.clear_log()
    refused = job("provision", extra={"preview": True})
    assert refused.rc != 0
    assert "preview refused before any write" in refused.stdout and "by operator" in refused.stdout
    assert Blueprint(apstra).writes() == [] and k8s.writes() == []
    assert (
        "blue" in Blueprint(apstra).objects()["routing_zones"]
    ), "the other user's change is left staged"


def test_hold_then_approve_deploys_exactly_the_held_version(job, apstra, k8s):
    blueprint = Blueprint(apstra)
    job.intent([DPDK], EXAMPLE["sriov_allocation"])
    deployed_before = blueprint.status()["deployed_version"]
    hold = job("provision", extra={"hold": True})
    assert hold.rc == 0, hold
    report = job.report("provision")
    version = held_version(report)
    status = blueprint.status()
    assert status["staging_version"] == version and status["deployed_version"] == deployed_before
    assert blueprint.uncommitted() and nads(k8s) == [] and k8s.writes() == []
    assert (
        list(device_groups(report)) == ["leaf2"]
        and "| fabric changed | staged, held for approval as version %d |" % version in report
    )
    assert len(blueprint.held_tags()) == 1

    # holding the same again changes nothing in the blueprint and still shows the held change's lines
    apstra.clear_log()
    again = job("provision", extra={"hold": True})
    assert again.rc == 0, again
    assert [w for w in blueprint.writes() if w["path"].startswith("/api/blueprints/")] == []
    assert held_version(job.report("provision")) == version
    assert list(device_groups(job.report("provision"))) == ["leaf2"]

    # any other run that would write waits for the approval
    apstra.clear_log()
    refused = job("provision")
    assert refused.rc != 0 and "held for approval (staging version %d" % version in refused.stdout
    assert blueprint.writes() == [] and k8s.writes() == []

    approve = job("provision", extra={"approve": version})
    assert approve.rc == 0, approve
    writes = [
        (r["method"], r["path"])
        for r in blueprint.writes()
        if r["path"].startswith("/api/blueprints/")
    ]
    assert [w[0] for w in writes] == ["PUT"] and writes[0][1].endswith("/deploy")
    revision = blueprint.admin.get("/revisions").json()["items"][-1]
    assert revision["version"] == version and "approved staging version %d" % version in (
        revision["description"]
    )
    assert blueprint.status()["deployed_version"] == version and not blueprint.uncommitted()
    assert blueprint.objects("deployed")["virtual_networks"]["sriov-dpdk"] == {"leaf2": 120}
    assert nads(k8s) == ["telco/sriov-dpdk"] and blueprint.held_tags() == []
    report = job.report("provision")
    assert "Approved: the held staging version %d" % version in report
    assert list(device_groups(report)) == ["leaf2"], "the device lines read before the deploy"

    # a second approve of the deployed version is a no-op
    apstra.clear_log()
    k8s.clear_log()
    again = job("provision", extra={"approve": version})
    assert again.rc == 0, again
    assert blueprint.writes() == [] and k8s.writes() == []
    assert "Apply the fabric and commit once (Apstra)] ***\nskipping" in again.stdout.replace(
        "\r", ""
    )
    assert "staging version %d is deployed already" % version in job.report("provision")


def test_a_held_teardown_is_deployed_as_held_and_the_cluster_follows(job, apstra, k8s):
    blueprint = Blueprint(apstra)
    job.intent([DPDK], EXAMPLE["sriov_allocation"])
    assert job("provision").rc == 0
    hold = job("teardown", extra={"hold": True})
    assert hold.rc == 0, hold
    report = job.report("teardown")
    version = held_version(report)
    added, removed = device_groups(report)["leaf2"]
    assert added == [] and "routing-instances evpn-1 vlans vn120 vlan-id 120" in removed
    assert nads(k8s) == ["telco/sriov-dpdk"], "a hold writes nothing to the cluster"
    assert "sriov-dpdk" in blueprint.objects("deployed")["virtual_networks"]
    approve = job("teardown", extra={"approve": version})
    assert approve.rc == 0, approve
    assert blueprint.status()["deployed_version"] == version and not blueprint.uncommitted()
    assert blueprint.objects("deployed")["virtual_networks"] == {} and nads(k8s) == []
    # the staged deletes are the held change (the teardown's plan, made from that staging, has nothing left to delete)
    assert "| admin, held at version %d (deployed with this run) | delete | virtual_network | sriov-dpdk |" % (
        version
    ) in job.report(
        "teardown"
    )


def test_an_approve_is_refused_before_any_write_when_another_user_staged_since_the_hold(
    job, apstra, k8s
):
    blueprint = Blueprint(apstra)
    job.intent([DPDK], EXAMPLE["sriov_allocation"])
    assert job("provision", extra={"hold": True}).rc == 0
    version = held_version(job.report("provision"))
    operator = blueprint.session("operator")
    zone = operator.call(
        "POST", "/security-zones", {"label": "blue", "vrf_name": "blue", "sz_type": "evpn"}
    )
    assert zone.status_code == 201, zone.text
    moved = blueprint.status()["staging_version"]
    apstra.clear_log()
    k8s.clear_log()
    refused = job("provision", extra={"approve": version})
    assert refused.rc != 0
    assert (
        "approve=%d refused before any write: the staging of blueprint dc1 moved from version %d (held) to %d"
        % (version, version, moved)
        in refused.stdout
    )
    assert "last changed by operator: staged since: create routing_zone blue" in refused.stdout
    assert blueprint.writes() == [] and k8s.writes() == []
    assert blueprint.status()["deployed_version"] != version and nads(k8s) == []


def test_mis_cabled_and_unmapped_nodes_produce_no_device_lines(job, apstra, k8s):
    """worker-03 is cabled to leaf2 xe-0/0/3 in Apstra while LLDP sees leaf1 xe-0/0/3; worker-09 is a node Apstra does
    not know. Neither is bound, and no leaf gets a line for either."""
    seed = yaml.safe_load(DEMO_CLUSTER.read_text())["items"]
    for kind, path in (
        ("Node", "/api/v1/nodes"),
        (
            "SriovNetworkNodeState",
            "/apis/sriovnetwork.openshift.io/v1/namespaces/sriov-network-operator/sriovnetworknodestates",
        ),
    ):
        obj = copy.deepcopy(
            next(o for o in seed if o["kind"] == kind and o["metadata"]["name"] == "worker-01")
        )
        obj["metadata"]["name"] = "worker-09"
        obj["metadata"].get("labels", {})["kubernetes.io/hostname"] = "worker-09"
        created = requests.post(k8s.url + path, json=obj, timeout=10)
        assert created.status_code == 201, created.text
    job.intent([DATA], EXAMPLE["sriov_allocation"])
    run = job("provision")
    assert run.rc == 0, run
    report = job.report("provision")
    assert (
        "| worker-09 |" in report
        and "| worker-03 | ens1f0 | leaf2 xe-0/0/3 | leaf1 xe-0/0/3 | mismatch | miscabled |"
        in report
    )
    assert "node worker-09 is not a generic system (hostname) in the Apstra blueprint" in report
    groups = device_groups(report)
    assert sorted(groups) == ["leaf1", "leaf2", "leaf3", "leaf4"], groups
    configured = dict(
        (title, interfaces_named(added)) for title, (added, _removed) in groups.items()
    )
    assert configured == {
        "leaf1": {"xe-0/0/1", "xe-0/0/2", "irb", "lo0"},
        "leaf2": {"xe-0/0/4", "irb", "lo0"},
        "leaf3": {"ae5", "irb", "lo0"},
        "leaf4": {"ae5", "irb", "lo0"},
    }
    assert "xe-0/0/3" not in device_section(report) and "worker-09" not in device_section(report)


def test_a_bad_change_window_is_refused_naming_the_fields_before_anything_is_read(job, apstra, k8s):
    job.intent([DPDK], EXAMPLE["sriov_allocation"])
    apstra.clear_log()
    k8s.clear_log()
    both = job("provision", extra={"preview": True, "hold": True})
    assert (
        both.rc != 0
        and "preview, hold, approve: a run previews, holds or approves, one of them; got preview and hold"
        in both.stdout
    )
    word = job("provision", extra={"approve": "latest"})
    assert word.rc != 0 and "approve: 'latest' is not a staging version" in word.stdout
    checked = job("provision", "--check", extra={"preview": True})
    assert (
        checked.rc != 0
        and "preview: stages the plan in Apstra, which check mode never does" in checked.stdout
    )
    assert [r for r in apstra.requests_log() if r["path"].startswith("/api/blueprints")] == []
    assert k8s.requests_log() == []
