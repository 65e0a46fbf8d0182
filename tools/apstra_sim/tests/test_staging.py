"""Staging, deploy, revert, locks, fault injection and the control API of the Apstra emulator."""

import time

import pytest
import requests

from sim_core.testing import ApstraSession

PASSWORD = "sim-admin-password"


class Api:
    def __init__(self, url):
        self.url = url
        self.session = requests.Session()
        self.login()
        self.bp = self.session.get(url + "/api/blueprints", timeout=10).json()["items"][0]["id"]

    def login(self):
        token = self.session.post(
            self.url + "/api/aaa/login",
            json={"username": "admin", "password": PASSWORD},
            timeout=10,
        ).json()["token"]
        self.session.headers["AuthToken"] = token

    def call(self, method, suffix, body=None, **kwargs):
        return self.session.request(
            method,
            "%s/api/blueprints/%s%s" % (self.url, self.bp, suffix),
            json=body,
            timeout=10,
            **kwargs,
        )

    def version(self):
        return self.call("POST", "/ql-readonly", {"query": "{ version }"}).json()["data"]["version"]

    def summary(self):
        return self.session.get(self.url + "/api/blueprints", timeout=10).json()["items"][0]

    def vn(self, label, **fields):
        resp = self.call(
            "POST", "/virtual-networks", dict({"label": label, "vn_type": "vxlan"}, **fields)
        )
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]


@pytest.fixture
def api(apstra):
    return Api(apstra.url)


def test_writes_bump_staging_version_reads_do_not(api):
    start = api.version()
    assert not api.summary()["has_uncommitted_changes"]
    api.call("GET", "/virtual-networks")
    api.call("POST", "/qe", {"query": "node('system', name='s')"})
    assert api.version() == start
    vn_id = api.vn("v1")
    api.call("PATCH", "/virtual-networks/" + vn_id, {"description": "first"})
    assert api.version() == start + 2 and api.summary()["has_uncommitted_changes"]
    assert api.call("GET", "/virtual-networks/" + vn_id).json()["description"] == "first"
    lock = api.call("GET", "/lock-status").json()
    assert (lock["lock_status"], lock["lock_type"], lock["username"]) == (
        "locked",
        "lock_by_changes",
        "admin",
    )
    status = api.call("GET", "/diff-status").json()
    assert (status["staging_version"], status["deployed_version"]) == (start + 2, start)


def test_sync_deploy_revisions_and_revert(api):
    api.vn("kept")
    version = api.version()
    resp = api.call("PUT", "/deploy", {"version": version, "description": "kept"})
    assert (resp.status_code, resp.json()) == (
        200,
        {"version": version, "state": "success", "error": None},
    )
    assert api.call("GET", "/deploy").json() == {"version": version, "state": "success"}
    assert not api.summary()["has_uncommitted_changes"]
    assert api.call("GET", "/revisions").json()["items"][-1]["description"] == "kept"
    api.vn("dropped")
    assert api.call("POST", "/revert").status_code == 200
    labels = {
        vn["label"]
        for vn in api.call("GET", "/virtual-networks").json()["virtual_networks"].values()
    }
    assert labels == {"kept"} and not api.summary()["has_uncommitted_changes"]
    assert api.version() > version
    assert api.call("GET", "/lock-status").json()["lock_status"] == "unlocked"


def test_async_deploy_task_advances_with_polls(api):
    api.vn("v1")
    resp = api.call("PUT", "/deploy", {"version": api.version()}, params={"async": "full"})
    assert resp.status_code == 202
    task_id = resp.json()["task_id"]
    states = [api.call("GET", "/tasks/" + task_id).json()["status"] for _poll in range(3)]
    assert states == ["in_progress", "succeeded", "succeeded"]
    assert api.call("GET", "/deploy").json()["state"] == "success"


def test_deploy_with_stale_version_or_build_errors_is_refused(api):
    stale = api.version()
    api.vn("v1")
    resp = api.call("PUT", "/deploy", {"version": stale})
    assert (resp.status_code, resp.json()) == (
        409,
        {"errors": "Deploy version %d does not match the staging version %d" % (stale, stale + 1)},
    )
    api.vn("no-subnet", ipv4_enabled=True)
    errors = api.call("GET", "/errors").json()
    assert errors["errors_count"] == 1 and list(errors["nodes"][next(iter(errors["nodes"]))]) == [
        "ipv4_subnet"
    ]
    resp = api.call("PUT", "/deploy", {"version": api.version()})
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": "Blueprint has 1 build error(s); resolve them before deploying"},
    )


def test_user_lock(api, apstra):
    assert api.call("PUT", "/lock-blueprint").status_code == 204
    assert api.call("GET", "/lock-status").json()["lock_type"] == "lock_by_user"
    assert api.call("PUT", "/unlock-blueprint").status_code == 204
    apstra.control("POST", "users", {"username": "alice", "password": "pw"})
    apstra.faults({"action": "lock", "username": "alice"})
    resp = api.call("POST", "/virtual-networks", {"label": "v1", "vn_type": "vxlan"})
    assert (resp.status_code, resp.json()) == (
        409,
        {"errors": "Blueprint dc1 is locked by user alice"},
    )
    lock = api.call("GET", "/lock-status").json()
    assert (lock["lock_type"], lock["username"], lock["possible_override"]) == (
        "lock_by_user",
        "alice",
        False,
    )
    assert (
        ApstraSession(apstra.url, "alice", "pw").call("PUT", "/unlock-blueprint").status_code == 204
    )
    api.vn("v1")


def test_fault_error_on_nth_call_and_request_log(api, apstra):
    apstra.clear_log()
    apstra.faults(
        {"action": "error", "method": "GET", "path": "/virtual-networks$", "nth": 2, "status": 503}
    )
    codes = [api.call("GET", "/virtual-networks").status_code for _poll in range(3)]
    assert codes == [200, 503, 200]
    api.vn("v1")
    api.call("POST", "/qe", {"query": "node('system', name='s')"})
    log = apstra.requests_log()
    assert [(r["method"], r["status"], r["write"]) for r in log] == [
        ("GET", 200, False),
        ("GET", 503, False),
        ("GET", 200, False),
        ("POST", 201, True),
        ("POST", 200, False),
    ]
    assert (
        log[0]["path"] == "/api/blueprints/%s/virtual-networks" % api.bp and log[0]["query"] == ""
    )
    assert [r["path"].rsplit("/", 1)[1] for r in apstra.writes()] == ["virtual-networks"]
    apstra.clear_log()
    assert apstra.requests_log() == []


def test_fractional_faults_are_seeded(api, apstra):
    def pattern():
        apstra.reset()
        apstra.faults(
            {
                "seed": 7,
                "rules": [
                    {"action": "error", "path": "/diff-status", "probability": 0.5, "status": 500}
                ],
            }
        )
        return [api.call("GET", "/diff-status").status_code for _poll in range(20)]

    first = pattern()
    assert first == pattern() and {500, 200} == set(first)


def test_throttle_latency_reset_and_token_expiry(api, apstra):
    apstra.faults(
        [
            {"action": "throttle", "path": "/diff-status", "retry_after": 3},
            {"action": "latency", "path": "/errors", "seconds": 0.3},
        ]
    )
    resp = api.call("GET", "/diff-status")
    assert (resp.status_code, resp.headers["Retry-After"], resp.json()) == (
        429,
        "3",
        {"errors": "Too many requests"},
    )
    started = time.monotonic()
    assert api.call("GET", "/errors").status_code == 200 and time.monotonic() - started >= 0.3
    apstra.control("DELETE", "faults")
    apstra.faults({"action": "reset", "path": "/revisions", "nth": 1})
    with pytest.raises(requests.ConnectionError):
        api.call("GET", "/revisions")
    assert api.call("GET", "/revisions").status_code == 200
    apstra.faults({"action": "expire_token", "path": "/security-zones", "nth": 1})
    resp = api.call("GET", "/security-zones")
    assert (resp.status_code, resp.json()) == (401, {"errors": "Invalid or expired auth token"})
    api.login()
    assert api.call("GET", "/security-zones").status_code == 200
    assert [r["status"] for r in apstra.requests_log() if r["path"].endswith("/revisions")] == [
        0,
        200,
    ]


def test_concurrent_writer_and_failing_deploy(api, apstra):
    api.vn("v1")
    seen = api.version()
    apstra.faults({"action": "bump_version", "method": "PUT", "path": "/deploy$", "nth": 1})
    assert api.call("PUT", "/deploy", {"version": seen}).status_code == 409
    assert api.version() == seen + 1
    apstra.faults({"action": "deploy_fail", "message": "leaf2 rejected the configuration"})
    task_id = api.call(
        "PUT", "/deploy", {"version": api.version()}, params={"async": "full"}
    ).json()["task_id"]
    task = [api.call("GET", "/tasks/" + task_id).json() for _poll in range(2)][-1]
    assert task["status"] == "failed" and task["detailed_status"]["errors"] == [
        "leaf2 rejected the configuration"
    ]
    assert api.call("GET", "/deploy").json()["state"] == "failure"
    status = api.call("GET", "/diff-status").json()
    assert (status["deploy_status"], status["deploy_error"]) == (
        "failure",
        "leaf2 rejected the configuration",
    )
    assert api.summary()["has_uncommitted_changes"]


def test_control_api_state_reset_and_bad_rules(api, apstra):
    api.vn("v1")
    apstra.faults({"action": "latency", "seconds": 0.01})
    state = apstra.state()
    (blueprint,) = state["blueprints"].values()
    assert [vn["label"] for vn in blueprint["virtual_networks"].values()] == ["v1"]
    assert state["faults"][0]["action"] == "latency"
    apstra.reset()
    state = apstra.state()
    assert state["faults"] == [] and list(state["blueprints"].values())[0]["virtual_networks"] == {}
    assert apstra.requests_log() == []
    resp = requests.post(apstra.url + "/_sim/faults", json={"action": "explode"}, timeout=10)
    assert resp.status_code == 400 and "action is one of" in resp.json()["errors"]
    assert requests.delete(apstra.url + "/_sim/faults", timeout=10).json() == {"cleared": 0}
    resp = requests.post(
        apstra.url + "/_sim/faults", json={"action": "error", "colour": "red"}, timeout=10
    )
    assert (resp.status_code, resp.json()) == (
        400,
        {"errors": "unknown fault rule option(s) for error: colour"},
    )
