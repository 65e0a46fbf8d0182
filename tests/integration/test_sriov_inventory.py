# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sriov_fabric inventory plugin through the real `ansible-inventory --list`, against both emulators.

Credentials come only from the environment (K8S_AUTH_*, APSTRA_*), as in an AWX inventory source. The API
call count must not grow with the cluster: a generated 1,000-server fabric and its cluster make the same
number of calls as the demo lab.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sim_core.testing import generate_lab, lab_emulators

ANSIBLE_INVENTORY = str(Path(sys.executable).parent / "ansible-inventory")
CONFIG = "plugin: netops.cn2_apstra.sriov_fabric\napstra_blueprint: dc1\n"


def unwrap(value):
    """ansible-core 2.19 marks API strings as untrusted in inventory JSON: {"__ansible_unsafe": "..."}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((k, unwrap(v)) for k, v in value.items())
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def run_inventory(ansible_env, path, kubeconfig, apstra_url, credentials):
    """`ansible-inventory -i path --list` with every credential from the environment only."""
    env = dict(
        ansible_env,
        K8S_AUTH_KUBECONFIG=str(kubeconfig),
        APSTRA_API_URL=apstra_url,
        APSTRA_USERNAME=credentials["username"],
        APSTRA_PASSWORD=credentials["password"],
        APSTRA_VERIFY_CERTIFICATES="false",
    )
    return subprocess.run(
        [ANSIBLE_INVENTORY, "-i", str(path), "--list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def inventory_list(ansible_env, tmp_path, kubeconfig, apstra_url, credentials):
    path = tmp_path / "lab.sriov_fabric.yml"
    path.write_text(CONFIG)
    proc = run_inventory(ansible_env, path, kubeconfig, apstra_url, credentials)
    assert proc.returncode == 0, proc.stderr
    assert "[WARNING]" not in proc.stderr, proc.stderr
    assert credentials["password"] not in proc.stdout
    return unwrap(json.loads(proc.stdout))


def api_calls(emulator):
    return [
        (r["method"], r["path"])
        for r in emulator.requests_log()
        if not r["path"].startswith("/_sim")
    ]


def hosts_of(inventory, group):
    return sorted((inventory.get(group) or {}).get("hosts") or [])


@pytest.fixture
def demo_inventory(k8s, apstra, apstra_credentials, ansible_env, tmp_path):
    k8s.clear_log()
    apstra.clear_log()
    inventory = inventory_list(
        ansible_env, tmp_path, k8s.kubeconfig, apstra.url, apstra_credentials
    )
    return inventory, api_calls(k8s), api_calls(apstra)


def test_demo_lab_nodes_ports_and_groups(demo_inventory):
    inventory = demo_inventory[0]
    hostvars = inventory["_meta"]["hostvars"]
    assert hosts_of(inventory, "sriov_nodes") == ["worker-0%d" % i for i in range(1, 7)]
    ports = dict(
        (host, [(p["pf"], p["leaf"], p["interface"]) for p in hostvars[host]["fabric_ports"]])
        for host in hostvars
    )
    assert ports == {
        "worker-01": [("ens1f0", "leaf1", "xe-0/0/1")],
        "worker-02": [("ens1f0", "leaf1", "xe-0/0/2")],
        "worker-03": [("ens1f0", "leaf2", "xe-0/0/3")],
        "worker-04": [("ens1f0", "leaf2", "xe-0/0/4")],
        "worker-05": [("ens1f0", "leaf3", "xe-0/0/5"), ("ens1f1", "leaf4", "xe-0/0/5")],
        "worker-06": [("ens1f0", "leaf2", "xe-0/0/6")],
    }
    # the ESI node sits on both leafs of its pair, and binds through the one logical ae5
    assert "worker-05" in hosts_of(inventory, "leaf_leaf3") and "worker-05" in hosts_of(
        inventory, "leaf_leaf4"
    )
    lags = [p["lag"] for p in hostvars["worker-05"]["fabric_ports"]]
    assert all(
        lag["esi"] and lag["name"] == "ae5" and lag["redundancy_group"] == "leaf3-leaf4"
        for lag in lags
    )
    assert hostvars["worker-05"]["apstra_application_points"] == [lags[0]["interface_id"]]
    assert hostvars["worker-05"]["sriov_resources"] == {"intel.com/sriov_netdevice": 16}
    # the deliberately mis-cabled node
    assert hosts_of(inventory, "sriov_cabling_mismatch") == ["worker-03"]
    assert hostvars["worker-03"]["sriov_cabling_issues"] == [
        "ens1f0: LLDP says leaf1:xe-0/0/3, Apstra cabling says leaf2:xe-0/0/3"
    ]
    assert "worker-03" not in hosts_of(inventory, "leaf_leaf2") and hosts_of(
        inventory, "leaf_leaf1"
    ) == ["worker-01", "worker-02"]
    assert hosts_of(inventory, "sriov_unmapped") == []
    assert hosts_of(inventory, "resource_intel_com_sriov_dpdk") == ["worker-04", "worker-06"]
    assert all(hostvars[h]["ansible_host"].startswith("10.") for h in hostvars)
    assert all(
        hostvars[h]["fabric_ports"][0]["cabling"] == "verified"
        for h in hostvars
        if h != "worker-03"
    )


def test_api_calls_do_not_grow_with_the_cluster(
    demo_inventory, apstra_credentials, ansible_env, tmp_path
):
    demo_k8s_calls, demo_apstra_calls = demo_inventory[1:]
    lab = generate_lab(tmp_path, leafs=32, servers=1000, miscabled=5)
    with lab_emulators(*lab, tmp_path) as (big_apstra, big_k8s):
        inventory = inventory_list(
            ansible_env, tmp_path, big_k8s.kubeconfig, big_apstra.url, apstra_credentials
        )
        big_k8s_calls, big_apstra_calls = api_calls(big_k8s), api_calls(big_apstra)
    nodes = hosts_of(inventory, "sriov_nodes")
    assert len(nodes) == 750
    mismatched = hosts_of(inventory, "sriov_cabling_mismatch")
    assert mismatched and all(
        "LLDP says" in inventory["_meta"]["hostvars"][h]["sriov_cabling_issues"][0]
        for h in mismatched
    )
    esi = [
        h
        for h in nodes
        if any(
            (p["lag"] or {}).get("esi") for p in inventory["_meta"]["hostvars"][h]["fabric_ports"]
        )
    ]
    assert esi and all(
        len(set(p["leaf"] for p in inventory["_meta"]["hostvars"][h]["fabric_ports"])) == 2
        for h in esi
    )
    # same calls, same count: one list per source, one blueprint list, one graph query (and a login the first time a
    # server is seen: the token is cached per user and server, as the modules cache it)
    big_apstra_calls = [c for c in big_apstra_calls if c[1] != "/api/aaa/login"]
    demo_apstra_calls = [c for c in demo_apstra_calls if c[1] != "/api/aaa/login"]
    assert len(big_k8s_calls) == len(demo_k8s_calls) and len(big_apstra_calls) == len(
        demo_apstra_calls
    )
    assert sorted(big_k8s_calls, key=str) == sorted(demo_k8s_calls, key=str)
    assert [c for c in big_apstra_calls if c[1].endswith("/qe")] and len(big_apstra_calls) == 2
    lists = [
        c
        for c in big_k8s_calls
        if c[1].endswith(("/nodes", "/sriovnetworknodestates", "/nodenetworkstates"))
    ]
    # nothing but the three lists: no API discovery, the client knows the paths of the kinds it reads
    assert len(lists) == 3 == len(big_k8s_calls)
    print(
        "API calls: kubernetes %d (demo %d), apstra %d (demo %d)"
        % (len(big_k8s_calls), len(demo_k8s_calls), len(big_apstra_calls), len(demo_apstra_calls))
    )


def test_missing_blueprint_is_a_clear_error(k8s, apstra, apstra_credentials, ansible_env, tmp_path):
    path = tmp_path / "bad.sriov_fabric.yml"
    path.write_text("plugin: netops.cn2_apstra.sriov_fabric\napstra_blueprint: nope\n")
    proc = run_inventory(ansible_env, path, k8s.kubeconfig, apstra.url, apstra_credentials)
    assert "blueprint: unknown blueprint 'nope'; known: dc1" in proc.stderr
    assert apstra_credentials["password"] not in proc.stderr + proc.stdout
