#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: apstra_blueprint_info
short_description: Facts about Apstra blueprints, their staging and deploy state, and their leafs and servers
version_added: 0.1.0
description:
  - Lists blueprints with their staging and deployed versions, uncommitted changes, build errors and lock status.
  - With O(fabric=true), adds the leafs, ESI pairs, servers and server-facing interfaces of the chosen
    blueprint, read with two graph queries (switches, server ports) whatever the size of the fabric.
extends_documentation_fragment:
  - netops.cn2_apstra.apstra
  - netops.cn2_apstra.apstra.results
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_apstra
options:
  blueprint:
    description:
      - The blueprint, by label or id. All blueprints if not set.
    type: str
  fabric:
    description:
      - Also return the leafs, ESI pairs and servers with their interfaces. Needs O(blueprint).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    details: Read only.
  diff_mode:
    support: none
    details: Read only; there is nothing to diff.
author:
  - netops.cn2_apstra developers (@netops)
"""

EXAMPLES = r"""
- name: Is dc1 ready to deploy?
  netops.cn2_apstra.apstra_blueprint_info:
    blueprint: dc1
    fabric: true
  register: info

- name: Stop if somebody holds the lock
  ansible.builtin.assert:
    that: info.blueprints[0].lock_status == 'unlocked'
"""

RETURN = r"""
blueprints:
  description: One entry per blueprint.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Blueprint id.
      type: str
    label:
      description: Blueprint label.
      type: str
    design:
      description: Reference design.
      type: str
    staging_version:
      description: Version of the staging blueprint.
      type: int
    deployed_version:
      description: Version last deployed.
      type: int
    has_uncommitted_changes:
      description: Whether the staging differs from what is deployed.
      type: bool
    build_errors_count:
      description: Number of build errors; a blueprint with errors cannot be deployed.
      type: int
    build_errors:
      description: The build errors (nodes and relationships with their messages), when there are any.
      type: dict
    build_warnings_count:
      description: Number of build warnings.
      type: int
    lock_status:
      description: C(unlocked) or C(locked).
      type: str
    lock_type:
      description: Why the blueprint is locked (C(lock_by_changes), C(lock_by_user)).
      type: str
    locked_by:
      description: The user holding the lock.
      type: str
    deploy_status:
      description: Result of the last deploy.
      type: str
  sample: [{"id": "a1b2", "label": "dc1", "staging_version": 3, "deployed_version": 2, "has_uncommitted_changes": true,
            "build_errors_count": 0, "lock_status": "unlocked"}]
fabric:
  description: Leafs, ESI pairs and servers of the blueprint, with O(fabric=true).
  returned: when O(fabric=true)
  type: dict
  sample: {"leafs": ["leaf1"], "esi_pairs": {"leaf3-leaf4": ["leaf3", "leaf4"]},
           "servers": {"worker-01": [{"interface": "ens1f0", "leaf": "leaf1", "leaf_interface": "xe-0/0/1", "esi_lag": null}]}}
plan:
  description: Always empty; the module never writes.
  returned: always
  type: list
  elements: dict
before:
  description: Always empty.
  returned: always
  type: list
  elements: dict
after:
  description: Always empty.
  returned: always
  type: list
  elements: dict
msg:
  description: What failed, with Apstra's HTTP status and error body.
  returned: on failure
  type: str
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

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module import ApstraModule
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import ValidationError


class BlueprintInfo(ApstraModule):
    NEEDS_BLUEPRINT = False
    ARGUMENT_SPEC = dict(
        blueprint=dict(type="str"),
        fabric=dict(type="bool", default=False),
    )

    def describe(self, blueprint):
        bp_id = blueprint["id"]
        status = self.service.diff_status(bp_id) or {}
        lock = self.service.lock_status(bp_id) or {}
        errors_count = blueprint.get("build_errors_count") or 0
        staging = status.get("staging_version", blueprint.get("version"))
        deployed = status.get("deployed_version")
        facts = dict(
            id=bp_id,
            label=blueprint.get("label"),
            design=blueprint.get("design"),
            staging_version=staging,
            deployed_version=deployed,
            has_uncommitted_changes=blueprint.get("has_uncommitted_changes", staging != deployed),
            build_errors_count=errors_count,
            build_warnings_count=blueprint.get("build_warnings_count") or 0,
            deploy_status=status.get("deploy_status") or blueprint.get("deployment_status"),
            lock_status=lock.get("lock_status"),
            lock_type=lock.get("lock_type"),
            locked_by=lock.get("username"),
        )
        if errors_count:
            facts["build_errors"] = self.service.build_errors(bp_id)
        return facts

    def fabric(self, bp_id):
        fabric = self.service.fabric(bp_id)
        servers = {}
        for row in self.service.server_ports(bp_id):
            servers.setdefault(row["server"]["label"], []).append(dict(
                interface=row["server_intf"]["if_name"],
                leaf=row["leaf"]["label"],
                leaf_interface=row["leaf_intf"]["if_name"],
                esi_lag=("%s:%s" % (row["rg"]["label"], row["esi_lag"]["if_name"])) if row.get("esi_lag") else None,
            ))
        for interfaces in servers.values():
            interfaces.sort(key=lambda intf: intf["interface"])
        return dict(leafs=sorted(fabric.leafs), esi_pairs=fabric.members, servers=servers)

    def run(self):
        if self.params["fabric"] and not self.params.get("blueprint"):
            raise ValidationError("fabric=true needs blueprint")
        if self.params.get("blueprint"):
            selected = [self.service.resolve_blueprint(self.params["blueprint"])]
        else:
            selected = self.service.blueprints()
        result = dict(changed=False, blueprints=[self.describe(blueprint) for blueprint in selected])
        if self.params["fabric"]:
            result["fabric"] = self.fabric(selected[0]["id"])
        return result


def main():
    BlueprintInfo().main()


if __name__ == "__main__":
    main()
