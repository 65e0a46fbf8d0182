#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: apstra_fabric_apply
short_description: Apply routing zones, virtual networks and port bindings to an Apstra blueprint and commit once
version_added: 0.1.0
description:
  - Runs a list of resource steps (the same engine and options as M(netops.cn2_apstra.apstra_routing_zones),
    M(netops.cn2_apstra.apstra_virtual_networks) and M(netops.cn2_apstra.apstra_port_bindings)) in one process,
    then deploys the blueprint once and reads back what Apstra has deployed.
  - Holds the blueprint mutex that terraform-provider-apstra and apstra-go-sdk honour (a global-catalog tag
    C(blueprint <id> locked)) around its writes and the deploy, so both tools can share a blueprint.
  - Takes the facts an earlier M(netops.cn2_apstra.apstra_blueprint_info) task gathered (O(facts)) instead of
    reading them again, as long as the staging has not moved since; when it has moved and something is staged that
    this run did not plan, it refuses before any write.
  - Commits when a step changed something, and also when O(commit_pending=true) and this collection's own changes
    are staged but not deployed (an earlier run whose deploy failed), so a fabric is never reported done while staged.
  - A failure midway names what was applied and what was not; nothing is deployed then, and the staged part is
    deployed by the next run.
extends_documentation_fragment:
  - netops.cn2_apstra.apstra
  - netops.cn2_apstra.apstra.blueprint
  - netops.cn2_apstra.apstra.results
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_apstra
options:
  steps:
    description:
      - The resource steps, in order.
    type: list
    elements: dict
    required: true
    suboptions:
      resource:
        description: Which resource.
        type: str
        required: true
        choices: [routing_zones, virtual_networks, port_bindings]
      state:
        description: As the resource module's O(netops.cn2_apstra.apstra_virtual_networks#module:state).
        type: str
        required: true
        choices: [merged, replaced, overridden, deleted]
      config:
        description: As the resource module's C(config).
        type: list
        elements: dict
        default: []
  facts:
    description:
      - The registered result of M(netops.cn2_apstra.apstra_blueprint_info) with O(netops.cn2_apstra.apstra_blueprint_info#module:gather)
        V(resources) for the same blueprint. Used when the staging version is still the one they were read at.
    type: dict
    default: {}
  commit:
    description: Deploy once after the steps.
    type: bool
    default: true
  commit_pending:
    description: Deploy even when no step changed anything, if the staging holds uncommitted changes the plan accepted.
    type: bool
    default: false
  description:
    description: Text stored with the deployed revision.
    type: str
    default: ""
  wait_for_lock:
    description: Seconds to wait for another user's blueprint lock, or the blueprint mutex, to clear.
    type: int
    default: 0
  timeout_deploy:
    description: Seconds to wait for the deploy task.
    type: int
    default: 300
  poll_interval:
    description: Seconds between two polls of a lock, the mutex or the deploy task.
    type: float
    default: 1.0
  mutex:
    description: Take the blueprint mutex around the writes and the deploy (and honour another holder's).
    type: bool
    default: true
  verify:
    description:
      - Return RV(deployed), what Apstra has deployed after the run, read back from the deployed graph (when nothing was written
        and nothing is staged, the handed-over O(facts) are that state and nothing is read).
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    details: No write reaches Apstra; objects an earlier step would create are planned under placeholder ids.
  diff_mode:
    support: full
author:
  - netops.cn2_apstra developers (@netops)
"""

EXAMPLES = r"""
- name: Zones, VNs and port bindings in one task, one commit
  netops.cn2_apstra.apstra_fabric_apply:
    blueprint: "{{ blueprint_facts.blueprints[0].id }}"
    facts: "{{ blueprint_facts }}"
    description: "change CHG-1234"
    steps:
      - resource: routing_zones
        state: merged
        config: [{label: telco}]
      - resource: virtual_networks
        state: merged
        config: [{label: sriov-a, routing_zone: telco, vlan_id: 2001, bindings: [leaf1], ipv4_subnet: 10.1.0.0/24, ipv4_gateway: 10.1.0.1}]
      - resource: port_bindings
        state: merged
        config: [{virtual_network: sriov-a, switch_ports: ["leaf1:xe-0/0/1"]}]
"""

RETURN = r"""
steps:
  description: One result per step, in the resource modules' shape (C(resource), C(state), C(changed), C(before), C(after), C(plan), C(diff)).
  returned: always
  type: list
  elements: dict
plan:
  description: Every write request of the run in order, the deploy included (also in check mode).
  returned: always
  type: list
  elements: dict
commit:
  description: The deploy (C(before)/C(after) versions, C(deployed_version), C(task)), or C(changed=false) when nothing was deployed.
  returned: always
  type: dict
deployed_version:
  description: The blueprint's deployed version after the run.
  returned: success
  type: int
deployed:
  description: The C(virtual_networks) and C(port_bindings) Apstra has deployed after the run.
  returned: when O(verify=true), except in check mode
  type: dict
applied:
  description: On failure, the requests that were applied.
  returned: on failure
  type: list
  elements: dict
not_applied:
  description: On failure, the requests that were not sent.
  returned: on failure
  type: list
  elements: dict
"""

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.commit import (
    CommitError,
    Committer,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module import ApstraModule
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.mutex import (
    BlueprintMutex,
    MutexHeld,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    FabricContext,
    PortBindings,
    RoutingZones,
    VirtualNetworks,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.state import (
    read_state,
    verification_view,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    ApplyFailed,
    Engine,
    request_summary,
)

RESOURCES = {
    "routing_zones": RoutingZones,
    "virtual_networks": VirtualNetworks,
    "port_bindings": PortBindings,
}


class FabricApply(ApstraModule):
    ARGUMENT_SPEC = dict(
        steps=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                resource=dict(type="str", required=True, choices=list(RESOURCES)),
                state=dict(
                    type="str",
                    required=True,
                    choices=["merged", "replaced", "overridden", "deleted"],
                ),
                config=dict(type="list", elements="dict", default=[]),
            ),
        ),
        facts=dict(type="dict", default={}),
        commit=dict(type="bool", default=True),
        commit_pending=dict(type="bool", default=False),
        description=dict(type="str", default=""),
        wait_for_lock=dict(type="int", default=0),
        timeout_deploy=dict(type="int", default=300),
        poll_interval=dict(type="float", default=1.0),
        mutex=dict(type="bool", default=True),
        verify=dict(type="bool", default=True),
    )

    def seed(self, staging_version):
        """(context seed, whether the handed-over facts still hold): the facts when they were read at ``staging_version``;
        else only the fabric (it does not move)."""
        facts = self.params["facts"] or {}
        resources = facts.get("resources") or {}
        if (
            facts.get("fabric")
            and resources
            and resources.get("staging_version") == staging_version
        ):
            return dict(resources, fabric=facts["fabric"]), True
        return ({"fabric": facts["fabric"]} if facts.get("fabric") else {}), False

    def run_steps(self, ctx, check_mode):
        results = []
        for index, step in enumerate(self.params["steps"]):
            engine = Engine(
                RESOURCES[step["resource"]](ctx),
                step["state"],
                step["config"],
                check_mode=check_mode,
            )
            try:
                result = engine.run()
            except ApplyFailed as exc:
                exc.steps_not_run = [
                    later["resource"] for later in self.params["steps"][index + 1 :]
                ]
                raise
            results.append(dict(result, resource=step["resource"], state=step["state"]))
            self.results = results
        return results

    def planned_from_facts(self):
        """The run planned from the handed-over facts alone (no call): (step results, facts' versions), or None without facts."""
        facts = self.params["facts"] or {}
        blueprint = (facts.get("blueprints") or [{}])[0]
        resources = facts.get("resources") or {}
        if not (
            facts.get("fabric")
            and resources
            and blueprint.get("staging_version") == resources.get("staging_version")
        ):
            return None
        self._context = FabricContext(
            self.service,
            self.bp_id,
            check_mode=True,
            facts=self.seed(resources["staging_version"])[0],
        )
        versions = dict(
            staging_version=blueprint["staging_version"],
            deployed_version=blueprint.get("deployed_version"),
            has_uncommitted_changes=bool(blueprint.get("has_uncommitted_changes")),
        )
        return self.run_steps(self._context, check_mode=True), versions

    def apply(self, committer, versions):
        """Under the mutex: re-read what moved since the facts, write, deploy once."""
        self.results = []
        seed, fresh = self.seed(versions["staging_version"])
        if self.params["facts"] and not fresh and versions["has_uncommitted_changes"]:
            raise CommitError(
                "the staging of blueprint %s moved since this run planned (now version %s) and holds uncommitted changes this run "
                "did not plan; nothing was changed: run again to plan from the new state"
                % (self.params["blueprint"], versions["staging_version"])
            )
        self._context = FabricContext(self.service, self.bp_id, facts=seed)
        results = self.run_steps(self._context, check_mode=False)
        changed = any(result["changed"] for result in results)
        if not (
            self.params["commit"]
            and (changed or (self.params["commit_pending"] and versions["has_uncommitted_changes"]))
        ):
            return dict(changed=False, plan=[], deployed_version=versions["deployed_version"])
        return committer.commit(
            self.params["description"], committer.versions() if changed else versions
        )

    def applied(self):
        return (
            [request for result in self.results for request in result["plan"]]
            if not self.check_mode
            else []
        )

    def result(self, commit, verified):
        plan = [request for result in self.results for request in result["plan"]] + commit["plan"]
        out = dict(
            changed=any(r["changed"] for r in self.results) or commit["changed"],
            plan=plan,
            steps=self.results,
            commit=commit,
            deployed_version=commit.get("deployed_version"),
            diff=[entry for result in self.results for entry in result["diff"]]
            + commit.get("diff", []),
        )
        if verified is not None:
            out["deployed"] = verified
        return out

    def run(self):
        self.results = []
        committer = Committer(
            self.service,
            self.bp_id,
            label=self.params["blueprint"],
            username=self.params.get("username"),
            check_mode=self.check_mode,
            wait_for_lock=self.params["wait_for_lock"],
            timeout_deploy=self.params["timeout_deploy"],
            poll_interval=self.params["poll_interval"],
            precheck=False,
        )
        planned = self.planned_from_facts()
        if planned is not None:
            results, versions = planned
            pending = self.params["commit_pending"] and versions["has_uncommitted_changes"]
            if self.check_mode or not (any(r["plan"] for r in results) or pending):
                writes = any(r["plan"] for r in results)
                before = dict(
                    versions, has_uncommitted_changes=versions["has_uncommitted_changes"] or writes
                )
                commit = (
                    committer.commit(self.params["description"], before)
                    if self.params["commit"] and (writes or pending)
                    else dict(changed=False, plan=[], deployed_version=versions["deployed_version"])
                )
                resources = self.params["facts"]["resources"]
                unchanged = (
                    not (writes or versions["has_uncommitted_changes"]) and self.params["verify"]
                )
                # Nothing staged and nothing to write: the facts' staging is what Apstra has deployed.
                return self.result(
                    commit,
                    (
                        dict(
                            virtual_networks=resources["virtual_networks"],
                            port_bindings=resources["port_bindings"],
                        )
                        if unchanged
                        else None
                    ),
                )
        mutex = None
        if self.params["mutex"] and not self.check_mode:
            mutex = BlueprintMutex(
                self.client,
                self.bp_id,
                wait=self.params["wait_for_lock"],
                poll_interval=self.params["poll_interval"],
            )
        try:
            if mutex:
                mutex.acquire()
            commit = self.apply(committer, committer.versions())
            verified = None
            if self.params["verify"]:
                verified = verification_view(
                    read_state(self.service, self.bp_id, self.context.fabric, "deployed")
                )
        except MutexHeld as exc:
            self.module.fail_json(msg=str(exc), changed=False, plan=[], mutex=exc.holder)
        except ApplyFailed as exc:
            applied = self.applied() + exc.applied
            self.module.fail_json(
                msg="%s%s; nothing was deployed: what was applied stays staged and the next run deploys it"
                % (
                    exc.message(),
                    (
                        "; steps not run: %s" % ", ".join(exc.steps_not_run)
                        if getattr(exc, "steps_not_run", None)
                        else ""
                    ),
                ),
                changed=bool(applied),
                status=exc.error.status,
                error=exc.error.body,
                applied=applied,
                not_applied=exc.not_applied,
                steps=self.results,
            )
        except CommitError as exc:
            applied = self.applied()
            self.module.fail_json(
                msg="%s%s"
                % (
                    exc,
                    (
                        "; applied (staged, not deployed): %s" % request_summary(applied)
                        if applied
                        else ""
                    ),
                ),
                changed=bool(applied),
                applied=applied,
                not_applied=[],
                steps=self.results,
                **exc.details,
            )
        finally:
            if mutex:
                mutex.release()
        return self.result(commit, verified)


def main():
    FabricApply().main()


if __name__ == "__main__":
    main()
