# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one planning pass end to end with small facts, and the verdict on what is staged in Apstra."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import Fabric
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import intent, model
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import IntentError

RES = "intel.com/sriov_netdevice"
NOW = datetime.datetime(2025, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
REMOVALS = [
    ("port_bindings", "deleted"),
    ("virtual_networks", "deleted"),
    ("routing_zones", "deleted"),
]
NET = {
    "name": "sriov-a",
    "namespace": "telco",
    "vlan": "allocate",
    "routing_zone": "telco",
    "subnet": "allocate",
    "resource_name": RES,
}


def node(name, pfs, lldp=None, resources=None):
    lldp = lldp or {}
    return {
        "name": name,
        "labels": {},
        "resources": {RES: 8} if resources is None else resources,
        "pfs": [{"name": pf, "lldp": [lldp[pf]] if pf in lldp else []} for pf in pfs],
    }


@pytest.fixture
def params(apstra):
    fabric = json.loads(json.dumps(dict(Fabric.from_rows(apstra.fabric_rows()).facts())))
    nodes = [
        node(
            "worker-01",
            ["ens1f0"],
            {"ens1f0": {"switch": "leaf1.dc1.example.net", "port": "xe-0/0/1.0"}},
        ),
        node("worker-05", ["ens1f0", "ens1f1"]),
        node("worker-07", ["ens1f0"]),
    ]
    return {
        "networks": [NET],
        "allocation": {"supernet": "10.200.0.0/16"},
        "fabric": fabric,
        "nodes": nodes,
        "cluster_name": "cluster-a",
    }


def test_plan_end_to_end(params):
    result = intent.plan(params, now=NOW)
    desired = result["desired"]
    assert (
        desired["virtual_networks"][0]["vlan_id"] == 2000
        and desired["virtual_networks"][0]["ipv4_subnet"] == "10.200.0.0/24"
    )
    assert desired["virtual_networks"][0]["bindings"] == ["leaf1", "leaf3-leaf4"]
    assert desired["port_bindings"] == [
        {
            "virtual_network": "sriov-a",
            "tagged": True,
            "switch_ports": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5", "leaf3:xe-0/0/7"],
        }
    ]
    assert desired["attachments"][0]["ipam"]["exclude"] == [
        "10.200.0.0/30",
        "10.200.0.4/31",
    ]  # 4 leafs: 4 SVI addresses
    assert [step["resource"] for step in desired["fabric_steps"]] == [
        "routing_zones",
        "virtual_networks",
        "port_bindings",
    ]
    assert [(step["resource"], step["state"]) for step in desired["cluster_steps"]] == [
        ("attachments", "merged")
    ]
    assert desired["commit_pending"] is False
    assert result["networks"][0]["allocated"] == ["vlan", "subnet"]
    assert result["problems"] == [] and result["skipped"] == []
    assert result["staging"] == {"ours": [], "foreign": [], "included": False}
    assert result["summary"][:2] == [
        "owner: intent",
        "telco/sriov-a: VLAN 2000, VNI from pool, 10.200.0.0/24 gateway 10.200.0.1, routing zone telco (allocated: vlan, subnet)",
    ]
    assert result["port_summary"][0].startswith(
        "worker-01 [mapped] ens1f0 -> leaf1 xe-0/0/1 (LLDP: leaf1.dc1.example.net xe-0/0/1.0, verified)"
    )


def test_plan_keeps_what_the_fabric_holds(params):
    params["virtual_networks"] = [
        {
            "label": "sriov-a",
            "vlan_id": 2345,
            "ipv4_subnet": "10.200.9.0/24",
            "tags": [model.OWNER_TAG],
        }
    ]
    params["attachments"] = [
        {
            "name": "sriov-a",
            "namespace": "telco",
            "vlan": 2999,
            "ipam": {"type": "whereabouts", "range": "10.200.7.0/24"},
            "owner": "intent",
        }
    ]
    desired = intent.plan(params, now=NOW)["desired"]
    assert (desired["attachments"][0]["vlan"], desired["attachments"][0]["ipam"]["range"]) == (
        2345,
        "10.200.9.0/24",
    )


def test_teardown_and_reconcile_runs(params):
    params["virtual_networks"] = [
        {
            "label": "sriov-a",
            "vlan_id": 2000,
            "ipv4_subnet": "10.200.0.0/24",
            "routing_zone": "telco",
            "tags": [model.OWNER_TAG],
        }
    ]
    teardown = intent.plan(dict(params, state="absent"), now=NOW)["desired"]
    assert [(s["resource"], s["state"]) for s in teardown["fabric_steps"]] == REMOVALS
    assert [(s["resource"], s["state"]) for s in teardown["cluster_steps"]] == [
        ("attachments", "deleted")
    ]
    reconcile = intent.plan(dict(params, run="reconcile", overridden=True), now=NOW)["desired"]
    # overridden removes what no network lists as planned networks, so no step removes on its own
    assert [s["state"] for s in reconcile["fabric_steps"]] == ["merged", "replaced", "replaced"]


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"source": "file"}, "source: 'file' is not allowed; allowed intent, cluster, both"),
        ({"binding": "pod"}, "binding: 'pod' is not allowed; allowed nodes, pods"),
        (
            {"networks": [dict(NET, resource_name="intel.com/none")]},
            "sriov-a.resource_name: no node offers intel.com/none",
        ),
        ({"networks": [dict(NET, vlan=1)]}, "networks[0](sriov-a).vlan: 1 is out of range"),
    ],
)
def test_plan_refuses_before_any_write(params, extra, message):
    with pytest.raises(IntentError) as info:
        intent.plan(dict(params, **extra), now=NOW)
    assert any(message in error for error in info.value.errors), info.value.errors


def opted_in_nad(name, vlan=None, resource=RES):
    config = {
        "type": "sriov",
        "ipam": {"type": "whereabouts", "range": "10.50.0.0/24", "gateway": "10.50.0.1"},
    }
    if vlan is not None:
        config["vlan"] = vlan
    return {
        "metadata": {
            "name": name,
            "namespace": "apps",
            "annotations": {
                model.FABRIC_ANNOTATION: "true",
                model.RESOURCE_ANNOTATION: resource,
                model.ZONE_ANNOTATION: "telco",
            },
        },
        "spec": {"config": json.dumps(config)},
    }


def test_cluster_source_networks_are_planned_and_bad_ones_skipped(params):
    params.update(
        source="both",
        cluster={
            "nads": [opted_in_nad("app-net"), opted_in_nad("nobody", resource="intel.com/none")]
        },
    )
    result = intent.plan(params, now=NOW)
    assert [net["name"] for net in result["networks"]] == ["sriov-a", "app-net"]
    assert result["desired"]["attachment_writebacks"] == [
        {"name": "app-net", "namespace": "apps", "vlan": 2001}
    ]
    assert [item["source"] for item in result["skipped"]] == [
        "NetworkAttachmentDefinition apps/nobody"
    ]
    assert (
        "skipped NetworkAttachmentDefinition apps/nobody: nobody.resource_name: no node offers intel.com/none"
        in result["summary"][-1]
    )


def test_cluster_conflicting_with_the_file_is_refused(params):
    params.update(
        source="both",
        networks=[dict(NET, name="app-net", namespace="apps", vlan=300)],
        cluster={"nads": [opted_in_nad("app-net", vlan=301)]},
    )
    with pytest.raises(
        IntentError,
        match="app-net: the intent file and NetworkAttachmentDefinition apps/app-net disagree \\(vlan: file 300, cluster 301\\)",
    ):
        intent.plan(params, now=NOW)


def test_cluster_vn_whose_object_is_gone_is_removed_by_a_reconcile(params):
    params.update(
        source="cluster",
        run="reconcile",
        virtual_networks=[
            {
                "label": "old",
                "routing_zone": "telco",
                "tags": model.owner_tags("cluster-a") + [model.CLUSTER_TAG],
            }
        ],
        # the zone this cluster's run created: its creator removes it once no VN uses it
        routing_zones=[{"label": "telco", "tags": model.owner_tags("cluster-a")}],
    )
    desired = intent.plan(params, now=NOW)["desired"]
    assert (
        desired["absent"]["virtual_networks"] == [{"label": "old"}]
        and desired["absent"]["attachments"] == []
    )
    assert [(s["resource"], s["state"]) for s in desired["fabric_steps"]] == REMOVALS
    # a provision run only adds
    assert intent.plan(dict(params, run="provision"), now=NOW)["desired"]["fabric_steps"] == []


def pods_params(params, bindings, released=None, usage=None):
    params.update(
        binding="pods",
        unbind_grace=300,
        bindings=bindings,
        cluster={
            "pod_usage": (
                usage if usage is not None else {"telco/sriov-a": {"worker-01": ["telco/p1"]}}
            ),
            "released": released or {},
        },
    )
    return params


def test_pods_binding_tags_only_nodes_with_pods(params):
    desired = intent.plan(pods_params(params, []), now=NOW)["desired"]
    assert desired["port_bindings"][0]["switch_ports"] == ["leaf1:xe-0/0/1"] and desired[
        "virtual_networks"
    ][0]["bindings"] == ["leaf1"]


@pytest.mark.parametrize("key", ["switch_ports", "interfaces"])
def test_pods_binding_grace_keeps_the_port_of_a_node_whose_last_pod_left(params, key):
    """worker-05's ESI LAG carries sriov-a now (apstra_blueprint_info's resources.port_bindings list ``interfaces``; config form lists
    ``switch_ports``): its pod left, so the port stays for the grace period, recorded on the NAD."""
    bindings = [
        {"virtual_network": "sriov-a", "tagged": True, key: ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]}
    ]
    desired = intent.plan(pods_params(params, bindings), now=NOW)["desired"]
    assert desired["port_bindings"][0]["switch_ports"] == ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]
    assert desired["attachment_writebacks"] == [
        {
            "name": "sriov-a",
            "namespace": "telco",
            "annotations": {
                model.RELEASED_ANNOTATION: json.dumps({"worker-05": "2025-03-01T12:00:00Z"})
            },
        }
    ]


def test_pods_binding_after_the_grace_the_port_goes_and_the_mark_is_cleared(params):
    bindings = [
        {
            "virtual_network": "sriov-a",
            "tagged": True,
            "switch_ports": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"],
        }
    ]
    released = {"telco/sriov-a": {"worker-05": "2025-03-01T11:50:00Z"}}
    desired = intent.plan(pods_params(params, bindings, released), now=NOW)["desired"]
    assert desired["port_bindings"][0]["switch_ports"] == ["leaf1:xe-0/0/1"]
    assert desired["attachment_writebacks"] == [
        {"name": "sriov-a", "namespace": "telco", "annotations": {model.RELEASED_ANNOTATION: None}}
    ]


# -- staging_verdict -----------------------------------------------------------------------------------------------

PLAN = {
    "virtual_networks": [{"label": "sriov-a"}],
    "routing_zones": [{"label": "telco"}],
    "absent": {"virtual_networks": [{"label": "old"}], "routing_zones": []},
}


def change(name, kind="virtual_network", owner="intent", action="modify"):
    return {"kind": kind, "name": name, "action": action, "owner": owner}


def staging(changes, lock=None, username="admin", uncommitted=True):
    return {
        "label": "dc1",
        "username": username,
        "uncommitted": uncommitted,
        "changes": changes,
        "lock": lock or {},
    }


def test_our_own_pending_changes_are_ours():
    verdict = intent.staging_verdict(
        staging(
            [change("sriov-a"), change("old", action="delete"), change("telco", "routing_zone")],
            {"lock_type": "lock_by_changes", "username": "admin"},
        ),
        PLAN,
    )
    assert (
        [c["name"] for c in verdict["ours"]] == ["sriov-a", "old", "telco"]
        and verdict["foreign"] == []
        and verdict["included"] is False
    )


def test_foreign_changes_are_refused_naming_what():
    with pytest.raises(IntentError) as info:
        intent.staging_verdict(
            staging(
                [
                    change("sriov-a"),
                    change("theirs", owner=None, action="create"),
                    change("other-owned"),
                ]
            ),
            PLAN,
        )
    message = info.value.errors[0]
    assert message.startswith(
        "refusing to change blueprint dc1: it holds uncommitted changes this run did not make (create virtual_network theirs by "
        "unknown user; modify virtual_network other-owned by unknown user); nothing was changed."
    )
    assert "include_foreign_staging" in message


def test_another_users_lock_by_changes_makes_every_change_foreign_naming_who_and_what():
    lock = {"lock_status": "locked", "lock_type": "lock_by_changes", "username": "bob"}
    with pytest.raises(IntentError) as info:
        intent.staging_verdict(staging([change("sriov-a")], lock), PLAN)
    assert "(modify virtual_network sriov-a by bob)" in info.value.errors[0]
    with pytest.raises(IntentError) as info:
        intent.staging_verdict(staging([], lock), PLAN)
    assert "(modified blueprint staging by bob)" in info.value.errors[0]


def test_foreign_changes_included_when_asked():
    lock = {"lock_type": "lock_by_changes", "username": "bob"}
    verdict = intent.staging_verdict(staging([change("sriov-a")], lock), PLAN, include_foreign=True)
    assert (
        verdict["ours"] == []
        and verdict["foreign"] == [dict(change("sriov-a"), by="bob")]
        and verdict["included"] is True
    )


def test_nothing_staged_is_an_empty_verdict():
    assert intent.staging_verdict(None, PLAN) == {"ours": [], "foreign": [], "included": False}
    assert (
        intent.staging_verdict(staging([], {"lock_type": "lock_by_user", "username": "bob"}), PLAN)[
            "foreign"
        ]
        == []
    )


def test_plan_commits_pending_changes_of_ours(params):
    params["staging"] = staging(
        [change("sriov-a")], {"lock_type": "lock_by_changes", "username": "admin"}
    )
    assert intent.plan(params, now=NOW)["desired"]["commit_pending"] is True
