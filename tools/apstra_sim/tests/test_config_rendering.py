"""Rendered device configuration (staged, deployed) and the incremental config, as Apstra serves them per system node.

On the demo topology: leaf1..leaf4, the ESI pair leaf3-leaf4, worker-05 dual-homed on ae5. Real HTTP, as a client
reading `GET .../nodes/{id}/config-rendering?type=` and `.../config-incremental` sees it.
"""

import json

import pytest
from aos.sdk.api import TwoStageL3ClosClient

from sim_core.testing import fabric_session, template_policies

LEAFS = ("leaf1", "leaf2", "leaf3", "leaf4")
SWITCHES = ("spine1", "spine2") + LEAFS

# What a commit of the change in `staged_change` pushes to leaf1: every line added, nothing removed.
LEAF1_INCREMENTAL = """
[interfaces replace: xe-0/0/1]
+ mtu 9216;

+ [interfaces replace: xe-0/0/1 unit 0 family ethernet-switching]
+ interface-mode trunk;

+ [interfaces replace: xe-0/0/1 unit 0 family ethernet-switching vlan]
+ members vn100;

+ [interfaces replace: irb unit 100]
+ virtual-gateway-accept-data;

+ [interfaces replace: irb unit 100 family inet]
+ mtu 9000;

+ [interfaces replace: irb unit 100 family inet address 10.1.0.2/24]
+ virtual-gateway-address 10.1.0.1;

+ [interfaces replace: irb unit 100]
+ virtual-gateway-v4-mac 00:1c:73:00:00:01;

+ [interfaces replace: lo0 unit 2 family inet]
+ address 10.255.32.2/32;

+ [routing-instances evpn-1 protocols evpn vni-options vni 10001]
+ vrf-target target:10001:1;

[routing-instances evpn-1]
+ interface xe-0/0/1.0;

+ [routing-instances evpn-1 vlans vn100]
+ description sriov-100;
+ vlan-id 100;
+ l3-interface irb.100;

+ [routing-instances evpn-1 vlans vn100 vxlan]
+ vni 10001;

+ [routing-instances telco]
+ instance-type vrf;

+ [routing-instances telco routing-options]
+ graceful-restart;
+ multipath;
+ auto-export;

+ [routing-instances telco protocols evpn ip-prefix-routes]
+ advertise direct-nexthop;
+ encapsulation vxlan;
+ vni 10000;

+ [routing-instances telco]
+ interface irb.100;
+ interface lo0.2;
+ route-distinguisher 192.168.255.2:2;
+ vrf-target target:10000:1;

"""

LEAF1_PORT = """\
    replace: xe-0/0/1 {
        description to.worker-01;
        mtu 9216;
        unit 0 {
            family ethernet-switching {
                interface-mode trunk;
                vlan {
                    members vn100;
                }
            }
        }
    }
"""

LEAF1_IRB = """\
    replace: irb {
        unit 100 {
            virtual-gateway-accept-data;
            family inet {
                mtu 9000;
                address 10.1.0.2/24 {
                    virtual-gateway-address 10.1.0.1;
                }
            }
            virtual-gateway-v4-mac 00:1c:73:00:00:01;
        }
    }
"""

VLAN_100 = """\
        vlans {
            vn100 {
                description sriov-100;
                vlan-id 100;
                l3-interface irb.100;
                vxlan {
                    vni 10001;
                }
            }
        }
"""

ESI_AE5 = """\
    replace: ae5 {
        description to.worker-05;
        mtu 9216;
        esi {
            00:02:00:00:00:00:01:00:00:01;
            all-active;
        }
        aggregated-ether-options {
            lacp {
                active;
                system-id 02:00:00:00:00:01;
            }
        }
        unit 0 {
            family ethernet-switching {
                interface-mode trunk;
                vlan {
                    members vn100;
                }
            }
        }
    }
"""

ESI_MEMBER = """\
    replace: xe-0/0/5 {
        description to.worker-05;
        ether-options {
            802.3ad ae5;
        }
    }
"""

ANYCAST_IRB = """\
    replace: irb {
        unit 100 {
            family inet {
                mtu 9000;
                address 10.1.0.1/24;
            }
            mac 00:1c:73:00:00:01;
        }
    }
"""


@pytest.fixture
def api(apstra):
    return fabric_session(apstra.url)


def rendered(api, label, graph_type):
    resp = api.get("/nodes/%s/config-rendering" % api.nodes[label], params={"type": graph_type})
    assert resp.status_code == 200, resp.text
    assert set(resp.json()) == {"config"}
    return resp.json()["config"]


def incremental(api, label):
    resp = api.get("/nodes/%s/config-incremental" % api.nodes[label])
    assert resp.status_code == 200, resp.text
    return resp.json()


def staged_change(api):
    """A routing zone, a VN bound to leaf1 (own SVI address) and to the ESI pair (anycast gateway), and a tagged
    template on leaf1's port to worker-01 and on the pair's ae5 to worker-05."""
    vn_id = api.virtual_network(
        "sriov-100",
        api.routing_zone("telco")["id"],
        [{"system_id": api.nodes["leaf1"], "vlan_id": 100}, {"system_id": api.rg, "vlan_id": 100}],
        subnet="10.1.0.0/24",
        gateway="10.1.0.1",
        svi_ips=[
            {"system_id": api.nodes["leaf1"], "ipv4_mode": "enabled", "ipv4_addr": "10.1.0.2/24"}
        ],
    )
    api.import_policies(
        template_policies("ct-100", {"vn_node_id": vn_id, "tag_type": "vlan_tagged"})
    )
    api.apply_template(
        "ct-100",
        [api.interface_id("leaf1", "xe-0/0/1"), api.interface_id("leaf3-leaf4", "ae5")],
    )
    return vn_id


def test_before_any_change_staged_equals_deployed_and_nothing_is_incremental(api):
    for label in SWITCHES:
        staged = rendered(api, label, "staging")
        assert staged == rendered(api, label, "deployed") == rendered(api, label, "operation")
        assert staged.startswith("system {\n    host-name %s;\n}\ninterfaces {\n" % label)
        answer = incremental(api, label)
        assert set(answer) == {"config", "context", "pristine_config", "supports_diff_config"}
        assert (answer["config"], answer["pristine_config"], answer["supports_diff_config"]) == (
            "",
            None,
            False,
        )
        assert json.loads(answer["context"])["hostname"] == label
    leaf1 = rendered(api, "leaf1", "staging")
    assert "    replace: xe-0/0/1 {\n        description to.worker-01;\n    }\n" in leaf1
    assert "vlans {" not in leaf1 and "irb" not in leaf1
    assert (
        "routing-options {\n    router-id 192.168.255.2;\n    autonomous-system 64514;\n}\n"
        in leaf1
    )
    assert ESI_MEMBER in rendered(api, "leaf4", "staging")


def test_staged_change_renders_on_the_bound_leafs_and_incremental_lists_the_added_lines(api):
    deployed_before = {label: rendered(api, label, "deployed") for label in SWITCHES}
    staged_change(api)

    leaf1 = rendered(api, "leaf1", "staging")
    assert LEAF1_PORT in leaf1 and LEAF1_IRB in leaf1 and VLAN_100 in leaf1
    assert "                vni-options {\n                    vni 10001 {\n" in leaf1
    assert "        interface xe-0/0/1.0;\n" in leaf1
    assert (
        "        interface irb.100;\n        interface lo0.2;\n"
        "        route-distinguisher 192.168.255.2:2;\n        vrf-target target:10000:1;\n"
        in leaf1
    )
    for label in ("leaf3", "leaf4"):
        config = rendered(api, label, "staging")
        assert ESI_AE5 in config and ESI_MEMBER in config and VLAN_100 in config
        assert ANYCAST_IRB in config and "        interface ae5.0;\n" in config
    assert ESI_AE5 in rendered(api, "leaf4", "staging")

    assert {label: rendered(api, label, "deployed") for label in SWITCHES} == deployed_before
    assert rendered(api, "leaf2", "staging") == deployed_before["leaf2"]
    assert incremental(api, "leaf2")["config"] == ""
    assert incremental(api, "spine1")["config"] == ""

    answer = incremental(api, "leaf1")
    assert answer["config"] == LEAF1_INCREMENTAL
    assert json.loads(answer["context"])["vlans"][0]["name"] == "vn100"
    added = {
        line[2:]
        for line in answer["config"].splitlines()
        if line.startswith("+ ") and line.endswith(";")
    }
    for statement in added:
        assert statement in leaf1
    esi = incremental(api, "leaf3")["config"]
    assert (
        "+ [interfaces replace: ae5 unit 0 family ethernet-switching vlan]\n+ members vn100;\n"
        in esi
    )
    assert not [line for line in esi.splitlines() if line.startswith("-")]

    staged = {label: rendered(api, label, "staging") for label in SWITCHES}
    api.deploy("change")
    for label in SWITCHES:
        assert rendered(api, label, "deployed") == rendered(api, label, "staging") == staged[label]
        assert incremental(api, label)["config"] == ""


def test_withdrawal_is_incremental_and_revert_goes_back_to_the_deployed_config(api):
    staged_change(api)
    api.deploy("change")
    deployed = {label: rendered(api, label, "deployed") for label in LEAFS}

    api.apply_template("ct-100", [api.interface_id("leaf1", "xe-0/0/1")], used=False)
    assert LEAF1_PORT not in rendered(api, "leaf1", "staging")
    assert incremental(api, "leaf1")["config"] == (
        "\n[interfaces replace: xe-0/0/1]\n- mtu 9216;\n"
        "\n- [interfaces replace: xe-0/0/1 unit 0 family ethernet-switching]\n- interface-mode trunk;\n"
        "\n- [interfaces replace: xe-0/0/1 unit 0 family ethernet-switching vlan]\n- members vn100;\n"
        "\n[routing-instances evpn-1]\n- interface xe-0/0/1.0;\n\n"
    )

    version = api.version()
    assert api.call("POST", "/revert").status_code == 200
    assert (
        api.version() > version
    ), "the staging version moves on: the pre-revert version can not be deployed"
    summary = api.api("GET", "blueprints").json()["items"][0]
    assert not summary["has_uncommitted_changes"]
    for label in LEAFS:
        assert (
            rendered(api, label, "staging") == rendered(api, label, "deployed") == deployed[label]
        )
        assert incremental(api, label)["config"] == ""


def test_untagged_and_multiple_vlans_on_one_port(api):
    ids = []
    for label, vlan in (("green", 200), ("blue", 300)):
        resp = api.call(
            "POST",
            "/virtual-networks",
            {
                "label": label,
                "vn_type": "vxlan",
                "bound_to": [{"system_id": api.nodes["leaf2"], "vlan_id": vlan}],
            },
        )
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["id"])
    api.import_policies(
        template_policies(
            "ct-multi",
            {"untagged_vn_node_id": ids[1], "tagged_vn_node_ids": [ids[0]]},
            "AttachMultipleVLAN",
            parts=(
                ("ct-multi-p", "ct-multi pipeline"),
                ("ct-multi-v", "Virtual Network (Multiple)"),
            ),
        )
    )
    api.apply_template("ct-multi", [api.interface_id("leaf2", "xe-0/0/4")])
    leaf2 = rendered(api, "leaf2", "staging")
    assert (
        "    replace: xe-0/0/4 {\n        description to.worker-04;\n        native-vlan-id 300;\n"
        "        mtu 9216;\n" in leaf2
    )
    assert "                    members [ vn200 vn300 ];\n" in leaf2
    assert "irb" not in leaf2, "layer-2 networks have no IRB"
    assert (
        "            vn300 {\n                description blue;\n                vlan-id 300;\n"
        in leaf2
    )
    assert rendered(api, "leaf1", "staging") == rendered(api, "leaf1", "deployed")


def test_by_device_serial_context_and_errors(api, apstra):
    staged_change(api)
    leaf1 = api.get("/nodes/" + api.nodes["leaf1"]).json()
    by_serial = api.get(
        "/systems/%s/config-rendering" % leaf1["system_id"], params={"type": "staging"}
    )
    assert by_serial.json() == {"config": rendered(api, "leaf1", "staging")}
    answer = incremental(api, "leaf1")
    assert api.get("/systems/%s/config-incremental" % leaf1["system_id"]).json() == answer
    apstra.clear_log()
    posted = api.call("POST", "/nodes/%s/config-incremental" % api.nodes["leaf1"], {})
    assert posted.json() == answer, "the official SDK POSTs {} (or a context)"
    assert [r["write"] for r in apstra.requests_log()] == [False]
    context = api.get("/nodes/%s/config-context" % api.nodes["leaf1"]).json()
    assert context == {"context": answer["context"]}
    again = api.call("POST", "/nodes/%s/config-incremental" % api.nodes["leaf1"], context)
    assert again.json()["config"] == answer["config"]
    bad = api.call("POST", "/nodes/%s/config-incremental" % api.nodes["leaf1"], {"context": "{}"})
    assert bad.status_code == 422 and "context" in bad.json()["errors"]

    for suffix in ("config-rendering", "config-incremental"):
        resp = api.get("/nodes/nope/" + suffix)
        assert (resp.status_code, resp.json()) == (404, {"errors": "Node nope not found"})
        resp = api.get("/systems/525400000000/" + suffix)
        assert (resp.status_code, resp.json()) == (404, {"errors": "System 525400000000 not found"})
        resp = api.get("/nodes/%s/%s" % (api.nodes["worker-05"], suffix))
        assert resp.status_code == 422, "generic systems are not managed: Apstra renders nothing"
    resp = api.get("/nodes/%s/config-rendering" % api.nodes["leaf1"], params={"type": "future"})
    assert resp.status_code == 422
    assert api.get("/nodes/%s/config-rendering" % api.nodes["leaf1"]).json() == {
        "config": rendered(api, "leaf1", "staging")
    }, "no type: the staging rendering"
    resp = api.call("PUT", "/nodes/%s/config-rendering" % api.nodes["leaf1"], {})
    assert resp.status_code == 404 and resp.json()["errors"].startswith("not implemented: PUT")


def test_official_sdk_reads_rendered_and_incremental_config(apstra, api):
    sdk = TwoStageL3ClosClient(apstra.url + "/api")
    sdk.login("admin", "sim-admin-password")
    bp = sdk.blueprints[api.bp]
    node = bp.nodes[api.nodes["leaf3"]]
    before = node.get_config_rendering(params={"type": "deployed"})["config"]
    staged_change(api)
    assert node.get_config_rendering(params={"type": "deployed"})["config"] == before
    staged = node.get_config_rendering(params={"type": "staging"})["config"]
    assert ESI_AE5 in staged and staged != before
    diff = node.get_config_incremental()
    assert diff["supports_diff_config"] is False and diff["pristine_config"] is None
    assert "+ members vn100;" in diff["config"]
    assert json.loads(node.get_config_context()["context"])["hostname"] == "leaf3"
