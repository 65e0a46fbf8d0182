# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a task that only computes (or writes local files) in the controller's own process.

A module task costs a process, the transfer of its arguments and a Python start-up; sriov_intent and
sriov_change_report connect to nothing, so their action plugins run the modules' own code here instead. The
modules stay: they are the documentation, and run the same code when called as modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.netops.cn2_apstra.plugins.module_utils.local_task import TaskFailed


class ControllerTask(ActionBase):
    """Subclasses set ARGUMENT_SPEC and RUN (``run(params, check_mode) -> result``, raising TaskFailed)."""

    TRANSFERS_FILES = False
    ARGUMENT_SPEC = {}
    RUN = None

    def run(self, tmp=None, task_vars=None):
        result = super(ControllerTask, self).run(tmp, task_vars)
        _validation, params = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        try:
            result.update(self.RUN(params, self._play_context.check_mode))
        except TaskFailed as exc:
            result.update(exc.result, failed=True)
        return result
