# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deploying a blueprint's staging: refuse on build errors, wait for a lock, deploy with a description, poll the task,
confirm what Apstra has deployed. Or revert the staging. No Ansible imports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraConnectionError,
    ApstraError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    bp_path,
    values,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import ApplyFailed

TASK_DONE = ("succeeded", "success", "failed", "failure", "timeout", "error")
TASK_OK = ("succeeded", "success")


class CommitError(ApstraError):
    """The commit cannot be done or did not succeed; nothing more was sent."""

    def __init__(self, message, **details):
        self.details = details
        super(CommitError, self).__init__(message)


def readable(value):
    """An error reason as text, whatever shape Apstra gave it (string, dict, list)."""
    if isinstance(value, dict):
        parts = []
        for key, item in sorted(value.items()):
            text = readable(item)
            parts.append("%s: %s" % (key, text) if text else str(key))
        return "; ".join(parts)
    if isinstance(value, list):
        return "; ".join(readable(item) for item in value)
    return "" if value is None else str(value)


def task_reason(task):
    """Why a deploy task failed, as text: its error, else its errors, else whatever detail it has."""
    detail = task.get("detailed_status")
    if isinstance(detail, dict):
        return (
            readable(detail.get("error"))
            or readable(detail.get("errors"))
            or readable(dict((k, v) for k, v in detail.items() if v))
        )
    return readable(detail)


def error_summary(errors):
    parts = []
    for scope in ("nodes", "relationships"):
        for obj_id, messages in sorted((errors.get(scope) or {}).items()):
            parts.append("%s %s: %s" % (scope[:-1], obj_id, readable(messages)))
    return "; ".join(parts) or "see build_errors"


class Committer:
    """Deploy (or revert) one blueprint's staging."""

    def __init__(
        self,
        service,
        bp_id,
        label=None,
        username=None,
        check_mode=False,
        wait_for_lock=0,
        timeout_deploy=300,
        poll_interval=1.0,
        sleep=time.sleep,
        clock=time.monotonic,
        precheck=True,
    ):
        self.service = service
        self.bp_id = bp_id
        self.label = label or bp_id
        self.username = username
        self.check_mode = check_mode
        self.wait_for_lock_seconds = wait_for_lock
        self.timeout_deploy = timeout_deploy
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.clock = clock
        # precheck: read build errors and the lock before deploying. Without, the deploy is sent at once and only
        # a refusal is explained (two reads fewer per commit; the task's result is the confirmation).
        self.precheck = precheck

    def versions(self):
        status = self.service.diff_status(self.bp_id) or {}
        staging, deployed = status.get("staging_version"), status.get("deployed_version")
        return dict(
            staging_version=staging,
            deployed_version=deployed,
            has_uncommitted_changes=staging != deployed,
            deploy_status=status.get("deploy_status"),
        )

    def wait_for_lock(self):
        deadline = self.clock() + self.wait_for_lock_seconds
        while True:
            lock = self.service.lock_status(self.bp_id) or {}
            # Our own staged changes lock the blueprint too (lock_by_changes); Apstra marks such a lock overridable by us.
            if (
                lock.get("lock_status", "unlocked") == "unlocked"
                or lock.get("possible_override")
                or (
                    lock.get("lock_type") == "lock_by_changes"
                    and lock.get("username") == self.username
                )
            ):
                return lock
            if self.clock() >= deadline:
                raise CommitError(
                    "blueprint %s is locked (%s by %s); waited %ss"
                    % (
                        self.label,
                        lock.get("lock_type"),
                        lock.get("username"),
                        self.wait_for_lock_seconds,
                    ),
                    lock=lock,
                )
            self.sleep(self.poll_interval)

    def wait_for_task(self, task_id):
        deadline = self.clock() + self.timeout_deploy
        while True:
            task = self.service.task(self.bp_id, task_id) or {}
            if task.get("status") in TASK_DONE:
                return task
            if self.clock() >= deadline:
                raise CommitError(
                    "deploy task %s did not finish within %ss; last status %s"
                    % (task_id, self.timeout_deploy, task.get("status")),
                    task=task,
                )
            self.sleep(self.poll_interval)

    def revert(self, before):
        plan = [{"method": "POST", "path": bp_path(self.bp_id, "/revert"), "body": {}}]
        if not self.check_mode:
            self.service.client.request("POST", plan[0]["path"], body={})
        after = dict(
            before, staging_version=before["deployed_version"], has_uncommitted_changes=False
        )
        return dict(
            changed=True,
            before=before,
            after=after,
            plan=plan,
            deployed_version=before["deployed_version"],
        )

    def refused(self, exc, deadline):
        """Explain a refused deploy: build errors, or a lock (then wait for it, up to ``deadline``); None when it is something else."""
        text = str(exc).lower()
        if exc.status == 422 and "build error" in text:
            errors = self.service.build_errors(self.bp_id) or {}
            count = errors.get("errors_count") or 0
            return CommitError(
                "blueprint %s has %d build error(s); not deploying: %s"
                % (self.label, count, error_summary(errors)),
                build_errors=errors,
            )
        if exc.status in (409, 423) and "locked" in text:
            lock = self.wait_for_lock()
            if self.clock() >= deadline:
                # lock-status says we may go on, yet the deploy is still refused as locked: stop at the wait's end
                return CommitError(
                    "blueprint %s refuses the deploy as locked (%s); waited %ss"
                    % (self.label, readable(exc.body) or exc, self.wait_for_lock_seconds),
                    lock=lock,
                )
            self.sleep(self.poll_interval)
            return False
        return None

    def lost_deploy(self, before):
        """The answer to our deploy was lost: find what became of it, never deploying twice. Returns the answer to go on
        with ({} when done, {task_id} while it runs), or None when the deploy never arrived."""
        if self.versions()["deployed_version"] == before["staging_version"]:
            return {}
        tasks = values(self.service.client.get(bp_path(self.bp_id, "/tasks")), "items")
        running = [
            task
            for task in tasks
            if task.get("type") == "deploy" and task.get("status") not in TASK_DONE
        ]
        if running:
            return {
                "task_id": sorted(running, key=lambda task: task.get("created_at") or "")[-1]["id"]
            }
        return None

    def deploy(self, request, before):
        """Send the deploy; returns the answer. A lost answer, a moved staging and (without precheck) a refusal are handled."""
        resent = False
        deadline = self.clock() + self.wait_for_lock_seconds
        while True:
            try:
                return (
                    self.service.client.request("PUT", request["path"], body=request["body"]) or {}
                )
            except ApstraConnectionError:
                answer = self.lost_deploy(before)
                if answer is not None:
                    return answer
                if resent:
                    raise
                resent = True  # it never arrived: send it once more
            except ApstraError as exc:
                if not self.precheck:
                    explained = self.refused(exc, deadline)
                    if explained is False:
                        continue  # the lock cleared: deploy again
                    if explained is not None:
                        raise explained from exc
                now = self.versions()
                if now["deployed_version"] == before["staging_version"]:
                    return {}  # the deploy was applied and only its answer lost
                if exc.status == 409 or now["staging_version"] != before["staging_version"]:
                    raise CommitError(
                        "the staging of blueprint %s moved from version %s to %s while this run deployed it (someone else "
                        "changed it); nothing was deployed, the staging is left as it is"
                        % (self.label, before["staging_version"], now["staging_version"])
                    ) from exc
                raise ApplyFailed(exc, [], [request]) from exc

    def deploy_request(self, description, before):
        return {
            "method": "PUT",
            "path": bp_path(self.bp_id, "/deploy?async=full"),
            "body": {"version": before["staging_version"], "description": description},
        }

    def refuse_build_errors(self):
        """The precheck's first read: no deploy while the blueprint has build errors."""
        errors = self.service.build_errors(self.bp_id) or {}
        if errors.get("errors_count"):
            raise CommitError(
                "blueprint %s has %d build error(s); not deploying: %s"
                % (self.label, errors["errors_count"], error_summary(errors)),
                build_errors=errors,
            )

    def confirm(self, answer, before):
        """Wait for the deploy task and read what Apstra has deployed; returns (task, deploy state), raises CommitError
        unless the staging version is deployed."""
        task = self.wait_for_task(answer["task_id"]) if answer.get("task_id") else {}
        deploy = (
            self.service.deploy_state(self.bp_id) or {}
            if self.precheck or task.get("status") not in TASK_OK
            else {"state": "success", "version": before["staging_version"]}
        )
        if (
            task.get("status") not in (None,) + TASK_OK
            or deploy.get("state") not in ("success", None)
            or deploy.get("version") != before["staging_version"]
        ):
            reason = (
                task_reason(task)
                or readable(deploy.get("error") or deploy.get("deploy_error"))
                or "task %s, deploy state %s (version %s)"
                % (task.get("status"), deploy.get("state"), deploy.get("version"))
            )
            raise CommitError(
                "deploy of version %s failed: %s; the staging is left as it was"
                % (before["staging_version"], reason),
                task=task,
                deploy=deploy,
            )
        return task, deploy

    def commit(self, description, before=None):
        """Deploy the staging; returns the result (``deployed_version``, ``task``, ``plan``); raises CommitError/ApplyFailed."""
        before = before or self.versions()
        if not before["has_uncommitted_changes"]:
            return dict(
                changed=False,
                before=before,
                after=before,
                plan=[],
                deployed_version=before["deployed_version"],
            )
        request = self.deploy_request(description, before)
        after = dict(
            before, deployed_version=before["staging_version"], has_uncommitted_changes=False
        )
        diff = [
            {
                "before_header": "blueprint %s" % self.label,
                "after_header": "blueprint %s" % self.label,
                "before": before,
                "after": after,
            }
        ]
        if self.check_mode:
            return dict(
                changed=True,
                before=before,
                after=after,
                plan=[request],
                diff=diff,
                deployed_version=before["deployed_version"],
            )
        if self.precheck:
            self.refuse_build_errors()
            self.wait_for_lock()
        task, deploy = self.confirm(self.deploy(request, before), before)
        after = dict(after, deployed_version=deploy.get("version"))
        return dict(
            changed=True,
            before=before,
            after=after,
            plan=[request],
            diff=diff,
            task=task,
            deployed_version=deploy.get("version"),
        )
