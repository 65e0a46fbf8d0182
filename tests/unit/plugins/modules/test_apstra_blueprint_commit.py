# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.modules.apstra_blueprint_commit import main

BP_UUID = "abad57ff-cf56-548e-a362-227bc6ecea16"
BASE = "/api/blueprints/bp-1"
ARGS = {"blueprint": "dc1", "description": "AWX job 42", "poll_interval": 0}


def routes(apstra, base=BASE, status=None, errors=None, lock=None, task=None, deploy=None):
    return {
        ("GET", base + "/diff-status"): status or {"staging_version": 5, "deployed_version": 4},
        ("GET", base + "/errors"): errors or {"nodes": {}, "relationships": {}, "errors_count": 0},
        ("GET", base + "/lock-status"): lock or {"lock_status": "unlocked"},
        ("PUT", base + "/deploy?async=full"): {"task_id": "t1"},
        ("GET", base + "/tasks/t1"): task
        or apstra.Seq({"status": "in_progress"}, {"status": "succeeded"}),
        ("GET", base + "/deploy"): deploy or {"version": 5, "state": "success"},
        ("POST", base + "/revert"): None,
    }


def test_nothing_to_commit(apstra):
    client = apstra.client(routes(apstra, status={"staging_version": 4, "deployed_version": 4}))
    result = apstra.run(main, ARGS, client)
    assert result["changed"] is False and client.writes() == [] and result["deployed_version"] == 4


def test_check_mode_plans_the_deploy(apstra):
    client = apstra.client(routes(apstra))
    result = apstra.run(main, ARGS, client, check_mode=True)
    assert result["changed"] is True and client.writes() == []
    assert result["plan"] == [
        {
            "method": "PUT",
            "path": BASE + "/deploy?async=full",
            "body": {"version": 5, "description": "AWX job 42"},
        }
    ]


def test_deploy_polls_the_task_and_confirms(apstra):
    client = apstra.client(routes(apstra))
    result = apstra.run(main, ARGS, client)
    assert (
        result["changed"] is True
        and result["deployed_version"] == 5
        and result["task"]["status"] == "succeeded"
    )
    assert [c["path"] for c in client.calls].count(BASE + "/tasks/t1") == 2


def test_refuses_on_build_errors(apstra):
    errors = {
        "nodes": {"n1": {"vlan": "VLAN 100 overlaps"}},
        "relationships": {},
        "errors_count": 1,
    }
    client = apstra.client(routes(apstra, errors=errors))
    result = apstra.run(main, ARGS, client)
    assert (
        result["failed"]
        and result["msg"]
        == "blueprint dc1 has 1 build error(s); not deploying: node n1: vlan: VLAN 100 overlaps"
    )
    assert result["build_errors"] == errors and client.writes() == [] and result["changed"] is False


def test_lock_timeout_names_the_holder(apstra):
    locked = {"lock_status": "locked", "lock_type": "lock_by_user", "username": "bob"}
    result = apstra.run(main, ARGS, apstra.client(routes(apstra, lock=locked)))
    assert (
        result["failed"]
        and result["msg"] == "blueprint dc1 is locked (lock_by_user by bob); waited 0s"
        and result["lock"] == locked
    )


def test_failed_deploy_reports_a_readable_reason(apstra):
    failed = {"status": "failed", "detailed_status": {"errors": [{"leaf2": "config push failed"}]}}
    result = apstra.run(
        main,
        ARGS,
        apstra.client(routes(apstra, task=failed, deploy={"version": 4, "state": "failure"})),
    )
    assert (
        result["failed"]
        and result["msg"]
        == "deploy of version 5 failed: leaf2: config push failed; the staging is left as it was"
    )
    assert result["task"] == failed


def test_revert(apstra):
    client = apstra.client(routes(apstra))
    result = apstra.run(main, dict(ARGS, revert=True), client)
    assert result["changed"] is True and [c["path"] for c in client.writes()] == [BASE + "/revert"]


def test_a_blueprint_given_by_id_is_never_looked_up_in_the_blueprint_list(apstra):
    client = apstra.client(routes(apstra, base="/api/blueprints/" + BP_UUID))
    result = apstra.run(main, dict(ARGS, blueprint=BP_UUID), client)
    assert result["changed"] is True and result["deployed_version"] == 5
    assert ("GET", "/api/blueprints") not in client.paths()
