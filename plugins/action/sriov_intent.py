# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sriov_intent on the controller, without a module process (see plugin_utils/controller_task.py); it reads the
intent file (``intent_file``) here, where the playbooks are."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netops.cn2_apstra.plugins.module_utils.local_task import TaskFailed
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import intent_task
from ansible_collections.netops.cn2_apstra.plugins.plugin_utils.controller_task import (
    ControllerTask,
)
from ansible_collections.netops.cn2_apstra.plugins.plugin_utils.intent_file import read_intent


class ActionModule(ControllerTask):
    ARGUMENT_SPEC = intent_task.ARGUMENT_SPEC
    RUN = staticmethod(intent_task.run)

    def prepare(self, params, task_vars):
        """The networks, tenants, allocation and owner of ``intent_file``, read here: they are the task's own options."""
        if not params.get("intent_file"):
            return
        for option in ("networks", "tenants"):
            if params.get(option) is not None:
                raise TaskFailed(
                    "intent_file and %s are both given; give the %s one way" % (option, option),
                    changed=False,
                )
        found = read_intent(params["intent_file"], task_vars.get("playbook_dir"), os.getcwd())
        if params.get("owner") and found["owner"] and params["owner"] != found["owner"]:
            raise TaskFailed(
                "owner: %s is given, but %s says sriov_owner: %s; give the owner one way"
                % (params["owner"], found["path"], found["owner"]),
                changed=False,
            )
        given = dict((k, v) for k, v in (params.get("allocation") or {}).items() if v is not None)
        if given and found["allocation"] and given != found["allocation"]:
            raise TaskFailed(
                "allocation: %s is given, but %s says sriov_allocation: %s; give the allocation one way"
                % (given, found["path"], found["allocation"]),
                changed=False,
            )
        params.update(
            networks=found["networks"],
            tenants=found["tenants"],
            allocation=found["allocation"] or params.get("allocation") or {},
            owner=params.get("owner") or found["owner"],
            intent_file=found["path"],
        )
