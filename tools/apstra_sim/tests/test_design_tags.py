"""Global catalog design tags, and the blueprint mutex terraform-provider-apstra / apstra-go-sdk build on them."""

import json

import pytest

from sim_core.testing import ApstraSession


@pytest.fixture
def admin(apstra):
    return ApstraSession(apstra.url)


def test_tag_crud_and_listing(admin, apstra):
    version = admin.version()
    resp = admin.api(
        "POST", "design/tags", {"label": "research", "description": "owned by research"}
    )
    assert resp.status_code == 201 and set(resp.json()) == {"id"}
    tag_id = resp.json()["id"]
    tag = admin.api("GET", "design/tags/" + tag_id).json()
    assert (tag["id"], tag["label"], tag["description"]) == (
        tag_id,
        "research",
        "owned by research",
    )
    assert tag["created_at"] == tag["last_modified_at"] and tag["created_at"].endswith("Z")
    assert admin.api("GET", "design/tags").json() == {"items": [tag]}
    assert admin.api("OPTIONS", "design/tags").json() == {"items": [tag_id]}
    assert (
        admin.api(
            "PUT", "design/tags/" + tag_id, {"label": "Research", "description": ""}
        ).status_code
        == 204
    )
    assert admin.api("GET", "design/tags/" + tag_id).json()["label"] == "Research"
    assert admin.api("DELETE", "design/tags/" + tag_id).status_code == 204
    resp = admin.api("GET", "design/tags/" + tag_id)
    assert (resp.status_code, resp.json()) == (404, {"errors": "Tag %s not found" % tag_id})
    assert admin.api("DELETE", "design/tags/" + tag_id).status_code == 404
    assert (
        admin.version() == version
        and not admin.api("GET", "blueprints").json()["items"][0]["has_uncommitted_changes"]
    ), "the global catalog is not staging"
    assert [
        (r["method"], r["write"]) for r in apstra.requests_log() if "/design/tags" in r["path"]
    ][:3] == [("POST", True), ("GET", False), ("GET", False)]


def test_tag_validation(admin, apstra):
    admin.api("POST", "design/tags", {"label": "Team-A"})
    resp = admin.api("POST", "design/tags", {"label": "team-a", "description": "x"})
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": {"label": 'Tag with label "team-a" already exists'}},
    ), "labels are case-insensitive"
    resp = admin.api("POST", "design/tags", {"description": "x"})
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": {"label": "Missing data for required field."}},
    )
    resp = admin.api("POST", "design/tags", {"label": "x" * 65})
    assert resp.json() == {"errors": {"label": "Longer than maximum length 64."}}
    resp = admin.api("POST", "design/tags", {"label": "ok", "colour": "red"})
    assert resp.json() == {"errors": {"colour": "Unknown field."}}
    assert admin.api("POST", "design/tags", {"label": "x" * 64}).status_code == 201
    apstra.reset()
    assert ApstraSession(apstra.url).api("GET", "design/tags").json() == {
        "items": []
    }, "reset empties the catalog"


def try_lock(session, message):
    """apstra-go-sdk TwoStageL3ClosMutex.TryLock: lock-status must be unlocked (or ours), then create the tag.

    Returns (True, tag id) or (False, the holder's message)."""
    lock = session.get("/lock-status").json()
    if lock["lock_status"] != "unlocked" and lock.get("user_id") != session.user_id:
        return False, "blueprint lock: %s by %s" % (lock["lock_type"], lock["username"])
    label = "blueprint %s locked" % session.bp
    resp = session.api("POST", "design/tags", {"label": label, "description": message})
    if resp.status_code == 201:
        return True, resp.json()["id"]
    assert resp.status_code == 422 and "already exists" in resp.text, resp.text
    holder = next(
        t for t in session.api("GET", "design/tags").json()["items"] if t["label"] == label
    )
    return False, holder["description"]


def test_blueprint_mutex_as_apstra_go_sdk_takes_it(admin, apstra):
    apstra.control("POST", "users", {"username": "terraform", "password": "tf"})
    other = ApstraSession(apstra.url, "terraform", "tf")
    mine = json.dumps({"holder": "netops.cn2_apstra", "user": "admin", "job": 42})
    taken, tag_id = try_lock(admin, mine)
    assert taken and len("blueprint %s locked" % admin.bp) <= 64
    assert try_lock(other, "locked by terraform at now") == (
        False,
        mine,
    ), "the holder's description tells who holds it"
    admin.call("POST", "/virtual-networks", {"label": "staged", "vn_type": "vxlan"})
    assert admin.api("DELETE", "design/tags/" + tag_id).status_code == 204
    assert try_lock(other, "locked by terraform") == (
        False,
        "blueprint lock: lock_by_changes by admin",
    ), "staged changes of another user also keep the mutex from being taken"
    admin.call("POST", "/revert")
    taken, other_tag = try_lock(other, "locked by terraform at now")
    assert taken and other_tag != tag_id
