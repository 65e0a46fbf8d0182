# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sriov_intent module: validate, plan, verify; invalid intent fails with every error."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import Fabric
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.intent_task import overlay
from ansible_collections.netops.cn2_apstra.plugins.modules.sriov_intent import main

RES = "intel.com/sriov_netdevice"
NET = {
    "name": "sriov-a",
    "namespace": "telco",
    "vlan": "allocate",
    "routing_zone": "telco",
    "subnet": "allocate",
    "resource_name": RES,
}
NODES = [
    {
        "name": "worker-01",
        "labels": {},
        "resources": {RES: 8},
        "pfs": [{"name": "ens1f0", "lldp": [{"switch": "leaf1", "port": "xe-0/0/1"}]}],
    }
]


@pytest.fixture
def args(apstra):
    return {
        "networks": [NET],
        "allocation": {"supernet": "10.200.0.0/16"},
        "fabric": json.loads(json.dumps(Fabric.from_rows(apstra.fabric_rows()).facts())),
        "nodes": NODES,
    }


def test_plan_returns_config_lists_and_changes_nothing(run_module, args):
    result = run_module(main, args)
    desired = result["desired"]
    assert (
        desired["virtual_networks"][0]["vlan_id"] == 2000
        and desired["attachments"][0]["ipam"]["range"] == "10.200.0.0/24"
    )
    assert desired["port_bindings"] == [
        {"virtual_network": "sriov-a", "tagged": True, "switch_ports": ["leaf1:xe-0/0/1"]}
    ]
    assert (
        result["changed"] is False
        and result["plan"] == []
        and result["port_summary"][0].startswith("worker-01 [mapped]")
    )
    assert [step["resource"] for step in desired["fabric_steps"]] == [
        "routing_zones",
        "virtual_networks",
        "port_bindings",
    ]


def test_validate_mode_is_offline_and_reports_every_field(run_module, args):
    result = run_module(main, dict(args, mode="validate", networks=[dict(NET, vlan=5000, mtu=1)]))
    assert result["failed"] and result["changed"] is False and len(result["errors"]) == 2
    assert result["msg"].startswith(
        "invalid SR-IOV intent: networks[0](sriov-a).vlan: 5000 is out of range"
    )
    ok = run_module(main, dict(args, mode="validate"))
    assert ok["networks"][0]["vlan"] == "allocate" and "desired" not in ok


def test_verify_reports_missing_objects_and_fails_on_drift_when_asked(run_module, args):
    result = run_module(main, dict(args, mode="verify", bindings=[]))
    assert result["consistent"] is False and {d["field"] for d in result["drift"]} == {
        "virtual_network",
        "ports",
        "attachment",
    }
    failed = run_module(main, dict(args, mode="verify", bindings=[], fail_on_drift=True))
    assert failed["failed"] and failed["msg"].startswith(
        "drift: 3 difference(s): fabric sriov-a virtual_network: want deployed, have missing"
    )


def test_verify_a_handed_over_plan_against_the_deployed_state_and_the_nad_results(run_module, args):
    desired = run_module(main, args)["desired"]
    vn = dict(desired["virtual_networks"][0])
    deployed = {
        "virtual_networks": [vn],
        "port_bindings": [
            {"virtual_network": "sriov-a", "tagged": True, "interfaces": ["leaf1:xe-0/0/1"]}
        ],
    }
    nad = dict((k, v) for k, v in desired["attachments"][0].items() if k != "managed")
    result = run_module(
        main,
        {
            "mode": "verify",
            "desired": desired,
            "deployed": deployed,
            "attachment_results": [{"before": [], "after": [nad]}],
        },
    )
    assert result["drift"] == [] and result["consistent"] is True
    pending = [{"kind": "virtual_network", "name": "sriov-a", "action": "modify"}]
    result = run_module(
        main,
        {
            "mode": "verify",
            "desired": desired,
            "deployed": deployed,
            "attachment_results": [{"after": [nad]}],
            "pending": pending,
        },
    )
    assert [d["field"] for d in result["drift"]] == ["deployed"]


def test_overlay_applies_each_nad_tasks_before_and_after():
    discovered = [
        {"namespace": "telco", "name": "a", "vlan": 1},
        {"namespace": "telco", "name": "gone", "vlan": 2},
    ]
    results = [
        {"before": [{"namespace": "telco", "name": "gone"}], "after": []},
        {"after": [{"namespace": "telco", "name": "a", "vlan": 9}]},
    ]
    assert overlay(discovered, results) == [{"namespace": "telco", "name": "a", "vlan": 9}]
