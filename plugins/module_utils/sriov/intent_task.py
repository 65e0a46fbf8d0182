# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sriov_intent task: its argument spec and what it computes. The same code serves the module and the
controller-side action plugin of the same name (which runs it without starting a process). Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.fabric import (
    plan_from_facts,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.resources import (
    NetworkAttachments,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.local_task import (
    REGISTERED_OPTION,
    TaskFailed,
    refuse_registered,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    Engine,
    ResourceError,
    ownership,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.allocation import (
    HAS_NETADDR,
    NETADDR_IMPORT_ERROR,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.discovery import (
    discover,
    intent_text,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.intent import (
    plan,
    validate_sources,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    PODNETWORK_ANNOTATION,
    IntentError,
    StagingRefused,
    owner_name,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.topology import (
    port_map,
    port_summary,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.verification import (
    drift_lines,
    verify,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.window import (
    judge_plan,
    judged,
    window_of,
)

ARGUMENT_SPEC = dict(
    networks=dict(type="list", elements="dict"),
    tenants=dict(type="list", elements="dict"),
    intent_file=dict(type="str"),
    allocation=dict(
        type="dict",
        default={},
        options=dict(
            vlan_range=dict(type="list", elements="int"),
            supernet=dict(type="str"),
            prefix_length=dict(type="int"),
        ),
    ),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    mode=dict(type="str", default="plan", choices=["validate", "plan", "verify", "discover"]),
    fabric=dict(type="dict", default={}),
    nodes=dict(type="list", elements="dict", default=[]),
    virtual_networks=dict(type="list", elements="dict", default=[]),
    attachments=dict(type="list", elements="dict", default=[]),
    bindings=dict(type="list", elements="dict"),
    fail_on_drift=dict(type="bool", default=False),
    additive=dict(type="bool", default=False),
    source=dict(type="str", default="intent", choices=["intent", "cluster", "both"]),
    binding=dict(type="str", default="nodes", choices=["nodes", "pods"]),
    unbind_grace=dict(type="int", default=300),
    cluster=dict(type="dict", default={}),
    cluster_defaults=dict(type="dict", default={}),
    staging=dict(type="dict", default={}),
    include_foreign_staging=dict(type="bool", default=False),
    desired=dict(type="dict"),
    deployed=dict(type="dict"),
    pending=dict(type="list", elements="dict", default=[]),
    attachment_results=dict(type="list", elements="dict", default=[]),
    pod_network_results=dict(type="list", elements="dict", default=[]),
    router_results=dict(type="list", elements="dict", default=[]),
    run=dict(type="str", choices=["provision", "reconcile", "teardown", "verify"]),
    overridden=dict(type="bool", default=False),
    after_change=dict(type="bool", default=False),
    blueprint_facts=dict(type="dict"),
    routing_zones=dict(type="list", elements="dict"),
    templates=dict(type="list", elements="dict"),
    owner=dict(type="str"),
    cluster_name=dict(type="str"),
    adopt=dict(type="bool", default=False),
    release=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
    preview=dict(type="bool", default=False),
    hold=dict(type="bool", default=False),
    approve=dict(type="str"),
    registered=REGISTERED_OPTION,
)


def overlay(attachments, results):
    """The NADs the cluster holds after the writes: the discovered ones, updated by each NAD task's before/after."""
    by_key = dict(((nad.get("namespace"), nad.get("name")), nad) for nad in attachments)
    for result in results:
        after = dict(
            ((nad.get("namespace"), nad.get("name")), nad) for nad in result.get("after") or []
        )
        for nad in result.get("before") or []:
            by_key.pop((nad.get("namespace"), nad.get("name")), None)
        by_key.update(after)
    return [by_key[key] for key in sorted(by_key, key=lambda k: (k[0] or "", k[1] or ""))]


def _overlaid(objects, results, keys):
    """``objects`` updated by each result's before (gone) and after (as it is now), matched on ``keys``."""
    by_key = dict((tuple(obj.get(k) for k in keys), obj) for obj in objects or [])
    for result in results:
        for obj in result.get("before") or []:
            by_key.pop(tuple(obj.get(k) for k in keys), None)
        by_key.update((tuple(obj.get(k) for k in keys), obj) for obj in result.get("after") or [])
    return [by_key[key] for key in sorted(by_key, key=lambda k: tuple(str(part) for part in k))]


def tenant_state(facts, pod_network_results, router_results):
    """The tenants' CN2 objects the cluster holds after the writes: the discovered ones (sriov_cluster_info
    ``tenants``), updated by the cn2_pod_networks and cn2_virtual_network_routers results of this run; None when the
    tenants were not read."""
    if not facts:
        return None
    results = [r for r in pod_network_results or [] if not r.get("skipped")]
    by_kind = {}
    for kind in ("Subnet", "VirtualNetwork", "Namespace"):
        by_kind[kind] = [
            dict(
                before=[o for o in r.get("before") or [] if o.get("kind") == kind],
                after=[o for o in r.get("after") or [] if o.get("kind") == kind],
            )
            for r in results
        ]
    namespaces = [
        dict(name=ns["name"], annotations={PODNETWORK_ANNOTATION: ns.get("pod_network")})
        for result in by_kind["Namespace"]
        for ns in result["after"]
    ]
    return dict(
        subnets=_overlaid(facts.get("subnets"), by_kind["Subnet"], ("namespace", "name")),
        virtual_networks=_overlaid(
            facts.get("virtual_networks"), by_kind["VirtualNetwork"], ("namespace", "name")
        ),
        namespaces=_overlaid(facts.get("namespaces"), [dict(after=namespaces)], ("name",)),
        routers=_overlaid(
            facts.get("routers"),
            [r for r in router_results or [] if not r.get("skipped")],
            ("namespace", "name"),
        ),
    )


def cluster_writes(steps, attachments):
    """Whether the NAD steps write anything, from the NADs the cluster holds (option form, no call)."""
    for step in [step for step in steps if step["resource"] == "attachments"]:
        if step["state"] != "merged":
            return True  # replaced/overridden/deleted: let the module decide, it knows the ownership marks
        nads = NetworkAttachments(
            None, ownership=ownership(step.get("ownership") or {}, keyed=True)
        )
        if Engine(nads, "merged", step["config"], check_mode=True).dry_changes(attachments):
            return True
    return False


def discovered(params):
    """The node/port map and the intent of the SR-IOV networks stitched by hand (mode discover)."""
    ports = port_map(params.get("nodes") or [], (params.get("fabric") or {}).get("links") or [])
    intent, comments = discover(
        params.get("virtual_networks"), params.get("bindings"), ports, params.get("attachments")
    )
    blueprints = (params.get("blueprint_facts") or {}).get("blueprints") or [{}]
    return dict(
        port_summary=port_summary(ports),
        intent=intent,
        comments=comments,
        intent_text=intent_text(intent, comments, blueprints[0].get("label") or "-"),
    )


def with_facts(params):
    """``params`` with what the plan reads taken from ``blueprint_facts`` and ``cluster`` (the registered results of
    apstra_blueprint_info and sriov_cluster_info) where the task does not give it, so a task can pass each result once:
    every megabyte of arguments costs Ansible templating time."""
    facts = params.get("blueprint_facts") or {}
    resources = facts.get("resources") or {}
    cluster = params.get("cluster") or {}
    derived = dict(
        fabric=facts.get("fabric"),
        staging=facts.get("staging"),
        virtual_networks=resources.get("virtual_networks"),
        routing_zones=resources.get("routing_zones"),
        templates=resources.get("templates"),
        bindings=resources.get("port_bindings"),
        nodes=cluster.get("nodes"),
        attachments=cluster.get("attachments"),
    )
    params = dict(params)
    for key, value in derived.items():
        if value is not None and not params.get(key):
            params[key] = value
    return params


def validated(params):
    """Mode validate: the owner, and the intent's networks and tenants checked offline (IntentError otherwise)."""
    errors = []
    if params.get("owner"):
        owner_name(errors, "owner", params["owner"])
    if errors:
        raise IntentError(errors)
    intent = params["source"] != "cluster"
    networks, tenants = validate_sources(
        params["networks"] if intent else [],
        params.get("tenants") if intent else [],
        params.get("allocation"),
    )[:2]
    return dict(networks=networks, tenants=tenants)


def compute(params, check_mode=False):
    """The result for validated parameters; raises IntentError."""
    params = with_facts(params)
    window = window_of(params, check_mode)
    result = dict(changed=False, plan=[], before=[], after=[])
    if params["mode"] == "discover":
        return dict(result, **discovered(params))
    if params["source"] != "cluster" and params["mode"] != "verify" and params["networks"] is None:
        raise IntentError(
            [
                "intent_file: required with source %s (-e intent_file=PATH; role: sriov_network_intent_file, or the "
                "networks in sriov_network_networks); nothing was read or changed"
                % params["source"]
            ]
        )
    if params["mode"] == "validate":
        return dict(result, **validated(params))
    if params["mode"] == "verify" and params.get("desired"):
        desired = params["desired"]
    else:
        params, window = judged(params, window)
        result.update(plan(params))
        desired = result["desired"]
        # Planned once, here: a run whose steps change nothing starts no fabric task (and no NAD task), and the
        # fabric task carries out this plan unless the staging moved since.
        desired["fabric_plan"] = plan_from_facts(
            desired["fabric_steps"],
            params.get("blueprint_facts"),
            ownership(desired["fabric_ownership"]),
        )
        desired["fabric_writes"] = (
            desired["fabric_plan"]["writes"] if desired["fabric_plan"] else None
        )
        desired["cluster_writes"] = cluster_writes(
            desired["cluster_steps"], params.get("attachments") or []
        )
        result["change_window"] = judge_plan(window, desired)
    if params["mode"] == "verify":
        deployed = params.get("deployed")
        vns = deployed["virtual_networks"] if deployed else params.get("virtual_networks")
        bindings = deployed["port_bindings"] if deployed else params.get("bindings")
        drift = verify(
            desired,
            vns,
            overlay(params.get("attachments") or [], params["attachment_results"]),
            bindings,
            additive=params["additive"],
            pending=params["pending"],
            tenant_state=tenant_state(
                (params.get("cluster") or {}).get("tenants"),
                params["pod_network_results"],
                params["router_results"],
            ),
        )
        result.update(drift=drift, consistent=not drift)
    return result


def run(params, check_mode):
    """The task's result; raises TaskFailed."""
    refuse_registered(params)
    if params.get("intent_file") and params.get("networks") is None:
        raise TaskFailed(
            "intent_file: only the action plugin of the same name, which Ansible runs for this task, reads the file; "
            "as a module, give networks"
        )
    if not HAS_NETADDR:
        raise TaskFailed(
            "the netaddr Python library is required (pip install netaddr)",
            exception=NETADDR_IMPORT_ERROR,
        )
    if params["mode"] == "verify" and params["after_change"] and check_mode:
        return dict(
            changed=False,
            plan=[],
            before=[],
            after=[],
            msg="check mode: this run changed nothing, so there is nothing to verify",
        )
    try:
        result = compute(params, check_mode)
    except StagingRefused as exc:
        raise TaskFailed(str(exc), errors=exc.errors, changed=False, plan=[]) from exc
    except IntentError as exc:
        raise TaskFailed(
            "invalid SR-IOV intent: %s" % exc, errors=exc.errors, changed=False, plan=[]
        ) from exc
    except ResourceError as exc:
        raise TaskFailed(str(exc), errors=[str(exc)], changed=False, plan=[]) from exc
    if params["mode"] == "verify" and params["fail_on_drift"] and result["drift"]:
        lines = drift_lines(result["drift"])
        raise TaskFailed("drift: %d difference(s): %s" % (len(lines), "; ".join(lines)), **result)
    return result
