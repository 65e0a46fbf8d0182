"""The deployed graph answers queries over routing zones, VNs with their vn_instances and connectivity templates with the
interfaces they are applied to, in Apstra's graph schema; the two example queries of README.md are run verbatim.
"""

import json

import pytest

from sim_core.testing import fabric_session, readme_query, template_policies


def ct(api, ct_id, vn_id, tag_type):
    api.import_policies(template_policies(ct_id, {"vn_node_id": vn_id, "tag_type": tag_type}))


@pytest.fixture
def fabric(apstra):
    """Routing zone ran, sriov-100 on leaf1 (tagged on worker-01/02), sriov-200 on the ESI pair (untagged on worker-05's
    ae5), deployed; then staged only: sriov-300 and sriov-100 on worker-07's port."""
    api = fabric_session(apstra.url)
    ports = {
        (i["owner"]["label"], i["intf"]["if_name"]): i["intf"]["id"]
        for i in api.qe(
            "node(name='owner').out('hosted_interfaces').node('interface', name='intf').out('link').node('link', role='to_generic')"
        )
    }
    zone = api.routing_zone("ran")["id"]
    vns = api.call(
        "POST",
        "/virtual-networks-batch",
        {
            "virtual_networks": [
                {
                    "label": "sriov-100",
                    "vn_type": "vxlan",
                    "vn_id": "10100",
                    "security_zone_id": zone,
                    "bound_to": [{"system_id": api.nodes["leaf1"], "vlan_id": 100}],
                },
                {
                    "label": "sriov-200",
                    "vn_type": "vxlan",
                    "vn_id": "10200",
                    "security_zone_id": zone,
                    "bound_to": [{"system_id": api.rg, "vlan_id": 200}],
                },
            ]
        },
    ).json()["virtual_networks"]
    ct(api, "ct-100", vns[0]["id"], "vlan_tagged")
    ct(api, "ct-200", vns[1]["id"], "untagged")
    api.apply_template("ct-100", [ports[("leaf1", "xe-0/0/1")], ports[("leaf1", "xe-0/0/2")]])
    api.apply_template("ct-200", [ports[("leaf3-leaf4", "ae5")]])
    api.deploy("sriov")
    api.call(
        "POST",
        "/virtual-networks",
        {
            "label": "sriov-300",
            "vn_type": "vxlan",
            "security_zone_id": zone,
            "bound_to": [{"system_id": api.nodes["leaf2"], "vlan_id": 300}],
        },
    )
    api.apply_template("ct-100", [ports[("leaf1", "xe-0/0/7")]])
    api.ids = {"sriov-100": vns[0]["id"], "sriov-200": vns[1]["id"]}
    return api


def vn_bindings(api, graph_type):
    rows = api.qe(readme_query("vn-bindings"), graph_type)
    return sorted(
        (
            r["zone"]["label"],
            r["vn"]["label"],
            r["vn"]["vn_id"],
            r["inst"]["vlan_id"],
            r["leaf"]["label"],
            r["rg"] and r["rg"]["label"],
        )
        for r in rows
    )


def test_readme_query_vn_bindings_on_the_deployed_graph(fabric):
    assert vn_bindings(fabric, "deployed") == [
        ("ran", "sriov-100", "10100", 100, "leaf1", None),
        ("ran", "sriov-200", "10200", 200, "leaf3", "leaf3-leaf4"),
        ("ran", "sriov-200", "10200", 200, "leaf4", "leaf3-leaf4"),
    ]
    assert [row[1:] for row in vn_bindings(fabric, "staging") if row[1] == "sriov-300"] == [
        ("sriov-300", "10001", 300, "leaf2", None)
    ], "staged only (the zone took VNI 10000)"


def ct_rows(api, graph_type):
    rows = api.qe(readme_query("single-vlan-templates"), graph_type)
    return sorted(
        (
            r["ct"]["label"],
            r["vn"]["id"],
            json.loads(r["prim"]["attributes"])["tag_type"],
            r["owner"]["label"],
            r["intf"]["if_name"],
        )
        for r in rows
    )


def test_readme_query_single_vlan_templates_on_the_deployed_graph(fabric):
    ids = fabric.ids
    assert ct_rows(fabric, "deployed") == [
        ("ct-100", ids["sriov-100"], "vlan_tagged", "leaf1", "xe-0/0/1"),
        ("ct-100", ids["sriov-100"], "vlan_tagged", "leaf1", "xe-0/0/2"),
        ("ct-200", ids["sriov-200"], "untagged", "leaf3-leaf4", "ae5"),
    ]
    assert ("ct-100", ids["sriov-100"], "vlan_tagged", "leaf1", "xe-0/0/7") in ct_rows(
        fabric, "staging"
    )


def test_policy_nodes_as_apstra_holds_them(fabric):
    (prim,) = fabric.qe("node('ep_endpoint_policy', id='ct-100-v', name='p')", "deployed")
    assert isinstance(
        prim["p"]["attributes"], str
    ), "the graph holds policy attributes as a JSON string"
    assert json.loads(prim["p"]["attributes"]) == {
        "tag_type": "vlan_tagged",
        "vn_node_id": fabric.ids["sriov-100"],
    }
    exported = {p["id"]: p for p in fabric.get("/obj-policy-export/ct-100").json()["policies"]}
    assert exported["ct-100-v"]["attributes"] == {
        "tag_type": "vlan_tagged",
        "vn_node_id": fabric.ids["sriov-100"],
    }, "REST shows an object"
    # terraform-provider-apstra walks from the template to its application instances over ep_nested (the top level included)
    rows = fabric.qe(
        "node('ep_endpoint_policy', id='ct-100', name='ct').in_('ep_nested').node('ep_application_instance', name='app')"
        ".out('ep_affected_by').node('ep_group').in_('ep_member_of').node('interface', name='intf')",
        "deployed",
    )
    assert sorted(r["intf"]["if_name"] for r in rows) == ["xe-0/0/1", "xe-0/0/2"]
    nested = fabric.qe(
        "node('ep_application_instance', name='app').out('ep_nested').node('ep_endpoint_policy', name='p')"
        ".in_('ep_first_subpolicy').node('ep_endpoint_policy', policy_type_name='pipeline')",
        "deployed",
    )
    assert len(nested) == 3, "one primitive under a pipeline per application instance"
    zones = fabric.qe(
        "node('security_zone', vrf_name='ran', name='z').out('member_vns').node('virtual_network', name='vn')",
        "deployed",
    )
    assert sorted(r["vn"]["label"] for r in zones) == ["sriov-100", "sriov-200"]
