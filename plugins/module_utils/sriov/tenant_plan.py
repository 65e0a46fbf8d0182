# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CN2 side of the tenants (docs/usage.md "Tenants", docs/contracts.md "CN2 tenants"): per tenant a Subnet and a
VirtualNetwork (``podNetwork: true``) named ``<tenant>-pods`` in its first namespace, the namespace annotation
``net.juniper.contrail.podnetwork`` that makes it the default of the pods created afterwards in each of its namespaces,
a mesh VirtualNetworkRouter ``<tenant>-mesh`` joining it with the tenant's SR-IOV networks, and a router ``<a>--<b>``
between two tenants that may reach each other.

Every refusal is found here, before any write: a namespace that does not exist, or that belongs to another owner, or
carries no owner's mark without its consent (annotation ``cn2-apstra.netops.io/tenant: <tenant>``) or ``adopt``; an
object of the same name of another owner; a pod network removed, or its subnet changed, while pods use it (named).
Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model

CLUSTER_DEFAULT = "the cluster's default pod network"


def pod_network_name(tenant_name):
    return "%s-pods" % tenant_name


def home(tenant):
    """The namespace holding the tenant's pod network: its first."""
    return tenant["namespaces"][0]


def pod_network_ref(tenant):
    """``<namespace>/<virtual network>`` of the tenant's pod network, as the namespace annotation names it."""
    return "%s/%s" % (home(tenant), pod_network_name(tenant["name"]))


def mesh_name(tenant_name):
    return "%s-mesh" % tenant_name


def link_name(one, other):
    return "%s--%s" % tuple(sorted((one, other)))


class Facts:
    """What the cluster holds for tenants (sriov_cluster_info ``tenants``): namespaces, pod network Subnets and
    VirtualNetworks, VirtualNetworkRouters (option forms, with their owner) and each running pod's primary network.
    """

    def __init__(self, facts):
        facts = facts or {}
        self.namespaces = dict((ns["name"], ns) for ns in facts.get("namespaces") or [])
        self.subnets = dict(((s["namespace"], s["name"]), s) for s in facts.get("subnets") or [])
        self.vns = dict(
            ((v["namespace"], v["name"]), v) for v in facts.get("virtual_networks") or []
        )
        self.routers = dict(((r["namespace"], r["name"]), r) for r in facts.get("routers") or [])
        self.pods = facts.get("pods") or {}

    def users(self, ref):
        """The pods (``namespace/name``) whose primary network is ``ref``."""
        return sorted(pod for pod, network in self.pods.items() if network == ref)

    def namespace_owner(self, name):
        return model.owner_of_labels((self.namespaces.get(name) or {}).get("labels"))

    def kept_subnets(self, tenants):
        """({tenant: CIDR of its existing pod network Subnet}, [(holder, CIDR) of every other CN2 Subnet])."""
        own = dict(((home(t), pod_network_name(t["name"])), t["name"]) for t in tenants)
        kept, others = {}, []
        for key, subnet in sorted(self.subnets.items()):
            if key in own and subnet.get("subnet"):
                kept[own[key]] = subnet["subnet"]
            elif subnet.get("subnet"):
                others.append(("CN2 Subnet %s/%s" % key, subnet["subnet"]))
        return kept, others


def _object_owner_error(where, kind, key, found, owners):
    owner = (found or {}).get("owner")
    if found is None or owner in owners:
        return []
    return [
        "%s: %s %s/%s %s; this run acts for %s and changes nothing of it"
        % (
            where,
            kind,
            key[0],
            key[1],
            (
                "belongs to owner %s" % owner
                if owner
                else "carries no owner's mark (made by hand or another tool)"
            ),
            ", ".join(owners),
        )
    ]


def namespace_verdicts(tenant, facts, owners, adopt):
    """(errors, namespaces to adopt): each namespace must exist and be the run's owner's, or consent, or be adopted."""
    errors, adopted = [], []
    for index, name in enumerate(tenant["namespaces"]):
        where = "%s.namespaces[%d]" % (tenant["field"], index)
        found = facts.namespaces.get(name)
        owner = facts.namespace_owner(name)
        if found is None:
            errors.append(
                "%s: namespace %s does not exist; create it first (the collection annotates namespaces, it never "
                "creates or deletes them)" % (where, name)
            )
        elif owner is not None and owner not in owners:
            errors.append(
                "%s: namespace %s belongs to owner %s; this run acts for %s and changes nothing of it"
                % (where, name, owner, ", ".join(owners))
            )
        elif owner is None:
            consent = (found.get("annotations") or {}).get(model.TENANT_ANNOTATION) == tenant[
                "name"
            ]
            if consent or adopt:
                adopted.append(name)
            else:
                errors.append(
                    "%s: namespace %s carries no owner's mark; annotate it %s=%s (its consent to join the tenant) or "
                    "adopt it (adopt=true)" % (where, name, model.TENANT_ANNOTATION, tenant["name"])
                )
    return errors, adopted


def namespace_changes(tenant, facts):
    """The namespaces whose default pod network changes, each with the pods created before, which keep theirs."""
    ref = pod_network_ref(tenant)
    changes = []
    for name in tenant["namespaces"]:
        current = ((facts.namespaces.get(name) or {}).get("annotations") or {}).get(
            model.PODNETWORK_ANNOTATION
        )
        if current == ref:
            continue
        prefix = name + "/"
        keeping = sorted(
            "%s (%s)" % (pod, network or CLUSTER_DEFAULT)
            for pod, network in facts.pods.items()
            if pod.startswith(prefix) and network != ref
        )
        changes.append(
            {"namespace": name, "from": current or CLUSTER_DEFAULT, "to": ref, "keeping": keeping}
        )
    return changes


def mesh_routers(tenant, nets):
    """The tenant's mesh: one router in each of its namespaces that holds its networks (its pod network's first), each
    importing the routers that join it with other tenants and, across namespaces, its other meshes.
    """
    name = tenant["name"]
    namespaces = [home(tenant)] + sorted(
        set(net["namespace"] for net in nets if net.get("tenant") == name) - {home(tenant)}
    )
    imports = [
        {
            "router_selector": {model.REACH_LABEL_PREFIX + name: "true"},
            "namespace_selector": {model.OWNER_LABEL: model.OWNER_VALUE},
        }
    ]
    if len(namespaces) > 1:
        imports.append(
            {
                "router_selector": {model.TENANT_LABEL: name},
                "namespace_selector": {model.TENANT_LABEL: name},
            }
        )
    return [
        {
            "name": mesh_name(name),
            "namespace": namespace,
            "type": "mesh",
            "virtual_network_selector": {model.TENANT_LABEL: name},
            "labels": {model.TENANT_LABEL: name},
            "import_routers": imports,
            "owner": tenant["owner"],
        }
        for namespace in namespaces
    ]


def link_router(one, other):
    """The router between two tenants, in the first one's home namespace (by name): it selects that tenant's networks
    and imports the other's meshes, which import it back (by its reach label)."""
    first, second = sorted((one, other), key=lambda t: t["name"])
    return {
        "name": link_name(first["name"], second["name"]),
        "namespace": home(first),
        "type": "mesh",
        "virtual_network_selector": {model.TENANT_LABEL: first["name"]},
        "labels": {
            model.REACH_LABEL_PREFIX + first["name"]: "true",
            model.REACH_LABEL_PREFIX + second["name"]: "true",
        },
        "import_routers": [
            {
                "router_selector": {model.TENANT_LABEL: second["name"]},
                "namespace_selector": {model.TENANT_LABEL: second["name"]},
            }
        ],
        "owner": first["owner"],
    }


def link_routers(present):
    """A router for each pair of present tenants of which one may reach the other."""
    by_name = dict((t["name"], t) for t in present)
    pairs = set(
        tuple(sorted((t["name"], other)))
        for t in present
        for other in t["reach"]
        if other in by_name
    )
    return [link_router(by_name[a], by_name[b]) for a, b in sorted(pairs)]


def pod_network_config(tenant):
    """The tenant's pod network in the option form of cn2_pod_networks."""
    return {
        "name": pod_network_name(tenant["name"]),
        "namespace": home(tenant),
        "subnet": tenant["subnet"],
        "gateway": model.gateway_of(tenant["subnet"]),
        "tenant": tenant["name"],
        "namespaces": list(tenant["namespaces"]),
        "owner": tenant["owner"],
    }


def present_errors(tenant, routers, facts, owners):
    """Objects of another owner (or none) in the way of the tenant's, and a subnet change under running pods."""
    key = (home(tenant), pod_network_name(tenant["name"]))
    where = tenant["field"]
    errors = _object_owner_error(where, "Subnet", key, facts.subnets.get(key), owners)
    errors += _object_owner_error(where, "VirtualNetwork", key, facts.vns.get(key), owners)
    for router in routers:
        router_key = (router["namespace"], router["name"])
        errors += _object_owner_error(
            where, "VirtualNetworkRouter", router_key, facts.routers.get(router_key), owners
        )
    held = (facts.subnets.get(key) or {}).get("subnet")
    users = facts.users(pod_network_ref(tenant))
    if held and held != tenant["subnet"] and users:
        errors.append(
            "%s.pod_network.subnet: the pod network %s/%s holds %s, and pods use it (%s); its subnet cannot change to %s "
            "under them" % (where, key[0], key[1], held, ", ".join(users), tenant["subnet"])
        )
    return errors


def removal(tenant, facts, owners):
    """What removing a tenant removes (the run's owners' objects that exist): (absent pod network, absent routers)."""
    name = tenant["name"]
    key = (home(tenant), pod_network_name(name))
    namespaces = sorted(
        ns
        for ns, found in facts.namespaces.items()
        if (
            ns in tenant["namespaces"]
            or (found.get("labels") or {}).get(model.TENANT_LABEL) == name
        )
        and facts.namespace_owner(ns) in owners
    )
    routers = [
        {"name": router["name"], "namespace": router["namespace"], "owner": router.get("owner")}
        for router in facts.routers.values()
        if router.get("owner") in owners
        and (
            (router.get("labels") or {}).get(model.TENANT_LABEL) == name
            or model.REACH_LABEL_PREFIX + name in (router.get("labels") or {})
        )
    ]
    pod_network = {
        "name": key[1],
        "namespace": key[0],
        "tenant": name,
        "namespaces": namespaces,
        "owner": tenant["owner"],
        "exists": key in facts.subnets or key in facts.vns,
    }
    return pod_network, sorted(routers, key=lambda r: (r["namespace"], r["name"]))


def leftovers(facts, listed, owner):
    """Tenants whose pod network ``owner`` made but no source lists any more (a cluster's namespaces that stopped opting
    in; ``overridden``), as tenants to remove."""
    found = []
    for (namespace, name), vn in sorted(facts.vns.items()):
        tenant = vn.get("tenant")
        if (
            tenant
            and tenant not in listed
            and vn.get("owner") == owner
            and name == pod_network_name(tenant)
        ):
            found.append(
                {
                    "name": tenant,
                    "namespaces": [namespace],
                    "field": "tenant %s (no source lists it)" % tenant,
                    "owner": owner,
                    "state": "absent",
                    "reach": [],
                    "source": {"kind": "not listed", "namespace": namespace, "name": tenant},
                }
            )
    return found


def stale_routers(facts, planned, present, owners):
    """Routers of present tenants (their meshes, the routers joining them) that the plan no longer has: a reach or a
    namespace dropped. Reconcile removes them."""
    names = set(t["name"] for t in present)
    keys = set((r["namespace"], r["name"]) for r in planned)
    stale = []
    for key, router in sorted(facts.routers.items()):
        labels = router.get("labels") or {}
        tenants = set([labels.get(model.TENANT_LABEL)]) | set(
            k[len(model.REACH_LABEL_PREFIX) :]
            for k in labels
            if k.startswith(model.REACH_LABEL_PREFIX)
        )
        if key not in keys and router.get("owner") in owners and tenants & names:
            stale.append({"name": key[1], "namespace": key[0], "owner": router["owner"]})
    return stale


def tenant_summary(tenant, nets, routers, facts):
    """A tenant as the plan's summary, the report and its picture show it."""
    summary = dict(
        (key, tenant.get(key))
        for key in ("name", "namespaces", "subnet", "routing_zone", "reach", "state", "owner")
    )
    summary.update(
        pod_network=pod_network_ref(tenant),
        source=(tenant.get("source") or {}).get("kind", "intent"),
        networks=sorted(net["name"] for net in nets if net.get("tenant") == tenant["name"]),
        routers=["%s/%s" % (r["namespace"], r["name"]) for r in routers],
        allocated=tenant.get("allocated") or [],
    )
    if tenant["state"] == "present":
        summary.update(
            gateway=model.gateway_of(tenant["subnet"]),
            namespace_changes=namespace_changes(tenant, facts),
        )
    return summary


def _plan_present(desired, tenant, context):
    """A present tenant into ``desired``; returns the errors."""
    facts, owners = context["facts"], context["owners"]
    meshes = mesh_routers(tenant, context["nets"])
    links = [r for r in context["links"] if tenant["name"] in r["name"].split("--")]
    errors, adopted = namespace_verdicts(tenant, facts, owners, context["adopt"])
    errors += present_errors(tenant, meshes + links, facts, owners)
    desired["pod_networks"].append(pod_network_config(tenant))
    desired["namespace_adopt"] += adopted
    desired["routers"] += meshes
    desired["tenants"].append(tenant_summary(tenant, context["nets"], meshes + links, facts))
    return errors


def _plan_gone(desired, tenant, context):
    """A tenant to remove into ``desired``: (errors, kept). Refused while pods use its pod network (named); a tenant no
    source lists any more is kept, and said so, until they are gone."""
    users = context["facts"].users(pod_network_ref(tenant))
    if users and (tenant.get("source") or {}).get("kind") == "not listed":
        return [], [
            "tenant %s: no source lists it, but pods use its pod network %s (%s); nothing is removed"
            % (tenant["name"], pod_network_ref(tenant), ", ".join(users))
        ]
    if users:
        return [
            "%s: refusing to remove the pod network %s while pods use it: %s; nothing was changed (delete those pods "
            "first)" % (tenant["field"], pod_network_ref(tenant), ", ".join(users))
        ], []
    pod_network, routers = removal(tenant, context["facts"], context["owners"])
    errors = []
    for kind, table in (
        ("Subnet", context["facts"].subnets),
        ("VirtualNetwork", context["facts"].vns),
    ):
        key = (pod_network["namespace"], pod_network["name"])
        errors += _object_owner_error(tenant["field"], kind, key, table.get(key), context["owners"])
    if pod_network.pop("exists") or pod_network["namespaces"]:
        desired["absent"]["pod_networks"].append(pod_network)
    desired["absent"]["routers"] += routers
    desired["tenants"].append(
        tenant_summary(dict(tenant, state="absent"), [], routers, context["facts"])
    )
    return errors, []


def plan_tenants(desired, tenants, context):
    """The tenants' CN2 objects into ``desired`` (``tenants``, ``pod_networks``, ``namespace_adopt``, tenant routers in
    ``routers``; ``absent.pod_networks``, ``absent.routers``); returns (errors, kept). ``context``: facts (Facts), nets
    (the present SR-IOV networks, with their tenant), owners (the run's), adopt, removing (a teardown), removes (the
    run removes what is gone: reconcile, teardown), reconcile."""
    present = [t for t in tenants if t["state"] == "present" and not context["removing"]]
    context = dict(context, links=link_routers(present))
    errors, kept = [], []
    for tenant in tenants:
        if any(tenant is other for other in present):
            errors += _plan_present(desired, tenant, context)
        elif not context["removes"]:  # a provision removes nothing
            desired["tenants"].append(
                dict(tenant_summary(tenant, [], [], context["facts"]), kept=True)
            )
        else:
            more, also = _plan_gone(desired, tenant, context)
            errors, kept = errors + more, kept + also
    desired["routers"] += context["links"]
    if context["reconcile"]:
        desired["absent"]["routers"] += stale_routers(
            context["facts"], desired["routers"], present, context["owners"]
        )
    absent = dict(((r["namespace"], r["name"]), r) for r in desired["absent"]["routers"])
    desired["absent"]["routers"] = [
        absent[key] for key in sorted(absent)
    ]  # a router of two tenants goes once
    seen = set()
    for router in desired["routers"]:
        key = (router["namespace"], router["name"])
        if key in seen:
            errors.append(
                "VirtualNetworkRouter %s/%s: planned twice (a routing group and a tenant's router share the name); "
                "rename the routing group" % key
            )
        seen.add(key)
    desired["tenant_routers"] = [
        "%s/%s" % (r["namespace"], r["name"])
        for r in desired["routers"]
        if model.TENANT_LABEL in (r.get("labels") or {})
        or any(k.startswith(model.REACH_LABEL_PREFIX) for k in r.get("labels") or {})
    ]
    return errors, kept
