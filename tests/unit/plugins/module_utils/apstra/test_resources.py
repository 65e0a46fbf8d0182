# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Apstra backends of the engine with the fake client: requests planned, ids resolved, placeholders, re-read-and-go-on."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    PortBindings,
    RoutingZones,
    VirtualNetworks,
    new_template,
    placeholder,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    BINDINGS_QUERY,
    FABRIC_QUERY,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import (
    ValidationError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import ApplyFailed, Engine

OWNER = "managed-by:netops.cn2_apstra"
BASE = "/api/blueprints/bp-1"
SZ = BASE + "/security-zones"
VN_BATCH, VN_PATCH, VN_DELETE = (
    BASE + "/virtual-networks-batch",
    BASE + "/virtual-networks-batch-patch",
    BASE + "/delete-virtual-networks",
)
IMPORT, APPLY, CT_DELETE = (
    BASE + "/obj-policy-import",
    BASE + "/obj-policy-batch-apply",
    BASE + "/obj-policy-batch-delete",
)


def run(resource_class, ctx, state, config, check_mode=False):
    return Engine(resource_class(ctx), state, config, check_mode=check_mode).run()


def telco(apstra, **kwargs):
    return apstra.zone("sz-telco", "telco", vni=20001, import_rts=["65000:1"], **kwargs)


def vn_a(apstra, **kwargs):
    fields = dict(
        bound=["id-leaf1", "id-leaf3-leaf4"], subnet="10.1.0.0/24", gateway="10.1.0.1", vni=10100
    )
    fields.update(kwargs)
    return apstra.vn("vn-a", "sriov-a", **fields)


def facts_of(apstra, client):
    """What an apstra_blueprint_info task hands over (through JSON, as Ansible does)."""
    ctx = apstra.context(client)
    facts = {
        "fabric": ctx.fabric.facts(),
        "routing_zones": ctx.zones(),
        "virtual_networks": ctx.vns(),
        "templates": ctx.templates(),
    }
    return json.loads(json.dumps(facts))


# -- FabricContext -------------------------------------------------------------------------------------------------


def test_the_context_reads_each_thing_once(apstra):
    client = apstra.blueprint(zones=[telco(apstra)], vns=[vn_a(apstra)])
    ctx = apstra.context(client)
    for _repeat in range(2):
        ctx.zones()
        ctx.vns()
        ctx.templates()
        assert ctx.fabric.leafs["leaf1"] == "id-leaf1"
    assert sorted(client.paths()) == sorted(
        [
            ("GET", SZ),
            ("GET", BASE + "/virtual-networks"),
            ("POST", BASE + "/qe"),
            ("POST", BASE + "/qe"),
        ]
    )
    assert sorted(query for query, _type in client.queried()) == sorted(
        [FABRIC_QUERY, BINDINGS_QUERY]
    )


def test_read_all_sends_the_four_reads_at_once_and_reads_as_one_by_one(apstra):
    def lab():
        return apstra.blueprint(
            zones=[telco(apstra)],
            vns=[vn_a(apstra)],
            bindings=[apstra.binding_row("ct-a", "vn-a", "leaf1:xe-0/0/1")],
        )

    client = lab()
    barrier = threading.Barrier(4, timeout=60)  # reads sent one after the other break it
    request = client.request

    def in_flight_together(method, path, body=None, params=None):
        barrier.wait()
        return request(method, path, body=body, params=params)

    client.request = in_flight_together
    ctx = apstra.context(client)
    ctx.read_all()
    client.request = request
    assert len(client.calls) == 4
    ctx.read_all()
    assert len(client.calls) == 4, "what is known is not read again"
    one_by_one = apstra.context(lab())
    assert ctx.fabric.facts() == one_by_one.fabric.facts()
    assert (ctx.zones(), ctx.vns(), ctx.templates()) == (
        one_by_one.zones(),
        one_by_one.vns(),
        one_by_one.templates(),
    )
    assert ctx.templates() and ctx.vns()[0]["routing_zone"] == "telco"


def test_a_context_seeded_from_facts_plans_without_any_call(apstra):
    facts = facts_of(
        apstra,
        apstra.blueprint(
            zones=[telco(apstra)],
            vns=[vn_a(apstra)],
            bindings=[apstra.binding_row("ct-a", "vn-a", "leaf1:xe-0/0/1")],
        ),
    )
    client = apstra.client()
    ctx = apstra.context(client, check_mode=True, facts=facts)
    zones = run(
        RoutingZones,
        ctx,
        "merged",
        [{"label": "telco", "import_rts": ["65000:2"]}],
        check_mode=True,
    )
    vns = run(
        VirtualNetworks,
        ctx,
        "merged",
        [{"label": "sriov-a", "bindings": ["leaf2"]}],
        check_mode=True,
    )
    bindings = run(
        PortBindings,
        ctx,
        "merged",
        [{"virtual_network": "sriov-a", "servers": ["worker-02"]}],
        check_mode=True,
    )
    assert client.calls == []
    assert zones["plan"][0]["path"] == SZ + "/sz-telco"
    assert vns["plan"][0]["body"]["virtual_networks"][0]["bound_to"] == [
        {"system_id": "id-leaf1", "vlan_id": 100},
        {"system_id": "id-leaf2", "vlan_id": 100},
        {"system_id": "id-leaf3-leaf4", "vlan_id": 100},
    ]
    assert bindings["plan"] == [
        {
            "method": "PATCH",
            "path": APPLY,
            "body": {
                "application_points": [
                    {"id": "if-leaf2-xe-0/0/2", "policies": [{"policy": "ct-a", "used": True}]}
                ]
            },
        }
    ]


def test_an_unknown_name_fails_a_real_run_and_is_planned_with_a_placeholder_in_check_mode(apstra):
    error = ValidationError("x: unknown routing zone 'red'")
    real = apstra.context(apstra.client())
    with pytest.raises(ValidationError):
        real.plan_missing(error, "routing zone", "red")
    check = apstra.context(apstra.blueprint(), check_mode=True)
    assert (
        check.plan_missing(error, "routing zone", "red")
        == "<routing zone red (planned)>"
        == placeholder("routing zone", "red")
    )
    check.plan_missing(error, "routing zone", "red")
    assert (
        len(check.notes) == 1
        and "check mode: x: unknown routing zone 'red'; planned with the placeholder id <routing zone red (planned)>"
        in check.notes[0]
    )
    assert check.zone_id("red") == "<routing zone red (planned)>"


# -- routing zones -------------------------------------------------------------------------------------------------


def test_zone_create_body(apstra):
    client = apstra.blueprint()
    result = run(
        RoutingZones,
        apstra.context(client),
        "merged",
        [{"label": "red", "vni": 20002, "export_rts": ["65000:9"]}],
        check_mode=True,
    )
    assert result["plan"] == [
        {
            "method": "POST",
            "path": SZ,
            "body": {
                "label": "red",
                "vrf_name": "red",
                "vni_id": 20002,
                "tags": [OWNER],
                "rt_policy": {"import_RTs": [], "export_RTs": ["65000:9"]},
                "sz_type": "evpn",
            },
        }
    ]
    assert client.writes() == []


def test_zone_merged_unions_route_targets_and_tags_and_patches_only_them(apstra):
    ctx = apstra.context(apstra.blueprint(zones=[telco(apstra)]))
    result = run(
        RoutingZones,
        ctx,
        "merged",
        [{"label": "telco", "import_rts": ["65000:2"], "tags": ["team-a"]}],
        check_mode=True,
    )
    assert result["plan"] == [
        {
            "method": "PATCH",
            "path": SZ + "/sz-telco",
            "body": {
                "rt_policy": {"import_RTs": ["65000:1", "65000:2"], "export_RTs": []},
                "tags": [OWNER, "team-a"],
            },
        }
    ]


def test_zone_unchanged_is_no_request(apstra):
    client = apstra.blueprint(zones=[telco(apstra)])
    result = run(
        RoutingZones,
        apstra.context(client),
        "merged",
        [{"label": "telco", "vni": 20001, "import_rts": ["65000:1"]}],
    )
    assert result["changed"] is False and result["plan"] == [] and client.writes() == []


def test_zone_replaced_resets_route_targets_and_keeps_the_assigned_vni(apstra):
    ctx = apstra.context(apstra.blueprint(zones=[telco(apstra)]))
    result = run(RoutingZones, ctx, "replaced", [{"label": "telco"}], check_mode=True)
    assert result["plan"] == [
        {
            "method": "PATCH",
            "path": SZ + "/sz-telco",
            "body": {"rt_policy": {"import_RTs": [], "export_RTs": []}},
        }
    ]
    assert result["after"][1]["vni"] == 20001


def test_zone_overridden_deletes_owned_zones_first_never_default_or_foreign(apstra):
    foreign = apstra.zone("sz-f", "foreign", tags=[])
    ctx = apstra.context(apstra.blueprint(zones=[telco(apstra), foreign]))
    result = run(RoutingZones, ctx, "overridden", [{"label": "red"}], check_mode=True)
    assert [(p["method"], p["path"]) for p in result["plan"]] == [
        ("DELETE", SZ + "/sz-telco"),
        ("POST", SZ),
    ]


def test_zone_deleted_by_name(apstra):
    ctx = apstra.context(apstra.blueprint(zones=[telco(apstra)]))
    result = run(
        RoutingZones,
        ctx,
        "deleted",
        [{"label": "telco"}, {"label": "default"}, {"label": "absent"}],
        check_mode=True,
    )
    assert result["plan"] == [{"method": "DELETE", "path": SZ + "/sz-telco", "body": None}]


@pytest.mark.parametrize(
    "item, message",
    [
        ({"label": "red", "vni": 12}, "config[0].vni=12 is out of range: allowed 4096-16777214"),
        (
            {"label": "red", "vlan_id": 4095},
            "config[0].vlan_id=4095 is out of range: allowed 2-4094",
        ),
        (
            {"label": "bad label"},
            "config[0].label='bad label' is not a valid label: allowed 1-30 characters of [A-Za-z0-9_-]",
        ),
    ],
)
def test_zone_validation_names_the_field_and_range_before_any_call(apstra, item, message):
    client = apstra.client()
    with pytest.raises(ValidationError) as info:
        run(RoutingZones, apstra.context(client), "merged", [item])
    assert str(info.value) == message and client.calls == []


def test_zone_rendered_needs_no_connection(apstra):
    result = Engine(RoutingZones(apstra.context(None)), "rendered", [{"label": "red"}]).run()
    assert (
        result["rendered"][0]["path"] == SZ and result["rendered"][0]["body"]["vrf_name"] == "red"
    )


def test_zone_created_meanwhile_by_another_run_is_not_this_runs_change(apstra):
    made_by_other = telco(apstra)
    client = apstra.blueprint(
        routes={
            ("POST", SZ): apstra.error(422, {"errors": {"label": "already exists"}}, "POST", SZ)
        }
    )
    client.routes[("GET", SZ)] = apstra.Seq({"items": {}}, {"items": {"sz-telco": made_by_other}})
    result = run(RoutingZones, apstra.context(client), "merged", [{"label": "telco"}])
    assert result["changed"] is False and result["concurrent"] == [True]
    assert [p for p in client.paths() if p[1] == SZ] == [("GET", SZ), ("POST", SZ), ("GET", SZ)]
    # attributed to the other run: there before this run's write, and no diff of this run's
    assert "telco" in [zone["label"] for zone in result["before"]] and result["diff"] == []


def test_zone_create_whose_answer_was_lost_is_found_and_is_this_runs_change(apstra):
    client = apstra.blueprint(routes={("POST", SZ): apstra.lost("POST", SZ)})
    client.routes[("GET", SZ)] = apstra.Seq({"items": {}}, {"items": {"sz-telco": telco(apstra)}})
    result = run(RoutingZones, apstra.context(client), "merged", [{"label": "telco"}])
    assert result["changed"] is True and "concurrent" not in result


def test_zone_create_lost_and_not_there_fails_with_applied_and_not_applied(apstra):
    client = apstra.blueprint(routes={("POST", SZ): apstra.lost("POST", SZ)})
    with pytest.raises(ApplyFailed) as info:
        run(RoutingZones, apstra.context(client), "merged", [{"label": "red"}, {"label": "blue"}])
    assert info.value.applied == [] and [r["body"]["label"] for r in info.value.not_applied] == [
        "red",
        "blue",
    ]


def test_zone_delete_of_a_zone_already_gone_goes_on(apstra):
    path = SZ + "/sz-telco"
    client = apstra.blueprint(
        zones=[telco(apstra)], routes={("DELETE", path): apstra.error(404, None, "DELETE", path)}
    )
    result = run(RoutingZones, apstra.context(client), "deleted", [{"label": "telco"}])
    assert result["plan"][0]["method"] == "DELETE" and result["after"] == [
        apstra.context(apstra.blueprint()).zones()[0]
    ]


# -- virtual networks ----------------------------------------------------------------------------------------------


def test_vn_create_is_one_batch_with_ids_resolved_from_names(apstra):
    client = apstra.blueprint(
        zones=[telco(apstra)],
        routes={("POST", VN_BATCH): {"virtual_networks": [{"id": "n1"}, {"id": "n2"}]}},
    )
    config = [
        {
            "label": "sriov-b",
            "vlan_id": 101,
            "routing_zone": "telco",
            "bindings": ["leaf1", "leaf3-leaf4"],
            "ipv4_subnet": "10.2.0.0/24",
            "ipv4_gateway": "10.2.0.1",
            "vni": 10101,
            "mtu": 9000,
        },
        {"label": "sriov-c", "vlan_id": 102, "bindings": ["leaf2"]},
    ]
    result = run(VirtualNetworks, apstra.context(client), "merged", config)
    assert [w["path"] for w in client.writes()] == [VN_BATCH]
    first, second = client.writes()[0]["body"]["virtual_networks"]
    assert first == {
        "label": "sriov-b",
        "vn_type": "vxlan",
        "vn_id": "10101",
        "security_zone_id": "sz-telco",
        "bound_to": [
            {"system_id": "id-leaf1", "vlan_id": 101},
            {"system_id": "id-leaf3-leaf4", "vlan_id": 101},
        ],
        "reserved_vlan_id": 101,
        "ipv4_enabled": True,
        "ipv4_subnet": "10.2.0.0/24",
        "virtual_gateway_ipv4": "10.2.0.1",
        "virtual_gateway_ipv4_enabled": True,
        "dhcp_service": "dhcpServiceDisabled",
        "l3_mtu": 9000,
        "tags": [OWNER],
        "description": "",
    }
    # no zone given: the default routing zone; no VNI: Apstra assigns it
    assert second["security_zone_id"] == "sz-default" and "vn_id" not in second
    assert result["changed"] is True and [vn["routing_zone"] for vn in result["after"]] == [
        "telco",
        "default",
    ]


def test_vn_zone_given_by_its_vrf_name(apstra):
    zone = apstra.zone("sz-telco", "telco", vrf_name="telco_vrf")
    ctx = apstra.context(apstra.blueprint(zones=[zone]))
    result = run(
        VirtualNetworks,
        ctx,
        "merged",
        [{"label": "x", "vlan_id": 5, "routing_zone": "telco_vrf"}],
        check_mode=True,
    )
    assert result["plan"][0]["body"]["virtual_networks"][0]["security_zone_id"] == "sz-telco"


def test_vn_existing_and_identical_is_no_request_in_merged_and_replaced(apstra):
    config = [
        {
            "label": "sriov-a",
            "vni": 10100,
            "vlan_id": 100,
            "routing_zone": "telco",
            "bindings": ["leaf3-leaf4", "leaf1"],
            "ipv4_subnet": "10.1.0.0/24",
            "ipv4_gateway": "10.1.0.1",
        }
    ]
    for state in ("merged", "replaced"):
        result = run(
            VirtualNetworks,
            apstra.context(apstra.blueprint(zones=[telco(apstra)], vns=[vn_a(apstra)])),
            state,
            config,
        )
        assert result["changed"] is False and result["plan"] == [], state


def test_vn_update_is_one_patch_of_the_changed_api_fields(apstra):
    ctx = apstra.context(apstra.blueprint(zones=[telco(apstra)], vns=[vn_a(apstra)]))
    result = run(
        VirtualNetworks,
        ctx,
        "merged",
        [{"label": "sriov-a", "dhcp": True, "mtu": 9000}],
        check_mode=True,
    )
    assert result["plan"] == [
        {
            "method": "PATCH",
            "path": VN_PATCH,
            "body": {
                "virtual_networks": [
                    {
                        "dhcp_service": "dhcpServiceEnabled",
                        "l3_mtu": 9000,
                        "virtual_network_id": "vn-a",
                    }
                ]
            },
        }
    ]


def test_vn_merged_unions_bindings_and_tags_replaced_sets_them(apstra):
    config = [{"label": "sriov-a", "bindings": ["leaf2"], "tags": ["team-a"]}]
    merged = run(
        VirtualNetworks,
        apstra.context(apstra.blueprint(zones=[telco(apstra)], vns=[vn_a(apstra)])),
        "merged",
        config,
        check_mode=True,
    )
    assert merged["after"][0]["bindings"] == ["leaf1", "leaf2", "leaf3-leaf4"] and merged["after"][
        0
    ]["tags"] == [OWNER, "team-a"]
    replaced = run(
        VirtualNetworks,
        apstra.context(apstra.blueprint(zones=[telco(apstra)], vns=[vn_a(apstra)])),
        "replaced",
        config,
        check_mode=True,
    )
    assert replaced["after"][0]["bindings"] == ["leaf2"] and replaced["after"][0]["tags"] == [
        OWNER,
        "team-a",
    ]
    assert replaced["plan"][0]["body"]["virtual_networks"][0]["bound_to"] == [
        {"system_id": "id-leaf2", "vlan_id": 100}
    ]


def test_vn_overridden_deletes_owned_networks_in_one_call(apstra):
    vns = [vn_a(apstra), apstra.vn("vn-o", "other"), apstra.vn("vn-f", "foreign", tags=[])]
    ctx = apstra.context(apstra.blueprint(zones=[telco(apstra)], vns=vns))
    same_a = {
        "label": "sriov-a",
        "vni": 10100,
        "vlan_id": 100,
        "routing_zone": "telco",
        "bindings": ["leaf1", "leaf3-leaf4"],
        "ipv4_subnet": "10.1.0.0/24",
        "ipv4_gateway": "10.1.0.1",
    }
    result = run(VirtualNetworks, ctx, "overridden", [same_a], check_mode=True)
    assert result["plan"] == [
        {"method": "POST", "path": VN_DELETE, "body": {"virtual_network_ids": ["vn-o"]}}
    ]


def test_vn_missing_zone_gets_a_placeholder_in_check_mode_and_fails_a_real_run(apstra):
    config = [
        {"label": "x", "vlan_id": 5, "routing_zone": "red"},
        {"label": "y", "vlan_id": 6, "routing_zone": "red"},
    ]
    ctx = apstra.context(apstra.blueprint(), check_mode=True)
    result = run(VirtualNetworks, ctx, "merged", config, check_mode=True)
    assert [vn["security_zone_id"] for vn in result["plan"][0]["body"]["virtual_networks"]] == [
        "<routing zone red (planned)>"
    ] * 2
    assert len(ctx.notes) == 1
    client = apstra.blueprint()
    with pytest.raises(
        ValidationError, match=r"config\[label=x\]\.routing_zone: unknown routing zone 'red'"
    ):
        run(VirtualNetworks, apstra.context(client), "merged", config)
    assert client.writes() == []


@pytest.mark.parametrize(
    "item, message",
    [
        ({"vlan_id": 1}, "config[0].vlan_id=1 is out of range: allowed 2-4094"),
        ({"vni": 4095}, "config[0].vni=4095 is out of range: allowed 4096-16777214"),
        ({"mtu": 100}, "config[0].mtu=100 is out of range: allowed 1280-9216"),
        (
            {"ipv4_subnet": "10.0.0.1/24"},
            "config[0].ipv4_subnet=10.0.0.1/24 has host bits set: the network is 10.0.0.0/24",
        ),
        (
            {"ipv4_subnet": "10.0.0.0/24", "ipv4_gateway": "10.9.0.1"},
            "config[0].ipv4_gateway=10.9.0.1 is not a host address inside config[0].ipv4_subnet",
        ),
        (
            {"ipv4_gateway": "10.9.0.1"},
            "config[0].ipv4_gateway=10.9.0.1 needs config[0].ipv4_subnet",
        ),
        (
            {"vn_type": "vlan", "bindings": ["leaf1", "leaf2"]},
            "config[0].bindings: a vn_type=vlan network is bound to at most one leaf or ESI pair",
        ),
    ],
)
def test_vn_validation_names_the_field_and_range_before_any_call(apstra, item, message):
    client = apstra.client()
    with pytest.raises(ValidationError) as info:
        run(VirtualNetworks, apstra.context(client), "merged", [dict({"label": "x"}, **item)])
    assert message in str(info.value) and client.calls == []


def test_vn_unknown_binding_lists_near_names(apstra):
    with pytest.raises(
        ValidationError,
        match=r"config\[label=x\]\.bindings: unknown leaf or ESI pair 'lef1'; did you mean: leaf1",
    ):
        run(
            VirtualNetworks,
            apstra.context(apstra.blueprint()),
            "merged",
            [{"label": "x", "bindings": ["lef1"]}],
        )


def test_vn_batch_meeting_networks_created_meanwhile_sends_only_the_rest(apstra):
    other = apstra.vn("vn-x", "x", zone_id="sz-default", bound=[])
    exists = apstra.error(
        422, {"errors": {"virtual_networks": {"0": {"label": "not unique"}}}}, "POST", VN_BATCH
    )
    client = apstra.blueprint(
        routes={("POST", VN_BATCH): apstra.Seq(exists, {"virtual_networks": [{"id": "vn-y"}]})}
    )
    client.routes[("GET", BASE + "/virtual-networks")] = apstra.Seq(
        {"virtual_networks": {}}, {"virtual_networks": {"vn-x": other}}
    )
    result = run(
        VirtualNetworks, apstra.context(client), "merged", [{"label": "x"}, {"label": "y"}]
    )
    first, second = [w["body"]["virtual_networks"] for w in client.writes()]
    assert [vn["label"] for vn in first] == ["x", "y"] and [vn["label"] for vn in second] == ["y"]
    assert result["changed"] is True and result["concurrent"] == [["x"]]
    assert [vn["label"] for vn in result["before"]] == ["x"]
    assert [d["after_header"] for d in result["diff"]] == ["virtual_network y"]


def test_vn_batch_all_created_meanwhile_is_not_this_runs_change(apstra):
    other = apstra.vn("vn-x", "x", zone_id="sz-default", bound=[])
    exists = apstra.error(422, {"errors": "label already exists"}, "POST", VN_BATCH)
    client = apstra.blueprint(routes={("POST", VN_BATCH): exists})
    client.routes[("GET", BASE + "/virtual-networks")] = apstra.Seq(
        {"virtual_networks": {}}, {"virtual_networks": {"vn-x": other}}
    )
    result = run(VirtualNetworks, apstra.context(client), "merged", [{"label": "x"}])
    assert (
        result["changed"] is False and result["concurrent"] == [True] and len(client.writes()) == 1
    )


def test_vn_batch_refused_for_another_reason_fails(apstra):
    refused = apstra.error(422, {"errors": {"vn_id": "VNI 10100 is in use"}}, "POST", VN_BATCH)
    client = apstra.blueprint(routes={("POST", VN_BATCH): refused})
    with pytest.raises(ApplyFailed) as info:
        run(VirtualNetworks, apstra.context(client), "merged", [{"label": "x", "vni": 10100}])
    assert info.value.error is refused and len(client.writes()) == 1


def test_vn_batch_whose_answer_was_lost_is_not_sent_again(apstra):
    created = apstra.vn("vn-x", "x", zone_id="sz-default", bound=[])
    client = apstra.blueprint(routes={("POST", VN_BATCH): apstra.lost("POST", VN_BATCH)})
    client.routes[("GET", BASE + "/virtual-networks")] = apstra.Seq(
        {"virtual_networks": {}}, {"virtual_networks": {"vn-x": created}}
    )
    result = run(VirtualNetworks, apstra.context(client), "merged", [{"label": "x"}])
    assert len(client.writes()) == 1 and result["changed"] is True and "concurrent" not in result


def test_vn_batch_lost_before_it_was_applied_is_sent_again(apstra):
    client = apstra.blueprint(
        routes={
            ("POST", VN_BATCH): apstra.Seq(
                apstra.lost("POST", VN_BATCH), {"virtual_networks": [{"id": "vn-x"}]}
            )
        }
    )
    result = run(VirtualNetworks, apstra.context(client), "merged", [{"label": "x"}])
    first, second = [w["body"]["virtual_networks"] for w in client.writes()]
    assert first == second and result["changed"] is True and "concurrent" not in result


def test_vn_delete_whose_answer_was_lost_goes_on_when_they_are_gone(apstra):
    client = apstra.blueprint(
        zones=[telco(apstra)], routes={("POST", VN_DELETE): apstra.lost("POST", VN_DELETE)}
    )
    client.routes[("GET", BASE + "/virtual-networks")] = apstra.Seq(
        {"virtual_networks": {"vn-a": vn_a(apstra)}}, {"virtual_networks": {}}
    )
    result = run(VirtualNetworks, apstra.context(client), "deleted", [{"label": "sriov-a"}])
    assert result["changed"] is True and result["after"] == [] and len(client.writes()) == 1


# -- port bindings -------------------------------------------------------------------------------------------------


def bindings_blueprint(apstra, rows=(), **kwargs):
    vns = [vn_a(apstra), apstra.vn("vn-b", "sriov-b", vlan=101)]
    return apstra.blueprint(zones=[telco(apstra)], vns=vns, bindings=rows, **kwargs)


A_ROWS = ("leaf1:xe-0/0/1", "leaf3-leaf4:ae5")


def a_rows(apstra, ports=A_ROWS, tags=(OWNER,)):
    return [apstra.binding_row("ct-a", "vn-a", port, tags=tags) for port in ports]


def test_bindings_read_as_port_names(apstra):
    rows = a_rows(apstra) + [apstra.binding_row("ct-u", "vn-b", tag_type="untagged")]
    assert PortBindings(apstra.context(bindings_blueprint(apstra, rows))).read() == [
        {
            "virtual_network": "sriov-a",
            "tagged": True,
            "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"],
        }
    ]


def plan_new_binding(apstra, ctx):
    """The check-mode run binding sriov-b (tagged) to worker-05 and worker-01, and the template it brings: (result, the
    template's root id, its policies)."""
    result = run(
        PortBindings,
        ctx,
        "merged",
        [{"virtual_network": "sriov-b", "servers": ["worker-05", "worker-01"]}],
        check_mode=True,
    )
    record = apstra.record("if-leaf1-xe-0/0/1", "esi-leaf3-leaf4-ae5")
    root, policies = new_template("bp-1", "vn-b", "sriov-b", "vlan_tagged", [OWNER], record)
    return result, root, policies


def test_new_binding_imports_a_template_and_applies_it_in_one_batch(apstra):
    result, root, policies = plan_new_binding(apstra, apstra.context(bindings_blueprint(apstra)))
    assert policies[0]["description"].startswith("netops.cn2_apstra ports v1 2 ")
    assert result["plan"] == [
        {"method": "PUT", "path": IMPORT, "body": {"policies": policies}},
        {
            "method": "PATCH",
            "path": APPLY,
            "body": {
                "application_points": [
                    {"id": "if-leaf1-xe-0/0/1", "policies": [{"policy": root, "used": True}]},
                    {"id": "esi-leaf3-leaf4-ae5", "policies": [{"policy": root, "used": True}]},
                ]
            },
        },
    ]
    assert [p["policy_type_name"] for p in policies] == ["batch", "pipeline", "AttachSingleVLAN"]
    assert policies[0]["tags"] == [OWNER] and policies[2]["attributes"] == {
        "vn_node_id": "vn-b",
        "tag_type": "vlan_tagged",
    }
    # ids derive from blueprint, VN and mode: a check run and the real run agree
    assert (
        new_template("bp-1", "vn-b", "sriov-b", "vlan_tagged")[0]
        == root
        != new_template("bp-1", "vn-b", "sriov-b", "untagged")[0]
    )
    assert result["before"] == [{"virtual_network": "sriov-b", "tagged": True, "interfaces": []}]
    assert result["after"][0]["interfaces"] == ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]


@pytest.mark.parametrize(
    "item, ports",
    [
        ({"servers": ["worker-07"]}, ["if-leaf3-xe-0/0/7"]),
        ({"servers": ["worker-05:ens1f1"]}, ["esi-leaf3-leaf4-ae5"]),
        ({"switch_ports": ["leaf2:xe-0/0/2"]}, ["if-leaf2-xe-0/0/2"]),
        ({"switch_ports": ["leaf4:xe-0/0/5"]}, ["esi-leaf3-leaf4-ae5"]),
    ],
)
def test_existing_template_is_reused_for_servers_nics_and_switch_ports(apstra, item, ports):
    ctx = apstra.context(bindings_blueprint(apstra, a_rows(apstra, ["leaf1:xe-0/0/1"])))
    result = run(
        PortBindings, ctx, "merged", [dict(item, virtual_network="sriov-a")], check_mode=True
    )
    assert result["plan"] == [
        {
            "method": "PATCH",
            "path": APPLY,
            "body": {
                "application_points": [
                    {"id": port, "policies": [{"policy": "ct-a", "used": True}]} for port in ports
                ]
            },
        }
    ]


def test_binding_already_there_is_no_request(apstra):
    client = bindings_blueprint(apstra, a_rows(apstra))
    result = run(
        PortBindings,
        apstra.context(client),
        "merged",
        [{"virtual_network": "sriov-a", "servers": ["worker-05:ens1f0", "worker-01"]}],
    )
    assert result["changed"] is False and client.writes() == []


def test_binding_replaced_unassigns_what_is_left_out(apstra):
    ctx = apstra.context(bindings_blueprint(apstra, a_rows(apstra)))
    result = run(
        PortBindings,
        ctx,
        "replaced",
        [{"virtual_network": "sriov-a", "servers": ["worker-02"]}],
        check_mode=True,
    )
    assert result["plan"][0]["body"]["application_points"] == [
        {"id": "if-leaf1-xe-0/0/1", "policies": [{"policy": "ct-a", "used": False}]},
        {"id": "if-leaf2-xe-0/0/2", "policies": [{"policy": "ct-a", "used": True}]},
        {"id": "esi-leaf3-leaf4-ae5", "policies": [{"policy": "ct-a", "used": False}]},
    ]


def test_binding_deleted_listed_ports_only(apstra):
    ctx = apstra.context(bindings_blueprint(apstra, a_rows(apstra)))
    result = run(
        PortBindings,
        ctx,
        "deleted",
        [{"virtual_network": "sriov-a", "switch_ports": ["leaf1:xe-0/0/1"]}],
        check_mode=True,
    )
    assert result["plan"] == [
        {
            "method": "PATCH",
            "path": APPLY,
            "body": {
                "application_points": [
                    {"id": "if-leaf1-xe-0/0/1", "policies": [{"policy": "ct-a", "used": False}]}
                ]
            },
        }
    ]
    assert result["after"] == [
        {"virtual_network": "sriov-a", "tagged": True, "interfaces": ["leaf3-leaf4:ae5"]}
    ]


def test_binding_deleted_whole_removes_our_template_but_not_a_foreign_one(apstra):
    rows = a_rows(apstra) + [apstra.binding_row("ct-f", "vn-b", "leaf2:xe-0/0/2", tags=())]
    ctx = apstra.context(bindings_blueprint(apstra, rows))
    result = run(
        PortBindings,
        ctx,
        "deleted",
        [{"virtual_network": "sriov-a"}, {"virtual_network": "sriov-b"}],
        check_mode=True,
    )
    assert [(p["method"], p["path"]) for p in result["plan"]] == [
        ("PATCH", APPLY),
        ("POST", CT_DELETE),
    ]
    assert [point["id"] for point in result["plan"][0]["body"]["application_points"]] == [
        "if-leaf1-xe-0/0/1",
        "if-leaf2-xe-0/0/2",
        "esi-leaf3-leaf4-ae5",
    ]
    assert result["plan"][1]["body"] == {"policy_ids": ["ct-a"]}


def test_binding_for_a_vn_only_a_check_run_plans_uses_placeholder_templates(apstra):
    ctx = apstra.context(bindings_blueprint(apstra), check_mode=True)
    result = run(
        PortBindings,
        ctx,
        "merged",
        [{"virtual_network": "sriov-new", "servers": ["worker-01"]}],
        check_mode=True,
    )
    policies = result["plan"][0]["body"]["policies"]
    assert [p["id"] for p in policies] == [
        "<connectivity template sriov-new-tagged (planned)>",
        "<connectivity template sriov-new-tagged pipeline (planned)>",
        "<connectivity template sriov-new-tagged primitive (planned)>",
    ]
    assert policies[2]["attributes"]["vn_node_id"] == "<virtual network sriov-new (planned)>"
    assert "unknown virtual network 'sriov-new'" in ctx.notes[0]
    with pytest.raises(
        ValidationError,
        match="config\\[0\\].virtual_network: unknown virtual network 'sriov-new'; did you mean: sriov-",
    ):
        run(
            PortBindings,
            apstra.context(bindings_blueprint(apstra)),
            "merged",
            [{"virtual_network": "sriov-new", "servers": ["worker-01"]}],
        )


@pytest.mark.parametrize(
    "item, message",
    [
        (
            {"servers": ["worker-1"]},
            "config[0].servers: unknown server 'worker-1'; did you mean: worker-01",
        ),
        (
            {"servers": ["worker-05:ens1f2"]},
            "config[0].servers: unknown server interface 'worker-05:ens1f2'; did you mean: worker-05:ens1f1, worker-05:ens1f0?",
        ),
        ({"servers": ["worker-9:ens1f0"]}, "config[0].servers: unknown server 'worker-9'"),
        (
            {"switch_ports": ["leaf1:xe-0/0/9"]},
            "config[0].switch_ports: unknown leaf port 'leaf1:xe-0/0/9'",
        ),
        (
            {"switch_ports": ["leaf1"]},
            "config[0].switch_ports: 'leaf1' is not of the form leaf:interface",
        ),
        ({}, "config[0]: list servers or switch_ports to bind virtual_network=sriov-a to"),
    ],
)
def test_binding_unknown_names_and_bad_input_fail_before_any_write(apstra, item, message):
    client = bindings_blueprint(apstra)
    with pytest.raises(ValidationError) as info:
        run(PortBindings, apstra.context(client), "merged", [dict(item, virtual_network="sriov-a")])
    assert message in str(info.value) and client.writes() == []


def test_binding_config_required_except_gathered(apstra):
    with pytest.raises(ValidationError, match="config is required with state=deleted"):
        run(PortBindings, apstra.context(apstra.client()), "deleted", [])


def test_template_batch_delete_lost_answer_goes_on_when_they_are_gone(apstra):
    client = bindings_blueprint(
        apstra,
        a_rows(apstra),
        routes={("PATCH", APPLY): None, ("POST", CT_DELETE): apstra.lost("POST", CT_DELETE)},
    )
    client.queries[BINDINGS_QUERY] = apstra.Seq(a_rows(apstra), [])
    result = run(PortBindings, apstra.context(client), "deleted", [{"virtual_network": "sriov-a"}])
    assert result["changed"] is True and [w["path"] for w in client.writes()] == [APPLY, CT_DELETE]


def test_template_batch_delete_refused_fails(apstra):
    refused = apstra.error(422, {"errors": "policy in use"}, "POST", CT_DELETE)
    client = bindings_blueprint(
        apstra, a_rows(apstra), routes={("PATCH", APPLY): None, ("POST", CT_DELETE): refused}
    )
    with pytest.raises(ApplyFailed) as info:
        run(PortBindings, apstra.context(client), "deleted", [{"virtual_network": "sriov-a"}])
    assert [r["path"] for r in info.value.applied] == [APPLY] and [
        r["path"] for r in info.value.not_applied
    ] == [CT_DELETE]


def test_a_large_assignment_goes_in_bounded_chunks(apstra):
    """Each batch-apply carries at most assignments_per_request template assignments, in port order."""
    ctx = apstra.context(bindings_blueprint(apstra))
    ctx.assignments_per_request = 1
    result, root, _policies = plan_new_binding(apstra, ctx)
    assert [(r["method"], r["body"].get("application_points")) for r in result["plan"][1:]] == [
        ("PATCH", [{"id": "if-leaf1-xe-0/0/1", "policies": [{"policy": root, "used": True}]}]),
        ("PATCH", [{"id": "esi-leaf3-leaf4-ae5", "policies": [{"policy": root, "used": True}]}]),
    ]


def test_a_batch_apply_whose_answer_was_lost_is_looked_up_and_only_the_rest_is_sent(apstra):
    """The first point of the chunk made it before the answer was lost: the templates at stake are read back and
    only the other point is sent, once (never the same request again)."""
    client = bindings_blueprint(
        apstra,
        a_rows(apstra, ["leaf1:xe-0/0/1"]),
        routes={("PATCH", APPLY): apstra.Seq(apstra.lost("PATCH", APPLY), None)},
    )
    read_back = BINDINGS_QUERY.replace(
        "policy_type_name='batch', name='ct'",
        "policy_type_name='batch', name='ct', id=is_in([\"ct-a\"])",
    )
    client.queries[read_back] = a_rows(apstra, ["leaf1:xe-0/0/1", "leaf2:xe-0/0/2"])
    result = run(
        PortBindings,
        apstra.context(client),
        "merged",
        [{"virtual_network": "sriov-a", "switch_ports": ["leaf2:xe-0/0/2", "leaf3:xe-0/0/7"]}],
    )
    sent = [w["body"]["application_points"] for w in client.writes()]
    assert sent == [
        [
            {"id": "if-leaf2-xe-0/0/2", "policies": [{"policy": "ct-a", "used": True}]},
            {"id": "if-leaf3-xe-0/0/7", "policies": [{"policy": "ct-a", "used": True}]},
        ],
        [{"id": "if-leaf3-xe-0/0/7", "policies": [{"policy": "ct-a", "used": True}]}],
    ]
    assert result["changed"] is True and client.queried()[-1] == (read_back, None)


def test_a_zone_update_whose_answer_was_lost_is_looked_up_and_not_sent_again(apstra):
    path = SZ + "/sz-telco"
    updated = apstra.zone("sz-telco", "telco", vni=20001, import_rts=["65000:1", "65000:2"])
    client = apstra.blueprint(
        zones=[telco(apstra)], routes={("PATCH", path): apstra.lost("PATCH", path)}
    )
    client.routes[("GET", path)] = updated
    result = run(
        RoutingZones,
        apstra.context(client),
        "merged",
        [{"label": "telco", "import_rts": ["65000:2"]}],
    )
    assert [w["method"] for w in client.writes()] == ["PATCH"] and ("GET", path) in client.paths()
    assert result["changed"] is True


def test_a_zone_update_lost_before_it_was_applied_is_sent_once_more(apstra):
    path = SZ + "/sz-telco"
    client = apstra.blueprint(
        zones=[telco(apstra)], routes={("PATCH", path): apstra.Seq(apstra.lost("PATCH", path), {})}
    )
    client.routes[("GET", path)] = telco(apstra)
    run(
        RoutingZones,
        apstra.context(client),
        "merged",
        [{"label": "telco", "import_rts": ["65000:2"]}],
    )
    first, second = client.writes()
    assert first == second and first["method"] == "PATCH"


def test_a_vn_batch_update_whose_answer_was_lost_sends_only_what_the_networks_do_not_show(apstra):
    """sriov-a took its MTU before the answer was lost, sriov-b did not: the second PATCH carries sriov-b alone."""
    vn_b = apstra.vn("vn-b", "sriov-b", vlan=101)
    client = apstra.blueprint(
        zones=[telco(apstra)],
        vns=[vn_a(apstra), vn_b],
        routes={("PATCH", VN_PATCH): apstra.Seq(apstra.lost("PATCH", VN_PATCH), {})},
    )
    client.routes[("GET", BASE + "/virtual-networks")] = apstra.Seq(
        {"virtual_networks": {"vn-a": vn_a(apstra), "vn-b": vn_b}},
        {"virtual_networks": {"vn-a": vn_a(apstra, mtu=9000), "vn-b": vn_b}},
    )
    result = run(
        VirtualNetworks,
        apstra.context(client),
        "merged",
        [{"label": "sriov-a", "mtu": 9000}, {"label": "sriov-b", "mtu": 9000}],
    )
    first, second = [w["body"]["virtual_networks"] for w in client.writes()]
    assert [item["virtual_network_id"] for item in first] == ["vn-a", "vn-b"]
    assert second == [{"virtual_network_id": "vn-b", "l3_mtu": 9000}] and result["changed"] is True


def lost_import(apstra):
    """(a client whose first template import loses its answer, the record of worker-01's port)."""
    lost = apstra.Seq(apstra.lost("PUT", IMPORT), None)
    client = bindings_blueprint(apstra, routes={("PUT", IMPORT): lost, ("PATCH", APPLY): None})
    return client, apstra.record("if-leaf1-xe-0/0/1")


def test_a_template_import_whose_answer_was_lost_sends_only_the_templates_not_held(apstra):
    """Two new templates; the staging holds the first after the lost answer (the endpoint policies, read once): the
    import is sent again with the second alone (its root and children), then the assignments."""
    client, record = lost_import(apstra)
    policies_a = new_template("bp-1", "vn-a", "sriov-a", "vlan_tagged", [OWNER], record)[1]
    policies_b = new_template("bp-1", "vn-b", "sriov-b", "vlan_tagged", [OWNER], record)[1]
    client.routes[("GET", BASE + "/endpoint-policies")] = {"endpoint_policies": policies_a}
    run(
        PortBindings,
        apstra.context(client),
        "merged",
        [
            {"virtual_network": "sriov-a", "servers": ["worker-01"]},
            {"virtual_network": "sriov-b", "servers": ["worker-01"]},
        ],
    )
    writes = client.writes()
    assert [w["path"] for w in writes] == [IMPORT, IMPORT, APPLY]
    assert writes[1]["body"] == {"policies": policies_b}


def test_a_lost_import_whose_root_holds_another_record_is_sent_again(apstra):
    """The root is there with its tags but without the record the import carried: not applied, sent again."""
    client, record = lost_import(apstra)
    sent = new_template("bp-1", "vn-a", "sriov-a", "vlan_tagged", [OWNER], record)[1]
    held = [dict(sent[0], description="")] + sent[1:]
    client.routes[("GET", BASE + "/endpoint-policies")] = {"endpoint_policies": held}
    run(
        PortBindings,
        apstra.context(client),
        "merged",
        [{"virtual_network": "sriov-a", "servers": ["worker-01"]}],
    )
    first, second = [w["body"] for w in client.writes() if w["path"] == IMPORT]
    assert first == second == {"policies": sent}
