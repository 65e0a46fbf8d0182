# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sriov_node_info in the controller's process, without a module process (see plugin_utils/controller_module.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.modules.sriov_node_info import NodeInfo
from ansible_collections.netops.cn2_apstra.plugins.plugin_utils.controller_module import (
    ModuleOnController,
)


class ActionModule(ModuleOnController):
    MODULE_CLASS = NodeInfo
