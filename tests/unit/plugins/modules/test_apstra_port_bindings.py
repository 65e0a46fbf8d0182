# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import new_template
from ansible_collections.netops.cn2_apstra.plugins.modules.apstra_port_bindings import main

BASE = "/api/blueprints/bp-1"
IMPORT, APPLY, CT_DELETE = (
    BASE + "/obj-policy-import",
    BASE + "/obj-policy-batch-apply",
    BASE + "/obj-policy-batch-delete",
)


def blueprint(apstra, rows=()):
    vns = [
        apstra.vn("vn-a", "sriov-a", bound=["id-leaf1", "id-leaf3-leaf4"]),
        apstra.vn("vn-b", "sriov-b", vlan=101),
    ]
    return apstra.blueprint(
        zones=[apstra.zone("sz-telco", "telco")],
        vns=vns,
        bindings=rows,
        routes={("PUT", IMPORT): None, ("PATCH", APPLY): None, ("POST", CT_DELETE): None},
    )


def a_rows(apstra, *ports):
    return [apstra.binding_row("ct-a", "vn-a", port) for port in ports]


def test_new_template_and_one_batch_apply_with_esi_on_the_lag(apstra):
    client = blueprint(apstra)
    result = apstra.run(
        main,
        {
            "blueprint": "dc1",
            "config": [{"virtual_network": "sriov-a", "servers": ["worker-01", "worker-05"]}],
        },
        client,
        check_mode=True,
        diff=True,
    )
    assert client.writes() == []
    record = apstra.record("if-leaf1-xe-0/0/1", "esi-leaf3-leaf4-ae5")
    root, policies = new_template(
        "bp-1", "vn-a", "sriov-a", "vlan_tagged", ["managed-by:netops.cn2_apstra"], record
    )
    assert result["plan"] == [
        {"method": "PUT", "path": IMPORT, "body": {"policies": policies}},
        {
            "method": "PATCH",
            "path": APPLY,
            "body": {
                "application_points": [
                    {"id": "if-leaf1-xe-0/0/1", "policies": [{"policy": root, "used": True}]},
                    {"id": "esi-leaf3-leaf4-ae5", "policies": [{"policy": root, "used": True}]},
                ]
            },
        },
    ]
    assert result["after"] == [
        {
            "virtual_network": "sriov-a",
            "tagged": True,
            "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"],
        }
    ]
    assert result["before"] == [{"virtual_network": "sriov-a", "tagged": True, "interfaces": []}]
    assert result["diff"][0]["before"] == {} and result["diff"][0]["after"] == result["after"][0]


def test_real_run_sends_the_same_template_ids_as_the_check_run(apstra):
    args = {
        "blueprint": "dc1",
        "config": [{"virtual_network": "sriov-a", "servers": ["worker-01"]}],
    }
    planned = apstra.run(main, args, blueprint(apstra), check_mode=True)["plan"]
    client = blueprint(apstra)
    result = apstra.run(main, args, client)
    assert [w["body"] for w in client.writes()] == [p["body"] for p in planned] and result[
        "changed"
    ] is True


def test_existing_template_reused_and_idempotent(apstra):
    args = {
        "blueprint": "dc1",
        "config": [
            {
                "virtual_network": "sriov-a",
                "servers": ["worker-05:ens1f1"],
                "switch_ports": ["leaf1:xe-0/0/1"],
            }
        ],
    }
    client = blueprint(apstra, a_rows(apstra, "leaf1:xe-0/0/1", "leaf3-leaf4:ae5"))
    result = apstra.run(main, args, client)
    assert result["changed"] is False and client.writes() == []
    replaced = dict(
        args, state="replaced", config=[{"virtual_network": "sriov-a", "servers": ["worker-02"]}]
    )
    result = apstra.run(
        main, replaced, blueprint(apstra, a_rows(apstra, "leaf1:xe-0/0/1")), check_mode=True
    )
    assert result["plan"] == [
        {
            "method": "PATCH",
            "path": APPLY,
            "body": {
                "application_points": [
                    {"id": "if-leaf1-xe-0/0/1", "policies": [{"policy": "ct-a", "used": False}]},
                    {"id": "if-leaf2-xe-0/0/2", "policies": [{"policy": "ct-a", "used": True}]},
                ]
            },
        }
    ]


def test_deleted_without_ports_unassigns_all_and_removes_our_template(apstra):
    rows = a_rows(apstra, "leaf1:xe-0/0/1", "leaf3-leaf4:ae5")
    args = {
        "blueprint": "dc1",
        "state": "deleted",
        "config": [{"virtual_network": "sriov-a"}, {"virtual_network": "sriov-b"}],
    }
    result = apstra.run(main, args, blueprint(apstra, rows), check_mode=True)
    assert [p["id"] for p in result["plan"][0]["body"]["application_points"]] == [
        "if-leaf1-xe-0/0/1",
        "esi-leaf3-leaf4-ae5",
    ]
    assert result["plan"][1] == {
        "method": "POST",
        "path": CT_DELETE,
        "body": {"policy_ids": ["ct-a"]},
    }
    assert result["before"] == [
        {
            "virtual_network": "sriov-a",
            "tagged": True,
            "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"],
        },
        {"virtual_network": "sriov-b", "tagged": True, "interfaces": []},
    ]
    assert result["after"] == [
        {"virtual_network": "sriov-a", "tagged": True, "interfaces": []},
        {"virtual_network": "sriov-b", "tagged": True, "interfaces": []},
    ]


@pytest.mark.parametrize(
    "item, message",
    [
        (
            {"virtual_network": "sriov-c", "servers": ["worker-01"]},
            "config[0].virtual_network: unknown virtual network 'sriov-c'; did you mean: sriov-",
        ),
        (
            {"virtual_network": "sriov-a", "servers": ["worker-1"]},
            "config[0].servers: unknown server 'worker-1'; did you mean: worker-01",
        ),
        (
            {"virtual_network": "sriov-a", "servers": ["worker-05:ens1f2"]},
            "unknown server interface 'worker-05:ens1f2'",
        ),
        (
            {"virtual_network": "sriov-a", "switch_ports": ["leaf1:xe-0/0/9"]},
            "unknown leaf port 'leaf1:xe-0/0/9'",
        ),
        (
            {"virtual_network": "sriov-a", "switch_ports": ["leaf1"]},
            "config[0].switch_ports: 'leaf1' is not of the form leaf:interface",
        ),
        (
            {"virtual_network": "sriov-a"},
            "config[0]: list servers or switch_ports to bind virtual_network=sriov-a to",
        ),
    ],
)
def test_unknown_names_and_bad_input_fail_before_any_write(apstra, item, message):
    client = blueprint(apstra)
    result = apstra.run(main, {"blueprint": "dc1", "config": [item]}, client)
    assert result["failed"] and message in result["msg"], result["msg"]
    assert result["changed"] is False and client.writes() == []


def test_interfaces_is_an_alias_of_switch_ports(apstra):
    result = apstra.run(
        main,
        {
            "blueprint": "dc1",
            "config": [{"virtual_network": "sriov-a", "interfaces": ["leaf2:xe-0/0/2"]}],
        },
        blueprint(apstra, a_rows(apstra, "leaf1:xe-0/0/1")),
        check_mode=True,
    )
    assert result["after"][0]["interfaces"] == ["leaf1:xe-0/0/1", "leaf2:xe-0/0/2"]


def test_check_mode_plans_a_missing_vn_with_placeholders(apstra):
    args = {
        "blueprint": "dc1",
        "config": [{"virtual_network": "sriov-new", "servers": ["worker-01", "worker-05"]}],
    }
    client = blueprint(apstra)
    result = apstra.run(main, args, client, check_mode=True)
    assert not result["failed"] and client.writes() == []
    policies = result["plan"][0]["body"]["policies"]
    assert (
        policies[0]["id"] == "<connectivity template sriov-new-tagged (planned)>"
        and policies[0]["label"] == "sriov-new-tagged"
    )
    assert policies[2]["attributes"] == {
        "vn_node_id": "<virtual network sriov-new (planned)>",
        "tag_type": "vlan_tagged",
    }
    assert len(result["notes"]) == 1 and "unknown virtual network 'sriov-new'" in result["notes"][0]
    result = apstra.run(main, args, blueprint(apstra))
    assert result["failed"] and "unknown virtual network 'sriov-new'" in result["msg"]


def test_gathered_and_config_required(apstra):
    rows = a_rows(apstra, "leaf1:xe-0/0/1", "leaf3-leaf4:ae5") + [
        apstra.binding_row("ct-b", "vn-b", "leaf3-leaf4:ae5", tag_type="untagged")
    ]
    client = blueprint(apstra, rows)
    result = apstra.run(main, {"blueprint": "dc1", "state": "gathered"}, client)
    assert not result["failed"] and result["changed"] is False and client.writes() == []
    assert result["gathered"] == [
        {
            "virtual_network": "sriov-a",
            "tagged": True,
            "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"],
        },
        {"virtual_network": "sriov-b", "tagged": False, "interfaces": ["leaf3-leaf4:ae5"]},
    ]
    result = apstra.run(
        main,
        {
            "blueprint": "dc1",
            "state": "gathered",
            "config": [{"virtual_network": "sriov-b", "tagged": False}],
        },
        blueprint(apstra, rows),
    )
    assert [item["virtual_network"] for item in result["gathered"]] == ["sriov-b"]
    result = apstra.run(main, {"blueprint": "dc1"}, blueprint(apstra))
    assert result["failed"] and "config is required with state=merged" in result["msg"]


def test_a_binding_listed_twice_is_refused(apstra):
    client = blueprint(apstra)
    config = [
        {"virtual_network": "sriov-a", "servers": ["worker-01"]},
        {"virtual_network": "sriov-a", "tagged": True, "servers": ["worker-02"]},
    ]
    result = apstra.run(main, {"blueprint": "dc1", "config": config}, client)
    assert (
        result["failed"]
        and result["msg"]
        == "config[1]: port_binding sriov-a (vlan_tagged) is already listed as config[0]; list each port_binding once"
    )
