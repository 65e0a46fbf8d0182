"""The Apstra emulator from the command line (curl as in its README), over TLS, on generated fabrics, and its QE DSL."""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from apstra_sim import generate, topology
from apstra_sim.qe import QueryError, run_query
from apstra_sim.server import start_server

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "tools" / "apstra_sim" / "topologies" / "demo.yml"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def curl(*args):
    proc = subprocess.run(
        ["curl", "-s", "-k", "-w", "\n%{http_code}", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    body, code = proc.stdout.rsplit("\n", 1)
    return int(code), json.loads(body) if body else None


@pytest.fixture
def cli_server():
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "apstra_sim",
            "--topology",
            str(DEMO),
            "--port",
            str(port),
            "--tls",
            "--token-ttl",
            "600",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(REPO),
    )
    banner = proc.stdout.readline()
    yield proc, "https://127.0.0.1:%d" % port, banner
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


def test_cli_with_curl_as_documented(cli_server):
    proc, url, banner = cli_server
    assert banner.startswith("apstra-sim serving") and url in banner
    code, login = curl(
        "-X",
        "POST",
        url + "/api/aaa/login",
        "-H",
        "Content-Type: application/json",
        "-d",
        json.dumps({"username": "admin", "password": "sim-admin-password"}),
    )
    assert code == 201 and set(login) == {"token", "id"}
    auth = "AuthToken: " + login["token"]
    code, listing = curl(url + "/api/blueprints", "-H", auth)
    (item,) = listing["items"]
    assert code == 200 and item["label"] == "dc1" and item["id"] in banner
    query = (
        "node('system', role='leaf', name='leaf').out('hosted_interfaces').node('interface', name='intf').out('link').node('link')"
        ".in_('link').node('interface').in_('hosted_interfaces').node('system', hostname='worker-01')"
    )
    code, found = curl(
        "-X",
        "POST",
        "%s/api/blueprints/%s/qe" % (url, item["id"]),
        "-H",
        auth,
        "-H",
        "Content-Type: application/json",
        "-d",
        json.dumps({"query": query}),
    )
    assert code == 200 and [(i["leaf"]["label"], i["intf"]["if_name"]) for i in found["items"]] == [
        ("leaf1", "xe-0/0/1")
    ]
    code, body = curl(url + "/api/blueprints")
    assert (code, body) == (401, {"errors": "Authentication required: no AuthToken header"})
    code, log = curl(url + "/_sim/requests")
    calls = [(r["method"], r["status"], r["write"]) for r in log["requests"]]
    assert calls == [
        ("POST", 201, False),
        ("GET", 200, False),
        ("POST", 200, False),
        ("GET", 401, False),
    ]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


def test_cli_rejects_a_missing_topology():
    proc = subprocess.run(
        [sys.executable, "-m", "apstra_sim", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 2 and "--topology" in proc.stderr


def test_tls_certificate_verifies(tmp_path):
    server = start_server(str(DEMO), tls=True)
    try:
        assert server.url.startswith("https://127.0.0.1:")
        ca = tmp_path / "ca.pem"
        ca.write_text(server.cert_pem)
        assert (
            requests.get(server.url + "/api/version", verify=str(ca), timeout=10).status_code == 200
        )
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(server.url + "/api/version", timeout=10)
    finally:
        server.stop()


def test_demo_topology_matches_the_contract():
    topo = topology.load(DEMO)
    cabling = {
        s["hostname"]: [
            (link["nic"], link["leaf"], link["port"], link["speed"]) for link in s["links"]
        ]
        for s in topo["servers"]
    }
    assert cabling == {
        "worker-01": [("ens1f0", "leaf1", "xe-0/0/1", "25G")],
        "worker-02": [("ens1f0", "leaf1", "xe-0/0/2", "25G")],
        "worker-03": [("ens1f0", "leaf2", "xe-0/0/3", "25G")],
        "worker-04": [("ens1f0", "leaf2", "xe-0/0/4", "25G")],
        "worker-05": [
            ("ens1f0", "leaf3", "xe-0/0/5", "25G"),
            ("ens1f1", "leaf4", "xe-0/0/5", "25G"),
        ],
        "worker-06": [("ens1f0", "leaf2", "xe-0/0/6", "25G")],
        "worker-07": [("ens1f0", "leaf1", "xe-0/0/7", "25G")],
        "worker-08": [("ens1f0", "leaf2", "xe-0/0/8", "25G")],
    }
    assert [s["lag"] for s in topo["servers"]] == [None, None, None, None, "ae5", None, None, None]
    assert topo["esi_pairs"] == [{"name": "leaf3-leaf4", "leafs": ["leaf3", "leaf4"]}]
    assert (topo["spines"], topo["spine_link_speed"]) == (["spine1", "spine2"], "100G")
    assert topo["servers"][2]["links"][0]["lldp"] == {"leaf": "leaf1", "port": "xe-0/0/3"}


def test_cabling_map_and_lldp(apstra):
    session = requests.Session()
    session.headers["AuthToken"] = session.post(
        apstra.url + "/api/aaa/login",
        json={"username": "admin", "password": "sim-admin-password"},
        timeout=10,
    ).json()["token"]
    bp = session.get(apstra.url + "/api/blueprints", timeout=10).json()["items"][0]["id"]
    links = session.get(
        "%s/api/blueprints/%s/experience/web/cabling-map" % (apstra.url, bp), timeout=10
    ).json()["links"]
    to_servers = [
        link for link in links if link["role"] == "to_generic" and link["type"] == "ethernet"
    ]
    assert (
        len(to_servers) == 9 and len([link for link in links if link["role"] == "spine_leaf"]) == 8
    )
    esi = [link for link in to_servers if link["endpoints"][1]["system"]["label"] == "worker-05"]
    aggregate = [link for link in links if link["type"] == "aggregate_link"]
    assert len(aggregate) == 1 and {link["aggregate_link_id"] for link in esi} == {
        aggregate[0]["id"]
    }
    assert aggregate[0]["endpoints"][0]["interface"]["if_name"] == "ae5"
    lldp = session.get(
        "%s/api/blueprints/%s/cabling-map/lldp" % (apstra.url, bp), timeout=10
    ).json()["links"]
    seen = {
        (e[1]["system"]["label"], e[1]["interface"]["if_name"]): (
            e[0]["system"]["label"],
            e[0]["interface"]["if_name"],
        )
        for e in (link["endpoints"] for link in lldp)
    }
    assert seen[("worker-03", "ens1f0")] == ("leaf1", "xe-0/0/3") and seen[
        ("worker-01", "ens1f0")
    ] == ("leaf1", "xe-0/0/1")


def test_generator_is_deterministic_and_valid(tmp_path):
    spec = generate.generate(leafs=8, servers=40, esi_pairs=2, dual_homed=0.5)
    assert spec == generate.generate(leafs=8, servers=40, esi_pairs=2, dual_homed=0.5)
    topo = topology.parse(spec)
    assert len(topo["servers"]) == 40 and [p["name"] for p in topo["esi_pairs"]] == [
        "leaf5-leaf6",
        "leaf7-leaf8",
    ]
    dual = [s for s in topo["servers"] if s["lag"]]
    assert len(dual) == 6 and all(
        len(s["links"]) == 2 for s in dual
    )  # 13 servers sit behind the pairs, every other one dual-homed
    out = tmp_path / "fabric.yml"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "apstra_sim.generate",
            "--leafs",
            "4",
            "--servers",
            "10",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=str(REPO),
    )
    assert proc.stdout == "" and len(yaml.safe_load(out.read_text())["servers"]) == 10


def test_queries_on_a_1000_server_fabric_find_every_link(tmp_path):
    path = tmp_path / "fabric.yml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "apstra_sim.generate",
            "--leafs",
            "32",
            "--servers",
            "1000",
            "-o",
            str(path),
        ],
        check=True,
        timeout=60,
        cwd=str(REPO),
        env=dict(os.environ),
    )
    graph = topology.build_graph(topology.load(path))
    ports = (
        "node('system', role='leaf', name='leaf').out('hosted_interfaces').node('interface', if_type='ethernet', name='intf')"
        ".out('link').node('link').in_('link').node('interface').in_('hosted_interfaces').node('system', system_type='server', name='server'%s)"
    )
    everything = run_query(ports % "", graph)
    one = run_query(ports % ", hostname='worker-0500'", graph)
    links = sum(len(s["links"]) for s in topology.load(path)["servers"])
    assert len(everything) == links and len(one) in (1, 2)


@pytest.fixture(scope="module")
def demo_graph():
    return topology.build_graph(topology.load(DEMO))


def test_qe_match_optional_where_distinct(demo_graph):
    rows = run_query(
        "match(node('system', role='leaf', name='leaf'), optional(node(name='leaf').in_('composed_of_systems')"
        ".node('redundancy_group', name='rg')))",
        demo_graph,
    )
    assert sorted((r["leaf"]["label"], r["rg"] and r["rg"]["label"]) for r in rows) == [
        ("leaf1", None),
        ("leaf2", None),
        ("leaf3", "leaf3-leaf4"),
        ("leaf4", "leaf3-leaf4"),
    ]
    rows = run_query(
        "node('system', name='s', role=is_in(['spine', 'leaf'])).where(lambda s: s['label'] not in ('leaf1', 'spine2'))",
        demo_graph,
    )
    assert sorted(r["s"]["label"] for r in rows) == ["leaf2", "leaf3", "leaf4", "spine1"]
    rows = run_query(
        "match(node('system', role='leaf', name='leaf').out('hosted_interfaces').node('interface', name='i', "
        "port_channel_id=not_none())).distinct(['leaf'])",
        demo_graph,
    )
    assert sorted(r["leaf"]["label"] for r in rows) == ["leaf3", "leaf4"] and all(
        set(r) == {"leaf"} for r in rows
    )
    rows = run_query(
        "node('system', name='a', role='leaf').out('hosted_interfaces').node('interface').out('link').node('link')"
        ".in_('link').node('interface').in_('hosted_interfaces').node('system', name='b', role='spine')"
        ".where(lambda a, b: a.label == 'leaf1' and b['label'] != 'spine2')",
        demo_graph,
    )
    assert [(r["a"]["label"], r["b"]["label"]) for r in rows] == [("leaf1", "spine1")]


@pytest.mark.parametrize(
    "query",
    [
        "open('/etc/passwd')",
        "node('system').__class__",
        "node('system', **{'a': 1})",
        "node('system').where(lambda s: s.__dict__())",
        "[x for x in ()]",
        "node('system').out('a').out('b')",
        "node('system').where(1)",
    ],
)
def test_qe_rejects_anything_outside_the_whitelist(demo_graph, query):
    with pytest.raises(QueryError):
        run_query(query, demo_graph)


def test_two_topologies_serve_two_blueprints(tmp_path):
    """One server, two blueprints (a shared Apstra): each topology is a blueprint with its own ids; labels must differ."""
    second = tmp_path / "dc2.yml"
    second.write_text(DEMO.read_text().replace("blueprint: dc1", "blueprint: dc2"))
    server = start_server([str(DEMO), str(second)], port=0)
    try:
        session = requests.Session()
        token = session.post(
            server.url + "/api/aaa/login",
            json={"username": "admin", "password": "sim-admin-password"},
            timeout=10,
        ).json()["token"]
        session.headers["AuthToken"] = token
        items = session.get(server.url + "/api/blueprints", timeout=10).json()["items"]
        assert sorted(item["label"] for item in items) == ["dc1", "dc2"]
        assert len(set(item["id"] for item in items)) == 2
        by_label = dict((item["label"], item["id"]) for item in items)
        created = session.post(
            server.url + "/api/blueprints/%s/virtual-networks" % by_label["dc2"],
            json={"label": "only-in-dc2", "vn_type": "vxlan"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        labels = dict(
            (
                label,
                [
                    vn["label"]
                    for vn in session.get(
                        server.url + "/api/blueprints/%s/virtual-networks" % bp_id, timeout=10
                    )
                    .json()["virtual_networks"]
                    .values()
                ],
            )
            for label, bp_id in by_label.items()
        )
        assert labels == {"dc1": [], "dc2": ["only-in-dc2"]}
    finally:
        server.stop()
    with pytest.raises(ValueError, match="labels must differ"):
        start_server([str(DEMO), str(DEMO)], port=0)
