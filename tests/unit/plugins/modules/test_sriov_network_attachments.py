# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import nad
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    OWNER_LABEL,
    OWNER_VALUE,
)
from ansible_collections.netops.cn2_apstra.plugins.modules import (
    sriov_network_attachments as module,
)

KIND = "NetworkAttachmentDefinition"
NADS = "/apis/k8s.cni.cncf.io/v1/namespaces/telco/network-attachment-definitions"
NETWORK = {
    "name": "sriov-vlan100",
    "namespace": "telco",
    "resource_name": "intel.com/sriov_netdevice",
    "vlan": 100,
    "spoofchk": False,
    "trust": True,
    "mtu": 9000,
    "ipam": {
        "type": "whereabouts",
        "range": "10.100.0.0/24",
        "gateway": "10.100.0.1",
        "exclude": ["10.100.0.0/28"],
    },
    "labels": {"fabric-vn": "vn100"},
}


def test_create_check_then_real_then_idempotent(k8s):
    service = k8s.service()
    result = k8s.run(module.main, {"config": [NETWORK]}, service, check_mode=True, diff=True)
    assert result["changed"] is True and service.store == {}
    assert [call[4] for call in service.writes()] == [True]
    assert (
        result["diff"][0]["before_header"] == "attachment telco/sriov-vlan100"
        and result["diff"][0]["after"]["vlan"] == 100
    )
    assert result["plan"][0]["method"] == "POST" and result["plan"][0]["path"] == NADS

    result = k8s.run(module.main, {"config": [NETWORK]}, service)
    assert result["changed"] is True and [call[4] for call in service.writes()] == [True, False]
    stored = service.get_object(KIND, "telco", "sriov-vlan100")
    assert stored["metadata"]["labels"] == {"fabric-vn": "vn100", OWNER_LABEL: OWNER_VALUE}
    assert stored["metadata"]["annotations"][nad.RESOURCE_ANNOTATION] == "intel.com/sriov_netdevice"
    assert json.loads(stored["spec"]["config"])["ipam"]["range"] == "10.100.0.0/24"
    assert result["after"] == [dict(NETWORK, owner="intent")] and "diff" not in result

    service.calls = []
    result = k8s.run(module.main, {"config": [NETWORK]}, service)
    assert result["changed"] is False and result["plan"] == [] and service.writes() == []


def test_connection_options_reach_the_shared_connect(k8s):
    service = k8s.service()
    k8s.run(
        module.main,
        {
            "config": [NETWORK],
            "host": "https://api.example:6443",
            "api_key": "t0ken",
            "validate_certs": False,
        },
        service,
    )
    assert (
        service.connected_with["host"] == "https://api.example:6443"
        and service.connected_with["api_key"] == "t0ken"
    )
    assert service.connected_with["validate_certs"] is False


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("vlan", 4095, "config[0].vlan: 4095 is out of range; allowed 0-4094"),
        ("vlan_qos", 9, "config[0].vlan_qos: 9 is out of range; allowed 0-7"),
        ("name", "Sriov_A", "config[0].name: 'Sriov_A' is not a valid name"),
        (
            "ipam",
            {"type": "whereabouts", "range": "not-a-cidr"},
            "config[0].ipam.range: 'not-a-cidr' is not an IP network",
        ),
        (
            "annotations",
            {"team/x": "1"},
            "config[0].annotations: 'team/x' is not one of this collection's annotations",
        ),
    ],
)
def test_invalid_input_fails_before_connecting(k8s, field, value, message):
    service = k8s.service()
    result = k8s.run(module.main, {"config": [dict(NETWORK, **{field: value})]}, service)
    assert result["failed"] and message in result["msg"] and result["changed"] is False
    assert service.connected_with is None and service.calls == []


def test_a_network_listed_twice_is_refused_before_the_list_call(k8s):
    service = k8s.service()
    result = k8s.run(module.main, {"config": [NETWORK, dict(NETWORK, vlan=200)]}, service)
    assert (
        result["failed"]
        and result["msg"]
        == "config[1]: attachment telco/sriov-vlan100 is already listed as config[0]; list each attachment once"
    )
    assert service.calls == []


def test_delete_refused_while_pods_use_it_then_forced(k8s):
    existing = k8s.nad("sriov-vlan100")
    pod = k8s.pod("upf-0", '[{"name": "sriov-vlan100", "interface": "net1"}]')
    service = k8s.service([existing, pod])
    args = {"state": "deleted", "config": [{"name": "sriov-vlan100", "namespace": "telco"}]}
    result = k8s.run(module.main, args, service)
    assert (
        result["failed"]
        and "telco/sriov-vlan100 used by telco/upf-0" in result["msg"]
        and service.writes() == []
    )
    result = k8s.run(module.main, dict(args, force=True), service)
    assert result["changed"] is True and service.get_object(KIND, "telco", "sriov-vlan100") is None


def test_a_create_the_api_server_rejects_fails_unchanged_with_the_post_not_applied(k8s):
    service = k8s.service()
    service.fail[("create", KIND)] = (
        422,
        {"kind": "Status", "message": "spec.config: Invalid value", "reason": "Invalid"},
    )
    result = k8s.run(module.main, {"config": [NETWORK]}, service)
    assert result["failed"] and result["changed"] is False and result["status"] == 422
    assert result["error"]["reason"] == "Invalid" and "spec.config: Invalid value" in result["msg"]
    assert result["applied"] == [] and [
        (r["method"], r["path"]) for r in result["not_applied"]
    ] == [("POST", NADS)]


def concurrent_create(k8s, service, owned):
    """The API server answers the create 409: another run created the same NAD between this run's list and its POST."""
    create = service.create

    def racing(resource, body, namespace=None):
        theirs = json.loads(json.dumps(body))
        if not owned:
            theirs["metadata"]["labels"] = {"app": "someone-else"}
        service.add(dict(theirs, kind=KIND))
        service.fail[("create", KIND)] = (
            409,
            {"kind": "Status", "message": "already exists", "reason": "AlreadyExists"},
        )
        return create(resource, body, namespace=namespace)

    service.create = racing


def test_a_create_that_meets_the_same_nad_made_by_a_concurrent_run_goes_on_unchanged(k8s):
    service = k8s.service()
    concurrent_create(k8s, service, owned=True)
    result = k8s.run(module.main, {"config": [NETWORK]}, service)
    assert not result.get("failed"), result
    assert result["changed"] is False and result["concurrent"] == [True]
    assert [c[0] for c in service.calls] == ["list", "create", "get"]
    assert [b["name"] for b in result["before"]] == [
        NETWORK["name"]
    ], "made before this run's write"
    assert [(a["name"], a["vlan"]) for a in result["after"]] == [(NETWORK["name"], NETWORK["vlan"])]


def test_a_create_that_meets_a_nad_the_collection_does_not_own_fails(k8s):
    service = k8s.service()
    concurrent_create(k8s, service, owned=False)
    result = k8s.run(module.main, {"config": [NETWORK]}, service)
    assert result["failed"] and result["status"] == 409 and result["changed"] is False
    assert [(r["method"], r["path"]) for r in result["not_applied"]] == [("POST", NADS)]


def test_a_failure_after_a_write_reports_it_applied(k8s):
    service = k8s.service([k8s.nad("a", vlan=5)])
    service.fail[("create", KIND)] = (403, {"message": "forbidden"})
    config = [{"name": "a", "namespace": "telco", "vlan": 6}, dict(NETWORK)]
    result = k8s.run(module.main, {"config": config}, service)
    assert result["failed"] and result["changed"] is True
    assert [r["method"] for r in result["applied"]] == ["PATCH"] and [
        r["method"] for r in result["not_applied"]
    ] == ["POST"]


def test_a_dry_run_rejected_in_check_mode_applied_nothing(k8s):
    service = k8s.service([k8s.nad("a", vlan=5)])
    service.fail[("create", KIND)] = (422, {"message": "invalid"})
    result = k8s.run(
        module.main,
        {"config": [{"name": "a", "namespace": "telco", "vlan": 6}, dict(NETWORK)]},
        service,
        check_mode=True,
    )
    assert result["failed"] and result["changed"] is False and result["applied"] == []


def test_cn2_requires_a_cn2_cluster(k8s):
    service = k8s.service()
    item = dict(NETWORK, ipam={"type": "cn2"}, cn2={"subnet": "10.9.0.0/24"})
    result = k8s.run(module.main, {"config": [item]}, service)
    assert result["failed"] and "does not run CN2" in result["msg"] and service.writes() == []
    service.served.add("VirtualNetwork")
    assert k8s.run(module.main, {"config": [item]}, service)["changed"] is True
    stored = service.get_object(KIND, "telco", "sriov-vlan100")
    assert json.loads(stored["metadata"]["annotations"][nad.CN2_ANNOTATION]) == {
        "ipamV4Subnet": "10.9.0.0/24"
    }


def test_host_local_warning_and_gathered(k8s):
    service = k8s.service()
    result = k8s.run(
        module.main,
        {"config": [dict(NETWORK, ipam={"type": "host-local", "range": "10.5.0.0/24"})]},
        service,
    )
    assert len(result["warnings"]) == 1 and "host-local" in result["warnings"][0]
    result = k8s.run(module.main, {"state": "gathered"}, service)
    assert result["changed"] is False and result["gathered"][0]["ipam"]["type"] == "host-local"


def test_an_unreachable_api_server_is_reported_with_status(k8s):
    service = k8s.service()
    service.fail[("list", KIND)] = (401, {"message": "Unauthorized"})
    result = k8s.run(module.main, {"config": [NETWORK]}, service)
    assert (
        result["failed"]
        and result["status"] == 401
        and "Unauthorized" in result["msg"]
        and result["plan"] == []
    )
