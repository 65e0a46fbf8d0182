"""Topology files the emulator refuses at load, and the LLDP view of cables that end outside the blueprint."""

import pytest
import yaml

from apstra_sim import topology
from apstra_sim.server import start_server
from sim_core.testing import ApstraSession


def fabric(servers, **extra):
    return dict(
        {
            "leafs": ["leaf1", "leaf2", "leaf3", "leaf4"],
            "esi_pairs": [{"name": "leaf3-leaf4", "leafs": ["leaf3", "leaf4"]}],
            "servers": servers,
        },
        **extra,
    )


def dual(hostname, port, lag):
    return {
        "hostname": hostname,
        "lag": lag,
        "links": [
            {"leaf": "leaf3", "port": port, "nic": "ens1f0"},
            {"leaf": "leaf4", "port": port, "nic": "ens1f1"},
        ],
    }


def test_two_esi_servers_with_one_lag_name_are_refused():
    with pytest.raises(topology.TopologyError) as error:
        topology.parse(
            fabric([dual("worker-05", "xe-0/0/5", "ae5"), dual("worker-09", "xe-0/0/9", "ae5")])
        )
    assert str(error.value).startswith(
        "servers worker-05 and worker-09 both use lag ae5 on esi pair leaf3-leaf4"
    )
    topo = topology.parse(
        fabric([dual("worker-05", "xe-0/0/5", "ae5"), dual("worker-09", "xe-0/0/9", "ae9")])
    )
    graph = topology.build_graph(topo)
    esi = sorted(
        n["if_name"] for n in graph.of_type("interface") if n["po_control_protocol"] == "evpn"
    )
    assert esi == ["ae5", "ae9"]


@pytest.mark.parametrize("lldp", ["leaf1", {"leaf": "leaf1", "slot": 3}, {"leaf": ""}])
def test_malformed_lldp_is_refused(lldp):
    server = {
        "hostname": "w1",
        "links": [{"leaf": "leaf1", "port": "xe-0/0/1", "nic": "ens1f0", "lldp": lldp}],
    }
    with pytest.raises(topology.TopologyError) as error:
        topology.parse(fabric([server]))
    assert "lldp of port leaf1 xe-0/0/1 must be {leaf: SWITCH, port: PORT}" in str(error.value)


def test_lldp_view_when_a_cable_ends_on_a_switch_outside_the_blueprint(tmp_path):
    path = tmp_path / "fabric.yml"
    path.write_text(
        yaml.safe_dump(
            fabric(
                [
                    {
                        "hostname": "w1",
                        "links": [
                            {
                                "leaf": "leaf1",
                                "port": "xe-0/0/1",
                                "nic": "ens1f0",
                                "lldp": {"leaf": "tor9", "port": "ge-0/0/1"},
                            }
                        ],
                    },
                    {
                        "hostname": "w2",
                        "links": [
                            {
                                "leaf": "leaf2",
                                "port": "xe-0/0/2",
                                "nic": "ens1f0",
                                "lldp": {"leaf": "spine1"},
                            }
                        ],
                    },
                    {
                        "hostname": "w3",
                        "links": [{"leaf": "leaf2", "port": "xe-0/0/3", "nic": "ens1f0"}],
                    },
                ],
                spines=["spine1"],
            )
        )
    )
    server = start_server(str(path))
    try:
        session = ApstraSession(server.url)
        for suffix in ("/cabling-map/lldp", "/experience/web/cabling-map/lldp"):
            resp = session.get(suffix)
            assert resp.status_code == 200
            seen = [
                [
                    (e["system"]["label"], e["system"]["role"], e["interface"]["if_name"])
                    for e in link["endpoints"]
                ]
                for link in resp.json()["links"]
            ]
            assert seen == [
                [("spine1", "spine", "xe-0/0/2"), ("w2", "generic", "ens1f0")],
                [("leaf2", "leaf", "xe-0/0/3"), ("w3", "generic", "ens1f0")],
            ], "tor9 is not in the blueprint: no managed switch sees w1"
        leaf2 = session.systems()["leaf2"]
        assert (
            len(session.get("/cabling-map/lldp", params={"system_id": leaf2}).json()["links"]) == 1
        )
    finally:
        server.stop()
