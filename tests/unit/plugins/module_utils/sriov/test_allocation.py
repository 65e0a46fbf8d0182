# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Allocation of "allocate" VLANs and subnets: stable across runs, the fabric's record wins, netaddr IPSet arithmetic."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.allocation import (
    Pool,
    allocate,
    nad_subnet,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.validation import (
    validate_intent,
)

BASE = {"namespace": "telco", "routing_zone": "telco", "resource_name": "intel.com/sriov_netdevice"}
ALLOC = {"vlan_range": [2000, 2002], "supernet": "10.200.0.0/22", "prefix_length": 24}


def nets_of(*networks, **allocation):
    return validate_intent([dict(BASE, **net) for net in networks], dict(ALLOC, **allocation))


def fresh(name="a"):
    return {"name": name, "vlan": "allocate", "subnet": "allocate"}


def picked(out):
    return [(net["name"], net["vlan"], net["subnet"], net["allocated"]) for net in out]


def test_fresh_values_are_the_lowest_free_ones_avoiding_vns_nads_and_the_intent():
    nets, allocation = nets_of(
        fresh("a"), fresh("b"), {"name": "c", "vlan": 2002, "subnet": "10.200.3.0/24"}
    )
    vns = [{"label": "other", "vlan_id": 2000, "ipv4_subnet": "10.200.0.0/24"}]
    out, errors = allocate(nets, allocation, vns, [])
    assert picked(out) == [
        ("a", 2001, "10.200.1.0/24", ["vlan", "subnet"]),
        ("b", "allocate", "10.200.2.0/24", ["subnet"]),
        ("c", 2002, "10.200.3.0/24", []),
    ]
    assert errors == ["b.vlan: no free VLAN left in allocation.vlan_range 2000-2002"]


def test_exhausted_ranges_are_errors_naming_the_range():
    nets, allocation = nets_of(fresh("a"), vlan_range=[2000, 2000], supernet="10.200.0.0/24")
    out, errors = allocate(
        nets, allocation, [{"label": "x", "vlan_id": 2000, "ipv4_subnet": "10.200.0.0/25"}], []
    )
    assert errors == [
        "a.vlan: no free VLAN left in allocation.vlan_range 2000-2000",
        "a.subnet: no free /24 left in allocation.supernet 10.200.0.0/24",
    ]
    assert out[0]["vlan"] == "allocate"


def test_allocation_is_stable_across_runs():
    nets, allocation = nets_of(fresh("a"), fresh("b"))
    first, _errors = allocate(nets, allocation, [], [])
    # the next run sees the VNs the first created, and a new network listed before them
    vns = [
        {"label": net["name"], "vlan_id": net["vlan"], "ipv4_subnet": net["subnet"]}
        for net in first
    ]
    nets, allocation = nets_of(fresh("new"), fresh("a"), fresh("b"))
    again, errors = allocate(nets, allocation, vns, [])
    assert errors == []
    assert [(n["name"], n["vlan"], n["subnet"]) for n in again[1:]] == [
        (n["name"], n["vlan"], n["subnet"]) for n in first
    ]
    assert (again[0]["vlan"], again[0]["subnet"]) == (2002, "10.200.2.0/24")


def test_the_fabrics_record_wins_over_a_nad_edited_out_of_band():
    nets, allocation = nets_of(fresh("a"))
    vns = [{"label": "a", "vlan_id": 2001, "ipv4_subnet": "10.200.1.0/24"}]
    nads = [
        {
            "name": "a",
            "namespace": "telco",
            "vlan": 2002,
            "ipam": {"type": "whereabouts", "range": "10.200.2.0/24"},
        }
    ]
    out, errors = allocate(nets, allocation, vns, nads)
    assert errors == [] and (out[0]["vlan"], out[0]["subnet"]) == (2001, "10.200.1.0/24")


def test_a_network_that_only_has_a_nad_keeps_its_values_when_inside_the_ranges_and_free():
    nets, allocation = nets_of(fresh("a"))
    nad = {
        "name": "a",
        "namespace": "telco",
        "vlan": 2002,
        "ipam": {"type": "whereabouts", "range": "10.200.2.0/24"},
    }
    out, _errors = allocate(nets, allocation, [], [nad])
    assert (out[0]["vlan"], out[0]["subnet"]) == (2002, "10.200.2.0/24")
    outside = dict(nad, vlan=3500, ipam={"type": "whereabouts", "range": "10.9.0.0/24"})
    out, _errors = allocate(nets, allocation, [], [outside])
    assert (out[0]["vlan"], out[0]["subnet"]) == (2000, "10.200.0.0/24")
    taken = [{"label": "x", "vlan_id": 2002, "ipv4_subnet": "10.200.2.0/25"}]
    out, _errors = allocate(nets, allocation, taken, [nad])
    assert (out[0]["vlan"], out[0]["subnet"]) == (2000, "10.200.0.0/24")


def test_explicit_values_used_elsewhere_are_errors_naming_the_holder():
    nets, allocation = nets_of({"name": "a", "vlan": 100, "subnet": "10.1.0.0/24"})
    nads = [
        {
            "name": "y",
            "namespace": "n",
            "vlan": 100,
            "ipam": {"type": "whereabouts", "range": "10.1.0.0/16"},
        }
    ]
    vns = [
        {"label": "z", "vlan_id": 7, "ipv4_subnet": "10.1.0.128/25"},
        {
            "label": "w",
            "vlan_id": 100,
            "tags": ["managed-by:netops.cn2_apstra", "netops.cn2_apstra/owner:team-y"],
        },
    ]
    _out, errors = allocate(nets, allocation, vns, nads)
    assert errors == [
        "a.vlan: 100 is already used by Apstra virtual network w (owner team-y)",
        "a.subnet: 10.1.0.0/24 overlaps 10.1.0.128/25 of Apstra virtual network z (no owner's mark)",
        "a.subnet: 10.1.0.0/24 overlaps 10.1.0.0/16 of NetworkAttachmentDefinition n/y",
    ]


def test_a_kept_vn_value_taken_explicitly_by_another_network_is_an_error():
    """a's VN holds VLAN 2000 and 10.200.0.0/24; b (new) asks for the same explicitly: two networks must not end up with one
    VLAN and one subnet without an error."""
    nets, allocation = nets_of(fresh("a"), {"name": "b", "vlan": 2000, "subnet": "10.200.0.0/24"})
    _out, errors = allocate(
        nets, allocation, [{"label": "a", "vlan_id": 2000, "ipv4_subnet": "10.200.0.0/24"}], []
    )
    assert any("2000" in error and "network b" in error for error in errors), errors
    assert any("10.200.0.0/24" in error for error in errors), errors


@pytest.mark.parametrize(
    "nad, subnet",
    [
        ({"ipam": {"type": "whereabouts", "range": "10.1.0.5/24"}}, "10.1.0.0/24"),
        ({"ipam": {"type": "cn2"}, "cn2": {"subnet": "10.9.0.0/24"}}, "10.9.0.0/24"),
        ({"ipam": {"type": "whereabouts", "range": "nonsense"}}, None),
        ({}, None),
    ],
)
def test_nad_subnet(nad, subnet):
    assert nad_subnet(nad) == subnet


def test_pool_uses_ipset_arithmetic_for_the_lowest_free_block():
    pool = Pool()
    pool.take_subnet("10.200.0.0/25", "x")
    pool.take_subnet("10.200.2.0/23", "y")
    # 10.200.0.128/25 is free but too small for a /24; 10.200.1.0/24 is the lowest free /24
    assert pool.free_subnet("10.200.0.0/16", 24) == "10.200.1.0/24"
    assert pool.free_subnet("10.200.0.0/16", 25) == "10.200.0.128/25"
    pool.take_subnet("10.200.1.0/24", "z")
    assert pool.free_subnet("10.200.0.0/16", 22) == "10.200.4.0/22"
    assert pool.free_subnet("10.200.0.0/22", 24) is None
    assert pool.overlaps("10.200.0.0/23") == [(pool.subnets[0][0], "x"), (pool.subnets[2][0], "z")]


def test_pool_vlans_keep_their_first_holder():
    pool = Pool()
    pool.take_vlan("100", "first")
    pool.take_vlan(100, "second")
    assert (
        pool.vlan_owner(100) == "first"
        and pool.free_vlan(100, 101) == 101
        and pool.free_vlan(100, 100) is None
    )
