# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SR-IOV network model: ranges, name rules, ownership marks, annotation names and the field checks.

Every validator of the collection (the intent, the Apstra modules, the Kubernetes modules, the cluster
source) takes its ranges, patterns and message texts from here, so one rule has one wording. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

ALLOCATE = "allocate"

VLAN_RANGE = (2, 4094)  # a fabric VLAN (1 is the native VLAN of most switches)
NAD_VLAN_RANGE = (0, 4094)  # the sriov CNI's "vlan" (0: untagged VF)
VLAN_QOS_RANGE = (0, 7)
VNI_RANGE = (4096, 16777214)
MTU_RANGE = (1280, 9216)  # fabric L3 MTU
NAD_MTU_RANGE = (68, 9216)  # the CNI's interface MTU
PREFIX_RANGE = (8, 29)
NAME_MAX = 30  # the network's name is also the Apstra VN label (1-30 characters)
K8S_NAME_MAX = 63

IPAM_KINDS = ("whereabouts", "cn2", "host-local")

NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
APSTRA_LABEL_RE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
RESOURCE_RE = re.compile(
    r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
LABEL_KEY_RE = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
LABEL_VALUE_RE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
TAG_RE = re.compile(r"^[^\s,]{1,64}$")
ROUTE_TARGET_RE = re.compile(r"^(target:)?([0-9]+|[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+):[0-9]+$")

# Ownership marks. Every object the collection makes carries OWNER_TAG (Apstra) or OWNER_LABEL (Kubernetes); the
# owner's name rides beside it (OWNER_TAG_PREFIX + owner, OWNER_NAME_LABEL), except for the default owner, whose mark is
# the collection's mark alone: what earlier releases made is the default owner's, and an upgrade writes nothing.
# A run changes or removes only objects of its own owner; see docs/usage.md "Shared fabric".
OWNER_TAG = "managed-by:netops.cn2_apstra"
OWNER_TAG_PREFIX = "netops.cn2_apstra/owner:"
ADOPTED_TAG = (
    "netops.cn2_apstra/adopted"  # made by hand, adopted explicitly: teardown needs release or force
)
CLUSTER_TAG = "netops.cn2_apstra:cluster"  # on VNs created for a cluster object: only these follow the object away
OWNER_LABEL = "app.kubernetes.io/managed-by"
OWNER_VALUE = "netops.cn2_apstra"
OWNER_NAME_LABEL = "cn2-apstra.netops.io/owner"
ADOPTED_LABEL = "cn2-apstra.netops.io/adopted"
DEFAULT_OWNER = "intent"
# A cluster VN an earlier release made (cluster tag, no owner's name): no cluster run may act on it implicitly, since
# which cluster made it is unknown; `adopt` makes it a cluster's.
EARLIER_CLUSTER_OWNER = "a cluster (earlier release)"
OWNER_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?$")
ROUTING_GROUP_LABEL = "netops.io/routing-group"
NETWORK_LABEL = "netops.io/sriov-network"
# CN2 tenants (docs/usage.md "Tenants"): the tenant's networks, namespaces and mesh routers carry TENANT_LABEL; a router
# joining two tenants carries REACH_LABEL_PREFIX + <tenant> ("true") for each of them, so each tenant's mesh imports it.
TENANT_LABEL = "netops.io/tenant"
REACH_LABEL_PREFIX = "reach.netops.io/"
TENANT_NAME_MAX = 26  # "<a>--<b>" (the router between two tenants) stays a 63-character name

# Kubernetes objects that opt in to the fabric (cluster source); see docs/event-driven.md.
ANNOTATION_PREFIX = "cn2-apstra.netops.io/"
FABRIC_ANNOTATION = ANNOTATION_PREFIX + "fabric"
ZONE_ANNOTATION = ANNOTATION_PREFIX + "routing-zone"
VNI_ANNOTATION = ANNOTATION_PREFIX + "vni"
MTU_ANNOTATION = ANNOTATION_PREFIX + "mtu"
SUBNET_ANNOTATION = ANNOTATION_PREFIX + "subnet"
NODE_SELECTOR_ANNOTATION = ANNOTATION_PREFIX + "node-selector"
ROUTES_ANNOTATION = ANNOTATION_PREFIX + "routes"
TAGS_ANNOTATION = ANNOTATION_PREFIX + "tags"
# Namespaces that opt in as a tenant's (cluster source), or consent to the intent's tenant of that name.
TENANT_ANNOTATION = ANNOTATION_PREFIX + "tenant"
POD_SUBNET_ANNOTATION = ANNOTATION_PREFIX + "pod-subnet"
REACH_ANNOTATION = ANNOTATION_PREFIX + "reach"
# Set by the collection on cluster objects whose pods have left a node: {"<node>": "<UTC time>"} (pods binding).
RELEASED_ANNOTATION = ANNOTATION_PREFIX + "released"

RESOURCE_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"
NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"
CN2_ANNOTATION = "juniper.net/networks"
# CN2's choice of a pod's primary network (docs/contracts.md "CN2 tenants"), and where Multus records it.
PODNETWORK_ANNOTATION = "net.juniper.contrail.podnetwork"
DEFAULT_NETWORK_ANNOTATION = "v1.multus-cni.io/default-network"
NETWORK_STATUS_ANNOTATION = "k8s.v1.cni.cncf.io/network-status"


class IntentError(ValueError):
    """The intent is invalid; ``errors`` holds one message per bad field."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(IntentError, self).__init__("; ".join(self.errors))


class StagingRefused(IntentError):
    """The blueprint holds changes this run did not make: refused before any write (not an intent error)."""


def range_text(bounds, allow_allocate=False):
    return "allowed %d-%d%s" % (bounds[0], bounds[1], ' or "allocate"' if allow_allocate else "")


def integer(errors, field, value, bounds, allow_allocate=False):
    """``value`` as an int within ``bounds`` (or ALLOCATE); appends a message naming the field otherwise."""
    if value is None:
        return None
    if allow_allocate and value == ALLOCATE:
        return ALLOCATE
    if isinstance(value, bool):
        value = "%r" % value
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.append(
            "%s: %r is not an integer; %s" % (field, value, range_text(bounds, allow_allocate))
        )
        return None
    if not bounds[0] <= number <= bounds[1]:
        errors.append(
            "%s: %s is out of range; %s" % (field, number, range_text(bounds, allow_allocate))
        )
        return None
    return number


def subnet(errors, field, value, allow_allocate=False, prefixes=PREFIX_RANGE):
    """``value`` as a canonical IPv4 CIDR with a prefix length within ``prefixes`` (or ALLOCATE)."""
    if value is None:
        return None
    if allow_allocate and value == ALLOCATE:
        return ALLOCATE
    hint = ' or "allocate"' if allow_allocate else ""
    try:
        net = ipaddress.ip_network(str(value), strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            errors.append(
                "%s: %s has host bits set; the network is %s"
                % (field, value, ipaddress.ip_network(str(value), strict=False))
            )
        else:
            errors.append("%s: %r is not an IPv4 CIDR such as 10.1.0.0/24%s" % (field, value, hint))
        return None
    if net.version != 4 or "/" not in str(value):
        errors.append("%s: %r is not an IPv4 CIDR such as 10.1.0.0/24%s" % (field, value, hint))
        return None
    if prefixes and not prefixes[0] <= net.prefixlen <= prefixes[1]:
        errors.append(
            "%s: prefix length /%d is out of range; allowed /%d-/%d"
            % (field, net.prefixlen, prefixes[0], prefixes[1])
        )
        return None
    return str(net)


def is_label(value, max_length=K8S_NAME_MAX):
    """An RFC 1123 label of at most ``max_length`` characters."""
    return isinstance(value, str) and len(value) <= max_length and bool(NAME_RE.match(value))


def routing_zone(errors, field, value):
    """Appends to ``errors`` when ``value`` (given) is not a routing zone label: 1-30 characters of [A-Za-z0-9_-],
    not 'default'."""
    if value is not None and (not APSTRA_LABEL_RE.match(str(value)) or str(value) == "default"):
        errors.append(
            "%s: %r is not a valid routing zone label (1-30 characters of [A-Za-z0-9_-], not 'default')"
            % (field, value)
        )


def resource_name(errors, field, value):
    if value is None:
        return None
    if not RESOURCE_RE.match(str(value)):
        errors.append("%s: %r is not a resource name of the form <domain>/<name>" % (field, value))
        return None
    return str(value)


def labels(errors, field, value):
    """A mapping of Kubernetes label keys to values."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append("%s: must be a mapping of label keys to values" % field)
        return {}
    out = {}
    for key, item in value.items():
        item = "" if item is None else str(item)
        if not LABEL_KEY_RE.match(str(key)) or len(str(key).rsplit("/", maxsplit=1)[-1]) > 63:
            errors.append(
                "%s: %r is not a valid label key ([prefix/]name, name 1-63 characters of [A-Za-z0-9_.-])"
                % (field, key)
            )
        elif len(item) > 63 or not LABEL_VALUE_RE.match(item):
            errors.append(
                "%s.%s: %r is not a valid label value (0-63 characters of [A-Za-z0-9_.-])"
                % (field, key, item)
            )
        else:
            out[str(key)] = item
    return out


def tags(errors, field, value):
    value = value or []
    if not isinstance(value, list):
        errors.append("%s: must be a list of strings" % field)
        return []
    for index, tag in enumerate(value):
        if not isinstance(tag, str) or not TAG_RE.match(tag):
            errors.append(
                "%s[%d]: %r is not a valid tag (1-64 characters, no spaces or commas)"
                % (field, index, tag)
            )
    return sorted(set(str(tag) for tag in value if isinstance(tag, str) and TAG_RE.match(tag)))


def gateway_of(cidr):
    """The fabric gateway of a subnet: its first host address."""
    return str(next(ipaddress.ip_network(cidr).hosts()))


def owner_name(errors, field, value):
    """An owner's name: 1-40 characters of [A-Za-z0-9_.-], starting and ending with a letter or digit (it rides in an
    Apstra tag of at most 64 characters and a Kubernetes label value). A kube-system UID fits."""
    if value is None or not isinstance(value, str) or not OWNER_RE.match(value):
        errors.append(
            "%s: %r is not a valid owner (1-40 characters of [A-Za-z0-9_.-], starting and ending with a letter or "
            "digit)" % (field, value)
        )
        return None
    return value


def owner_tags(owner, adopted=False):
    """The Apstra tags that mark an object as ``owner``'s."""
    tags = [OWNER_TAG] if owner == DEFAULT_OWNER else [OWNER_TAG, OWNER_TAG_PREFIX + owner]
    return tags + ([ADOPTED_TAG] if adopted else [])


def owner_of_tags(tags):
    """Whose object an Apstra object is, from its tags: an owner's name, EARLIER_CLUSTER_OWNER, or None (no mark: made
    by hand or by another tool)."""
    tags = tags or []
    named = sorted(tag[len(OWNER_TAG_PREFIX) :] for tag in tags if tag.startswith(OWNER_TAG_PREFIX))
    if named:
        return named[0]
    if OWNER_TAG not in tags:
        return None
    return EARLIER_CLUSTER_OWNER if CLUSTER_TAG in tags else DEFAULT_OWNER


def named_owner(tags):
    """Whether an Apstra object's tags name an owner (not: unmarked, or marked by an earlier release alone); only such
    objects are never adopted."""
    return any(tag.startswith(OWNER_TAG_PREFIX) for tag in tags or [])


def without_owner_tags(tags):
    """The tags of an object, its owner's marks left out (what a release keeps)."""
    return sorted(
        tag
        for tag in tags or []
        if tag not in (OWNER_TAG, ADOPTED_TAG, CLUSTER_TAG) and not tag.startswith(OWNER_TAG_PREFIX)
    )


def owner_labels(owner, adopted=False):
    """The Kubernetes labels that mark an object as ``owner``'s."""
    labels = {OWNER_LABEL: OWNER_VALUE}
    if owner != DEFAULT_OWNER:
        labels[OWNER_NAME_LABEL] = owner
    if adopted:
        labels[ADOPTED_LABEL] = "true"
    return labels


def owner_of_labels(labels):
    """Whose object a Kubernetes object is, from its labels, or None."""
    labels = labels or {}
    if labels.get(OWNER_LABEL) != OWNER_VALUE:
        return None
    return labels.get(OWNER_NAME_LABEL) or DEFAULT_OWNER


MARK_LABELS = (OWNER_LABEL, OWNER_NAME_LABEL, ADOPTED_LABEL)
