# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster as a source of networks (opted-in NADs, SriovNetworks, CN2 annotations), pod references, the pods binding, removals."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import cluster, model
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.validation import (
    validate_intent,
)

RES = "intel.com/sriov_netdevice"
NOW = datetime.datetime(2025, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


def nad(name, config=None, annotations=None, labels=None, namespace="apps", opt_in="true"):
    marks = {model.RESOURCE_ANNOTATION: RES, model.ZONE_ANNOTATION: "telco"}
    if opt_in is not None:
        marks[model.FABRIC_ANNOTATION] = opt_in
    marks.update(annotations or {})
    return {
        "kind": "NetworkAttachmentDefinition",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": marks,
            "labels": labels or {},
        },
        "spec": {"config": json.dumps(config if config is not None else {"type": "sriov"})},
    }


def sriov_network(name, spec=None, annotations=None, namespace="sriov-network-operator"):
    marks = {model.FABRIC_ANNOTATION: "true", model.ZONE_ANNOTATION: "telco"}
    marks.update(annotations or {})
    full = {
        "resourceName": "sriov_nics",
        "networkNamespace": "apps",
        "vlan": 300,
        "ipam": json.dumps({"type": "whereabouts", "range": "10.3.0.0/24"}),
    }
    full.update(spec or {})
    return {
        "kind": "SriovNetwork",
        "metadata": {"name": name, "namespace": namespace, "annotations": marks},
        "spec": full,
    }


WHEREABOUTS = {
    "type": "sriov",
    "vlan": 100,
    "ipam": {"type": "whereabouts", "range": "10.1.0.0/24", "gateway": "10.1.0.1"},
}


@pytest.mark.parametrize(
    "config, annotations, expected",
    [
        (
            WHEREABOUTS,
            {},
            {
                "vlan": 100,
                "cluster_vlan": 100,
                "ipam": "whereabouts",
                "subnet": "10.1.0.0/24",
                "cluster_gateway": "10.1.0.1",
            },
        ),
        (
            {
                "type": "sriov",
                "vlan": 101,
                "ipam": {"type": "host-local", "subnet": "10.2.0.0/24", "gateway": "10.2.0.1"},
            },
            {},
            {
                "vlan": 101,
                "ipam": "host-local",
                "subnet": "10.2.0.0/24",
                "cluster_gateway": "10.2.0.1",
            },
        ),
        (
            {
                "type": "sriov",
                "vlan": 102,
                "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": "10.4.0.0/24", "gateway": "10.4.0.1"}]],
                },
            },
            {},
            {
                "vlan": 102,
                "ipam": "host-local",
                "subnet": "10.4.0.0/24",
                "cluster_gateway": "10.4.0.1",
            },
        ),
        (
            {
                "type": "sriov",
                "vlan": 103,
                "ipam": {"type": "static", "addresses": [{"address": "10.5.0.5/24"}]},
            },
            {model.SUBNET_ANNOTATION: "10.5.0.0/24"},
            {"vlan": 103, "ipam": "whereabouts", "subnet": "10.5.0.0/24", "cluster_gateway": None},
        ),
        # no VLAN (or VLAN 0, untagged) and no subnet: both allocated
        (
            {"type": "sriov"},
            {},
            {"vlan": "allocate", "cluster_vlan": None, "subnet": "allocate", "ipam": "whereabouts"},
        ),
        ({"type": "sriov", "vlan": 0}, {}, {"vlan": "allocate", "cluster_vlan": 0}),
        # the CN2 annotation gives the subnet and the IPAM kind
        (
            {"type": "sriov", "vlan": 104},
            {model.CN2_ANNOTATION: json.dumps({"ipamV4Subnet": "10.6.0.0/24"})},
            {"ipam": "cn2", "subnet": "10.6.0.0/24"},
        ),
    ],
)
def test_nad_network_from_the_cni_config_and_annotations(config, annotations, expected):
    item = cluster.nad_network(nad("a", config, annotations))
    assert dict((key, item[key]) for key in expected) == expected
    assert item["source"] == {
        "kind": "NetworkAttachmentDefinition",
        "namespace": "apps",
        "name": "a",
    }
    assert item["resource_name"] == RES and item["routing_zone"] == "telco"


def test_annotations_and_labels_every_kind_takes():
    annotations = {
        model.VNI_ANNOTATION: "5000",
        model.MTU_ANNOTATION: "9000",
        model.NODE_SELECTOR_ANNOTATION: "pool=ran, zone=a",
        model.ROUTES_ANNOTATION: "10.9.0.0/16, 10.10.0.0/16",
        model.TAGS_ANNOTATION: "team-a,prod",
    }
    item = cluster.nad_network(
        nad("a", WHEREABOUTS, annotations, labels={model.ROUTING_GROUP_LABEL: "g"})
    )
    assert (
        item["vni"],
        item["mtu"],
        item["node_selector"],
        item["routes"],
        item["tags"],
        item["routing_group"],
    ) == (
        "5000",
        "9000",
        {"pool": "ran", "zone": "a"},
        ["10.9.0.0/16", "10.10.0.0/16"],
        ["team-a", "prod"],
        "g",
    )
    assert cluster.parse_selector("a=1,broken") is None and cluster.parse_selector("") == {}


def test_sriov_network_resource_prefix_and_network_namespace():
    item = cluster.sriov_network_network(sriov_network("s"))
    assert (
        item["name"],
        item["namespace"],
        item["resource_name"],
        item["vlan"],
        item["subnet"],
    ) == ("s", "apps", "openshift.io/sriov_nics", 300, "10.3.0.0/24")
    assert item["source"] == {
        "kind": "SriovNetwork",
        "namespace": "sriov-network-operator",
        "name": "s",
    }
    assert (
        cluster.sriov_network_network(sriov_network("s"), {"resource_prefix": "intel.com"})[
            "resource_name"
        ]
        == "intel.com/sriov_nics"
    )
    assert (
        cluster.sriov_network_network(sriov_network("s", {"resourceName": "example.com/x"}))[
            "resource_name"
        ]
        == "example.com/x"
    )
    assert (
        cluster.sriov_network_network(sriov_network("s", {"networkNamespace": None}))["namespace"]
        == "sriov-network-operator"
    )


def test_derive_only_opted_in_objects_and_the_sriov_network_wins_over_its_rendered_nad():
    nads = [
        nad("a", WHEREABOUTS),
        nad("off", WHEREABOUTS, opt_in="false"),
        nad("none", WHEREABOUTS, opt_in=None),
        nad("s", {"type": "sriov", "vlan": 999}),
    ]
    nets, skipped = cluster.derive_networks(nads, [sriov_network("s")])
    assert skipped == [] and [
        (net["name"], net["vlan"], net["source"]["kind"]) for net in nets
    ] == [("a", 100, "NetworkAttachmentDefinition"), ("s", 300, "SriovNetwork")]
    assert nets[0]["cluster_vlan"] == 100 and nets[0]["state"] == "present"


@pytest.mark.parametrize(
    "obj, message",
    [
        (
            nad("bad", {"type": "sriov", "vlan": 5000}),
            'NetworkAttachmentDefinition apps/bad.vlan: 5000 is out of range; allowed 2-4094 or "allocate"',
        ),
        (
            nad(
                "gw",
                dict(
                    WHEREABOUTS,
                    ipam={"type": "whereabouts", "range": "10.1.0.0/24", "gateway": "10.1.0.9"},
                ),
            ),
            "NetworkAttachmentDefinition apps/gw.ipam.gateway: 10.1.0.9 is not the fabric gateway of 10.1.0.0/24, which is its first host 10.1.0.1",
        ),
        (
            nad("nozone", WHEREABOUTS, annotations={model.ZONE_ANNOTATION: ""}),
            "NetworkAttachmentDefinition apps/nozone: no routing zone: set the annotation cn2-apstra.netops.io/routing-zone or "
            "sriov_network_cluster_defaults.routing_zone",
        ),
        (
            nad("mtu", WHEREABOUTS, annotations={model.MTU_ANNOTATION: "70000"}),
            "NetworkAttachmentDefinition apps/mtu.mtu: 70000 is out of range; allowed 1280-9216",
        ),
        (
            sriov_network("zero", {"vlan": 0}),
            "SriovNetwork sriov-network-operator/zero.spec.vlan: 0 means untagged VFs; set a VLAN 2-4094 for the fabric to carry",
        ),
    ],
)
def test_an_invalid_object_is_skipped_naming_its_kind_namespace_name_and_field(obj, message):
    nads, networks = ([obj], []) if obj["kind"] == "NetworkAttachmentDefinition" else ([], [obj])
    nets, skipped = cluster.derive_networks(nads + [nad("ok", WHEREABOUTS)], networks)
    assert [net["name"] for net in nets] == ["ok"]
    assert len(skipped) == 1 and message in skipped[0]["error"], skipped
    assert skipped[0]["source"] == "%s %s/%s" % (
        obj["kind"],
        obj["metadata"]["namespace"],
        obj["metadata"]["name"],
    )


def test_cluster_defaults_fill_a_missing_routing_zone():
    nets, skipped = cluster.derive_networks(
        [nad("a", WHEREABOUTS, annotations={model.ZONE_ANNOTATION: ""})],
        [],
        {"routing_zone": "blue"},
    )
    assert skipped == [] and nets[0]["routing_zone"] == "blue"


def test_conflicts_between_the_file_and_the_cluster_are_reported_never_guessed():
    intent, _alloc = validate_intent(
        [
            {
                "name": "a",
                "namespace": "apps",
                "vlan": 200,
                "routing_zone": "telco",
                "subnet": "10.1.0.0/24",
                "resource_name": RES,
            }
        ]
    )
    derived, _skipped = cluster.derive_networks(
        [nad("a", WHEREABOUTS), nad("b", dict(WHEREABOUTS, vlan=101, ipam={}))], []
    )
    assert cluster.conflicts(intent, derived) == [
        "a: the intent file and NetworkAttachmentDefinition apps/a disagree (vlan: file 200, cluster 100)"
    ]
    merged = cluster.merge_sources(intent, derived)
    assert [(net["name"], net["source"]["kind"]) for net in merged] == [
        ("a", "intent"),
        ("b", "NetworkAttachmentDefinition"),
    ]


@pytest.mark.parametrize(
    "annotation, refs",
    [
        ("sriov-a", {("app", "sriov-a")}),
        (
            "telco/sriov-a, other/b@net1, c@net2",
            {("telco", "sriov-a"), ("other", "b"), ("app", "c")},
        ),
        (
            '[{"name": "sriov-a", "namespace": "telco", "interface": "net1"}, {"name": "c"}]',
            {("telco", "sriov-a"), ("app", "c")},
        ),
        # Multus refuses an annotation with an entry that names no network: so does the collection (nothing is used)
        ('[{"name": "sriov-a", "namespace": "telco"}, {"interface": "x"}]', set()),
        ("a/b/c", set()),
        ("[not json", set()),
        ("   ", set()),
        (None, set()),
    ],
)
def test_pod_network_references_in_both_forms(k8s, annotation, refs):
    assert cluster.pod_network_references(k8s.pod("p", annotation, namespace="app")) == refs


def test_pod_usage_counts_scheduled_running_pods_only(k8s):
    pods = [
        k8s.pod("p1", "a", node="worker-01"),
        k8s.pod("p2", "a", node="worker-01"),
        k8s.pod("p3", "telco/a", node="worker-05"),
        k8s.pod("done", "a", node="worker-07", phase="Succeeded"),
        k8s.pod("pending", "a", node=None, phase="Pending"),
        k8s.pod("other", "b", node="worker-07", phase="Pending"),
    ]
    assert cluster.pod_usage(pods) == {
        ("telco", "a"): {"worker-01": ["telco/p1", "telco/p2"], "worker-05": ["telco/p3"]},
        ("telco", "b"): {"worker-07": ["telco/other"]},
    }


def test_released_marks_from_an_object_or_option_form():
    text = json.dumps({"worker-05": "2025-03-01T11:58:00Z", "worker-07": "garbage"})
    assert cluster.released_marks({"annotations": {model.RELEASED_ANNOTATION: text}}) == {
        "worker-05": "2025-03-01T11:58:00Z"
    }
    assert cluster.released_marks(
        {"metadata": {"annotations": {model.RELEASED_ANNOTATION: text}}}
    ) == {"worker-05": "2025-03-01T11:58:00Z"}
    assert cluster.released_marks({"metadata": {}}) == {}


KEY = ("telco", "a")
NET = [{"namespace": "telco", "name": "a"}]


def at(seconds):
    return NOW + datetime.timedelta(seconds=seconds)


def test_pods_binding_keeps_a_released_node_for_the_grace_period_then_lets_it_go():
    running = {KEY: {"worker-01": ["telco/p1"]}}
    bound = {KEY: {"worker-01", "worker-05"}}
    wanted, writes = cluster.pod_bindings(NET, running, bound, {}, 300, NOW)
    assert wanted == {KEY: {"worker-01", "worker-05"}} and writes == {
        KEY: {"worker-05": "2025-03-01T12:00:00Z"}
    }
    marks = {KEY: writes[KEY]}
    wanted, writes = cluster.pod_bindings(NET, running, bound, marks, 300, at(299))
    assert wanted == {KEY: {"worker-01", "worker-05"}} and writes == {}
    wanted, writes = cluster.pod_bindings(NET, running, bound, marks, 300, at(300))
    assert wanted == {KEY: {"worker-01"}} and writes == {KEY: {}}


def test_pods_binding_a_pod_back_on_the_node_clears_its_mark_and_no_grace_releases_at_once():
    marks = {KEY: {"worker-05": "2025-03-01T11:59:00Z"}}
    wanted, writes = cluster.pod_bindings(
        NET, {KEY: {"worker-05": ["telco/p9"]}}, {KEY: {"worker-05"}}, marks, 300, NOW
    )
    assert wanted == {KEY: {"worker-05"}} and writes == {KEY: {}}
    wanted, writes = cluster.pod_bindings(NET, {}, {KEY: {"worker-05"}}, {}, 0, NOW)
    assert wanted == {KEY: set()} and writes == {}


def test_pods_binding_forgets_a_mark_for_a_node_no_longer_bound():
    marks = {KEY: {"worker-05": "2025-03-01T11:59:00Z"}}
    wanted, writes = cluster.pod_bindings(NET, {}, {KEY: set()}, marks, 300, NOW)
    assert wanted == {KEY: set()} and writes == {KEY: {}}


def test_removals_only_for_cluster_vns_whose_object_is_gone_and_no_pod_uses():
    tags = model.owner_tags("cluster-a") + [model.CLUSTER_TAG]
    existing = [
        {"label": "gone", "routing_zone": "telco", "tags": tags},
        {"label": "in-use", "tags": tags},
        {"label": "from-file", "tags": [model.OWNER_TAG]},
        {"label": "foreign", "tags": [model.CLUSTER_TAG]},
        {"label": "still-here", "tags": tags},
        # another cluster's, and one an earlier release made for some cluster: never this cluster's to remove
        {"label": "cluster-b-net", "tags": model.owner_tags("cluster-b") + [model.CLUSTER_TAG]},
        {"label": "earlier-release", "tags": [model.OWNER_TAG, model.CLUSTER_TAG]},
    ]
    remove, kept = cluster.cluster_removals(
        existing,
        [{"name": "still-here"}],
        {("apps", "in-use"): {"worker-01": ["apps/p"]}},
        "cluster-a",
    )
    assert remove == [
        {
            "name": "gone",
            "namespace": "-",
            "routing_zone": "telco",
            "state": "absent",
            "owner": "cluster-a",
            "source": {"kind": "cluster object (gone)", "namespace": "-", "name": "gone"},
        }
    ]
    assert kept == [
        "in-use: its cluster object is gone but pods still attach to apps/in-use; nothing is removed"
    ]
