# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Committer: lean and precheck deploys, build errors, lock waits on a fake clock, lost answers, moved staging, readable reasons."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.commit import (
    CommitError,
    Committer,
    readable,
    task_reason,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import ApplyFailed

BASE = "/api/blueprints/bp-1"
DEPLOY = BASE + "/deploy?async=full"
REQUEST = {"method": "PUT", "path": DEPLOY, "body": {"version": 5, "description": "CHG-1"}}
NO_ERRORS = {"nodes": {}, "relationships": {}, "errors_count": 0}
UNLOCKED = {"lock_status": "unlocked"}
LOCKED_BY_BOB = {"lock_status": "locked", "lock_type": "lock_by_user", "username": "bob"}


def routes(apstra, status=None, errors=None, lock=None, deploy_answer=None, task=None, deploy=None):
    return {
        ("GET", BASE + "/diff-status"): status
        or {"staging_version": 5, "deployed_version": 4, "deploy_status": "success"},
        ("GET", BASE + "/errors"): errors or NO_ERRORS,
        ("GET", BASE + "/lock-status"): lock or UNLOCKED,
        ("PUT", DEPLOY): deploy_answer if deploy_answer is not None else {"task_id": "t1"},
        ("GET", BASE + "/tasks/t1"): task
        or apstra.Seq({"status": "in_progress"}, {"status": "succeeded"}),
        ("GET", BASE + "/deploy"): deploy or {"state": "success", "version": 5},
        ("POST", BASE + "/revert"): None,
    }


def committer(apstra, clock, client, **kwargs):
    kwargs.setdefault("poll_interval", 2)
    return Committer(
        apstra.service(client),
        "bp-1",
        label="dc1",
        username="admin",
        sleep=clock.sleep,
        clock=clock,
        **kwargs,
    )


def test_versions(apstra, clock):
    client = apstra.client(routes(apstra))
    expected = {
        "staging_version": 5,
        "deployed_version": 4,
        "has_uncommitted_changes": True,
        "deploy_status": "success",
    }
    assert committer(apstra, clock, client).versions() == expected


def test_nothing_staged_is_no_deploy(apstra, clock):
    client = apstra.client(routes(apstra, status={"staging_version": 4, "deployed_version": 4}))
    result = committer(apstra, clock, client).commit("CHG-1")
    assert (
        result["changed"] is False
        and result["plan"] == []
        and result["deployed_version"] == 4
        and client.writes() == []
    )


def test_check_mode_plans_the_deploy_without_sending_it(apstra, clock):
    client = apstra.client(routes(apstra))
    result = committer(apstra, clock, client, check_mode=True).commit("CHG-1")
    assert result["changed"] is True and result["plan"] == [REQUEST] and client.writes() == []
    assert (
        result["diff"][0]["after"]["deployed_version"] == 5
        and result["diff"][0]["before_header"] == "blueprint dc1"
    )


def test_precheck_reads_errors_and_lock_deploys_polls_and_confirms(apstra, clock):
    client = apstra.client(routes(apstra))
    result = committer(apstra, clock, client).commit("CHG-1")
    assert (
        result["changed"] is True
        and result["deployed_version"] == 5
        and result["task"] == {"status": "succeeded"}
    )
    assert client.paths() == [
        ("GET", BASE + "/diff-status"),
        ("GET", BASE + "/errors"),
        ("GET", BASE + "/lock-status"),
        ("PUT", DEPLOY),
        ("GET", BASE + "/tasks/t1"),
        ("GET", BASE + "/tasks/t1"),
        ("GET", BASE + "/deploy"),
    ]
    assert client.writes()[0]["body"] == REQUEST["body"] and clock.sleeps == [2]


def test_lean_sends_the_deploy_at_once_and_takes_the_task_as_confirmation(apstra, clock):
    client = apstra.client(routes(apstra, task={"status": "succeeded"}))
    before = {"staging_version": 5, "deployed_version": 4, "has_uncommitted_changes": True}
    result = committer(apstra, clock, client, precheck=False).commit("CHG-1", before)
    assert client.paths() == [("PUT", DEPLOY), ("GET", BASE + "/tasks/t1")]
    assert result["deployed_version"] == 5 and result["after"]["has_uncommitted_changes"] is False


def test_precheck_refuses_on_build_errors_with_a_readable_summary(apstra, clock):
    errors = {
        "errors_count": 2,
        "nodes": {"n1": {"vlan": "VLAN 100 overlaps"}},
        "relationships": {"r1": ["missing link"]},
    }
    client = apstra.client(routes(apstra, errors=errors))
    with pytest.raises(CommitError) as info:
        committer(apstra, clock, client).commit("CHG-1")
    assert (
        str(info.value)
        == "blueprint dc1 has 2 build error(s); not deploying: node n1: vlan: VLAN 100 overlaps; relationship r1: missing link"
    )
    assert info.value.details == {"build_errors": errors} and client.writes() == []


def test_lean_explains_a_deploy_refused_for_build_errors(apstra, clock):
    errors = {"errors_count": 1, "nodes": {"n1": {"vlan": "VLAN 100 overlaps"}}}
    refused = apstra.error(422, {"errors": "Blueprint has build errors"}, "PUT", DEPLOY)
    client = apstra.client(routes(apstra, errors=errors, deploy_answer=refused))
    with pytest.raises(
        CommitError,
        match="has 1 build error\\(s\\); not deploying: node n1: vlan: VLAN 100 overlaps",
    ):
        committer(apstra, clock, client, precheck=False).commit("CHG-1")
    assert client.paths()[-1] == ("GET", BASE + "/errors")


def test_precheck_waits_for_another_users_lock_on_the_fake_clock(apstra, clock):
    client = apstra.client(routes(apstra, lock=apstra.Seq(LOCKED_BY_BOB, LOCKED_BY_BOB, UNLOCKED)))
    result = committer(apstra, clock, client, wait_for_lock=10).commit("CHG-1")
    assert result["changed"] is True and clock.sleeps[:2] == [2, 2]
    assert client.paths().count(("GET", BASE + "/lock-status")) == 3


def test_precheck_gives_up_on_a_lock_naming_its_holder(apstra, clock):
    client = apstra.client(routes(apstra, lock=LOCKED_BY_BOB))
    with pytest.raises(CommitError) as info:
        committer(apstra, clock, client, wait_for_lock=5).commit("CHG-1")
    assert str(info.value) == "blueprint dc1 is locked (lock_by_user by bob); waited 5s"
    assert (
        info.value.details == {"lock": LOCKED_BY_BOB}
        and clock.sleeps == [2, 2, 2]
        and client.writes() == []
    )


@pytest.mark.parametrize(
    "lock",
    [
        {"lock_status": "locked", "lock_type": "lock_by_changes", "username": "admin"},
        {
            "lock_status": "locked",
            "lock_type": "lock_by_user",
            "username": "bob",
            "possible_override": True,
        },
    ],
)
def test_our_own_staged_changes_do_not_block_the_deploy(apstra, clock, lock):
    client = apstra.client(routes(apstra, lock=lock))
    assert committer(apstra, clock, client).commit("CHG-1")["changed"] is True and clock.sleeps == [
        2
    ]


def test_lean_waits_for_a_lock_the_deploy_met_then_deploys_again(apstra, clock):
    locked = apstra.error(423, {"errors": "Blueprint is locked by bob"}, "PUT", DEPLOY)
    client = apstra.client(
        routes(
            apstra,
            deploy_answer=apstra.Seq(locked, {"task_id": "t1"}),
            lock=apstra.Seq(LOCKED_BY_BOB, UNLOCKED),
            task={"status": "succeeded"},
        )
    )
    result = committer(apstra, clock, client, precheck=False, wait_for_lock=10).commit(
        "CHG-1", {"staging_version": 5, "deployed_version": 4, "has_uncommitted_changes": True}
    )
    assert (
        result["changed"] is True
        and [c for c in client.paths() if c[0] == "PUT"] == [("PUT", DEPLOY)] * 2
    )


def test_a_lost_deploy_answer_is_confirmed_from_the_versions(apstra, clock):
    client = apstra.client(routes(apstra, deploy_answer=apstra.lost("PUT", DEPLOY)))
    client.routes[("GET", BASE + "/diff-status")] = apstra.Seq(
        {"staging_version": 5, "deployed_version": 4}, {"staging_version": 5, "deployed_version": 5}
    )
    result = committer(apstra, clock, client).commit("CHG-1")
    assert result["changed"] is True and result["deployed_version"] == 5 and result["task"] == {}
    assert client.paths().count(("PUT", DEPLOY)) == 1


def test_a_staging_moved_by_someone_else_is_not_deployed(apstra, clock):
    conflict = apstra.error(409, {"errors": "version mismatch"}, "PUT", DEPLOY)
    client = apstra.client(routes(apstra, deploy_answer=conflict))
    client.routes[("GET", BASE + "/diff-status")] = apstra.Seq(
        {"staging_version": 5, "deployed_version": 4}, {"staging_version": 6, "deployed_version": 4}
    )
    with pytest.raises(CommitError) as info:
        committer(apstra, clock, client).commit("CHG-1")
    assert str(info.value) == (
        "the staging of blueprint dc1 moved from version 5 to 6 while this run deployed it (someone else changed it); "
        "nothing was deployed, the staging is left as it is"
    )


def test_another_deploy_error_is_an_apply_failure_with_the_deploy_not_applied(apstra, clock):
    error = apstra.error(500, {"errors": "internal"}, "PUT", DEPLOY)
    client = apstra.client(routes(apstra, deploy_answer=error))
    with pytest.raises(ApplyFailed) as info:
        committer(apstra, clock, client).commit("CHG-1")
    assert (
        info.value.error is error
        and info.value.applied == []
        and info.value.not_applied == [REQUEST]
    )


def test_a_deploy_task_that_never_finishes_times_out_on_the_fake_clock(apstra, clock):
    client = apstra.client(routes(apstra, task={"status": "in_progress"}))
    with pytest.raises(
        CommitError, match="deploy task t1 did not finish within 6s; last status in_progress"
    ):
        committer(apstra, clock, client, timeout_deploy=6).commit("CHG-1")
    assert clock.sleeps == [2, 2, 2]


@pytest.mark.parametrize(
    "task, deploy, reason",
    [
        (
            {"status": "failed", "detailed_status": {"errors": ["config push failed on leaf2"]}},
            {"state": "failure", "version": 4},
            "config push failed on leaf2",
        ),
        (
            {
                "status": "failed",
                "detailed_status": {
                    "error": {"leaf2": {"config": "commit check failed", "line": 7}}
                },
            },
            {"state": "failure", "version": 4},
            "leaf2: config: commit check failed; line: 7",
        ),
        (
            {"status": "succeeded"},
            {"state": "failure", "version": 4, "error": {"leaf1": ["device unreachable"]}},
            "leaf1: device unreachable",
        ),
        (
            {"status": "succeeded"},
            {"state": "success", "version": 4},
            "task succeeded, deploy state success (version 4)",
        ),
    ],
)
def test_a_failed_deploy_gives_a_readable_reason_not_a_python_dict(
    apstra, clock, task, deploy, reason
):
    client = apstra.client(routes(apstra, task=task, deploy=deploy))
    with pytest.raises(CommitError) as info:
        committer(apstra, clock, client).commit("CHG-1")
    assert (
        str(info.value) == "deploy of version 5 failed: %s; the staging is left as it was" % reason
    )
    assert "{" not in str(info.value) and "'" not in str(info.value)


def test_readable_and_task_reason():
    assert readable({"b": ["x", {"y": None}], "a": "z"}) == "a: z; b: x; y"
    assert readable(None) == "" and readable(7) == "7"
    assert task_reason({"detailed_status": "plain text"}) == "plain text"
    assert (
        task_reason(
            {"detailed_status": {"error": None, "errors": None, "detail": "push timed out"}}
        )
        == "detail: push timed out"
    )


def test_revert(apstra, clock):
    before = {"staging_version": 5, "deployed_version": 4, "has_uncommitted_changes": True}
    client = apstra.client(routes(apstra))
    result = committer(apstra, clock, client).revert(before)
    assert result["after"]["staging_version"] == 4 and [w["path"] for w in client.writes()] == [
        BASE + "/revert"
    ]
    client = apstra.client(routes(apstra))
    assert (
        committer(apstra, clock, client, check_mode=True).revert(before)["plan"][0]["path"]
        == BASE + "/revert"
        and client.writes() == []
    )


def test_lean_deploy_refused_as_locked_again_and_again_gives_up_within_the_lock_wait(apstra, clock):
    """Apstra refuses the deploy as locked while lock-status says the lock is ours to override: the deploy is retried at
    most until wait_for_lock has passed (then a CommitError naming the lock), never in a loop without sleep or end.
    """
    sent = []

    def deploy(call):
        sent.append(call)
        if len(sent) > 50:
            raise AssertionError(
                "the deploy was sent %d times without a pause (%d sleeps)"
                % (len(sent), len(clock.sleeps))
            )
        return apstra.error(409, {"errors": "Blueprint is locked"}, "PUT", DEPLOY)

    ours = {
        "lock_status": "locked",
        "lock_type": "lock_by_changes",
        "username": "admin",
        "possible_override": True,
    }
    client = apstra.client(routes(apstra, deploy_answer=deploy, lock=ours))
    with pytest.raises(CommitError, match="locked"):
        committer(apstra, clock, client, precheck=False, wait_for_lock=10).commit(
            "CHG-1", {"staging_version": 5, "deployed_version": 4, "has_uncommitted_changes": True}
        )
    assert clock.now - 1000.0 <= 10 + 2
