# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sriov_change_report on the controller, without a module process (see plugin_utils/controller_task.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils import report_task
from ansible_collections.netops.cn2_apstra.plugins.plugin_utils.controller_task import (
    ControllerTask,
)


class ActionModule(ControllerTask):
    ARGUMENT_SPEC = report_task.ARGUMENT_SPEC
    RUN = staticmethod(report_task.run)
