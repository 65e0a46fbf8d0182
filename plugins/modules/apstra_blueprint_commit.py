#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: apstra_blueprint_commit
short_description: Deploy (commit) or discard the staged changes of an Apstra blueprint
version_added: 0.1.0
description:
  - Deploys the staging version of a blueprint with a description, waits for the deploy task and confirms
    the deploy state; returns the deployed version.
  - Refuses to deploy while the blueprint has build errors, and lists them.
  - Does nothing (C(changed=false)) when there is nothing uncommitted.
  - Optionally waits for another user's lock on the blueprint to clear first.
  - If the deploy fails, the error is returned and the staging is left as it was.
  - With O(revert=true), discards the staged changes instead.
extends_documentation_fragment:
  - netops.cn2_apstra.apstra
  - netops.cn2_apstra.apstra.blueprint
  - netops.cn2_apstra.apstra.results
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_apstra
options:
  description:
    description:
      - Text stored with the deployed revision, for example the AWX job id.
    type: str
    default: ""
  revert:
    description:
      - Discard the staged changes instead of deploying them.
    type: bool
    default: false
  wait_for_lock:
    description:
      - When the blueprint is locked, wait up to this many seconds for the lock to clear. C(0) fails at once.
    type: int
    default: 0
  timeout_deploy:
    description:
      - Seconds to wait for the deploy task to finish.
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds between two polls of the lock and of the deploy task.
    type: float
    default: 1.0
attributes:
  check_mode:
    support: full
    details: Reads the blueprint state, refuses on build errors and returns the deploy request in RV(plan); deploys nothing.
  diff_mode:
    support: full
author:
  - netops.cn2_apstra developers (@netops)
"""

EXAMPLES = r"""
- name: Deploy what the earlier tasks staged
  netops.cn2_apstra.apstra_blueprint_commit:
    blueprint: dc1
    description: "AWX job {{ awx_job_id | default('manual') }}"
    wait_for_lock: 120
  register: commit

- name: Discard the staging
  netops.cn2_apstra.apstra_blueprint_commit:
    blueprint: dc1
    revert: true
"""

RETURN = r"""
before:
  description: The blueprint's staging and deployed versions before the run.
  returned: always
  type: dict
  sample: {"staging_version": 12, "deployed_version": 11, "has_uncommitted_changes": true}
after:
  description: The versions after the run (in check mode, as they would be).
  returned: always
  type: dict
plan:
  description: The write requests a real run sends (the deploy or the revert); filled in check mode too.
  returned: always
  type: list
  elements: dict
  sample: [{"method": "PUT", "path": "/api/blueprints/bp1/deploy?async=full", "body": {"version": 12, "description": "AWX job 42"}}]
deployed_version:
  description: The deployed version of the blueprint after the run.
  returned: success
  type: int
task:
  description: The deploy task as Apstra last reported it.
  returned: when a deploy ran
  type: dict
build_errors:
  description: The build errors that stopped the deploy.
  returned: when the blueprint has build errors
  type: dict
msg:
  description: What failed, with Apstra's HTTP status and error body, or the deploy error.
  returned: on failure
  type: str
applied:
  description:
    - The requests of RV(plan) that Apstra accepted before the run failed, in order.
    - Apstra keeps them (in the staging blueprint); a later run plans only what is still missing.
  returned: when a write of the plan failed
  type: list
  elements: dict
not_applied:
  description:
    - The requests of RV(plan) that were not applied, the failing one first.
    - Empty when the failure came after the last request was accepted (a deploy task that failed, for example).
  returned: when a write of the plan failed
  type: list
  elements: dict
status:
  description: The HTTP status of the Apstra call that failed.
  returned: on failure of an Apstra call
  type: int
  sample: 422
error:
  description: The error body Apstra answered with (parsed JSON, or the text when it is not JSON).
  returned: on failure of an Apstra call
  type: raw
  sample: {"errors": {"vn_id": "VNI 10110 is already in use"}}
"""

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.commit import (
    CommitError,
    Committer,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module import ApstraModule


class BlueprintCommit(ApstraModule):
    ARGUMENT_SPEC = dict(
        description=dict(type="str", default=""),
        revert=dict(type="bool", default=False),
        wait_for_lock=dict(type="int", default=0),
        timeout_deploy=dict(type="int", default=300),
        poll_interval=dict(type="float", default=1.0),
    )

    def run(self):
        committer = Committer(
            self.service,
            self.bp_id,
            label=self.params["blueprint"],
            username=self.params.get("username"),
            check_mode=self.check_mode,
            wait_for_lock=self.params["wait_for_lock"],
            timeout_deploy=self.params["timeout_deploy"],
            poll_interval=self.params["poll_interval"],
        )
        before = committer.versions()
        if self.params["revert"] and before["has_uncommitted_changes"]:
            return committer.revert(before)
        try:
            return committer.commit(self.params["description"], before)
        except CommitError as exc:
            self.module.fail_json(msg=str(exc), changed=False, plan=[], **exc.details)
        return None


def main():
    BlueprintCommit().main()


if __name__ == "__main__":
    main()
