"""sim_core's fault rules, request log and control API, without a server."""

import json

import pytest

from sim_core.control import ControlApi
from sim_core.faults import ANSWER, EFFECT, Action, FaultRuleError, FaultSet
from sim_core.log import RequestLog

EXTRA = {
    "poison": Action(
        "poison", ("dose",), EFFECT, once=True, defaults={"method": "PUT", "path": "/deploy$"}
    ),
    "refuse": Action("refuse", ("message",), ANSWER, defaults={"verb": ("update", "patch")}),
}


def call(faults, method="GET", path="/api/things", **keys):
    return faults.fire(dict(keys, method=method, path=path))


@pytest.mark.parametrize(
    "spec, message",
    [
        (
            {"action": "explode"},
            "a fault rule is an object whose action is one of: error, latency, reset, reset_after, throttle",
        ),
        ("error", 'fault rules are an object, a list of objects, or {"seed": N, "rules": [...]}'),
        ({"action": "error", "colour": "red"}, "unknown fault rule option(s) for error: colour"),
        ({"action": "latency", "status": 500}, "unknown fault rule option(s) for latency: status"),
        ({"action": "error", "nth": 0}, "nth must be a positive integer"),
        ({"action": "error", "nth": True}, "nth must be a positive integer"),
        ({"action": "error", "probability": 1.5}, "probability must be between 0 and 1"),
        ({"action": "error", "times": -1}, "times must be an integer >= 0"),
        ({"action": "error", "status": 99}, "status must be an HTTP status code"),
        ({"action": "latency", "seconds": -1}, "seconds must be a number >= 0"),
        ({"action": "throttle", "retry_after": "soon"}, "retry_after must be a number >= 0"),
        ({"action": "reset", "path": "("}, "invalid path regex"),
        ({"action": "error", "verb": "list"}, "unknown fault rule option(s) for error: verb"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(spec, message):
    with pytest.raises(FaultRuleError) as error:
        FaultSet().add(spec)
    assert str(error.value).startswith(message)


def test_nth_times_and_counters():
    faults = FaultSet()
    faults.add({"action": "error", "method": "get", "path": "/things$", "nth": 2})
    fired = [call(faults).failure is not None for _call in range(4)]
    assert fired == [False, True, False, False], "nth fires once by default"
    assert (
        call(faults, method="POST").failure is None and call(faults, path="/other").failure is None
    )
    faults.add({"action": "error", "path": "/things$", "nth": 2, "times": 2})
    assert [call(faults).failure is not None for _call in range(4)] == [False, True, True, False]
    faults.clear()
    faults.add({"action": "error"})
    assert all(
        call(faults).failure is not None for _call in range(5)
    ), "without nth or probability: every matching call"
    assert faults.describe()[0]["matched"] == faults.describe()[0]["fired"] == 5


def test_probability_is_seeded_and_clear_reseeds():
    def pattern(faults):
        return [call(faults).failure is not None for _call in range(40)]

    faults = FaultSet(seed=7)
    faults.add({"action": "error", "probability": 0.5})
    first = pattern(faults)
    assert faults.clear() == 1
    faults.add({"action": "error", "probability": 0.5})
    assert pattern(faults) == first and set(first) == {True, False}
    faults.add({"seed": 8, "rules": []})
    faults.clear()
    faults.add({"action": "error", "probability": 0.5})
    assert pattern(faults) != first and faults.to_json()["seed"] == 8


def test_outcome_adds_latencies_keeps_effects_and_the_first_failure():
    faults = FaultSet(EXTRA)
    faults.add(
        [
            {"action": "latency", "seconds": 0.25},
            {"action": "poison", "method": "GET", "path": ""},
            {"action": "latency"},
            {"action": "throttle", "retry_after": 3},
            {"action": "error", "status": 500},
            {"action": "reset_after"},
        ]
    )
    outcome = call(faults)
    assert outcome.delay == pytest.approx(0.35)
    assert [r.action for r in outcome.effects] == ["poison"] and outcome.effect("poison").option(
        "dose", 1
    ) == 1
    assert outcome.failure.action == "throttle" and not outcome.drop_before and outcome.drop_after
    assert outcome.fault == "throttle"
    faults.clear()
    faults.add([{"action": "reset"}, {"action": "error"}])
    outcome = call(faults)
    assert outcome.drop_before and outcome.fault == "reset"
    faults.clear()
    faults.add({"action": "reset_after"})
    outcome = call(faults)
    assert outcome.failure is None and outcome.drop_after and outcome.fault == "reset_after"
    assert call(FaultSet()).fault is None


def test_extension_actions_defaults_and_match_keys():
    faults = FaultSet(EXTRA, match_keys=("verb", "resource"))
    faults.add([{"action": "poison"}, {"action": "refuse", "resource": "pods"}])
    assert (
        call(faults, method="PUT", path="/api/x/deploy", verb="update").effect("poison") is not None
    )
    assert (
        call(faults, method="PUT", path="/api/x/deploy").effect("poison") is None
    ), "state actions fire once"
    assert (
        call(faults, verb="list", resource="pods").failure is None
    ), "refuse matches update and patch by default"
    assert call(faults, verb="patch", resource="nodes").failure is None
    assert call(faults, verb="patch", resource="pods").failure.action == "refuse"
    faults.add({"action": "refuse", "verb": "list"})
    assert call(faults, verb="list", resource="nodes").failure.action == "refuse"


def control_api():
    state = {"things": 1}
    log = RequestLog()
    faults = FaultSet(EXTRA)
    api = ControlApi(
        faults,
        log,
        reset=lambda: state.update(things=0),
        state=lambda: dict(state),
        endpoints={("POST", "echo"): lambda body: (200, {"echo": body})},
    )
    return api, log, faults, state


def test_control_api_answers():
    api, log, faults, state = control_api()
    log.add({"method": "GET", "path": "/api/x", "query": "", "status": 200, "write": False})
    assert api.handle("GET", "/_sim/requests") == (
        200,
        {
            "requests": [
                {"method": "GET", "path": "/api/x", "query": "", "status": 200, "write": False}
            ]
        },
    )
    assert api.handle("DELETE", "/_sim/requests") == (200, {"cleared": 1})
    status, body = api.handle(
        "POST", "/_sim/faults", json.dumps([{"action": "latency"}, {"action": "poison"}]).encode()
    )
    assert (
        status == 200
        and body["added"] == 2
        and body["seed"] == 0
        and [r["action"] for r in body["rules"]] == ["latency", "poison"]
    )
    assert body["rules"][0] == {"action": "latency", "matched": 0, "fired": 0}
    assert api.handle("GET", "/_sim/faults")[1] == {"seed": 0, "rules": body["rules"]}
    assert api.handle("GET", "/_sim/state") == (200, {"things": 1, "faults": body["rules"]})
    assert api.handle("DELETE", "/_sim/faults") == (200, {"cleared": 2})
    faults.add({"action": "error"})
    log.add({"method": "GET"})
    assert api.handle("POST", "/_sim/reset") == (200, {"reset": True})
    assert state == {"things": 0} and faults.describe() == [] and log.entries() == []
    assert api.handle("POST", "/_sim/echo/", b'{"a": 1}') == (200, {"echo": {"a": 1}})


def test_control_api_errors():
    api = control_api()[0]
    assert api.handle("POST", "/_sim/faults", b"{nope") == (
        400,
        {"errors": "Request body is not valid JSON"},
    )
    assert api.handle("POST", "/_sim/faults", b'{"action": "explode"}')[0] == 400
    assert api.handle("POST", "/_sim/faults", b'{"rules": [], "colour": 1}') == (
        400,
        {"errors": "unknown key(s) beside rules: colour"},
    )
    assert api.handle("GET", "/_sim/nothing") == (
        404,
        {"errors": "no emulator control endpoint GET /_sim/nothing"},
    )
    assert api.handle("PUT", "/_sim/reset") == (
        404,
        {"errors": "no emulator control endpoint PUT /_sim/reset"},
    )
