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
  - After its writes and before the deploy, reads Apstra's incremental config of each leaf its changes touch
    (O(device_diffs)), one call per leaf, sent at once, and returns the lines each leaf gets (RV(device_diffs)).
  - A change window (O(window), O(approve)) previews the plan (stage, read the device configuration, revert, read back
    that the blueprint is as it was), holds it staged for approval (recorded as the held change), or deploys a held
    staging version exactly as it was reviewed.
extends_documentation_fragment:
  - netops.cn2_apstra.ownership
  - netops.cn2_apstra.apstra
  - netops.cn2_apstra.apstra.blueprint
  - netops.cn2_apstra.apstra.results
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_apstra
options:
  steps:
    description:
      - The resource steps, in order (with O(plan), the steps that plan was made of, planned again only when the staging
        moved since).
    type: list
    elements: dict
    default: []
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
  plan:
    description:
      - A plan made earlier from O(facts) (C(desired.fabric_plan) of M(netops.cn2_apstra.sriov_intent)) with
        C(staging_version), C(writes) and, per step, its C(resource), C(state), C(config) and planned C(changes).
      - The task carries out these changes as planned while the blueprint's staging is at the plan's version; when it
        moved, it plans again from a fresh read and says so in RV(replanned). In check mode, and when the plan writes
        nothing, the plan is the result and nothing is computed again.
      - Without it, the task plans O(steps) itself (from O(facts) when they are current, else from reads).
    type: dict
  registered:
    description:
      - Options given by the name of a registered variable instead of by value, for example
        the mapping C(facts) to C(blueprint_facts) and C(plan) to C(intent.desired.fabric_plan) (C(option) or
        C(option.key) to C(variable[.key])); read as registered, not templated into the task's arguments. Only the action plugin of this module reads it.
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
  device_diffs:
    description:
      - After the writes and before the deploy (the hold, the revert), read Apstra's incremental config
        (C(GET .../nodes/<leaf id>/config-incremental)) of each leaf the changes touch - the leafs a changed VN is bound
        to, the leafs of the ports a binding adds or removes, both leafs of an ESI pair - at most four at once, and return
        the lines each gets in RV(device_diffs). One read per touched leaf; a leaf the run does not touch is not read.
      - Nothing is staged in check mode, so nothing is read then.
    type: bool
    version_added: 0.2.0
    default: true
  window:
    description:
      - V(deploy) deploys the staging once after the writes.
      - V(preview) stages the plan, reads the device configuration and reverts the staging (C(POST .../revert)), then reads
        back that the deployed version is unchanged and nothing is uncommitted (RV(preview)); nothing is deployed. The task
        reports C(changed) (it wrote to the staging and reverted it), so that C(--diff) shows the device diffs. The revert
        discards everything staged, so the plan must hold nothing staged by others (M(netops.cn2_apstra.sriov_intent)
        refuses a preview then, before any write).
      - V(hold) stages the plan and leaves it staged, not deployed, recorded as the held change (RV(held), a
        global-catalog tag C(netops.cn2_apstra held <blueprint id>) naming the staging version, the objects and the leafs),
        so that a later run with O(approve) deploys it.
    type: str
    version_added: 0.2.0
    default: deploy
    choices: [deploy, preview, hold]
  approve:
    description:
      - Deploy the held change of this staging version as it is; nothing is written before the deploy. Refused before any
        write unless the staging is exactly this version and O(facts) (gathered with C(staging)) hold the record of a
        change held at this version. The record is removed after the deploy.
    type: int
    version_added: 0.2.0
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
  description:
    - One result per step, in the resource modules' shape (C(resource), C(state), C(changed), C(before), C(after),
      C(plan), C(diff)) and its C(changes), what the step changed (C(action), C(key), C(before), C(after))).
    - A step's C(plan) names its requests by method and path (their bodies are in RV(plan)); its C(diff), like the
      task's, is returned with C(--diff) only.
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
mutex_left:
  description:
    - The blueprint mutex this run could not release (its global-catalog tag C(label) and C(id)); the task fails
      saying how to remove it, and the next run of the same owner takes it over.
  returned: when the release failed
  type: dict
mutex_taken_over:
  description: The mutex tag an earlier run of the same owner left behind, which this run took over.
  returned: when this run took one over
  type: dict
revision:
  description:
    - The revision this run's deploy made, as Apstra names it in the blueprint's revision list (C(revision_id)), with its
      C(version) and C(description), and C(before), the revision deployed before.
  returned: when the run deployed and O(verify=true)
  type: dict
  sample: {"revision_id": "2", "version": 8, "description": "CHG-7", "before": {"revision_id": "1", "version": 5}}
replanned:
  description: Why the task planned again instead of carrying out O(plan) (the staging moved since the plan).
  returned: when it planned again
  type: str
notes:
  description: Notes of a check-mode plan (objects an earlier step would create, planned under placeholder ids).
  returned: when there are any
  type: list
  elements: str
device_diffs:
  description:
    - Per leaf whose configuration changes, Apstra's incremental config as lines (C(device), C(node_id), C(added),
      C(removed), each line C(<hierarchy path> <statement>), the load tag C(replace:) left out), or C(error) when it could not be
      read. Leafs read without a change are not listed. Under C(--diff) each is shown as a diff too.
  returned: when O(device_diffs=true) and the run staged something or deployed a held change
  type: list
  elements: dict
  sample: [{"device": "leaf1", "node_id": "id-leaf1", "added": ["routing-instances evpn-1 vlans vn110 vlan-id 110"], "removed": []}]
devices_read:
  description: The leafs whose incremental config was read (the touched ones).
  returned: when O(device_diffs=true) and the run staged something or deployed a held change
  type: list
  elements: str
held:
  description:
    - The record of the held change (O(window=hold)), C(staging_version) the version to approve, C(deployed_version),
      C(changes), C(devices), C(by), C(owner), C(since) and C(id), the global-catalog tag holding it.
  returned: when O(window=hold) staged something
  type: dict
preview:
  description:
    - What the preview read back after its revert (O(window=preview)), C(deployed_version) (unchanged),
      C(has_uncommitted_changes) (false) and C(staging_version) (Apstra may move it on a revert).
  returned: when O(window=preview) staged something
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

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import models
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import ApstraError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.commit import (
    CommitError,
    Committer,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.device_config import (
    read_device_diffs,
    touched_devices,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.fabric import (
    RESOURCES,
    carry_out,
    plan_from_facts,
    seed,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module import ApstraModule
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.mutex import (
    BlueprintMutex,
    MutexHeld,
    MutexLeft,
    mutex_label,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    FabricContext,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.state import (
    read_state,
    verification_view,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.window import (
    change_names,
    forget_held,
    new_record,
    record_held,
    revert_read_back,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.device_diff import (
    changed_devices,
    diff_entries,
    natural,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.local_task import (
    REGISTERED_OPTION,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    OWNERSHIP_SPEC,
    ApplyFailed,
    ownership,
    request_summary,
)


def no_commit(versions):
    return dict(changed=False, plan=[], deployed_version=versions["deployed_version"])


def revision_of(revisions, version):
    """The revision (id and version) that deployed ``version``, from the blueprint's revision list."""
    return next((item for item in revisions or [] if item.get("version") == version), None)


class FabricApply(ApstraModule):
    ARGUMENT_SPEC = dict(
        **OWNERSHIP_SPEC,
        steps=dict(
            type="list",
            elements="dict",
            default=[],
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
        plan=dict(type="dict"),
        commit=dict(type="bool", default=True),
        commit_pending=dict(type="bool", default=False),
        description=dict(type="str", default=""),
        wait_for_lock=dict(type="int", default=0),
        timeout_deploy=dict(type="int", default=300),
        poll_interval=dict(type="float", default=1.0),
        mutex=dict(type="bool", default=True),
        verify=dict(type="bool", default=True),
        device_diffs=dict(type="bool", default=True),
        window=dict(type="str", default="deploy", choices=["deploy", "preview", "hold"]),
        approve=dict(type="int"),
        registered=REGISTERED_OPTION,
    )
    # what the change window adds to the result (see window_view)
    device_diffs = None
    touched = ()
    held_change = None
    previewed = None
    left_note = None
    # how the plan was carried out (see apply): as handed over (fresh), or planned again (replanned says why)
    fresh = False
    replanned = None

    def versions_of_facts(self):
        blueprint = (self.params["facts"].get("blueprints") or [{}])[0]
        return dict(
            staging_version=blueprint.get("staging_version"),
            deployed_version=blueprint.get("deployed_version"),
            has_uncommitted_changes=bool(blueprint.get("has_uncommitted_changes")),
        )

    def committer(self):
        return Committer(
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

    def the_plan(self):
        """The plan handed over (O(plan)), else the steps planned from the facts (no call), else None."""
        if self.params["plan"]:
            return self.params["plan"]
        facts = self.params["facts"]
        blueprint = (facts.get("blueprints") or [{}])[0]
        if blueprint.get("staging_version") != (facts.get("resources") or {}).get(
            "staging_version"
        ):
            return None
        return plan_from_facts(self.params["steps"], facts, ownership(self.params))

    def run(self):
        if self.params.get("registered"):
            self.module.fail_json(
                msg="registered: only the action plugin of the same name, which Ansible runs for this task, reads "
                "variables; as a module, give the options by value"
            )
        self.refuse_window_options()
        planned = self.the_plan()
        versions = self.versions_of_facts()
        pending = self.params["commit_pending"] and versions["has_uncommitted_changes"]
        if planned is not None and (self.check_mode or not (planned["writes"] or pending)):
            return self.as_planned(planned, versions, pending)
        return self.carried_out(planned)

    def as_planned(self, planned, versions, pending):
        """Check mode, or nothing to write: the plan is the result (no call, unless a pending commit is checked)."""
        writes = planned["writes"]
        before = dict(
            versions, has_uncommitted_changes=versions["has_uncommitted_changes"] or writes
        )
        commit = (
            self.committer().commit(self.params["description"], before)
            if self.params["commit"] and (writes or pending)
            else no_commit(versions)
        )
        verified = None
        if self.params["verify"] and not (writes or versions["has_uncommitted_changes"]):
            # nothing staged and nothing to write: the facts' staging is what Apstra has deployed
            resources = self.params["facts"].get("resources") or {}
            verified = dict(
                virtual_networks=resources.get("virtual_networks") or [],
                port_bindings=resources.get("port_bindings") or [],
            )
        return self.result(planned["steps"], commit, verified, notes=planned.get("notes"))

    def carried_out(self, planned):
        """Under the mutex: the plan carried out (planned again if the staging moved), one deploy, the read-back."""
        mutex = None
        if self.params["mutex"] and not self.check_mode:
            mutex = BlueprintMutex(
                self.client,
                self.bp_id,
                wait=self.params["wait_for_lock"],
                poll_interval=self.params["poll_interval"],
                owner=ownership(self.params).owners[0],
            )
        self.results, self.replanned, failure = [], None, None
        try:
            if mutex:
                mutex.acquire()
            committer = self.committer()
            commit = self.apply(committer, committer.versions(), planned)
            verified, revision, unread = self.read_back_after(commit)
        except (MutexHeld, ApplyFailed, CommitError) as exc:
            failure = exc
        except Exception:
            # any other error (a read, a refused step): the mutex is not left held
            self.release(mutex)
            raise
        left = self.release(mutex)
        if failure is not None:
            self.fail(failure, left)
        result = self.result(self.results, commit, verified, revision=revision)
        if mutex and mutex.took_over:
            result["mutex_taken_over"] = mutex.took_over
        if left is not None or unread is not None:
            self.deployed_but(result, commit, unread, left)
        return result

    def read_back_after(self, commit):
        """read_back, and None; after a deploy, a read-back that fails is returned instead of raised, so that the run
        says what it deployed."""
        try:
            return self.read_back(commit) + (None,)
        except ApstraError as exc:
            if not commit["changed"]:
                raise
            return None, None, exc

    def deployed_but(self, result, commit, unread, left):
        """Fail a run that deployed, naming what went wrong after the deploy: the read-back, the mutex release."""
        problems = []
        if unread is not None:
            problems.append(
                "reading back what Apstra deployed failed (%s); run verify to read what the fabric holds"
                % unread
            )
        if left is not None:
            problems.append(str(left))
            result = dict(result, mutex_left=left.mutex)
        self.module.fail_json(
            msg="deployed as version %s; but %s"
            % (commit.get("deployed_version"), "; and ".join(problems)),
            **result,
        )

    @staticmethod
    def release(mutex):
        """Release the mutex; the MutexLeft error when it could not be (the run says so), else None."""
        try:
            if mutex:
                mutex.release()
        except MutexLeft as exc:
            exc.mutex = {"label": mutex_label(mutex.bp_id), "id": mutex.tag_id}
            return exc
        return None

    def apply(self, committer, versions, planned):
        """Write (the plan's changes while the staging is where the plan saw it, else a new plan), deploy once."""
        if self.params["approve"] is not None:
            return self.approved(committer, versions)
        fresh = self.fresh = planned is not None and versions["staging_version"] == planned.get(
            "staging_version"
        )
        if self.params["facts"] and not fresh and versions["has_uncommitted_changes"]:
            raise CommitError(
                "the staging of blueprint %s moved since this run planned (now version %s) and holds uncommitted "
                "changes this run did not plan; nothing was changed: run again to plan from the new state"
                % (self.params["blueprint"], versions["staging_version"])
            )
        if planned is not None and not fresh:
            self.replanned = (
                "the staging moved from version %s to %s since the plan was made: planned again from a fresh read"
                % (planned.get("staging_version"), versions["staging_version"])
            )
        facts = seed(self.params["facts"]) or {}
        self._context = FabricContext(
            self.service,
            self.bp_id,
            check_mode=self.check_mode,
            facts=facts if fresh else dict(fabric=facts["fabric"]) if facts else None,
            ownership=ownership(self.params),
        )
        self.results = carry_out(
            self._context,
            self.params["steps"] or (planned or {}).get("steps") or [],
            planned["steps"] if fresh else None,
            check_mode=self.check_mode,
        )
        changed = any(result["changed"] for result in self.results)
        return self.after_staging(committer, versions, changed)

    # -- the change window: device configuration, hold, preview, approve ---------------------------------------------
    def refuse_window_options(self):
        approve = self.params["approve"]
        if approve is not None and (approve < 1 or self.params["window"] != "deploy"):
            self.module.fail_json(
                msg="approve: %s deploys a held staging version (a positive integer) and goes with window=deploy, not "
                "window=%s; nothing was changed" % (approve, self.params["window"]),
                changed=False,
                plan=[],
            )

    def read_devices(self, labels):
        """The incremental config of the leafs ``labels`` (those the fabric knows), read at once."""
        if not labels:
            self.device_diffs = []
            return
        leafs = self.context.fabric.leafs
        self.device_diffs = read_device_diffs(
            self.client, self.bp_id, [(label, leafs[label]) for label in labels if label in leafs]
        )

    def after_staging(self, committer, versions, changed):
        """What follows the writes: the touched leafs' configuration read, then the deploy, the hold or the revert."""
        window = self.params["window"]
        if changed:
            resources = self.params["facts"].get("resources") or {}
            self.touched = touched_devices(
                self.results, self.context.fabric, resources.get("virtual_networks")
            )
        if window == "hold":
            # the whole held change: what an earlier hold of this staging touched too
            earlier = self.earlier_hold().get("devices") or []
            self.touched = sorted(set(self.touched) | set(earlier), key=natural)
        if self.params["device_diffs"]:
            self.read_devices(self.touched)
        if window == "preview" and changed:
            return self.reverted(committer, versions)
        if window == "hold" and (changed or self.params["commit_pending"]):
            return self.held(committer, versions, changed)
        pending = self.params["commit_pending"] and versions["has_uncommitted_changes"]
        if window != "deploy" or not (self.params["commit"] and (changed or pending)):
            return no_commit(versions)
        return committer.commit(
            self.params["description"], committer.versions() if changed else versions
        )

    def reverted(self, committer, versions):
        """Preview: discard the staging (this run's changes: the plan refused a staging holding anything else) and read
        back that the blueprint is as it was: the deployed version unchanged, nothing uncommitted.
        """
        try:
            commit = committer.revert(versions)
            after = revert_read_back(self.service, self.bp_id)
        except ApstraError as exc:
            raise CommitError(
                "preview: the revert of blueprint %s failed (%s); this run's changes stay staged and nothing was "
                "deployed: revert them in Apstra (Uncommitted > Revert)"
                % (self.params["blueprint"], exc)
            ) from exc
        if (
            after["has_uncommitted_changes"]
            or after["deployed_version"] != versions["deployed_version"]
        ):
            raise CommitError(
                "preview: after the revert, blueprint %s is not as it was: deployed version %s (was %s), uncommitted "
                "changes %s"
                % (
                    self.params["blueprint"],
                    after["deployed_version"],
                    versions["deployed_version"],
                    "remain" if after["has_uncommitted_changes"] else "none",
                )
            )
        self.previewed = after
        return dict(commit, changed=False, after=after, deployed_version=after["deployed_version"])

    def held(self, committer, versions, changed):
        """Hold: leave the staging as it is, not deployed, recorded as the held change (with what a hold at this staging
        recorded before, and what the plan accepted as staged)."""
        earlier = self.earlier_hold()
        if earlier and not changed:
            self.held_change = earlier  # held as recorded: nothing new to record
            return no_commit(versions)
        now = committer.versions() if changed else versions
        staging = self.params["facts"].get("staging") or {}
        changes = change_names(self.results) | set(earlier.get("changes") or [])
        changes |= set("%s %s" % (c["kind"], c["name"]) for c in staging.get("changes") or [])
        record = new_record(
            ownership(self.params).owners[0],
            self.params.get("username"),
            now,
            changes,
            self.touched,
        )
        try:
            tag_id = record_held(self.client, self.bp_id, record, earlier.get("id"))
        except ApstraError as exc:
            raise CommitError(
                "hold: staged as version %s, but the record of the held change could not be written (%s); nothing "
                "was deployed: run the hold again" % (now["staging_version"], exc)
            ) from exc
        self.held_change = dict(record, id=tag_id)
        return no_commit(now)

    def earlier_hold(self):
        """The record of a change held at the staging the facts were read at (this run holds on top of it), else {}."""
        staging = self.params["facts"].get("staging") or {}
        earlier = staging.get("held") or {}
        live = not earlier.get("unreadable") and earlier.get("staging_version") is not None
        return (
            earlier if live and earlier["staging_version"] == staging.get("staging_version") else {}
        )

    def approved(self, committer, versions):
        """Approve: deploy the staging as it is, when it is exactly the held version approved; nothing is written."""
        wanted = self.params["approve"]
        held = (self.params["facts"].get("staging") or {}).get("held") or {}
        if versions["staging_version"] != wanted or held.get("staging_version") != wanted:
            raise CommitError(
                "approve=%s refused before any write: the staging of blueprint %s is version %s now and the held "
                "change %s; nothing was deployed: hold again and approve the version its report names"
                % (
                    wanted,
                    self.params["blueprint"],
                    versions["staging_version"],
                    (
                        "is version %s" % held["staging_version"]
                        if held.get("staging_version")
                        else "is not recorded"
                    ),
                )
            )
        facts = seed(self.params["facts"])
        self._context = FabricContext(
            self.service, self.bp_id, facts=dict(fabric=facts["fabric"]) if facts else None
        )
        if self.params["device_diffs"]:
            self.read_devices(held.get("devices") or [])
        commit = committer.commit(self.params["description"], versions)
        self.left_note = forget_held(self.client, held["id"])
        return commit

    def window_view(self):
        """What the change window adds to the result: the device diffs, the held record, the preview's read-back."""
        view = {}
        if self.device_diffs is not None:
            view["device_diffs"] = changed_devices(self.device_diffs)
            view["devices_read"] = [entry["device"] for entry in self.device_diffs]
        if self.held_change is not None:
            view["held"] = self.held_change
        if self.previewed is not None:
            # the blueprint is as it was (read back); what was staged is in the steps, the revert in the plan
            view["preview"] = self.previewed
        return view

    def read_back(self, commit):
        """What Apstra has deployed (and, after a deploy, the revision it made, as Apstra names it)."""
        if not self.params["verify"] or self.check_mode or self.params["window"] != "deploy":
            return None, None
        state = read_state(
            self.service,
            self.bp_id,
            self.context.fabric,
            "deployed",
            with_revisions=commit["changed"],
            scope=self.read_back_scope(),
        )
        revision = None
        if commit["changed"]:
            revision = dict(
                revision_of(state["revisions"], commit.get("deployed_version")) or {},
                before=revision_of(state["revisions"], commit["before"]["deployed_version"]),
            )
        return verification_view(state), revision

    def read_back_scope(self):
        """(templates this run changed, the templates the facts hold) when the blueprint was clean before the run and
        the plan was carried out as made: the deployed graph then holds every other template as the facts read it, and
        only the changed ones are read back. None (read everything) otherwise."""
        facts = self.params["facts"] or {}
        if not (
            self.fresh
            and (facts.get("staging") or {}).get("uncommitted") is False
            and (facts.get("resources") or {}).get("templates") is not None
        ):
            return None
        known = dict((t["id"], t) for t in facts["resources"]["templates"])
        known.update((t["id"], t) for t in imported_templates(self.results))
        return touched_templates(self.results, known.values()), list(known.values())

    def applied(self, exc=None):
        if self.check_mode:
            return []
        done = [request for result in self.results for request in result["plan"]]
        return done + (exc.applied if isinstance(exc, ApplyFailed) else [])

    def fail(self, exc, left=None):
        """Fail naming what was applied (staged, not deployed), what was not, and a mutex that could not be released."""
        also = dict(mutex_left=left.mutex) if left is not None else {}
        tail = "; %s" % left if left is not None else ""
        if isinstance(exc, MutexHeld):
            self.module.fail_json(msg=str(exc), changed=False, plan=[], mutex=exc.holder)
        if isinstance(exc, ApplyFailed):
            self.results = getattr(exc, "results", self.results)
        applied = self.applied(exc)
        if isinstance(exc, ApplyFailed):
            not_run = getattr(exc, "steps_not_run", None)
            self.module.fail_json(
                msg="%s%s; nothing was deployed: what was applied stays staged and the next run deploys it%s"
                % (
                    exc.message(),
                    "; steps not run: %s" % ", ".join(not_run) if not_run else "",
                    tail,
                ),
                changed=bool(applied),
                status=exc.error.status,
                error=exc.error.body,
                applied=applied,
                not_applied=exc.not_applied,
                steps=self.results,
                **also,
            )
        staged = (
            "; applied (staged, not deployed): %s" % request_summary(applied) if applied else ""
        )
        self.module.fail_json(
            msg="%s%s%s" % (exc, staged, tail),
            changed=bool(applied),
            applied=applied,
            not_applied=[],
            steps=self.results,
            **dict(exc.details, **also),
        )

    def result(self, steps, commit, verified, revision=None, notes=None):
        """The task's result. The request bodies are in ``plan`` alone (a step lists its requests by method and path)
        and the diff is returned with --diff only: a large run's assignments are not carried three times over.
        """
        plan = [request for step in steps for request in step["plan"]] + commit["plan"]
        diff_mode = self.module._diff
        out = dict(
            changed=any(step["changed"] for step in steps) or commit["changed"],
            plan=plan,
            steps=[
                dict(
                    step,
                    plan=[dict(method=r["method"], path=r["path"]) for r in step["plan"]],
                    diff=step["diff"] if diff_mode else [],
                )
                for step in steps
            ],
            commit=commit,
            deployed_version=commit.get("deployed_version"),
            diff=(
                [entry for step in steps for entry in step["diff"]]
                + commit.get("diff", [])
                + diff_entries(self.device_diffs or [])
                if diff_mode
                else []
            ),
        )
        if verified is not None:
            out["deployed"] = verified
        if revision is not None:
            out["revision"] = revision
        if self.replanned:
            out["replanned"] = self.replanned
        if notes:
            out["notes"] = notes
        out.update(self.window_view())
        if self.left_note:
            out["notes"] = (notes or []) + [self.left_note]
        return out


def imported_templates(results):
    """The templates the requests of ``results`` imported (models.templates_from_policies), assigned nowhere yet."""
    policies = [
        policy
        for result in results
        for request in result["plan"]
        for policy in (request.get("body") or {}).get("policies") or []
    ]
    return [
        dict(
            dict((k, v) for k, v in t.items() if k not in ("description", "app_points_count")),
            interfaces=[],
        )
        for t in models.templates_from_policies(policies)
    ]


def touched_templates(results, known):
    """{template id: application points it has now} of the connectivity templates the port-binding requests of
    ``results`` imported, assigned or deleted (``known``: the templates before, with their interfaces).
    """
    before = dict((t["id"], len(t.get("interfaces") or [])) for t in known)
    touched = {}
    for result in results:
        for request in result["plan"]:
            body = request.get("body") or {}
            for policy in body.get("policies") or []:
                if policy.get("policy_type_name") == "batch":
                    touched.setdefault(policy["id"], before.get(policy["id"], 0))
            for point in body.get("application_points") or []:
                for entry in point["policies"]:
                    count = touched.setdefault(entry["policy"], before.get(entry["policy"], 0))
                    touched[entry["policy"]] = count + (1 if entry["used"] else -1)
            for policy_id in body.get("policy_ids") or []:
                touched[policy_id] = 0
    return touched


def main():
    FabricApply().main()


if __name__ == "__main__":
    main()
