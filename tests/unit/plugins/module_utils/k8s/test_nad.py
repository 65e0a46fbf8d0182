# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import nad

OWNER = "app.kubernetes.io/managed-by"


def item(**kwargs):
    base = {
        "name": "sriov-a",
        "namespace": "telco",
        "resource_name": "intel.com/sriov_netdevice",
        "vlan": 100,
    }
    base.update(kwargs)
    return base


def test_build_and_parse_round_trip_whereabouts():
    want = item(
        vlan_qos=3,
        spoofchk=False,
        trust=True,
        mtu=9000,
        labels={"a": "b"},
        ipam={
            "type": "whereabouts",
            "range": "10.1.0.0/24",
            "gateway": "10.1.0.1",
            "exclude": ["10.1.0.0/28"],
            "routes": [{"dst": "10.2.0.0/16", "gw": "10.1.0.1"}],
        },
    )
    obj = nad.to_object(want, {"a": "b", OWNER: "netops.cn2_apstra"})
    config = json.loads(obj["spec"]["config"])
    assert config == {
        "cniVersion": "1.0.0",
        "name": "sriov-a",
        "type": "sriov",
        "vlan": 100,
        "vlanQoS": 3,
        "spoofchk": "off",
        "trust": "on",
        "mtu": 9000,
        "ipam": {
            "type": "whereabouts",
            "range": "10.1.0.0/24",
            "gateway": "10.1.0.1",
            "exclude": ["10.1.0.0/28"],
            "routes": [{"dst": "10.2.0.0/16", "gw": "10.1.0.1"}],
        },
    }
    assert obj["metadata"]["annotations"] == {nad.RESOURCE_ANNOTATION: "intel.com/sriov_netdevice"}
    assert nad.from_object(obj) == dict(want, owner="intent")


def test_host_local_and_static_keys():
    host_local = nad.build_config(
        item(ipam={"type": "host-local", "range": "10.1.0.0/24", "range_start": "10.1.0.10"})
    )
    assert host_local["ipam"] == {
        "type": "host-local",
        "subnet": "10.1.0.0/24",
        "rangeStart": "10.1.0.10",
    }
    parsed, extra = nad.parse_config(json.dumps(host_local))
    assert parsed["ipam"] == {
        "type": "host-local",
        "range": "10.1.0.0/24",
        "range_start": "10.1.0.10",
    }
    assert extra == {"cniVersion": "1.0.0"}
    static = nad.build_config(
        item(
            ipam={
                "type": "static",
                "addresses": [{"address": "10.1.0.5/24", "gateway": "10.1.0.1"}],
            }
        )
    )
    assert static["ipam"] == {
        "type": "static",
        "addresses": [{"address": "10.1.0.5/24", "gateway": "10.1.0.1"}],
    }


def test_cn2_annotation_and_type():
    want = item(
        ipam={"type": "cn2"},
        cn2={"subnet": "10.9.0.0/24", "route_targets": ["target:64512:9"], "fabric_snat": False},
    )
    obj = nad.to_object(want, {})
    assert json.loads(obj["spec"]["config"])["type"] == "contrail-k8s-cni"
    assert "ipam" not in json.loads(obj["spec"]["config"])
    assert json.loads(obj["metadata"]["annotations"][nad.CN2_ANNOTATION]) == {
        "ipamV4Subnet": "10.9.0.0/24",
        "routeTargetList": ["target:64512:9"],
        "fabricSNAT": False,
    }
    assert nad.from_object(obj) == nad.compact(want)


def test_parse_keeps_unknown_keys_and_survives_bad_json():
    fields, extra = nad.parse_config(
        '{"type": "sriov", "name": "x", "vlan": 5, "logLevel": "debug", "cniVersion": "0.3.1"}'
    )
    assert fields == {"vlan": 5}
    assert extra == {"logLevel": "debug", "cniVersion": "0.3.1"}
    assert nad.build_config(item(vlan=5), extra)["cniVersion"] == "0.3.1"
    assert nad.parse_config("{not json")[0] == {"invalid_config": "{not json"}


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"vlan": 4095}, "config[0].vlan: 4095 is out of range; allowed 0-4094"),
        ({"vlan": -1}, "config[0].vlan: -1 is out of range; allowed 0-4094"),
        ({"vlan_qos": 8}, "config[0].vlan_qos: 8 is out of range; allowed 0-7"),
        ({"mtu": 10000}, "config[0].mtu: 10000 is out of range; allowed 68-9216"),
        ({"name": "Bad_Name"}, "config[0].name: 'Bad_Name' is not a valid name"),
        ({"name": "a" * 64}, "is not a valid name"),
        ({"resource_name": "sriov"}, "config[0].resource_name: 'sriov' is not a resource name"),
        (
            {"ipam": {"type": "whereabouts"}},
            "config[0].ipam.range is required for IPAM type whereabouts",
        ),
        (
            {"ipam": {"type": "whereabouts", "range": "10.1.0.0/33"}},
            "config[0].ipam.range: '10.1.0.0/33' is not an IP network",
        ),
        (
            {"ipam": {"type": "whereabouts", "range": "10.1.0.0/24", "gateway": "10.2.0.1"}},
            "config[0].ipam.gateway: 10.2.0.1 is outside range",
        ),
        (
            {"ipam": {"type": "whereabouts", "range": "10.1.0.0/24", "exclude": ["10.3.0.0/28"]}},
            "config[0].ipam.exclude[0]: 10.3.0.0/28 is outside",
        ),
        (
            {
                "ipam": {
                    "type": "whereabouts",
                    "range": "10.1.0.0/24",
                    "routes": [{"dst": "nowhere"}],
                }
            },
            "config[0].ipam.routes[0].dst",
        ),
        ({"ipam": {"type": "static"}}, "config[0].ipam.addresses is required for IPAM type static"),
        (
            {"ipam": {"type": "static", "addresses": [{"address": "10.1.0.5"}]}},
            "needs a prefix length",
        ),
        (
            {
                "ipam": {
                    "type": "static",
                    "addresses": [{"address": "10.1.0.5/24"}],
                    "range": "10.1.0.0/24",
                }
            },
            "range not valid for IPAM type static",
        ),
        ({"ipam": {"type": "cn2"}}, "IPAM type cn2 needs cn2.subnet"),
        ({"ipam": {"type": "dhcp"}}, "config[0].ipam.type: 'dhcp' is not supported"),
        (
            {"cn2": {"subnet": "10.0.0.0/24", "route_targets": ["64512"]}},
            "config[0].cn2.route_targets[0]",
        ),
    ],
)
def test_validation_names_the_field(bad, message):
    with pytest.raises(nad.ValidationError) as exc:
        nad.validate(item(**bad), "config[0]")
    assert message in str(exc.value)


def test_validation_resource_name_only_required_to_create():
    with pytest.raises(nad.ValidationError, match="resource_name is required"):
        nad.validate({"name": "a", "vlan": 1}, "config[0]", creating=True)
    assert nad.validate({"name": "a", "vlan": 1}, "config[0]", creating=False) == []


def test_host_local_warns():
    warnings = nad.validate(item(ipam={"type": "host-local", "range": "10.1.0.0/24"}), "config[2]")
    assert len(warnings) == 1 and "config[2].ipam" in warnings[0] and "same IPs" in warnings[0]


def test_only_this_collections_annotations_can_be_given():
    expected = r"config\[0\]\.annotations: 'team/x' is not one of this collection's annotations \(cn2-apstra.netops.io/\*\)"
    with pytest.raises(nad.ValidationError, match=expected):
        nad.validate(item(annotations={"team/x": "1"}), "config[0]")
    obj = nad.to_object(item(annotations={"cn2-apstra.netops.io/released": "{}"}), {})
    assert nad.from_object(obj)["annotations"] == {"cn2-apstra.netops.io/released": "{}"}


def test_compact_drops_empty_values_recursively():
    assert nad.compact(
        {"a": None, "b": {}, "c": [], "d": {"e": None, "f": 1}, "g": [{"h": None}]}
    ) == {"d": {"f": 1}, "g": [{}]}
