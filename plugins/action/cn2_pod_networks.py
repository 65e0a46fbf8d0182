# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cn2_pod_networks in the controller's process, without a module process (see plugin_utils/controller_module.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.modules.cn2_pod_networks import (
    PodNetworksModule,
)
from ansible_collections.netops.cn2_apstra.plugins.plugin_utils.controller_module import (
    ModuleOnController,
)


class ActionModule(ModuleOnController):
    MODULE_CLASS = PodNetworksModule
