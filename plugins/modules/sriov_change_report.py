#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: sriov_change_report
short_description: Write the change report of an SR-IOV network run (Markdown and SVG)
version_added: 0.1.0
description:
  - Writes a Markdown report for the change ticket and an SVG picture of the leafs, the SR-IOV nodes and which
    virtual network and VLAN lands on which port. Past 24 nodes the picture groups the nodes on the same leafs with
    the same status into one box, so its size follows the leafs; the Markdown lists every node.
  - The report lists what changed (or, in check mode, would change) on each layer, the Apstra deploy revision,
    the NetworkAttachmentDefinitions created, the nodes that were not bound and why, and the drift found.
  - Secrets and module invocation arguments in O(results) are never written.
  - Runs on the controller; writes only the two report files (also in check mode, because the plan is the
    report a change board reads). The role marks the task as not changed.
options:
  path:
    description:
      - Directory the report files are written to; created if missing.
    type: path
    default: reports
  name:
    description:
      - Base name of the files; C(<name>-<timestamp>.md) and C(.svg) are written, and C(<name>-latest.md)
        and C(.svg) are replaced by copies.
    type: str
    default: sriov-change
  title:
    description:
      - Title of the report.
    type: str
    default: SR-IOV network change report
  run:
    description:
      - What ran, for example the playbook and the AWX job id.
    type: str
    default: ""
  check_mode:
    description:
      - Whether the run was a check-mode (plan only) run; the report then says that nothing changed.
    type: bool
    default: false
  blueprint:
    description:
      - The blueprint facts (one entry of C(blueprints) from M(netops.cn2_apstra.apstra_blueprint_info)).
    type: dict
    default: {}
  fabric:
    description:
      - The C(fabric) facts of M(netops.cn2_apstra.apstra_blueprint_info) (leafs and ESI pairs for the picture).
    type: dict
    default: {}
  intent:
    description:
      - The registered result of M(netops.cn2_apstra.sriov_intent) (networks, tenants, port map, problems).
    type: dict
    default: {}
  results:
    description:
      - Registered results by layer, keys C(routing_zones), C(virtual_networks), C(port_bindings), C(commit),
        C(attachments), C(pod_networks), C(routers), each with C(changed), C(changes) (what the task changed, in the canonical models)
        and C(plan). Skipped or missing entries count as no change.
    type: dict
    default: {}
  fabric_result:
    description:
      - The registered result of M(netops.cn2_apstra.apstra_fabric_apply); its steps and commit fill the fabric layers of
        O(results), and its C(revision) names the revision the run deployed as Apstra does.
    type: dict
    default: {}
  cluster_results:
    description:
      - Registered loop results of the cluster tasks by layer (C(attachments), C(pod_networks), C(routers)); each layer's
        runs are combined.
    type: dict
    default: {}
  failure:
    description: What failed in this run and what was and was not applied (the report of a failed run).
    type: str
  drift:
    description:
      - Drift entries (C(drift) of M(netops.cn2_apstra.sriov_intent) with O(netops.cn2_apstra.sriov_intent#module:mode=verify)).
        Leave out when the run did not check for drift.
    type: list
    elements: dict
  commit_description:
    description:
      - The description the Apstra revision was deployed with.
    type: str
  trigger:
    description:
      - The event that started the run (the rulebook's C(sriov_network_trigger), an event of the source
        C(netops.cn2_apstra.sriov_networks)); the report names it (type, change, network, pod).
    type: dict
  timestamp:
    description:
      - Timestamp for the report and file names (C(YYYYmmddTHHMMSSZ)). The current UTC time if not set.
    type: str
extends_documentation_fragment:
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_local
attributes:
  check_mode:
    support: full
    details: The report is written in check mode too; it is the plan for the change board.
  diff_mode:
    support: none
    details: No diff; the report files are the output.
author:
  - netops.cn2_apstra developers (@netops)
"""

EXAMPLES = r"""
- name: Write the change report
  netops.cn2_apstra.sriov_change_report:
    path: reports
    name: provision
    run: "provision.yml (AWX job {{ awx_job_id | default('local') }})"
    check_mode: "{{ ansible_check_mode }}"
    blueprint: "{{ blueprint_facts.blueprints[0] }}"
    fabric: "{{ blueprint_facts.fabric }}"
    intent: "{{ intent }}"
    results:
      virtual_networks: "{{ vn_result }}"
      port_bindings: "{{ binding_result }}"
      commit: "{{ commit_result }}"
      attachments: "{{ nad_result }}"
  changed_when: false
"""

RETURN = r"""
markdown:
  description: Path of the Markdown report.
  returned: success
  type: str
  sample: reports/provision-20250101T120000Z.md
svg:
  description: Path of the SVG picture.
  returned: success
  type: str
  sample: reports/provision-20250101T120000Z.svg
summary:
  description: The figures at the top of the report.
  returned: success
  type: dict
  contains:
    fabric_changed:
      description: Whether the fabric changed (or would change); false in a preview.
      type: bool
    fabric_staged_not_deployed:
      description: Whether a failed run left its fabric writes staged, not deployed.
      type: bool
    held_version:
      description: The staging version a hold left for approval, if this run held one.
      type: int
    cluster_changed:
      description: Whether the cluster changed (or would change).
      type: bool
    deployed_version:
      description: The blueprint version deployed after the run.
      type: int
    revision:
      description: The id of the Apstra revision this run deployed (as Apstra's revision list names it), if it deployed.
      type: str
    attachments_created:
      description: NADs created (or to be created).
      type: list
      elements: str
    drift:
      description: Number of drift entries.
      type: int
    problems:
      description: Number of nodes reported and not bound.
      type: int
plan:
  description: Always empty; the module sends no request.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netops.cn2_apstra.plugins.module_utils.local_task import TaskFailed
from ansible_collections.netops.cn2_apstra.plugins.module_utils.report_task import (
    ARGUMENT_SPEC,
    run,
)


def main():
    """As a module (the action plugin of the same name runs the same code on the controller, without a process)."""
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        module.exit_json(**run(module.params, module.check_mode))
    except TaskFailed as exc:
        module.fail_json(**exc.result)


if __name__ == "__main__":
    main()
