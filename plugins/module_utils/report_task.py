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
from ansible_collections.netops.cn2_apstra.plugins.module_utils.report import (
    CLUSTER_LAYERS,
    FABRIC_LAYERS,
    markdown,
    object_changes,
    scrub,
    svg,
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
    timestamp=dict(type="str"),
    registered=REGISTERED_OPTION,
)

# What the report reads of the sriov_intent result, besides desired.networks (the whole registered result may be given).
INTENT_PARTS = ("port_map", "problems", "staging", "skipped")


def combined(results):
    """One result for several runs of the same resource (steps, loop items): first before, last after, every request."""
    results = [r for r in results or [] if isinstance(r, dict) and not r.get("skipped")]
    if not results:
        return {}
    return dict(
        changed=any(r.get("changed") for r in results),
        before=results[0].get("before") or [],
        after=results[-1].get("after") or [],
        plan=[request for r in results for request in r.get("plan") or []],
    )


def layered(params):
    """The results by layer, from the fabric task's steps and the cluster tasks' loop results (or given by layer)."""
    results = dict(params.get("results") or {})
    fabric = params.get("fabric_result") or {}
    if fabric and not fabric.get("skipped"):
        for resource in ("routing_zones", "virtual_networks", "port_bindings"):
            results[resource] = combined(
                [step for step in fabric.get("steps") or [] if step.get("resource") == resource]
            )
        results["commit"] = fabric.get("commit") or {}
        if fabric.get("deployed"):
            # What Apstra has deployed, read back after the deploy, rather than what was sent.
            results["virtual_networks"] = dict(
                results["virtual_networks"], after=fabric["deployed"]["virtual_networks"]
            )
    for layer, loop_results in (params.get("cluster_results") or {}).items():
        results[layer] = combined(loop_results)
    return results


def report_data(params):
    results = scrub(layered(params))
    given = params.get("intent") or {}
    intent = scrub(dict((key, given[key]) for key in INTENT_PARTS if key in given))
    networks = [dict(n) for n in scrub((given.get("desired") or {}).get("networks") or [])]
    vn_after = dict(
        (vn.get("label"), vn)
        for vn in ((results.get("virtual_networks") or {}).get("after") or [])
        if isinstance(vn, dict)
    )
    for net in networks:
        if net.get("vni") is None and vn_after.get(net["name"], {}).get("vni") is not None:
            net["vni"] = vn_after[net["name"]]["vni"]
    fabric = params.get("fabric") or {}
    return dict(
        title=params["title"],
        run=params["run"],
        check_mode=params["check_mode"],
        timestamp=params["timestamp"],
        blueprint=params.get("blueprint") or {},
        networks=networks,
        port_map=intent.get("port_map") or [],
        problems=intent.get("problems") or [],
        drift=params.get("drift"),
        results=results,
        commit_description=params.get("commit_description"),
        leafs=fabric.get("leafs") or [],
        esi_pairs=fabric.get("esi_pairs") or {},
        failure=params.get("failure"),
        staging=intent.get("staging") or {},
        skipped=intent.get("skipped") or [],
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
        fabric_changed=any(
            bool((results.get(k) or {}).get("changed")) for k, _t, _f in FABRIC_LAYERS
        )
        or bool(commit.get("changed")),
        cluster_changed=any(
            bool((results.get(k) or {}).get("changed")) for k, _t, _f in CLUSTER_LAYERS
        ),
        deployed_version=commit.get("deployed_version", data["blueprint"].get("deployed_version")),
        attachments_created=object_changes(results.get("attachments"), "name")[0],
        drift=len(data["drift"] or []),
        problems=len(data["problems"]),
    )
    return dict(changed=True, markdown=base + ".md", svg=base + ".svg", summary=summary, plan=[])
