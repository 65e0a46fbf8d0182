# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.modules.apstra_blueprint_commit import main
from ansible_collections.netops.cn2_apstra.tests.unit.plugins.modules.apstra_fakes import BLUEPRINTS, BP, Seq, run_module

BASE = "/api/blueprints/%s" % BP
DIRTY = {"items": [dict(BLUEPRINTS["items"][0], has_uncommitted_changes=True, version=5)]}


def routes(blueprints=None, errors=None, lock="unlocked", task=None, deploy=None):
    return {
        ("GET", "/api/blueprints"): blueprints or DIRTY,
        ("GET", BASE + "/diff-status"): {"staging_version": 5, "deployed_version": 4},
        ("GET", BASE + "/errors"): errors or {"nodes": {}, "relationships": {}, "errors_count": 0},
        ("GET", BASE + "/lock-status"): lock if isinstance(lock, Seq) else {"lock_status": lock, "lock_type": "lock_by_user", "username": "bob"},
        ("PUT", BASE + "/deploy?async=full"): {"task_id": "t1"},
        ("GET", BASE + "/tasks/t1"): task or Seq({"status": "in_progress"}, {"status": "succeeded"}),
        ("GET", BASE + "/deploy"): deploy or {"version": 5, "state": "success"},
        ("POST", BASE + "/revert"): None,
    }


ARGS = {"blueprint": "dc1", "description": "AWX job 42", "poll_interval": 0}


def test_nothing_to_commit():
    clean = {"items": [dict(BLUEPRINTS["items"][0], has_uncommitted_changes=False)]}
    result, client = run_module(main, ARGS, routes(blueprints=clean))
    assert not result["changed"] and not client.writes()


def test_check_mode_plans_deploy():
    result, client = run_module(main, ARGS, routes(), check_mode=True)
    assert result["changed"] and not client.writes()
    assert result["plan"] == [{"method": "PUT", "path": BASE + "/deploy?async=full", "body": {"version": 5, "description": "AWX job 42"}}]


def test_deploy_polls_task_and_confirms():
    result, client = run_module(main, ARGS, routes())
    assert result["changed"] and result["deployed_version"] == 5 and result["task"]["status"] == "succeeded"
    assert [c["path"] for c in client.calls].count(BASE + "/tasks/t1") == 2


def test_refuses_on_build_errors():
    errors = {"nodes": {"n1": {"vlan": "VLAN 100 overlaps"}}, "relationships": {}, "errors_count": 1}
    result, client = run_module(main, ARGS, routes(errors=errors))
    assert result["failed"] and "1 build error" in result["msg"] and "VLAN 100 overlaps" in result["msg"] and not client.writes()


def test_lock_wait_and_timeout():
    locked = {"lock_status": "locked", "lock_type": "lock_by_user", "username": "bob"}
    result, _calls = run_module(main, ARGS, routes(lock="locked"))
    assert result["failed"] and "locked" in result["msg"] and "bob" in result["msg"]
    result, _calls = run_module(main, dict(ARGS, wait_for_lock=5), routes(lock=Seq(locked, {"lock_status": "unlocked"})))
    assert result["changed"] and not result["failed"]


def test_failed_deploy_reports_error():
    failed_task = Seq({"status": "failed", "detailed_status": {"errors": ["config push failed on leaf2"]}})
    result, _calls = run_module(main, ARGS, routes(task=failed_task, deploy={"version": 4, "state": "failure"}))
    assert result["failed"] and "config push failed on leaf2" in result["msg"] and "staging is left as it was" in result["msg"]


def test_revert():
    result, client = run_module(main, dict(ARGS, revert=True), routes())
    assert result["changed"] and [c["path"] for c in client.writes()] == [BASE + "/revert"]
