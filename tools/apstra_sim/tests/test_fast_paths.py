"""The emulator's fast paths give what the plain ones give: query answers' JSON, stable ids, graph copies."""

import hashlib
import json
import random

from apstra_sim import topology
from apstra_sim.graph import Graph, stable_id
from apstra_sim.qe import Answer, run_query
from apstra_sim.server import encode_body
from sim_core.testing import DEMO_TOPOLOGY, ApstraSession

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def digit_by_digit(*parts):
    """stable_id as it was first written: twenty divmods by 62."""
    number = int.from_bytes(
        hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()[:15], "big"
    )
    chars = []
    for _position in range(20):
        number, rest = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[rest])
    return "".join(chars)


def test_stable_ids_as_digit_by_digit():
    rng = random.Random(7)
    samples = [("rel", "ep_nested", "a" * 20, "b" * 20), ("dc1", "vn", 3), ("x", None, 1.5)]
    samples += [("dc1", rng.getrandbits(128), i) for i in range(2000)]
    for parts in samples:
        assert stable_id(*parts) == digit_by_digit(*parts)
    graph = Graph()
    assert graph.add_rel("link", "s", "t") == digit_by_digit("rel", "link", "s", "t")


def test_answer_json_is_json_dumps():
    graph = topology.build_graph(topology.load(str(DEMO_TOPOLOGY)))
    queries = [
        "match(node('system', role='leaf', name='leaf'), "
        "optional(node(name='leaf').out('hosted_interfaces').node('interface', name='intf')"
        ".out('link').node('link', name='link')), "
        "optional(node('redundancy_group', name='rg').out('composed_of_systems').node(name='leaf')))",
        "node('system', name='s').out('hosted_interfaces', name='r').node('interface', name='i')",
        "match(node('pod', name='pod')).distinct(['pod'])",
        "node('no_such_type', name='x')",
    ]
    for query in queries:
        answer = Answer(run_query(query, graph))
        assert encode_body(answer) == json.dumps(answer).encode()
        assert json.loads(encode_body(answer)) == {
            "count": answer["count"],
            "items": answer["items"],
        }
    odd = Answer([{"a": {"label": "caf\u00e9 \u2603", "n": [1, 2.5, None, True]}}, {}, {"b": None}])
    assert encode_body(odd) == json.dumps(odd).encode()


def test_deployed_copy_is_its_own(apstra):
    """Staging writes after a deploy leave the deployed graph as deployed, and the other way round."""
    api = ApstraSession(apstra.url)
    leaf1 = api.systems()["leaf1"]
    created = api.call(
        "POST",
        "/virtual-networks",
        {"label": "vn-1", "vn_type": "vxlan", "bound_to": [{"system_id": leaf1, "vlan_id": 100}]},
    )
    assert created.status_code == 201, created.text
    query = (
        "node('virtual_network', name='vn').out('instantiated_by').node('vn_instance', name='inst')"
    )
    version = api.get("/diff-status").json()["staging_version"]
    assert api.call("PUT", "/deploy", {"version": version}).status_code == 200
    deployed = api.qe(query, "deployed")
    assert [row["inst"]["vlan_id"] for row in deployed] == [100]
    patched = api.call(
        "PATCH",
        "/virtual-networks/%s" % created.json()["id"],
        {"bound_to": [{"system_id": leaf1, "vlan_id": 200}]},
    )
    assert patched.status_code == 204, patched.text
    assert [row["inst"]["vlan_id"] for row in api.qe(query)] == [200]
    assert api.qe(query, "deployed") == deployed
    assert api.call("POST", "/revert").status_code == 200
    assert api.qe(query) == deployed
    second = api.call("POST", "/virtual-networks", {"label": "vn-2", "vn_type": "vxlan"})
    assert second.status_code == 201, second.text
    assert len(api.qe("node('virtual_network', name='vn')")) == 2
    assert len(api.qe("node('virtual_network', name='vn')", "deployed")) == 1
