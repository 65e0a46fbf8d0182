# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CN2 tenants: validation (each bad field named with what is allowed), the networks' tenants and routing zones, the
cluster's tenants, the pod subnets, the plan of their CN2 objects and the refusals before any write, verification.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import json

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import Fabric
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import (
    cluster,
    intent,
    model,
    tenancy,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import IntentError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.verification import (
    Drift,
    verify_tenants,
)

RES = "intel.com/sriov_netdevice"
NOW = datetime.datetime(2025, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
RED = {
    "name": "red",
    "namespaces": ["red-a", "red-b"],
    "pod_network": {"subnet": "10.30.0.0/24"},
    "reach": ["blue"],
}
BLUE = {"name": "blue", "namespaces": ["blue-a"], "pod_network": {"subnet": "allocate"}}
NETS = [
    {
        "name": "red-data",
        "namespace": "red-a",
        "vlan": 301,
        "subnet": "10.31.0.0/24",
        "resource_name": RES,
    },
    {
        "name": "blue-data",
        "namespace": "blue-a",
        "vlan": 302,
        "subnet": "10.32.0.0/24",
        "resource_name": RES,
    },
]
MARK = {model.OWNER_LABEL: model.OWNER_VALUE}


def namespace(name, tenant=None, labels=None, annotations=None):
    consent = {model.TENANT_ANNOTATION: tenant} if tenant else {}
    return {
        "name": name,
        "labels": labels or {},
        "annotations": dict(consent, **(annotations or {})),
    }


def facts(namespaces=None, pods=None, **objects):
    return dict(
        namespaces=(
            namespaces
            if namespaces is not None
            else [namespace("red-a", "red"), namespace("red-b", "red"), namespace("blue-a", "blue")]
        ),
        subnets=objects.get("subnets", []),
        virtual_networks=objects.get("virtual_networks", []),
        routers=objects.get("routers", []),
        pods=pods or {},
    )


@pytest.fixture
def params(apstra):
    fabric = json.loads(json.dumps(dict(Fabric.from_rows(apstra.fabric_rows()).facts())))
    nodes = [
        {
            "name": "worker-05",
            "labels": {},
            "resources": {RES: 8},
            "pfs": [{"name": "ens1f0", "lldp": []}, {"name": "ens1f1", "lldp": []}],
        }
    ]
    return {
        "networks": copy.deepcopy(NETS),
        "tenants": copy.deepcopy([RED, BLUE]),
        "allocation": {"supernet": "10.200.0.0/16"},
        "fabric": fabric,
        "nodes": nodes,
        "cluster": {"tenants": facts()},
    }


def errors_of(params):
    with pytest.raises(IntentError) as info:
        intent.plan(params, now=NOW)
    return info.value.errors


# -- validation ---------------------------------------------------------------------------------------------------


def test_every_bad_tenant_field_is_named_with_what_is_allowed():
    errors = []
    tenancy.validate_tenants(
        [
            {
                "name": "Red_1",
                "namespaces": [],
                "pod_network": {"subnet": "10.30.0.1/24"},
                "colour": "red",
            },
            {
                "name": "b",
                "namespaces": ["ok", "ok"],
                "routing_zone": "default",
                "reach": "x",
                "state": "gone",
            },
            {
                "name": "c",
                "namespaces": ["c"],
                "pod_network": "10.0.0.0/8",
                "share_routing_zone": "yes",
            },
        ],
        errors,
    )
    assert errors == [
        "tenants[0](Red_1): unknown field(s) colour; allowed name, namespaces, pod_network, routing_zone, "
        "share_routing_zone, reach, state",
        "tenants[0](Red_1).name: 'Red_1' is not a valid tenant name (1-26 characters of lower-case letters, digits "
        "and '-', starting and ending with a letter or digit: it names the tenant's pod network and routers)",
        "tenants[0](Red_1).namespaces: a list of at least one namespace is required (the first holds the pod network)",
        "tenants[0](Red_1).pod_network.subnet: 10.30.0.1/24 has host bits set; the network is 10.30.0.0/24",
        "tenants[1](b).namespaces[1]: ok is listed twice",
        "tenants[1](b).routing_zone: 'default' is not a valid routing zone label (1-30 characters of [A-Za-z0-9_-], "
        "not 'default')",
        "tenants[1](b).reach: 'x' must be a list of tenant names",
        "tenants[1](b).state: 'gone' is not allowed; allowed present, absent",
        "tenants[2](c).pod_network: '10.0.0.0/8' must be a mapping with subnet (an IPv4 CIDR, prefix /8-/29, or "
        '"allocate")',
        "tenants[2](c).share_routing_zone: 'yes' is not a boolean",
    ]


def test_two_tenants_share_a_routing_zone_only_when_both_say_so():
    red, blue = dict(RED, routing_zone="shared"), dict(BLUE, routing_zone="shared")
    with pytest.raises(IntentError) as info:
        intent.validate_sources([], [red, blue], {"supernet": "10.200.0.0/16"})
    assert info.value.errors == [
        "tenants[1](blue).routing_zone: shared is also the routing zone of tenant red; two tenants share a routing "
        "zone only when each of them sets share_routing_zone: true",
    ]
    both = [
        dict(red, share_routing_zone=True),
        dict(blue, share_routing_zone=True, pod_network={"subnet": "10.9.0.0/24"}),
    ]
    assert [t["routing_zone"] for t in intent.validate_sources([], both, {})[1]] == [
        "shared",
        "shared",
    ]


def test_tenants_across_namespaces_reach_and_pod_subnets():
    other = {
        "name": "green",
        "namespaces": ["red-b"],
        "pod_network": {"subnet": "10.30.0.128/25"},
        "reach": ["pink"],
    }
    with pytest.raises(IntentError) as info:
        intent.validate_sources([], [RED, BLUE, other], {"supernet": "10.200.0.0/16"})
    assert info.value.errors == [
        "tenants[2](green).namespaces: red-b already belongs to tenant red; a namespace belongs to one tenant",
        "tenants[2](green).reach: 'pink' is not another tenant; allowed blue, red",
        "tenants[2](green).pod_network.subnet: 10.30.0.128/25 overlaps the pod network 10.30.0.0/24 of tenant red",
    ]


def test_a_tenants_networks_use_its_routing_zone_and_no_other_network_does():
    nets, tenants, _allocation, _skipped = intent.validate_sources(
        copy.deepcopy(NETS), [RED, BLUE], {"supernet": "10.200.0.0/16"}
    )
    assert [(n["routing_zone"], n["tenant"]) for n in nets] == [("red", "red"), ("blue", "blue")]
    bad = [
        dict(NETS[0], routing_zone="telco"),
        dict(
            NETS[1],
            name="outside",
            namespace="telco",
            routing_zone="red",
            vlan=303,
            subnet="10.33.0.0/24",
        ),
        dict(NETS[1], name="named", tenant="red", vlan=304, subnet="10.34.0.0/24"),
    ]
    with pytest.raises(IntentError) as info:
        intent.validate_sources(bad, [RED, BLUE], {"supernet": "10.200.0.0/16"})
    assert info.value.errors == [
        "networks[0](red-data).routing_zone: telco is not the routing zone red of its tenant red; leave routing_zone out",
        "networks[1](outside).routing_zone: red is the routing zone of tenant red; put the network in that tenant "
        "(its namespace or tenant: red) or use another routing zone",
        "networks[2](named).tenant: red, but its namespace blue-a is not one of that tenant's (red-a, red-b); a "
        "tenant's networks live in its namespaces",
    ]
    with pytest.raises(IntentError) as info:
        intent.validate_sources([], [dict(BLUE, pod_network={"subnet": "allocate"})], {})
    assert info.value.errors == [
        'tenants[0](blue).pod_network.subnet: "allocate" needs allocation.supernet'
    ]


# -- the plan -----------------------------------------------------------------------------------------------------


def test_the_plan_of_two_tenants(params):
    params["cluster"]["tenants"]["pods"] = {"red-b/old-0": "", "red-a/web-0": "other/net"}
    result = intent.plan(params, now=NOW)
    desired = result["desired"]
    assert desired["pod_networks"] == [
        {
            "name": "red-pods",
            "namespace": "red-a",
            "subnet": "10.30.0.0/24",
            "gateway": "10.30.0.1",
            "tenant": "red",
            "namespaces": ["red-a", "red-b"],
            "owner": "intent",
        },
        {
            "name": "blue-pods",
            "namespace": "blue-a",
            "subnet": "10.200.0.0/24",
            "gateway": "10.200.0.1",
            "tenant": "blue",
            "namespaces": ["blue-a"],
            "owner": "intent",
        },
    ]
    routers = dict(("%s/%s" % (r["namespace"], r["name"]), r) for r in desired["routers"])
    assert (
        sorted(routers)
        == sorted(desired["tenant_routers"])
        == ["blue-a/blue--red", "blue-a/blue-mesh", "red-a/red-mesh"]
    )
    assert routers["blue-a/blue--red"]["virtual_network_selector"] == {model.TENANT_LABEL: "blue"}
    assert routers["blue-a/blue--red"]["labels"] == {
        "reach.netops.io/blue": "true",
        "reach.netops.io/red": "true",
    }
    assert routers["red-a/red-mesh"]["import_routers"] == [
        {"router_selector": {"reach.netops.io/red": "true"}, "namespace_selector": MARK}
    ]
    assert desired["namespace_adopt"] == ["red-a", "red-b", "blue-a"]
    assert [(s["resource"], s["state"], s["ownership"]["adopt"]) for s in desired["cluster_steps"]][
        1:
    ] == [
        ("pod_networks", "merged", ["blue-a", "red-a", "red-b"]),
        ("routers", "merged", []),
    ]
    assert desired["attachments"][0]["labels"][model.TENANT_LABEL] == "red"
    assert [vn["routing_zone"] for vn in desired["virtual_networks"]] == ["red", "blue"]
    assert (
        "  namespace red-b: pods created from now on use red-a/red-pods (until now: the cluster's default pod network); "
        "pods created before keep their network: red-b/old-0 (the cluster's default pod network)"
    ) in result["summary"]
    assert desired["tenants"][0]["namespace_changes"][0]["keeping"] == ["red-a/web-0 (other/net)"]


@pytest.mark.parametrize(
    "namespaces, adopt, message",
    [
        (
            [namespace("red-a", "red"), namespace("blue-a", "blue")],
            False,
            "tenants[0](red).namespaces[1]: namespace red-b does not exist; create it first (the collection annotates "
            "namespaces, it never creates or deletes them)",
        ),
        (
            [namespace("red-a", "red"), namespace("red-b"), namespace("blue-a", "blue")],
            False,
            "tenants[0](red).namespaces[1]: namespace red-b carries no owner's mark; annotate it "
            "cn2-apstra.netops.io/tenant=red (its consent to join the tenant) or adopt it (adopt=true)",
        ),
        (
            [
                namespace("red-a", "red"),
                namespace("red-b", labels=dict(MARK, **{model.OWNER_NAME_LABEL: "team-b"})),
                namespace("blue-a", "blue"),
            ],
            True,
            "tenants[0](red).namespaces[1]: namespace red-b belongs to owner team-b; this run acts for intent and "
            "changes nothing of it",
        ),
    ],
    ids=["missing", "unmarked", "another-owner"],
)
def test_a_namespace_that_cannot_be_touched_is_refused_before_any_write(
    params, namespaces, adopt, message
):
    params["cluster"]["tenants"]["namespaces"] = namespaces
    params["adopt"] = adopt
    assert errors_of(params) == [message]


def test_an_unmarked_namespace_is_adopted_when_asked(params):
    params["cluster"]["tenants"]["namespaces"] = [
        namespace("red-a"),
        namespace("red-b"),
        namespace("blue-a", "blue"),
    ]
    params["adopt"] = True
    assert intent.plan(params, now=NOW)["desired"]["namespace_adopt"] == [
        "red-a",
        "red-b",
        "blue-a",
    ]


def test_another_owners_pod_network_of_the_same_name_is_refused(params):
    params["cluster"]["tenants"]["subnets"] = [
        {"name": "red-pods", "namespace": "red-a", "subnet": "10.30.0.0/24", "owner": "team-b"}
    ]
    assert errors_of(params) == [
        "tenants[0](red): Subnet red-a/red-pods belongs to owner team-b; this run acts for intent and changes "
        "nothing of it"
    ]


def provisioned(params):
    """The facts after a provision: the tenants' objects and namespaces carry the intent owner's marks."""
    desired = intent.plan(copy.deepcopy(params), now=NOW)["desired"]
    tenants = params["cluster"]["tenants"]
    for item in desired["pod_networks"]:
        mine = dict(
            name=item["name"], namespace=item["namespace"], tenant=item["tenant"], owner="intent"
        )
        tenants["subnets"].append(dict(mine, subnet=item["subnet"], gateway=item["gateway"]))
        ref = "%s/%s" % (item["namespace"], item["name"])
        tenants["virtual_networks"].append(
            dict(mine, pod_network=True, subnet_reference=ref, state="Success")
        )
    for ns in tenants["namespaces"]:
        tenant = ns["annotations"][model.TENANT_ANNOTATION]
        ns["labels"] = dict(MARK, **{model.TENANT_LABEL: tenant})
        home = "red-a/red-pods" if tenant == "red" else "blue-a/blue-pods"
        ns["annotations"][model.PODNETWORK_ANNOTATION] = home
    tenants["routers"] = copy.deepcopy(desired["routers"])
    return desired


def test_removing_a_tenant_is_refused_while_pods_use_its_pod_network(params):
    provisioned(params)
    params["cluster"]["tenants"]["pods"] = {
        "red-b/web-0": "red-a/red-pods",
        "blue-a/x": "blue-a/blue-pods",
    }
    params["tenants"], params["networks"] = [dict(RED, reach=[])], NETS[:1]
    params["state"] = "absent"
    assert errors_of(params) == [
        "tenants[0](red): refusing to remove the pod network red-a/red-pods while pods use it: red-b/web-0; nothing "
        "was changed (delete those pods first)"
    ]


def test_a_teardown_removes_the_tenants_objects_and_the_routers_that_join_it(params):
    provisioned(params)
    params["tenants"], params["networks"] = [dict(RED, reach=[])], NETS[:1]
    params["state"] = "absent"
    desired = intent.plan(params, now=NOW)["desired"]
    assert desired["absent"]["pod_networks"] == [
        {
            "name": "red-pods",
            "namespace": "red-a",
            "tenant": "red",
            "namespaces": ["red-a", "red-b"],
            "owner": "intent",
        }
    ]
    assert [(r["namespace"], r["name"]) for r in desired["absent"]["routers"]] == [
        ("blue-a", "blue--red"),
        ("red-a", "red-mesh"),
    ]
    assert [(s["resource"], s["state"]) for s in desired["cluster_steps"]] == [
        ("attachments", "deleted"),
        ("pod_networks", "deleted"),
        ("routers", "deleted"),
    ]


def test_a_teardown_of_every_tenant_plans_their_removal_and_says_so(params):
    provisioned(params)
    result = intent.plan(dict(params, state="absent"), now=NOW)
    assert [p["name"] for p in result["desired"]["absent"]["pod_networks"]] == [
        "red-pods",
        "blue-pods",
    ]
    assert [line for line in result["summary"] if line.startswith("tenant")] == [
        "tenant red: remove (namespace annotations, pod network red-a/red-pods, routers blue-a/blue--red, "
        "red-a/red-mesh)",
        "tenant blue: remove (namespace annotations, pod network blue-a/blue-pods, routers blue-a/blue--red, "
        "blue-a/blue-mesh)",
    ]


def test_a_reconcile_removes_a_tenant_set_absent_and_a_provision_says_it_removes_nothing(params):
    provisioned(params)
    params["tenants"][0]["state"] = "absent"
    params["networks"][0]["state"] = "absent"
    desired = intent.plan(dict(params, run="reconcile"), now=NOW)["desired"]
    assert [p["name"] for p in desired["absent"]["pod_networks"]] == ["red-pods"]
    assert ("pod_networks", "deleted") in [
        (s["resource"], s["state"]) for s in desired["cluster_steps"]
    ]
    summary = intent.plan(params, now=NOW)["summary"]
    assert (
        "tenant red: absent in the intent; a provision removes nothing (reconcile or teardown does)"
        in summary
    )


def test_a_reconcile_removes_the_router_of_a_reach_dropped(params):
    provisioned(params)
    params["tenants"] = [dict(RED, reach=[]), BLUE]
    params["run"] = "reconcile"
    desired = intent.plan(params, now=NOW)["desired"]
    assert [(r["namespace"], r["name"]) for r in desired["absent"]["routers"]] == [
        ("blue-a", "blue--red")
    ]
    provisioned_again = intent.plan(dict(params, run="provision"), now=NOW)["desired"]
    assert provisioned_again["absent"]["routers"] == []


def test_a_cluster_tenant_whose_namespaces_stopped_opting_in_is_removed_unless_pods_use_it(params):
    provisioned(params)
    params.update(source="cluster", run="reconcile", cluster_name="intent")
    tenants = params["cluster"]["tenants"]
    for ns in tenants["namespaces"]:
        del ns["annotations"][model.TENANT_ANNOTATION]
    desired = intent.plan(copy.deepcopy(params), now=NOW)["desired"]
    assert [p["name"] for p in desired["absent"]["pod_networks"]] == ["blue-pods", "red-pods"]
    tenants["pods"] = {"red-b/web-0": "red-a/red-pods"}
    result = intent.plan(params, now=NOW)
    assert [p["name"] for p in result["desired"]["absent"]["pod_networks"]] == ["blue-pods"]
    assert (
        "tenant red: no source lists it, but pods use its pod network red-a/red-pods (red-b/web-0); nothing is removed"
        in result["problems"]
    )


def test_an_existing_pod_network_keeps_its_subnet_and_cannot_move_under_its_pods(params):
    provisioned(params)
    assert (
        intent.plan(copy.deepcopy(params), now=NOW)["desired"]["pod_networks"][1]["subnet"]
        == "10.200.0.0/24"
    )
    params["tenants"][0]["pod_network"] = {"subnet": "10.40.0.0/24"}
    params["cluster"]["tenants"]["pods"] = {"red-b/web-0": "red-a/red-pods"}
    assert errors_of(params) == [
        "tenants[0](red).pod_network.subnet: the pod network red-a/red-pods holds 10.30.0.0/24, and pods use it "
        "(red-b/web-0); its subnet cannot change to 10.40.0.0/24 under them"
    ]


def test_cluster_tenants_come_from_namespaces_that_opt_in():
    annotated = [
        namespace("shop-b", "shop", annotations={model.POD_SUBNET_ANNOTATION: "10.50.0.0/24"}),
        namespace("shop-a", "shop", annotations={model.REACH_ANNOTATION: "red, blue"}),
        namespace("bad-a", "bad", annotations={model.POD_SUBNET_ANNOTATION: "10.1.0.0/24"}),
        namespace("bad-b", "bad", annotations={model.POD_SUBNET_ANNOTATION: "10.2.0.0/24"}),
        namespace("plain"),
    ]
    tenants, skipped = tenancy.derive_tenants(annotated)
    assert [(t["name"], t["namespaces"], t["subnet"], t["reach"]) for t in tenants] == [
        ("shop", ["shop-a", "shop-b"], "10.50.0.0/24", ["blue", "red"])
    ]
    assert skipped == [
        {
            "source": "Namespace bad-a, bad-b",
            "error": "Namespace bad-a, bad-b: cn2-apstra.netops.io/pod-subnet differs (10.1.0.0/24, 10.2.0.0/24); the "
            "namespaces of one tenant must agree",
        }
    ]
    taken = namespace("shop-c", "shop", labels=dict(MARK, **{model.OWNER_NAME_LABEL: "platform"}))
    tenants, skipped = tenancy.derive_tenants(annotated[:2] + [taken], owner="cluster-a")
    assert tenants[0]["namespaces"] == ["shop-a", "shop-b"] and skipped == [
        {
            "source": "Namespace shop-c",
            "error": "belongs to owner platform (its tenant is theirs); this cluster's runs leave it alone",
        }
    ]
    held = [{"name": "shop-pods", "namespace": "shop-b", "tenant": "shop"}]
    assert tenancy.derive_tenants(annotated[:2], held)[0][0]["namespaces"] == ["shop-b", "shop-a"]


def test_a_pods_primary_network_as_cn2_and_multus_record_it():
    def pod(annotations):
        return {"metadata": {"namespace": "red-b", "name": "p", "annotations": annotations}}

    status = json.dumps([{"name": "red-a/red-pods", "interface": "eth0", "default": True}])
    assert (
        cluster.pod_primary_network(pod({model.NETWORK_STATUS_ANNOTATION: status}))
        == "red-a/red-pods"
    )
    assert cluster.pod_primary_network(pod({model.DEFAULT_NETWORK_ANNOTATION: "vn"})) == "red-b/vn"
    assert cluster.pod_primary_network(pod({model.PODNETWORK_ANNOTATION: "x/vn"})) == "x/vn"
    assert cluster.pod_primary_network(pod({})) is None


def test_verify_reports_a_drifted_namespace_annotation_and_router_selector(params):
    desired = provisioned(params)
    state = params["cluster"]["tenants"]

    def drift():
        found = Drift()
        verify_tenants(found, desired, state)
        return found.entries

    assert drift() == []
    state["namespaces"][1]["annotations"][model.PODNETWORK_ANNOTATION] = "red-b/other"
    state["routers"][0]["virtual_network_selector"] = {model.TENANT_LABEL: "blue"}
    state["virtual_networks"][0]["state"] = "Failure"
    assert drift() == [
        {
            "network": "tenant red",
            "layer": "cluster",
            "field": "VirtualNetwork red-a/red-pods state",
            "want": "Success",
            "have": "Failure",
        },
        {
            "network": "tenant red",
            "layer": "cluster",
            "field": "namespace red-b net.juniper.contrail.podnetwork",
            "want": "red-a/red-pods",
            "have": "red-b/other",
        },
        {
            "network": "red-a/red-mesh",
            "layer": "cluster",
            "field": "VirtualNetworkRouter virtual_network_selector",
            "want": {model.TENANT_LABEL: "red"},
            "have": {model.TENANT_LABEL: "blue"},
        },
    ]
