# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The blueprint mutex (a global-catalog tag): taken, held by another holder, lost answers, release."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import time

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraConnectionError,
    ApstraError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.mutex import (
    RELEASE_ATTEMPTS,
    TAGS_PATH,
    BlueprintMutex,
    MutexHeld,
    MutexLeft,
    leftover,
    mutex_label,
)

LABEL = "blueprint bp-1 locked"
OTHER = {
    "id": "tag-9",
    "label": LABEL,
    "description": '{"holder": "terraform-provider-apstra", "user": "ci"}',
}


def mutex(client, clock, wait=0):
    return BlueprintMutex(
        client, "bp-1", wait=wait, poll_interval=3, sleep=clock.sleep, clock=clock
    )


def test_label_is_the_one_other_tools_use():
    assert mutex_label("bp-1") == LABEL


def test_taken_with_a_description_naming_this_run(apstra, clock):
    client = apstra.client({("POST", TAGS_PATH): {"id": "tag-1"}})
    lock = mutex(client, clock)
    assert lock.acquire() is False and lock.tag_id == "tag-1"
    body = client.calls[0]["body"]
    assert body["label"] == LABEL
    description = json.loads(body["description"])
    assert description["holder"] == "netops.cn2_apstra" and description["session"] == lock.nonce
    assert set(description) == {"holder", "owner", "user", "host", "pid", "session", "since"}


def test_held_by_another_holder_waits_then_fails_naming_the_holder(apstra, clock):
    client = apstra.client(
        {
            ("POST", TAGS_PATH): apstra.error(
                422, {"errors": {"label": "not unique"}}, "POST", TAGS_PATH
            ),
            ("GET", TAGS_PATH): {"items": [{"id": "x", "label": "blueprint other locked"}, OTHER]},
        }
    )
    with pytest.raises(MutexHeld) as info:
        mutex(client, clock, wait=7).acquire()
    assert info.value.holder == OTHER
    assert str(info.value) == (
        "blueprint bp-1 is locked by another tool (global-catalog tag %r: %s); waited 7s, nothing was changed"
        % (LABEL, OTHER["description"])
    )
    assert clock.sleeps == [3, 3, 3] and client.paths().count(("POST", TAGS_PATH)) == 4


def test_another_holder_that_releases_within_the_wait(apstra, clock):
    held = apstra.error(409, {"errors": "exists"}, "POST", TAGS_PATH)
    client = apstra.client(
        {
            ("POST", TAGS_PATH): apstra.Seq(held, {"id": "tag-1"}),
            ("GET", TAGS_PATH): {"items": [OTHER]},
        }
    )
    lock = mutex(client, clock, wait=10)
    assert lock.acquire() is True and lock.tag_id == "tag-1" and clock.sleeps == [3]


def test_released_between_our_create_and_our_read_is_tried_again_at_once(apstra, clock):
    held = apstra.error(422, {"errors": "not unique"}, "POST", TAGS_PATH)
    client = apstra.client(
        {("POST", TAGS_PATH): apstra.Seq(held, {"id": "tag-1"}), ("GET", TAGS_PATH): {"items": []}}
    )
    assert mutex(client, clock).acquire() is False and clock.sleeps == []


def test_a_lost_answer_on_create_finds_its_own_nonce(apstra, clock):
    client = apstra.client({("POST", TAGS_PATH): apstra.lost("POST", TAGS_PATH)})
    lock = mutex(client, clock)
    client.routes[("GET", TAGS_PATH)] = {
        "items": {"tag-1": {"label": LABEL, "description": lock.description()}}
    }
    assert lock.acquire() is False and lock.tag_id == "tag-1"
    assert client.paths() == [("POST", TAGS_PATH), ("GET", TAGS_PATH)]


def test_a_lost_answer_with_no_tag_there_fails(apstra, clock):
    client = apstra.client(
        {("POST", TAGS_PATH): apstra.lost("POST", TAGS_PATH), ("GET", TAGS_PATH): {"items": []}}
    )
    with pytest.raises(ApstraConnectionError):
        mutex(client, clock).acquire()


def test_a_lost_answer_while_another_holder_has_it_waits_like_a_refusal(apstra, clock):
    client = apstra.client(
        {
            ("POST", TAGS_PATH): apstra.lost("POST", TAGS_PATH),
            ("GET", TAGS_PATH): {"items": [OTHER]},
        }
    )
    with pytest.raises(MutexHeld):
        mutex(client, clock, wait=3).acquire()
    assert clock.sleeps == [3]


def test_another_error_is_raised_as_is(apstra, clock):
    error = apstra.error(403, {"errors": "forbidden"}, "POST", TAGS_PATH)
    client = apstra.client({("POST", TAGS_PATH): error})
    with pytest.raises(ApstraError) as info:
        mutex(client, clock).acquire()
    assert info.value is error and client.paths() == [("POST", TAGS_PATH)]


def test_release_deletes_the_tag_once_and_tolerates_it_gone(apstra, clock):
    client = apstra.client(
        {("POST", TAGS_PATH): {"id": "tag-1"}, ("DELETE", TAGS_PATH + "/tag-1"): None}
    )
    lock = mutex(client, clock)
    lock.acquire()
    lock.release()
    lock.release()
    assert client.paths().count(("DELETE", TAGS_PATH + "/tag-1")) == 1 and lock.tag_id is None
    gone = apstra.client(
        {
            ("POST", TAGS_PATH): {"id": "tag-1"},
            ("DELETE", TAGS_PATH + "/tag-1"): apstra.error(404, None, "DELETE", "x"),
        }
    )
    lock = mutex(gone, clock)
    lock.acquire()
    lock.release()
    assert lock.tag_id is None


def test_release_without_the_mutex_sends_nothing(apstra, clock):
    client = apstra.client()
    mutex(client, clock).release()
    assert client.calls == []


def test_a_release_that_keeps_failing_is_retried_then_names_the_tag_and_how_to_remove_it(
    apstra, clock
):
    client = apstra.client(
        {
            ("POST", TAGS_PATH): {"id": "tag-1"},
            ("DELETE", TAGS_PATH + "/tag-1"): apstra.error(500, None, "DELETE", "x"),
        }
    )
    lock = BlueprintMutex(
        client, "bp-1", poll_interval=3, sleep=clock.sleep, clock=clock, owner="team-x"
    )
    lock.acquire()
    with pytest.raises(MutexLeft) as info:
        lock.release()
    assert client.paths().count(("DELETE", TAGS_PATH + "/tag-1")) == RELEASE_ATTEMPTS
    assert str(info.value).startswith(
        "the blueprint mutex (global-catalog tag 'blueprint bp-1 locked', id tag-1) could not be released"
    )
    assert "DELETE /api/design/tags/tag-1" in str(
        info.value
    ) and "owner team-x takes it over" in str(info.value)


def leftover_of(owner):
    """(description, tag) of a mutex a run of ``owner`` on this host left: its process is gone."""
    gone = {
        "holder": "netops.cn2_apstra",
        "owner": owner,
        "host": socket.gethostname(),
        "pid": 2**22 + 7,
    }
    return gone, {"id": "tag-5", "label": LABEL, "description": json.dumps(gone)}


def test_the_same_owners_leftover_is_taken_over_another_owners_is_waited_for(apstra, clock):
    """A mutex a run of this owner left (its process is gone) is taken over; a live one, another owner's, or another
    tool's is not."""
    gone, left = leftover_of("team-x")
    refused = apstra.error(422, {"errors": {"label": "not unique"}}, "POST", TAGS_PATH)
    stored = {}
    client = apstra.client(
        {
            ("POST", TAGS_PATH): refused,
            ("GET", TAGS_PATH): {"items": [left]},
            ("PUT", TAGS_PATH + "/tag-5"): lambda call: stored.update(call["body"]),
            ("GET", TAGS_PATH + "/tag-5"): lambda call: dict(left, **stored),
        }
    )
    lock = BlueprintMutex(client, "bp-1", sleep=clock.sleep, clock=clock, owner="team-x")
    assert lock.acquire() is False and lock.tag_id == "tag-5" and lock.took_over == left
    assert json.loads(stored["description"])["session"] == lock.nonce
    for description in (
        dict(gone, owner="team-y"),
        dict(gone, pid=os.getpid()),
        dict(gone, holder="terraform-provider-apstra"),
    ):
        held = dict(left, description=json.dumps(description))
        client = apstra.client(
            {("POST", TAGS_PATH): refused, ("GET", TAGS_PATH): {"items": [held]}}
        )
        with pytest.raises(MutexHeld):
            BlueprintMutex(client, "bp-1", sleep=clock.sleep, clock=clock, owner="team-x").acquire()
    # on another host, a leftover is taken over once older than STALE_AFTER
    old = dict(gone, host="elsewhere", since="2020-01-01T00:00:00Z")
    assert leftover(json.dumps(old), "team-x")
    assert not leftover(
        json.dumps(dict(old, since=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))), "team-x"
    )


def test_a_live_process_of_another_user_on_this_host_is_not_a_leftover(monkeypatch):
    """os.kill(pid, 0) on another user's live process raises PermissionError: that run still holds the mutex."""
    gone, _tag = leftover_of("team-x")

    def kill(*_args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", kill)
    assert not leftover(json.dumps(gone), "team-x")


def test_a_leftover_two_runs_take_over_at_once_is_the_last_writers(apstra, clock):
    """Both runs of the owner see the leftover and rewrite it; the one whose description the tag does not hold after
    its write waits for the other, as for any holder."""
    gone, left = leftover_of("team-x")
    other_run = dict(left, description=json.dumps(dict(gone, pid=os.getpid(), session="other")))
    client = apstra.client(
        {
            ("POST", TAGS_PATH): apstra.error(
                422, {"errors": {"label": "not unique"}}, "POST", TAGS_PATH
            ),
            ("GET", TAGS_PATH): apstra.Seq({"items": [left]}, {"items": [other_run]}),
            ("PUT", TAGS_PATH + "/tag-5"): None,
            ("GET", TAGS_PATH + "/tag-5"): other_run,
        }
    )
    lock = BlueprintMutex(client, "bp-1", wait=0, sleep=clock.sleep, clock=clock, owner="team-x")
    with pytest.raises(MutexHeld):
        lock.acquire()
    assert lock.tag_id is None and lock.took_over is None


def test_a_refusal_with_no_mutex_to_show_for_it_twice_is_raised_not_sent_forever(apstra, clock):
    refused = apstra.error(422, {"errors": {"label": "invalid"}}, "POST", TAGS_PATH)
    client = apstra.client({("POST", TAGS_PATH): refused, ("GET", TAGS_PATH): {"items": []}})
    with pytest.raises(ApstraError) as info:
        mutex(client, clock, wait=60).acquire()
    assert info.value is refused
    assert client.paths() == [("POST", TAGS_PATH), ("GET", TAGS_PATH)] * 2
