"""Both emulators serve the same `/_sim/` control API (sim_core's) with the same answer shapes and fault actions."""

import pytest
import requests

from sim_core.testing import APSTRA_PASSWORD


def apstra_call(emulator):
    """One cheap API call on the Apstra emulator (a login)."""
    return requests.post(
        emulator.url + "/api/aaa/login",
        json={"username": "admin", "password": APSTRA_PASSWORD},
        timeout=10,
    )


def k8s_call(emulator):
    """One cheap API call on the Kubernetes emulator (a list)."""
    return requests.get(emulator.url + "/api/v1/namespaces", timeout=10)


@pytest.fixture(params=["apstra", "k8s"])
def emulator(request):
    """Each emulator in turn, reset, with a function making one API call on it and that call's usual status."""
    sim = request.getfixturevalue(request.param)
    return sim, {"apstra": (apstra_call, 201), "k8s": (k8s_call, 200)}[request.param]


def raw(sim, method, name, body=None):
    resp = requests.request(method, sim.url + "/_sim/" + name, json=body, timeout=10)
    return resp.status_code, resp.json()


def test_same_answers_from_both(emulator):
    sim, (api_call, ok) = emulator
    assert api_call(sim).status_code == ok
    status, log = raw(sim, "GET", "requests")
    assert status == 200 and len(log["requests"]) == 1
    assert {"method", "path", "query", "status", "write"} <= set(
        log["requests"][0]
    ) and "fault" not in log["requests"][0]
    assert raw(sim, "DELETE", "requests") == (200, {"cleared": 1})
    status, added = raw(
        sim,
        "POST",
        "faults",
        {
            "seed": 3,
            "rules": [{"action": "latency", "seconds": 0}, {"action": "error", "status": 503}],
        },
    )
    assert status == 200 and added["added"] == 2 and added["seed"] == 3 and len(added["rules"]) == 2
    assert raw(sim, "GET", "faults") == (200, {"seed": 3, "rules": added["rules"]})
    assert api_call(sim).status_code == 503
    status, log = raw(sim, "GET", "requests")
    assert log["requests"][-1]["status"] == 503 and log["requests"][-1]["fault"] == "error"
    status, state = raw(sim, "GET", "state")
    assert (
        status == 200
        and [r["action"] for r in state["faults"]] == ["latency", "error"]
        and state["faults"][1]["fired"] == 1
    )
    assert raw(sim, "DELETE", "faults") == (200, {"cleared": 2})
    assert raw(sim, "POST", "faults", {"action": "explode"})[0] == 400
    assert raw(sim, "POST", "reset") == (200, {"reset": True})
    assert raw(sim, "GET", "requests") == (200, {"requests": []})
    assert raw(sim, "GET", "nothing") == (
        404,
        {"errors": "no emulator control endpoint GET /_sim/nothing"},
    )


def test_common_actions_on_both(emulator):
    sim, (api_call, ok) = emulator
    sim.faults(
        [
            {"action": "throttle", "retry_after": 2, "nth": 1},
            {"action": "reset", "nth": 2},
            {"action": "reset_after", "nth": 3},
        ]
    )
    throttled = api_call(sim)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    for _call in range(2):
        with pytest.raises(requests.ConnectionError):
            api_call(sim)
    assert api_call(sim).status_code == ok
    assert [(r["status"], r.get("fault")) for r in sim.requests_log()] == [
        (429, "throttle"),
        (0, "reset"),
        (0, "reset_after"),
        (ok, None),
    ]
