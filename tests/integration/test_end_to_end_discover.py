"""playbooks/discover.yml against both emulators on the demo lab: the node/port map, read only."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_discover_prints_the_node_port_map_and_writes_nothing(
    apstra, k8s, apstra_credentials, run_playbook
):
    run = run_playbook(
        REPO / "playbooks" / "discover.yml",
        extra_vars={
            "apstra_api_url": apstra_credentials["api_url"],
            "apstra_username": apstra_credentials["username"],
            "apstra_password": apstra_credentials["password"],
            "k8s_kubeconfig": k8s.kubeconfig,
        },
        env={
            "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json",
            "APSTRA_VERIFY_CERTIFICATES": "false",
        },
    )
    assert run.rc == 0, run
    lines = [result for result in run.task_results() if "msg" in result][-1]["msg"]
    by_node = dict((line.split()[0], line) for line in lines)

    assert sorted(by_node) == ["worker-0%d" % n for n in range(1, 7)], lines
    assert "leaf3-leaf4:ae5" in by_node["worker-05"] and "mapped" in by_node["worker-05"]
    assert (
        "miscabled" in by_node["worker-03"]
        and "leaf1" in by_node["worker-03"]
        and "leaf2" in by_node["worker-03"]
    )
    assert "leaf1:xe-0/0/1" in by_node["worker-01"] and "leaf2:xe-0/0/6" in by_node["worker-06"]
    assert apstra.writes() == [] and k8s.writes() == []
    assert apstra_credentials["password"] not in run.stdout + run.stderr
