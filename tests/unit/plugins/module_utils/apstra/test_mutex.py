# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The blueprint mutex (a global-catalog tag): taken, held by another holder, lost answers, release."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraConnectionError,
    ApstraError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.mutex import (
    TAGS_PATH,
    BlueprintMutex,
    MutexHeld,
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
    assert set(description) == {"holder", "user", "host", "pid", "session", "since"}


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


def test_release_failing_otherwise_is_raised(apstra, clock):
    client = apstra.client(
        {
            ("POST", TAGS_PATH): {"id": "tag-1"},
            ("DELETE", TAGS_PATH + "/tag-1"): apstra.error(500, None, "DELETE", "x"),
        }
    )
    lock = mutex(client, clock)
    lock.acquire()
    with pytest.raises(ApstraError):
        lock.release()
