# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Port records: what a template's root description says of its ports, and when a reader takes it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import port_records
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    PortBindings,
    new_template,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    BINDINGS_QUERY,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import (
    service as service_module,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import Engine
from ansible_collections.netops.cn2_apstra.plugins.modules.apstra_fabric_apply import (
    touched_templates,
)

UNIVERSE = ["ap-%04d" % index for index in range(2000)]


def test_a_record_gives_back_exactly_its_points_and_stays_small():
    points = UNIVERSE[::3] + ["ap-1999"]
    record = port_records.encode(points, UNIVERSE)
    assert port_records.decode(record, UNIVERSE) == sorted(points)
    assert len(port_records.encode(UNIVERSE, UNIVERSE)) < 120, "every port of 2,000: a few bytes"
    assert port_records.decode(port_records.encode([], UNIVERSE), UNIVERSE) == []


def test_a_record_decodes_against_its_own_fabric_only():
    record = port_records.encode(UNIVERSE[:10], UNIVERSE)
    assert port_records.decode(record, UNIVERSE + ["ap-9999"]) is None, "another size"
    renamed = ["bp-%04d" % index for index in range(2000)]
    assert port_records.decode(record, renamed) is None, "same size, other ids: the digest differs"
    assert port_records.encode(["not-a-server-port"], UNIVERSE) is None
    for text in (
        "",
        "a description by hand",
        port_records.PREFIX + " 3 abc !!!",
        None,
        record[:-4],
    ):
        assert port_records.decode(text, UNIVERSE) is None


def policies(root_id, vn_id, description, count, tags=("managed-by:netops.cn2_apstra",)):
    """One single-VLAN template as GET .../endpoint-policies lists it."""
    return [
        {
            "id": root_id,
            "policy_type_name": "batch",
            "tags": list(tags),
            "description": description,
            "app_points_count": count,
            "attributes": {"subpolicies": [root_id + "-pipe"]},
        },
        {
            "id": root_id + "-pipe",
            "policy_type_name": "pipeline",
            "attributes": {"first_subpolicy": root_id + "-prim"},
        },
        {
            "id": root_id + "-prim",
            "policy_type_name": "AttachSingleVLAN",
            "attributes": {"vn_node_id": vn_id, "tag_type": "vlan_tagged"},
        },
    ]


def test_a_provision_context_takes_held_records_and_reads_the_other_templates_alone(apstra):
    """ct-a's record holds (2 points, Apstra counts 2); ct-b's says 1 point where Apstra counts 2 (changed by hand):
    only ct-b's assignments are read."""
    held = apstra.record("if-leaf1-xe-0/0/1", "esi-leaf3-leaf4-ae5")
    stale = apstra.record("if-leaf1-xe-0/0/1")
    client = apstra.blueprint(
        vns=[apstra.vn("vn-a", "sriov-a"), apstra.vn("vn-b", "sriov-b", vlan=101)]
    )
    client.routes[("GET", apstra.BASE + "/endpoint-policies")] = {
        "endpoint_policies": policies("ct-a", "vn-a", held, 2) + policies("ct-b", "vn-b", stale, 2)
    }
    scoped = BINDINGS_QUERY.replace(
        "policy_type_name='batch', name='ct'",
        "policy_type_name='batch', name='ct', id=is_in([\"ct-b\"])",
    )
    client.queries[scoped] = [
        apstra.binding_row("ct-b", "vn-b", port) for port in ("leaf1:xe-0/0/1", "leaf2:xe-0/0/2")
    ]
    ctx = apstra.context(client)
    ctx.recorded_ports = True
    ctx.read_all()
    assert PortBindings(ctx).read() == [
        {
            "virtual_network": "sriov-a",
            "tagged": True,
            "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"],
        },
        {
            "virtual_network": "sriov-b",
            "tagged": True,
            "interfaces": ["leaf1:xe-0/0/1", "leaf2:xe-0/0/2"],
        },
    ]
    assert [query for query, _type in client.queried() if "ep_application_instance" in query] == [
        scoped
    ]
    assert BINDINGS_QUERY not in [query for query, _type in client.queried()]


def test_without_recorded_ports_every_assignment_is_read(apstra):
    client = apstra.blueprint(
        vns=[apstra.vn("vn-a", "sriov-a")],
        bindings=[apstra.binding_row("ct-a", "vn-a", "leaf1:xe-0/0/1")],
    )
    ctx = apstra.context(client)
    ctx.read_all()
    assert ctx.templates()[0]["interfaces"] == ["if-leaf1-xe-0/0/1"]
    assert ("GET", apstra.BASE + "/endpoint-policies") not in client.paths()


def test_a_template_whose_ports_change_is_imported_again_with_the_record_of_its_new_ports(apstra):
    """The root of a template this collection made carries the record of the ports it will have after the run."""
    root = new_template("bp-1", "vn-a", "sriov-a", "vlan_tagged")[0]
    client = apstra.blueprint(
        vns=[apstra.vn("vn-a", "sriov-a")],
        bindings=[apstra.binding_row(root, "vn-a", "leaf1:xe-0/0/1")],
    )
    result = Engine(
        PortBindings(apstra.context(client)),
        "merged",
        [{"virtual_network": "sriov-a", "switch_ports": ["leaf2:xe-0/0/2"]}],
        check_mode=True,
    ).run()
    applied, imported = result["plan"]
    assert applied["path"].endswith(
        "/obj-policy-batch-apply"
    ), "assigned first, then the root imported again"
    assert imported["path"].endswith("/obj-policy-import")
    assert [p["id"] for p in imported["body"]["policies"]] == [root]
    assert imported["body"]["policies"][0]["description"] == apstra.record(
        "if-leaf1-xe-0/0/1", "if-leaf2-xe-0/0/2"
    )


def test_scoped_reads_are_bounded_by_the_rows_expected(monkeypatch):
    monkeypatch.setattr(service_module, "ROWS_PER_READ", 100)
    chunks = service_module.row_chunks({"a": 60, "b": 30, "c": 20, "d": 250, "e": 0})
    assert chunks == [
        ["a", "b"],
        ["c"],
        ["d"],
        ["e"],
    ], "in id order, a large template alone, an empty one counts 1"


def test_the_read_back_reads_the_templates_the_run_changed_with_their_ports_now():
    known = [{"id": "ct-a", "interfaces": ["p1", "p2"]}, {"id": "ct-b", "interfaces": ["p1"]}]
    apply = {
        "application_points": [
            {
                "id": "p3",
                "policies": [{"policy": "ct-a", "used": True}, {"policy": "ct-new", "used": True}],
            },
            {"id": "p1", "policies": [{"policy": "ct-a", "used": False}]},
        ]
    }
    results = [
        {
            "plan": [
                {
                    "method": "PUT",
                    "body": {"policies": [{"id": "ct-new", "policy_type_name": "batch"}]},
                },
                {"method": "PATCH", "body": apply},
                {"method": "POST", "body": {"policy_ids": ["ct-old"]}},
            ]
        }
    ]
    assert touched_templates(results, known) == {"ct-a": 2, "ct-new": 1, "ct-old": 0}
