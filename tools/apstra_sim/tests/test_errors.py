"""Exact status codes and bodies of the Apstra emulator's 401, 404 and 422 answers."""

import pytest
import requests

from apstra_sim.models import LABEL_MSG
from apstra_sim.server import start_server
from sim_core.testing import DEMO_TOPOLOGY, template_policies

DEMO = str(DEMO_TOPOLOGY)
PASSWORD = "sim-admin-password"
RANGE_VNI = "Value should be at least 4096 and at most 16777214"
RANGE_VLAN = "Value should be at least 2 and at most 4094"


class Api:
    """A logged-in session on the emulator's dc1 blueprint."""

    def __init__(self, url):
        self.url = url
        self.session = requests.Session()
        login = self.session.post(
            url + "/api/aaa/login", json={"username": "admin", "password": PASSWORD}, timeout=10
        )
        self.session.headers["AuthToken"] = login.json()["token"]
        self.bp = self.session.get(url + "/api/blueprints", timeout=10).json()["items"][0]["id"]
        nodes = self.get("/nodes", params={"node_type": "system"}).json()["nodes"].values()
        self.systems = {n["label"]: n["id"] for n in nodes}
        self.rg = next(
            iter(self.get("/nodes", params={"node_type": "redundancy_group"}).json()["nodes"])
        )

    def call(self, method, suffix, body=None, **kwargs):
        return self.session.request(
            method,
            "%s/api/blueprints/%s%s" % (self.url, self.bp, suffix),
            json=body,
            timeout=10,
            **kwargs,
        )

    def get(self, suffix, **kwargs):
        return self.call("GET", suffix, **kwargs)

    def vn(self, label, **fields):
        resp = self.call(
            "POST", "/virtual-networks", dict({"label": label, "vn_type": "vxlan"}, **fields)
        )
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]

    def intf(self, leaf, if_name):
        query = (
            "node('system', label='%s').out('hosted_interfaces').node('interface', if_name='%s', if_type='ethernet', name='i')"
            % (leaf, if_name)
        )
        return self.call("POST", "/qe", {"query": query}).json()["items"][0]["i"]["id"]

    def ct(self, ct_id, vn_id, tag_type="vlan_tagged"):
        policies = template_policies(ct_id, {"vn_node_id": vn_id, "tag_type": tag_type})
        resp = self.call("PUT", "/obj-policy-import", {"policies": policies})
        assert resp.status_code == 204, resp.text
        return ct_id

    def apply(self, *pairs, used=True):
        body = {
            "application_points": [
                {"id": intf, "policies": [{"policy": ct, "used": used}]} for intf, ct in pairs
            ]
        }
        return self.call("PATCH", "/obj-policy-batch-apply", body)


@pytest.fixture
def api(apstra):
    return Api(apstra.url)


def test_401_missing_bad_and_expired_tokens(apstra):
    resp = requests.get(apstra.url + "/api/blueprints", timeout=10)
    assert (resp.status_code, resp.json()) == (
        401,
        {"errors": "Authentication required: no AuthToken header"},
    )
    resp = requests.get(apstra.url + "/api/blueprints", headers={"AuthToken": "forged"}, timeout=10)
    assert (resp.status_code, resp.json()) == (401, {"errors": "Invalid or expired auth token"})
    resp = requests.post(
        apstra.url + "/api/aaa/login", json={"username": "admin", "password": "nope"}, timeout=10
    )
    assert (resp.status_code, resp.json()) == (401, {"errors": "Invalid credentials"})
    resp = requests.post(apstra.url + "/api/aaa/login", json={"username": "admin"}, timeout=10)
    assert (
        resp.status_code == 422
        and resp.json()["errors"]["password"] == "Missing data for required field."
    )


def test_token_lifetime_logout_legacy_login_and_header_case():
    server = start_server(DEMO, username="ops", password="s3cret")
    expiring = start_server(DEMO, token_ttl=0)
    try:
        login = requests.post(
            server.url + "/api/user/login",
            json={"username": "ops", "password": "s3cret"},
            timeout=10,
        )
        assert login.status_code == 201 and set(login.json()) == {"token", "id"}
        headers = {"authtoken": login.json()["token"]}
        assert (
            requests.get(server.url + "/api/blueprints", headers=headers, timeout=10).status_code
            == 200
        )
        token = requests.post(
            server.url + "/api/aaa/login",
            json={"username": "ops", "password": "s3cret"},
            timeout=10,
        ).json()["token"]
        assert (
            requests.post(
                server.url + "/api/aaa/logout", headers={"AUTHTOKEN": token}, timeout=10
            ).status_code
            == 200
        )
        assert (
            requests.get(
                server.url + "/api/blueprints", headers={"AuthToken": token}, timeout=10
            ).status_code
            == 401
        )
        version = requests.get(server.url + "/api/version", timeout=10).json()
        assert (version["major"], version["minor"], version["version"]) == ("5", "1", "5.1.0")
        token = requests.post(
            expiring.url + "/api/aaa/login",
            json={"username": "admin", "password": PASSWORD},
            timeout=10,
        ).json()["token"]
        resp = requests.get(
            expiring.url + "/api/blueprints", headers={"AuthToken": token}, timeout=10
        )
        assert (resp.status_code, resp.json()) == (
            401,
            {"errors": "Invalid or expired auth token"},
        ), "a token lives token_ttl seconds"
    finally:
        server.stop()
        expiring.stop()


def test_404_shapes(api):
    resp = api.session.get(api.url + "/api/blueprints/dc1", timeout=10)  # a label is not an id
    assert (resp.status_code, resp.json()) == (
        404,
        {"errors": "Blueprint dc1 of type staging not found"},
    )
    resp = api.get("/virtual-networks/nope")
    assert (resp.status_code, resp.json()) == (404, {"errors": "Virtual network nope not found"})
    resp = api.get("/security-zones/nope")
    assert (resp.status_code, resp.json()) == (404, {"errors": "Routing zone nope not found"})
    resp = api.get("/endpoint-policies/nope")
    assert (resp.status_code, resp.json()) == (404, {"errors": "Endpoint policy nope not found"})
    resp = api.get("/configlets")
    assert (resp.status_code, resp.json()) == (
        404,
        {"errors": "not implemented: GET /api/blueprints/%s/configlets" % api.bp},
    )
    resp = api.call("POST", "/virtual-networks/x")
    assert (resp.status_code, resp.json()) == (
        404,
        {"errors": "not implemented: POST /api/blueprints/%s/virtual-networks/x" % api.bp},
    )


@pytest.mark.parametrize("label", ["", "a" * 31, "has space", "semi;colon", None])
def test_422_label_rules(api, label):
    body = {"vn_type": "vxlan"} if label is None else {"label": label, "vn_type": "vxlan"}
    resp = api.call("POST", "/virtual-networks", body)
    message = "Missing data for required field." if label is None else LABEL_MSG
    assert (resp.status_code, resp.json()) == (422, {"errors": {"label": message}})


def test_label_of_30_characters_is_accepted(api):
    api.vn("a" * 30)


@pytest.mark.parametrize("vni", ["4095", "16777215", "abc"])
def test_422_vni_range(api, vni):
    resp = api.call("POST", "/virtual-networks", {"label": "v", "vn_type": "vxlan", "vn_id": vni})
    assert (resp.status_code, resp.json()) == (422, {"errors": {"vn_id": RANGE_VNI}})


def test_vni_bounds_accepted_and_pool_allocation(api):
    low, high = api.vn("low", vn_id="4096"), api.vn("high", vn_id="16777214")
    auto = api.vn("auto")
    assert [api.get("/virtual-networks/" + i).json()["vn_id"] for i in (low, high, auto)] == [
        "4096",
        "16777214",
        "10000",
    ]
    resp = api.call(
        "POST", "/virtual-networks", {"label": "dup", "vn_type": "vxlan", "vn_id": "4096"}
    )
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": {"vn_id": "VNI 4096 is already used by virtual network low"}},
    )


@pytest.mark.parametrize("vlan", [1, 4095])
def test_422_vlan_range(api, vlan):
    resp = api.call(
        "POST",
        "/virtual-networks",
        {
            "label": "v",
            "vn_type": "vxlan",
            "bound_to": [{"system_id": api.systems["leaf1"], "vlan_id": vlan}],
        },
    )
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": {"bound_to": {"0": {"vlan_id": RANGE_VLAN}}}},
    )
    resp = api.call(
        "POST", "/virtual-networks", {"label": "v", "vn_type": "vxlan", "reserved_vlan_id": vlan}
    )
    assert (resp.status_code, resp.json()) == (422, {"errors": {"reserved_vlan_id": RANGE_VLAN}})


def test_422_duplicate_label_single_and_batch(api):
    api.vn("sriov-100")
    resp = api.call("POST", "/virtual-networks", {"label": "sriov-100", "vn_type": "vlan"})
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": {"label": 'Virtual Network name "sriov-100" not unique'}},
    )
    batch = {
        "virtual_networks": [
            {"label": "fresh", "vn_type": "vxlan"},
            {"label": "fresh", "vn_type": "vxlan"},
        ]
    }
    resp = api.call("POST", "/virtual-networks-batch", batch)
    assert (resp.status_code, resp.json()) == (
        422,
        {
            "errors": {
                "virtual_networks": {"1": {"label": 'Virtual Network name "fresh" not unique'}}
            }
        },
    )
    assert "fresh" not in {
        vn["label"] for vn in api.get("/virtual-networks").json()["virtual_networks"].values()
    }, "a failed batch writes nothing"


def test_422_vlan_already_used_on_a_leaf(api):
    api.vn("first", bound_to=[{"system_id": api.rg, "vlan_id": 300}])
    resp = api.call(
        "POST",
        "/virtual-networks",
        {
            "label": "second",
            "vn_type": "vxlan",
            "bound_to": [{"system_id": api.systems["leaf4"], "vlan_id": 300}],
        },
    )
    expected = {
        "errors": {
            "bound_to": {
                "0": {"vlan_id": "VLAN 300 overlaps with virtual network first on system leaf4"}
            }
        }
    }
    assert (resp.status_code, resp.json()) == (422, expected)
    api.vn("other-leaf", bound_to=[{"system_id": api.systems["leaf1"], "vlan_id": 300}])


@pytest.mark.parametrize(
    "target, message",
    [
        ("spine1", "Virtual networks can only be bound to leafs or leaf pairs, not spine spine1"),
        (
            "worker-01",
            "Virtual networks can only be bound to leafs or leaf pairs, not generic worker-01",
        ),
        ("missing", "System missing does not exist"),
    ],
)
def test_422_binding_to_a_non_leaf(api, target, message):
    system_id = api.systems.get(target, target)
    resp = api.call(
        "POST",
        "/virtual-networks",
        {"label": "v", "vn_type": "vxlan", "bound_to": [{"system_id": system_id, "vlan_id": 10}]},
    )
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": {"bound_to": {"0": {"system_id": message}}}},
    )


def test_422_vlan_type_and_unknown_fields(api):
    two = [{"system_id": api.systems["leaf1"]}, {"system_id": api.systems["leaf2"]}]
    resp = api.call("POST", "/virtual-networks", {"label": "v", "vn_type": "vlan", "bound_to": two})
    assert resp.json() == {
        "errors": {
            "bound_to": "A VLAN type virtual network can be bound to at most one leaf or leaf pair"
        }
    }
    resp = api.call("POST", "/virtual-networks", {"label": "v", "vn_type": "vxlan", "vlan": 5})
    assert (resp.status_code, resp.json()) == (422, {"errors": {"vlan": "Unknown field."}})
    resp = api.call("POST", "/virtual-networks", {"label": "v", "vn_type": "evpn"})
    assert resp.json() == {"errors": {"vn_type": "Must be one of: vlan, vxlan."}}


def test_422_routing_zone_rules(api):
    resp = api.call(
        "POST",
        "/security-zones",
        {"label": "z1", "vrf_name": "z1", "sz_type": "evpn", "vni_id": 100},
    )
    assert (resp.status_code, resp.json()) == (422, {"errors": {"vni_id": RANGE_VNI}})
    assert (
        api.call(
            "POST",
            "/security-zones",
            {"label": "z1", "vrf_name": "z1", "sz_type": "evpn", "vlan_id": 5},
        ).status_code
        == 201
    )
    resp = api.call(
        "POST",
        "/security-zones",
        {"label": "z1", "vrf_name": "z1", "sz_type": "evpn", "vlan_id": 5},
    )
    assert resp.json() == {
        "errors": {
            "label": 'Routing zone name "z1" not unique',
            "vrf_name": 'VRF name "z1" is already used',
            "vlan_id": "VLAN 5 is already used by another routing zone",
        }
    }
    default = next(
        z for z in api.get("/security-zones").json()["items"].values() if z["vrf_name"] == "default"
    )
    resp = api.call("DELETE", "/security-zones/" + default["id"])
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": "The default routing zone can not be deleted"},
    )


def test_422_invalid_application_point_esi_member(api):
    vn_id = api.vn("v-esi")
    ct = api.ct("ct-esi", vn_id)
    member = api.intf("leaf3", "xe-0/0/5")
    resp = api.apply((api.intf("leaf1", "xe-0/0/1"), ct), (member, ct))
    assert (resp.status_code, resp.json()) == (
        422,
        {
            "errors": {
                "application_points": {"1": {"policies": {"0": "Not a valid application point"}}}
            }
        },
    )
    spine_facing = api.intf("leaf1", "et-0/0/48")
    assert api.apply((spine_facing, ct)).status_code == 422
    esi = api.call(
        "POST",
        "/qe",
        {
            "query": "node('redundancy_group').out('hosted_interfaces').node('interface', if_name='ae5', name='i')"
        },
    )
    assert api.apply((esi.json()["items"][0]["i"]["id"], ct)).status_code == 204
    bound = api.get("/virtual-networks/" + vn_id).json()["bound_to"]
    assert [b["system_id"] for b in bound] == [api.rg]


def test_422_conflicting_templates_on_one_interface(api):
    vn_id = api.vn("v-shared")
    first, second = api.ct("ct-a", vn_id), api.ct("ct-b", vn_id)
    port = api.intf("leaf1", "xe-0/0/2")
    assert api.apply((port, first)).status_code == 204
    resp = api.apply((port, second))
    message = "VN v-shared is already configured on interface xe-0/0/2 of system leaf1"
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": {"application_points": {"0": {"policies": {"0": message}}}}},
    )
    untagged_a, untagged_b = api.ct("u-a", api.vn("u1"), "untagged"), api.ct(
        "u-b", api.vn("u2"), "untagged"
    )
    resp = api.apply((port, untagged_a), (port, untagged_b))
    assert resp.json()["errors"]["application_points"]["1"]["policies"]["0"].startswith(
        "Interface xe-0/0/2 of system leaf1 already has an untagged VN"
    )


def test_422_batch_delete_refuses_assigned_templates(api):
    ct = api.ct("ct-del", api.vn("v-del"))
    port = api.intf("leaf2", "xe-0/0/4")
    assert api.apply((port, ct)).status_code == 204
    resp = api.call("POST", "/obj-policy-batch-delete", {"policy_ids": [ct]})
    message = "Connectivity template ct-del is assigned to application points; unassign it first"
    assert (resp.status_code, resp.json()) == (422, {"errors": {"policy_ids": {"0": message}}})
    resp = api.call("DELETE", "/endpoint-policies/" + ct, params={"delete_recursive": "true"})
    assert (resp.status_code, resp.json()) == (422, {"errors": message})
    assert api.apply((port, ct), used=False).status_code == 204
    assert api.call("POST", "/obj-policy-batch-delete", {"policy_ids": [ct]}).status_code == 204
    assert api.get("/obj-policy-export").json() == {"policies": []}


def test_422_vn_used_by_template_and_bad_import(api):
    vn_id = api.vn("v-used")
    api.ct("ct-used", vn_id)
    resp = api.call("POST", "/delete-virtual-networks", {"virtual_network_ids": [vn_id]})
    message = "Virtual network v-used is used by connectivity template(s): ct-used"
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": {"virtual_network_ids": {"0": message}}},
    )
    bad = {
        "policies": [
            {
                "id": "x",
                "label": "x",
                "policy_type_name": "AttachSingleVLAN",
                "attributes": {"vn_node_id": "ghost"},
            }
        ]
    }
    resp = api.call("PUT", "/obj-policy-import", bad)
    assert (resp.status_code, resp.json()) == (
        422,
        {
            "errors": {
                "policies": {
                    "0": {"attributes": {"vn_node_id": "Virtual network ghost does not exist"}}
                }
            }
        },
    )


def test_422_bad_query(api):
    resp = api.call("POST", "/qe", {"query": "__import__('os').system('true')"})
    assert (resp.status_code, resp.json()) == (
        422,
        {"errors": "Invalid query: unknown function __import__()"},
    )
    resp = api.call("POST", "/qe", {"query": "node('system').out("})
    assert resp.status_code == 422 and resp.json()["errors"].startswith(
        "Invalid query: invalid query syntax"
    )
