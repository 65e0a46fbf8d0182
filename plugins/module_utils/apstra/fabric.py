# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fabric plan: the resource steps of a run (zones, VNs, port bindings) planned once from the facts a discovery read,
then carried out as planned. The plan is a value: sriov_intent computes it, apstra_fabric_apply carries it out and
plans again only when the blueprint's staging moved since it was made. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    FabricContext,
    PortBindings,
    RoutingZones,
    VirtualNetworks,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    ApplyFailed,
    Engine,
)

RESOURCES = {
    "routing_zones": RoutingZones,
    "virtual_networks": VirtualNetworks,
    "port_bindings": PortBindings,
}
PLANNED = ("changes", "plan", "diff", "changed")


def seed(facts):
    """What a FabricContext starts from: the ``resources`` and ``fabric`` of an apstra_blueprint_info result."""
    facts = facts or {}
    resources = facts.get("resources") or {}
    return dict(resources, fabric=facts["fabric"]) if resources and facts.get("fabric") else None


def plan_steps(context, steps):
    """Each step planned against the context, nothing sent: {staging_version, writes, steps, notes}."""
    planned = []
    for step in steps:
        engine = Engine(
            RESOURCES[step["resource"]](context), step["state"], step["config"], check_mode=True
        )
        outcome = engine.run()
        planned.append(dict(step, **dict((key, outcome[key]) for key in PLANNED)))
    return {
        "writes": any(step["plan"] for step in planned),
        "steps": planned,
        "notes": list(context.notes),
    }


def plan_from_facts(steps, facts, ownership):
    """The plan of ``steps`` from the blueprint facts alone (no call), or None when the facts do not say. A step that
    would change another owner's object raises ResourceError here, before anything is sent."""
    start = seed(facts)
    if start is None:
        return None
    context = FabricContext(
        None, facts["blueprints"][0]["id"], check_mode=True, facts=start, ownership=ownership
    )
    return dict(
        plan_steps(context, steps), staging_version=facts["resources"].get("staging_version")
    )


def carry_out(context, steps, planned=None, check_mode=False):
    """The steps sent: each planned step's changes carried out as planned (``planned``), else each step planned from
    the context and carried out (in check mode, nothing is sent). Returns the step results; ApplyFailed says which
    steps did not run and carries the results of those that did."""
    results = []
    for index, step in enumerate(planned or steps):
        engine = Engine(
            RESOURCES[step["resource"]](context),
            step["state"],
            step["config"],
            check_mode=check_mode,
        )
        try:
            outcome = engine.apply(step["changes"]) if planned else engine.run()
        except ApplyFailed as exc:
            exc.steps_not_run = [later["resource"] for later in (planned or steps)[index + 1 :]]
            exc.results = results
            raise
        results.append(dict(outcome, resource=step["resource"], state=step["state"]))
    return results
