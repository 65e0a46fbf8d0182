# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the sriov_intent module's run()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.intent import IntentError
from ansible_collections.netops.cn2_apstra.plugins.modules.sriov_intent import run

NET = {"name": "sriov-a", "namespace": "telco", "vlan": "allocate", "routing_zone": "telco", "subnet": "allocate",
       "resource_name": "intel.com/sriov_netdevice"}
FABRIC = {"leafs": ["leaf1"], "esi_pairs": {},
          "servers": {"worker-01": [{"interface": "ens1f0", "leaf": "leaf1", "leaf_interface": "xe-0/0/1", "esi_lag": None}]}}
NODES = [{"name": "worker-01", "labels": {}, "resources": {"intel.com/sriov_netdevice": 8},
          "pfs": [{"name": "ens1f0", "lldp": [{"switch": "leaf1", "port": "xe-0/0/1"}]}]}]


def params(**extra):
    base = dict(networks=[NET], allocation={"supernet": "10.200.0.0/16"}, mode="plan", state="present", fabric=FABRIC, nodes=NODES,
                virtual_networks=[], attachments=[], bindings=None, additive=False)
    base.update(extra)
    return base


def test_plan_returns_config_lists():
    result = run(params())
    desired = result["desired"]
    assert desired["virtual_networks"][0]["vlan_id"] == 2000
    assert desired["attachments"][0]["ipam"]["range"] == "10.200.0.0/24"
    assert desired["port_bindings"] == [{"virtual_network": "sriov-a", "tagged": True, "switch_ports": ["leaf1:xe-0/0/1"]}]
    assert result["changed"] is False and result["plan"] == []
    assert result["summary"] and result["port_summary"][0].startswith("worker-01 [mapped]")


def test_verify_reports_missing_objects():
    result = run(params(mode="verify", bindings=[]))
    assert not result["consistent"]
    assert {d["field"] for d in result["drift"]} == {"virtual_network", "ports", "attachment"}


def test_validate_mode_is_offline_and_reports_every_field():
    with pytest.raises(IntentError) as info:
        run(params(mode="validate", networks=[dict(NET, vlan=5000, mtu=1)]))
    assert len(info.value.errors) == 2
