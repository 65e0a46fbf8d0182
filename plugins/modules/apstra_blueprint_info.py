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
    blueprint, read with one graph query whatever the size of the fabric.
  - With O(gather), reads what the role plans from in one task, each fact once, so later tasks need not read
    it again (M(netops.cn2_apstra.apstra_fabric_apply) takes the result as O(netops.cn2_apstra.apstra_fabric_apply#module:facts)).
  - V(resources) adds the routing zones, virtual networks and port bindings (staging); V(staging) what is staged
    but not deployed (compared graph to graph, only when the blueprint has uncommitted changes) and who staged it;
    the diff-status and the lock are read only when the blueprint list says something is uncommitted (otherwise
    the listed version is the staging and the deployed one);
    V(deployed) the virtual networks and port bindings Apstra has deployed, read from the deployed graph.
extends_documentation_fragment:
  - netops.cn2_apstra.apstra
  - netops.cn2_apstra.apstra.results
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_apstra
options:
  blueprint:
    description:
      - The blueprint, by label or id; when not set, the environment variable E(APSTRA_BLUEPRINT).
      - Without either, every blueprint is described; with O(gather) (or O(fabric)), the only blueprint on the server,
        and a server with several is an error that lists them.
    type: str
  fabric:
    description:
      - Also return the leafs, ESI pairs and servers with their interfaces (of the blueprint O(blueprint)).
    type: bool
    default: false
  gather:
    description:
      - What else to read about the blueprint O(blueprint) (V(fabric) is the same as O(fabric=true)).
    type: list
    elements: str
    choices: [fabric, resources, staging, deployed]
    default: []
  recorded_ports:
    description:
      - With O(gather=[resources]), take a connectivity template's ports from the record this collection wrote into
        the template when it assigned them, instead of reading every assignment, where the record holds.
      - A record is used only when the blueprint has no uncommitted changes (what this collection staged was deployed
        as it staged it), when it decodes against the current fabric, and when it names as many application points as
        Apstra counts on the template (C(app_points_count) of the endpoint policies); the other templates' assignments
        are read, those alone. The run then reads data proportional to the templates, not to templates times ports.
      - An assignment changed by hand in the Apstra UI and deployed, with as many ports as before, is not seen; a
        verify or reconcile run (which leave this off) reads every assignment.
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
resources:
  description:
    - With O(gather=[resources]), what the staging holds, in the canonical forms of the resource modules
      (C(routing_zones), C(virtual_networks), C(port_bindings)), the connectivity C(templates) and the C(staging_version)
      they were read at.
  returned: when O(gather) has V(resources)
  type: dict
staging:
  description:
    - With O(gather=[staging]), C(uncommitted), the versions, the C(lock) and the C(username) of this connection, and
      C(changes), what is staged but not deployed (C(kind), C(name), C(action), and C(owner), the owner whose mark
      the object carries, null without one).
    - When something is staged, also C(held), the record of a change held for approval by
      M(netops.cn2_apstra.apstra_fabric_apply) (C(staging_version), C(changes), C(devices), C(by), C(owner), C(since),
      C(id)), null without one; one read of the global-catalog tags, only then.
  returned: when O(gather) has V(staging)
  type: dict
deployed:
  description: With O(gather=[deployed]), the C(virtual_networks) and C(port_bindings) of the deployed graph.
  returned: when O(gather) has V(deployed)
  type: dict
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

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module import (
    ApstraModule,
    blueprint_option,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    FabricContext,
    PortBindings,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.state import (
    read_state,
    staged_changes,
    verification_view,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.window import read_held


def server_view(links):
    """hostname -> NIC ports with their leaf port and ESI LAG (the `fabric.servers` fact)."""
    servers = {}
    for link in links:
        servers.setdefault(link["server"], []).append(
            dict(
                interface=link["server_interface"],
                leaf=link["leaf"],
                leaf_interface=link["leaf_interface"],
                esi_lag=link["port"] if link["esi"] else None,
            )
        )
    for interfaces in servers.values():
        interfaces.sort(key=lambda intf: intf["interface"])
    return servers


class BlueprintInfo(ApstraModule):
    NEEDS_BLUEPRINT = False
    ARGUMENT_SPEC = dict(
        blueprint=blueprint_option(),
        fabric=dict(type="bool", default=False),
        gather=dict(
            type="list",
            elements="str",
            default=[],
            choices=["fabric", "resources", "staging", "deployed"],
        ),
        recorded_ports=dict(type="bool", default=False),
    )

    def describe(self, blueprint, lean=False):
        """The blueprint's versions and lock.

        ``lean`` (a run's staging facts): when the blueprint list says nothing is uncommitted, its version is the
        staging and the deployed one alike (as terraform-provider-apstra reads the list) and neither the diff-status
        nor the lock is read; otherwise the lock is read only when something is staged.
        """
        bp_id = blueprint["id"]
        clean = (
            lean
            and blueprint.get("has_uncommitted_changes") is False
            and blueprint.get("version") is not None
        )
        status = {} if clean else self.service.diff_status(bp_id) or {}
        staging = status.get("staging_version", blueprint.get("version"))
        deployed = status.get("deployed_version", staging if clean else None)
        uncommitted = (
            staging != deployed
            if deployed is not None
            else bool(blueprint.get("has_uncommitted_changes"))
        )
        lock = self.service.lock_status(bp_id) or {} if (uncommitted or not lean) else {}
        errors_count = blueprint.get("build_errors_count") or 0
        facts = dict(
            id=bp_id,
            label=blueprint.get("label"),
            design=blueprint.get("design"),
            staging_version=staging,
            deployed_version=deployed,
            has_uncommitted_changes=uncommitted,
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

    def run(self):
        gather = set(self.params["gather"]) | ({"fabric"} if self.params["fabric"] else set())
        if self.params.get("blueprint") or gather:
            selected = [
                self.blueprint
            ]  # named, or the only one (a server with several: an error listing them)
        else:
            selected = self.service.blueprints()
        described = [self.describe(blueprint, lean="staging" in gather) for blueprint in selected]
        result = dict(changed=False, blueprints=described)
        if not gather:
            return result
        facts = described[0]
        ctx = self._context = FabricContext(self.service, facts["id"])
        ctx.recorded_ports = self.params["recorded_ports"] and not facts["has_uncommitted_changes"]
        if "resources" in gather:
            ctx.read_all()
        fabric = ctx.fabric
        result["fabric"] = dict(fabric.facts(), servers=server_view(fabric.links))
        if "resources" in gather:
            result["resources"] = dict(
                routing_zones=ctx.zones(),
                virtual_networks=ctx.vns(),
                templates=ctx.templates(),
                port_bindings=PortBindings(ctx).read(),
                staging_version=facts["staging_version"],
            )
        deployed = None
        if "staging" in gather:
            result["staging"], deployed = self.staging_facts(facts, fabric)
        if "deployed" in gather:
            if deployed is None:
                deployed = read_state(self.service, facts["id"], fabric, "deployed")
            result["deployed"] = verification_view(deployed)
        return result

    def staging_facts(self, facts, fabric):
        """(The staging facts, the deployed state read for their diff or None): what is staged beyond the deployed
        version, object by object, and a held change's record."""
        staging = dict(
            uncommitted=facts["has_uncommitted_changes"],
            staging_version=facts["staging_version"],
            label=facts["label"],
            deployed_version=facts["deployed_version"],
            username=self.params.get("username"),
            changes=[],
            lock=dict(
                lock_status=facts["lock_status"],
                lock_type=facts["lock_type"],
                username=facts["locked_by"],
            ),
        )
        if not staging["uncommitted"]:
            return staging, None
        # the deployed side of the diff serves the deployed facts too (their view leaves the zones out)
        deployed = read_state(self.service, facts["id"], fabric, "deployed", with_zones=True)
        staging["changes"] = staged_changes(
            read_state(self.service, facts["id"], fabric, with_zones=True), deployed
        )
        staging["held"] = read_held(self.client, facts["id"])
        return staging, deployed


def main():
    BlueprintInfo().main()


if __name__ == "__main__":
    main()
