# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""apstra_fabric_apply: steps planned from handed-over facts, the mutex around the writes, one lean deploy, the deployed read-back."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.mutex import TAGS_PATH
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    BINDINGS_QUERY,
    VIRTUAL_NETWORKS_QUERY,
)
from ansible_collections.netops.cn2_apstra.plugins.modules import apstra_blueprint_info
from ansible_collections.netops.cn2_apstra.plugins.modules.apstra_fabric_apply import main

BP = "abad57ff-cf56-548e-a362-227bc6ecea16"
BASE = "/api/blueprints/" + BP
BLUEPRINTS = {"items": [{"id": BP, "label": "dc1", "version": 3}]}
SZ, APPLY = BASE + "/security-zones", BASE + "/obj-policy-batch-apply"
VN_PATCH, VN_BATCH = BASE + "/virtual-networks-batch-patch", BASE + "/virtual-networks-batch"
DEPLOY = BASE + "/deploy?async=full"
CLEAN = {"staging_version": 3, "deployed_version": 3}
# Apstra's incremental config of a leaf (what a deploy of the staging pushes to it), nothing staged on it by default
INCREMENTAL = dict(
    (("GET", BASE + "/nodes/id-%s/config-incremental" % leaf), {"config": ""})
    for leaf in ("leaf1", "leaf2", "leaf3", "leaf4")
)

STEPS = [
    {"resource": "routing_zones", "state": "merged", "config": [{"label": "telco"}]},
    {
        "resource": "virtual_networks",
        "state": "merged",
        "config": [
            {"label": "sriov-a", "vlan_id": 100, "bindings": ["leaf1"], "routing_zone": "telco"}
        ],
    },
    {
        "resource": "port_bindings",
        "state": "merged",
        "config": [{"virtual_network": "sriov-a", "switch_ports": ["leaf1:xe-0/0/1"]}],
    },
]


def fabric_client(apstra, status=None, routes=None, queries=None):
    """Blueprint BP with routing zone telco, VN sriov-a on leaf1 and its port binding on leaf1:xe-0/0/1."""
    all_routes = {
        ("GET", BASE + "/diff-status"): status or CLEAN,
        ("GET", BASE + "/lock-status"): {"lock_status": "unlocked"},
        ("POST", TAGS_PATH): {"id": "tag-1"},
        ("DELETE", TAGS_PATH + "/tag-1"): None,
        ("PATCH", VN_PATCH): {},
        ("PATCH", APPLY): None,
        ("POST", VN_BATCH): {"virtual_networks": [{"id": "vn-new"}]},
        ("PUT", DEPLOY): {"task_id": "t1"},
        ("GET", BASE + "/tasks/t1"): {"status": "succeeded"},
        ("GET", BASE + "/revisions"): {
            "items": [
                {"revision_id": "1", "version": 3, "description": "before"},
                {"revision_id": "2", "version": 4, "description": "this run"},
            ]
        },
    }
    all_routes.update(INCREMENTAL)
    all_routes.update(routes or {})
    all_queries = {(VIRTUAL_NETWORKS_QUERY, "deployed"): [], (BINDINGS_QUERY, "deployed"): []}
    all_queries.update(queries or {})
    return apstra.blueprint(
        zones=[apstra.zone("sz-telco", "telco")],
        vns=[apstra.vn("vn-a", "sriov-a", bound=["id-leaf1"])],
        bindings=[apstra.binding_row("ct-a", "vn-a", "leaf1:xe-0/0/1")],
        blueprints=BLUEPRINTS,
        bp_id=BP,
        routes=all_routes,
        queries=all_queries,
    )


@pytest.fixture
def facts(apstra):
    """What the role's apstra_blueprint_info task registers (gather fabric and resources), through JSON as Ansible hands it on."""
    result = apstra.run(
        apstra_blueprint_info.main,
        {"blueprint": BP, "gather": ["fabric", "resources"]},
        fabric_client(apstra),
    )
    assert not result["failed"]
    return json.loads(json.dumps(result))


def steps(**changes):
    out = copy.deepcopy(STEPS)
    for index, config in changes.items():
        out[int(index[1:])]["config"] = config
    return out


def test_a_no_op_with_facts_makes_no_call_at_all(apstra, facts):
    client = apstra.client()
    result = apstra.run(main, {"blueprint": BP, "facts": facts, "steps": STEPS}, client)
    assert not result["failed"] and result["changed"] is False and client.calls == []
    assert result["plan"] == [] and result["commit"] == {
        "changed": False,
        "plan": [],
        "deployed_version": 3,
    }
    assert [(s["resource"], s["changed"]) for s in result["steps"]] == [
        ("routing_zones", False),
        ("virtual_networks", False),
        ("port_bindings", False),
    ]


def test_check_mode_with_facts_plans_the_writes_and_the_deploy_without_a_call(apstra, facts):
    client = apstra.client()
    run_steps = steps(
        s1=[{"label": "sriov-a", "bindings": ["leaf2"]}],
        s2=[{"virtual_network": "sriov-a", "servers": ["worker-02"]}],
    )
    result = apstra.run(
        main,
        {"blueprint": BP, "facts": facts, "steps": run_steps},
        client,
        check_mode=True,
        diff=True,
    )
    assert client.calls == [] and result["changed"] is True
    assert [(p["method"], p["path"]) for p in result["plan"]] == [
        ("PATCH", VN_PATCH),
        ("PATCH", APPLY),
        ("PUT", DEPLOY),
    ]
    assert [d["before_header"] for d in result["diff"]] == [
        "virtual_network sriov-a",
        "port_binding sriov-a (vlan_tagged)",
        "blueprint " + BP,
    ]


def test_a_real_run_takes_the_mutex_writes_deploys_once_reads_back_and_releases(apstra, facts):
    deployed_rows = [
        {
            "vn": {"id": "vn-a", "label": "sriov-a", "vn_id": "10100", "tags": []},
            "sz": {"label": "telco"},
            "inst": {"vlan_id": 100},
            "switch": {"label": "leaf2"},
        }
    ]
    client = fabric_client(
        apstra,
        status=apstra.Seq(CLEAN, {"staging_version": 4, "deployed_version": 3}),
        queries={(VIRTUAL_NETWORKS_QUERY, "deployed"): deployed_rows},
        routes={
            ("GET", BASE + "/nodes/id-leaf1/config-incremental"): {
                "config": "\n- [routing-instances evpn-1 vlans vn100]\n- vlan-id 100;\n\n"
            },
            ("GET", BASE + "/nodes/id-leaf2/config-incremental"): {
                "config": "\n+ [routing-instances evpn-1 vlans vn100]\n+ vlan-id 100;\n\n"
            },
        },
    )
    result = apstra.run(
        main,
        {
            "blueprint": BP,
            "facts": facts,
            "steps": steps(s1=[{"label": "sriov-a", "bindings": ["leaf2"]}]),
            "description": "CHG-7",
        },
        client,
    )
    assert not result["failed"] and result["changed"] is True
    # the leafs of the changed VN, before and after (leaf1, leaf2), read at once after the write, before the deploy
    assert set(client.paths()[3:5]) == {
        ("GET", BASE + "/nodes/id-leaf1/config-incremental"),
        ("GET", BASE + "/nodes/id-leaf2/config-incremental"),
    }
    assert result["device_diffs"] == [
        {
            "device": "leaf1",
            "node_id": "id-leaf1",
            "added": [],
            "removed": ["routing-instances evpn-1 vlans vn100 vlan-id 100"],
        },
        {
            "device": "leaf2",
            "node_id": "id-leaf2",
            "added": ["routing-instances evpn-1 vlans vn100 vlan-id 100"],
            "removed": [],
        },
    ]
    assert client.paths()[:3] + client.paths()[5:] == [
        ("POST", TAGS_PATH),
        ("GET", BASE + "/diff-status"),
        ("PATCH", VN_PATCH),
        ("GET", BASE + "/diff-status"),
        ("PUT", DEPLOY),
        ("GET", BASE + "/tasks/t1"),
        ("POST", BASE + "/qe"),
        ("POST", BASE + "/qe"),
        ("GET", BASE + "/revisions"),
        ("DELETE", TAGS_PATH + "/tag-1"),
    ]
    assert client.writes()[2]["body"] == {"version": 4, "description": "CHG-7"}
    # the revision as Apstra names it, with the version beside it
    assert result["revision"] == {
        "revision_id": "2",
        "version": 4,
        "description": "this run",
        "before": {"revision_id": "1", "version": 3, "description": "before"},
    }
    assert result["deployed_version"] == 4 and result["deployed"]["virtual_networks"][0][
        "bindings"
    ] == ["leaf2"]
    assert [(p["method"], p["path"]) for p in result["plan"]] == [
        ("PATCH", VN_PATCH),
        ("PUT", DEPLOY),
    ]


def test_without_facts_it_reads_what_it_needs(apstra):
    client = fabric_client(
        apstra, status=apstra.Seq(CLEAN, {"staging_version": 4, "deployed_version": 3})
    )
    result = apstra.run(
        main,
        {
            "blueprint": BP,
            "steps": steps(s1=[{"label": "sriov-b", "vlan_id": 101, "bindings": ["leaf2"]}]),
            "verify": False,
        },
        client,
    )
    assert result["changed"] is True and "deployed" not in result
    assert [w["path"] for w in client.writes()] == [
        TAGS_PATH,
        VN_BATCH,
        DEPLOY,
        TAGS_PATH + "/tag-1",
    ]


def test_failure_midway_names_what_was_applied_and_the_steps_not_run_and_deploys_nothing(
    apstra, facts
):
    refused = apstra.error(
        422, {"errors": {"virtual_networks": {"0": {"vn_id": "VNI in use"}}}}, "POST", VN_BATCH
    )
    client = fabric_client(
        apstra, routes={("POST", VN_BATCH): refused, ("POST", SZ): {"id": "sz-red"}}
    )
    run_steps = steps(
        s0=[{"label": "red"}],
        s1=[{"label": "sriov-b", "vlan_id": 101, "vni": 10101, "routing_zone": "red"}],
    )
    result = apstra.run(main, {"blueprint": BP, "facts": facts, "steps": run_steps}, client)
    assert result["failed"] and result["changed"] is True and result["status"] == 422
    assert [(r["method"], r["path"]) for r in result["applied"]] == [("POST", SZ)]
    assert [(r["method"], r["path"]) for r in result["not_applied"]] == [("POST", VN_BATCH)]
    assert (
        "applied 0 of 1 planned requests" in result["msg"]
        and "steps not run: port_bindings" in result["msg"]
    )
    assert (
        "nothing was deployed: what was applied stays staged and the next run deploys it"
        in result["msg"]
    )
    assert ("PUT", DEPLOY) not in client.paths() and client.paths()[-1] == (
        "DELETE",
        TAGS_PATH + "/tag-1",
    )
    assert [s["resource"] for s in result["steps"]] == ["routing_zones"]


def test_another_holder_of_the_mutex_stops_the_run_before_any_write(apstra, facts):
    other = {"id": "tag-9", "label": "blueprint %s locked" % BP, "description": "terraform run 12"}
    client = fabric_client(
        apstra,
        routes={
            ("POST", TAGS_PATH): apstra.error(
                422, {"errors": "label not unique"}, "POST", TAGS_PATH
            ),
            ("GET", TAGS_PATH): {"items": [other]},
        },
    )
    result = apstra.run(
        main,
        {
            "blueprint": BP,
            "facts": facts,
            "steps": steps(s1=[{"label": "sriov-a", "bindings": ["leaf2"]}]),
        },
        client,
    )
    assert result["failed"] and result["changed"] is False and result["mutex"] == other
    assert "terraform run 12" in result["msg"] and [w["path"] for w in client.writes()] == [
        TAGS_PATH
    ]


def test_without_the_mutex_option_no_tag_is_touched(apstra, facts):
    client = fabric_client(
        apstra, status=apstra.Seq(CLEAN, {"staging_version": 4, "deployed_version": 3})
    )
    apstra.run(
        main,
        {
            "blueprint": BP,
            "facts": facts,
            "mutex": False,
            "steps": steps(s1=[{"label": "sriov-a", "bindings": ["leaf2"]}]),
        },
        client,
    )
    assert not [path for _method, path in client.paths() if path.startswith(TAGS_PATH)]


def test_a_staging_moved_since_the_facts_with_changes_of_others_is_refused_before_any_write(
    apstra, facts
):
    client = fabric_client(apstra, status={"staging_version": 5, "deployed_version": 3})
    result = apstra.run(
        main,
        {
            "blueprint": BP,
            "facts": facts,
            "steps": steps(s1=[{"label": "sriov-a", "bindings": ["leaf2"]}]),
        },
        client,
    )
    assert [w["path"] for w in client.writes()] == [TAGS_PATH, TAGS_PATH + "/tag-1"]
    # nothing was sent: the requests planned from the facts are not "applied"
    assert result["failed"] and result["changed"] is False and result["applied"] == []
    assert result["msg"] == (
        "the staging of blueprint %s moved since this run planned (now version 5) and holds uncommitted changes this run did "
        "not plan; nothing was changed: run again to plan from the new state" % BP
    )


def test_a_staging_moved_but_deployed_is_re_read_and_applied(apstra, facts):
    client = fabric_client(
        apstra,
        status=apstra.Seq(
            {"staging_version": 5, "deployed_version": 5},
            {"staging_version": 6, "deployed_version": 5},
        ),
    )
    result = apstra.run(
        main,
        {
            "blueprint": BP,
            "facts": facts,
            "steps": steps(s1=[{"label": "sriov-a", "bindings": ["leaf2"]}]),
        },
        client,
    )
    assert result["changed"] is True and ("GET", BASE + "/virtual-networks") in client.paths()


def test_commit_pending_deploys_our_staged_changes_even_without_a_step_change(apstra, facts):
    """The facts were read at staging version 4, which holds this collection's changes of an earlier run whose deploy failed;
    the staging has not moved since: the run deploys version 4."""
    facts["blueprints"][0].update(staging_version=4, has_uncommitted_changes=True)
    facts["resources"]["staging_version"] = 4
    status = {"staging_version": 4, "deployed_version": 3}
    client = fabric_client(
        apstra, status=status, routes={("GET", BASE + "/tasks/t1"): {"status": "succeeded"}}
    )
    result = apstra.run(
        main, {"blueprint": BP, "facts": facts, "steps": STEPS, "commit_pending": True}, client
    )
    assert not result["failed"], result["msg"]
    assert (
        result["changed"] is True
        and ("PUT", DEPLOY) in client.paths()
        and [s["changed"] for s in result["steps"]] == [False, False, False]
    )
    client = fabric_client(apstra, status=status)
    result = apstra.run(main, {"blueprint": BP, "facts": facts, "steps": STEPS}, client)
    assert result["changed"] is False and client.calls == []


def test_commit_false_writes_without_deploying(apstra, facts):
    client = fabric_client(apstra)
    result = apstra.run(
        main,
        {
            "blueprint": BP,
            "facts": facts,
            "commit": False,
            "steps": steps(s1=[{"label": "sriov-a", "bindings": ["leaf2"]}]),
        },
        client,
    )
    assert (
        result["changed"] is True
        and ("PUT", DEPLOY) not in client.paths()
        and result["commit"]["changed"] is False
    )


def test_a_failed_deploy_after_the_writes_says_they_stay_staged(apstra, facts):
    failed = {"status": "failed", "detailed_status": {"error": "leaf1: commit failed"}}
    client = fabric_client(
        apstra,
        status=apstra.Seq(CLEAN, {"staging_version": 4, "deployed_version": 3}),
        routes={
            ("GET", BASE + "/tasks/t1"): failed,
            ("GET", BASE + "/deploy"): {"state": "failure", "version": 3},
        },
    )
    result = apstra.run(
        main,
        {
            "blueprint": BP,
            "facts": facts,
            "steps": steps(s1=[{"label": "sriov-a", "bindings": ["leaf2"]}]),
        },
        client,
    )
    assert result["failed"] and result["changed"] is True
    assert result["msg"] == (
        "deploy of version 4 failed: leaf1: commit failed; the staging is left as it was; applied (staged, not deployed): "
        "PATCH %s" % VN_PATCH
    )
    assert result["task"] == failed and client.paths()[-1] == ("DELETE", TAGS_PATH + "/tag-1")


def test_a_port_binding_listed_twice_in_a_step_is_refused_before_any_call(apstra, facts):
    """The steps' config has no argument-spec defaults: {virtual_network: x} and {virtual_network: x, tagged: true} are one binding."""
    client = fabric_client(
        apstra, status=apstra.Seq(CLEAN, {"staging_version": 4, "deployed_version": 3})
    )
    config = [
        {"virtual_network": "sriov-a", "switch_ports": ["leaf1:xe-0/0/1"]},
        {"virtual_network": "sriov-a", "tagged": True, "servers": ["worker-02"]},
    ]
    result = apstra.run(main, {"blueprint": BP, "facts": facts, "steps": steps(s2=config)}, client)
    assert result[
        "failed"
    ] and "config[1]: port_binding sriov-a (vlan_tagged) is already listed as config[0]" in result.get(
        "msg", ""
    )
    assert client.calls == []


# -- the change window: preview, hold, approve ---------------------------------------------------------------------
HELD_LABEL = "netops.cn2_apstra held %s" % BP
MOVE_TO_LEAF2 = steps(s1=[{"label": "sriov-a", "bindings": ["leaf2"]}])


def test_a_preview_stages_reads_the_leafs_reverts_and_reads_back_deploying_nothing(apstra, facts):
    client = fabric_client(
        apstra,
        status=apstra.Seq(CLEAN, {"staging_version": 5, "deployed_version": 3}),
        routes={("POST", BASE + "/revert"): {}},
    )
    result = apstra.run(
        main, {"blueprint": BP, "facts": facts, "steps": MOVE_TO_LEAF2, "window": "preview"}, client
    )
    assert not result["failed"], result["msg"]
    assert ("PUT", DEPLOY) not in client.paths()
    assert [w["path"] for w in client.writes()] == [
        TAGS_PATH,
        VN_PATCH,
        BASE + "/revert",
        TAGS_PATH + "/tag-1",
    ]
    revert_at = client.paths().index(("POST", BASE + "/revert"))
    assert set(client.paths()[revert_at - 2 : revert_at]) == {
        ("GET", BASE + "/nodes/id-leaf1/config-incremental"),
        ("GET", BASE + "/nodes/id-leaf2/config-incremental"),
    }
    # read back after the revert: the deployed version unchanged, nothing uncommitted (the list says so)
    assert set(client.paths()[revert_at + 1 : revert_at + 3]) == {
        ("GET", BASE + "/diff-status"),
        ("GET", "/api/blueprints"),
    }
    assert result["preview"] == {
        "staging_version": 5,
        "deployed_version": 3,
        "has_uncommitted_changes": False,
    }
    assert result["changed"] is True and result["commit"]["changed"] is False
    assert "deployed" not in result and "revision" not in result


def test_a_preview_whose_revert_leaves_changes_fails_saying_so(apstra, facts):
    client = fabric_client(
        apstra,
        status=apstra.Seq(CLEAN, {"staging_version": 5, "deployed_version": 3}),
        routes={
            ("POST", BASE + "/revert"): {},
            ("GET", "/api/blueprints"): {"items": [{"id": BP, "has_uncommitted_changes": True}]},
        },
    )
    result = apstra.run(
        main, {"blueprint": BP, "facts": facts, "steps": MOVE_TO_LEAF2, "window": "preview"}, client
    )
    assert result["failed"] and result["msg"].startswith(
        "preview: after the revert, blueprint %s is not as it was: deployed version 3 (was 3), uncommitted "
        "changes remain" % BP
    )


def test_a_hold_stages_and_records_the_held_version_without_deploying(apstra, facts):
    client = fabric_client(
        apstra,
        status=apstra.Seq(CLEAN, {"staging_version": 4, "deployed_version": 3}),
        routes={("POST", TAGS_PATH): apstra.Seq({"id": "tag-1"}, {"id": "tag-h"})},
    )
    result = apstra.run(
        main, {"blueprint": BP, "facts": facts, "steps": MOVE_TO_LEAF2, "window": "hold"}, client
    )
    assert not result["failed"], result["msg"]
    assert ("PUT", DEPLOY) not in client.paths() and result["commit"]["changed"] is False
    record = client.writes()[2]
    assert record["path"] == TAGS_PATH and record["body"]["label"] == HELD_LABEL
    held = dict(json.loads(record["body"]["description"]), id="tag-h")
    assert result["held"] == held
    assert (held["staging_version"], held["deployed_version"], held["owner"]) == (4, 3, "intent")
    assert held["changes"] == ["virtual_network sriov-a"] and held["devices"] == ["leaf1", "leaf2"]
    assert client.paths()[-1] == (
        "DELETE",
        TAGS_PATH + "/tag-1",
    ), "the mutex released, the record kept"


def held_run(facts, version=4, **params):
    """The parameters of a run on a blueprint whose staging holds a held change (staging version `version`)."""
    return dict(
        blueprint=BP, facts=held_facts(facts, version), steps=STEPS, commit_pending=True, **params
    )


def held_facts(facts, version=4, devices=("leaf2",)):
    facts["blueprints"][0].update(staging_version=version, has_uncommitted_changes=True)
    facts["resources"]["staging_version"] = version
    facts["staging"] = {
        "staging_version": version,
        "held": {
            "holder": "netops.cn2_apstra",
            "id": "tag-h",
            "staging_version": 4,
            "devices": list(devices),
        },
    }
    return facts


def test_an_approve_deploys_the_held_version_as_it_is_and_removes_the_record(apstra, facts):
    client = fabric_client(
        apstra,
        status={"staging_version": 4, "deployed_version": 3},
        routes={("DELETE", TAGS_PATH + "/tag-h"): None},
    )
    result = apstra.run(
        main,
        held_run(facts, approve=4, verify=False),
        client,
    )
    assert not result["failed"], result["msg"]
    assert [(w["method"], w["path"]) for w in client.writes()] == [
        ("POST", TAGS_PATH),
        ("PUT", DEPLOY),
        ("DELETE", TAGS_PATH + "/tag-h"),
        ("DELETE", TAGS_PATH + "/tag-1"),
    ]
    assert client.writes()[1]["body"]["version"] == 4 and result["deployed_version"] == 4
    assert client.paths().index(("GET", BASE + "/nodes/id-leaf2/config-incremental")) < (
        client.paths().index(("PUT", DEPLOY))
    ), "the held change's leafs read before the deploy"


def test_an_approve_is_refused_when_the_staging_is_not_the_held_version(apstra, facts):
    client = fabric_client(apstra, status={"staging_version": 5, "deployed_version": 3})
    result = apstra.run(
        main,
        held_run(facts, version=5, approve=4),
        client,
    )
    assert result["failed"] and result["msg"].startswith(
        "approve=4 refused before any write: the staging of blueprint %s is version 5 now and the held change is "
        "version 4; nothing was deployed" % BP
    )
    assert [w["path"] for w in client.writes()] == [TAGS_PATH, TAGS_PATH + "/tag-1"]


def test_approve_goes_with_a_deploy_only(apstra, facts):
    client = apstra.client()
    result = apstra.run(
        main,
        {"blueprint": BP, "facts": facts, "steps": STEPS, "approve": 4, "window": "hold"},
        client,
    )
    assert result["failed"] and result["msg"].startswith(
        "approve: 4 deploys a held staging version (a positive integer) and goes with window=deploy, not window=hold"
    )
    assert client.calls == []


def test_holding_again_what_is_held_writes_nothing_and_reads_the_held_change_s_leafs(apstra, facts):
    client = fabric_client(apstra, status={"staging_version": 4, "deployed_version": 3})
    result = apstra.run(
        main,
        held_run(facts, window="hold"),
        client,
    )
    assert not result["failed"], result["msg"]
    assert [w["path"] for w in client.writes()] == [TAGS_PATH, TAGS_PATH + "/tag-1"]
    assert result["held"] == held_facts(facts)["staging"]["held"] and result["changed"] is False
    assert result["devices_read"] == ["leaf2"]


def test_a_read_back_that_fails_after_the_deploy_says_the_run_deployed(apstra, facts):
    client = fabric_client(
        apstra,
        status=apstra.Seq(CLEAN, {"staging_version": 4, "deployed_version": 3}),
        routes={
            ("GET", BASE + "/revisions"): apstra.error(500, method="GET", path=BASE + "/revisions")
        },
    )
    result = apstra.run(
        main,
        {
            "blueprint": BP,
            "facts": facts,
            "steps": steps(s1=[{"label": "sriov-a", "bindings": ["leaf2"]}]),
        },
        client,
    )
    assert result["failed"] and result["changed"] is True
    assert result["commit"]["changed"] and "deployed" not in result
    assert result["msg"].startswith(
        "deployed as version %s; but reading back what Apstra deployed failed (GET %s/revisions"
        % (result["deployed_version"], BASE)
    ), result["msg"]
    assert result["msg"].endswith("; run verify to read what the fabric holds")


def test_a_read_that_fails_after_the_deploy_still_releases_the_mutex(apstra, facts):
    client = fabric_client(
        apstra,
        status=apstra.Seq(CLEAN, {"staging_version": 4, "deployed_version": 3}),
        routes={
            ("GET", BASE + "/revisions"): apstra.error(500, method="GET", path=BASE + "/revisions")
        },
    )
    result = apstra.run(
        main,
        {
            "blueprint": BP,
            "facts": facts,
            "steps": steps(s1=[{"label": "sriov-a", "bindings": ["leaf2"]}]),
        },
        client,
    )
    assert result["failed"] and ("PUT", DEPLOY) in client.paths()
    assert client.paths()[-1] == ("DELETE", TAGS_PATH + "/tag-1")
