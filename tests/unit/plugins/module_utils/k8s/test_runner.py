# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import nad
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.runner import (
    OWNER_LABEL,
    OWNER_VALUE,
    ResourceRunner,
    RunnerError,
    merge_patch,
)
from ansible_collections.netops.cn2_apstra.plugins.modules.sriov_network_attachments import NetworkAttachmentAdapter
from ansible_collections.netops.cn2_apstra.tests.unit.plugins.module_utils.k8s.fake_k8s import FakeService

NAD_KIND = "NetworkAttachmentDefinition"


def nad_object(name, namespace="telco", managed=True, vlan=100, extra_labels=None, extra_config=None):
    item = {"name": name, "namespace": namespace, "resource_name": "intel.com/sriov_netdevice", "vlan": vlan}
    labels = dict(extra_labels or {})
    if managed:
        labels[OWNER_LABEL] = OWNER_VALUE
    obj = nad.to_object(item, labels, extra_config)
    obj["metadata"]["resourceVersion"] = "7"
    obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
    return obj


def pod(name, annotation, namespace="telco"):
    return {"kind": "Pod", "metadata": {"name": name, "namespace": namespace, "annotations": {nad.NETWORKS_ANNOTATION: annotation}}}


def run(service, state, config, **kwargs):
    return ResourceRunner(service, NetworkAttachmentAdapter(service, kwargs.pop("force", False)), state, config, **kwargs).run()


def test_merge_patch():
    assert merge_patch({"a": 1, "b": {"c": 1, "d": 2}}, {"a": 1, "b": {"c": 2}}) == {"b": {"c": 2, "d": None}}
    assert merge_patch({"a": [1]}, {"a": [1]}) is None
    assert merge_patch({}, {"x": "y"}) == {"x": "y"}


def test_merged_creates_with_owner_label_then_is_idempotent():
    service = FakeService()
    want = [{"name": "sriov-a", "namespace": "telco", "resource_name": "intel.com/sriov_netdevice", "vlan": 100}]
    result = run(service, "merged", want)
    assert result["changed"] is True
    assert result["plan"][0]["method"] == "POST"
    assert result["plan"][0]["path"] == "/apis/k8s.cni.cncf.io/v1/namespaces/telco/network-attachment-definitions"
    stored = service.store[(NAD_KIND, "telco", "sriov-a")]
    assert stored["metadata"]["labels"] == {OWNER_LABEL: OWNER_VALUE}
    assert result["after"] == [dict(want[0])]
    service.calls = []
    again = run(service, "merged", want)
    assert again["changed"] is False and again["plan"] == [] and service.writes() == []
    assert [c[0] for c in service.calls] == ["list"]


def test_merged_only_touches_given_fields_and_keeps_foreign_metadata():
    service = FakeService([nad_object("sriov-a", managed=False, extra_labels={"team": "x"}, extra_config={"logLevel": "debug"})])
    result = run(service, "merged", [{"name": "sriov-a", "namespace": "telco", "vlan": 200, "labels": {"env": "prod"}}])
    assert result["changed"] is True
    patch = result["plan"][0]
    assert patch["method"] == "PATCH"
    assert patch["path"].endswith("/namespaces/telco/network-attachment-definitions/sriov-a")
    assert patch["body"]["metadata"] == {"labels": {"env": "prod"}}
    stored = service.store[(NAD_KIND, "telco", "sriov-a")]
    config = json.loads(stored["spec"]["config"])
    assert config["vlan"] == 200 and config["logLevel"] == "debug"
    assert stored["metadata"]["labels"] == {"team": "x", "env": "prod"}  # not marked: it was not created here
    assert "kubectl.kubernetes.io/last-applied-configuration" in stored["metadata"]["annotations"]
    assert result["before"][0]["vlan"] == 100 and result["after"][0]["vlan"] == 200


def test_replaced_removes_fields_left_out():
    service = FakeService([nad_object("sriov-a", extra_labels={"team": "x"})])
    result = run(service, "replaced", [{"name": "sriov-a", "namespace": "telco", "resource_name": "intel.com/sriov_netdevice"}])
    stored = service.store[(NAD_KIND, "telco", "sriov-a")]
    assert "vlan" not in json.loads(stored["spec"]["config"])
    assert stored["metadata"]["labels"] == {OWNER_LABEL: OWNER_VALUE}
    assert result["after"] == [{"name": "sriov-a", "namespace": "telco", "resource_name": "intel.com/sriov_netdevice"}]


def test_overridden_deletes_only_marked_objects():
    service = FakeService([nad_object("keep"), nad_object("drop"), nad_object("foreign", managed=False)])
    result = run(service, "overridden", [{"name": "keep", "namespace": "telco", "resource_name": "intel.com/sriov_netdevice", "vlan": 100}])
    assert [(p["method"], p["path"].rsplit("/", 1)[1]) for p in result["plan"]] == [("DELETE", "drop")]
    assert sorted(k[2] for k in service.store) == ["foreign", "keep"]


def test_deleted_without_config_removes_marked_objects_in_namespace():
    service = FakeService([nad_object("a"), nad_object("b", namespace="other"), nad_object("c", managed=False)])
    result = run(service, "deleted", [], namespace="telco")
    assert [p["path"].rsplit("/", 1)[1] for p in result["plan"]] == ["a"]
    assert [o["name"] for o in result["after"]] == ["c"]


def test_delete_refused_while_pods_use_the_network_both_annotation_forms():
    objects = [nad_object("a"), nad_object("b"), pod("p1", "telco/a"), pod("p2", '[{"name": "b"}]'), pod("p3", "other/a", "x")]
    service = FakeService(objects)
    with pytest.raises(RunnerError) as exc:
        run(service, "deleted", [{"name": "a", "namespace": "telco"}, {"name": "b", "namespace": "telco"}])
    assert "telco/a used by telco/p1" in str(exc.value) and "telco/b used by telco/p2" in str(exc.value)
    assert "force: true" in str(exc.value)
    assert service.writes() == []
    forced = run(service, "deleted", [{"name": "a", "namespace": "telco"}], force=True)
    assert forced["changed"] is True and (NAD_KIND, "telco", "a") not in service.store


def test_check_mode_sends_dry_runs_and_reports_after():
    service = FakeService([nad_object("a")], check_mode=True)
    result = run(service, "merged", [{"name": "a", "namespace": "telco", "vlan": 300}, {"name": "n", "namespace": "telco",
                                                                                        "resource_name": "intel.com/x"}])
    assert result["changed"] is True
    assert all(c[4] for c in service.writes()) and len(service.writes()) == 2
    assert json.loads(service.store[(NAD_KIND, "telco", "a")]["spec"]["config"])["vlan"] == 100
    assert sorted((o["name"], o.get("vlan")) for o in result["after"]) == [("a", 300), ("n", None)]


def test_invalid_item_fails_before_any_write():
    service = FakeService()
    with pytest.raises(RunnerError, match=r"config\[1\].vlan: 5000 is out of range; allowed 0-4094"):
        run(service, "merged", [{"name": "ok", "resource_name": "intel.com/x"}, {"name": "bad", "resource_name": "intel.com/x", "vlan": 5000}])
    assert service.writes() == []


def test_duplicate_and_diff():
    service = FakeService([nad_object("a")])
    with pytest.raises(RunnerError, match="listed twice"):
        run(service, "merged", [{"name": "a", "namespace": "telco"}, {"name": "a", "namespace": "telco"}])
    result = run(service, "merged", [{"name": "a", "namespace": "telco", "vlan": 5}], diff=True)
    assert result["diff"]["before"]["telco/a"]["vlan"] == 100
    assert result["diff"]["after"]["telco/a"]["vlan"] == 5


def test_gathered_lists_all_namespaces_in_one_call():
    service = FakeService([nad_object("a"), nad_object("b", namespace="other")])
    result = run(service, "gathered", [])
    assert [o["name"] for o in result["gathered"]] == ["b", "a"]
    assert service.calls == [("list", NAD_KIND, None, None, False)]
    assert result["changed"] is False


def test_unknown_state():
    with pytest.raises(RunnerError):
        ResourceRunner(FakeService(), NetworkAttachmentAdapter(None), "present", [])
