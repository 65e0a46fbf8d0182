"""Each request-log entry of both emulators gives the emulator's time on the call (`elapsed_ms`, the configured latency
and fault delays left out) and the size of the response body it sent (`bytes`). Only plausibility is checked here:
how fast the emulator is, is the benchmark's business (python -m apstra_sim.bench), never a test's.
"""

import pytest
import requests

from apstra_sim.server import Simulator
from sim_core.log import CallClock, RequestLog
from sim_core.testing import APSTRA_PASSWORD, DEMO_TOPOLOGY, ApstraSession


class FakeTime:
    """A clock that moves only when told to (or when slept on)."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_call_clock_leaves_out_what_is_paused():
    fake = FakeTime()
    clock = CallClock(timer=fake, sleeper=fake.sleep)
    fake.now += 0.002
    clock.sleep(30.0)
    with clock.paused():
        fake.now += 5.0
    fake.now += 0.001
    assert clock.elapsed_ms() == 3.0
    log = RequestLog()
    entry = {"method": "GET", "path": "/x", "query": "", "status": 200, "write": False}
    log.add(entry, clock, 12)
    assert log.entries() == [dict(entry, elapsed_ms=3.0, bytes=12)]
    log.add({"method": "GET"})
    assert log.entries()[1] == {"method": "GET"}


def test_apstra_latency_and_fault_delays_are_not_the_emulators_time():
    sim = Simulator(
        str(DEMO_TOPOLOGY),
        latency=600.0,
        faults=[{"action": "latency", "path": "/api/version", "seconds": 900.0}],
    )
    fake = FakeTime()
    clock = CallClock(timer=fake, sleeper=fake.sleep)
    result = sim.call("GET", "/api/version", {}, None, None, clock)
    assert result.status == 200 and fake.now == 100.0 + 600.0 + 900.0
    assert clock.elapsed_ms() == 0.0


def test_apstra_log_gives_time_and_size(apstra):
    api = ApstraSession(apstra.url)
    leaf1 = api.systems()["leaf1"]
    apstra.clear_log()
    answers = [
        api.call("POST", "/qe", {"query": "node('system', role='leaf', name='leaf')"}),
        api.call(
            "POST",
            "/virtual-networks",
            {"label": "vn-1", "vn_type": "vxlan", "bound_to": [{"system_id": leaf1}]},
        ),
        api.call("POST", "/virtual-networks", {"label": "bad label!", "vn_type": "vxlan"}),
        api.call("PUT", "/lock-blueprint"),
        api.call("GET", "/no-such-call"),
        api.session.post(
            api.url + "/api/blueprints/%s/qe" % api.bp,
            data="{not json",
            headers={"Content-Type": "application/json"},
            timeout=10,
        ),
    ]
    assert [a.status_code for a in answers] == [200, 201, 422, 204, 404, 400]
    log = apstra.requests_log()
    assert len(log) == len(answers)
    for entry, answer in zip(log, answers):
        assert isinstance(entry["elapsed_ms"], float) and entry["elapsed_ms"] >= 0, entry
        assert entry["bytes"] == len(answer.content), entry
        assert {"method", "path", "query", "status", "write"} <= set(entry)
    apstra.faults({"action": "reset", "path": "/api/version", "times": 1})
    with pytest.raises(requests.ConnectionError):
        requests.get(apstra.url + "/api/version", timeout=10)
    dropped = apstra.requests_log()[-1]
    assert dropped["status"] == 0 and dropped["bytes"] == 0 and dropped["elapsed_ms"] >= 0


def test_k8s_log_gives_time_and_size(k8s):
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "timing"}}
    answers = [
        requests.get(k8s.url + "/api/v1/namespaces", timeout=10),
        requests.post(k8s.url + "/api/v1/namespaces", json=namespace, timeout=10),
        requests.post(k8s.url + "/api/v1/namespaces", json=namespace, timeout=10),
        requests.get(k8s.url + "/api/v1/namespaces/timing", timeout=10),
    ]
    assert [a.status_code for a in answers] == [200, 201, 409, 200]
    k8s.faults({"action": "latency", "verb": "list", "resource": "nodes", "seconds": 0.01})
    answers.append(requests.get(k8s.url + "/api/v1/nodes", timeout=10))
    with k8s.watch("/api/v1/namespaces") as watch:
        streamed = b"".join(watch.iter_content(chunk_size=None))
    log = k8s.requests_log()
    assert len(log) == len(answers) + 1
    for entry, answer in zip(log, answers):
        assert isinstance(entry["elapsed_ms"], float) and entry["elapsed_ms"] >= 0, entry
        assert entry["bytes"] == len(answer.content), entry
    assert log[-1]["verb"] == "watch" and log[-1]["bytes"] == len(streamed) > 0
    assert log[-1]["elapsed_ms"] >= 0


def test_apstra_login_entry_has_the_fields(apstra):
    resp = requests.post(
        apstra.url + "/api/aaa/login",
        json={"username": "admin", "password": APSTRA_PASSWORD},
        timeout=10,
    )
    (entry,) = apstra.requests_log()
    assert entry["bytes"] == len(resp.content) and entry["elapsed_ms"] >= 0
