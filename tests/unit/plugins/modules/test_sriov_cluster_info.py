# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model
from ansible_collections.netops.cn2_apstra.plugins.modules import sriov_cluster_info as module

OPT_IN = {model.FABRIC_ANNOTATION: "true", model.ZONE_ANNOTATION: "telco"}
RELEASED = {model.RELEASED_ANNOTATION: json.dumps({"worker-05": "2025-03-01T11:58:00Z"})}


def sriov_network(name, opted_in=True):
    return {
        "kind": "SriovNetwork",
        "metadata": {
            "name": name,
            "namespace": "sriov-network-operator",
            "annotations": OPT_IN if opted_in else {},
        },
        "spec": {"resourceName": "nics", "vlan": 300},
    }


def cluster(k8s, served=None):
    objects = [
        k8s.node("worker-01", {"intel.com/sriov_netdevice": "8"}),
        k8s.sriov_state("worker-01", ["ens1f0"]),
        k8s.nad("mine", annotations=RELEASED),
        k8s.nad("theirs", managed=False, annotations=OPT_IN),
        k8s.pod("p1", "telco/mine", node="worker-01"),
        k8s.pod("p2", '[{"name": "theirs"}]', node="worker-05"),
        sriov_network("s1"),
        sriov_network("s2", opted_in=False),
    ]
    return k8s.service(
        objects,
        served=served
        or k8s.DEFAULT_SERVED + ("SriovNetworkNodeState", "NodeNetworkState", "SriovNetwork"),
    )


def test_default_gathers_nodes_and_attachments_with_release_marks(k8s):
    service = cluster(k8s)
    result = k8s.run(module.main, {}, service)
    assert [n["name"] for n in result["nodes"]] == ["worker-01"] and result["nodes"][0]["pfs"][0][
        "name"
    ] == "ens1f0"
    assert [(a["namespace"], a["name"], a["vlan"]) for a in result["attachments"]] == [
        ("telco", "mine", 100),
        ("telco", "theirs", 100),
    ]
    assert result["released"] == {"telco/mine": {"worker-05": "2025-03-01T11:58:00Z"}}
    assert "nads" not in result and "pod_usage" not in result and result["changed"] is False


def test_sources_and_pods_with_one_list_call_per_kind(k8s):
    service = cluster(k8s)
    result = k8s.run(
        module.main,
        {"gather": ["attachments", "sources", "pods"], "sriov_namespace": "sriov-network-operator"},
        service,
    )
    assert [call[1] for call in service.calls] == [
        "NetworkAttachmentDefinition",
        "SriovNetwork",
        "Pod",
    ]
    assert service.calls[1][2] == "sriov-network-operator"
    assert [n["metadata"]["name"] for n in result["nads"]] == ["theirs"] and set(
        result["nads"][0]
    ) == {"metadata", "spec"}
    assert [n["metadata"]["name"] for n in result["sriov_networks"]] == ["s1"]
    assert result["pod_usage"] == {
        "telco/mine": {"worker-01": ["telco/p1"]},
        "telco/theirs": {"worker-05": ["telco/p2"]},
    }
    assert "nodes" not in result


def test_sriov_networks_not_served_are_an_empty_list(k8s):
    service = cluster(k8s, served=k8s.DEFAULT_SERVED)
    result = k8s.run(module.main, {"gather": ["sources"]}, service)
    assert result["sriov_networks"] == [] and not result["failed"]


def test_pods_and_tenants_share_one_pod_list_call(k8s):
    service = cluster(
        k8s,
        served=k8s.DEFAULT_SERVED + ("Namespace", "Subnet", "VirtualNetwork"),
    )
    result = k8s.run(module.main, {"gather": ["pods", "tenants"]}, service)
    assert [call[1] for call in service.calls].count("Pod") == 1
    assert result["pod_usage"] == {
        "telco/mine": {"worker-01": ["telco/p1"]},
        "telco/theirs": {"worker-05": ["telco/p2"]},
    }
    assert result["tenants"]["pods"] == {"telco/p1": "", "telco/p2": ""}
