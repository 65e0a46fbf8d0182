"""QE optional() paths that go on from a node bound by an earlier path (or pinned by id): what they match."""

import pytest

from apstra_sim import generate, topology
from apstra_sim.qe import run_query


@pytest.fixture(scope="module")
def fabric():
    topo = topology.parse(generate.generate(leafs=8, servers=40, esi_pairs=2, dual_homed=0.5))
    return topo, topology.build_graph(topo)


def labels(row, *names):
    return tuple(row[n] and row[n]["label"] for n in names)


def test_server_ports_with_their_esi_port_channel(fabric):
    topo, graph = fabric
    rows = run_query(
        "match(node('system', system_type='server', name='server').out('hosted_interfaces')"
        ".node('interface', if_type='ethernet', name='server_intf').out('link').node('link', role='to_generic', name='link')"
        ".in_('link').node('interface', if_type='ethernet', name='leaf_intf').in_('hosted_interfaces').node('system', role='leaf', name='leaf'), "
        "optional(node(name='leaf_intf').in_('composed_of').node('interface', if_type='port_channel', name='leaf_lag')"
        ".in_('composed_of').node('interface', if_type='port_channel', name='esi_lag')"
        ".in_('hosted_interfaces').node('redundancy_group', name='rg')))",
        graph,
    )
    pair_of = {leaf: pair["name"] for pair in topo["esi_pairs"] for leaf in pair["leafs"]}
    want = [
        (
            s["hostname"],
            link["nic"],
            link["leaf"],
            link["port"],
            s["lag"],
            s["lag"],
            s["lag"] and pair_of[link["leaf"]],
        )
        for s in topo["servers"]
        for link in s["links"]
    ]
    assert any(s["lag"] for s in topo["servers"]) and any(not s["lag"] for s in topo["servers"])
    assert sorted(
        labels(r, "server", "server_intf", "leaf", "leaf_intf", "leaf_lag", "esi_lag", "rg")
        for r in rows
    ) == sorted(want, key=str)


def test_chained_optionals_after_a_miss_stay_empty(fabric):
    topo, graph = fabric
    rows = run_query(
        "match(node('system', role='leaf', name='leaf'), "
        "optional(node(name='leaf').out('hosted_interfaces').node('interface', if_type='port_channel', name='pc')), "
        "optional(node(name='pc').out('composed_of').node('interface', name='member')))",
        graph,
    )
    members = {
        (link["leaf"], s["lag"], link["port"])
        for s in topo["servers"]
        if s["lag"]
        for link in s["links"]
    }
    lag_leafs = {leaf for leaf, _lag, _port in members}
    assert {labels(r, "leaf", "pc", "member") for r in rows} == members | {
        (leaf, None, None) for leaf in topo["leafs"] if leaf not in lag_leafs
    }
    assert len(rows) == len(members) + len(topo["leafs"]) - len(lag_leafs)


def test_optional_bound_at_its_end(fabric):
    topo, graph = fabric
    rows = run_query(
        "match(node('redundancy_group', name='rg'), "
        "optional(node('system', role='leaf', name='leaf').in_('composed_of_systems').node(name='rg')))",
        graph,
    )
    assert [labels(r, "rg", "leaf") for r in rows] == [
        (p["name"], leaf) for p in topo["esi_pairs"] for leaf in p["leafs"]
    ]
    rows = run_query(
        "match(node('system', name='system'), "
        "optional(node('pod', name='pod').in_('part_of_pod').node('rack', name='rack').in_('part_of_rack').node(name='system')))",
        graph,
    )
    racks = {leaf: pair["name"] for pair in topo["esi_pairs"] for leaf in pair["leafs"]}
    racks.update(
        (s["hostname"], racks.get(s["links"][0]["leaf"], s["links"][0]["leaf"]))
        for s in topo["servers"]
    )
    want = {name: ("pod1", racks.get(name, name)) for name in topo["leafs"]}
    want.update((s["hostname"], ("pod1", racks[s["hostname"]])) for s in topo["servers"])
    want.update((name, (None, None)) for name in topo["spines"])
    assert {r["system"]["label"]: labels(r, "pod", "rack") for r in rows} == want and len(
        rows
    ) == len(want)


def test_optional_pinned_by_id(fabric):
    _topo, graph = fabric
    leaf1 = next(n for n in graph.of_type("system") if n["label"] == "leaf1")
    port = graph.targets(leaf1["id"], "hosted_interfaces")[0]
    rows = run_query(
        "match(node('system', role='leaf', name='leaf'), "
        "optional(node('interface', id='%s', name='intf').in_('hosted_interfaces').node(name='leaf')))"
        % port["id"],
        graph,
    )
    assert {labels(r, "leaf", "intf") for r in rows} == {
        ("leaf%d" % i, port["label"] if i == 1 else None) for i in range(1, 9)
    }
