# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the change report (Markdown and SVG)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from xml.etree import ElementTree

from ansible_collections.netops.cn2_apstra.plugins.module_utils import report

DATA = {
    "title": "t", "run": "provision.yml", "check_mode": False, "timestamp": "20250101T000000Z",
    "blueprint": {"label": "dc1", "deployed_version": 1},
    "networks": [{"name": "sriov-a", "namespace": "telco", "state": "present", "vlan": 100, "subnet": "10.1.0.0/24", "gateway": "10.1.0.1",
                  "switches": ["leaf1"], "ports": ["leaf1:xe-0/0/1"], "nodes": {"bound": ["worker-01"], "skipped": []}}],
    "port_map": [{"node": "worker-01", "status": "mapped", "resources": {"intel.com/x": 8},
                  "application_points": [{"switch": "leaf1", "interface": "xe-0/0/1"}],
                  "pfs": [{"name": "ens1f0", "leaf": "leaf1", "leaf_interface": "xe-0/0/1", "status": "mapped", "lldp": []}]}],
    "problems": [], "drift": [],
    "results": {
        "virtual_networks": {"changed": True, "before": [], "after": [{"label": "sriov-a"}],
                             "plan": [{"method": "POST", "path": "/api/x", "body": {}}], "invocation": {"module_args": {"password": "s3cret"}}},
        "port_bindings": {"changed": True, "before": [], "after": [{"virtual_network": "sriov-a", "interfaces": ["leaf1:xe-0/0/1"]}]},
        "commit": {"changed": True, "deployed_version": 2},
        "attachments": {"changed": True, "before": [], "after": [{"name": "sriov-a", "namespace": "telco"}]},
    },
    "leafs": ["leaf1", "leaf2"], "esi_pairs": {},
}


def test_markdown_lists_changes_revision_and_nads_without_secrets():
    data = dict(DATA, results=report.scrub(DATA["results"]))
    text = report.markdown(data, svg_name="x.svg")
    assert "| Apstra deploy revision | 1 -> 2 |" in text
    assert "| Virtual networks | sriov-a | created | - |" in text
    assert "- telco/sriov-a" in text
    assert "+ leaf1:xe-0/0/1" in text
    assert "s3cret" not in text
    assert "![leafs, nodes and VLANs per port](x.svg)" in text


def test_svg_is_well_formed_and_shows_vlan_on_port():
    picture = report.svg(DATA)
    ElementTree.fromstring(picture)
    assert "sriov-a (VLAN 100)" in picture and "leaf1:xe-0/0/1" in picture
