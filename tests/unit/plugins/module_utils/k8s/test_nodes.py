# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SR-IOV node facts: one list call per source, missing CRDs and forbidden sources, the join by node name, LLDP."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.nodes import (
    is_sriov_resource,
    lldp_neighbors,
    node_facts,
    read_sources,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import K8sError

RES = "intel.com/sriov_netdevice"


def objects(k8s):
    return [
        k8s.node("worker-01", {RES: "8"}, {"sriov": "true"}, "10.0.0.1"),
        k8s.node("worker-02", {}, {"sriov": "false"}),
        k8s.sriov_state("worker-01", ["ens1f0", "ens1f1"]),
        k8s.network_state("worker-01", {"ens1f0": ("leaf1", "xe-0/0/1")}),
    ]


def test_read_sources_one_list_call_each_with_selector_and_namespace(k8s):
    service = k8s.service(objects(k8s), served=k8s.NODE_SOURCES)
    data, served, warnings = read_sources(service, "sriov=true", "sriov-network-operator")
    assert [call[:3] for call in service.calls] == [
        ("list", "Node", None),
        ("list", "SriovNetworkNodeState", "sriov-network-operator"),
        ("list", "NodeNetworkState", None),
    ]
    assert service.selectors[0] == "sriov=true" and [
        n["metadata"]["name"] for n in data["nodes"]
    ] == ["worker-01"]
    assert (
        served == {"nodes": True, "sriov_states": True, "network_states": True} and warnings == []
    )


def test_a_source_not_served_is_a_warning(k8s):
    service = k8s.service(objects(k8s), served=("Node", "SriovNetworkNodeState"))
    data, served, warnings = read_sources(service)
    assert served["network_states"] is False and data["network_states"] == []
    assert warnings == [
        "NodeNetworkState (nmstate.io/v1beta1) is not served by this cluster; its facts are left out"
    ]


def test_nodes_not_served_is_an_error(k8s):
    with pytest.raises(K8sError, match="does not serve v1 Node"):
        read_sources(k8s.service(served=()))


@pytest.mark.parametrize("status, tolerated", [(403, True), (401, True), (500, False)])
def test_forbidden_sources_other_than_nodes_are_tolerated_when_asked(k8s, status, tolerated):
    service = k8s.service(objects(k8s), served=k8s.NODE_SOURCES)
    service.fail[("list", "NodeNetworkState")] = (status, {"message": "nope"})
    if tolerated:
        data, served, warnings = read_sources(service, tolerate_forbidden=True)
        assert (
            served["network_states"] is False
            and data["network_states"] == []
            and "cannot list NodeNetworkState" in warnings[0]
        )
    else:
        with pytest.raises(K8sError):
            read_sources(service, tolerate_forbidden=True)
    with pytest.raises(K8sError):
        read_sources(service)


def test_forbidden_nodes_are_never_tolerated(k8s):
    service = k8s.service(objects(k8s), served=k8s.NODE_SOURCES)
    service.fail[("list", "Node")] = (403, {"message": "forbidden"})
    with pytest.raises(K8sError):
        read_sources(service, tolerate_forbidden=True)


def test_node_facts_join_resources_pfs_and_lldp(k8s):
    nodes, states, network = (
        [o for o in objects(k8s) if o["kind"] == "Node"],
        objects(k8s)[2:3],
        objects(k8s)[3:],
    )
    facts = node_facts(nodes, states, network)
    assert [f["name"] for f in facts] == ["worker-01", "worker-02"]
    first = facts[0]
    assert (
        first["resources"] == {RES: 8}
        and first["internal_ip"] == "10.0.0.1"
        and first["labels"] == {"sriov": "true"}
    )
    assert [
        (pf["name"], pf["pci_address"], pf["num_vfs"], pf["total_vfs"]) for pf in first["pfs"]
    ] == [("ens1f0", "0000:3b:00.0", 8, 64), ("ens1f1", "0000:3b:00.1", 8, 64)]
    assert (
        first["pfs"][0]["lldp"] == [{"switch": "leaf1", "port": "xe-0/0/1"}]
        and first["pfs"][1]["lldp"] == []
    )
    assert facts[1]["resources"] == {} and facts[1]["pfs"] == [] and facts[1]["internal_ip"] is None
    assert [f["name"] for f in node_facts(nodes, states, network, resource_names=[RES])] == [
        "worker-01"
    ]


def test_lldp_neighbors_read_tlvs_by_type_or_field():
    state = {
        "status": {
            "currentState": {
                "interfaces": [
                    {
                        "name": "ens1f0",
                        "lldp": {
                            "neighbors": [
                                [
                                    {"type": 5, "system-name": "leaf1.dc1.example.net"},
                                    {"type": 2, "port-id": "xe-0/0/1.0"},
                                ]
                            ]
                        },
                    },
                    {"name": "ens1f1", "lldp": {"neighbors": [[{"system-name": "leaf2"}]]}},
                    {"name": "ens2f0", "lldp": {"enabled": False}},
                ]
            }
        }
    }
    assert lldp_neighbors(state) == {
        "ens1f0": [{"switch": "leaf1.dc1.example.net", "port": "xe-0/0/1.0"}],
        "ens1f1": [{"switch": "leaf2", "port": None}],
    }
    assert lldp_neighbors(None) == {}


@pytest.mark.parametrize(
    "name, sriov",
    [
        ("intel.com/sriov_netdevice", True),
        ("openshift.io/mlx", True),
        ("cpu", False),
        ("hugepages-1Gi", False),
        ("kubernetes.io/batch", False),
        ("devices.kubevirt.k8s.io/kvm", False),
    ],
)
def test_is_sriov_resource(name, sriov):
    assert is_sriov_resource(name) is sriov
