# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the change report (Markdown and SVG), fed with the planner's own shapes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from xml.etree import ElementTree

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils import report
from ansible_collections.netops.cn2_apstra.plugins.module_utils.report_markdown import markdown
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import Fabric
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import topology

RES = "intel.com/x"


def change(action, key, before, after):
    return {"action": action, "key": key, "before": before, "after": after}


@pytest.fixture
def data(apstra):
    nodes = [
        {
            "name": "worker-01",
            "labels": {},
            "resources": {RES: 8},
            "pfs": [{"name": "ens1f0", "lldp": [{"switch": "leaf1", "port": "xe-0/0/1"}]}],
        },
        {
            "name": "worker-02",
            "labels": {},
            "resources": {RES: 8},
            "pfs": [{"name": "ens1f0", "lldp": [{"switch": "leaf1", "port": "xe-0/0/9"}]}],
        },
    ]
    return {
        "title": "t",
        "run": "provision.yml",
        "check_mode": False,
        "timestamp": "20250101T000000Z",
        "blueprint": {"label": "dc1", "deployed_version": 1},
        "networks": [
            {
                "name": "sriov-a",
                "namespace": "telco",
                "state": "present",
                "vlan": 100,
                "subnet": "10.1.0.0/24",
                "gateway": "10.1.0.1",
                "switches": ["leaf1"],
                "ports": ["leaf1:xe-0/0/1"],
                "nodes": {"bound": ["worker-01"], "skipped": [{"node": "worker-02"}]},
            }
        ],
        "port_map": topology.port_map(nodes, Fabric.from_rows(apstra.fabric_rows()).links),
        "problems": ["worker-02 is mis-cabled"],
        "drift": [],
        "staging": {
            "ours": [{"action": "modify", "kind": "virtual_network", "name": "sriov-a"}],
            "foreign": [{"action": "create", "kind": "virtual_network", "name": "x", "by": "bob"}],
            "included": False,
        },
        "skipped": [{"source": "SriovNetwork ops/bad", "error": "spec.vlan: 0 means untagged VFs"}],
        "results": {
            "virtual_networks": {
                "changed": True,
                "changes": [
                    change("create", "sriov-a", None, {"label": "sriov-a", "vlan_id": 100}),
                    change(
                        "update",
                        "sriov-b",
                        {"label": "sriov-b", "mtu": 9000, "tags": ["x"]},
                        {"label": "sriov-b", "mtu": 1500, "tags": ["x"]},
                    ),
                    change(
                        "update",
                        "legacy",
                        {"label": "legacy", "tags": ["oam"], "owner": None},
                        {
                            "label": "legacy",
                            "tags": ["managed-by:netops.cn2_apstra", "oam"],
                            "owner": "intent",
                        },
                    ),
                ],
                "plan": [{"method": "POST", "path": "/api/x", "body": {}}],
                "invocation": {"module_args": {"password": "s3cret"}},
            },
            "port_bindings": {
                "changed": True,
                "changes": [
                    change(
                        "create",
                        ["sriov-a", True],
                        None,
                        {"virtual_network": "sriov-a", "interfaces": ["leaf1:xe-0/0/1"]},
                    )
                ],
            },
            "commit": {"changed": True, "deployed_version": 2},
            "attachments": {
                "changed": True,
                "changes": [change("create", ["telco", "sriov-a"], None, {"name": "sriov-a"})],
            },
        },
        "revision": {
            "revision_id": "7",
            "version": 2,
            "before": {"revision_id": "6", "version": 1},
        },
        "marks": {"legacy": "adopted"},
        "leafs": ["leaf1", "leaf2"],
        "esi_pairs": {},
    }


def test_markdown_lists_changes_revision_staging_and_nads_without_secrets(data):
    data["results"] = report.scrub(data["results"])
    text = markdown(data, svg_name="x.svg")
    assert "| Apstra revision | 7 (version 2), before 6 (version 1) |" in text
    assert "Committed as Apstra revision 7 (version 2) with description" in text
    assert "| Virtual networks | sriov-a | created | - |" in text
    # an update names exactly the fields that changed; marks alone on an adopted object are its adoption
    assert "| Virtual networks | sriov-b | updated | mtu: 9000 -> 1500 |" in text
    assert "| Virtual networks | legacy | adopted | owner's marks |" in text
    assert "| Port bindings | ports of sriov-a | created | + leaf1:xe-0/0/1 |" in text
    assert "| this collection (deployed by this run) | modify | virtual_network | sriov-a |" in text
    assert "| bob (refused) | create | virtual_network | x |" in text
    assert "- SriovNetwork ops/bad: spec.vlan: 0 means untagged VFs" in text
    assert "- telco/sriov-a" in text
    assert (
        "| worker-01 | ens1f0 | leaf1 xe-0/0/1 | leaf1 xe-0/0/1 | verified | mapped | intel.com/x |"
        in text
    )
    assert (
        "| worker-02 | ens1f0 | leaf2 xe-0/0/2 | leaf1 xe-0/0/9 | mismatch | miscabled | intel.com/x |"
        in text
    )
    assert "s3cret" not in text
    assert "![leafs, nodes and VLANs per port](x.svg)" in text


def test_markdown_reports_a_failed_run(data):
    text = markdown(dict(data, failure="POST /api/x: refused (HTTP 422)"))
    assert "## The run failed\n\nPOST /api/x: refused (HTTP 422)" in text


def test_svg_is_well_formed_and_shows_vlan_on_port_and_miscabling(data):
    picture = report.svg(data)
    ElementTree.fromstring(picture)
    assert "sriov-a (VLAN 100)" in picture and "leaf1:xe-0/0/1" in picture
    assert 'stroke-dasharray="5 4"' in picture  # worker-02's mis-cabled PF


def _node(name, leaf, port, status="mapped"):
    return {
        "node": name,
        "status": status,
        "pfs": [
            {
                "leaf": leaf,
                "leaf_interface": port,
                "cabling": "verified" if status == "mapped" else "mismatch",
            }
        ],
        "application_points": [{"port": "%s:%s" % (leaf, port)}] if status == "mapped" else [],
    }


def test_past_the_node_limit_the_svg_groups_nodes_by_leafs_and_status_and_caps_the_labels():
    port_map = (
        [_node("worker-%02d" % n, "leaf1", "xe-0/0/%d" % n) for n in range(1, 21)]
        + [_node("worker-%02d" % n, "leaf2", "xe-0/0/%d" % n) for n in range(21, 30)]
        + [_node("worker-30", "leaf2", "xe-0/0/30", status="miscabled")]
    )
    nets = [
        {
            "name": "net-%d" % n,
            "vlan": 100 + n,
            "ports": ["leaf1:xe-0/0/%d" % p for p in range(1, 21)],
        }
        for n in range(6)
    ]
    picture = report.svg({"port_map": port_map, "networks": nets, "leafs": ["leaf1", "leaf2"]})
    ElementTree.fromstring(picture)
    assert ">20 nodes<" in picture and ">9 nodes<" in picture and ">1 node<" in picture
    assert "worker-01 .. worker-20" in picture and ">worker-05<" not in picture
    assert picture.count("<line") == 3  # one line per group and leaf, the mis-cabled group's dashed
    assert 'stroke-dasharray="5 4"' in picture
    assert "net-3 (VLAN 103)" in picture and "net-4 (VLAN 104)" not in picture
    assert "+2 more networks" in picture
    # the same nodes under the limit: one box each
    few = report.svg({"port_map": port_map[:3], "networks": nets, "leafs": ["leaf1", "leaf2"]})
    assert ">worker-01<" in few and "nodes<" not in few


def test_earlier_staging_taken_in_a_run_that_did_not_deploy_is_not_called_deployed(data):
    data["staging"]["included"] = True
    data["results"]["commit"] = {"changed": False, "deployed_version": 1}
    text = markdown(data, svg_name="x.svg")
    assert (
        "| this collection (not deployed by this run) | modify | virtual_network | sriov-a |"
        in text
    )
    assert "| bob (not deployed by this run) | create | virtual_network | x |" in text
    assert "deployed by this run)" not in text.replace("not deployed by this run)", "")
    data["results"]["commit"] = {"changed": True, "deployed_version": 2}
    text = markdown(data, svg_name="x.svg")
    assert "| this collection (deployed by this run) | modify | virtual_network | sriov-a |" in text
    assert "| bob (deployed with this run) | create | virtual_network | x |" in text
