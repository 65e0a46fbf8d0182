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


class MutexHeld(ApstraError):
    """Another tool holds the blueprint mutex and did not release it within the wait."""

    def __init__(self, message, holder):
        self.holder = holder
        super(MutexHeld, self).__init__(message)


def mutex_label(bp_id):
    return "blueprint %s locked" % bp_id


class BlueprintMutex:
    def __init__(
        self, client, bp_id, wait=0, poll_interval=1.0, sleep=time.sleep, clock=time.monotonic
    ):
        self.client = client
        self.bp_id = bp_id
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
        waited = False
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
                    if isinstance(exc, ApstraConnectionError):
                        raise
                    continue  # released between our create and our read: try again
                if self.nonce in (tag.get("description") or ""):
                    self.tag_id = tag.get("id")  # our create was applied, only its answer was lost
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

    def release(self):
        if self.tag_id is None:
            return
        try:
            self.client.request("DELETE", "%s/%s" % (TAGS_PATH, self.tag_id))
        except ApstraError as exc:
            if exc.status != 404:
                raise
        self.tag_id = None
