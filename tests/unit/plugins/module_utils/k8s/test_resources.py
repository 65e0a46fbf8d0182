# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes backends of the engine with the fake service: NADs and VirtualNetworkRouters."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.resources import (
    NetworkAttachments,
    VirtualNetworkRouters,
    merge_patch,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    ApplyFailed,
    Engine,
    ResourceError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    OWNER_LABEL,
    OWNER_VALUE,
)

NAD = "NetworkAttachmentDefinition"
VNR = "VirtualNetworkRouter"
NADS = "/apis/k8s.cni.cncf.io/v1/namespaces/%s/network-attachment-definitions"
RES = "intel.com/sriov_netdevice"


def run(resource, state, config, check_mode=False):
    return Engine(resource, state, config, check_mode=check_mode).run()


def nads(service, namespace=None, force=False):
    return NetworkAttachments(service, namespace, force)


def stored_config(service, namespace, name):
    return json.loads(service.get_object(NAD, namespace, name)["spec"]["config"])


def test_merge_patch():
    assert merge_patch({"a": 1, "b": {"c": 1, "d": 2}}, {"a": 1, "b": {"c": 2}}) == {
        "b": {"c": 2, "d": None}
    }
    assert merge_patch({"a": [1]}, {"a": [1]}) is None
    assert merge_patch({}, {"x": "y"}) == {"x": "y"}
    assert merge_patch({"x": [1, 2]}, {"x": [2]}) == {"x": [2]}


def test_create_marks_ownership_then_nothing_to_do(k8s):
    service = k8s.service()
    want = [{"name": "sriov-a", "namespace": "telco", "resource_name": RES, "vlan": 100}]
    result = run(nads(service), "merged", want)
    assert (
        result["changed"] is True
        and result["plan"][0]["method"] == "POST"
        and result["plan"][0]["path"] == NADS % "telco"
    )
    stored = service.get_object(NAD, "telco", "sriov-a")
    assert stored["metadata"]["labels"] == {OWNER_LABEL: OWNER_VALUE}
    assert result["after"] == [dict(want[0], owner="intent")]
    service.calls = []
    again = run(nads(service), "merged", want)
    assert (
        again["changed"] is False
        and again["plan"] == []
        and service.calls == [("list", NAD, "telco", None, False)]
    )


def test_merged_patches_only_what_is_given_and_keeps_foreign_metadata_and_config(k8s):
    service = k8s.service(
        [
            k8s.nad(
                "sriov-a",
                managed=False,
                labels={"team": "x"},
                extra_config={"logLevel": "debug"},
                annotations={"kubectl.kubernetes.io/last-applied-configuration": "{}"},
            )
        ]
    )
    result = run(
        nads(service),
        "merged",
        [{"name": "sriov-a", "namespace": "telco", "vlan": 200, "labels": {"env": "prod"}}],
    )
    assert (
        result["plan"][0]["method"] == "PATCH"
        and result["plan"][0]["path"] == NADS % "telco" + "/sriov-a"
    )
    assert result["plan"][0]["body"]["metadata"] == {"labels": {"env": "prod"}}
    stored = service.get_object(NAD, "telco", "sriov-a")
    assert (
        stored_config(service, "telco", "sriov-a")["vlan"] == 200
        and stored_config(service, "telco", "sriov-a")["logLevel"] == "debug"
    )
    assert stored["metadata"]["labels"] == {
        "team": "x",
        "env": "prod",
    }  # not marked: this run did not create it
    assert "kubectl.kubernetes.io/last-applied-configuration" in stored["metadata"]["annotations"]
    assert result["before"][0]["vlan"] == 100 and result["after"][0]["vlan"] == 200


def test_merged_merges_the_ipam_map_key_by_key_and_replaces_it_for_another_ipam_type(k8s):
    ipam = {
        "type": "whereabouts",
        "range": "10.1.0.0/24",
        "gateway": "10.1.0.1",
        "exclude": ["10.1.0.0/30"],
    }
    service = k8s.service([k8s.nad("sriov-a", ipam=ipam)])
    result = run(
        nads(service),
        "merged",
        [
            {
                "name": "sriov-a",
                "namespace": "telco",
                "ipam": {"type": "whereabouts", "range_end": "10.1.0.200"},
            }
        ],
    )
    assert result["after"][0]["ipam"] == dict(ipam, range_end="10.1.0.200")
    result = run(
        nads(service),
        "merged",
        [
            {
                "name": "sriov-a",
                "namespace": "telco",
                "ipam": {"type": "host-local", "range": "10.1.0.0/24"},
            }
        ],
    )
    assert result["after"][0]["ipam"] == {"type": "host-local", "range": "10.1.0.0/24"}


def test_replaced_removes_fields_left_out(k8s):
    service = k8s.service([k8s.nad("sriov-a", labels={"team": "x"})])
    result = run(
        nads(service), "replaced", [{"name": "sriov-a", "namespace": "telco", "resource_name": RES}]
    )
    assert "vlan" not in stored_config(service, "telco", "sriov-a")
    assert service.get_object(NAD, "telco", "sriov-a")["metadata"]["labels"] == {
        OWNER_LABEL: OWNER_VALUE
    }
    assert result["after"] == [
        {"name": "sriov-a", "namespace": "telco", "resource_name": RES, "owner": "intent"}
    ]


def test_overridden_deletes_only_marked_objects(k8s):
    service = k8s.service([k8s.nad("keep"), k8s.nad("drop"), k8s.nad("foreign", managed=False)])
    result = run(
        nads(service),
        "overridden",
        [{"name": "keep", "namespace": "telco", "resource_name": RES, "vlan": 100}],
    )
    assert [(p["method"], p["path"].rsplit("/", 1)[1]) for p in result["plan"]] == [
        ("DELETE", "drop")
    ]
    assert sorted(key[2] for key in service.store) == ["foreign", "keep"]
    assert service.calls[0] == ("list", NAD, None, None, False)


def test_deleted_without_config_removes_marked_objects_in_the_namespace(k8s):
    service = k8s.service(
        [k8s.nad("a"), k8s.nad("b", namespace="other"), k8s.nad("c", managed=False)]
    )
    result = run(nads(service, namespace="telco"), "deleted", [])
    assert [p["path"].rsplit("/", 1)[1] for p in result["plan"]] == ["a"]
    assert [o["name"] for o in result["after"]] == ["c"]


def test_delete_refused_while_pods_reference_the_network_in_either_form(k8s):
    objects = [
        k8s.nad("a"),
        k8s.nad("b"),
        k8s.pod("p1", "telco/a"),
        k8s.pod("p2", '[{"name": "b", "interface": "net1"}]'),
        k8s.pod("p3", "other/a", namespace="x"),
    ]
    service = k8s.service(objects)
    with pytest.raises(ResourceError) as info:
        run(
            nads(service),
            "deleted",
            [{"name": "a", "namespace": "telco"}, {"name": "b", "namespace": "telco"}],
        )
    assert str(info.value) == (
        "refusing to delete networks that pods still reference (set force: true to delete anyway): "
        "telco/a used by telco/p1; telco/b used by telco/p2"
    )
    assert service.writes() == []
    forced = run(nads(service, force=True), "deleted", [{"name": "a", "namespace": "telco"}])
    assert forced["changed"] is True and service.get_object(NAD, "telco", "a") is None


def test_check_mode_sends_dry_runs_and_predicts_from_their_answers(k8s):
    service = k8s.service([k8s.nad("a")], check_mode=True)
    result = run(
        nads(service),
        "merged",
        [
            {"name": "a", "namespace": "telco", "vlan": 300},
            {"name": "n", "namespace": "telco", "resource_name": RES},
        ],
        check_mode=True,
    )
    assert result["changed"] is True and [call[4] for call in service.writes()] == [True, True]
    assert (
        stored_config(service, "telco", "a")["vlan"] == 100
        and service.get_object(NAD, "telco", "n") is None
    )
    assert sorted((o["name"], o.get("vlan")) for o in result["after"]) == [("a", 300), ("n", None)]


def test_an_invalid_item_fails_before_any_write(k8s):
    service = k8s.service()
    with pytest.raises(
        ResourceError, match=r"config\[1\]\.vlan: 5000 is out of range; allowed 0-4094"
    ):
        run(
            nads(service),
            "merged",
            [
                {"name": "ok", "resource_name": RES},
                {"name": "bad", "resource_name": RES, "vlan": 5000},
            ],
        )
    assert service.writes() == []


def test_a_create_needs_the_resource_name(k8s):
    with pytest.raises(
        ResourceError, match=r"config\[0\]\.resource_name is required to create a network"
    ):
        run(nads(k8s.service()), "merged", [{"name": "a", "vlan": 5}])


def test_a_network_listed_twice_is_refused_before_the_list_call(k8s):
    service = k8s.service([k8s.nad("a")])
    with pytest.raises(
        ResourceError, match=r"config\[1\]: attachment telco/a is already listed as config\[0\]"
    ):
        run(
            nads(service),
            "merged",
            [{"name": "a", "namespace": "telco"}, {"name": "a", "namespace": "telco", "vlan": 5}],
        )
    assert service.calls == []


@pytest.mark.parametrize(
    "namespace, config",
    [
        (
            None,
            [
                {"name": "a", "resource_name": RES, "vlan": 5},
                {"name": "a", "namespace": "default", "resource_name": RES, "vlan": 6},
            ],
        ),
        (
            "telco",
            [
                {"name": "a", "resource_name": RES, "vlan": 5},
                {"name": "a", "namespace": "telco", "resource_name": RES, "vlan": 6},
            ],
        ),
    ],
)
def test_the_same_network_named_with_and_without_its_default_namespace_is_refused_as_listed_twice(
    k8s, namespace, config
):
    """Both items are the one NAD <namespace>/a: the engine must refuse them before anything is read or written, not send two creates."""
    service = k8s.service()
    with pytest.raises(ResourceError, match="already listed"):
        run(nads(service, namespace=namespace), "merged", config)
    assert service.calls == []


def test_gathered_lists_every_namespace_in_one_call(k8s):
    service = k8s.service([k8s.nad("a"), k8s.nad("b", namespace="other")])
    result = run(nads(service), "gathered", [])
    assert [o["name"] for o in result["gathered"]] == ["b", "a"]
    assert service.calls == [("list", NAD, None, None, False)] and result["changed"] is False


def test_a_create_the_api_server_rejects_fails_with_nothing_applied(k8s):
    service = k8s.service()
    service.fail[("create", NAD)] = (
        422,
        {"kind": "Status", "message": "spec.config: Invalid value", "reason": "Invalid"},
    )
    with pytest.raises(ApplyFailed) as info:
        run(nads(service), "merged", [{"name": "a", "namespace": "telco", "resource_name": RES}])
    assert info.value.applied == [] and [
        (r["method"], r["path"]) for r in info.value.not_applied
    ] == [("POST", NADS % "telco")]
    assert info.value.error.status == 422 and service.store == {}


def test_warnings_are_collected(k8s):
    resource = nads(k8s.service())
    run(
        resource,
        "merged",
        [
            {
                "name": "a",
                "namespace": "telco",
                "resource_name": RES,
                "ipam": {"type": "host-local", "range": "10.5.0.0/24"},
            }
        ],
    )
    assert (
        len(resource.warnings) == 1
        and "config[0].ipam: host-local IPAM allocates addresses per node" in resource.warnings[0]
    )


# -- VirtualNetworkRouters -----------------------------------------------------------------------------------------

HUB = {
    "name": "hub",
    "namespace": "telco",
    "type": "hub",
    "virtual_network_selector": {"role": "hub"},
    "labels": {"vnr": "hub"},
    "import_routers": [
        {"router_selector": {"vnr": "spoke"}, "namespace_selector": {"ns": "telco"}}
    ],
}
MESH = {
    "name": "mesh",
    "namespace": "telco",
    "type": "mesh",
    "virtual_network_selector": {"vnr": "mesh"},
}


def routers(service, namespace=None):
    resource = VirtualNetworkRouters(service, namespace)
    resource.api_resource = service.resource("core.contrail.juniper.net", VNR)
    return resource


def test_router_create_renders_the_spec_and_round_trips(k8s):
    service = k8s.service()
    result = run(routers(service), "merged", [HUB, MESH])
    stored = service.get_object(VNR, "telco", "hub")
    assert stored["apiVersion"] == "core.contrail.juniper.net/v1" and stored["kind"] == VNR
    assert stored["spec"] == {
        "type": "hub",
        "virtualNetworkSelector": {"matchLabels": {"role": "hub"}},
        "import": {
            "virtualNetworkRouters": [
                {
                    "virtualNetworkRouterSelector": {"matchLabels": {"vnr": "spoke"}},
                    "namespaceSelector": {"matchLabels": {"ns": "telco"}},
                }
            ]
        },
    }
    assert stored["metadata"]["labels"] == {"vnr": "hub", OWNER_LABEL: OWNER_VALUE}
    assert result["after"] == [dict(HUB, owner="intent"), dict(MESH, owner="intent")]
    assert run(routers(service), "merged", [HUB, MESH])["changed"] is False


def test_router_merged_merges_the_selector_replaced_drops_what_is_left_out(k8s):
    service = k8s.service()
    run(routers(service), "merged", [MESH])
    merged = run(
        routers(service),
        "merged",
        [{"name": "mesh", "namespace": "telco", "virtual_network_selector": {"other": "x"}}],
    )
    assert merged["after"][0]["virtual_network_selector"] == {"vnr": "mesh", "other": "x"}
    replaced = run(
        routers(service), "replaced", [dict(MESH, virtual_network_selector={"other": "x"})]
    )
    assert replaced["plan"][0]["body"]["spec"]["virtualNetworkSelector"]["matchLabels"] == {
        "vnr": None
    }
    assert service.get_object(VNR, "telco", "mesh")["spec"]["virtualNetworkSelector"] == {
        "matchLabels": {"other": "x"}
    }


def test_router_overridden_deletes_marked_routers_of_the_namespace(k8s):
    service = k8s.service()
    run(routers(service), "merged", [HUB, MESH])
    result = run(routers(service, "telco"), "overridden", [MESH])
    assert [p["method"] for p in result["plan"]] == ["DELETE"] and service.get_object(
        VNR, "telco", "hub"
    ) is None


@pytest.mark.parametrize(
    "item, message",
    [
        ({"name": "x", "namespace": "telco"}, "config[0].type is required to create a router"),
        (
            {"name": "x", "namespace": "telco", "type": "mesh"},
            "config[0].virtual_network_selector is required to create a router",
        ),
    ],
)
def test_router_create_needs_type_and_selector(k8s, item, message):
    service = k8s.service()
    with pytest.raises(ResourceError) as info:
        run(routers(service), "merged", [item])
    assert str(info.value) == message and service.writes() == []
