# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cn2_virtual_network_routers and sriov_node_info through one real ansible-playbook run."""

import json

import yaml

HUB = {
    "name": "hub",
    "namespace": "telco",
    "type": "hub",
    "virtual_network_selector": {"role": "hub"},
    "labels": {"vnr": "hub"},
    "import_routers": [{"router_selector": {"vnr": "spoke"}}],
}
SPOKE = {
    "name": "spoke",
    "namespace": "telco",
    "type": "spoke",
    "virtual_network_selector": {"role": "spoke"},
    "labels": {"vnr": "spoke"},
    "import_routers": [{"router_selector": {"vnr": "hub"}}],
}


def test_routers_and_node_info(k8s, run_playbook, tmp_path):
    out = tmp_path / "results.json"
    vnr = "netops.cn2_apstra.cn2_virtual_network_routers"
    info = "netops.cn2_apstra.sriov_node_info"
    tasks = [
        {"name": "check", vnr: {"config": [HUB, SPOKE]}, "check_mode": True, "register": "check"},
        {"name": "create", vnr: {"config": [HUB, SPOKE]}, "register": "create"},
        {"name": "again", vnr: {"config": [HUB, SPOKE]}, "register": "again"},
        {
            "name": "override",
            vnr: {"state": "overridden", "namespace": "telco", "config": [HUB]},
            "diff": True,
            "register": "override",
        },
        {
            "name": "nodes",
            info: {"label_selector": "feature.node.kubernetes.io/network-sriov.capable=true"},
            "register": "nodes",
        },
        {"name": "dpdk", info: {"resource_name": ["intel.com/sriov_dpdk"]}, "register": "dpdk"},
        {
            "name": "results",
            "ansible.builtin.copy": {
                "dest": str(out),
                "content": "{{ {'check': check, 'create': create, 'again': again, 'override': override, 'nodes': nodes, 'dpdk': dpdk} | to_json }}",
            },
        },
    ]
    playbook = yaml.safe_dump(
        [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], sort_keys=False
    )
    k8s.clear_log()
    result = run_playbook(playbook, env={"K8S_AUTH_KUBECONFIG": k8s.kubeconfig})
    assert result.rc == 0, result
    res = json.loads(out.read_text())
    log = [r for r in k8s.requests_log() if not r["path"].startswith("/_sim")]

    assert res["check"]["changed"] and res["create"]["changed"] and not res["again"]["changed"]
    router_writes = [
        r for r in log if "virtualnetworkrouters" in r["path"] and r["method"] != "GET"
    ]
    assert [(r["method"], r["dry_run"]) for r in router_writes] == [("POST", True)] * 2 + [
        ("POST", False)
    ] * 2 + [("DELETE", False)]
    assert res["create"]["plan"][0]["body"]["spec"] == {
        "type": "hub",
        "virtualNetworkSelector": {"matchLabels": {"role": "hub"}},
        "import": {
            "virtualNetworkRouters": [
                {"virtualNetworkRouterSelector": {"matchLabels": {"vnr": "spoke"}}}
            ]
        },
    }
    assert res["create"]["plan"][0]["path"].startswith("/apis/core.contrail.juniper.net/")
    assert [o["name"] for o in res["override"]["after"]] == ["hub"] and [
        d["before_header"] for d in res["override"]["diff"]
    ] == ["router telco/spoke"]

    nodes = dict((n["name"], n) for n in res["nodes"]["nodes"])
    assert sorted(nodes) == ["worker-0%d" % i for i in range(1, 7)]
    assert nodes["worker-04"]["resources"] == {
        "intel.com/sriov_dpdk": 8,
        "intel.com/sriov_netdevice": 8,
    }
    pfs = nodes["worker-05"]["pfs"]
    assert [(p["name"], p["lldp"][0]["switch"], p["lldp"][0]["port"]) for p in pfs] == [
        ("ens1f0", "leaf3", "xe-0/0/5"),
        ("ens1f1", "leaf4", "xe-0/0/5"),
    ]
    assert all(p["pci_address"] and p["total_vfs"] and p["mac"] and p["link_speed"] for p in pfs)
    assert nodes["worker-03"]["pfs"][0]["lldp"] == [{"switch": "leaf1", "port": "xe-0/0/3"}]
    assert [n["name"] for n in res["dpdk"]["nodes"]] == ["worker-04", "worker-06"]
    # one list call per source per run, never one per node
    node_calls = [
        r
        for r in log
        if r["method"] == "GET"
        and r["path"].endswith(("/nodes", "/sriovnetworknodestates", "/nodenetworkstates"))
    ]
    assert len(node_calls) == 6 and not [r for r in log if "/nodes/" in r["path"]]
