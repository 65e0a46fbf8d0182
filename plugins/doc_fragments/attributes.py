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

    # Resource modules that write to the Kubernetes API.
    K8S_WRITES = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: Writes are sent with C(dryRun=All); the API server validates them and stores nothing.
  diff_mode:
    support: full
"""

    # Modules that connect to nothing.
    PLATFORM_LOCAL = r"""
options:
  registered:
    description:
      - Options taken from registered results by variable name instead of by value; each key is an option, each value
        the name of a variable or a dotted path into one, for example C(my_plan.desired). A key C(option.key) sets one
        key of a dict option. A path through a list takes an index (C(my_facts.blueprints.0)).
      - The action plugin reads the variable as the task that registered it left it. Passed by value, Ansible 2.19
        templates every value in it, about 5 microseconds each; for the registered results of a run on 50 networks and
        200 servers that is 0.2 to 0.5 s per task. A variable that holds templates (not a registered result) is
        templated as an argument would be.
      - A path that ends at an undefined variable or key leaves the option unset (its default applies).
      - An option given both by value and here, an unknown option, a value of the wrong type (a dict for a list option)
        or a name that is not a variable path fails the task, naming the entry.
      - Only the action plugin reads variables; run as a module, the task fails if this is set.
    type: dict
    default: {}
attributes:
  action:
    description: Runs in the controller's own process through the action plugin of the same name, with no module process.
    support: full
  platform:
    platforms: all
    details:
      - Connects to no system; it only computes (or writes files) on the host that runs it.
"""
