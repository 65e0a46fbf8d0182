# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.netops.cn2_apstra.plugins.plugin_utils.controller_module import (
    ControllerModule,
    ModuleExited,
    environment,
    masked,
)

RESULT = {"changed": True, "plan": [{"body": {"label": "vn-a", "vlan_id": 100}}], "msg": "done"}


def test_a_result_without_the_secret_is_returned_as_it_is():
    assert masked(RESULT, {"s3cret-pw"}) is RESULT
    assert masked(RESULT, set()) is RESULT


@pytest.mark.parametrize(
    "secret, where",
    [
        ("s3cret-pw", {"msg": "login as admin/s3cret-pw failed"}),
        ("s3cret-pw", {"error": {"detail": ["token s3cret-pw expired"]}}),
        ("4242", {"items": [{"port": 4242}]}),
        ('pa"ss', {"msg": 'the password pa"ss was refused'}),
    ],
)
def test_a_secret_anywhere_in_the_result_is_masked_as_ansible_module_masks_it(secret, where):
    result = dict(RESULT, **where)
    assert secret in repr(result)
    assert secret not in repr(masked(result, {secret}))


def test_exit_and_fail_end_the_module_with_its_result_and_are_not_exceptions():
    module = ControllerModule({"state": "merged"}, check_mode=True, diff=False)
    module.warn("careful")
    with pytest.raises(ModuleExited) as exited:
        module.fail_json(msg="bad", status=422)
    assert exited.value.result == {"msg": "bad", "status": 422, "failed": True}
    assert not isinstance(exited.value, Exception)
    with pytest.raises(ModuleExited) as exited:
        module.exit_json(changed=False)
    assert exited.value.result == {"changed": False}
    assert (
        module.warnings == ["careful"] and module.check_mode and module.params["state"] == "merged"
    )


def test_the_tasks_environment_is_set_for_the_run_only():
    os.environ.pop("APSTRA_TEST_ONLY", None)
    with environment({"APSTRA_TEST_ONLY": 1}):
        assert os.environ["APSTRA_TEST_ONLY"] == "1"
    assert "APSTRA_TEST_ONLY" not in os.environ
