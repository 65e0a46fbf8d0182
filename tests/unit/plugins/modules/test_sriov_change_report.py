# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.report_task import combined
from ansible_collections.netops.cn2_apstra.plugins.modules.sriov_change_report import main

VN_PATH = "/api/blueprints/bp-1/virtual-networks-batch"


def fabric_result():
    created = {"action": "create", "key": "sriov-a", "before": None, "after": {"label": "sriov-a"}}
    vn_step = {
        "resource": "virtual_networks",
        "changed": True,
        "changes": [created],
        "plan": [{"method": "POST", "path": VN_PATH, "body": {}}],
    }
    return {
        "changed": True,
        "steps": [
            {"resource": "routing_zones", "changed": False, "changes": [], "plan": []},
            vn_step,
        ],
        "commit": {"changed": True, "deployed_version": 8, "plan": []},
        "deployed": {"virtual_networks": [{"label": "sriov-a", "vni": 10042}], "port_bindings": []},
        "revision": {
            "revision_id": "3",
            "version": 8,
            "before": {"revision_id": "2", "version": 7},
        },
    }


def test_combined_takes_every_change_and_request_in_order():
    first = {"action": "create", "key": "a", "before": None, "after": {"label": "a"}}
    second = {"action": "delete", "key": "b", "before": {"label": "b"}, "after": None}
    results = [
        {"changed": False, "changes": [first], "plan": [{"method": "A"}]},
        {"skipped": True},
        {"changed": True, "changes": [second], "plan": [{"method": "B"}]},
    ]
    assert combined(results) == {
        "changed": True,
        "changes": [first, second],
        "plan": [{"method": "A"}, {"method": "B"}],
    }
    assert combined([{"skipped": True}]) == {"changed": False, "changes": [], "plan": []}


def test_the_report_is_written_from_the_fabric_task_and_the_cluster_tasks(run_module, tmp_path):
    intent = {
        "desired": {
            "networks": [
                {
                    "name": "sriov-a",
                    "namespace": "telco",
                    "state": "present",
                    "vlan": 2000,
                    "vni": None,
                }
            ]
        },
        "port_map": [],
        "problems": [],
    }
    nad = {
        "action": "create",
        "key": ["telco", "sriov-a"],
        "before": None,
        "after": {"name": "sriov-a"},
    }
    cluster = {"attachments": [{"changed": True, "changes": [nad], "plan": []}]}
    result = run_module(
        main,
        {
            "path": str(tmp_path),
            "timestamp": "20250301T120000Z",
            "intent": intent,
            "fabric_result": fabric_result(),
            "cluster_results": cluster,
            "blueprint": {"label": "dc1", "deployed_version": 7},
            "run": "provision",
        },
    )
    assert result["summary"] == {
        "fabric_staged_not_deployed": False,
        "fabric_changed": True,
        "cluster_changed": True,
        "deployed_version": 8,
        "revision": "3",
        "attachments_created": ["telco/sriov-a"],
        "drift": 0,
        "problems": 0,
        "held_version": None,
    }
    text = (tmp_path / "sriov-change-20250301T120000Z.md").read_text()
    # the VNI Apstra assigned is read back from the deployed state
    assert (
        "| sriov-a | telco | intent | present | 2000 | 10042 |" in text
        and "| Apstra revision | 3 (version 8), before 2 (version 7) |" in text
    )
    assert "POST %s" % VN_PATH in text
    assert (tmp_path / "sriov-change-latest.md").read_text().count("sriov-change-latest.svg") == 1
    assert (tmp_path / "sriov-change-latest.svg").exists() and result["markdown"].endswith(
        "sriov-change-20250301T120000Z.md"
    )


def test_an_unwritable_path_fails(run_module, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_module(main, {"path": str(blocker / "reports"), "timestamp": "20250301T120000Z"})
    assert result["failed"] and result["msg"].startswith(
        "cannot write the report to %s" % (blocker / "reports")
    )


def failed_run_report(run_module, tmp_path, fabric, failure):
    """(result, Markdown) of the report of a run whose fabric task returned ``fabric`` and that failed with ``failure``."""
    result = run_module(
        main,
        {
            "path": str(tmp_path),
            "intent": {"desired": {"networks": []}},
            "fabric_result": fabric,
            "failure": failure,
            "blueprint": {"label": "dc1", "deployed_version": 7},
            "run": "provision",
        },
    )
    return result, (tmp_path / "sriov-change-latest.md").read_text()


def test_a_fabric_task_that_failed_before_its_deploy_is_reported_staged_not_deployed(
    run_module, tmp_path
):
    """The VN batch went through, the batch-apply failed, the mutex could not be released: the report says the VN
    write sits in the staging, undeployed, and names the mutex tag and how to remove it."""
    failed = dict(fabric_result(), failed=True, changed=True)
    for key in ("commit", "deployed", "revision"):
        failed.pop(key)
    failed["applied"] = [{"method": "POST", "path": VN_PATH, "body": {}}]
    failed["mutex_left"] = {"label": "blueprint bp-1 locked", "id": "tag-9"}
    result, text = failed_run_report(
        run_module, tmp_path, failed, "Apply the fabric failed: PATCH /obj-policy-batch-apply: 500"
    )
    assert result["summary"]["fabric_staged_not_deployed"] is True
    assert "| fabric changed | staged, not deployed |" in text
    staged = text.split("## Staged in Apstra, not deployed", 1)[1].split("\n## ", 1)[0]
    assert "staging of blueprint dc1" in staged and "POST %s" % VN_PATH in staged
    assert "## Fabric (Apstra) changes (staged, not deployed)" in text
    left = text.split("## Blueprint mutex left held", 1)[1]
    assert "`blueprint bp-1 locked` (id tag-9)" in left and "DELETE /api/design/tags/tag-9" in left
    deployed = dict(fabric_result(), failed=True, applied=failed["applied"])
    _result, text = failed_run_report(
        run_module, tmp_path, deployed, "the mutex could not be released"
    )
    assert "| fabric changed | yes |" in text and "not deployed" not in text
