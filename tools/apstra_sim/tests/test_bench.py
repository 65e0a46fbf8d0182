"""The emulator-only benchmark (python -m apstra_sim.bench) sends the collection's calls and runs end to end; its labs
generate. Figures are printed by the bench, never checked here."""

import ast
import json

from apstra_sim import bench, generate, topology
from sim_core.testing import REPO

SERVICE = REPO / "plugins" / "module_utils" / "apstra" / "service.py"
RESOURCES = REPO / "plugins" / "module_utils" / "apstra" / "resources.py"
MODEL = REPO / "plugins" / "module_utils" / "sriov" / "model.py"


def constants(path, names):
    """Module-level constants of a source file, read without importing it."""
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in names:
                found[target.id] = node.value
    assert set(found) == set(names), "missing in %s: %s" % (path, set(names) - set(found))
    return found


def test_the_bench_sends_the_collections_queries():
    queries = constants(SERVICE, bench.QUERIES)
    for name, text in bench.QUERIES.items():
        assert ast.literal_eval(queries[name]) == text, name


def test_the_bench_builds_templates_as_the_collection_does():
    namespace = constants(RESOURCES, ["CT_NAMESPACE"])["CT_NAMESPACE"]
    assert namespace.args[0].value == str(bench.CT_NAMESPACE)
    owner = constants(MODEL, ["OWNER_TAG"])["OWNER_TAG"]
    assert ast.literal_eval(owner) == bench.OWNER_TAG


def test_a_small_bench_run(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert bench.main(["--servers", "40", "--networks", "1,3", "--json", str(out), "--quiet"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    spec = generate.generate(leafs=bench.leafs_for(40), servers=40, dual_homed=0.5)
    points = sum(1 for server in spec["servers"] if server.get("lag")) + sum(
        len(server["links"]) for server in spec["servers"] if not server.get("lag")
    )
    assert [(c["servers"], c["networks"]) for c in result["cases"]] == [(40, 1), (40, 3)]
    for case in result["cases"]:
        steps = {step["step"]: step for step in case["steps"]}
        assert case["application_points"] == case["networks"] * points
        assert steps["batch-apply"]["points"] == case["application_points"]
        assert steps["bindings query"]["rows"] == case["application_points"]
        assert steps["deploy to completion"]["calls"] >= 2
        for step in case["steps"]:
            assert step["seconds"] >= 0 and step["cpu"] >= 0 and step["bytes"] >= 0
    printed = capsys.readouterr().out
    assert "batch-apply" in printed and "1x40" in printed and "3x40" in printed


def test_generate_makes_the_largest_lab():
    spec = generate.generate(leafs=128, servers=2000, dual_homed=0.5)
    topo = topology.parse(spec)
    assert len(topo["leafs"]) == 128 and len(topo["esi_pairs"]) == 32
    assert len(topo["servers"]) == 2000
    assert any(s["lag"] for s in topo["servers"]) and any(not s["lag"] for s in topo["servers"])
    ports = [(link["leaf"], link["port"]) for s in topo["servers"] for link in s["links"]]
    assert len(ports) == len(set(ports))
    assert (
        bench.leafs_for(2000) == 128 and bench.leafs_for(1000) == 64 and bench.leafs_for(268) == 16
    )
