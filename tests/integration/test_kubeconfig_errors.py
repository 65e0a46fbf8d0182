"""A kubeconfig path is not a secret: errors name it (kubernetes.core's modules show it too); the credentials of a
kubeconfig given as a dictionary stay masked.

Before, ``kubeconfig`` was ``no_log`` as a whole, so a broken kubeconfig failed with ``... Expected key current-context
in ********`` and every other occurrence of the path in the output was masked as well.
"""

import json
from pathlib import Path

import yaml

NODE_INFO = "netops.cn2_apstra.sriov_node_info"


def test_a_broken_kubeconfig_file_is_named(bare_env, run_module, tmp_path):
    path = tmp_path / "kube" / "config-without-contexts"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "clusters": []}))
    proc, result = run_module(bare_env, NODE_INFO, {"kubeconfig": str(path)})
    assert result["failed"]
    assert result["msg"].startswith(
        "Cannot load the Kubernetes configuration from kubeconfig %s: " % path
    ), result["msg"]
    assert "********" not in proc.stdout + proc.stderr


def test_a_missing_kubeconfig_from_the_environment_is_named(bare_env, run_module, tmp_path):
    missing = tmp_path / "nowhere" / "kubeconfig"
    _proc, result = run_module(dict(bare_env, K8S_AUTH_KUBECONFIG=str(missing)), NODE_INFO)
    assert result["failed"]
    assert result["msg"] == (
        "Cannot load the Kubernetes configuration: kubeconfig %s: no such file" % missing
    )


def test_the_credentials_of_a_kubeconfig_dictionary_stay_masked(bare_env, run_module, k8s):
    kubeconfig = yaml.safe_load(Path(k8s.kubeconfig).read_text())
    kubeconfig["users"] = [{"name": "sim", "user": {"token": "kubeconfig-dict-token-123"}}]
    # a working one: the token reaches the emulator, never the output
    for context in kubeconfig["contexts"]:
        context["context"]["user"] = "sim"
    proc, result = run_module(bare_env, NODE_INFO, {"kubeconfig": kubeconfig})
    assert not result.get("failed"), result
    assert "worker-05" in json.dumps(result)
    assert "kubeconfig-dict-token-123" not in proc.stdout + proc.stderr
    # a broken one: the error says so without the token
    proc, result = run_module(
        bare_env, NODE_INFO, {"kubeconfig": kubeconfig, "context": "no-such-context"}
    )
    assert result["failed"]
    assert "from the kubeconfig given as a dictionary" in result["msg"]
    assert "kubeconfig-dict-token-123" not in proc.stdout + proc.stderr


def test_the_job_names_the_kubeconfig_path(job, tmp_path):
    missing = tmp_path / "clusters" / "prod.kubeconfig"
    run = job("provision", extra={"k8s_kubeconfig": str(missing)})
    assert run.rc != 0
    assert "kubeconfig %s: no such file" % missing in run.stdout, run
    # (task banners are lines of stars: only the messages are checked)
    messages = [line for line in run.stdout.splitlines() if "Kubernetes configuration" in line]
    assert messages and not [line for line in messages if "********" in line], messages
