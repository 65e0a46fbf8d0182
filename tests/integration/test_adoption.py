"""Brownfield: networks stitched by hand before the collection came (a VN, its connectivity template, a NAD) are never
changed, marked or removed implicitly. discover.yml writes their intent; provision with adopt=true plans only adopt
and writes only marks; a second run writes nothing; teardown keeps them unless release=true or force=true.
"""

import json

import pytest
import requests
import yaml
from sim_core.testing import ApstraSession, template_policies

NADS = "/apis/k8s.cni.cncf.io/v1/namespaces/telco/network-attachment-definitions"
PORTS = [
    ("leaf1", "xe-0/0/1"),
    ("leaf1", "xe-0/0/2"),
    ("leaf2", "xe-0/0/4"),
]
HAND_NAD = {
    "apiVersion": "k8s.cni.cncf.io/v1",
    "kind": "NetworkAttachmentDefinition",
    "metadata": {
        "name": "legacy-oam",
        "namespace": "telco",
        "labels": {"team": "oam"},
        "annotations": {"k8s.v1.cni.cncf.io/resourceName": "intel.com/sriov_netdevice"},
    },
    "spec": {
        "config": json.dumps(
            {
                "cniVersion": "0.3.1",
                "name": "legacy-oam",
                "type": "sriov",
                "vlan": 900,
                "ipam": {"type": "whereabouts", "range": "10.90.0.0/24", "gateway": "10.90.0.1"},
            }
        )
    },
}


def oam_zone(session):
    """The id of routing zone oam, made by hand the first time."""
    zones = session.get("/security-zones").json()["items"].values()
    held = [zone["id"] for zone in zones if zone["label"] == "oam"]
    return held[0] if held else session.routing_zone("oam")["id"]


def hand_made(apstra, k8s, name="legacy-oam", vlan=900, template="oam-ct"):
    """What a team stitched by hand: zone oam, VN legacy-oam (VLAN 900, tag legacy) on the leafs of the SR-IOV nodes,
    a tagged template applied to their ports, deployed; and the NAD legacy-oam (or another such network).
    """
    session = ApstraSession(apstra.url)
    systems = session.systems()
    pair = session.esi_lag()
    subnet = "10.%d.0.0/24" % (vlan // 10)
    vn_id = session.virtual_network(
        name,
        oam_zone(session),
        [
            {"system_id": systems["leaf1"], "vlan_id": vlan},
            {"system_id": systems["leaf2"], "vlan_id": vlan},
            {"system_id": pair["rg"]["id"], "vlan_id": vlan},
        ],
        subnet=subnet,
        gateway=subnet.replace(".0/24", ".1"),
        vn_id=str(10000 + vlan),
        tags=["legacy"],
    )
    session.import_policies(
        template_policies(
            template,
            {"vn_node_id": vn_id, "tag_type": "vlan_tagged"},
            label="%s-tagged" % name,
            description="made by hand",
            tags=["oam"],
        )
    )
    session.apply_template(
        template, [pair["i"]["id"]] + [session.interface_id(*port) for port in PORTS]
    )
    session.deploy("by hand")
    config = dict(
        json.loads(HAND_NAD["spec"]["config"]),
        name=name,
        vlan=vlan,
        ipam={"type": "whereabouts", "range": subnet, "gateway": subnet.replace(".0/24", ".1")},
    )
    nad = dict(
        HAND_NAD,
        metadata=dict(HAND_NAD["metadata"], name=name),
        spec={"config": json.dumps(config)},
    )
    assert requests.post(k8s.url + NADS, json=nad, timeout=10).status_code == 201
    return session


def vn_of(session):
    return next(
        vn
        for vn in session.get("/virtual-networks").json()["virtual_networks"].values()
        if vn["label"] == "legacy-oam"
    )


def template_tags(session):
    return session.get("/obj-policy-export/oam-ct").json()["policies"][0]["tags"]


def nad_of(k8s):
    return requests.get(k8s.url + NADS + "/legacy-oam", timeout=10).json()


def blueprint_writes(apstra):
    return [r for r in apstra.writes() if r["path"].startswith("/api/blueprints/")]


@pytest.fixture
def lab(apstra, k8s):
    return hand_made(apstra, k8s)


def test_a_hand_made_network_is_refused_field_by_field_without_adopt(job, apstra, lab, tmp_path):
    network = {
        "name": "legacy-oam",
        "namespace": "telco",
        "vlan": 901,
        "routing_zone": "oam",
        "subnet": "10.90.0.0/24",
        "resource_name": "intel.com/sriov_netdevice",
    }
    job.intent([network])
    apstra.clear_log()
    refused = job("provision", extra={"adopt": True})
    assert refused.rc != 0
    assert (
        "legacy-oam: virtual network legacy-oam carries no owner's mark (made by hand or by another tool); it differs: "
        "vlan_id: intent 901, Apstra 900; nothing was changed: nothing is adopted while a field differs"
        in refused.stdout
    )
    job.intent([dict(network, vlan=900)])
    not_adopted = job("provision")
    assert not_adopted.rc != 0
    assert (
        "legacy-oam: virtual network legacy-oam carries no owner's mark (made by hand or by another tool); nothing "
        "was changed: set adopt=true" in not_adopted.stdout
    )
    assert blueprint_writes(apstra) == []


def test_discover_writes_the_intent_and_adoption_writes_only_marks(job, apstra, k8s, lab, tmp_path):
    written = tmp_path / "adopt.yml"
    discover = job("discover", extra={"write_intent": str(written)})
    assert discover.rc == 0, discover
    intent = yaml.safe_load(written.read_text())
    assert intent == {
        "sriov_networks": [
            {
                "name": "legacy-oam",
                "namespace": "telco",
                "vlan": 900,
                "vni": 10900,
                "routing_zone": "oam",
                "subnet": "10.90.0.0/24",
                "resource_name": "intel.com/sriov_netdevice",
                "ipam": "whereabouts",
                "tags": ["legacy"],
            }
        ]
    }
    before_vn, before_nad = vn_of(lab), nad_of(k8s)
    job.intent_file = written
    apstra.clear_log()
    k8s.clear_log()
    check = job("provision", "--check", "--diff", extra={"adopt": True})
    assert check.rc == 0, check.stdout[-3000:]
    assert (
        "adopt: virtual_network legacy-oam, connectivity_template oam-ct, attachment telco/legacy-oam"
        in check.stdout
    )
    assert blueprint_writes(apstra) == [] and [w for w in k8s.writes() if not w["dry_run"]] == []

    apstra.clear_log()
    k8s.clear_log()
    run = job("provision", extra={"adopt": True})
    assert run.rc == 0, run
    sent = sorted((r["method"], r["path"].rsplit("/", 1)[1]) for r in blueprint_writes(apstra))
    assert (
        sent
        == [
            ("PATCH", "virtual-networks-batch-patch"),
            ("POST", "tags"),
            ("PUT", "deploy"),
            ("PUT", "obj-policy-import"),
        ]
        or ("PATCH", "obj-policy-batch-apply") not in sent
    ), sent
    after_vn = vn_of(lab)
    assert dict(after_vn, tags=None) == dict(before_vn, tags=None), "only marks change on the VN"
    assert sorted(after_vn["tags"]) == [
        "legacy",
        "managed-by:netops.cn2_apstra",
        "netops.cn2_apstra/adopted",
    ]
    assert sorted(template_tags(lab)) == [
        "managed-by:netops.cn2_apstra",
        "netops.cn2_apstra/adopted",
        "oam",
    ]
    after_nad = nad_of(k8s)
    assert after_nad["spec"] == before_nad["spec"]
    assert after_nad["metadata"]["labels"] == {
        "team": "oam",
        "app.kubernetes.io/managed-by": "netops.cn2_apstra",
        "cn2-apstra.netops.io/adopted": "true",
    }
    nad_writes = [w for w in k8s.writes() if not w["dry_run"]]
    assert [w["method"] for w in nad_writes] == ["PATCH"]

    apstra.clear_log()
    k8s.clear_log()
    again = job("provision", extra={"adopt": True})
    assert again.rc == 0, again
    assert blueprint_writes(apstra) == [] and [w for w in k8s.writes() if not w["dry_run"]] == []

    refused = job("teardown")
    assert (
        refused.rc != 0 and "legacy-oam: virtual network legacy-oam was adopted" in refused.stdout
    )
    released = job("teardown", extra={"release": True})
    assert released.rc == 0, released
    assert sorted(vn_of(lab)["tags"]) == ["legacy"] and template_tags(lab) == ["oam"]
    assert nad_of(k8s)["metadata"]["labels"] == {"team": "oam"}
    assert dict(vn_of(lab), tags=None) == dict(before_vn, tags=None)


def test_force_deletes_an_adopted_network(job, apstra, k8s, lab, tmp_path):
    written = tmp_path / "adopt.yml"
    assert job("discover", extra={"write_intent": str(written)}).rc == 0
    job.intent_file = written
    assert job("provision", extra={"adopt": True}).rc == 0
    forced = job("teardown", extra={"force": True})
    assert forced.rc == 0, forced
    labels = [
        vn["label"] for vn in lab.get("/virtual-networks").json()["virtual_networks"].values()
    ]
    assert "legacy-oam" not in labels
    assert requests.get(k8s.url + NADS + "/legacy-oam", timeout=10).status_code == 404


def test_adopting_several_templates_reads_their_roots_in_one_call(job, apstra, k8s, tmp_path):
    session = hand_made(apstra, k8s)
    hand_made(apstra, k8s, name="legacy-mgmt", vlan=910, template="mgmt-ct")
    written = tmp_path / "adopt.yml"
    assert job("discover", extra={"write_intent": str(written)}).rc == 0
    job.intent_file = written
    apstra.clear_log()
    run = job("provision", extra={"adopt": True})
    assert run.rc == 0, run.stdout[-3000:]
    exports = [r["path"] for r in apstra.requests_log() if "/obj-policy-export" in r["path"]]
    assert len(exports) == 1 and exports[0].endswith("/obj-policy-export"), exports
    for template in ("oam-ct", "mgmt-ct"):
        tags = session.get("/obj-policy-export/%s" % template).json()["policies"][0]["tags"]
        assert sorted(tags) == ["managed-by:netops.cn2_apstra", "netops.cn2_apstra/adopted", "oam"]
