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
    tenancy,
    tenant_plan,
    topology,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.allocation import (
    allocate,
    allocate_pod_subnets,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import IntentError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.summary import summary
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.validation import (
    field_of,
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


def validate_sources(networks, tenants, allocation, cluster_tenants=()):
    """The intent's networks and tenants validated together (with the tenants derived from the cluster): every bad
    field at once, a network's routing zone its tenant's. Returns (networks, tenants, allocation, skipped: the cluster's
    tenants the intent's of the same name replace); raises IntentError.
    """
    errors = []
    valid = tenancy.validate_tenants(tenants, errors)
    merged, skipped = tenancy.merge_tenants(valid, list(cluster_tenants))
    tenancy.check_tenants(merged, errors)
    try:
        nets, allocation = validate_intent(tenancy.with_tenant_zones(networks, merged), allocation)
    except IntentError as exc:
        raise IntentError(errors + exc.errors) from exc
    for index, net in enumerate(nets):
        error = tenancy.network_tenant_error(net, field_of(index, net), merged)
        if error:
            errors.append(error)
    errors += [
        '%s.pod_network.subnet: "allocate" needs allocation.supernet' % tenant["field"]
        for tenant in valid
        if tenant["subnet"] == model.ALLOCATE and not allocation.get("supernet")
    ]
    if errors:
        raise IntentError(errors)
    return nets, merged, allocation, skipped


def choice(params, name, allowed, default):
    value = params.get(name) or default
    if value not in allowed:
        raise IntentError(["%s: %r is not allowed; allowed %s" % (name, value, ", ".join(allowed))])
    return value


class Planner:
    """The one planning pass over the sriov_intent parameters, a step per method; every error that must stop the run
    is raised before the plan is returned, so before any write."""

    def __init__(self, params, now):
        self.params = params
        self.now = now
        self.source = choice(params, "source", SOURCES, "intent")
        self.binding = choice(params, "binding", planning.BINDINGS, "nodes")
        self.state = params.get("state", "present")
        self.run = params.get("run") or ("teardown" if self.state == "absent" else "provision")
        self.facts = params.get("cluster") or {}
        self.tenant_facts = self.facts.get("tenants") or {}
        self.allocation = None
        self.owners = ownership.run_owners(params, self.facts, self.source)
        self.existing_vns = params.get("virtual_networks") or []
        self.attachments = params.get("attachments") or []
        self.usage = _key_map(self.facts.get("pod_usage"))
        fabric = params.get("fabric") or {}
        self.fabric_leafs = len(fabric.get("leafs") or [])
        self.ports = topology.port_map(params.get("nodes") or [], fabric.get("links") or [])
        self.skipped, self.errors, self.kept = [], [], []

    def networks(self):
        """The networks and tenants of the sources, each with its owner; the networks' VLAN and subnet allocated."""
        from_cluster = self.source in ("cluster", "both")
        cluster_tenants, skipped = (
            tenancy.derive_tenants(
                self.tenant_facts.get("namespaces"),
                self.tenant_facts.get("virtual_networks"),
                self.owners[1],
            )
            if from_cluster
            else ([], [])
        )
        nets, tenants, allocation, more = validate_sources(
            self.params.get("networks") if self.source != "cluster" else [],
            self.params.get("tenants") if self.source != "cluster" else [],
            self.params.get("allocation"),
            cluster_tenants,
        )
        self.skipped += skipped + more
        if from_cluster:
            derived = self.cluster_networks(tenants)
            found = cluster.conflicts(nets, derived)
            if found:
                raise IntentError(found)
            nets = cluster.merge_sources(nets, derived)
        intent_owner, cluster_owner = self.owners
        for net in nets:
            net["owner"] = intent_owner if ownership.is_intent(net) else cluster_owner
        for tenant in tenants:
            tenant["owner"] = cluster_owner if tenancy.is_cluster_tenant(tenant) else intent_owner
        nets, self.errors = allocate(nets, allocation, self.existing_vns, self.attachments)
        self.allocation = allocation
        return nets, tenants

    def cluster_networks(self, tenants):
        """The networks of the cluster's objects that opt in; one that does not fit its tenant is skipped by name."""
        zones = dict((ns, t["routing_zone"]) for t in tenants for ns in t["namespaces"])
        derived, skipped = cluster.derive_networks(
            self.facts.get("nads"),
            self.facts.get("sriov_networks"),
            self.params.get("cluster_defaults"),
            namespace_zones=zones,
        )
        self.skipped += skipped
        fitting = []
        for net in derived:
            error = tenancy.network_tenant_error(net, cluster.source_field(net), tenants)
            if error:
                self.skipped.append({"source": cluster.source_field(net), "error": error})
            else:
                fitting.append(net)
        return fitting

    def tenant_side(self, desired, tenants, nets):
        """The tenants' pod subnets allocated and their CN2 objects planned into ``desired``; raises IntentError."""
        if not tenants and not self.tenant_facts:
            return
        facts = tenant_plan.Facts(self.tenant_facts)
        present = [t for t in tenants if t["state"] == "present" and self.state == "present"]
        kept, others = facts.kept_subnets(present)
        errors = allocate_pod_subnets(
            present, nets, self.allocation, kept, others, self.existing_vns, self.attachments
        )
        if errors:
            raise IntentError(errors)
        intent_owner, cluster_owner = self.owners
        listed = set(t["name"] for t in tenants)
        gone = []
        if self.source in ("cluster", "both") and self.state == "present":
            gone += tenant_plan.leftovers(facts, listed, cluster_owner)
        if self.run == "reconcile" and self.params.get("overridden") and self.source != "cluster":
            gone += tenant_plan.leftovers(facts, listed, intent_owner)
        errors, kept_lines = tenant_plan.plan_tenants(
            desired,
            tenants + gone,
            dict(
                facts=facts,
                nets=[net for net in nets if net.get("state", "present") == "present"],
                owners=[owner for owner in self.owners if owner],
                adopt=self.params.get("adopt", False),
                removing=self.state == "absent",
                removes=self.run in ("reconcile", "teardown"),
                reconcile=self.run == "reconcile",
            ),
        )
        if errors:
            raise IntentError(errors)
        self.kept += kept_lines

    def removals(self, nets):
        """Networks to remove that no source lists: a cluster's gone objects, an intent's ``overridden`` leftovers."""
        intent_owner, cluster_owner = self.owners
        removed = []
        if self.source in ("cluster", "both") and self.state == "present":
            removed, self.kept = cluster.cluster_removals(
                self.existing_vns, nets, self.usage, cluster_owner
            )
        if self.run == "reconcile" and self.params.get("overridden") and self.source != "cluster":
            removed += planning.overridden_removals(self.existing_vns, nets + removed, intent_owner)
        return removed

    def carriable(self, nets):
        """(networks, the present ones): a network no node can carry is an error, a cluster object's is skipped."""
        present = (
            [net for net in nets if net.get("state", "present") == "present"]
            if self.state == "present"
            else []
        )
        for net in present:
            error = planning.capacity_error(net, self.ports)
            if error and planning.is_cluster(net):
                self.skipped.append({"source": cluster.source_field(net), "error": error})
            elif error:
                self.errors.append(error)
        failed = set(item["source"] for item in self.skipped)
        nets = [
            net
            for net in nets
            if not (planning.is_cluster(net) and cluster.source_field(net) in failed)
        ]
        return nets, present

    def judged(self, nets, removed, present):
        """The ownership verdicts (clash, adopt, release); a cluster object that clashes is skipped by name, as an
        invalid one is, and the others go on. Returns (judge, the networks left)."""
        judge = ownership.Judge(
            self.existing_vns,
            self.params.get("templates"),
            self.attachments,
            adopt=self.params.get("adopt", False),
            release=self.params.get("release", False),
            force=self.params.get("force", False),
        )
        present_ids = set(id(net) for net in present)
        refused = set()
        for net in nets + removed:
            found = len(judge.errors)
            (judge.present if id(net) in present_ids else judge.absent)(net)
            if planning.is_cluster(net) and id(net) in present_ids and len(judge.errors) > found:
                error = "; ".join(judge.errors[found:])
                self.skipped.append({"source": cluster.source_field(net), "error": error})
                refused.add(net["name"])
                del judge.errors[found:]
        judge.adopted = [item for item in judge.adopted if item["network"] not in refused]
        nets = [net for net in nets if net["name"] not in refused or id(net) not in present_ids]
        self.errors += judge.errors + ownership.routing_group_clashes(
            [net for net in nets if id(net) in present_ids], self.attachments
        )
        if self.errors:
            raise IntentError(self.errors)
        return judge, nets

    def pod_nodes(self, nets):
        """With the pods binding: the nodes to bind per network, and the release marks to write on the NADs."""
        if self.binding != "pods":
            return None, {}
        bound = _bound_nodes(nets, self.ports, self.params.get("bindings"))
        return cluster.pod_bindings(
            nets,
            self.usage,
            bound,
            _key_map(self.facts.get("released")),
            self.params.get("unbind_grace", 0),
            self.now,
        )

    def desired(self, nets, removed):
        pod_nodes, marks = self.pod_nodes(nets)
        desired = planning.build_plan(
            nets + removed,
            self.ports,
            fabric_leafs=self.fabric_leafs,
            state=self.state,
            binding=self.binding,
            pod_nodes=pod_nodes,
            existing=planning.Existing(
                self.existing_vns,
                self.params.get("routing_zones"),
                self.params.get("bindings"),
                self.attachments,
            ),
        )
        desired["attachment_writebacks"] = _merge_writebacks(
            desired["attachment_writebacks"] + release_writebacks(marks)
        )
        return desired

    def steps(self, desired, judge):
        """Whose objects the run acts on, the staging verdict, and the steps of this run on both layers."""
        owners = [owner for owner in self.owners if owner]
        if self.source == "cluster":
            owners.reverse()
        verdict = staging_verdict(
            self.params.get("staging"),
            desired,
            self.params.get("include_foreign_staging", False),
            owners,
        )
        overridden = self.params.get("overridden", False)
        desired["commit_pending"] = bool(verdict["ours"]) or verdict["included"]
        desired["owners"] = owners
        desired["adopted"], desired["released"] = judge.adopted, judge.released
        desired["fabric_steps"] = planning.fabric_steps(desired, self.run, overridden)
        desired["fabric_ownership"] = planning.fabric_ownership(desired)
        desired["cluster_steps"] = planning.cluster_steps(desired, self.run, overridden)
        return verdict


def release_writebacks(marks):
    """The pods binding's release marks to write on the NADs ({(namespace, name): {node: time} or None})."""
    return [
        {
            "name": name,
            "namespace": namespace,
            "annotations": {
                model.RELEASED_ANNOTATION: json.dumps(value, sort_keys=True) if value else None
            },
        }
        for (namespace, name), value in sorted(marks.items())
    ]


def plan(params, now=None):
    """The planning result for the sriov_intent module's parameters (see its documentation); raises IntentError."""
    planner = Planner(params, now or datetime.datetime.now(datetime.timezone.utc))
    nets, tenants = planner.networks()
    removed = planner.removals(nets)
    nets, present = planner.carriable(nets)
    judge, nets = planner.judged(nets, removed, present)
    desired = planner.desired(nets, removed)
    planner.tenant_side(desired, tenants, nets)
    verdict = planner.steps(desired, judge)
    problems = planning.problems_of(desired) + planner.kept
    return {
        "networks": nets,
        "desired": desired,
        "port_map": planner.ports,
        "problems": problems,
        "skipped": planner.skipped,
        "staging": verdict,
        "summary": summary(desired, problems, verdict, planner.skipped),
        "port_summary": topology.port_summary(planner.ports),
    }


def _merge_writebacks(items):
    merged = {}
    for item in items:
        merged.setdefault((item["namespace"], item["name"]), {}).update(item)
    return [merged[key] for key in sorted(merged)]
