# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
from unittest import mock

import pytest
import yaml
from ansible import constants as C
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.doc_fragments import constructed, inventory_cache

from ansible_collections.netops.cn2_apstra.plugins.doc_fragments import k8s_auth
from ansible_collections.netops.cn2_apstra.plugins.inventory import sriov_fabric
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import ApstraError

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


NAME = "netops.cn2_apstra.sriov_fabric"


def new_plugin():
    """The plugin with its documented options registered, as the plugin loader would do it."""
    if not C.config.has_configuration_definition("inventory", NAME):
        options = {}
        for text in (constructed.ModuleDocFragment.DOCUMENTATION, inventory_cache.ModuleDocFragment.DOCUMENTATION,
                     k8s_auth.ModuleDocFragment.INVENTORY, sriov_fabric.DOCUMENTATION):
            options.update(yaml.safe_load(text)["options"])
        C.config.initialize_plugin_configuration_definitions("inventory", NAME, options)
    plugin = sriov_fabric.InventoryModule()
    plugin._load_name = NAME
    plugin._ansible_name = NAME
    plugin._aliases = [NAME]
    return plugin


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return json.load(handle)


class FakeApstra:
    def __init__(self, qe=None, fail=None):
        self.qe = qe if qe is not None else fixture("qe_fabric.json")
        self.fail = fail
        self.calls = []

    def get(self, path, params=None):
        self.calls.append(("GET", path))
        return {"items": [{"id": "bp-1", "label": "dc1"}, {"id": "bp-2", "label": "lab"}]}

    def post(self, path, body=None, params=None):
        self.calls.append(("POST", path, body))
        if self.fail:
            raise self.fail
        return self.qe

    def close(self):
        pass


def cluster_data(drop_network_states=False):
    return {"nodes": fixture("nodes.json")["items"], "sriov_states": fixture("sriov_states.json")["items"],
            "network_states": [] if drop_network_states else fixture("network_states.json")["items"]}


@pytest.fixture
def config_file(tmp_path):
    def write(**options):
        body = dict({"plugin": "netops.cn2_apstra.sriov_fabric", "apstra_api_url": "https://apstra.example", "apstra_username": "admin",
                     "apstra_password": "secret-password", "apstra_blueprint": "dc1"}, **options)
        path = tmp_path / "lab.sriov_fabric.yml"
        path.write_text(json.dumps(body))
        return str(path)
    return write


def load(path, apstra=None, cluster=None):
    plugin = new_plugin()
    inventory = InventoryData()
    apstra = apstra or FakeApstra()
    with mock.patch.object(plugin, "_apstra_client", return_value=apstra), \
            mock.patch.object(plugin, "_fetch_cluster", return_value=cluster or cluster_data()):
        plugin.parse(inventory, DataLoader(), path, cache=False)
    return inventory


def hostvars(inventory, host):
    return inventory.get_host(host).get_vars()


def group_hosts(inventory, group):
    return sorted(h.name for h in inventory.groups[group].get_hosts()) if group in inventory.groups else []


def test_verify_file(tmp_path):
    plugin = new_plugin()
    for name, ok in (("sriov_fabric.yml", True), ("prod.sriov_fabric.yaml", True), ("inventory.yml", False)):
        path = tmp_path / name
        path.write_text("plugin: netops.cn2_apstra.sriov_fabric\n")
        assert plugin.verify_file(str(path)) is ok


def test_nodes_ports_and_groups(config_file):
    apstra = FakeApstra()
    inventory = load(config_file(), apstra)
    assert group_hosts(inventory, "sriov_nodes") == ["worker-01", "worker-02", "worker-03", "worker-04", "worker-05", "worker-06", "worker-09"]
    assert group_hosts(inventory, "leaf_leaf1") == ["worker-01", "worker-02"]
    assert group_hosts(inventory, "leaf_leaf2") == ["worker-04", "worker-06"]
    assert group_hosts(inventory, "leaf_leaf3") == ["worker-05"] and group_hosts(inventory, "leaf_leaf4") == ["worker-05"]
    assert group_hosts(inventory, "sriov_cabling_mismatch") == ["worker-03"]
    assert group_hosts(inventory, "sriov_unmapped") == ["worker-09"]
    assert group_hosts(inventory, "resource_intel_com_sriov_dpdk") == ["worker-04", "worker-06"]
    # one blueprint list, one graph query
    assert [c[:2] for c in apstra.calls] == [("GET", "/api/blueprints"), ("POST", "/api/blueprints/bp-1/qe")]

    w1 = hostvars(inventory, "worker-01")
    assert w1["ansible_host"] == "10.0.0.11"
    assert w1["sriov_resources"] == {"intel.com/sriov_netdevice": 8}
    assert w1["fabric_ports"][0]["leaf"] == "leaf1" and w1["fabric_ports"][0]["interface"] == "xe-0/0/1"
    assert w1["fabric_ports"][0]["cabling"] == "verified" and w1["fabric_ports"][0]["lag"] is None
    assert w1["apstra_application_points"] == [w1["fabric_ports"][0]["interface_id"]]
    assert w1["apstra_blueprint_id"] == "bp-1" and w1["sriov_cabling_issues"] == []


def test_esi_node_maps_to_both_leafs_and_one_application_point(config_file):
    inventory = load(config_file())
    w5 = hostvars(inventory, "worker-05")
    ports = w5["fabric_ports"]
    assert [(p["pf"], p["leaf"], p["interface"]) for p in ports] == [("ens1f0", "leaf3", "xe-0/0/5"), ("ens1f1", "leaf4", "xe-0/0/5")]
    assert all(p["lag"]["esi"] and p["lag"]["name"] == "ae5" and p["lag"]["redundancy_group"] == "leaf3-leaf4" for p in ports)
    assert len(set(p["lag"]["interface_id"] for p in ports)) == 1
    assert w5["apstra_application_points"] == [ports[0]["lag"]["interface_id"]]


def test_mismatch_reason_and_no_secrets(config_file):
    inventory = load(config_file())
    w3 = hostvars(inventory, "worker-03")
    assert w3["sriov_cabling_issues"] == ["ens1f0: LLDP says leaf1:xe-0/0/3, Apstra cabling says leaf2:xe-0/0/3"]
    assert w3["fabric_ports"][0]["cabling"] == "mismatch"
    assert "no fabric port" in hostvars(inventory, "worker-09")["sriov_cabling_issues"][0]
    dumped = json.dumps([hostvars(inventory, h) for h in inventory.hosts])
    assert "secret-password" not in dumped


def test_without_lldp_ports_are_unverified(config_file):
    inventory = load(config_file(), cluster=cluster_data(drop_network_states=True))
    assert group_hosts(inventory, "sriov_cabling_mismatch") == []
    assert group_hosts(inventory, "leaf_leaf2") == ["worker-03", "worker-04", "worker-06"]
    assert hostvars(inventory, "worker-03")["fabric_ports"][0]["cabling"] == "unverified"


def test_constructed_options(config_file):
    path = config_file(compose={"ansible_python_interpreter": "'/usr/bin/python3'", "vf_total": "sriov_resources.values() | sum"},
                       groups={"esi": "fabric_ports | selectattr('lag') | list | length > 0"},
                       keyed_groups=[{"key": "sriov_resources.keys() | list", "prefix": "has"}])
    inventory = load(path)
    assert hostvars(inventory, "worker-04")["vf_total"] == 16
    assert hostvars(inventory, "worker-04")["ansible_python_interpreter"] == "/usr/bin/python3"
    assert group_hosts(inventory, "esi") == ["worker-05"]
    assert "worker-06" in group_hosts(inventory, "has_intel_com_sriov_dpdk")


class DictCache(dict):
    """Stands in for the cache plugin adjudicator (the builtin cache plugins need the full plugin loader)."""

    def update_cache_if_changed(self):
        pass


def test_cache_avoids_api_calls(config_file):
    path = config_file(cache=True)
    cache = DictCache()
    plugin = new_plugin()
    apstra = FakeApstra()
    with mock.patch("ansible.plugins.inventory.get_cache_plugin", return_value=cache), \
            mock.patch.object(plugin, "_apstra_client", return_value=apstra), \
            mock.patch.object(plugin, "_fetch_cluster", return_value=cluster_data()) as fetch_cluster:
        plugin.parse(InventoryData(), DataLoader(), path, cache=False)
        second = InventoryData()
        plugin.parse(second, DataLoader(), path, cache=True)
    assert fetch_cluster.call_count == 1 and len(apstra.calls) == 2
    assert list(cache.values())[0]["blueprint_id"] == "bp-1"
    assert "worker-05" in second.hosts and second.get_host("worker-05").get_vars()["fabric_ports"][0]["lag"]["esi"]


def test_unknown_blueprint_and_apstra_errors(config_file):
    with pytest.raises(Exception, match="blueprint 'nope' not found; blueprints on the server: dc1, lab"):
        load(config_file(apstra_blueprint="nope"))
    error = ApstraError("Unprocessable Entity", status=422, body={"errors": "bad query"}, method="POST", path="/api/blueprints/bp-1/qe")
    with pytest.raises(Exception, match="bad query"):
        load(config_file(), apstra=FakeApstra(fail=error))


def test_fabric_index_by_hostname_and_label():
    items = fixture("qe_fabric.json")["items"]
    index = sriov_fabric.fabric_index(items)
    assert len(index[("worker-05", "ens1f0")]) == 1
    assert index[("worker-07", "ens1f0")][0]["speed"] == "25G"
    assert sriov_fabric.safe_group("resource_", "openshift.io/mlx-5.vf") == "resource_openshift_io_mlx_5_vf"
