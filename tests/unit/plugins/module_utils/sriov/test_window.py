# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The change window judged with the plan, before any write: the options, a preview over a staging that holds anything,
a run while a change is held, an approve of the held version, of a moved staging, of a deployed version.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    IntentError,
    StagingRefused,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.window import (
    judge_plan,
    judge_staging,
    judged,
    window_of,
)

HELD = {
    "holder": "netops.cn2_apstra",
    "id": "tag-h",
    "staging_version": 9,
    "deployed_version": 5,
    "by": "admin",
    "since": "2026-12-01T10:00:00Z",
    "owner": "intent",
    "changes": ["port_binding sriov-a", "virtual_network sriov-a"],
    "devices": ["leaf2"],
}
OURS = [
    {"kind": "virtual_network", "name": "sriov-a", "object": "sriov-a", "action": "create"},
    {"kind": "port_binding", "name": "sriov-a", "object": "sriov-a (tagged)", "action": "create"},
]


def staging(version=9, deployed=5, changes=None, held="the held record", by="admin"):
    return {
        "label": "dc1",
        "uncommitted": version != deployed,
        "staging_version": version,
        "deployed_version": deployed,
        "username": "admin",
        "changes": list(OURS if changes is None else changes),
        "lock": {"lock_status": "locked", "lock_type": "lock_by_changes", "username": by},
        "held": dict(HELD) if held == "the held record" else held,
    }


def test_the_options_give_one_window_and_bad_ones_are_named():
    assert window_of({}) == {"mode": "deploy", "approve": None}
    assert window_of({"approve": "12"}) == {"mode": "approve", "approve": 12}
    assert window_of({"preview": True, "approve": ""}) == {"mode": "preview", "approve": None}
    with pytest.raises(IntentError) as exc:
        window_of({"preview": True, "hold": True, "approve": "x"})
    assert exc.value.errors == [
        "approve: 'x' is not a staging version; give the version the hold report names (a positive integer)",
        "preview, hold, approve: a run previews, holds or approves, one of them; got preview, hold and approve",
    ]
    with pytest.raises(IntentError, match="approve: '0' is not a staging version"):
        window_of({"approve": "0"})
    with pytest.raises(IntentError, match="hold: not with verify, which only reads"):
        window_of({"hold": True, "run": "verify"})
    with pytest.raises(
        IntentError, match="preview: stages the plan in Apstra, which check mode never does"
    ):
        window_of({"preview": True}, check_mode=True)
    assert window_of({"approve": "3"}, check_mode=True)["mode"] == "approve"


def test_a_preview_is_refused_while_anything_is_staged():
    window = window_of({"preview": True})
    assert judge_staging(window, staging(5, 5, [], None), "provision") == window
    with pytest.raises(StagingRefused) as exc:
        judge_staging(window, staging(by="operator", held=None), "teardown")
    assert str(exc.value) == (
        "preview refused before any write: the staging of blueprint dc1 holds uncommitted changes (create "
        "virtual_network sriov-a, create port_binding sriov-a (tagged), staged by operator) and a preview ends with a "
        "revert, which would discard them too; deploy or revert them first"
    )


def test_a_run_that_writes_waits_while_a_change_is_held_and_verify_reads_on():
    deploy = window_of({})
    with pytest.raises(StagingRefused) as exc:
        judge_staging(deploy, staging(), "provision")
    assert "holds a change held for approval (staging version 9, held by admin" in str(exc.value)
    assert "Deploy it with -e approve=9 once approved, or revert it in Apstra" in str(exc.value)
    assert judge_staging(deploy, staging(), "verify") == deploy
    # a record of a version the staging left (reverted, or deployed) holds nothing
    assert judge_staging(deploy, staging(10, 5, OURS), "provision") == deploy
    # a hold on top of its own held change goes on
    assert judge_staging(window_of({"hold": True}), staging(), "provision")["mode"] == "hold"


def test_an_approve_of_the_held_version_accepts_the_staging_whoever_staged_it():
    params, window = judged(
        {"approve": "9", "staging": staging(by="approver")}, window_of({"approve": "9"})
    )
    assert window["held"] == HELD and window["already_deployed"] is False
    assert params["include_foreign_staging"] is True
    # listed in the plan and the report as the held change, whoever deploys it
    assert [c["by"] for c in params["staging"]["changes"]] == ["admin, held at version 9"] * 2


def test_an_approve_is_refused_when_the_staging_moved_naming_what_was_staged_since_and_by_whom():
    moved = staging(
        11, 5, OURS + [{"kind": "routing_zone", "name": "blue", "action": "create"}], by="operator"
    )
    with pytest.raises(StagingRefused) as exc:
        judge_staging(window_of({"approve": "9"}), moved, "provision")
    assert str(exc.value) == (
        "approve=9 refused before any write: the staging of blueprint dc1 moved from version 9 (held) to 11 since the "
        "hold report was written, last changed by operator: staged since: create routing_zone blue; nothing was "
        "deployed. Hold again to review the staging as it is now, or revert it in Apstra"
    )
    touched = staging(10, 5, OURS, by="operator")
    with pytest.raises(StagingRefused, match="changes to the held objects themselves"):
        judge_staging(window_of({"approve": "9"}), touched, "provision")


def test_an_approve_of_another_version_or_with_nothing_held_is_refused():
    with pytest.raises(StagingRefused) as exc:
        judge_staging(window_of({"approve": "8"}), staging(), "provision")
    assert (
        "holds no change held at version 8 (staging version 9; the held change is version 9"
        in str(exc.value)
    )
    with pytest.raises(StagingRefused) as exc:
        judge_staging(window_of({"approve": "9"}), staging(held=None), "provision")
    assert "holds no change held at version 9 (staging version 9, staged by admin" in str(exc.value)


def test_an_approve_of_the_deployed_version_with_nothing_staged_is_a_no_op_and_of_another_refused():
    window = judge_staging(window_of({"approve": "9"}), staging(9, 9, [], None), "provision")
    assert window["already_deployed"] is True
    with pytest.raises(StagingRefused) as exc:
        judge_staging(window_of({"approve": "7"}), staging(9, 9, [], None), "provision")
    assert str(exc.value) == (
        "approve=7 refused: nothing is staged in blueprint dc1 (listed at version 9), so no change is held; version 7 "
        "was discarded (reverted), never held, or deployed before a later revert; nothing was changed"
    )


def test_an_approve_that_would_write_to_the_fabric_is_refused_naming_the_changes():
    window = dict(window_of({"approve": "9"}), held=HELD, already_deployed=False)
    plan = {
        "fabric_writes": True,
        "fabric_plan": {
            "steps": [
                {
                    "resource": "virtual_networks",
                    "changes": [{"action": "create", "key": "sriov-b"}],
                },
                {
                    "resource": "port_bindings",
                    "changes": [{"action": "create", "key": ["sriov-b", True]}],
                },
            ]
        },
    }
    with pytest.raises(StagingRefused) as exc:
        judge_plan(window, plan)
    assert (
        "approve=9 refused before any write: it deploys the held change unchanged, but the intent now plans further "
        "fabric changes (create virtual_networks sriov-b, create port_bindings sriov-b)"
        in str(exc.value)
    )
    assert judge_plan(window, {"fabric_writes": False}) == window
    assert judge_plan(window_of({"hold": True}), plan)["mode"] == "hold"
