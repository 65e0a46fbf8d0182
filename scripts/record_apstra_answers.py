"""Record the Apstra emulator's answers that the canonical models map (tests/unit/plugins/module_utils/apstra/fixtures/
recorded_answers.json): on the demo lab, a routing zone, a VN on leaf1 and the ESI pair with a tagged template applied to
two ports, deployed; then the REST lists, the graph queries the collection sends (staging and deployed) and the
revisions, as the emulator answers them. The ids are stable, so a second recording writes the same file.

    python scripts/record_apstra_answers.py [OUTPUT]
"""

import importlib
import json
import sys
import tempfile
from pathlib import Path

from sim_core.testing import DEMO_TOPOLOGY, ApstraSession, template_policies

from apstra_sim.server import start_server

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "tests/unit/plugins/module_utils/apstra/fixtures/recorded_answers.json"


def service_module():
    """The collection's apstra/service.py (its graph queries), imported from this checkout."""
    root = Path(tempfile.mkdtemp())
    link = root / "ansible_collections" / "netops" / "cn2_apstra"
    link.parent.mkdir(parents=True)
    link.symlink_to(REPO, target_is_directory=True)
    sys.path.insert(0, str(root))
    return importlib.import_module(
        "ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service"
    )


def build(session):
    systems = session.systems()
    pair = session.esi_lag()
    zone = session.routing_zone("telco", tags=["team"])
    vn_id = session.virtual_network(
        "sriov-a",
        zone["id"],
        [
            {"system_id": systems["leaf1"], "vlan_id": 100},
            {"system_id": pair["rg"]["id"], "vlan_id": 100},
        ],
        subnet="10.1.0.0/24",
        gateway="10.1.0.1",
        l3_mtu=9000,
        description="SR-IOV telco/sriov-a",
        tags=["managed-by:netops.cn2_apstra", "netops.cn2_apstra/owner:team-x"],
    )
    session.import_policies(
        template_policies(
            "ct-a",
            {"vn_node_id": vn_id, "tag_type": "vlan_tagged"},
            parts=(("ct-a-pipe", "pipeline"), ("ct-a-prim", "Virtual Network (Single)")),
            label="sriov-a-tagged",
            tags=["managed-by:netops.cn2_apstra"],
        )
    )
    session.apply_template("ct-a", [session.interface_id("leaf1", "xe-0/0/1"), pair["i"]["id"]])
    session.deploy("recorded")


def record():
    server = start_server(str(DEMO_TOPOLOGY), port=0, task_polls=0)
    try:
        session = ApstraSession(server.url)
        build(session)
        answers = {
            "security_zones": session.get("/security-zones").json(),
            "virtual_networks": session.get("/virtual-networks").json(),
            # created_at is the one field that changes from one recording to the next
            "revisions": {
                "items": [
                    dict((k, v) for k, v in item.items() if k != "created_at")
                    for item in session.get("/revisions").json()["items"]
                ]
            },
        }
        service = service_module()
        for graph in ("staging", "deployed"):
            for name in ("FABRIC_QUERY", "BINDINGS_QUERY", "VIRTUAL_NETWORKS_QUERY", "ZONES_QUERY"):
                answers["%s.%s" % (name, graph)] = session.qe(getattr(service, name), graph)
        return answers
    finally:
        server.stop()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(record(), indent=1, sort_keys=True) + "\n")
    print("recorded %s" % target)
