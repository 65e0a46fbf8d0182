# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster as a source of networks, and pods as the source of port bindings.

- NetworkAttachmentDefinitions and SriovNetworks that opt in (annotation ``cn2-apstra.netops.io/fabric: "true"``)
  become networks in the intent's form, validated by the same rules with the same texts; a bad object is reported
  by kind, namespace/name and field, and skipped.
- Pods name the networks they attach to (``k8s.v1.cni.cncf.io/networks``, string or JSON form); with the ``pods``
  binding a VLAN is tagged only on the ports of nodes running such pods, and a node whose last pod left keeps its
  port for a grace period, recorded on the NAD (annotation ``cn2-apstra.netops.io/released``).

Pure Python (standard library only): the event source plugin imports it too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import ALLOCATE
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.validation import (
    validate_network,
)

NAD_KIND = "NetworkAttachmentDefinition"
SRIOV_NETWORK_KIND = "SriovNetwork"
OPERATOR_OWNER_ANNOTATION = (
    "sriovnetwork.openshift.io/owner-ref"  # on the NAD the SR-IOV network operator renders
)
DEFAULTS = {"routing_zone": None, "resource_prefix": "openshift.io", "ipam": "whereabouts"}
TRUE = ("true", "yes", "1", "on")
INACTIVE_PHASES = ("Succeeded", "Failed")


def opted_in(obj):
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(model.FABRIC_ANNOTATION)
    return str(value).strip().lower() in TRUE


def _meta(obj):
    metadata = obj.get("metadata") or {}
    return metadata, metadata.get("annotations") or {}, metadata.get("labels") or {}


def parse_selector(text):
    """``k=v,k2=v2`` (the annotation form of a node selector) as a dict; None when malformed."""
    selector = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            return None
        selector[key.strip()] = value.strip()
    return selector


def _json(text):
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value


def _ipam_fields(ipam):
    """(ipam kind, subnet, gateway) from a CNI ipam section."""
    if not isinstance(ipam, dict):
        return None, None, None
    kind = ipam.get("type")
    if kind == "whereabouts":
        return kind, ipam.get("range"), ipam.get("gateway")
    if kind in ("host-local", "static"):
        subnet = ipam.get("subnet")
        if (
            subnet is None
            and isinstance(ipam.get("ranges"), list)
            and ipam["ranges"]
            and isinstance(ipam["ranges"][0], list)
        ):
            first = ipam["ranges"][0][0] if ipam["ranges"][0] else {}
            subnet, gateway = first.get("subnet"), first.get("gateway")
            return kind, subnet, gateway
        return kind, subnet, ipam.get("gateway")
    return kind, None, None


def _common(item, annotations, labels, defaults):
    """Fields every kind takes from annotations and labels; the routing zone of a tenant's namespace before the default."""
    item["routing_zone"] = (
        annotations.get(model.ZONE_ANNOTATION)
        or (defaults.get("namespace_zones") or {}).get(item["namespace"])
        or defaults.get("routing_zone")
    )
    if labels.get(model.ROUTING_GROUP_LABEL):
        item["routing_group"] = labels[model.ROUTING_GROUP_LABEL]
    for key, annotation in (("vni", model.VNI_ANNOTATION), ("mtu", model.MTU_ANNOTATION)):
        if annotations.get(annotation):
            item[key] = annotations[annotation]
    if annotations.get(model.NODE_SELECTOR_ANNOTATION):
        selector = parse_selector(annotations[model.NODE_SELECTOR_ANNOTATION])
        item["node_selector"] = (
            selector if selector is not None else annotations[model.NODE_SELECTOR_ANNOTATION]
        )
    if annotations.get(model.ROUTES_ANNOTATION):
        item["routes"] = [
            part.strip() for part in annotations[model.ROUTES_ANNOTATION].split(",") if part.strip()
        ]
    if annotations.get(model.TAGS_ANNOTATION):
        item["tags"] = [
            part.strip() for part in annotations[model.TAGS_ANNOTATION].split(",") if part.strip()
        ]
    return item


def nad_network(obj, defaults=None):
    """The network a NAD opts in for, in the intent's form (unvalidated), with ``cluster_vlan`` (what the NAD says)."""
    defaults = dict(DEFAULTS, **(defaults or {}))
    metadata, annotations, labels = _meta(obj)
    config = _json((obj.get("spec") or {}).get("config") or "{}")
    config = config if isinstance(config, dict) else {}
    item = {
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace") or "default",
        "resource_name": annotations.get(model.RESOURCE_ANNOTATION),
        "source": {
            "kind": NAD_KIND,
            "namespace": metadata.get("namespace") or "default",
            "name": metadata.get("name"),
        },
    }
    vlan = config.get("vlan")
    item["cluster_vlan"] = vlan
    item["vlan"] = vlan if vlan not in (None, 0, "0", "") else ALLOCATE
    cn2 = (
        _json(annotations.get(model.CN2_ANNOTATION))
        if annotations.get(model.CN2_ANNOTATION)
        else None
    )
    if isinstance(cn2, dict) and cn2.get("ipamV4Subnet"):
        item["ipam"], item["subnet"], gateway = "cn2", cn2["ipamV4Subnet"], None
    else:
        kind, subnet, gateway = _ipam_fields(config.get("ipam"))
        item["ipam"] = kind if kind in model.IPAM_KINDS else defaults["ipam"]
        item["subnet"] = subnet or annotations.get(model.SUBNET_ANNOTATION) or ALLOCATE
    item["cluster_gateway"] = gateway
    return _common(item, annotations, labels, defaults)


def sriov_network_network(obj, defaults=None):
    """The network a SriovNetwork opts in for; its NAD is rendered by the operator in spec.networkNamespace."""
    defaults = dict(DEFAULTS, **(defaults or {}))
    metadata, annotations, labels = _meta(obj)
    spec = obj.get("spec") or {}
    namespace = spec.get("networkNamespace") or metadata.get("namespace") or "default"
    resource = spec.get("resourceName")
    if resource and "/" not in resource:
        resource = "%s/%s" % (defaults["resource_prefix"], resource)
    item = {
        "name": metadata.get("name"),
        "namespace": namespace,
        "resource_name": resource,
        "vlan": spec.get("vlan"),
        "source": {
            "kind": SRIOV_NETWORK_KIND,
            "namespace": metadata.get("namespace"),
            "name": metadata.get("name"),
        },
    }
    item["cluster_vlan"] = spec.get("vlan")
    ipam = _json(spec.get("ipam") or "{}")
    kind, subnet, gateway = _ipam_fields(ipam)
    item["ipam"] = kind if kind in model.IPAM_KINDS else defaults["ipam"]
    item["subnet"] = subnet or annotations.get(model.SUBNET_ANNOTATION) or ALLOCATE
    item["cluster_gateway"] = gateway
    return _common(item, annotations, labels, defaults)


def source_field(item):
    source = item["source"]
    return "%s %s/%s" % (source["kind"], source.get("namespace"), source.get("name"))


def _check_cluster_fields(item, field, net, errors):
    """Rules that only cluster objects need: a SriovNetwork VLAN of 0 is untagged, and the NAD's gateway is the fabric's."""
    if item["source"]["kind"] == SRIOV_NETWORK_KIND and item.get("cluster_vlan") in (None, 0):
        errors.append(
            "%s.spec.vlan: %s means untagged VFs; set a VLAN %d-%d for the fabric to carry"
            % (field, item.get("cluster_vlan"), model.VLAN_RANGE[0], model.VLAN_RANGE[1])
        )
    gateway = item.get("cluster_gateway")
    if gateway and net.get("subnet") not in (None, ALLOCATE):
        fabric_gateway = model.gateway_of(net["subnet"])
        if gateway != fabric_gateway:
            errors.append(
                "%s.ipam.gateway: %s is not the fabric gateway of %s, which is its first host %s"
                % (field, gateway, net["subnet"], fabric_gateway)
            )


def rendered_by(nad):
    """(namespace, name) of the SriovNetwork the operator rendered this NAD from, or None."""
    owner = ((nad.get("metadata") or {}).get("annotations") or {}).get(
        OPERATOR_OWNER_ANNOTATION
    ) or ""
    parts = owner.split("/")
    return (
        (parts[-2], parts[-1])
        if owner.startswith(SRIOV_NETWORK_KIND + ".") and len(parts) >= 3
        else None
    )


def derive_networks(nads=None, sriov_networks=None, defaults=None, namespace_zones=None):
    """(networks, skipped) from the cluster's objects. ``skipped``: [{source, error}] for objects that opt in but are invalid.
    ``namespace_zones``: {namespace: routing zone} of the tenants' namespaces (their networks' zone unless annotated).

    A NAD the operator rendered from an opted-in SriovNetwork is the same network: the SriovNetwork wins, with the
    resource name the operator put on that NAD (its resource prefix is the operator's setting).
    """
    defaults = dict(defaults or {}, namespace_zones=namespace_zones or {})
    rendered = dict((rendered_by(obj), obj) for obj in nads or [] if rendered_by(obj))
    items = []
    for obj in sriov_networks or []:
        if opted_in(obj):
            item = sriov_network_network(obj, defaults)
            nad = rendered.get((item["source"]["namespace"], item["source"]["name"]))
            if nad is not None:
                item["resource_name"] = (
                    _meta(nad)[1].get(model.RESOURCE_ANNOTATION) or item["resource_name"]
                )
            items.append(item)
    covered = set((item["namespace"], item["name"]) for item in items)
    for obj in nads or []:
        metadata = obj.get("metadata") or {}
        if (
            opted_in(obj)
            and (metadata.get("namespace") or "default", metadata.get("name")) not in covered
        ):
            items.append(nad_network(obj, defaults))
    nets, skipped = [], []
    for item in sorted(items, key=lambda i: (i["namespace"] or "", i["name"] or "")):
        errors = []
        field = source_field(item)
        if not item.get("routing_zone"):
            errors.append(
                "%s: no routing zone: set the annotation %s or sriov_network_cluster_defaults.routing_zone"
                % (field, model.ZONE_ANNOTATION)
            )
            item["routing_zone"] = "unset"
        extra = dict((k, item.pop(k)) for k in ("cluster_vlan", "cluster_gateway") if k in item)
        net = validate_network(item, field, errors)
        item.update(extra)
        if net is not None:
            _check_cluster_fields(item, field, net, errors)
        if errors:
            skipped.append({"source": field, "error": "; ".join(errors)})
            continue
        net["cluster_vlan"] = extra.get("cluster_vlan")
        nets.append(net)
    return nets, skipped


def conflicts(intent_nets, cluster_nets):
    """Networks both in the file and in the cluster whose VLAN or subnet differ: reported, never guessed."""
    by_name = dict((net["name"], net) for net in intent_nets)
    found = []
    for net in cluster_nets:
        other = by_name.get(net["name"])
        if other is None:
            continue
        diffs = [
            "%s: file %s, cluster %s" % (key, other.get(key), net.get(key))
            for key in ("namespace", "vlan", "subnet")
            if net.get(key) not in (None, ALLOCATE)
            and other.get(key) not in (None, ALLOCATE)
            and net.get(key) != other.get(key)
        ]
        if diffs:
            found.append(
                "%s: the intent file and %s disagree (%s)"
                % (net["name"], source_field(net), "; ".join(diffs))
            )
    return found


def merge_sources(intent_nets, cluster_nets):
    """One list: the file's networks, then cluster networks the file does not list."""
    names = set(net["name"] for net in intent_nets)
    return list(intent_nets) + [net for net in cluster_nets if net["name"] not in names]


# -- pods ---------------------------------------------------------------------------------------------------------


def pod_network_references(pod):
    """(namespace, name) of every network a pod asks for in its k8s.v1.cni.cncf.io/networks annotation.

    Multus' forms: a comma-separated list of ``[namespace/]name[@interface]``, or a JSON list of objects with ``name``
    and an optional ``namespace``; a reference without a namespace is in the pod's. An annotation Multus would reject
    yields nothing.
    """
    metadata = pod.get("metadata") or {}
    text = ((metadata.get("annotations") or {}).get(model.NETWORKS_ANNOTATION) or "").strip()
    pod_ns = metadata.get("namespace") or "default"
    refs = set()
    if not text:
        return refs
    if any(char in text for char in '[{"'):
        entries = _json(text)
        if not isinstance(entries, list):
            return set()
        for entry in entries:
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("name"), str)
                or not entry["name"]
            ):
                return set()
            refs.add((entry.get("namespace") or pod_ns, entry["name"]))
        return refs
    for part in text.split(","):
        part = part.strip().split("@", 1)[0]
        if not part:
            continue
        namespace, _sep, name = part.rpartition("/")
        if not name or "/" in namespace:
            return set()
        refs.add((namespace or pod_ns, name))
    return refs


def _qualified(value, namespace):
    value = value.strip() if isinstance(value, str) else ""
    return (value if "/" in value else "%s/%s" % (namespace, value)) if value else None


def pod_primary_network(pod):
    """``namespace/name`` of the network a pod's primary interface (eth0) is on, as CN2 and Multus record it: the
    network-status entry marked default, else the pod's default-network annotation (its choice, made at creation), else
    its own net.juniper.contrail.podnetwork; None when nothing says (the cluster's default pod network).
    """
    metadata = pod.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    namespace = metadata.get("namespace") or "default"
    entries = _json(annotations.get(model.NETWORK_STATUS_ANNOTATION) or "[]")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("default") and entry.get("name"):
            return _qualified(entry["name"], namespace)
    for key in (model.DEFAULT_NETWORK_ANNOTATION, model.PODNETWORK_ANNOTATION):
        if annotations.get(key):
            return _qualified(annotations[key], namespace)
    return None


def pod_usage(pods):
    """{(namespace, name): {node: [pod names]}} for running or pending pods that are scheduled on a node."""
    usage = {}
    for pod in pods or []:
        node = (pod.get("spec") or {}).get("nodeName")
        if not node or (pod.get("status") or {}).get("phase") in INACTIVE_PHASES:
            continue
        metadata = pod.get("metadata") or {}
        name = "%s/%s" % (metadata.get("namespace"), metadata.get("name"))
        for ref in pod_network_references(pod):
            usage.setdefault(ref, {}).setdefault(node, []).append(name)
    return usage


def parse_time(text):
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc
        )
    except (TypeError, ValueError):
        return None


def format_time(when):
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def released_marks(nad):
    """{node: release time} recorded on a NAD (option form with ``annotations``, or an object)."""
    annotations = nad.get("annotations")
    if annotations is None:
        annotations = (nad.get("metadata") or {}).get("annotations") or {}
    marks = _json(annotations.get(model.RELEASED_ANNOTATION) or "{}")
    return dict(
        (node, when)
        for node, when in (marks if isinstance(marks, dict) else {}).items()
        if parse_time(when)
    )


def pod_bindings(nets, usage, bound_nodes, marks, grace, now):
    """Which nodes each network is tagged on with the ``pods`` binding, and the release marks to write.

    ``bound_nodes``: {(namespace, name): set of nodes whose ports carry the network now}; ``marks``: {(namespace, name):
    {node: time}} from the NADs; ``grace``: seconds a node keeps its port after its last pod left.
    Returns ({(namespace, name): set of nodes to bind}, {(namespace, name): new marks or None when unchanged}).
    """
    wanted, writes = {}, {}
    for net in nets:
        key = (net["namespace"], net["name"])
        running = set((usage.get(key) or {}).keys())
        old = dict(marks.get(key) or {})
        new = {}
        for node in sorted((bound_nodes.get(key) or set()) | set(old)):
            if node in running:
                continue
            when = parse_time(old.get(node)) or now
            if (now - when).total_seconds() < grace and node in (bound_nodes.get(key) or set()):
                new[node] = format_time(when)
        wanted[key] = running | set(new)
        if new != old:
            writes[key] = new
    return wanted, writes


def cluster_removals(existing_vns, nets, usage, owner):
    """VNs this cluster created for a cluster object that no longer opts in: (to remove, kept with the reason).

    Only VNs carrying the cluster tag and this cluster's mark (``owner``) follow an object away (never a network the
    intent file created, never another cluster's), and never while pods still attach to a network of that name.
    """
    present = set(net["name"] for net in nets)
    used = dict((name, ["%s/%s" % (ns, name)]) for (ns, name) in usage)
    remove, kept = [], []
    for vn in existing_vns or []:
        tags = vn.get("tags") or []
        if (
            vn.get("label") in present
            or model.owner_of_tags(tags) != owner
            or model.CLUSTER_TAG not in tags
        ):
            continue
        if vn["label"] in used:
            kept.append(
                "%s: its cluster object is gone but pods still attach to %s; nothing is removed"
                % (vn["label"], ", ".join(used[vn["label"]]))
            )
            continue
        remove.append(
            {
                "name": vn["label"],
                "namespace": "-",
                "routing_zone": vn.get("routing_zone"),
                "state": "absent",
                "owner": owner,
                "source": {"kind": "cluster object (gone)", "namespace": "-", "name": vn["label"]},
            }
        )
    return remove, kept
