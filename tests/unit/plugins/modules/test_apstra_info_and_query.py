# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.modules import apstra_blueprint_info, apstra_graph_query
from ansible_collections.netops.cn2_apstra.tests.unit.plugins.modules.apstra_fakes import BP, Seq, api_error, run_module

BASE = "/api/blueprints/%s" % BP


def test_graph_query_returns_items_and_errors():
    routes = {("POST", BASE + "/qe"): {"count": 1, "items": [{"leaf": {"label": "leaf1"}}]}}
    result, client = run_module(apstra_graph_query.main, {"blueprint": "dc1", "query": "node('system', name='leaf')", "graph": "deployed"}, routes)
    assert result["items"] == [{"leaf": {"label": "leaf1"}}] and result["count"] == 1 and not result["changed"]
    assert client.calls[-1]["params"] == {"type": "deployed"}
    routes = {("POST", BASE + "/qe"): api_error(422, {"errors": "invalid query syntax"}, "POST", BASE + "/qe")}
    result, _calls = run_module(apstra_graph_query.main, {"blueprint": "dc1", "query": "node("}, routes)
    assert result["failed"] and result["status"] == 422 and "invalid query syntax" in result["msg"]


def test_blueprint_info_with_fabric():
    fabric = {"items": [{"leaf": {"id": "L3", "label": "leaf3"}, "rg": {"id": "RG", "label": "leaf3-leaf4"}},
                        {"leaf": {"id": "L4", "label": "leaf4"}, "rg": {"id": "RG", "label": "leaf3-leaf4"}}]}
    ports = {"items": [{"server": {"label": "worker-05"}, "server_intf": {"if_name": "ens1f0"}, "leaf": {"label": "leaf3"},
                        "leaf_intf": {"if_name": "xe-0/0/5"}, "esi_lag": {"if_name": "ae5"}, "rg": {"label": "leaf3-leaf4"}}]}
    routes = {
        ("GET", BASE + "/diff-status"): {"staging_version": 3, "deployed_version": 3, "deploy_status": "success"},
        ("GET", BASE + "/lock-status"): {"lock_status": "unlocked"},
        ("POST", BASE + "/qe"): Seq(fabric, ports),
    }
    result, _calls = run_module(apstra_blueprint_info.main, {"blueprint": "dc1", "fabric": True}, routes)
    info = result["blueprints"][0]
    assert info["label"] == "dc1" and info["staging_version"] == 3 and info["lock_status"] == "unlocked" and not info["has_uncommitted_changes"]
    assert result["fabric"]["esi_pairs"] == {"leaf3-leaf4": ["leaf3", "leaf4"]}
    assert result["fabric"]["servers"]["worker-05"][0]["esi_lag"] == "leaf3-leaf4:ae5"


def test_blueprint_info_fabric_needs_blueprint():
    result, client = run_module(apstra_blueprint_info.main, {"fabric": True}, {})
    assert result["failed"] and "needs blueprint" in result["msg"] and not client.calls


def test_blueprint_given_by_id_is_used_without_listing_blueprints():
    bp_uuid = "abad57ff-cf56-548e-a362-227bc6ecea16"
    routes = {("POST", "/api/blueprints/%s/qe" % bp_uuid): {"count": 0, "items": []}}
    result, client = run_module(apstra_graph_query.main, {"blueprint": bp_uuid, "query": "node('system', name='leaf')"}, routes)
    assert not result.get("failed") and [(c["method"], c["path"]) for c in client.calls] == [("POST", "/api/blueprints/%s/qe" % bp_uuid)]
    result, client = run_module(apstra_graph_query.main, {"blueprint": "dc1", "query": "node('system', name='leaf')"}, {("POST", BASE + "/qe"): {"items": []}})
    assert not result.get("failed") and [c["path"] for c in client.calls] == ["/api/blueprints", BASE + "/qe"]
