# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tasks that only compute or write local files (sriov_intent, sriov_change_report) run as a module or, through the
action plugin of the same name, in the controller's own process. One failure shape for both ways. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class TaskFailed(Exception):
    """The task fails with ``msg`` and the result keys in ``result``."""

    def __init__(self, msg, **result):
        self.result = dict(result, msg=msg)
        super(TaskFailed, self).__init__(msg)


# Options given by the name of a registered result (read by the action plugin: plugin_utils/controller_task.py).
REGISTERED_OPTION = dict(type="dict", default={})


def refuse_registered(params):
    """As a module, the task has no variables to read ``registered`` from."""
    if params.get("registered"):
        raise TaskFailed(
            "registered: only the action plugin of the same name, which Ansible runs for this task, reads "
            "variables; as a module, give the options by value"
        )
