# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run an Apstra or cluster module class in the controller's own process, through its action plugin.

A module task costs a process, a Python start-up with the clients' imports, the transfer of its arguments (the
blueprint facts a fabric task takes are megabytes at 200 servers) and a scan of its whole result for secrets. These
modules only talk to HTTP APIs from the controller anyway, so each has an action plugin of its own name that runs the
same class here (as sriov_intent does, see controller_task.py): same argument spec with the same environment
fallbacks, the task's ``environment:``, check and diff mode, the same result and failure shape, and secrets masked
the same way. The modules stay: they are the documentation, and run the same code when executed as modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
from contextlib import contextmanager

from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.netops.cn2_apstra.plugins.plugin_utils.controller_task import (
    RegisteredOptions,
)


class ModuleExited(BaseException):
    """exit_json/fail_json of the stand-in; a BaseException, like AnsibleModule's SystemExit, so that no module
    ``except Exception`` catches it."""

    def __init__(self, result):
        super(ModuleExited, self).__init__("module exited")
        self.result = result


class ControllerModule:
    """The part of AnsibleModule that ApstraModule and K8sModule use."""

    def __init__(self, params, check_mode, diff, no_log_values=()):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []
        # As AnsibleModule.no_log_values: the argument spec's no_log values, and those the module adds.
        self.no_log_values = set(no_log_values)

    def warn(self, warning):
        self.warnings.append(warning)

    def exit_json(self, **result):
        raise ModuleExited(result)

    def fail_json(self, msg, **result):
        raise ModuleExited(dict(result, msg=msg, failed=True))


def masked(result, no_log_values):
    """``result`` with every no_log value masked as AnsibleModule masks it. remove_values walks every item, which
    costs about half a second on a fabric task's result at 200 servers; a secret that is not a substring of the JSON
    form (keys, strings and numbers alike) cannot be in it, so the walk runs only when one is."""
    secrets = [value for value in no_log_values if value]
    if not secrets:
        return result
    text = json.dumps(result, default=str)
    if any(json.dumps(value)[1:-1] in text or value in text for value in secrets):
        return remove_values(result, no_log_values)
    return result


@contextmanager
def environment(variables):
    """os.environ with the task's ``environment:`` for the duration of the run (the worker process is the task's)."""
    saved = dict(os.environ)
    os.environ.update(dict((key, str(value)) for key, value in variables.items()))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class ModuleOnController(RegisteredOptions, ActionBase):
    """Action plugin of a module whose class (an ApstraModule or K8sModule) is MODULE_CLASS."""

    TRANSFERS_FILES = False
    MODULE_CLASS = None

    def task_environment(self):
        variables = {}
        for layer in self._task.environment or []:
            templated = self._templar.template(layer)
            if isinstance(templated, dict):
                variables.update(templated)
        return variables

    def run(self, tmp=None, task_vars=None):
        result = super(ModuleOnController, self).run(tmp, task_vars)
        spec = self.MODULE_CLASS.argument_spec()
        by_value = dict(self._task.args)
        registered = by_value.pop("registered", None) if "registered" in spec else None
        self._task.args = by_value
        with environment(self.task_environment()):
            validation, params = self.validate_argument_spec(argument_spec=spec)
            if "registered" in spec:
                params.pop("registered", None)
                self.take_registered(params, by_value, registered, spec, task_vars or {})
            module = ControllerModule(
                params,
                self._play_context.check_mode,
                self._task.diff,
                validation._no_log_values,  # pylint: disable=protected-access
            )
            try:
                self.MODULE_CLASS(module).main()
                outcome = dict(failed=True, msg="the module returned no result")
            except ModuleExited as exited:
                outcome = exited.result
        outcome = masked(outcome, module.no_log_values)
        if module.warnings:
            outcome["warnings"] = list(outcome.get("warnings") or []) + module.warnings
        result.update(outcome)
        return result
