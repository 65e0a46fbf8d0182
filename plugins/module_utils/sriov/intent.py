# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One planning pass, from the sources and the discovered facts to the plan the role carries to the end.

validate -> merge the sources (file, cluster) -> allocate -> join nodes to ports -> decide the port bindings (nodes
or pods) -> check every network can be carried -> plan both layers -> judge what is staged in Apstra. Every error
that must stop the run is raised here, before any write. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import (
    cluster,
    model,
    ownership,
    planning,
    topology,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.allocation import allocate
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import IntentError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.summary import summary
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.validation import (
    validate_intent,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.verification import (
    binding_ports,
)

SOURCES = ("intent", "cluster", "both")


def _key_map(mapping):
    """{"ns/name": value} (JSON-safe facts) -> {(ns, name): value}."""
    out = {}
    for key, value in (mapping or {}).items():
        namespace, _sep, name = key.partition("/")
        out[(namespace, name)] = value
    return out


def _bound_nodes(nets, ports, bindings):
    """{(namespace, name): nodes whose every application point carries the network now} from the gathered bindings."""
    by_vn = dict(
        (b["virtual_network"], set(binding_ports(b)))
        for b in bindings or []
        if b.get("tagged", True)
    )
    out = {}
    for net in nets:
        carried = by_vn.get(net["name"], set())
        out[(net["namespace"], net["name"])] = set(
            entry["node"]
            for entry in ports
            if entry["application_points"]
            and all(p["port"] in carried for p in entry["application_points"])
        )
    return out


def staging_verdict(staging, plan, include_foreign=False, owners=(model.DEFAULT_OWNER,)):
    """Split what is staged but not deployed into this run's own pending changes and everyone else's.

    Ours: objects carrying the mark of one of this run's ``owners`` that this plan manages (left staged by an earlier
    run whose commit failed): the commit must deploy them. Everything else, or anything staged by another user, is foreign: refused
    before any write unless ``include_foreign`` (then listed in the plan and the report).
    """
    staging = staging or {}
    changes = staging.get("changes") or []
    lock = staging.get("lock") or {}
    names = set(vn["label"] for vn in plan["virtual_networks"]) | set(
        vn["label"] for vn in plan["absent"]["virtual_networks"]
    )
    zones = set(z["label"] for z in plan["routing_zones"]) | set(
        z["label"] for z in plan["absent"]["routing_zones"]
    )
    other_user = lock.get("lock_type") == "lock_by_changes" and lock.get("username") not in (
        None,
        staging.get("username"),
    )
    ours, foreign = [], []
    for change in changes:
        mine = change.get("owner") in owners and (
            change["name"] in (zones if change["kind"] == "routing_zone" else names)
        )
        if mine and not other_user:
            ours.append(change)
        else:
            foreign.append(
                dict(change, by=lock.get("username") if other_user else change.get("by"))
            )
    if staging.get("uncommitted") and not changes and other_user:
        foreign.append(
            {
                "kind": "blueprint",
                "name": "staging",
                "action": "modified",
                "by": lock.get("username"),
            }
        )
    verdict = {"ours": ours, "foreign": foreign, "included": bool(foreign) and include_foreign}
    if foreign and not include_foreign:
        staged = "; ".join(
            "%s %s %s by %s" % (c["action"], c["kind"], c["name"], c.get("by") or "unknown user")
            for c in foreign
        )
        raise model.StagingRefused(
            [
                "refusing to change blueprint %s: it holds uncommitted changes this run did not make (%s); nothing was "
                "changed. Commit or revert them in Apstra, or set include_foreign_staging (role: "
                "sriov_network_include_foreign_staging) to deploy them with this run"
                % (staging.get("label") or "-", staged)
            ]
        )
    return verdict


def plan(params, now=None):
    """The planning result for the sriov_intent module's parameters (see its documentation); raises IntentError."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    source = params.get("source") or "intent"
    if source not in SOURCES:
        raise IntentError(["source: %r is not allowed; allowed %s" % (source, ", ".join(SOURCES))])
    binding = params.get("binding") or "nodes"
    if binding not in planning.BINDINGS:
        raise IntentError(
            ["binding: %r is not allowed; allowed %s" % (binding, ", ".join(planning.BINDINGS))]
        )
    state = params.get("state", "present")
    run = params.get("run") or ("teardown" if state == "absent" else "provision")
    facts = params.get("cluster") or {}
    intent_owner, cluster_owner = ownership.run_owners(params, facts, source)
    nets, allocation = validate_intent(
        params.get("networks") if source != "cluster" else [], params.get("allocation")
    )
    skipped = []
    if source in ("cluster", "both"):
        derived, skipped = cluster.derive_networks(
            facts.get("nads"), facts.get("sriov_networks"), params.get("cluster_defaults")
        )
        found = cluster.conflicts(nets, derived)
        if found:
            raise IntentError(found)
        nets = cluster.merge_sources(nets, derived)
    for net in nets:
        net["owner"] = intent_owner if ownership.is_intent(net) else cluster_owner
    existing_vns = params.get("virtual_networks") or []
    attachments = params.get("attachments") or []
    nets, errors = allocate(nets, allocation, existing_vns, attachments)
    fabric = params.get("fabric") or {}
    ports = topology.port_map(params.get("nodes") or [], fabric.get("links") or [])
    usage = _key_map(facts.get("pod_usage"))
    removed, kept = [], []
    if source in ("cluster", "both") and state == "present":
        removed, kept = cluster.cluster_removals(existing_vns, nets, usage, cluster_owner)
    if run == "reconcile" and params.get("overridden") and source != "cluster":
        removed += planning.overridden_removals(existing_vns, nets + removed, intent_owner)
    present = (
        [net for net in nets if net.get("state", "present") == "present"]
        if state == "present"
        else []
    )
    for net in present:
        error = planning.capacity_error(net, ports)
        if error:
            if planning.is_cluster(net):
                skipped.append({"source": cluster.source_field(net), "error": error})
            else:
                errors.append(error)
    failed = set(item["source"] for item in skipped)
    nets = [
        net
        for net in nets
        if not (planning.is_cluster(net) and cluster.source_field(net) in failed)
    ]
    present_ids = set(id(net) for net in present)
    judge = ownership.Judge(
        existing_vns,
        params.get("templates"),
        attachments,
        adopt=params.get("adopt", False),
        release=params.get("release", False),
        force=params.get("force", False),
    )
    refused = []
    for net in nets + removed:
        found = len(judge.errors)
        if id(net) in present_ids:
            judge.present(net)
        else:
            judge.absent(net)
        if planning.is_cluster(net) and id(net) in present_ids and len(judge.errors) > found:
            # a cluster object that clashes with another owner is skipped, as an invalid one is: the others go on
            skipped.append(
                {"source": cluster.source_field(net), "error": "; ".join(judge.errors[found:])}
            )
            refused.append(id(net))
            del judge.errors[found:]
    skipped_names = set(net["name"] for net in nets if id(net) in refused)
    judge.adopted = [item for item in judge.adopted if item["network"] not in skipped_names]
    nets = [net for net in nets if id(net) not in refused]
    errors += judge.errors + ownership.routing_group_clashes(
        [net for net in nets if id(net) in present_ids], attachments
    )
    if errors:
        raise IntentError(errors)
    pod_nodes, marks = None, {}
    if binding == "pods":
        bound = _bound_nodes(nets, ports, params.get("bindings"))
        pod_nodes, marks = cluster.pod_bindings(
            nets, usage, bound, _key_map(facts.get("released")), params.get("unbind_grace", 0), now
        )
    desired = planning.build_plan(
        nets + removed,
        ports,
        fabric_leafs=len(fabric.get("leafs") or []),
        state=state,
        binding=binding,
        pod_nodes=pod_nodes,
        existing=planning.Existing(
            existing_vns, params.get("routing_zones"), params.get("bindings"), attachments
        ),
    )
    for (namespace, name), value in sorted(marks.items()):
        desired["attachment_writebacks"].append(
            {
                "name": name,
                "namespace": namespace,
                "annotations": {
                    model.RELEASED_ANNOTATION: json.dumps(value, sort_keys=True) if value else None
                },
            }
        )
    desired["attachment_writebacks"] = _merge_writebacks(desired["attachment_writebacks"])
    owners = [owner for owner in (intent_owner, cluster_owner) if owner]
    if source == "cluster":
        owners.reverse()
    verdict = staging_verdict(
        params.get("staging"), desired, params.get("include_foreign_staging", False), owners
    )
    desired["commit_pending"] = bool(verdict["ours"]) or verdict["included"]
    desired["owners"] = owners
    desired["adopted"], desired["released"] = judge.adopted, judge.released
    desired["fabric_steps"] = planning.fabric_steps(desired, run, params.get("overridden", False))
    desired["fabric_ownership"] = planning.fabric_ownership(desired)
    desired["cluster_steps"] = planning.cluster_steps(desired, run, params.get("overridden", False))
    problems = planning.problems_of(desired) + kept
    return {
        "networks": nets,
        "desired": desired,
        "port_map": ports,
        "problems": problems,
        "skipped": skipped,
        "staging": verdict,
        "summary": summary(desired, problems, verdict, skipped),
        "port_summary": topology.port_summary(ports),
    }


def _merge_writebacks(items):
    merged = {}
    for item in items:
        merged.setdefault((item["namespace"], item["name"]), {}).update(item)
    return [merged[key] for key in sorted(merged)]
