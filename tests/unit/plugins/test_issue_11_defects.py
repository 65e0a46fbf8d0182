# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The defects issue 11 ("One way to do each thing") names, pinned: each of these failed on the code before it (175a485)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.inventory.sriov_fabric import join_node
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    PortBindings,
    RoutingZones,
    VirtualNetworks,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import Fabric
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.resources import (
    NetworkAttachments,
    VirtualNetworkRouters,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    MAP,
    SET,
    Engine,
    merge_value,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import topology
from ansible_collections.netops.cn2_apstra.plugins.modules import (
    apstra_blueprint_commit,
    apstra_routing_zones,
    sriov_network_attachments,
)

OWNER = "managed-by:netops.cn2_apstra"
BP_UUID = "abad57ff-cf56-548e-a362-227bc6ecea16"
RES = "intel.com/sriov_netdevice"


# (a) the same cable, two verdicts -------------------------------------------------------------------------------------


def test_a_one_cabling_verdict_for_an_fqdn_switch_and_a_unit_port(apstra):
    """LLDP names the switch leaf1.dc1.example.net and the port xe-0/0/1.0; Apstra has leaf1 xe-0/0/1. The role's plan and the
    inventory must both call this cable verified (the node mapped), not one "verified" and the other "mismatch".
    """
    links = Fabric.from_rows(apstra.fabric_rows()).links
    node = {
        "name": "worker-01",
        "labels": {},
        "resources": {RES: 8},
        "internal_ip": "10.0.0.1",
        "pfs": [
            {"name": "ens1f0", "lldp": [{"switch": "leaf1.dc1.example.net", "port": "xe-0/0/1.0"}]}
        ],
    }
    entry = topology.port_map([node], links)[0]
    assert (
        entry["status"] == "mapped"
        and entry["pfs"][0]["cabling"] == "verified"
        and entry["problems"] == []
    )
    hostvars, groups = join_node(node, topology.links_by_pf(links), "bp-1")
    assert (
        hostvars["fabric_ports"][0]["cabling"] == "verified"
        and hostvars["sriov_cabling_issues"] == []
    )
    assert "leaf_leaf1" in groups and "sriov_cabling_mismatch" not in groups


def test_a_a_real_mismatch_is_a_mismatch_on_both_sides(apstra):
    links = Fabric.from_rows(apstra.fabric_rows()).links
    lldp = [{"switch": "leaf2.dc1.example.net", "port": "xe-0/0/1.0"}]
    node = {
        "name": "worker-01",
        "labels": {},
        "resources": {RES: 8},
        "pfs": [{"name": "ens1f0", "lldp": lldp}],
    }
    assert topology.port_map([node], links)[0]["status"] == "miscabled"
    _hostvars, groups = join_node(node, topology.links_by_pf(links), "bp-1")
    assert "sriov_cabling_mismatch" in groups


# (b) a key listed twice -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("blueprint", [BP_UUID, "dc1"])
def test_b_a_routing_zone_listed_twice_is_refused_before_any_call(apstra, blueprint):
    client = apstra.blueprint(bp_id=BP_UUID if blueprint == BP_UUID else "bp-1")
    result = apstra.run(
        apstra_routing_zones.main,
        {"blueprint": blueprint, "config": [{"label": "telco"}, {"label": "telco", "vni": 5000}]},
        client,
    )
    assert result["failed"] and result["changed"] is False
    assert (
        result["msg"]
        == "config[1]: routing_zone telco is already listed as config[0]; list each routing_zone once"
    )
    assert client.calls == []


# (c) a rejected NAD create --------------------------------------------------------------------------------------------


def test_c_a_nad_create_the_api_server_rejects_fails_unchanged_with_the_post_not_applied(k8s):
    service = k8s.service()
    service.fail[("create", "NetworkAttachmentDefinition")] = (
        422,
        {"kind": "Status", "message": "spec.config: Invalid value", "reason": "Invalid"},
    )
    config = [{"name": "sriov-a", "namespace": "telco", "resource_name": RES, "vlan": 100}]
    result = k8s.run(sriov_network_attachments.main, {"config": config}, service)
    assert result["failed"] is True and result["changed"] is False and result["applied"] == []
    assert [(r["method"], r["path"]) for r in result["not_applied"]] == [
        ("POST", "/apis/k8s.cni.cncf.io/v1/namespaces/telco/network-attachment-definitions")
    ]
    assert result["not_applied"][0]["body"]["metadata"]["name"] == "sriov-a"


# (d) one merged policy per field kind, on both sides ------------------------------------------------------------------


def apstra_merged(apstra, resource_class, config, **blueprint):
    ctx = apstra.context(apstra.blueprint(**blueprint))
    return Engine(resource_class(ctx), "merged", config, check_mode=True).run()["after"]


def test_d_zone_route_targets_and_tags_are_sets_merged_unions_them(apstra):
    zone = apstra.zone(
        "sz-telco", "telco", import_rts=["65000:1"], export_rts=["65000:9"], tags=[OWNER, "team-a"]
    )
    after = apstra_merged(
        apstra,
        RoutingZones,
        [
            {
                "label": "telco",
                "import_rts": ["65000:2"],
                "export_rts": ["65000:9"],
                "tags": ["prod"],
            }
        ],
        zones=[zone],
    )
    telco = [z for z in after if z["label"] == "telco"][0]
    assert (telco["import_rts"], telco["export_rts"], telco["tags"]) == (
        ["65000:1", "65000:2"],
        ["65000:9"],
        [OWNER, "prod", "team-a"],
    )


def test_d_vn_bindings_and_tags_are_sets_merged_unions_them(apstra):
    vn = apstra.vn("vn-a", "sriov-a", bound=["id-leaf1"], tags=[OWNER, "team-a"])
    after = apstra_merged(
        apstra,
        VirtualNetworks,
        [{"label": "sriov-a", "bindings": ["leaf3-leaf4"], "tags": ["prod"]}],
        zones=[apstra.zone("sz-telco", "telco")],
        vns=[vn],
    )
    assert (after[0]["bindings"], after[0]["tags"]) == (
        ["leaf1", "leaf3-leaf4"],
        [OWNER, "prod", "team-a"],
    )


def test_d_port_binding_interfaces_are_a_set_merged_unions_them(apstra):
    after = apstra_merged(
        apstra,
        PortBindings,
        [{"virtual_network": "sriov-a", "servers": ["worker-07"]}],
        vns=[apstra.vn("vn-a", "sriov-a")],
        bindings=[apstra.binding_row("ct-a", "vn-a", "leaf1:xe-0/0/1")],
    )
    assert after[0]["interfaces"] == ["leaf1:xe-0/0/1", "leaf3:xe-0/0/7"]


def test_d_nad_labels_annotations_ipam_and_cn2_are_maps_merged_merges_them_key_by_key(k8s):
    have = k8s.nad(
        "sriov-a",
        labels={"team": "a"},
        annotations={"cn2-apstra.netops.io/released": "{}"},
        ipam={"type": "whereabouts", "range": "10.1.0.0/24", "gateway": "10.1.0.1"},
        cn2={"route_targets": ["target:64512:1"]},
    )
    config = [
        {
            "name": "sriov-a",
            "namespace": "telco",
            "labels": {"env": "prod"},
            "annotations": {"cn2-apstra.netops.io/tags": "x"},
            "ipam": {"type": "whereabouts", "range_end": "10.1.0.100"},
            "cn2": {"fabric_snat": True},
        }
    ]
    after = Engine(
        NetworkAttachments(k8s.service([have])), "merged", config, check_mode=True
    ).run()["after"][0]
    assert after["labels"] == {"team": "a", "env": "prod"}
    assert after["annotations"] == {
        "cn2-apstra.netops.io/released": "{}",
        "cn2-apstra.netops.io/tags": "x",
    }
    assert after["ipam"] == {
        "type": "whereabouts",
        "range": "10.1.0.0/24",
        "gateway": "10.1.0.1",
        "range_end": "10.1.0.100",
    }
    assert after["cn2"] == {"route_targets": ["target:64512:1"], "fabric_snat": True}


def test_d_router_labels_and_selector_are_maps_merged_merges_them_key_by_key(k8s):
    service = k8s.service()
    routers = VirtualNetworkRouters(service)
    routers.api_resource = service.resource("core.contrail.juniper.net", "VirtualNetworkRouter")
    Engine(
        routers,
        "merged",
        [
            {
                "name": "g",
                "namespace": "telco",
                "type": "mesh",
                "virtual_network_selector": {"a": "1"},
                "labels": {"x": "1"},
            }
        ],
    ).run()
    routers = VirtualNetworkRouters(service)
    routers.api_resource = service.resource("core.contrail.juniper.net", "VirtualNetworkRouter")
    after = Engine(
        routers,
        "merged",
        [
            {
                "name": "g",
                "namespace": "telco",
                "virtual_network_selector": {"b": "2"},
                "labels": {"y": "2"},
            }
        ],
    ).run()["after"][0]
    assert after["virtual_network_selector"] == {"a": "1", "b": "2"} and after["labels"] == {
        "x": "1",
        "y": "2",
    }


def backends(apstra, k8s):
    service = k8s.service()
    ctx = apstra.context(apstra.client())
    return [
        RoutingZones(ctx),
        VirtualNetworks(ctx),
        PortBindings(ctx),
        NetworkAttachments(service),
        VirtualNetworkRouters(service),
    ]


SAMPLE = {
    SET: (["a", "b"], ["c", "a"]),
    MAP: ({"k1": "1", "k2": "2"}, {"k2": "two", "k3": "3"}),
    "scalar": ("old", "new"),
}


def test_d_every_backend_merges_each_declared_field_by_the_engines_rule(apstra, k8s):
    """One rule for Apstra and Kubernetes alike: a set field is unioned, a map field merged key by key, anything else replaced."""
    for backend in backends(apstra, k8s):
        for field, kind in list(backend.FIELDS.items()) + [("description", "scalar")]:
            have_value, want_value = SAMPLE[kind]
            have = {"name": "x", "namespace": "telco", field: have_value}
            merged = backend.merge(have, {"name": "x", "namespace": "telco", field: want_value})
            assert merged[field] == merge_value(kind, have_value, want_value), (
                type(backend).__name__,
                field,
            )
    assert set(kind for backend in backends(apstra, k8s) for kind in backend.FIELDS.values()) == {
        SET,
        MAP,
    }


# (e) a blueprint given by id ------------------------------------------------------------------------------------------


def test_e_blueprint_commit_given_a_blueprint_id_never_lists_the_blueprints(apstra):
    base = "/api/blueprints/" + BP_UUID
    client = apstra.client(
        {
            ("GET", base + "/diff-status"): {"staging_version": 5, "deployed_version": 4},
            ("GET", base + "/errors"): {"errors_count": 0},
            ("GET", base + "/lock-status"): {"lock_status": "unlocked"},
            ("PUT", base + "/deploy?async=full"): {"task_id": "t1"},
            ("GET", base + "/tasks/t1"): {"status": "succeeded"},
            ("GET", base + "/deploy"): {"state": "success", "version": 5},
        }
    )
    result = apstra.run(
        apstra_blueprint_commit.main, {"blueprint": BP_UUID, "poll_interval": 0}, client
    )
    assert result["changed"] is True and result["deployed_version"] == 5
    assert ("GET", "/api/blueprints") not in client.paths()
    result = apstra.run(
        apstra_blueprint_commit.main,
        {"blueprint": BP_UUID, "poll_interval": 0},
        client,
        check_mode=True,
    )
    assert ("GET", "/api/blueprints") not in client.paths()
