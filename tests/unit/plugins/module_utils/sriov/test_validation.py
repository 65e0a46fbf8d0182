# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Intent validation: every bad field reported at once, each message naming the field and what is allowed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import IntentError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.validation import (
    validate_allocation,
    validate_intent,
)

NET = {
    "name": "sriov-a",
    "namespace": "telco",
    "vlan": 100,
    "routing_zone": "telco",
    "subnet": "10.1.0.0/24",
    "resource_name": "intel.com/sriov_netdevice",
}


def errors_of(networks, allocation=None):
    with pytest.raises(IntentError) as info:
        validate_intent(networks, allocation)
    return info.value.errors


def test_a_valid_network_is_normalised_with_its_defaults():
    nets, allocation = validate_intent([NET])
    assert nets == [
        {
            "source": {"kind": "intent"},
            "name": "sriov-a",
            "namespace": "telco",
            "vlan": 100,
            "vni": None,
            "routing_zone": "telco",
            "subnet": "10.1.0.0/24",
            "ipv6_subnet": None,
            "resource_name": "intel.com/sriov_netdevice",
            "node_selector": {},
            "ipam": "whereabouts",
            "mtu": None,
            "labels": {},
            "routing_group": None,
            "tenant": None,
            "tags": [],
            "routes": [],
            "description": None,
            "fabric_only": False,
            "state": "present",
        }
    ]
    assert allocation == {"vlan_range": [2000, 2999], "supernet": None, "prefix_length": 24}
    assert validate_intent({"networks": [NET]})[0] == nets


@pytest.mark.parametrize(
    "field, value, message",
    [
        (
            "vlan",
            4095,
            'networks[0](sriov-a).vlan: 4095 is out of range; allowed 2-4094 or "allocate"',
        ),
        ("vlan", 1, "networks[0](sriov-a).vlan: 1 is out of range; allowed 2-4094"),
        (
            "vlan",
            "ten",
            "networks[0](sriov-a).vlan: 'ten' is not an integer; allowed 2-4094 or \"allocate\"",
        ),
        ("vlan", True, "networks[0](sriov-a).vlan: 'True' is not an integer"),
        ("vlan", None, 'networks[0](sriov-a).vlan is required: a VLAN 2-4094 or "allocate"'),
        ("vni", 12, "networks[0](sriov-a).vni: 12 is out of range; allowed 4096-16777214"),
        ("mtu", 100, "networks[0](sriov-a).mtu: 100 is out of range; allowed 1280-9216"),
        (
            "subnet",
            "10.1.0.5/24",
            "networks[0](sriov-a).subnet: 10.1.0.5/24 has host bits set; the network is 10.1.0.0/24",
        ),
        (
            "subnet",
            "10.1.0.0/30",
            "networks[0](sriov-a).subnet: prefix length /30 is out of range; allowed /8-/29",
        ),
        (
            "subnet",
            "fd00::/64",
            "networks[0](sriov-a).subnet: 'fd00::/64' is not an IPv4 CIDR such as 10.1.0.0/24 or \"allocate\"",
        ),
        (
            "subnet",
            None,
            'networks[0](sriov-a).subnet is required: an IPv4 CIDR (prefix /8-/29) or "allocate"',
        ),
        (
            "name",
            "Bad_Name",
            "networks[0](Bad_Name).name: 'Bad_Name' is not a valid name (1-30 characters",
        ),
        ("name", "a" * 31, "is not a valid name (1-30 characters"),
        ("namespace", "Telco", "networks[0](sriov-a).namespace: 'Telco' is not a valid namespace"),
        (
            "resource_name",
            "sriov",
            "networks[0](sriov-a).resource_name: 'sriov' is not a resource name of the form <domain>/<name>",
        ),
        (
            "ipam",
            "dhcp",
            "networks[0](sriov-a).ipam: 'dhcp' is not supported; allowed whereabouts, cn2, host-local",
        ),
        (
            "routing_zone",
            "default",
            "networks[0](sriov-a).routing_zone: 'default' is not a valid routing zone label (1-30 characters of [A-Za-z0-9_-], not 'default')",
        ),
        ("routing_zone", None, "networks[0](sriov-a).routing_zone is required"),
        (
            "labels",
            {"bad key!": "x"},
            "networks[0](sriov-a).labels: 'bad key!' is not a valid label key",
        ),
        (
            "labels",
            {"team": "a b"},
            "networks[0](sriov-a).labels.team: 'a b' is not a valid label value",
        ),
        (
            "labels",
            {model.OWNER_LABEL: "me"},
            "networks[0](sriov-a).labels: app.kubernetes.io/managed-by is set by the collection and cannot be given",
        ),
        (
            "tags",
            ["ok", "not ok"],
            "networks[0](sriov-a).tags[1]: 'not ok' is not a valid tag (1-64 characters, no spaces or commas)",
        ),
        (
            "routes",
            ["10.9.0.0/16", "nope"],
            "networks[0](sriov-a).routes[1]: 'nope' is not an IPv4 CIDR",
        ),
        ("routing_group", "G", "networks[0](sriov-a).routing_group: 'G' is not a valid name"),
        ("fabric_only", "yes", "networks[0](sriov-a).fabric_only: 'yes' is not a boolean"),
        (
            "state",
            "gone",
            "networks[0](sriov-a).state: 'gone' is not allowed; allowed present, absent",
        ),
        (
            "colour",
            "red",
            "networks[0](sriov-a): unknown field(s) colour; allowed name, namespace, vlan",
        ),
    ],
)
def test_each_bad_field_is_named_with_what_is_allowed(field, value, message):
    errors = errors_of([dict(NET, **{field: value})])
    assert any(message in error for error in errors), errors


def test_every_error_is_reported_at_once():
    assert (
        len(
            errors_of(
                [
                    dict(NET, vlan=1, vni=1, mtu=1),
                    dict(NET, name="b", vlan=2, subnet="10.2.0.0/24", resource_name="x"),
                ]
            )
        )
        == 4
    )


def test_names_vlans_vnis_are_unique_and_subnets_do_not_overlap():
    errors = errors_of(
        [
            dict(NET, vni=5000),
            dict(NET, name="sriov-b", subnet="10.1.0.128/25", vni=5000),
            dict(NET, name="sriov-a", vlan=7, subnet="10.7.0.0/24"),
        ]
    )
    assert "networks[1].vlan: VLAN 100 is already used by networks[0]" in errors
    assert "networks[1].vni: VNI 5000 is already used by networks[0]" in errors
    assert (
        "networks[2].name: name (it is also the Apstra VN label) sriov-a is already used by networks[0]"
        in errors
    )
    assert "networks[1].subnet: 10.1.0.128/25 overlaps networks[0].subnet 10.1.0.0/24" in errors


def test_allocate_is_never_a_duplicate_but_needs_a_supernet():
    nets, _alloc = validate_intent(
        [
            dict(NET, vlan="allocate", subnet="allocate"),
            dict(NET, name="b", vlan="allocate", subnet="allocate"),
        ],
        {"supernet": "10.200.0.0/16"},
    )
    assert [net["vlan"] for net in nets] == ["allocate", "allocate"]
    assert errors_of([dict(NET, subnet="allocate")]) == [
        'networks[0](sriov-a).subnet: "allocate" needs allocation.supernet'
    ]


def test_a_routing_group_lives_in_one_namespace_and_one_zone():
    other = dict(
        NET,
        name="b",
        vlan=101,
        subnet="10.2.0.0/24",
        namespace="other",
        routing_zone="red",
        routing_group="g",
    )
    errors = errors_of([dict(NET, routing_group="g"), other])
    assert (
        "networks[1].routing_group: group g spans namespaces other, telco; a routing group lives in one namespace"
        in errors
    )
    assert (
        "networks[1].routing_group: group g spans routing zones red, telco; the fabric only routes within one routing zone"
        in errors
    )


@pytest.mark.parametrize(
    "allocation, message",
    [
        ({"vlan_range": [3000, 2000]}, "allocation.vlan_range: 3000-2000 is empty (low > high)"),
        ({"vlan_range": [1, 5000]}, "allocation.vlan_range[0]: 1 is out of range; allowed 2-4094"),
        (
            {"vlan_range": [2000]},
            "allocation.vlan_range: [2000] must be two VLANs [low, high] (or 'low-high'), allowed 2-4094",
        ),
        (
            {"supernet": "10.0.0.0/8", "prefix_length": 30},
            "allocation.prefix_length: 30 is out of range; allowed 8-29",
        ),
        (
            {"supernet": "10.200.0.0/16", "prefix_length": 12},
            "allocation.prefix_length: /12 is shorter than the supernet 10.200.0.0/16",
        ),
        (
            {"pool": "x"},
            "allocation: unknown field(s) pool; allowed prefix_length, supernet, vlan_range",
        ),
    ],
)
def test_allocation_settings_name_the_field(allocation, message):
    with pytest.raises(IntentError) as info:
        validate_allocation(allocation)
    assert message in info.value.errors


def test_allocation_vlan_range_as_text():
    assert validate_allocation({"vlan_range": "2100-2199"})["vlan_range"] == [2100, 2199]


def test_the_intent_must_be_a_list():
    assert errors_of({"name": "x"}) == ["networks: the intent must be a list of networks"]
    assert errors_of(["x"]) == [
        "networks[0]: must be a mapping with at least name, routing_zone and resource_name"
    ]


def test_a_network_s_tenant_is_a_tenant_name_and_the_error_says_what_is_allowed():
    assert errors_of([dict(NET, tenant="t" * 27)]) == [
        "networks[0](sriov-a).tenant: '%s' is not a valid tenant name (1-26 characters of lower-case letters, "
        "digits and '-', starting and ending with a letter or digit)" % ("t" * 27)
    ]
    assert validate_intent([dict(NET, tenant="t" * 26)])[0][0]["tenant"] == "t" * 26
