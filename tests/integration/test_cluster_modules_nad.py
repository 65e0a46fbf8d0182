# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sriov_network_attachments through real ansible-playbook runs against the Kubernetes emulator.

Each playbook batches several steps; between steps it reads the emulator's request log over the control API
(`uri` tasks), and the results are written to a JSON file the test reads.
"""

import json

import requests
import yaml

NADS = "/apis/k8s.cni.cncf.io/v1/namespaces/telco/network-attachment-definitions"
OWNER = "app.kubernetes.io/managed-by"

NETWORK = {
    "name": "sriov-vlan100",
    "namespace": "telco",
    "resource_name": "intel.com/sriov_netdevice",
    "vlan": 100,
    "vlan_qos": 2,
    "spoofchk": False,
    "trust": True,
    "mtu": 9000,
    "labels": {"fabric-vn": "vn100"},
    "ipam": {
        "type": "whereabouts",
        "range": "10.100.0.0/24",
        "gateway": "10.100.0.1",
        "exclude": ["10.100.0.0/28"],
        "routes": [{"dst": "10.200.0.0/16"}],
    },
}


def clear(register):
    return [
        {
            "name": "clear log " + register,
            "ansible.builtin.uri": {
                "url": "{{ k8s_url }}/_sim/requests",
                "method": "DELETE",
                "status_code": [200, 204],
            },
            "register": register,
        }
    ]


def read(register):
    return [
        {
            "name": "read log " + register,
            "ansible.builtin.uri": {"url": "{{ k8s_url }}/_sim/requests"},
            "register": register,
        }
    ]


def module_task(
    register, args, check=False, diff=False, ignore=False, module="sriov_network_attachments"
):
    task = {"name": register, "netops.cn2_apstra." + module: args, "register": register}
    if check:
        task["check_mode"] = True
    if diff:
        task["diff"] = True
    if ignore:
        task["ignore_errors"] = True
    return [task]


def play(k8s, run_playbook, tmp_path, tasks, names):
    """Run the tasks in one play; returns the registered results named in `names` and the run."""
    out = tmp_path / "results.json"
    tasks = tasks + [
        {
            "name": "results",
            "ansible.builtin.copy": {
                "content": "{{ {%s} | to_json }}" % ", ".join("'%s': %s" % (n, n) for n in names),
                "dest": str(out),
            },
        }
    ]
    playbook = yaml.safe_dump(
        [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}], sort_keys=False
    )
    result = run_playbook(
        playbook, extra_vars={"k8s_url": k8s.url}, env={"K8S_AUTH_KUBECONFIG": k8s.kubeconfig}
    )
    assert result.rc == 0, result
    return json.loads(out.read_text()), result


def requests_of(log):
    return log["json"]["requests"]


def get_nad(k8s, name):
    resp = requests.get(k8s.url + NADS + "/" + name, timeout=10)
    return resp.json() if resp.status_code == 200 else None


def test_check_mode_create_then_idempotent(k8s, run_playbook, tmp_path):
    body = (
        clear("c0")
        + module_task("check", {"config": [NETWORK]}, check=True, diff=True)
        + read("log_check")
        + module_task("create", {"config": [NETWORK]})
        + clear("c1")
        + module_task("again", {"config": [NETWORK]})
        + module_task("again_check", {"config": [NETWORK]}, check=True)
        + read("log_again")
        + module_task("gathered", {"state": "gathered", "namespace": "telco"})
    )
    res = play(
        k8s,
        run_playbook,
        tmp_path,
        body,
        ["check", "log_check", "create", "again", "again_check", "log_again", "gathered"],
    )[0]

    # check mode: changed, a plan and a diff, and only dry-run writes reached the server
    assert res["check"]["changed"] is True
    assert res["check"]["plan"][0]["method"] == "POST" and res["check"]["plan"][0]["path"] == NADS
    assert [d["after_header"] for d in res["check"]["diff"]] == ["attachment telco/sriov-vlan100"]
    assert res["check"]["diff"][0]["after"]["vlan"] == 100
    check_writes = [
        r
        for r in requests_of(res["log_check"])
        if r["method"] in ("POST", "PATCH", "PUT", "DELETE") and not r["path"].startswith("/_sim")
    ]
    assert check_writes and all(r["dry_run"] and not r["write"] for r in check_writes)

    # real run created the object, marked as ours, config built as JSON
    assert res["create"]["changed"] is True
    assert res["create"]["after"] == [dict(NETWORK, owner="intent")]
    stored = get_nad(k8s, "sriov-vlan100")
    assert stored["metadata"]["labels"] == {"fabric-vn": "vn100", OWNER: "netops.cn2_apstra"}
    assert (
        stored["metadata"]["annotations"]["k8s.v1.cni.cncf.io/resourceName"]
        == "intel.com/sriov_netdevice"
    )
    config = json.loads(stored["spec"]["config"])
    assert (
        config["type"] == "sriov"
        and config["vlan"] == 100
        and config["vlanQoS"] == 2
        and config["spoofchk"] == "off"
    )
    assert config["ipam"] == {
        "type": "whereabouts",
        "range": "10.100.0.0/24",
        "gateway": "10.100.0.1",
        "exclude": ["10.100.0.0/28"],
        "routes": [{"dst": "10.200.0.0/16"}],
    }

    # second run (and a check-mode run): unchanged, no write at all
    assert res["again"]["changed"] is False and res["again"]["plan"] == []
    assert res["again_check"]["changed"] is False
    assert [r for r in requests_of(res["log_again"]) if r["write"] or r.get("dry_run")] == []
    assert res["gathered"]["gathered"] == [dict(NETWORK, owner="intent")]


def test_delete_refused_while_pod_attached_and_bad_input(k8s, run_playbook, tmp_path):
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "upf-0",
            "namespace": "telco",
            "annotations": {
                "k8s.v1.cni.cncf.io/networks": '[{"name": "sriov-vlan100", "interface": "net1"}]'
            },
        },
        "spec": {"containers": [{"name": "upf", "image": "upf:1"}]},
    }
    pod2 = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "smf-0",
            "namespace": "default",
            "annotations": {"k8s.v1.cni.cncf.io/networks": "telco/sriov-vlan100@net1"},
        },
        "spec": {"containers": [{"name": "smf", "image": "smf:1"}]},
    }
    for obj in (pod, pod2):
        resp = requests.post(
            k8s.url + "/api/v1/namespaces/%s/pods" % obj["metadata"]["namespace"],
            json=obj,
            timeout=10,
        )
        assert resp.status_code == 201, resp.text
    delete = {"state": "deleted", "config": [{"name": "sriov-vlan100", "namespace": "telco"}]}
    bad = [
        ("bad_vlan", dict(NETWORK, vlan=5000)),
        (
            "bad_ipam",
            dict(
                NETWORK,
                ipam={"type": "whereabouts", "range": "10.100.0.0/24", "gateway": "10.101.0.1"},
            ),
        ),
        ("bad_static", dict(NETWORK, ipam={"type": "static"})),
        ("bad_name", dict(NETWORK, name="SRIOV_100")),
    ]
    body = (
        module_task("create", {"config": [NETWORK]})
        + clear("c0")
        + module_task("refused", delete, ignore=True)
    )
    for register, item in bad:
        body += module_task(register, {"config": [item]}, ignore=True)
    body += read("log_refused") + module_task("forced", dict(delete, force=True), diff=True)
    res = play(
        k8s,
        run_playbook,
        tmp_path,
        body,
        ["create", "refused", "log_refused", "forced"] + [b[0] for b in bad],
    )[0]

    assert res["refused"]["failed"] is True
    assert "telco/upf-0" in res["refused"]["msg"] and "default/smf-0" in res["refused"]["msg"]
    assert "force: true" in res["refused"]["msg"]
    assert (
        res["bad_vlan"]["failed"]
        and "config[0].vlan: 5000 is out of range; allowed 0-4094" in res["bad_vlan"]["msg"]
    )
    assert (
        res["bad_ipam"]["failed"]
        and "config[0].ipam.gateway: 10.101.0.1 is outside range 10.100.0.0/24"
        in res["bad_ipam"]["msg"]
    )
    assert (
        res["bad_static"]["failed"]
        and "config[0].ipam.addresses is required" in res["bad_static"]["msg"]
    )
    assert (
        res["bad_name"]["failed"]
        and "config[0].name: 'SRIOV_100' is not a valid name" in res["bad_name"]["msg"]
    )
    # nothing was written (or even dry-run) by the refused delete and the invalid inputs
    assert [r for r in requests_of(res["log_refused"]) if r["write"] or r.get("dry_run")] == []
    assert get_nad(k8s, "sriov-vlan100") is None and res["forced"]["changed"] is True
    assert res["forced"]["plan"] == [
        {"method": "DELETE", "path": NADS + "/sriov-vlan100", "body": None}
    ]


def test_replaced_overridden_and_only_marked_removed(k8s, run_playbook, tmp_path):
    foreign = {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": "foreign", "namespace": "telco"},
        "spec": {
            "config": json.dumps(
                {"cniVersion": "0.3.1", "name": "foreign", "type": "sriov", "vlan": 7}
            )
        },
    }
    assert requests.post(k8s.url + NADS, json=foreign, timeout=10).status_code == 201
    second = {
        "name": "sriov-vlan200",
        "namespace": "telco",
        "resource_name": "intel.com/sriov_dpdk",
        "vlan": 200,
        "ipam": {"type": "host-local", "range": "10.20.0.0/24"},
    }
    replaced = {
        "name": "sriov-vlan100",
        "namespace": "telco",
        "resource_name": "intel.com/sriov_netdevice",
        "vlan": 101,
    }
    body = (
        module_task("create", {"config": [NETWORK, second]})
        + module_task("replace", {"state": "replaced", "config": [replaced]}, diff=True)
        + module_task(
            "override", {"state": "overridden", "namespace": "telco", "config": [replaced]}
        )
    )
    res, result = play(k8s, run_playbook, tmp_path, body, ["create", "replace", "override"])
    assert "host-local IPAM allocates addresses per node" in result.stdout + result.stderr
    assert res["replace"]["diff"][0]["before"]["vlan"] == 100
    assert res["replace"]["diff"][0]["after"] == dict(replaced, owner="intent")
    stored = get_nad(k8s, "sriov-vlan100")
    assert "ipam" not in json.loads(stored["spec"]["config"]) and stored["metadata"]["labels"] == {
        OWNER: "netops.cn2_apstra"
    }
    assert [(p["method"], p["path"].rsplit("/", 1)[1]) for p in res["override"]["plan"]] == [
        ("DELETE", "sriov-vlan200")
    ]
    assert get_nad(k8s, "foreign") is not None and get_nad(k8s, "sriov-vlan200") is None
