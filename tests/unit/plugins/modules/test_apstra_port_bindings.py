# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.modules.apstra_port_bindings import find_templates, main, new_template
from ansible_collections.netops.cn2_apstra.tests.unit.plugins.modules.apstra_fakes import BP, run_module

BASE = "/api/blueprints/%s" % BP


def row(server, nic, leaf, port, esi=None):
    item = {"server": {"label": server}, "server_intf": {"if_name": nic}, "leaf": {"label": leaf}, "leaf_intf": {"id": "%s:%s" % (leaf, port), "if_name": port},
            "esi_lag": None, "rg": None}
    if esi:
        item.update(esi_lag={"id": "ESI-ae5", "if_name": "ae5"}, rg={"label": esi})
    return item


PORTS = {"items": [
    row("worker-01", "ens1f0", "leaf1", "xe-0/0/1"),
    row("worker-02", "ens1f0", "leaf1", "xe-0/0/2"),
    row("worker-05", "ens1f0", "leaf3", "xe-0/0/5", esi="leaf3-leaf4"),
    row("worker-05", "ens1f1", "leaf4", "xe-0/0/5", esi="leaf3-leaf4"),
]}
VNS = {"virtual_networks": {"VNA": {"id": "VNA", "label": "sriov-a"}, "VNB": {"id": "VNB", "label": "sriov-b"}}}


def routes(policies=(), points=None):
    return {
        ("GET", BASE + "/virtual-networks"): VNS,
        ("POST", BASE + "/qe"): PORTS,
        ("GET", BASE + "/obj-policy-export"): {"policies": list(policies)},
        ("GET", BASE + "/obj-policy-application-points"): points or {"application_points": {"id": "root", "children": []}},
        ("PUT", BASE + "/obj-policy-import"): None,
        ("PATCH", BASE + "/obj-policy-batch-apply"): None,
        ("POST", BASE + "/obj-policy-batch-delete"): None,
    }


def assigned(ct, *ap_ids):
    return {"application_points": {"id": "pod", "children": [
        {"id": ap, "policies": [{"policy": ct, "state": "used-directly"}, {"policy": "other", "state": "unused"}]} for ap in ap_ids]}}


def test_new_template_and_one_batch_apply_esi_on_lag():
    result, client = run_module(main, {"blueprint": "dc1", "config": [{"virtual_network": "sriov-a", "servers": ["worker-01", "worker-05"]}]},
                                routes(), check_mode=True, diff=True)
    assert not client.writes()
    assert [(p["method"], p["path"]) for p in result["plan"]] == [("PUT", BASE + "/obj-policy-import"), ("PATCH", BASE + "/obj-policy-batch-apply")]
    policies = result["plan"][0]["body"]["policies"]
    assert [p["policy_type_name"] for p in policies] == ["batch", "pipeline", "AttachSingleVLAN"]
    assert policies[2]["attributes"] == {"vn_node_id": "VNA", "tag_type": "vlan_tagged"}
    points = result["plan"][1]["body"]["application_points"]
    assert [p["id"] for p in points] == ["leaf1:xe-0/0/1", "ESI-ae5"]
    assert points[0]["policies"] == [{"policy": policies[0]["id"], "used": True}]
    assert result["after"][0]["interfaces"] == ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]
    assert result["diff"][0]["before"]["interfaces"] == []


def test_existing_template_reused_and_idempotent():
    root, policies = new_template(BP, {"id": "VNA", "label": "sriov-a"}, "vlan_tagged")
    assert find_templates(policies) == {("VNA", "vlan_tagged"): root}
    args = {"blueprint": "dc1", "config": [{"virtual_network": "sriov-a", "servers": ["worker-05:ens1f1"], "switch_ports": ["leaf1:xe-0/0/1"]}]}
    result, client = run_module(main, args, routes(policies, assigned(root, "leaf1:xe-0/0/1", "ESI-ae5")))
    assert not result["changed"] and not client.writes()
    replaced = dict(args, state="replaced", config=[{"virtual_network": "sriov-a", "servers": ["worker-02"]}])
    result, _calls = run_module(main, replaced, routes(policies, assigned(root, "leaf1:xe-0/0/1")), check_mode=True)
    assert result["plan"] == [{"method": "PATCH", "path": BASE + "/obj-policy-batch-apply", "body": {"application_points": [
        {"id": "leaf1:xe-0/0/1", "policies": [{"policy": root, "used": False}]},
        {"id": "leaf1:xe-0/0/2", "policies": [{"policy": root, "used": True}]}]}}]


def test_deleted_without_targets_unassigns_all():
    root, policies = new_template(BP, {"id": "VNA", "label": "sriov-a"}, "untagged")
    args = {"blueprint": "dc1", "state": "deleted", "config": [{"virtual_network": "sriov-a", "tagged": False}, {"virtual_network": "sriov-b"}]}
    result, _calls = run_module(main, args, routes(policies, assigned(root, "leaf1:xe-0/0/1", "ESI-ae5")), check_mode=True)
    assert [p["id"] for p in result["plan"][0]["body"]["application_points"]] == ["leaf1:xe-0/0/1", "ESI-ae5"]
    assert result["plan"][1] == {"method": "POST", "path": BASE + "/obj-policy-batch-delete", "body": {"policy_ids": [root]}}
    assert result["after"] == [{"virtual_network": "sriov-a", "tagged": False, "template": root, "interfaces": []},
                               {"virtual_network": "sriov-b", "tagged": True, "template": None, "interfaces": []}]


def test_unknown_names():
    cases = [
        ({"virtual_network": "sriov-c", "servers": ["worker-01"]}, "unknown virtual network 'sriov-c'; did you mean: sriov-"),
        ({"virtual_network": "sriov-a", "servers": ["worker-1"]}, "config[0].servers: unknown server 'worker-1'; did you mean: worker-01"),
        ({"virtual_network": "sriov-a", "servers": ["worker-05:ens1f2"]}, "unknown server interface 'worker-05:ens1f2'"),
        ({"virtual_network": "sriov-a", "switch_ports": ["leaf1:xe-0/0/9"]}, "unknown leaf port 'leaf1:xe-0/0/9'"),
        ({"virtual_network": "sriov-a", "switch_ports": ["leaf1"]}, "not of the form leaf:interface"),
        ({"virtual_network": "sriov-a"}, "list servers or switch_ports"),
    ]
    for item, message in cases:
        result, client = run_module(main, {"blueprint": "dc1", "config": [item]}, routes())
        assert result["failed"] and message in result["msg"], result["msg"]
        assert not client.writes()


def test_check_mode_plans_a_missing_vn_with_placeholders():
    args = {"blueprint": "dc1", "config": [{"virtual_network": "sriov-new", "servers": ["worker-01", "worker-05"]}]}
    result, client = run_module(main, args, routes(), check_mode=True)
    assert not result["failed"] and not client.writes()
    assert [(p["method"], p["path"]) for p in result["plan"]] == [("PUT", BASE + "/obj-policy-import"), ("PATCH", BASE + "/obj-policy-batch-apply")]
    policies = result["plan"][0]["body"]["policies"]
    assert [p["policy_type_name"] for p in policies] == ["batch", "pipeline", "AttachSingleVLAN"]
    assert policies[0]["id"] == "<connectivity template sriov-new-tagged (planned)>" and policies[0]["label"] == "sriov-new-tagged"
    assert policies[2]["attributes"] == {"vn_node_id": "<virtual network sriov-new (planned)>", "tag_type": "vlan_tagged"}
    points = result["plan"][1]["body"]["application_points"]
    assert [p["id"] for p in points] == ["leaf1:xe-0/0/1", "ESI-ae5"] and points[0]["policies"] == [{"policy": policies[0]["id"], "used": True}]
    assert len(result["notes"]) == 1 and "unknown virtual network 'sriov-new'" in result["notes"][0]
    result, client = run_module(main, args, routes())
    assert result["failed"] and "unknown virtual network 'sriov-new'" in result["msg"] and not client.writes()


def test_gathered_in_config_form():
    root, policies = new_template(BP, {"id": "VNA", "label": "sriov-a"}, "vlan_tagged")
    other, more = new_template(BP, {"id": "VNB", "label": "sriov-b"}, "untagged")
    args = {"blueprint": "dc1", "state": "gathered"}
    points = {"application_points": {"id": "pod", "children": [
        {"id": "leaf1:xe-0/0/1", "policies": [{"policy": root, "state": "used-directly"}]},
        {"id": "ESI-ae5", "policies": [{"policy": root, "state": "used-directly"}, {"policy": other, "state": "used-directly"}]}]}}
    result, client = run_module(main, args, routes(policies + more, points))
    assert not result["failed"] and not result["changed"] and not client.writes()
    assert result["gathered"] == [
        {"virtual_network": "sriov-a", "tagged": True, "servers": [], "switch_ports": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]},
        {"virtual_network": "sriov-b", "tagged": False, "servers": [], "switch_ports": ["leaf3-leaf4:ae5"]},
    ]
    result, _client = run_module(main, dict(args, config=[{"virtual_network": "sriov-b", "tagged": False}, {"virtual_network": "nope"}]),
                                 routes(policies + more, points))
    assert [item["virtual_network"] for item in result["gathered"]] == ["sriov-b"]
    result, _client = run_module(main, {"blueprint": "dc1"}, routes())
    assert result["failed"] and "config is required with state=merged" in result["msg"]
