"""Fault rules on the Apstra emulator that lose an answer after the change was applied (reset_after)."""

import pytest
import requests

from sim_core.testing import ApstraSession


def test_reset_after_on_a_vn_batch_applies_it_and_loses_the_answer(apstra):
    api = ApstraSession(apstra.url)
    leaf1 = api.systems()["leaf1"]
    version = api.version()
    rules = apstra.faults(
        {"action": "reset_after", "method": "POST", "path": "/virtual-networks-batch$", "times": 1}
    )
    assert rules["rules"][0]["action"] == "reset_after"
    batch = {
        "virtual_networks": [
            {
                "label": "sriov-100",
                "vn_type": "vxlan",
                "bound_to": [{"system_id": leaf1, "vlan_id": 100}],
            },
            {
                "label": "sriov-101",
                "vn_type": "vxlan",
                "bound_to": [{"system_id": leaf1, "vlan_id": 101}],
            },
        ]
    }
    with pytest.raises(requests.ConnectionError):
        api.call("POST", "/virtual-networks-batch", batch)
    labels = sorted(
        vn["label"] for vn in api.get("/virtual-networks").json()["virtual_networks"].values()
    )
    assert (
        labels == ["sriov-100", "sriov-101"] and api.version() == version + 1
    ), "applied although the client saw a dropped connection"
    retry = api.call("POST", "/virtual-networks-batch", batch)
    assert (
        retry.status_code == 422
        and retry.json()["errors"]["virtual_networks"]["0"]["label"]
        == 'Virtual Network name "sriov-100" not unique'
    )
    batches = [r for r in apstra.requests_log() if r["path"].endswith("/virtual-networks-batch")]
    assert [(r["status"], r["write"], r.get("fault")) for r in batches] == [
        (0, True, "reset_after"),
        (422, True, None),
    ]
    assert apstra.state()["faults"][0]["fired"] == 1


def test_reset_after_on_a_refused_call_still_loses_the_answer(apstra):
    api = ApstraSession(apstra.url)
    apstra.faults({"action": "reset_after", "path": "/security-zones$", "method": "POST", "nth": 1})
    with pytest.raises(requests.ConnectionError):
        api.call("POST", "/security-zones", {"label": "bad label"})
    assert [z["label"] for z in api.get("/security-zones").json()["items"].values()] == [
        "Default routing zone"
    ]
