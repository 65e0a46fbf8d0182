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

from sim_core.testing import DEMO_TOPOLOGY, ApstraSession

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
    pair = session.qe(
        "node('redundancy_group', name='rg').out('hosted_interfaces')"
        ".node('interface', if_type='port_channel', name='i')"
    )[0]
    zone = session.call(
        "POST",
        "/security-zones",
        {"label": "telco", "vrf_name": "telco", "sz_type": "evpn", "tags": ["team"]},
    ).json()
    vn = session.call(
        "POST",
        "/virtual-networks",
        {
            "label": "sriov-a",
            "vn_type": "vxlan",
            "security_zone_id": zone["id"],
            "bound_to": [
                {"system_id": systems["leaf1"], "vlan_id": 100},
                {"system_id": pair["rg"]["id"], "vlan_id": 100},
            ],
            "ipv4_enabled": True,
            "ipv4_subnet": "10.1.0.0/24",
            "virtual_gateway_ipv4": "10.1.0.1",
            "virtual_gateway_ipv4_enabled": True,
            "l3_mtu": 9000,
            "description": "SR-IOV telco/sriov-a",
            "tags": ["managed-by:netops.cn2_apstra", "netops.cn2_apstra/owner:team-x"],
        },
    ).json()
    leaf_port = session.qe(
        "node('system', label='leaf1').out('hosted_interfaces').node('interface', if_name='xe-0/0/1', name='i')"
    )[0]["i"]["id"]
    policies = [
        {
            "id": "ct-a",
            "label": "sriov-a-tagged",
            "policy_type_name": "batch",
            "visible": True,
            "tags": ["managed-by:netops.cn2_apstra"],
            "attributes": {"subpolicies": ["ct-a-pipe"]},
        },
        {
            "id": "ct-a-pipe",
            "label": "pipeline",
            "policy_type_name": "pipeline",
            "visible": False,
            "attributes": {"first_subpolicy": "ct-a-prim", "second_subpolicy": None},
        },
        {
            "id": "ct-a-prim",
            "label": "Virtual Network (Single)",
            "policy_type_name": "AttachSingleVLAN",
            "visible": False,
            "attributes": {"vn_node_id": vn["id"], "tag_type": "vlan_tagged"},
        },
    ]
    session.call("PUT", "/obj-policy-import", {"policies": policies})
    session.call(
        "PATCH",
        "/obj-policy-batch-apply",
        {
            "application_points": [
                {"id": p, "policies": [{"policy": "ct-a", "used": True}]}
                for p in (leaf_port, pair["i"]["id"])
            ]
        },
    )
    session.call("PUT", "/deploy", {"version": session.version(), "description": "recorded"})


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
