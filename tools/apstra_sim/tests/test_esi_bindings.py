"""VN bindings on an ESI leaf pair: the redundancy group or its members, never both; which application points then carry it."""

import pytest
import yaml

from apstra_sim.server import start_server
from sim_core.testing import fabric_session, template_policies

FABRIC = {
    "leafs": ["leaf1", "leaf2", "leaf3", "leaf4"],
    "esi_pairs": [{"name": "leaf3-leaf4", "leafs": ["leaf3", "leaf4"]}],
    "servers": [
        {
            "hostname": "worker-05",
            "lag": "ae5",
            "links": [
                {"leaf": "leaf3", "port": "xe-0/0/5", "nic": "ens1f0"},
                {"leaf": "leaf4", "port": "xe-0/0/5", "nic": "ens1f1"},
            ],
        },
        {
            "hostname": "worker-13",
            "links": [{"leaf": "leaf3", "port": "xe-0/0/13", "nic": "ens1f0"}],
        },
        {
            "hostname": "worker-14",
            "links": [{"leaf": "leaf4", "port": "xe-0/0/14", "nic": "ens1f0"}],
        },
        {
            "hostname": "worker-01",
            "links": [{"leaf": "leaf1", "port": "xe-0/0/1", "nic": "ens1f0"}],
        },
    ],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("esi") / "fabric.yml"
    path.write_text(yaml.safe_dump(FABRIC))
    srv = start_server(str(path))
    yield srv
    srv.stop()


@pytest.fixture
def api(server):
    # a fresh blueprint for each test
    server.sim.control.handle("POST", "/_sim/reset")
    return fabric_session(server.url)


def intf(api, owner_label, if_name):
    items = api.qe(
        "node(label='%s', name='o').out('hosted_interfaces').node('interface', if_name='%s', name='i')"
        % (owner_label, if_name)
    )
    return [
        item["i"]["id"]
        for item in items
        if item["i"]["if_type"] == ("port_channel" if if_name.startswith("ae") else "ethernet")
    ][0]


def single_vlan_ct(api, ct_id, vn_id):
    api.import_policies(template_policies(ct_id, {"vn_node_id": vn_id, "tag_type": "vlan_tagged"}))
    return ct_id


@pytest.mark.parametrize("order", ["group first", "member first"])
def test_group_and_member_in_one_binding_list_is_refused(api, order):
    bindings = [
        {"system_id": api.rg, "vlan_id": 300},
        {"system_id": api.nodes["leaf3"], "vlan_id": 300},
    ]
    if order == "member first":
        bindings.reverse()
    resp = api.call(
        "POST", "/virtual-networks", {"label": "v300", "vn_type": "vxlan", "bound_to": bindings}
    )
    second = bindings[1]["system_id"]
    assert (resp.status_code, resp.json()) == (
        422,
        {
            "errors": {
                "bound_to": {"1": {"system_id": "System %s is bound more than once" % second}}
            }
        },
    )
    resp = api.call(
        "POST",
        "/virtual-networks-batch",
        {"virtual_networks": [{"label": "v300", "vn_type": "vxlan", "bound_to": bindings}]},
    )
    assert resp.status_code == 422 and resp.json()["errors"]["virtual_networks"]["0"]["bound_to"][
        "1"
    ]["system_id"].endswith("bound more than once")
    assert api.get("/virtual-networks").json() == {"virtual_networks": {}}


def test_a_group_binding_carries_single_homed_servers_on_either_member(api):
    vn_id = api.call(
        "POST",
        "/virtual-networks",
        {"label": "v300", "vn_type": "vxlan", "bound_to": [{"system_id": api.rg, "vlan_id": 300}]},
    ).json()["id"]
    instances = api.qe(
        "node('virtual_network', label='v300').out('instantiated_by').node('vn_instance', name='inst')"
        ".in_('hosted_vn_instances').node('system', name='leaf')"
    )
    assert sorted((i["leaf"]["label"], i["inst"]["vlan_id"]) for i in instances) == [
        ("leaf3", 300),
        ("leaf4", 300),
    ]
    ct = single_vlan_ct(api, "ct-v300", vn_id)
    points = [
        intf(api, "leaf3", "xe-0/0/13"),
        intf(api, "leaf4", "xe-0/0/14"),
        intf(api, "leaf3-leaf4", "ae5"),
    ]
    body = {
        "application_points": [
            {"id": point, "policies": [{"policy": ct, "used": True}]} for point in points
        ]
    }
    assert api.call("PATCH", "/obj-policy-batch-apply", body).status_code == 204
    assert api.get("/virtual-networks/" + vn_id).json()["bound_to"] == [
        {"system_id": api.rg, "vlan_id": 300, "access_switch_node_ids": []}
    ], "no extra binding: the group's covers both members"
    for member in (intf(api, "leaf3", "xe-0/0/5"), intf(api, "leaf3", "ae5")):
        body = {"application_points": [{"id": member, "policies": [{"policy": ct, "used": True}]}]}
        resp = api.call("PATCH", "/obj-policy-batch-apply", body)
        assert resp.json() == {
            "errors": {
                "application_points": {"0": {"policies": {"0": "Not a valid application point"}}}
            }
        }
    tree = api.get("/obj-policy-application-points", params={"policy": ct}).json()[
        "application_points"
    ]
    used = [
        (owner["label"], leaf["label"])
        for pod in tree["children"]
        for rack in pod["children"]
        for owner in rack["children"]
        for leaf in owner["children"]
        if leaf["policies"][0]["state"] == "used-directly"
    ]
    assert sorted(used) == [("leaf3", "xe-0/0/13"), ("leaf3-leaf4", "ae5"), ("leaf4", "xe-0/0/14")]


def test_a_member_binding_then_the_group_is_refused(api):
    member = {"system_id": api.nodes["leaf3"], "vlan_id": 301}
    vn_id = api.call(
        "POST", "/virtual-networks", {"label": "v301", "vn_type": "vxlan", "bound_to": [member]}
    ).json()["id"]
    resp = api.call(
        "PATCH",
        "/virtual-networks/" + vn_id,
        {"bound_to": [member, {"system_id": api.rg, "vlan_id": 301}]},
    )
    assert (resp.status_code, resp.json()) == (
        422,
        {
            "errors": {
                "bound_to": {"1": {"system_id": "System %s is bound more than once" % api.rg}}
            }
        },
    )
