# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sriov_change_report task: its argument spec and the files it writes. The same code serves the module and the
controller-side action plugin of the same name. No Ansible imports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

from ansible_collections.netops.cn2_apstra.plugins.module_utils.local_task import (
    REGISTERED_OPTION,
    TaskFailed,
    refuse_registered,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.report import scrub, svg
from ansible_collections.netops.cn2_apstra.plugins.module_utils.report_markdown import (
    CLUSTER_LAYERS,
    FABRIC_LAYERS,
    markdown,
    object_name,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.report_window import (
    blueprint_as_read,
    device_data,
    window_data,
)

ARGUMENT_SPEC = dict(
    path=dict(type="path", default="reports"),
    name=dict(type="str", default="sriov-change"),
    title=dict(type="str", default="SR-IOV network change report"),
    run=dict(type="str", default=""),
    check_mode=dict(type="bool", default=False),
    blueprint=dict(type="dict", default={}),
    fabric=dict(type="dict", default={}),
    intent=dict(type="dict", default={}),
    results=dict(type="dict", default={}),
    fabric_result=dict(type="dict", default={}),
    cluster_results=dict(type="dict", default={}),
    failure=dict(type="str"),
    drift=dict(type="list", elements="dict"),
    commit_description=dict(type="str"),
    trigger=dict(type="dict"),
    timestamp=dict(type="str"),
    registered=REGISTERED_OPTION,
)

# What the report reads of the sriov_intent result, besides desired.networks (the whole registered result may be given).
INTENT_PARTS = ("port_map", "problems", "staging", "skipped")


def combined(results):
    """One result for several runs of the same resource (steps, loop items): every change and request in order."""
    results = [r for r in results or [] if isinstance(r, dict) and not r.get("skipped")]
    return dict(
        changed=any(r.get("changed") for r in results),
        changes=[change for r in results for change in r.get("changes") or []],
        plan=[request for r in results for request in r.get("plan") or []],
    )


def layered(params):
    """The results by layer: the fabric task's steps and commit, the cluster tasks' loop results (or given by layer)."""
    results = dict(params.get("results") or {})
    fabric = params.get("fabric_result") or {}
    if fabric and not fabric.get("skipped"):
        for resource, _title in FABRIC_LAYERS:
            results[resource] = combined(
                [step for step in fabric.get("steps") or [] if step.get("resource") == resource]
            )
        results["commit"] = fabric.get("commit") or {}
    for layer, loop_results in (params.get("cluster_results") or {}).items():
        results[layer] = combined(loop_results)
    return results


def marks(desired):
    """{network: "adopted" | "released"}: the objects whose update this run made only to mark or unmark them."""
    out = dict((item["network"], "adopted") for item in desired.get("adopted") or [])
    out.update((item["network"], "released") for item in desired.get("released") or [])
    return out


def staged_only(fabric):
    """The requests a failed fabric task applied before any deploy (they sit in the staging), else []."""
    if not fabric.get("failed") or (fabric.get("commit") or {}).get("changed"):
        return []
    return [r for r in fabric.get("applied") or [] if isinstance(r, dict)]


def report_data(params):
    results = scrub(layered(params))
    given = params.get("intent") or {}
    desired = given.get("desired") or {}
    intent = scrub(dict((key, given[key]) for key in INTENT_PARTS if key in given))
    networks = [dict(n) for n in scrub(desired.get("networks") or [])]
    # the VNIs Apstra drew from its pool, as it has deployed them
    deployed = dict(
        (vn.get("label"), vn)
        for vn in ((params.get("fabric_result") or {}).get("deployed") or {}).get(
            "virtual_networks"
        )
        or []
    )
    for net in networks:
        if net.get("vni") is None and (deployed.get(net["name"]) or {}).get("vni") is not None:
            net["vni"] = deployed[net["name"]]["vni"]
    fabric = params.get("fabric") or {}
    return dict(
        title=params["title"],
        run=params["run"],
        check_mode=params["check_mode"],
        timestamp=params["timestamp"],
        blueprint=blueprint_as_read(params),
        revision=(params.get("fabric_result") or {}).get("revision"),
        trigger=params.get("trigger"),
        networks=networks,
        port_map=intent.get("port_map") or [],
        problems=intent.get("problems") or [],
        drift=params.get("drift"),
        results=results,
        marks=marks(desired),
        commit_description=params.get("commit_description"),
        leafs=fabric.get("leafs") or [],
        esi_pairs=fabric.get("esi_pairs") or {},
        failure=params.get("failure"),
        staged_only=staged_only(params.get("fabric_result") or {}),
        mutex_left=(params.get("fabric_result") or {}).get("mutex_left"),
        mutex_taken_over=(params.get("fabric_result") or {}).get("mutex_taken_over"),
        staging=intent.get("staging") or {},
        skipped=intent.get("skipped") or [],
        tenants=scrub(desired.get("tenants") or []),
        device_configuration=scrub(device_data(params)),
        change_window=scrub(window_data(params)),
    )


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def run(params, check_mode=False):
    """Write the report; returns the result (paths and summary); raises TaskFailed."""
    refuse_registered(params)
    params = dict(params)
    if not params.get("timestamp"):
        params["timestamp"] = datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y%m%dT%H%M%SZ"
        )
    data = report_data(params)
    base = os.path.join(params["path"], "%s-%s" % (params["name"], params["timestamp"]))
    try:
        os.makedirs(params["path"], exist_ok=True)
        picture = svg(data)
        text = markdown(data, svg_name=os.path.basename(base + ".svg"))
        write(base + ".svg", picture)
        write(base + ".md", text)
        latest = os.path.join(params["path"], "%s-latest" % params["name"])
        write(latest + ".svg", picture)
        write(
            latest + ".md",
            text.replace(os.path.basename(base + ".svg"), os.path.basename(latest + ".svg")),
        )
    except OSError as exc:
        raise TaskFailed(
            "cannot write the report to %s: %s" % (params["path"], exc), plan=[]
        ) from exc
    results = data["results"]
    commit = results.get("commit") or {}
    summary = dict(
        fabric_staged_not_deployed=bool(data["staged_only"]),
        fabric_changed=(
            any(bool((results.get(k) or {}).get("changed")) for k, _t in FABRIC_LAYERS)
            or bool(commit.get("changed"))
        )
        and data["change_window"].get("mode") != "preview",
        held_version=(data["change_window"].get("held_now") or {}).get("staging_version"),
        cluster_changed=any(
            bool((results.get(k) or {}).get("changed")) for k, _t in CLUSTER_LAYERS
        ),
        deployed_version=commit.get("deployed_version", data["blueprint"].get("deployed_version")),
        revision=(data.get("revision") or {}).get("revision_id"),
        attachments_created=[
            object_name("attachments", change)
            for change in (results.get("attachments") or {}).get("changes") or []
            if change["action"] == "create"
        ],
        drift=len(data["drift"] or []),
        problems=len(data["problems"]),
    )
    return dict(changed=True, markdown=base + ".md", svg=base + ".svg", summary=summary, plan=[])
