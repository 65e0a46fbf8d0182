# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two-layer plan: from validated, allocated networks and the node/port map to the ``config`` lists of every
resource module, in one place (the role passes whole lists and never loops per network or per port).

Fabric: a routing zone per zone named, a VN bound to the leafs / ESI pairs that face the nodes carrying the network,
its VLAN tagged on exactly those server ports. Cluster: the NAD with the same VLAN and an IPAM range that excludes
the gateway and the SVI addresses, routes through the gateway to the rest of the routing group; a
VirtualNetworkRouter per routing group. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.topology import nodes_for
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.verification import (
    binding_ports,
)

BINDINGS = ("nodes", "pods")


def reserved_block(cidr, svi_count):
    """CIDRs covering the network address, the gateway (first host) and ``svi_count`` SVI addresses after it."""
    net = ipaddress.ip_network(cidr)
    last = min(net.network_address + 1 + svi_count, net.broadcast_address - 1)
    return [str(block) for block in ipaddress.summarize_address_range(net.network_address, last)]


def is_cluster(net):
    return (net.get("source") or {}).get("kind", "intent") != "intent"


def source_text(net):
    source = net.get("source") or {}
    if not is_cluster(net):
        return "intent"
    return "%s %s/%s" % (source["kind"], source.get("namespace"), source.get("name"))


def carriers(net, ports, binding="nodes", pod_nodes=None):
    """(nodes offering the network, mapped ones among them, the ones to bind)."""
    offering = nodes_for(net, ports)
    mapped = [entry for entry in offering if entry["status"] == "mapped"]
    if binding == "pods":
        wanted = (pod_nodes or {}).get((net["namespace"], net["name"]), set())
        return offering, mapped, [entry for entry in mapped if entry["node"] in wanted]
    return offering, mapped, mapped


def capacity_error(net, ports):
    """Why no node can carry the network (None when one can, or when it is a fabric-only pre-provision)."""
    if net.get("fabric_only") or net.get("state", "present") != "present":
        return None
    offering, mapped, _bound = carriers(net, ports)
    if mapped:
        return None
    where = "%s.resource_name" % net["name"]
    if not any(entry["resources"].get(net["resource_name"]) for entry in ports):
        return (
            "%s: no node offers %s, so no node can carry the network (nodes: %s); set fabric_only: true to pre-provision "
            "the fabric side alone"
            % (where, net["resource_name"], ", ".join(e["node"] for e in ports) or "none")
        )
    if not offering:
        return (
            "%s.node_selector: %s matches no node offering %s, so no node can carry the network; set fabric_only: true to "
            "pre-provision the fabric side alone"
            % (net["name"], net["node_selector"], net["resource_name"])
        )
    return (
        "%s: every node offering %s is mis-cabled or not in Apstra (%s), so no node can carry the network"
        % (
            where,
            net["resource_name"],
            ", ".join("%s: %s" % (e["node"], e["status"]) for e in offering),
        )
    )


def _switch_ids(bound):
    return dict(
        (point["switch"], point["switch_id"])
        for entry in bound
        for point in entry["application_points"]
    )


class Existing:
    """What the sources and the fabric hold, by the names the plan uses: VNs and zones (canonical, with their tags),
    port bindings (the VN's tagged ports) and NADs (option form, with their ``owner``)."""

    def __init__(self, vns=None, zones=None, bindings=None, nads=None):
        self.vns = dict((vn.get("label"), vn) for vn in vns or [])
        self.zones = dict((zone.get("label"), zone) for zone in zones or [])
        self.ports = dict(
            (item.get("virtual_network"), binding_ports(item))
            for item in bindings or []
            if item.get("tagged", True)
        )
        self.nads = dict(((nad.get("namespace"), nad.get("name")), nad) for nad in nads or [])


def _vn_tags(net, existing_vn):
    """The VN's tags: the network's, its owner's marks, the cluster tag for a cluster object's VN, and the tags of an
    adopted VN as they were."""
    tags = set(net["tags"]) | set(model.owner_tags(net.get("owner", model.DEFAULT_OWNER)))
    if is_cluster(net) and (
        existing_vn is None or model.CLUSTER_TAG in (existing_vn.get("tags") or [])
    ):
        tags.add(model.CLUSTER_TAG)
    if net.get("adopted") and existing_vn is not None:
        tags |= set(model.without_owner_tags(existing_vn.get("tags")))
        tags |= set(t for t in existing_vn.get("tags") or [] if t == model.ADOPTED_TAG)
    return sorted(tags)


def _adopted_fields(net, existing_vn):
    """Fields an adopted VN keeps as it was made unless the intent gives them (adoption changes nothing that carries
    traffic): description, MTU, DHCP."""
    if not (net.get("adopted") and existing_vn):
        return {}
    return dict(
        description=net["description"] or existing_vn.get("description"),
        mtu=net["mtu"] or existing_vn.get("mtu"),
        dhcp=existing_vn.get("dhcp"),
    )


def network_plan(
    net,
    ports,
    peer_subnets,
    svi_count,
    binding="nodes",
    pod_nodes=None,
    existing_vn=None,
    existing=None,
):
    """Fabric and cluster halves of one present network."""
    existing = existing or Existing()
    offering, mapped, bound = carriers(net, ports, binding, pod_nodes)
    if net.get("fabric_only"):
        bound = []
    switches = sorted(_switch_ids(bound))
    points = sorted(set(point["port"] for entry in bound for point in entry["application_points"]))
    if net.get("adopting") and existing_vn is not None:
        # the run that adopts only adds what is missing: the leafs and ports the network had stay
        switches = sorted(set(switches) | set(existing_vn.get("bindings") or []))
        points = sorted(set(points) | set(existing.ports.get(net["name"]) or []))
    gateway = model.gateway_of(net["subnet"])
    routes = sorted(set(net["routes"]) | set(s for s in peer_subnets if s != net["subnet"]))
    attachment = cluster_attachment(net, gateway, routes, svi_count)
    nad = existing.nads.get((net["namespace"], net["name"]))
    if net.get("adopted") and attachment["managed"] and nad is not None:
        attachment = adopted_attachment(net, nad)
    return {
        "virtual_network": virtual_network(net, switches, gateway, existing_vn),
        "port_binding": {"virtual_network": net["name"], "tagged": True, "switch_ports": points},
        "attachment": attachment,
        "nodes": node_verdicts(net, offering, mapped, bound, binding, pod_nodes),
        "gateway": gateway,
    }


def virtual_network(net, switches, gateway, existing_vn):
    """The VN of a network, in the option form of apstra_virtual_networks."""
    description = net["description"] or "SR-IOV %s/%s (%s)" % (
        net["namespace"],
        net["name"],
        net["resource_name"],
    )
    return dict(
        {
            "label": net["name"],
            "vn_type": "vxlan",
            "vni": net["vni"],
            "routing_zone": net["routing_zone"],
            "vlan_id": net["vlan"],
            "bindings": switches,
            "ipv4_subnet": net["subnet"],
            "ipv4_gateway": gateway,
            "ipv6_subnet": net.get("ipv6_subnet"),
            "mtu": net["mtu"],
            "tags": _vn_tags(net, existing_vn),
            "description": description,
        },
        **_adopted_fields(net, existing_vn),
    )


def node_verdicts(net, offering, mapped, bound, binding, pod_nodes):
    """The nodes a network is bound to, those skipped (and why) and those capable of carrying it."""
    skipped = [entry for entry in offering if entry["status"] != "mapped"]
    if binding == "pods":
        wanted = (pod_nodes or {}).get((net["namespace"], net["name"]), set())
        skipped += [
            {
                "node": node,
                "status": "no SR-IOV %s" % net["resource_name"],
                "problems": [
                    "%s has pods on %s, which does not offer %s"
                    % (net["name"], node, net["resource_name"])
                ],
            }
            for node in sorted(wanted - set(e["node"] for e in offering))
        ]
    return {
        "bound": [entry["node"] for entry in bound],
        "skipped": [
            {"node": e["node"], "status": e["status"], "problems": e["problems"]} for e in skipped
        ],
        "capable": [entry["node"] for entry in mapped],
    }


def cluster_attachment(net, gateway, routes, svi_count):
    """The NAD in the option form of sriov_network_attachments; ``managed`` says whether the collection owns it.

    A network derived from a cluster object keeps the app team's NAD: only its VLAN is planned (written back when it
    was allocated or must be repaired from the fabric's record)."""
    if is_cluster(net):
        return {
            "name": net["name"],
            "namespace": net["namespace"],
            "vlan": net["vlan"],
            "resource_name": net["resource_name"],
            "managed": False,
            "writable": net["source"]["kind"] == "NetworkAttachmentDefinition",
        }
    labels = dict(net["labels"])
    labels[model.NETWORK_LABEL] = net["name"]
    if net.get("tenant"):
        labels[model.TENANT_LABEL] = net["tenant"]
    if net["routing_group"]:
        labels[model.ROUTING_GROUP_LABEL] = net["routing_group"]
    nad = {
        "name": net["name"],
        "namespace": net["namespace"],
        "resource_name": net["resource_name"],
        "vlan": net["vlan"],
        "labels": labels,
        "managed": True,
    }
    if net["mtu"]:
        nad["mtu"] = net["mtu"]
    if net["ipam"] == "cn2":
        nad["ipam"] = {"type": "cn2"}
        nad["cn2"] = {"subnet": net["subnet"]}
        return nad
    nad["ipam"] = {
        "type": net["ipam"],
        "range": net["subnet"],
        "gateway": gateway,
        "routes": [{"dst": dst, "gw": gateway} for dst in routes],
    }
    if net["ipam"] == "whereabouts":
        nad["ipam"]["exclude"] = reserved_block(net["subnet"], svi_count)
    else:
        last_reserved = ipaddress.ip_network(
            reserved_block(net["subnet"], svi_count)[-1]
        ).broadcast_address
        nad["ipam"]["range_start"] = str(last_reserved + 1)
    if not nad["ipam"]["routes"]:
        del nad["ipam"]["routes"]
    return nad


def adopted_attachment(net, nad):
    """An adopted NAD as it was made: the plan changes none of its fields (its VLAN, resource and subnet matched)."""
    attachment = dict((k, v) for k, v in nad.items() if k != "owner")
    attachment.update(name=net["name"], namespace=net["namespace"], managed=True)
    if net["routing_group"]:
        attachment["labels"] = dict(
            attachment.get("labels") or {}, **{model.ROUTING_GROUP_LABEL: net["routing_group"]}
        )
    return attachment


def _removable_zones(absent_labels, existing, present_zones, owners):
    """Zones of the removed VNs that no remaining VN uses and that one of this run's owners created: a zone is shared,
    its creator removes it once nobody uses it."""
    vns = list(existing.vns.values())
    remaining = set(vn.get("routing_zone") for vn in vns if vn.get("label") not in absent_labels)
    zones = set(vn.get("routing_zone") for vn in vns if vn.get("label") in absent_labels)
    return sorted(
        zone
        for zone in zones - remaining - set(present_zones)
        if zone
        and model.owner_of_tags((existing.zones.get(zone) or {}).get("tags", [model.OWNER_TAG]))
        in owners
    )


def overridden_removals(existing_vns, nets, owner):
    """``overridden``: the VNs of ``owner`` no network lists any more (a cluster's networks follow their objects
    instead), as networks to remove: their ports are unbound before the VN goes."""
    listed = set(net["name"] for net in nets)
    return [
        {
            "name": vn["label"],
            "namespace": "-",
            "routing_zone": vn.get("routing_zone"),
            "state": "absent",
            "owner": owner,
            "source": {"kind": "not listed (overridden)", "namespace": "-", "name": vn["label"]},
        }
        for vn in existing_vns or []
        if vn.get("label") not in listed
        and model.owner_of_tags(vn.get("tags")) == owner
        and model.CLUSTER_TAG not in (vn.get("tags") or [])
    ]


def empty_plan():
    return {
        "routing_zones": [],
        "virtual_networks": [],
        "port_bindings": [],
        "port_bindings_clear": [],
        "attachments": [],
        "attachment_writebacks": [],
        "routers": [],
        "networks": [],
        "groups": [],
        "tenants": [],
        "pod_networks": [],
        "namespace_adopt": [],
        "tenant_routers": [],
        "absent": {
            "routing_zones": [],
            "virtual_networks": [],
            "port_bindings": [],
            "attachments": [],
            "routers": [],
            "pod_networks": [],
        },
        "releases": {"virtual_networks": [], "port_bindings": [], "attachments": []},
    }


def build_plan(
    nets,
    ports,
    fabric_leafs=0,
    state="present",
    binding="nodes",
    pod_nodes=None,
    existing_vns=None,
    existing=None,
):
    """The whole two-layer plan: ``config`` lists for every resource module plus a per-network summary.

    ``fabric_leafs``: leafs in the blueprint, the SVI addresses reserved after the gateway (one per leaf that may ever
    host the VN, so the IPAM range does not move when a node joins on another leaf). ``binding``: ``nodes`` binds the
    ports of every node offering the resource, ``pods`` only those of nodes in ``pod_nodes`` ({(namespace, name): set of
    node names}). ``existing``: what Apstra and the cluster hold (an Existing; or ``existing_vns``, the VNs alone), to
    clear and remove only what exists and to keep what an adopted network was made with.
    """
    if binding not in BINDINGS:
        raise ValueError("binding: %r is not allowed; allowed %s" % (binding, ", ".join(BINDINGS)))
    held = existing or Existing(existing_vns)
    wanted = [
        net for net in nets if state == "present" and net.get("state", "present") == "present"
    ]
    plan = empty_plan()
    plan["routing_zones"] = [
        {"label": zone} for zone in sorted(set(net["routing_zone"] for net in wanted))
    ]
    context = dict(
        ports=ports,
        svi_count=max(int(fabric_leafs or 0), 2),
        binding=binding,
        pod_nodes=pod_nodes,
        held=held,
        group_subnets=group_subnets(wanted),
    )
    for net in wanted:
        plan_present(plan, net, context)
    groups = plan_routers(plan, wanted)
    gone = [net for net in nets if not any(net is other for other in wanted)]
    for net in gone:
        plan_absent(plan, net, held)
    plan_absent_groups(plan, gone, groups)
    plan_removable_zones(plan, gone, held)
    return plan


def group_subnets(nets):
    """{(namespace, routing group): [subnets]}: each network routes to the others of its group."""
    out = {}
    for net in nets:
        if net["routing_group"]:
            out.setdefault((net["namespace"], net["routing_group"]), []).append(net["subnet"])
    return out


def plan_present(plan, net, context):
    """One present network's fabric and cluster halves into the plan."""
    held = context["held"]
    part = network_plan(
        net,
        context["ports"],
        context["group_subnets"].get((net["namespace"], net["routing_group"]), []),
        context["svi_count"],
        context["binding"],
        context["pod_nodes"],
        held.vns.get(net["name"]),
        held,
    )
    plan["virtual_networks"].append(part["virtual_network"])
    if part["port_binding"]["switch_ports"]:
        plan["port_bindings"].append(part["port_binding"])
    elif net["name"] in held.vns:
        plan["port_bindings_clear"].append({"virtual_network": net["name"], "tagged": True})
    attachment = part["attachment"]
    if not net.get("fabric_only"):
        plan["attachments"].append(attachment)
    if (
        not attachment["managed"]
        and attachment["writable"]
        and net.get("cluster_vlan") != net["vlan"]
    ):
        plan["attachment_writebacks"].append(
            {"name": net["name"], "namespace": net["namespace"], "vlan": net["vlan"]}
        )
    plan["networks"].append(network_summary(net, part))


def network_summary(net, part):
    """A present network as the plan's per-network summary lists it."""
    summary = dict(
        (key, net[key])
        for key in ("name", "namespace", "vlan", "vni", "subnet", "routing_zone", "routing_group")
    )
    summary.update(
        gateway=part["gateway"],
        resource_name=net["resource_name"],
        source=source_text(net),
        switches=part["virtual_network"]["bindings"],
        ports=part["port_binding"]["switch_ports"],
        nodes=part["nodes"],
        allocated=net.get("allocated", []),
        fabric_only=net.get("fabric_only", False),
        state="present",
    )
    return summary


def plan_routers(plan, nets):
    """A mesh VirtualNetworkRouter per routing group (of its first network's owner); returns the groups."""
    groups = {}
    for net in nets:
        if net["routing_group"]:
            groups.setdefault((net["namespace"], net["routing_group"]), []).append(net["name"])
    for (namespace, group), members in sorted(groups.items()):
        plan["routers"].append(
            {
                "name": group,
                "namespace": namespace,
                "type": "mesh",
                "virtual_network_selector": {model.ROUTING_GROUP_LABEL: group},
                "owner": owner_of_network(nets, members[0]),
            }
        )
        plan["groups"].append({"name": group, "namespace": namespace, "networks": members})
    return groups


def plan_absent(plan, net, held):
    """A network to remove (or release) into the plan: only what exists, and what its owner may remove."""
    if net.get("release"):
        release_plan(plan, net, held)
    elif net["name"] in held.vns and net.get("remove", True):
        plan["absent"]["virtual_networks"].append({"label": net["name"]})
        plan["absent"]["port_bindings"].append({"virtual_network": net["name"], "tagged": True})
    if not is_cluster(net) and not net.get("release") and net.get("remove", True):
        plan["absent"]["attachments"].append({"name": net["name"], "namespace": net["namespace"]})
    plan["networks"].append(
        dict(
            dict(
                (key, net.get(key)) for key in ("vlan", "subnet", "routing_zone", "routing_group")
            ),
            name=net["name"],
            namespace=net["namespace"],
            source=source_text(net),
            state="absent",
            release=bool(net.get("release")),
        )
    )


def plan_absent_groups(plan, gone, groups):
    """The routers of routing groups no present network uses any more."""
    absent = set(
        (net["namespace"], net["routing_group"], net.get("owner", model.DEFAULT_OWNER))
        for net in gone
        if net.get("routing_group") and (net["namespace"], net["routing_group"]) not in groups
    )
    plan["absent"]["routers"] = [
        {"name": group, "namespace": namespace, "owner": owner}
        for namespace, group, owner in sorted(absent)
    ]


def plan_removable_zones(plan, gone, held):
    absent_labels = set(item["label"] for item in plan["absent"]["virtual_networks"])
    owners = set(net.get("owner", model.DEFAULT_OWNER) for net in gone)
    plan["absent"]["routing_zones"] = [
        {"label": zone}
        for zone in _removable_zones(
            absent_labels, held, [zone["label"] for zone in plan["routing_zones"]], owners
        )
    ]


def release_plan(plan, net, held):
    """An adopted network released: its VN, ports and NAD stay exactly as they are, without the owner's marks."""
    vn = held.vns[net["name"]]
    plan["releases"]["virtual_networks"].append(
        {"label": vn["label"], "tags": model.without_owner_tags(vn.get("tags"))}
    )
    ports = held.ports.get(net["name"])
    if ports:
        plan["releases"]["port_bindings"].append(
            {"virtual_network": vn["label"], "tagged": True, "switch_ports": ports}
        )
    nad = held.nads.get((net["namespace"], net["name"]))
    if nad is not None and not is_cluster(net):
        plan["releases"]["attachments"].append(dict((k, v) for k, v in nad.items() if k != "owner"))


def problems_of(plan):
    """One line per node a network would use but cannot bind (mis-cabled, unmapped, no resource)."""
    problems = []
    for net in plan["networks"]:
        for skipped in (net.get("nodes") or {}).get("skipped", []):
            for problem in skipped["problems"]:
                text = "%s: %s (%s, not bound)" % (net["name"], problem, skipped["status"])
                if text not in problems:
                    problems.append(text)
    return problems


RUNS = ("provision", "reconcile", "teardown", "verify")


def owner_of_network(nets, name):
    return next(net.get("owner", model.DEFAULT_OWNER) for net in nets if net["name"] == name)


def _step(resource, state, config, **ownership):
    step = {"resource": resource, "state": state, "config": config}
    if ownership:
        step["ownership"] = dict(
            {"owner": [model.DEFAULT_OWNER], "guard": True, "adopt": [], "release": []}, **ownership
        )
    return step


def fabric_ownership(plan):
    """Whose Apstra objects the fabric task may change: the run's owners, guarded; what it adopts and releases (by
    network name: the VN and its template)."""
    return {
        "owner": plan["owners"],
        "guard": True,
        "adopt": sorted(
            set(item["network"] for item in plan["adopted"] if item["kind"] != "attachment")
        ),
        "release": sorted(vn["label"] for vn in plan["releases"]["virtual_networks"]),
    }


def fabric_steps(plan, run, overridden=False):
    """The apstra_fabric_apply steps of a run, in the order the API needs (unbind before delete, zones last).
    ``overridden`` removals are planned networks (``absent``) like any other, so no step removes on its own.
    """
    absent, releases = plan["absent"], plan["releases"]
    removals = [
        _step("port_bindings", "deleted", absent["port_bindings"]),
        _step("virtual_networks", "deleted", absent["virtual_networks"]),
        _step("routing_zones", "deleted", absent["routing_zones"]),
        _step("virtual_networks", "merged", releases["virtual_networks"]),
        _step("port_bindings", "merged", releases["port_bindings"]),
    ]
    if run == "teardown":
        steps = removals
    elif run in ("provision", "reconcile"):
        steps = [
            _step("routing_zones", "merged", plan["routing_zones"]),
            _step(
                "virtual_networks",
                "merged" if run == "provision" else "replaced",
                plan["virtual_networks"],
            ),
            _step(
                "port_bindings",
                "merged" if run == "provision" else "replaced",
                plan["port_bindings"],
            ),
        ]
        if run == "reconcile":
            steps += [_step("port_bindings", "deleted", plan["port_bindings_clear"])] + removals
    else:
        steps = []
    # An empty `deleted` would mean "every marked object": a step runs only with something listed.
    return [step for step in steps if step["config"]]


def _nad_option_form(attachment):
    return dict((k, v) for k, v in attachment.items() if k not in ("managed", "writable"))


def _without_owner(items):
    return [dict((k, v) for k, v in item.items() if k != "owner") for item in items]


def _router_steps(state, routers, owners):
    """One router step per owner: each marks and removes only its own routers."""
    by_owner = {}
    for router in routers:
        by_owner.setdefault(router.get("owner", model.DEFAULT_OWNER), []).append(router)
    if state == "overridden":
        for owner in owners:
            by_owner.setdefault(owner, [])
    return [
        _step("routers", state, _without_owner(items), owner=[owner])
        for owner, items in sorted(by_owner.items())
    ]


def _pod_network_steps(state, pod_networks, adopt=()):
    """One cn2_pod_networks step per owner (the tenants of an intent and of a cluster have different owners); ``adopt``:
    the namespaces without a mark the step may mark (they consent, or the run adopts)."""
    by_owner = {}
    for item in pod_networks:
        by_owner.setdefault(item.get("owner", model.DEFAULT_OWNER), []).append(item)
    return [
        _step(
            "pod_networks",
            state,
            _without_owner(items),
            owner=[owner],
            adopt=sorted(
                set(adopt) & set(ns for item in items for ns in item.get("namespaces") or [])
            ),
        )
        for owner, items in sorted(by_owner.items())
    ]


def cluster_steps(plan, run, overridden=False):
    """The cluster writes of a run: NADs the collection owns, write-backs to the cluster's own NADs, routers. Each
    step says whose objects it may change (``ownership``, passed to the module's owner options)."""
    absent = plan["absent"]
    intent_owner = plan.get("owners", [model.DEFAULT_OWNER])[0]
    adopted = [item["name"] for item in plan.get("adopted", []) if item["kind"] == "attachment"]
    nad_ownership = dict(owner=[intent_owner], adopt=adopted)
    releases = plan.get("releases", {}).get("attachments", [])
    release = dict(
        owner=[intent_owner], release=["%s/%s" % (a["namespace"], a["name"]) for a in releases]
    )
    if run == "teardown":
        steps = (
            [
                _step("attachments", "deleted", absent["attachments"], **nad_ownership),
                _step("attachments", "merged", [_nad_option_form(a) for a in releases], **release),
            ]
            + _pod_network_steps("deleted", absent["pod_networks"])
            + _router_steps("deleted", absent["routers"], [])
        )
    elif run in ("provision", "reconcile"):
        state = "merged" if run == "provision" else ("overridden" if overridden else "replaced")
        owned = [_nad_option_form(a) for a in plan["attachments"] if a.get("managed", True)]
        steps = (
            [
                _step("attachments", state, owned, **nad_ownership),
                # write-backs go to the app team's own NADs, which opted in: not the collection's objects
                _step("attachments", "merged", plan["attachment_writebacks"], guard=False),
            ]
            + _pod_network_steps(
                "merged" if run == "provision" else "replaced",
                plan["pod_networks"],
                plan["namespace_adopt"],
            )
            + _router_steps(state, plan["routers"], [intent_owner] if overridden else [])
        )
        if run == "reconcile":
            steps += (
                [_step("attachments", "deleted", absent["attachments"], **nad_ownership)]
                + _pod_network_steps("deleted", absent["pod_networks"])
                + _router_steps("deleted", absent["routers"], [])
            )
    else:
        steps = []
    return [step for step in steps if step["config"] or step["state"] == "overridden"]
