"""Seeds load fast: the generator writes JSON (which is YAML too) and the loader parses JSON text with the json module.

Times are printed (run pytest with -s to see them), never asserted: CI machines are slow and loaded.
"""

import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from k8s_sim.resources import load_objects
from k8s_sim.server import start_server

REPO = Path(__file__).resolve().parents[3]
DEMO_FABRIC = REPO / "tools" / "apstra_sim" / "topologies" / "demo.yml"
DEMO_SEED = REPO / "tools" / "k8s_sim" / "seeds" / "demo.yml"


def generate(tmp_path, leafs, servers, *args):
    fabric = tmp_path / "fabric.yml"
    cluster = tmp_path / "cluster.yml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "apstra_sim.generate",
            "--leafs",
            str(leafs),
            "--servers",
            str(servers),
            "-o",
            str(fabric),
        ],
        check=True,
        timeout=600,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "k8s_sim.generate",
            "--fabric",
            str(fabric),
            "--out",
            str(cluster),
            *args,
        ],
        check=True,
        timeout=600,
    )
    return cluster


def test_json_and_yaml_seeds_hold_the_same_objects(tmp_path):
    json_seed = tmp_path / "cluster.json"
    yaml_seed = tmp_path / "cluster.yml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "k8s_sim.generate",
            "--fabric",
            str(DEMO_FABRIC),
            "--out",
            str(json_seed),
        ],
        check=True,
        timeout=60,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "k8s_sim.generate",
            "--fabric",
            str(DEMO_FABRIC),
            "--out",
            str(yaml_seed),
            "--format",
            "yaml",
        ],
        check=True,
        timeout=60,
    )
    assert json_seed.read_text().startswith('{"apiVersion": "v1", "kind": "List", "items": [\n')
    assert load_objects(json_seed) == load_objects(yaml_seed) == load_objects(DEMO_SEED)
    assert yaml.safe_load(json_seed.read_text())["items"] == load_objects(
        DEMO_SEED
    ), "the JSON seed is a YAML document as well"


def test_a_5000_node_seed_is_served(tmp_path):
    cluster = generate(tmp_path, 64, 5000)
    started = time.perf_counter()
    server = start_server(str(cluster), port=0)
    elapsed = time.perf_counter() - started
    try:
        print(
            "\n5,000-node seed (%.1f MB): loaded and serving in %.2f s"
            % (cluster.stat().st_size / 1e6, elapsed)
        )
        nodes = requests.get(server.url + "/api/v1/nodes", timeout=120).json()["items"]
        assert len(nodes) == 5000 and nodes[-1]["metadata"]["name"] == "worker-5000"
        states = requests.get(
            server.url + "/apis/sriovnetwork.openshift.io/v1/sriovnetworknodestates", timeout=120
        ).json()["items"]
        assert len(states) == 3750
        page = requests.get(
            server.url + "/apis/nmstate.io/v1beta1/nodenetworkstates",
            params={"limit": "500"},
            timeout=120,
        ).json()
        assert len(page["items"]) == 500 and page["metadata"]["remainingItemCount"] == 4500
    finally:
        server.stop()


def test_cluster_id_gives_seeded_objects_their_own_uids():
    """Two servers on one seed with different cluster ids are two clusters: kube-system's uid (a cluster's identity)
    differs, and stays the same across a reset."""
    seed = str(Path(__file__).resolve().parents[1] / "seeds" / "demo.yml")
    first, second = start_server(seed, port=0), start_server(seed, port=0, cluster_id="cluster-b")
    try:

        def uid(server):
            return requests.get(server.url + "/api/v1/namespaces/kube-system", timeout=10).json()[
                "metadata"
            ]["uid"]

        first_uid, second_uid = uid(first), uid(second)
        assert first_uid != second_uid
        requests.post(second.url + "/_sim/reset", timeout=10).raise_for_status()
        assert uid(second) == second_uid
    finally:
        first.stop()
        second.stop()
