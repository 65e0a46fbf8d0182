# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The blueprint mutex other Apstra automation honours (terraform-provider-apstra, apstra-go-sdk).

A global-catalog tag labelled ``blueprint <id> locked`` says one tool is writing to that blueprint; creating the
tag is the lock (Apstra refuses a second tag with the same label), deleting it the unlock. The description says
who holds it. This collection takes it around its own writes and deploy, and waits for (or refuses) another
holder's. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import getpass
import json
import os
import socket
import time
import uuid

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraConnectionError,
    ApstraError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import values

TAGS_PATH = "/api/design/tags"
HOLDER = "netops.cn2_apstra"
RELEASE_ATTEMPTS = 4
# A mutex this collection left for the same owner on another host is taken over once it is this old (no run of the
# collection holds it that long: the deploy wait is 300 s by default).
STALE_AFTER = 3600


class MutexHeld(ApstraError):
    """Another tool holds the blueprint mutex and did not release it within the wait."""

    def __init__(self, message, holder):
        self.holder = holder
        super(MutexHeld, self).__init__(message)


class MutexLeft(ApstraError):
    """The mutex could not be released: its tag is still in the global catalog."""


def leftover(description, owner, now=None):
    """Whether a mutex tag's description says this collection left it for ``owner``: its run ended (same host, the
    process is gone) or it is older than STALE_AFTER seconds."""
    try:
        held = json.loads(description or "")
    except ValueError:
        return False
    if not isinstance(held, dict) or held.get("holder") != HOLDER or held.get("owner") != owner:
        return False
    if held.get("host") == socket.gethostname():
        try:
            os.kill(int(held.get("pid")), 0)
        except PermissionError:
            return False  # alive: another user's process
        except (OSError, TypeError, ValueError):
            return True
        return False
    since = calendar.timegm(
        time.strptime(held.get("since") or "1970-01-01T00:00:00Z", "%Y-%m-%dT%H:%M:%SZ")
    )
    return (now or time.time()) - since >= STALE_AFTER


def mutex_label(bp_id):
    return "blueprint %s locked" % bp_id


class BlueprintMutex:
    def __init__(
        self,
        client,
        bp_id,
        wait=0,
        poll_interval=1.0,
        sleep=time.sleep,
        clock=time.monotonic,
        owner=None,
    ):
        self.client = client
        self.bp_id = bp_id
        self.owner = owner
        self.took_over = None
        self.wait = wait
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.clock = clock
        self.tag_id = None
        self.nonce = str(uuid.uuid4())

    def description(self):
        return json.dumps(
            {
                "holder": HOLDER,
                "owner": self.owner,
                "user": getpass.getuser(),
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "session": self.nonce,
                "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            sort_keys=True,
        )

    def _find(self):
        for tag in values(self.client.get(TAGS_PATH), "items"):
            if tag.get("label") == mutex_label(self.bp_id):
                return tag
        return None

    def acquire(self):
        """Take the mutex; returns True when another holder had to be waited for. Raises MutexHeld after ``wait`` seconds."""
        deadline = self.clock() + self.wait
        waited = vanished = False
        while True:
            try:
                answer = self.client.post(
                    TAGS_PATH,
                    body={"label": mutex_label(self.bp_id), "description": self.description()},
                )
                self.tag_id = (answer or {}).get("id")
                return waited
            except ApstraError as exc:
                if not isinstance(exc, ApstraConnectionError) and exc.status not in (409, 422):
                    raise
                tag = self._find()
                if tag is None:
                    # released between our create and our read: try again, once (a refusal without a mutex to show
                    # for it twice in a row is another error)
                    if isinstance(exc, ApstraConnectionError) or vanished:
                        raise
                    vanished = True
                    continue
                vanished = False
                if self.nonce in (tag.get("description") or ""):
                    self.tag_id = tag.get("id")  # our create was applied, only its answer was lost
                    return waited
                if (
                    self.owner
                    and leftover(tag.get("description"), self.owner)
                    and self.take_over(tag)
                ):
                    return waited
                if self.clock() >= deadline:
                    raise MutexHeld(
                        "blueprint %s is locked by another tool (global-catalog tag %r: %s); waited %ss, nothing was changed"
                        % (
                            self.bp_id,
                            tag.get("label"),
                            tag.get("description") or "no description",
                            self.wait,
                        ),
                        holder=tag,
                    ) from exc
                waited = True
                self.sleep(self.poll_interval)

    def take_over(self, tag):
        """A mutex an earlier run of this owner left (it could not release it) becomes this run's; False when another
        run of the owner took it over at the same time (the tag, read back, names that run)."""
        path = "%s/%s" % (TAGS_PATH, tag.get("id"))
        self.client.request(
            "PUT", path, body={"label": tag.get("label"), "description": self.description()}
        )
        if self.nonce not in (self.client.get(path).get("description") or ""):
            return False
        self.tag_id = tag.get("id")
        self.took_over = tag
        return True

    def release(self):
        """Delete the tag, trying RELEASE_ATTEMPTS times; raises MutexLeft naming the tag and how to remove it."""
        if self.tag_id is None:
            return
        path = "%s/%s" % (TAGS_PATH, self.tag_id)
        for attempt in range(RELEASE_ATTEMPTS):
            try:
                self.client.request("DELETE", path)
                break
            except ApstraError as exc:
                if exc.status == 404:
                    break  # gone: a lost answer to our delete, or removed by hand
                if attempt + 1 == RELEASE_ATTEMPTS:
                    raise MutexLeft(
                        "the blueprint mutex (global-catalog tag %r, id %s) could not be released: %s; other tools "
                        "wait for it until it is removed: delete it in Apstra (Design > Tags) or with DELETE %s, or "
                        "run again: the next run of owner %s takes it over"
                        % (mutex_label(self.bp_id), self.tag_id, exc, path, self.owner or "-")
                    ) from exc
                self.sleep(self.poll_interval * (2**attempt))
        self.tag_id = None
