# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.modules import sriov_node_info as module


def objects(k8s):
    return [
        k8s.node("worker-1", {"intel.com/sriov_netdevice": "8"}, address="10.0.0.1"),
        k8s.node("worker-2", {"intel.com/sriov_dpdk": "4"}),
        k8s.node("worker-3", {}),
        k8s.sriov_state("worker-1", ["ens1f0"]),
        k8s.sriov_state("worker-2", ["ens1f0", "ens1f1"]),
        k8s.network_state("worker-1", {"ens1f0": ("leaf1", "xe-0/0/1")}),
        k8s.network_state(
            "worker-2",
            {"ens1f0": ("leaf3", "xe-0/0/5"), "ens1f1": ("leaf4.dc1.example.net", "xe-0/0/5.0")},
        ),
    ]


def test_one_list_call_per_source_and_joined_facts(k8s):
    service = k8s.service(objects(k8s), served=k8s.NODE_SOURCES)
    result = k8s.run(
        module.main, {"label_selector": "", "sriov_namespace": "sriov-network-operator"}, service
    )
    assert sorted(call[1] for call in service.calls) == [
        "Node",
        "NodeNetworkState",
        "SriovNetworkNodeState",
    ]
    nodes = dict((n["name"], n) for n in result["nodes"])
    assert sorted(nodes) == ["worker-1", "worker-2", "worker-3"]
    assert (
        nodes["worker-1"]["resources"] == {"intel.com/sriov_netdevice": 8}
        and nodes["worker-1"]["internal_ip"] == "10.0.0.1"
    )
    pf = nodes["worker-2"]["pfs"][1]
    assert (
        pf["name"] == "ens1f1"
        and pf["pci_address"] == "0000:3b:00.1"
        and pf["num_vfs"] == 8
        and pf["total_vfs"] == 64
    )
    assert pf["lldp"] == [{"switch": "leaf4.dc1.example.net", "port": "xe-0/0/5.0"}]
    assert nodes["worker-3"]["resources"] == {} and nodes["worker-3"]["pfs"] == []
    assert (
        result["sources"] == {"nodes": True, "sriov_states": True, "network_states": True}
        and result["changed"] is False
    )


def test_resource_filter_and_a_missing_crd_warns(k8s):
    service = k8s.service(objects(k8s), served=("Node", "SriovNetworkNodeState"))
    result = k8s.run(module.main, {"resource_name": ["intel.com/sriov_dpdk"]}, service)
    assert [n["name"] for n in result["nodes"]] == ["worker-2"] and result["nodes"][0]["pfs"][0][
        "lldp"
    ] == []
    assert (
        result["sources"]["network_states"] is False and "NodeNetworkState" in result["warnings"][0]
    )


def test_a_list_error_fails_with_status(k8s):
    service = k8s.service(objects(k8s), served=k8s.NODE_SOURCES)
    service.fail[("list", "SriovNetworkNodeState")] = (403, {"message": "forbidden"})
    result = k8s.run(module.main, {}, service)
    assert result["failed"] and result["status"] == 403 and "forbidden" in result["msg"]
