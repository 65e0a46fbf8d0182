"""One fabric, many owners: two clusters (two Kubernetes emulators, their own kube-system uids) and two teams (two intent
owners) on one Apstra blueprint. A run changes or removes only its own owner's objects; a clash with another owner is
refused naming it; what earlier releases made is the default owner's, so an upgrade writes nothing.
"""

import json

import pytest
import requests
import yaml
from sim_core.testing import DEMO_CLUSTER, ApstraSession, Emulator

from k8s_sim.server import start_server as start_k8s

NADS = "/apis/k8s.cni.cncf.io/v1/namespaces/%s/network-attachment-definitions"
OWNER_TAG = "managed-by:netops.cn2_apstra"
CLUSTER = {"source": "cluster"}


def nad(name, vlan, subnet):
    config = {
        "cniVersion": "1.0.0",
        "name": name,
        "type": "sriov",
        "vlan": vlan,
        "ipam": {"type": "whereabouts", "range": subnet, "gateway": subnet.replace(".0/24", ".1")},
    }
    return {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {
            "name": name,
            "namespace": "telco",
            "annotations": {
                "k8s.v1.cni.cncf.io/resourceName": "intel.com/sriov_netdevice",
                "cn2-apstra.netops.io/fabric": "true",
                "cn2-apstra.netops.io/routing-zone": "telco",
            },
        },
        "spec": {"config": json.dumps(config)},
    }


def network(name, vlan, subnet, zone="telco"):
    return {
        "name": name,
        "namespace": "telco",
        "vlan": vlan,
        "routing_zone": zone,
        "subnet": subnet,
        "resource_name": "intel.com/sriov_netdevice",
    }


class Fabric:
    """What Apstra holds, read back through its API: VNs by label (staging and deployed), templates, deployed ports."""

    def __init__(self, apstra):
        self.session = ApstraSession(apstra.url)

    def vns(self):
        return dict(
            (vn["label"], vn)
            for vn in self.session.get("/virtual-networks").json()["virtual_networks"].values()
        )

    def snapshot(self, label):
        """The VN as the API answers it, its tagged ports as deployed, and its template's tags."""
        vn = self.vns().get(label)
        rows = self.session.qe(
            "match(node('ep_endpoint_policy', policy_type_name='batch', name='ct')"
            ".out('ep_subpolicy').node().out('ep_first_subpolicy').node(name='prim')"
            ".out('vn_to_attach').node('virtual_network', label='%s'), optional(node(name='ct')"
            ".in_('ep_top_level').node('ep_application_instance').out('ep_affected_by').node('ep_group')"
            ".in_('ep_member_of').node('interface', name='intf').in_('hosted_interfaces').node(name='sw')))"
            % label,
            "deployed",
        )
        ports = sorted(
            "%s:%s" % (r["sw"]["label"], r["intf"]["if_name"]) for r in rows if r.get("intf")
        )
        templates = sorted(set(json.dumps(sorted(r["ct"].get("tags") or [])) for r in rows))
        return {"vn": vn, "ports": ports, "templates": templates}

    def kube_system_uid(self, k8s):
        return requests.get(k8s.url + "/api/v1/namespaces/kube-system", timeout=10).json()[
            "metadata"
        ]["uid"]


@pytest.fixture(scope="module")
def _cluster_b_server():
    server = start_k8s(str(DEMO_CLUSTER), port=0, cluster_id="cluster-b")
    yield Emulator(server)
    server.stop()


@pytest.fixture
def cluster_b(_cluster_b_server, tmp_path):
    """A second cluster cabled to the same fabric (the demo cluster's nodes; its own kube-system uid)."""
    _cluster_b_server.reset()
    _cluster_b_server.kubeconfig = _cluster_b_server.server.write_kubeconfig(
        str(tmp_path / "kubeconfig-b")
    )
    return _cluster_b_server


@pytest.fixture
def job_b(job, run_playbook, apstra, cluster_b, tmp_path):
    """The shipped playbooks against cluster B (and the same Apstra)."""
    workdir = tmp_path / "cluster-b"
    workdir.mkdir()
    return type(job)(run_playbook, apstra, cluster_b, workdir)


def create(k8s, obj):
    resp = requests.post(k8s.url + NADS % "telco", json=obj, timeout=10)
    assert resp.status_code == 201, resp.text


def apstra_writes(apstra):
    return [r for r in apstra.writes() if r["path"].startswith("/api/blueprints/")]


def test_a_clusters_reconcile_and_teardown_never_touch_another_clusters_networks(
    job, job_b, apstra, k8s, cluster_b
):
    create(cluster_b, nad("b-net", 501, "10.81.0.0/24"))
    assert job_b("reconcile", extra=CLUSTER).rc == 0
    fabric = Fabric(apstra)
    before = fabric.snapshot("b-net")
    uid_b = fabric.kube_system_uid(cluster_b)
    assert "netops.cn2_apstra/owner:%s" % uid_b in before["vn"]["tags"] and before["ports"]

    create(k8s, nad("a-net", 502, "10.82.0.0/24"))
    for extra in (CLUSTER, dict(CLUSTER, overridden=True)):
        run = job("reconcile", extra=extra)
        assert run.rc == 0, run
        assert fabric.snapshot("b-net") == before
        assert "b-net" not in job.report("reconcile")
    assert "a-net" in fabric.vns()
    teardown = job("teardown", extra=CLUSTER)
    assert teardown.rc == 0, teardown
    assert "a-net" not in fabric.vns() and fabric.snapshot("b-net") == before

    # cluster B's own deleted NAD still takes its VN away
    requests.delete(cluster_b.url + NADS % "telco" + "/b-net", timeout=10).raise_for_status()
    assert job_b("reconcile", extra=CLUSTER).rc == 0
    assert "b-net" not in fabric.vns()


def test_a_same_named_network_of_a_second_cluster_is_refused_naming_the_owner(
    job, job_b, apstra, k8s, cluster_b
):
    create(k8s, nad("shared-net", 503, "10.83.0.0/24"))
    create(cluster_b, nad("shared-net", 504, "10.84.0.0/24"))
    create(cluster_b, nad("b-only", 505, "10.85.0.0/24"))
    assert job("reconcile", extra=CLUSTER).rc == 0
    fabric = Fabric(apstra)
    before = fabric.snapshot("shared-net")
    run = job_b("reconcile", extra=CLUSTER)
    assert (
        run.rc == 0
    ), run  # skipped by name like an invalid object: the cluster's other networks go on
    assert fabric.snapshot("shared-net") == before and before["vn"]["reserved_vlan_id"] == 503
    assert "b-only" in fabric.vns()
    report = job_b.report("reconcile")
    assert (
        "shared-net: virtual network shared-net belongs to owner %s, not to %s"
        % (fabric.kube_system_uid(k8s), fabric.kube_system_uid(cluster_b))
        in report
    )


def intent(job, owner, networks, path):
    path.write_text(yaml.safe_dump({"sriov_owner": owner, "sriov_networks": networks}))
    job.intent_file = path


def test_two_teams_on_one_blueprint_remove_only_their_own(job, apstra, k8s, tmp_path):
    x_nets = [network("x-1", 601, "10.91.0.0/24"), network("x-2", 602, "10.92.0.0/24")]
    y_nets = [network("y-1", 611, "10.93.0.0/24"), network("y-2", 612, "10.94.0.0/24")]
    intent(job, "team-x", x_nets, tmp_path / "x.yml")
    assert job("provision").rc == 0
    intent(job, "team-y", y_nets, tmp_path / "y.yml")
    assert job("provision").rc == 0
    fabric = Fabric(apstra)
    team_x = dict((name, fabric.snapshot(name)) for name in ("x-1", "x-2"))
    nads_x = [
        requests.get(k8s.url + NADS % "telco" + "/" + name, timeout=10).json()
        for name in ("x-1", "x-2")
    ]
    assert all(
        n["metadata"]["labels"]["cn2-apstra.netops.io/owner"] == "team-x" for n in nads_x
    ) and all("netops.cn2_apstra/owner:team-x" in s["vn"]["tags"] for s in team_x.values())

    intent(job, "team-y", y_nets[:1], tmp_path / "y.yml")
    overridden = job("reconcile", extra={"overridden": True})
    assert overridden.rc == 0, overridden.stdout[-4000:]
    assert "y-2" not in fabric.vns() and "y-1" in fabric.vns()
    teardown = job("teardown")
    assert teardown.rc == 0, teardown
    assert "y-1" not in fabric.vns()
    assert dict((name, fabric.snapshot(name)) for name in ("x-1", "x-2")) == team_x
    assert [
        requests.get(k8s.url + NADS % "telco" + "/" + name, timeout=10).json()
        for name in ("x-1", "x-2")
    ] == nads_x
    zones = [z["label"] for z in fabric.session.get("/security-zones").json()["items"].values()]
    assert "telco" in zones, "the shared zone stays while another owner's VNs use it"

    # team-y naming team-x's network is refused before any write, naming the owner
    intent(job, "team-y", [network("x-1", 601, "10.91.0.0/24")], tmp_path / "y.yml")
    apstra.clear_log()
    clash = job("provision")
    assert clash.rc != 0 and "x-1: virtual network x-1 belongs to owner team-x, not to team-y" in (
        clash.stdout
    )
    assert apstra_writes(apstra) == []


def test_the_default_owners_marks_are_the_earlier_releases_so_an_upgrade_writes_nothing(
    job, apstra, k8s
):
    """What earlier releases made carries the collection's mark alone; the default owner (`intent`) is marked exactly
    so, hence an intent without an owner recognises those objects as its own and the run after an upgrade writes
    nothing (its plan is the earlier release's)."""
    assert job("provision").rc == 0
    fabric = Fabric(apstra)
    snapshot = fabric.snapshot("sriov-data")
    assert [t for t in snapshot["vn"]["tags"] if "netops.cn2_apstra" in t] == [OWNER_TAG]
    assert snapshot["templates"] == [json.dumps([OWNER_TAG])]
    labels = requests.get(k8s.url + NADS % "telco" + "/sriov-data", timeout=10).json()["metadata"][
        "labels"
    ]
    marks = (
        "app.kubernetes.io/managed-by",
        "cn2-apstra.netops.io/owner",
        "cn2-apstra.netops.io/adopted",
    )
    assert [k for k in labels if k in marks] == ["app.kubernetes.io/managed-by"]
    apstra.clear_log()
    k8s.clear_log()
    again = job("provision")
    assert again.rc == 0, again
    assert apstra_writes(apstra) == []
    assert [r for r in k8s.writes() if not r.get("dry_run")] == []


def test_a_cluster_vn_of_an_earlier_release_is_left_alone_until_adopted(job, apstra, k8s):
    """An earlier release marked a cluster's VNs with the collection's tag and the cluster tag, but not with which
    cluster: no cluster run acts on one implicitly (it is skipped, naming why); adopt=true claims it for this cluster
    (its owner's mark, no 'adopted' mark: the collection made it)."""
    session = ApstraSession(apstra.url)
    systems = session.systems()
    zone = session.call(
        "POST",
        "/security-zones",
        {"label": "telco", "vrf_name": "telco", "sz_type": "evpn", "tags": [OWNER_TAG]},
    )
    legacy = {
        "label": "old-net",
        "vn_type": "vxlan",
        "security_zone_id": zone.json()["id"],
        "bound_to": [{"system_id": systems["leaf1"], "vlan_id": 506}],
        "ipv4_enabled": True,
        "ipv4_subnet": "10.86.0.0/24",
        "virtual_gateway_ipv4": "10.86.0.1",
        "virtual_gateway_ipv4_enabled": True,
        "tags": [OWNER_TAG, "netops.cn2_apstra:cluster"],
        "description": "SR-IOV telco/old-net (intel.com/sriov_netdevice)",
    }
    assert session.call("POST", "/virtual-networks", legacy).status_code == 201
    deployed = session.call("PUT", "/deploy", {"version": session.version(), "description": "0.1"})
    assert deployed.status_code in (200, 202), deployed.text
    create(k8s, nad("old-net", 506, "10.86.0.0/24"))
    apstra.clear_log()
    skipped = job("reconcile", extra=CLUSTER)
    assert skipped.rc == 0, skipped
    assert apstra_writes(apstra) == []
    assert (
        "old-net: virtual network old-net was made by an earlier release for a cluster (which one is unknown)"
        in job.report("reconcile")
    )
    claimed = job("reconcile", extra=dict(CLUSTER, adopt=True))
    assert claimed.rc == 0, claimed
    vn = Fabric(apstra).vns()["old-net"]
    uid = Fabric(apstra).kube_system_uid(k8s)
    assert sorted(vn["tags"]) == sorted(
        [OWNER_TAG, "netops.cn2_apstra:cluster", "netops.cn2_apstra/owner:%s" % uid]
    )
    apstra.clear_log()
    assert job("reconcile", extra=CLUSTER).rc == 0
    assert apstra_writes(apstra) == []
