"""The Apstra and cluster modules run in the controller's process through their action plugins: what a module task
gets from Ansible (the task's environment, secrets masked in the result, check mode) must hold there too.
"""

import json

from sim_core.testing import APSTRA_PASSWORD, APSTRA_USER

INFO = "netops.cn2_apstra.apstra_blueprint_info"
CLUSTER = "netops.cn2_apstra.sriov_cluster_info"
NADS = "netops.cn2_apstra.sriov_network_attachments"
# AnsibleModule masks a secret inside a string as ********, a whole value as VALUE_SPECIFIED_IN_NO_LOG_PARAMETER
MASKS = ("********", "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER")


def test_the_tasks_environment_reaches_the_connection_options_and_ends_with_the_task(
    run_tasks, apstra, k8s
):
    apstra_env = {
        "APSTRA_API_URL": apstra.url,
        "APSTRA_USERNAME": APSTRA_USER,
        "APSTRA_PASSWORD": APSTRA_PASSWORD,
        "APSTRA_VERIFY_CERTIFICATES": "false",
    }
    tasks = [
        {"name": "apstra from the environment", INFO: {}, "environment": apstra_env},
        {
            "name": "cluster from the environment",
            CLUSTER: {"gather": ["nodes"]},
            "environment": {"K8S_AUTH_KUBECONFIG": k8s.kubeconfig},
        },
        {"name": "no environment: no connection options", INFO: {}, "ignore_errors": True},
    ]
    # no connection options in module_defaults: only the environment gives them
    result, (info, cluster, bare) = run_tasks({}, tasks)
    assert result.rc == 0, result
    assert [bp["label"] for bp in info["blueprints"]] == ["dc1"], info
    assert cluster["nodes"], cluster
    assert bare["failed"] and "api_url" in bare["msg"], bare
    assert APSTRA_PASSWORD not in result.stdout + result.stderr


def test_a_secret_that_reaches_a_result_is_masked_as_a_module_masks_it(
    run_tasks, apstra_credentials
):
    # the blueprint named like the password: the "not found" message carries it, and it must not be shown
    tasks = [
        {
            "name": "secret in the message",
            INFO: dict(apstra_credentials, blueprint=APSTRA_PASSWORD),
            "ignore_errors": True,
        },
        {"name": "no secret in the result", INFO: dict(apstra_credentials, blueprint="dc1")},
    ]
    result, (masked, clean) = run_tasks(apstra_credentials, tasks)
    assert result.rc == 0, result
    assert masked["failed"] and "unknown blueprint '********'" in masked["msg"], masked
    assert APSTRA_PASSWORD not in result.stdout + result.stderr
    assert clean["blueprints"][0]["label"] == "dc1" and not any(
        mask in json.dumps(clean) for mask in MASKS
    )


def test_check_mode_and_diff_reach_the_module(run_tasks, k8s):
    nad = {
        "name": "controller-check",
        "namespace": "telco",
        "vlan": 321,
        "resource_name": "intel.com/sriov_netdevice",
    }
    tasks = [
        {
            "name": "create in check mode",
            NADS: {"kubeconfig": k8s.kubeconfig, "config": [nad]},
            "check_mode": True,
            "diff": True,
        }
    ]
    result, (planned,) = run_tasks({}, tasks)
    assert result.rc == 0, result
    assert planned["changed"] and planned["diff"], planned
    assert [p["method"] for p in planned["plan"]] == ["POST"], planned
    assert k8s.writes() == [], "check mode wrote to the cluster"
