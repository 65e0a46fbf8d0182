# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest import mock

from ansible.module_utils.testing import patch_module_args

from ansible_collections.netops.cn2_apstra.plugins.modules import sriov_node_info as module
from ansible_collections.netops.cn2_apstra.tests.unit.plugins.module_utils.k8s.fake_k8s import FakeService


class Done(Exception):
    pass


def _exit(self, **kwargs):
    raise Done(kwargs)


def node(name, resources, labels=None):
    allocatable = {"cpu": "32", "memory": "128Gi", "pods": "110", "hugepages-1Gi": "8Gi"}
    allocatable.update(resources)
    return {"kind": "Node", "metadata": {"name": name, "labels": labels or {}},
            "status": {"allocatable": allocatable, "addresses": [{"type": "Hostname", "address": name},
                                                                 {"type": "InternalIP", "address": "10.0.0.%s" % name[-1]}]}}


def state(name, pfs):
    return {"kind": "SriovNetworkNodeState", "metadata": {"name": name, "namespace": "sriov-network-operator"},
            "status": {"interfaces": [{"name": pf, "pciAddress": "0000:3b:00.%d" % i, "numVfs": 8, "totalvfs": 64, "linkSpeed": "25000 Mb/s",
                                       "mac": "52:54:00:00:00:0%d" % i, "driver": "ice"} for i, pf in enumerate(pfs)]}}


def nns(name, neighbors):
    interfaces = [{"name": intf, "type": "ethernet", "lldp": {"enabled": True, "neighbors": [[
        {"type": 1, "chassis-id": "aa:bb", "chassis-id-type": 4}, {"type": 5, "system-name": switch},
        {"type": 2, "port-id": port, "port-id-type": 5}]]}} for intf, (switch, port) in neighbors.items()]
    return {"kind": "NodeNetworkState", "metadata": {"name": name}, "status": {"currentState": {"interfaces": interfaces}}}


OBJECTS = [
    node("worker-1", {"intel.com/sriov_netdevice": "8"}), node("worker-2", {"intel.com/sriov_dpdk": "4"}), node("worker-3", {}),
    state("worker-1", ["ens1f0"]), state("worker-2", ["ens1f0", "ens1f1"]),
    nns("worker-1", {"ens1f0": ("leaf1", "xe-0/0/1")}), nns("worker-2", {"ens1f0": ("leaf3", "xe-0/0/5"), "ens1f1": ("leaf4", "xe-0/0/5")}),
]


def run_module(args, service):
    with patch_module_args(args), mock.patch.object(module.AnsibleModule, "exit_json", _exit), \
            mock.patch.object(module, "service_for", return_value=service):
        try:
            module.main()
        except Done as exc:
            return exc.args[0]
    raise AssertionError("module did not exit")


def test_one_list_call_per_source_and_joined_facts():
    service = FakeService(OBJECTS, served=("Node", "SriovNetworkNodeState", "NodeNetworkState"))
    result = run_module({}, service)
    assert sorted(c[1] for c in service.calls) == ["Node", "NodeNetworkState", "SriovNetworkNodeState"]
    nodes = dict((n["name"], n) for n in result["nodes"])
    assert sorted(nodes) == ["worker-1", "worker-2", "worker-3"]
    assert nodes["worker-1"]["resources"] == {"intel.com/sriov_netdevice": 8}
    assert nodes["worker-1"]["internal_ip"] == "10.0.0.1"
    pf = nodes["worker-2"]["pfs"][1]
    assert pf["name"] == "ens1f1" and pf["pci_address"] == "0000:3b:00.1" and pf["num_vfs"] == 8 and pf["total_vfs"] == 64
    assert pf["lldp"] == [{"switch": "leaf4", "port": "xe-0/0/5"}]
    assert nodes["worker-3"]["resources"] == {} and nodes["worker-3"]["pfs"] == []
    assert result["sources"] == {"nodes": True, "sriov_states": True, "network_states": True}


def test_resource_filter_and_missing_crd_warns():
    service = FakeService(OBJECTS, served=("Node", "SriovNetworkNodeState"))
    with mock.patch.object(module.AnsibleModule, "warn") as warn:
        result = run_module({"resource_name": ["intel.com/sriov_dpdk"]}, service)
    assert [n["name"] for n in result["nodes"]] == ["worker-2"]
    assert result["nodes"][0]["pfs"][0]["lldp"] == []
    assert result["sources"]["network_states"] is False and "NodeNetworkState" in warn.call_args[0][0]
