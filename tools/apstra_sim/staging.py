"""Staging of a blueprint: version bookkeeping, build errors, deploy, tasks, revisions, revert and the lock."""

import time
import uuid

from apstra_sim.common import now_iso, user_id
from apstra_sim.errors import Conflict, NotFound, Unprocessable


class StagingMixin:
    """Staging, deploy and lock. Part of `Blueprint`."""

    def check_writable(self, user):
        lock = self.lock
        if lock and lock.get("until") is not None and lock["until"] <= time.monotonic():
            self.lock = lock = None
        if lock and lock["username"] != user:
            raise Conflict("Blueprint %s is locked by user %s" % (self.label, lock["username"]))

    def touch(self, user):
        """Record a staging write: bump the version and mark uncommitted changes."""
        self.version += 1
        self.uncommitted = True
        self.user = user
        self.last_modified = now_iso()

    def build_errors(self):
        nodes = {}
        for vn in self.graph.of_type("virtual_network"):
            if vn["ipv4_enabled"] and not vn["ipv4_subnet"]:
                nodes[vn["id"]] = {
                    "ipv4_subnet": "IPv4 is enabled but no IPv4 subnet is set and no IP pool is assigned"
                }
        return {
            "nodes": nodes,
            "relationships": {},
            "errors_count": len(nodes),
            "warnings_count": 0,
            "version": self.version,
        }

    def deploy(self, body, user, run_async, fail_message=None):
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("version"), int)
            or isinstance(body.get("version"), bool)
        ):
            raise Unprocessable({"version": "Missing data for required field."})
        self.check_writable(user)
        if body["version"] != self.version:
            raise Conflict(
                "Deploy version %d does not match the staging version %d"
                % (body["version"], self.version)
            )
        errors = self.build_errors()
        if errors["errors_count"]:
            raise Unprocessable(
                "Blueprint has %d build error(s); resolve them before deploying"
                % errors["errors_count"]
            )
        snapshot, description = self.graph.copy(), body.get("description") or ""
        if not run_async:
            self._finish_deploy(snapshot, body["version"], description, user, fail_message)
            return {
                "version": body["version"],
                "state": self.deploy_state["state"],
                "error": self.deploy_state["error"],
            }
        task_id = str(uuid.UUID(int=len(self.tasks) + 1, version=4))
        self.tasks[task_id] = {
            "id": task_id,
            "type": "deploy",
            "status": "init",
            "created_at": now_iso(),
            "config_last_updated_at": now_iso(),
            "user_name": user,
            "user_id": user_id(user),
            "request_data": {
                "url": "/api/blueprints/%s/deploy" % self.id,
                "method": "PUT",
                "data": "",
                "args": {"async": "full"},
            },
            "_polls": 0,
            "_started": time.monotonic(),
            "_job": (snapshot, body["version"], description, user, fail_message),
        }
        return {"task_id": task_id}

    def _finish_deploy(self, snapshot, version, description, user, fail_message):
        if fail_message:
            self.deploy_state = {
                "version": self.deployed_version,
                "state": "failure",
                "error": fail_message,
            }
            return False
        self.deployed, self.deployed_version = snapshot, version
        self.deploy_state = {"version": version, "state": "success", "error": None}
        if version == self.version:
            self.uncommitted = False
            if self.lock and self.lock["type"] == "lock_by_changes":
                self.lock = None
        self.revisions.append(
            {
                "revision_id": str(len(self.revisions) + 1),
                "version": version,
                "description": description,
                "created_at": now_iso(),
                "user": user,
                "user_ip": "127.0.0.1",
                "keep": False,
                "auto_saved": True,
            }
        )
        return True

    def advance_tasks(self):
        """Move unfinished tasks on: a task completes after `task_polls` polls or `task_seconds` seconds."""
        for task in self.tasks.values():
            if task["status"] in ("succeeded", "failed", "timeout"):
                continue
            if (
                task["_polls"] >= self.backend.task_polls
                or time.monotonic() - task["_started"] >= self.backend.task_seconds
            ):
                ok = self._finish_deploy(*task["_job"])
                task["status"] = "succeeded" if ok else "failed"
                task["last_updated_at"] = now_iso()
                task["detailed_status"] = {
                    "api_response": {},
                    "errors": [] if ok else [self.deploy_state["error"]],
                    "error": None if ok else self.deploy_state["error"],
                }
            elif task["_polls"] > 0 and task["status"] == "init":
                task["status"] = "in_progress"
                task["begin_at"] = now_iso()

    @staticmethod
    def task_view(task, detail):
        view = {k: v for k, v in task.items() if not k.startswith("_")}
        if not detail:
            view.pop("detailed_status", None)
        return view

    def get_task(self, task_id):
        task = self.tasks.get(task_id)
        if task is None:
            raise NotFound("Task %s not found" % task_id)
        task["_polls"] += 1
        self.advance_tasks()
        return self.task_view(task, True)

    def list_tasks(self):
        return {"items": [self.task_view(t, False) for t in self.tasks.values()]}

    def diff_status(self):
        return {
            "status": "completed",
            "staging_version": self.version,
            "deployed_version": self.deployed_version,
            "operation_version": self.deployed_version,
            "logical_diff_supported": True,
            "cache_diff_supported": True,
            "deploy_config_version": self.deploy_state["version"],
            "deploy_status_version": self.deploy_state["version"],
            "deploy_status": self.deploy_state["state"],
            "deploy_error": self.deploy_state["error"],
        }

    def revert(self, user):
        self.check_writable(user)
        self.graph = self.deployed.copy()
        self.touch(user)
        self.uncommitted = False
        if self.lock and self.lock["type"] == "lock_by_changes":
            self.lock = None

    def concurrent_write(self, username):
        """Another user changes staging (fault injection): the version moves on under the client."""
        self.touch(username)

    def lock_status(self, user):
        lock = self.lock
        if lock and lock.get("until") is not None and lock["until"] <= time.monotonic():
            self.lock = lock = None
        if lock and lock.get("polls") is not None:
            if lock["polls"] <= 0:
                self.lock = lock = None
            else:
                lock["polls"] -= 1
        if lock:
            return {
                "lock_status": "locked",
                "lock_type": lock["type"],
                "username": lock["username"],
                "user_id": user_id(lock["username"]),
                "first_name": "",
                "last_name": "",
                "possible_override": lock["username"] == user,
            }
        if self.uncommitted and self.user:
            return {
                "lock_status": "locked",
                "lock_type": "lock_by_changes",
                "username": self.user,
                "user_id": user_id(self.user),
                "first_name": "",
                "last_name": "",
                "possible_override": self.user == user,
            }
        return {"lock_status": "unlocked", "lock_type": "unlocked"}

    def lock_by_user(self, username, seconds=None):
        self.check_writable(username)
        self.lock = {
            "type": "lock_by_user",
            "username": username,
            "until": time.monotonic() + seconds if seconds else None,
        }

    def unlock(self, user):
        self.check_writable(user)
        self.lock = None
