# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Allocation of the VLANs and subnets marked "allocate", stable across runs.

The fabric holds the record: a network whose Apstra VN exists keeps the VN's VLAN and subnet, whatever its NAD
says, so a NAD edited out of band is repaired from the fabric rather than pushed into it. A network that only has
a NAD keeps the NAD's values when they lie inside the allocation ranges and are free. Everything else is drawn
from the ranges, never colliding with an existing VN or NAD or the rest of the intent. Subnet arithmetic uses
netaddr's IPSet.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import ALLOCATE

try:
    from netaddr import AddrFormatError, IPNetwork, IPSet
except ImportError:
    HAS_NETADDR = False
    NETADDR_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_NETADDR = True
    NETADDR_IMPORT_ERROR = None


def nad_subnet(nad):
    """The subnet a NAD (option form) hands out, or None."""
    ipam = nad.get("ipam") or {}
    value = ipam.get("range") or (nad.get("cn2") or {}).get("subnet")
    try:
        return str(IPNetwork(value).cidr) if value else None
    except (AddrFormatError, ValueError, TypeError):
        return None


class Pool:
    """What is taken: VLANs and address space, each with who holds it (for error messages)."""

    def __init__(self):
        self.vlans = {}
        self.subnets = []  # [(IPNetwork, owner)]
        self.space = IPSet()

    def take_vlan(self, vlan, owner):
        self.vlans.setdefault(int(vlan), owner)

    def take_subnet(self, cidr, owner):
        net = IPNetwork(cidr)
        self.subnets.append((net, owner))
        self.space.add(net)

    def vlan_owner(self, vlan):
        return self.vlans.get(vlan)

    def overlaps(self, cidr):
        net = IPSet([IPNetwork(cidr)])
        return [(other, owner) for other, owner in self.subnets if net & IPSet([other])]

    def free_vlan(self, low, high):
        return next((vlan for vlan in range(low, high + 1) if vlan not in self.vlans), None)

    def free_subnet(self, supernet, prefix_length):
        """The lowest free /prefix_length inside supernet (IPSet arithmetic, not a scan of every candidate)."""
        free = IPSet([IPNetwork(supernet)]) - self.space
        for block in free.iter_cidrs():
            if block.prefixlen <= prefix_length:
                return str(next(block.subnet(prefix_length)))
        return None


def _vn_record(vn):
    return vn.get("vlan_id"), vn.get("ipv4_subnet")


def _given(value):
    """A VLAN or subnet the intent states (neither missing nor "allocate")."""
    return value not in (None, ALLOCATE)


def _vn_holder(vn):
    owner = model.owner_of_tags(vn.get("tags"))
    return "Apstra virtual network %s (%s)" % (
        vn.get("label"),
        "owner %s" % owner if owner else "no owner's mark",
    )


def _held_elsewhere(nets, vns, nads):
    """A pool of what the VNs and NADs that are not the intent's networks hold."""
    names = set(net["name"] for net in nets)
    keys = set((net["namespace"], net["name"]) for net in nets)
    pool = Pool()
    for vn in vns:
        if vn.get("label") in names:
            continue
        vlan, cidr = _vn_record(vn)
        holder = _vn_holder(vn)
        if vlan is not None:
            pool.take_vlan(vlan, holder)
        if cidr:
            pool.take_subnet(cidr, holder)
    for nad in nads:
        if (nad.get("namespace"), nad.get("name")) in keys:
            continue
        owner = "NetworkAttachmentDefinition %s/%s" % (nad.get("namespace"), nad.get("name"))
        if nad.get("vlan"):
            pool.take_vlan(nad["vlan"], owner)
        cidr = nad_subnet(nad)
        if cidr:
            pool.take_subnet(cidr, owner)
    return pool


def _clashes(nets, pool):
    """An error for each stated VLAN or subnet that something outside the intent holds."""
    errors = []
    for net in nets:
        if _given(net["vlan"]) and pool.vlan_owner(net["vlan"]):
            errors.append(
                "%s.vlan: %s is already used by %s"
                % (net["name"], net["vlan"], pool.vlan_owner(net["vlan"]))
            )
        if _given(net["subnet"]):
            for other, owner in pool.overlaps(net["subnet"]):
                errors.append(
                    "%s.subnet: %s overlaps %s of %s" % (net["name"], net["subnet"], other, owner)
                )
    return errors


def _give_vlan(net, vlan, pool):
    net["vlan"] = int(vlan)
    net["allocated"].append("vlan")
    pool.take_vlan(vlan, "network %s" % net["name"])


def _give_subnet(net, cidr, pool):
    net["subnet"] = str(IPNetwork(cidr).cidr)
    net["allocated"].append("subnet")
    pool.take_subnet(net["subnet"], "network %s" % net["name"])


def _keep_vlan(net, vn, nad, pool, vlan_range, errors):
    """Give the network its VN's VLAN, else its NAD's when inside vlan_range and free; an error when it is taken."""
    low, high = vlan_range
    kept = vn.get("vlan_id")
    if (
        kept is None
        and nad.get("vlan") is not None
        and low <= int(nad["vlan"]) <= high
        and not pool.vlan_owner(int(nad["vlan"]))
    ):
        kept = nad["vlan"]
    if kept is None:
        return
    if pool.vlan_owner(int(kept)):
        errors.append(
            "%s.vlan: the VLAN %s its Apstra VN holds is also given to %s"
            % (net["name"], kept, pool.vlan_owner(int(kept)))
        )
    else:
        _give_vlan(net, kept, pool)


def _keep_subnet(net, vn, nad, pool, supernet, errors):
    """Give the network its VN's subnet, else its NAD's when inside the supernet and free; an error on an overlap."""
    kept = vn.get("ipv4_subnet")
    candidate = nad_subnet(nad)
    if (
        kept is None
        and candidate
        and supernet
        and IPNetwork(candidate) in IPNetwork(supernet)
        and not pool.overlaps(candidate)
    ):
        kept = candidate
    if kept is None:
        return
    overlapping = pool.overlaps(kept)
    if overlapping:
        errors.append(
            "%s.subnet: the subnet %s its Apstra VN holds overlaps %s of %s"
            % (net["name"], kept, overlapping[0][0], overlapping[0][1])
        )
    else:
        _give_subnet(net, kept, pool)


def _draw_vlan(net, pool, vlan_range, errors):
    """Give the network the lowest free VLAN of vlan_range; an error when none is left."""
    low, high = vlan_range
    free = pool.free_vlan(low, high)
    if free is None:
        errors.append(
            "%s.vlan: no free VLAN left in allocation.vlan_range %d-%d" % (net["name"], low, high)
        )
    else:
        _give_vlan(net, free, pool)


def _draw_subnet(net, pool, supernet, prefix_length, errors):
    """Give the network the lowest free /prefix_length of the supernet; an error when none is left (or no supernet)."""
    free = pool.free_subnet(supernet, prefix_length) if supernet else None
    if free is None:
        errors.append(
            "%s.subnet: no free /%d left in allocation.supernet %s"
            % (net["name"], prefix_length, supernet)
        )
    else:
        _give_subnet(net, free, pool)


def allocate(nets, allocation, vns=None, nads=None):
    """Fill in "allocate" VLANs and subnets; returns (nets, errors). Each net gets ``allocated``: the fields filled in."""
    vns = vns or []
    nads = nads or []
    vn_by_label = dict((vn.get("label"), vn) for vn in vns)
    nad_by_key = dict(((nad.get("namespace"), nad.get("name")), nad) for nad in nads)
    pool = _held_elsewhere(nets, vns, nads)
    low, high = allocation["vlan_range"]
    supernet = allocation.get("supernet")
    out = [dict(net, allocated=[]) for net in nets]
    errors = _clashes(out, pool)
    # Stated values first (they are not free for the others), then the VN's or NAD's, then fresh draws.
    for net in out:
        if _given(net["vlan"]):
            pool.take_vlan(net["vlan"], "network %s" % net["name"])
        if _given(net["subnet"]):
            pool.take_subnet(net["subnet"], "network %s" % net["name"])
    for net in out:
        vn = vn_by_label.get(net["name"]) or {}
        nad = nad_by_key.get((net["namespace"], net["name"])) or {}
        if net["vlan"] == ALLOCATE:
            _keep_vlan(net, vn, nad, pool, (low, high), errors)
        if net["subnet"] == ALLOCATE:
            _keep_subnet(net, vn, nad, pool, supernet, errors)
    for net in out:
        if net["vlan"] == ALLOCATE:
            _draw_vlan(net, pool, (low, high), errors)
        if net["subnet"] == ALLOCATE:
            _draw_subnet(net, pool, supernet, allocation["prefix_length"], errors)
    return out, errors


def _pod_subnet_pool(tenants, nets, others, vns, nads):
    """What the pod subnets must stay clear of; an error for a stated pod subnet that overlaps it."""
    pool = _held_elsewhere(nets, vns or [], nads or [])
    for net in nets:
        if _given(net.get("subnet")):
            pool.take_subnet(net["subnet"], "network %s" % net["name"])
    for holder, cidr in others or []:
        pool.take_subnet(cidr, holder)
    errors = []
    for tenant in tenants:
        if _given(tenant["subnet"]):
            errors.extend(
                "%s.pod_network.subnet: %s overlaps %s of %s"
                % (tenant["field"], tenant["subnet"], other, holder)
                for other, holder in pool.overlaps(tenant["subnet"])
            )
            pool.take_subnet(tenant["subnet"], "the pod network of tenant %s" % tenant["name"])
    return pool, errors


def allocate_pod_subnets(tenants, nets, allocation, kept=None, others=None, vns=None, nads=None):
    """Fill in the tenants' "allocate" pod subnets (each tenant gets ``allocated``); returns the errors.

    ``kept``: {tenant: CIDR} of the tenants' existing pod network Subnets, which keep their CIDR. A fresh one is the
    lowest free /prefix_length of the supernet, clear of every SR-IOV network (``nets``, the Apstra ``vns``, the
    ``nads``), of ``others`` ([(holder, CIDR)]: the cluster's other CN2 Subnets) and of the other tenants.
    """
    pool, errors = _pod_subnet_pool(tenants, nets, others, vns, nads)
    wanted = [tenant for tenant in tenants if tenant["subnet"] == ALLOCATE]
    for tenant in tenants:
        tenant["allocated"] = []
    for tenant in wanted:
        cidr = (kept or {}).get(tenant["name"])
        if cidr and not pool.overlaps(cidr):
            tenant["subnet"], tenant["allocated"] = cidr, ["pod_network.subnet"]
            pool.take_subnet(cidr, "the pod network of tenant %s" % tenant["name"])
    for tenant in [t for t in wanted if t["subnet"] == ALLOCATE]:
        supernet, prefix = allocation.get("supernet"), allocation["prefix_length"]
        free = pool.free_subnet(supernet, prefix) if supernet else None
        if free is None:
            errors.append(
                "%s.pod_network.subnet: no free /%d left in allocation.supernet %s"
                % (tenant["field"], prefix, supernet)
            )
            continue
        tenant["subnet"], tenant["allocated"] = free, ["pod_network.subnet"]
        pool.take_subnet(free, "the pod network of tenant %s" % tenant["name"])
    return errors
