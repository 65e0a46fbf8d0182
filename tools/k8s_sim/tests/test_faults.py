"""Fault rules on the Kubernetes emulator that lose an answer after the change was applied (reset_after), that let
another client create the object first (raced), and throttling."""

import json

import pytest
import requests

NADS = "/apis/k8s.cni.cncf.io/v1/namespaces/telco/network-attachment-definitions"
NAD = {
    "apiVersion": "k8s.cni.cncf.io/v1",
    "kind": "NetworkAttachmentDefinition",
    "metadata": {"name": "sriov-vlan100"},
    "spec": {"config": '{"cniVersion":"1.0.0","name":"sriov-vlan100","type":"sriov","vlan":100}'},
}


def post(url, body):
    return requests.post(
        url + NADS, data=json.dumps(body), headers={"Content-Type": "application/json"}, timeout=10
    )


def test_reset_after_on_a_nad_post_creates_it_and_loses_the_answer(k8s):
    k8s.faults(
        {
            "action": "reset_after",
            "method": "POST",
            "resource": "network-attachment-definitions",
            "times": 1,
        }
    )
    with pytest.raises(requests.ConnectionError):
        post(k8s.url, NAD)
    stored = requests.get(k8s.url + NADS + "/sriov-vlan100", timeout=10)
    assert stored.status_code == 200 and stored.json()["spec"]["config"] == NAD["spec"]["config"]
    retry = post(k8s.url, NAD)
    assert (retry.status_code, retry.json()["reason"]) == (409, "AlreadyExists")
    log = [(r["verb"], r["status"], r["write"], r.get("fault")) for r in k8s.requests_log()]
    assert log == [
        ("create", 0, True, "reset_after"),
        ("get", 200, False, None),
        ("create", 409, True, None),
    ]


def test_raced_creates_the_object_first_as_another_client_and_the_create_meets_it(k8s):
    k8s.faults(
        {"action": "raced", "resource": "network-attachment-definitions", "labels": {"a": "b"}}
    )
    answer = post(k8s.url, NAD)
    assert (answer.status_code, answer.json()["reason"]) == (409, "AlreadyExists")
    stored = requests.get(k8s.url + NADS + "/sriov-vlan100", timeout=10).json()
    assert stored["metadata"]["labels"] == {"a": "b"}
    assert stored["spec"]["config"] == NAD["spec"]["config"]
    assert post(k8s.url, dict(NAD, metadata={"name": "other"})).status_code == 201, "fires once"


def test_reset_after_leaves_watches_alone_and_throttle_answers_429(k8s):
    k8s.faults(
        [
            {"action": "reset_after", "resource": "nodes"},
            {"action": "throttle", "verb": "list", "resource": "namespaces", "retry_after": 4},
        ]
    )
    with k8s.watch("/api/v1/nodes") as resp:
        first = json.loads(next(resp.iter_lines()))
    assert first["type"] == "ADDED", "reset_after matches every verb but watch by default"
    with pytest.raises(requests.ConnectionError):
        requests.get(k8s.url + "/api/v1/nodes", timeout=10)
    throttled = requests.get(k8s.url + "/api/v1/namespaces", timeout=10)
    assert (
        throttled.status_code,
        throttled.headers["Retry-After"],
        throttled.json()["reason"],
    ) == (429, "4", "TooManyRequests")
