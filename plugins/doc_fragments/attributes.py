# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attributes of the collection's modules: descriptions once here; each module states its support and details."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:

    # Every module: the module itself adds support (and details) for check_mode and diff_mode.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and report what would change without changing anything.
  diff_mode:
    description: Returns what changed (or would change, in check mode) as before/after pairs when run with C(--diff).
  platform:
    description: The system the module works against.
    support: full
"""

    # Modules that talk to the Apstra REST API.
    PLATFORM_APSTRA = r"""
options: {}
attributes:
  platform:
    platforms: apstra
    details:
      - Juniper Apstra, through its REST API, from the controller.
  action:
    description:
      - Runs in the controller's own process through the action plugin of the same name, with no module process;
        the connection options, their environment fallbacks and the task's C(environment) are read on the
        controller, whatever host the play targets.
    support: full
  action_group:
    description: Use C(group/netops.cn2_apstra.apstra) in C(module_defaults) to set the connection options once for every Apstra module.
    support: full
    membership:
      - netops.cn2_apstra.apstra
"""

    # Modules that talk to the Kubernetes API.
    PLATFORM_KUBERNETES = r"""
options: {}
attributes:
  platform:
    platforms: kubernetes
    details:
      - A Kubernetes cluster, through its API server, from the controller.
  action:
    description:
      - Runs in the controller's own process through the action plugin of the same name, with no module process;
        the connection options, their K8S_AUTH_* fallbacks and the task's C(environment) are read on the
        controller, whatever host the play targets.
    support: full
  action_group:
    description: Use C(group/netops.cn2_apstra.k8s) in C(module_defaults) to set the connection options once for every cluster module.
    support: full
    membership:
      - netops.cn2_apstra.k8s
"""

    # Modules that connect to nothing.
    PLATFORM_LOCAL = r"""
options: {}
attributes:
  platform:
    platforms: all
    details:
      - Connects to no system; it only computes (or writes files) on the host that runs it.
"""
