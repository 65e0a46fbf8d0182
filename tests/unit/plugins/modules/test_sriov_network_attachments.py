# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json
from unittest import mock

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import nad
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.runner import OWNER_LABEL, OWNER_VALUE
from ansible_collections.netops.cn2_apstra.plugins.modules import sriov_network_attachments as module
from ansible_collections.netops.cn2_apstra.tests.unit.plugins.module_utils.k8s.fake_k8s import FakeService

KIND = "NetworkAttachmentDefinition"


@contextlib.contextmanager
def _nothing():
    yield


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def exit_json(self, **kwargs):
    raise ExitJson(kwargs)


def fail_json(self, **kwargs):
    kwargs["failed"] = True
    raise FailJson(kwargs)


def run_module(args, service, check_mode=False, diff=False, patch_service=True):
    args = dict(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    service.check_mode = check_mode
    with patch_module_args(args), \
            mock.patch.object(module.AnsibleModule, "exit_json", exit_json), \
            mock.patch.object(module.AnsibleModule, "fail_json", fail_json), \
            mock.patch.object(module, "service_for", return_value=service) if patch_service else _nothing():
        try:
            module.main()
        except ExitJson as exc:
            return exc.args[0]
        except FailJson as exc:
            return exc.args[0]
    raise AssertionError("module did not exit")


NETWORK = {"name": "sriov-vlan100", "namespace": "telco", "resource_name": "intel.com/sriov_netdevice", "vlan": 100,
           "spoofchk": False, "trust": True, "mtu": 9000,
           "ipam": {"type": "whereabouts", "range": "10.100.0.0/24", "gateway": "10.100.0.1", "exclude": ["10.100.0.0/28"]},
           "labels": {"fabric-vn": "vn100"}}


def test_create_check_then_real_then_idempotent():
    service = FakeService()
    result = run_module({"config": [NETWORK]}, service, check_mode=True, diff=True)
    assert result["changed"] is True and service.store == {}
    assert [c[4] for c in service.writes()] == [True]
    assert result["diff"]["after"]["telco/sriov-vlan100"]["vlan"] == 100
    assert result["plan"][0]["method"] == "POST"

    result = run_module({"config": [NETWORK]}, service)
    assert result["changed"] is True
    stored = service.store[(KIND, "telco", "sriov-vlan100")]
    assert stored["metadata"]["labels"] == {"fabric-vn": "vn100", OWNER_LABEL: OWNER_VALUE}
    assert stored["metadata"]["annotations"][nad.RESOURCE_ANNOTATION] == "intel.com/sriov_netdevice"
    assert json.loads(stored["spec"]["config"])["ipam"]["range"] == "10.100.0.0/24"
    assert result["after"] == [dict(NETWORK)]
    assert "diff" not in result

    service.calls = []
    result = run_module({"config": [NETWORK]}, service)
    assert result["changed"] is False and result["plan"] == [] and service.writes() == []


@pytest.mark.parametrize("field, value, message", [
    ("vlan", 4095, "config[0].vlan: 4095 is out of range; allowed 0-4094"),
    ("vlan_qos", 9, "config[0].vlan_qos: 9 is out of range; allowed 0-7"),
    ("name", "Sriov_A", "config[0].name: 'Sriov_A' is not a valid name"),
    ("ipam", {"type": "whereabouts", "range": "not-a-cidr"}, "config[0].ipam.range: 'not-a-cidr' is not an IP network"),
])
def test_invalid_input_fails_before_connecting(field, value, message):
    service = FakeService()
    with mock.patch.object(module, "service_for") as service_for:
        result = run_module({"config": [dict(NETWORK, **{field: value})]}, service, patch_service=False)
    assert result["failed"] and message in result["msg"]
    assert not service_for.called and service.calls == []


def test_delete_refused_with_pods_then_forced():
    existing = nad.to_object(nad.compact(dict(NETWORK)), {OWNER_LABEL: OWNER_VALUE})
    pod = {"kind": "Pod", "metadata": {"name": "upf-0", "namespace": "telco",
                                       "annotations": {nad.NETWORKS_ANNOTATION: '[{"name": "sriov-vlan100", "interface": "net1"}]'}}}
    service = FakeService([existing, pod])
    args = {"state": "deleted", "config": [{"name": "sriov-vlan100", "namespace": "telco"}]}
    result = run_module(args, service)
    assert result["failed"] and "telco/upf-0" in result["msg"] and service.writes() == []
    result = run_module(dict(args, force=True), service)
    assert result["changed"] is True and service.store.get((KIND, "telco", "sriov-vlan100")) is None


def test_api_error_keeps_status_and_body():
    service = FakeService()
    service.fail[("create", KIND)] = (422, {"kind": "Status", "message": "spec.config: Invalid value", "reason": "Invalid"})
    result = run_module({"config": [NETWORK]}, service)
    assert result["failed"] and result["status"] == 422
    assert result["error"]["reason"] == "Invalid" and "spec.config: Invalid value" in result["msg"]
    assert result["plan"][0]["method"] == "POST"


def test_cn2_requires_cn2_cluster():
    service = FakeService()
    item = dict(NETWORK, ipam={"type": "cn2"}, cn2={"subnet": "10.9.0.0/24"})
    result = run_module({"config": [item]}, service)
    assert result["failed"] and "does not run CN2" in result["msg"] and service.writes() == []
    service.served.add("VirtualNetwork")
    result = run_module({"config": [item]}, service)
    assert result["changed"] is True
    stored = service.store[(KIND, "telco", "sriov-vlan100")]
    assert json.loads(stored["metadata"]["annotations"][nad.CN2_ANNOTATION]) == {"ipamV4Subnet": "10.9.0.0/24"}


def test_host_local_warning_and_gathered():
    service = FakeService()
    item = dict(NETWORK, ipam={"type": "host-local", "range": "10.5.0.0/24"})
    with mock.patch.object(module.AnsibleModule, "warn") as warn:
        run_module({"config": [item]}, service)
    assert "host-local" in warn.call_args[0][0]
    result = run_module({"state": "gathered"}, service)
    assert result["changed"] is False and result["gathered"][0]["ipam"]["type"] == "host-local"
