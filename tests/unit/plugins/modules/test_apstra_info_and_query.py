# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    BINDINGS_QUERY,
    FABRIC_QUERY,
    VIRTUAL_NETWORKS_QUERY,
    ZONES_QUERY,
)
from ansible_collections.netops.cn2_apstra.plugins.modules import (
    apstra_blueprint_info,
    apstra_graph_query,
)

OWNER = "managed-by:netops.cn2_apstra"
BASE = "/api/blueprints/bp-1"
BP_UUID = "abad57ff-cf56-548e-a362-227bc6ecea16"
CLEAN = {"staging_version": 3, "deployed_version": 3, "deploy_status": "success"}
DIRTY = {"staging_version": 4, "deployed_version": 3, "deploy_status": "success"}
LOCK = {"lock_status": "locked", "lock_type": "lock_by_changes", "username": "admin"}


def vn_row(vn_id, label, switches, vlan=100):
    vn = {
        "id": vn_id,
        "label": label,
        "vn_id": "10100",
        "ipv4_enabled": False,
        "l3_mtu": None,
        "tags": [OWNER],
    }
    return [
        {
            "vn": vn,
            "sz": {"label": "telco"},
            "inst": {"vlan_id": vlan},
            "switch": {"id": "id-" + s, "label": s},
        }
        for s in switches
    ]


def blueprint(apstra, status=None, lock=None, queries=None, routes=None, **kwargs):
    all_routes = {
        ("GET", BASE + "/diff-status"): status or CLEAN,
        ("GET", BASE + "/lock-status"): lock or {"lock_status": "unlocked"},
    }
    all_routes.update(routes or {})
    return apstra.blueprint(routes=all_routes, queries=queries, **kwargs)


def test_graph_query_returns_items_and_errors(apstra):
    client = apstra.client(
        queries={("node('system', name='leaf')", "deployed"): [{"leaf": {"label": "leaf1"}}]}
    )
    result = apstra.run(
        apstra_graph_query.main,
        {"blueprint": "dc1", "query": "node('system', name='leaf')", "graph": "deployed"},
        client,
    )
    assert (
        result["items"] == [{"leaf": {"label": "leaf1"}}]
        and result["count"] == 1
        and result["changed"] is False
    )
    assert client.calls[-1]["params"] == {"type": "deployed"}
    client = apstra.client(
        routes={
            ("POST", BASE + "/qe"): apstra.error(
                422, {"errors": "invalid query syntax"}, "POST", BASE + "/qe"
            )
        }
    )
    result = apstra.run(apstra_graph_query.main, {"blueprint": "dc1", "query": "node("}, client)
    assert (
        result["failed"]
        and result["status"] == 422
        and "invalid query syntax" in result["msg"]
        and result["error"] == {"errors": "invalid query syntax"}
    )


def test_blueprint_given_by_id_is_used_without_listing_blueprints(apstra):
    path = "/api/blueprints/%s/qe" % BP_UUID
    client = apstra.client(routes={("POST", path): {"items": []}})
    result = apstra.run(
        apstra_graph_query.main,
        {"blueprint": BP_UUID, "query": "node('system', name='leaf')"},
        client,
    )
    assert not result["failed"] and client.paths() == [("POST", path)]
    client = apstra.client(routes={("POST", BASE + "/qe"): {"items": []}})
    apstra.run(
        apstra_graph_query.main,
        {"blueprint": "dc1", "query": "node('system', name='leaf')"},
        client,
    )
    assert [c["path"] for c in client.calls] == ["/api/blueprints", BASE + "/qe"]


def test_blueprint_info_lists_every_blueprint(apstra):
    client = blueprint(apstra)
    result = apstra.run(apstra_blueprint_info.main, {}, client)
    assert result["blueprints"] == [
        {
            "id": "bp-1",
            "label": "dc1",
            "design": "two_stage_l3clos",
            "staging_version": 3,
            "deployed_version": 3,
            "has_uncommitted_changes": False,
            "build_errors_count": 0,
            "build_warnings_count": 0,
            "deploy_status": "success",
            "lock_status": "unlocked",
            "lock_type": None,
            "locked_by": None,
        }
    ]
    assert "fabric" not in result


def test_blueprint_info_with_build_errors(apstra):
    errors = {"errors_count": 1, "nodes": {"n1": {"vlan": "overlaps"}}}
    blueprints = {"items": [dict(apstra.BLUEPRINTS["items"][0], build_errors_count=1)]}
    client = blueprint(apstra, routes={("GET", BASE + "/errors"): errors}, blueprints=blueprints)
    assert (
        apstra.run(apstra_blueprint_info.main, {"blueprint": "dc1"}, client)["blueprints"][0][
            "build_errors"
        ]
        == errors
    )


def test_blueprint_info_fabric(apstra):
    client = blueprint(apstra)
    result = apstra.run(apstra_blueprint_info.main, {"blueprint": "dc1", "fabric": True}, client)
    fabric = result["fabric"]
    assert fabric["leafs"] == ["leaf1", "leaf2", "leaf3", "leaf4"] and fabric["esi_pairs"] == {
        "leaf3-leaf4": ["leaf3", "leaf4"]
    }
    assert fabric["esi_pair_ids"] == {"leaf3-leaf4": "id-leaf3-leaf4"} and len(fabric["links"]) == 5
    assert fabric["servers"]["worker-05"] == [
        {
            "interface": "ens1f0",
            "leaf": "leaf3",
            "leaf_interface": "xe-0/0/5",
            "esi_lag": "leaf3-leaf4:ae5",
        },
        {
            "interface": "ens1f1",
            "leaf": "leaf4",
            "leaf_interface": "xe-0/0/5",
            "esi_lag": "leaf3-leaf4:ae5",
        },
    ]
    assert fabric["servers"]["worker-07"] == [
        {"interface": "ens1f0", "leaf": "leaf3", "leaf_interface": "xe-0/0/7", "esi_lag": None}
    ]
    assert client.queried() == [(FABRIC_QUERY, None)]


def test_blueprint_info_without_a_blueprint_takes_the_only_one_or_lists_them(apstra, monkeypatch):
    """No blueprint is ever a default: without the option or APSTRA_BLUEPRINT, the only blueprint on the server, and
    a server with two is an error that lists them, before any read of either."""
    monkeypatch.delenv("APSTRA_BLUEPRINT", raising=False)
    two = {"items": [{"id": "bp-1", "label": "dc1"}, {"id": "bp-2", "label": "dc2"}]}
    client = apstra.client(blueprints=two)
    result = apstra.run(apstra_blueprint_info.main, {"gather": ["fabric"]}, client)
    assert result["failed"] and result["msg"] == (
        "blueprint: not given (option blueprint, APSTRA_BLUEPRINT, or -e blueprint=) and the server holds 2 "
        "blueprints; name the one to work on: dc1, dc2"
    )
    assert [call["path"] for call in client.calls] == ["/api/blueprints"]
    monkeypatch.setenv("APSTRA_BLUEPRINT", "dc2")
    client = apstra.client(
        blueprints=two,
        routes={
            ("GET", "/api/blueprints/bp-2/diff-status"): {},
            ("GET", "/api/blueprints/bp-2/lock-status"): {},
        },
    )
    result = apstra.run(apstra_blueprint_info.main, {}, client)
    assert [bp["label"] for bp in result["blueprints"]] == ["dc2"]


def test_blueprint_info_resources_are_the_facts_later_tasks_plan_from(apstra):
    zone = apstra.zone("sz-telco", "telco")
    vn = apstra.vn("vn-a", "sriov-a", bound=["id-leaf1", "id-leaf3-leaf4"])
    client = blueprint(
        apstra,
        zones=[zone],
        vns=[vn],
        bindings=[apstra.binding_row("ct-a", "vn-a", "leaf3-leaf4:ae5")],
    )
    resources = apstra.run(
        apstra_blueprint_info.main, {"blueprint": "dc1", "gather": ["resources"]}, client
    )["resources"]
    assert [z["label"] for z in resources["routing_zones"]] == ["default", "telco"]
    assert (
        resources["virtual_networks"][0]["bindings"] == ["leaf1", "leaf3-leaf4"]
        and resources["virtual_networks"][0]["id"] == "vn-a"
    )
    assert resources["templates"] == [
        {
            "id": "ct-a",
            "vn_id": "vn-a",
            "tag_type": "vlan_tagged",
            "tags": [OWNER],
            "owner": "intent",
            "interfaces": ["esi-leaf3-leaf4-ae5"],
        }
    ]
    assert resources["port_bindings"] == [
        {"virtual_network": "sriov-a", "tagged": True, "interfaces": ["leaf3-leaf4:ae5"]}
    ]
    assert resources["staging_version"] == 3


def test_blueprint_info_staging_clean_is_lean(apstra):
    client = blueprint(apstra)
    result = apstra.run(
        apstra_blueprint_info.main, {"blueprint": "dc1", "gather": ["staging"]}, client
    )
    assert result["staging"] == {
        "uncommitted": False,
        "staging_version": 3,
        "label": "dc1",
        "deployed_version": 3,
        "username": "admin",
        "changes": [],
        "lock": {"lock_status": None, "lock_type": None, "username": None},
    }
    assert ("GET", BASE + "/lock-status") not in client.paths() and client.queried() == [
        (FABRIC_QUERY, None)
    ]


def test_blueprint_info_staging_lists_what_is_staged_but_not_deployed(apstra):
    """Also the record of a change held for approval (a global-catalog tag, read only when something is staged)."""
    record = {
        "holder": "netops.cn2_apstra",
        "staging_version": 5,
        "changes": ["virtual_network sriov-a"],
    }
    tags = {
        "items": [
            {"id": "tag-1", "label": "blueprint bp-1 locked", "description": "terraform"},
            {
                "id": "tag-2",
                "label": "netops.cn2_apstra held bp-1",
                "description": json.dumps(record),
            },
        ]
    }
    queries = {
        (VIRTUAL_NETWORKS_QUERY, None): vn_row("vn-a", "sriov-a", ["leaf1", "leaf2"]),
        (VIRTUAL_NETWORKS_QUERY, "deployed"): vn_row("vn-a", "sriov-a", ["leaf1"]),
        (BINDINGS_QUERY, "deployed"): [],
        (ZONES_QUERY, None): [],
        (ZONES_QUERY, "deployed"): [],
    }
    client = blueprint(
        apstra, status=DIRTY, lock=LOCK, queries=queries, routes={("GET", "/api/design/tags"): tags}
    )
    result = apstra.run(
        apstra_blueprint_info.main, {"blueprint": "dc1", "gather": ["staging"]}, client
    )
    staging = result["staging"]
    assert staging["held"] == dict(record, id="tag-2")
    assert staging["uncommitted"] is True and staging["lock"] == {
        "lock_status": "locked",
        "lock_type": "lock_by_changes",
        "username": "admin",
    }
    assert staging["changes"] == [
        {
            "kind": "virtual_network",
            "name": "sriov-a",
            "object": "sriov-a",
            "action": "modify",
            "owner": "intent",
        }
    ]


def test_staging_facts_of_a_blueprint_listed_clean_need_no_diff_status(apstra):
    client = blueprint(apstra, status=CLEAN)
    result = apstra.run(
        apstra_blueprint_info.main, {"blueprint": "dc1", "gather": ["staging"]}, client
    )
    staging = result["staging"]
    assert staging["uncommitted"] is False and staging["changes"] == []
    assert staging["staging_version"] == staging["deployed_version"] == 3
    paths = [call["path"] for call in client.calls]
    assert BASE + "/diff-status" not in paths and BASE + "/lock-status" not in paths
    # without the staging facts (a plain blueprint listing) the diff-status is read, as before
    client = blueprint(apstra, status=CLEAN)
    apstra.run(apstra_blueprint_info.main, {"blueprint": "dc1"}, client)
    assert BASE + "/diff-status" in [call["path"] for call in client.calls]


def test_blueprint_info_deployed_reads_the_deployed_graph(apstra):
    queries = {
        (VIRTUAL_NETWORKS_QUERY, "deployed"): vn_row("vn-a", "sriov-a", ["leaf3", "leaf4"]),
        (BINDINGS_QUERY, "deployed"): [apstra.binding_row("ct-a", "vn-a", "leaf3-leaf4:ae5")],
    }
    client = blueprint(apstra, queries=queries)
    deployed = apstra.run(
        apstra_blueprint_info.main, {"blueprint": "dc1", "gather": ["deployed"]}, client
    )["deployed"]
    assert (
        deployed["virtual_networks"][0]["bindings"] == ["leaf3-leaf4"]
        and "id" not in deployed["virtual_networks"][0]
    )
    assert deployed["port_bindings"] == [
        {"virtual_network": "sriov-a", "tagged": True, "interfaces": ["leaf3-leaf4:ae5"]}
    ]
