"""The Apstra emulator driven by the official Apstra SDK (aos-sdk-api), not by this collection's client."""

import json

import pytest
from aos.sdk.api import ClientError, TwoStageL3ClosClient
from aos.sdk.api.reference_design._extensions import endpoint_policy_generator as ct_gen

PASSWORD = "sim-admin-password"
PORTS_OF_SERVER = (
    "node('system', role='leaf', name='leaf').out('hosted_interfaces').node('interface', if_type='ethernet', name='intf')"
    ".out('link').node('link', name='link').in_('link').node('interface', name='nic')"
    ".in_('hosted_interfaces').node('system', system_type='server', hostname='%s', name='server')"
)


@pytest.fixture
def sdk(apstra):
    client = TwoStageL3ClosClient(apstra.url + "/api")  # the SDK takes the API root as its base URL
    client.login("admin", PASSWORD)
    return client


@pytest.fixture
def bp(sdk):
    return sdk.blueprints[sdk.blueprints.list()[0]["id"]]


def test_login_stores_token_and_reads_version(sdk):
    assert sdk._auth_token and sdk._user_id  # pylint: disable=protected-access
    assert sdk.version.get()["version"] == "5.1.0"
    assert (sdk._aos_version["major"], sdk._aos_version["minor"]) == (
        "5",
        "1",
    )  # pylint: disable=protected-access


def test_blueprint_list_and_graph(sdk, bp):
    (item,) = sdk.blueprints.list()
    assert (item["label"], item["design"], item["has_uncommitted_changes"]) == (
        "dc1",
        "two_stage_l3clos",
        False,
    )
    assert item["id"] != "dc1"
    graph = bp.get()
    systems = {n["label"]: n for n in graph["nodes"].values() if n["type"] == "system"}
    assert sorted(systems) == ["leaf1", "leaf2", "leaf3", "leaf4", "spine1", "spine2"] + [
        "worker-0%d" % i for i in range(1, 9)
    ]
    assert (
        systems["worker-03"]["hostname"] == "worker-03"
        and systems["worker-03"]["system_type"] == "server"
    )
    assert bp.get_version() == item["version"]
    leafs = bp.nodes.list(params={"node_type": "system"})
    assert len(leafs) == 14


def test_qe_finds_leaf_ports_facing_a_named_server(bp):
    result = bp.query(PORTS_OF_SERVER % "worker-05")
    ports = sorted(
        (i["leaf"]["label"], i["intf"]["if_name"], i["nic"]["if_name"], i["link"]["speed"])
        for i in result["items"]
    )
    assert result["count"] == 2
    assert ports == [("leaf3", "xe-0/0/5", "ens1f0", "25G"), ("leaf4", "xe-0/0/5", "ens1f1", "25G")]
    single = bp.query(PORTS_OF_SERVER % "worker-03")["items"]
    assert [(i["leaf"]["label"], i["intf"]["if_name"]) for i in single] == [("leaf2", "xe-0/0/3")]
    esi = bp.query(
        "node('redundancy_group', name='rg').out('hosted_interfaces').node('interface', if_type='port_channel', name='po')"
        ".out('link').node('link').in_('link').node('interface').in_('hosted_interfaces').node('system', hostname='worker-05')"
    )
    (item,) = esi["items"]
    assert (item["rg"]["label"], item["po"]["if_name"], item["po"]["po_control_protocol"]) == (
        "leaf3-leaf4",
        "ae5",
        "evpn",
    )


def test_vn_batch_create_and_read(bp):
    zone = bp.security_zones.create(
        {
            "label": "telco",
            "vrf_name": "telco",
            "sz_type": "evpn",
            "tags": ["managed-by:netops.cn2_apstra"],
        }
    )
    leafs = {n["label"]: n["id"] for n in bp.nodes.list(params={"node_type": "system"}).values()}
    created = bp.virtual_networks.create_batch(
        [
            {
                "label": "sriov-a",
                "vn_type": "vxlan",
                "security_zone_id": zone["id"],
                "bound_to": [{"system_id": leafs["leaf1"], "vlan_id": 100}],
                "tags": ["managed-by:netops.cn2_apstra"],
            },
            {
                "label": "sriov-b",
                "vn_type": "vxlan",
                "vn_id": "12345",
                "security_zone_id": zone["id"],
                "bound_to": [],
            },
        ]
    )
    ids = [vn["id"] for vn in created["virtual_networks"]]
    listed = bp.virtual_networks.list()
    first = listed[ids[0]]
    assert (
        first["vn_id"] == "10001" and first["route_target"] == "10001:1"
    )  # 10000 went to the routing zone
    assert first["bound_to"] == [
        {"system_id": leafs["leaf1"], "vlan_id": 100, "access_switch_node_ids": []}
    ]
    assert (
        first["tags"] == ["managed-by:netops.cn2_apstra"]
        and first["security_zone_id"] == zone["id"]
    )
    assert listed[ids[1]]["vn_id"] == "12345"
    assert bp.security_zones[zone["id"]].get()["route_target"] == "10000:1"
    with pytest.raises(ClientError) as err:
        bp.virtual_networks.create_batch([{"label": "sriov-a", "vn_type": "vxlan"}])
    assert err.value.status_code == 422
    assert json.loads(err.value.text) == {
        "errors": {
            "virtual_networks": {"0": {"label": 'Virtual Network name "sriov-a" not unique'}}
        }
    }


def _interfaces(bp, hostname):
    return [i["intf"]["id"] for i in bp.query(PORTS_OF_SERVER % hostname)["items"]]


def test_ct_import_with_sdk_payload_and_batch_apply(bp):
    vn_id = bp.virtual_networks.create_batch([{"label": "v100", "vn_type": "vxlan"}])[
        "virtual_networks"
    ][0]["id"]
    payload = ct_gen.create_self_sufficient_ct_with_one_primitive(
        "AttachSingleVLAN", "v100-tagged", {"vn_node_id": vn_id, "tag_type": "vlan_tagged"}
    )
    root = payload[0]["id"]
    bp.obj_policy_import.put(ct_gen.wrap_policies(payload))
    assert {p["id"] for p in bp.obj_policy_export.list()} == {p["id"] for p in payload}
    statuses = {p["id"]: p for p in bp.endpoint_policies.list()}
    assert statuses[root]["status"] == "ready" and statuses[root]["visible"]
    worker1 = _interfaces(bp, "worker-01")[0]
    bp.obj_policy_batch_apply.patch(
        {"application_points": [{"id": worker1, "policies": [{"policy": root, "used": True}]}]}
    )
    policy = bp.endpoint_policies[root].get()
    assert (policy["status"], policy["app_points_count"]) == ("assigned", 1)
    tree = bp.obj_policy_application_points.post(data={"policy": root})["application_points"]
    interfaces = [
        i
        for pod in tree["children"]
        for rack in pod["children"]
        for system in rack["children"]
        for i in system["children"]
    ]
    used = [i["id"] for i in interfaces if i["policies"][0]["state"] == "used-directly"]
    assert used == [worker1]
    leaf1 = [
        n["id"]
        for n in bp.nodes.list(params={"node_type": "system"}).values()
        if n["label"] == "leaf1"
    ][0]
    assert [b["system_id"] for b in bp.virtual_networks[vn_id].get()["bound_to"]] == [
        leaf1
    ]  # assignment binds the VN to the leaf
    assigned = bp.query(
        "match(node('ep_endpoint_policy', policy_type_name='batch', name='ct').in_('ep_top_level')"
        ".node('ep_application_instance', name='app').out('ep_affected_by').node('ep_group')"
        ".in_('ep_member_of').node('interface', name='intf'))"
    )
    assert [(i["ct"]["id"], i["intf"]["id"]) for i in assigned["items"]] == [(root, worker1)]


def test_errors_endpoint_and_sdk_deploy_flow(bp):
    assert bp.errors.list() == {
        "nodes": {},
        "relationships": {},
        "errors_count": 0,
        "warnings_count": 0,
        "version": bp.get_version(),
    }
    bp.virtual_networks.create_batch([{"label": "v200", "vn_type": "vxlan"}])
    assert (
        bp.diff_status()["staging_version"]
        == bp.get_version()
        > bp.diff_status()["deployed_version"]
    )
    bp.deploy_blueprint(timeout=10)
    deployed = bp.get_deploy()
    assert deployed == {"version": bp.get_version(), "state": "success"}
    status = bp.diff_status()
    assert (
        status["deployed_version"] == status["staging_version"]
        and status["deploy_status"] == "success"
    )
    assert [t["status"] for t in bp.tasks.list()] == ["succeeded"]
    assert bp.revisions.list()[-1]["version"] == deployed["version"]


def test_sdk_maps_404_to_none_and_raises_on_other_errors(sdk, bp):
    assert sdk.blueprints["no-such-blueprint"].get() is None
    assert bp.virtual_networks["no-such-vn"].get() is None
    with pytest.raises(ClientError) as err:
        bp.virtual_networks.create({"label": "bad label", "vn_type": "vxlan"})
    assert err.value.status_code == 422
    sdk.logout()
    other = TwoStageL3ClosClient(sdk._transport)  # pylint: disable=protected-access
    with pytest.raises(ClientError) as err:
        other.blueprints.list()
    assert err.value.status_code == 401
    with pytest.raises(ClientError) as err:
        other.login("admin", "wrong")
    assert err.value.status_code == 401
