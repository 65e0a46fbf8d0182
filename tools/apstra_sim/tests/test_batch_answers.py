"""Large batches answer as they did before the emulator was made fast (tools/apstra_sim/README.md, Performance).

A scenario of VN batch creates, template imports and batch-applies (valid ones, and ones full of errors: conflicts,
untagged clashes, VLAN overlaps, invalid application points, bindings Apstra adds on assignment), with the answers read
after each (application points, the collection's graph queries, VN bindings, templates, deploy, state), runs on the demo
lab and on a generated lab with every application point in each batch. Its answers are compared with
`data/batch_answers.json`, recorded by running this file on the emulator as it was before the speed-ups (commit
7de2c8a): ``PYTHONPATH=tools python tools/apstra_sim/tests/test_batch_answers.py --write``. Small answers are stored
whole, large ones as a digest of their JSON. Timestamps and login tokens are left out.
"""

import hashlib
import json
import sys
from pathlib import Path

import yaml

from apstra_sim import bench, generate
from apstra_sim.server import Simulator
from sim_core.testing import readme_query, template_policies

HERE = Path(__file__).resolve().parent
ANSWERS = HERE / "data" / "batch_answers.json"
DEMO = HERE.parent / "topologies" / "demo.yml"
WHOLE = 3000  # answers up to this many characters of JSON are stored whole
QUERIES = {
    "fabric": bench.FABRIC_QUERY,
    "bindings": bench.BINDINGS_QUERY,
    "vns": bench.VIRTUAL_NETWORKS_QUERY,
    "readme-vn-bindings": readme_query("vn-bindings"),
    "readme-single-vlan": readme_query("single-vlan-templates"),
}


def _scrub(value):
    if isinstance(value, dict):
        return {
            k: ("<time>" if k.endswith("_at") else _scrub(v))
            for k, v in value.items()
            if k != "token"
        }
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


class Run:
    """The emulator in-process, its answers recorded in order."""

    def __init__(self, topology):
        self.sim = Simulator(str(topology), task_polls=2, task_seconds=3600.0)
        self.answers = []
        self.token = self.sim.call(
            "POST",
            "/api/aaa/login",
            {},
            {"username": "admin", "password": "sim-admin-password"},
            None,
        ).body["token"]
        self.bp = self.sim.call("GET", "/api/blueprints", {}, None, self.token).body["items"][0][
            "id"
        ]

    def call(self, name, method, suffix, body=None, query=None, path=None):
        body = json.loads(json.dumps(body)) if body is not None else None
        result = self.sim.call(
            method,
            path or "/api/blueprints/%s%s" % (self.bp, suffix),
            query or {},
            body,
            self.token,
        )
        answer = _scrub(result.body)
        text = json.dumps(answer, sort_keys=True)
        stored = (
            answer
            if len(text) <= WHOLE or result.status >= 400
            else {"sha256": hashlib.sha256(text.encode()).hexdigest(), "chars": len(text)}
        )
        self.answers.append({"step": name, "status": result.status, "answer": stored})
        return result.status, result.body

    def qe(self, name, query, graph_type=None):
        return self.call(
            name, "POST", "/qe", {"query": query}, {"type": graph_type} if graph_type else None
        )[1]["items"]

    def reads(self, tag, graph_type=None):
        for name, query in QUERIES.items():
            self.qe("%s: qe %s" % (tag, name), query, graph_type)
        if graph_type:
            return
        self.call(tag + ": virtual networks", "GET", "/virtual-networks")
        self.call(tag + ": vn instances", "GET", "/nodes", query={"node_type": "vn_instance"})
        self.call(tag + ": endpoint policies", "GET", "/endpoint-policies")
        self.call(tag + ": application points", "GET", "/obj-policy-application-points")
        self.call(
            tag + ": application points of ct-a-t",
            "GET",
            "/obj-policy-application-points",
            query={"policy": "ct-a-t"},
        )
        self.call(
            tag + ": application points, page",
            "GET",
            "/obj-policy-application-points",
            query={"max_count": "3", "offset_max_count": "2"},
        )
        self.call(tag + ": build errors", "GET", "/errors")


def template(ct_id, kind, **attrs):
    """Policies of a one-primitive template (`kind` AttachSingleVLAN or AttachMultipleVLAN)."""
    return template_policies(
        ct_id,
        attrs,
        kind,
        parts=((ct_id + "-p", ct_id + " pipeline"), (ct_id + "-v", ct_id + " prim")),
    )


def scenario(topology):
    """Every answer of the scenario on one lab, in order."""
    run = Run(topology)
    fabric = run.qe("fabric", bench.FABRIC_QUERY)
    points = sorted(bench.application_points(fabric).items(), key=lambda item: item[1])
    point_ids = [point for point, _name in points]
    leafs = sorted({row["leaf"]["label"]: row["leaf"]["id"] for row in fabric}.items())
    groups = sorted(
        {row["rg"]["label"]: row["rg"]["id"] for row in fabric if row.get("rg")}.items()
    )
    paired = {row["leaf"]["id"] for row in fabric if row.get("rg")}
    single = [leaf_id for _label, leaf_id in leafs if leaf_id not in paired]
    group_ids = [group_id for _label, group_id in groups]
    members = [leaf_id for _label, leaf_id in leafs if leaf_id in paired]
    # points that are not application points: a spine port, the ethernet member of an ESI LAG, a leaf's LAG member
    # port-channel, a server NIC, an unknown id
    others = run.qe(
        "other interfaces",
        "match(node('system', name='sys').out('hosted_interfaces').node('interface', name='intf'))",
    )
    invalid = sorted(
        {
            row["intf"]["id"]
            for row in others
            if row["sys"]["role"] in ("spine", "generic")
            or (row["sys"]["id"] in paired and row["intf"]["if_type"] == "port_channel")
        }
    )[:6] + ["no-such-interface"]

    zone = run.call(
        "zone", "POST", "/security-zones", {"label": "blue", "vrf_name": "blue", "sz_type": "evpn"}
    )[1]["id"]
    vns = [
        {
            "label": "vn-a",
            "vn_type": "vxlan",
            "bound_to": [{"system_id": s, "vlan_id": 100} for s in single],
        },
        {
            "label": "vn-b",
            "vn_type": "vxlan",
            "security_zone_id": zone,
            "bound_to": [{"system_id": g, "vlan_id": 101} for g in group_ids],
        },
        {"label": "vn-c", "vn_type": "vxlan", "reserved_vlan_id": 102},
        {"label": "vn-d", "vn_type": "vxlan"},
        {
            "label": "vn-e",
            "vn_type": "vlan",
            "bound_to": [{"system_id": single[0], "vlan_id": 104}],
        },
        {
            "label": "vn-f",
            "vn_type": "vxlan",
            "bound_to": [{"system_id": members[0], "vlan_id": 105}],
        },
        {
            "label": "vn-g",
            "vn_type": "vxlan",
            "bound_to": [{"system_id": group_ids[0], "vlan_id": 106}],
        },
        {"label": "vn-h", "vn_type": "vxlan", "reserved_vlan_id": 100},
        {
            "label": "vn-i",
            "vn_type": "vxlan",
            "ipv4_enabled": True,
        },  # a build error until it gets a subnet
    ]
    bad_vns = [
        dict(vns[0], label="vn-x1"),  # VLAN 100 overlaps with vn-a
        {"label": "vn-a", "vn_type": "vxlan"},  # label taken
        {"label": "vn-x2", "vn_type": "vxlan", "vn_id": "10001"},
        {"label": "vn-x3", "vn_type": "vxlan", "vn_id": "10001"},  # the same VNI twice in the batch
        {
            "label": "vn-x4",
            "vn_type": "vxlan",
            "bound_to": [{"system_id": single[-1], "vlan_id": 300}],
        },
        {
            "label": "vn-x5",
            "vn_type": "vxlan",
            "bound_to": [{"system_id": single[-1], "vlan_id": 300}],
        },
        {
            "label": "vn-x6",
            "vn_type": "vxlan",
            "bound_to": [{"system_id": group_ids[0]}, {"system_id": members[0]}],
        },
        {"label": "vn-x7", "vn_type": "vxlan", "bound_to": [{"system_id": point_ids[0]}]},
    ]
    ids = run.call("vn batch", "POST", "/virtual-networks-batch", {"virtual_networks": vns})[1]
    vn = {body["label"]: item["id"] for body, item in zip(vns, ids["virtual_networks"])}
    run.call(
        "vn batch with errors", "POST", "/virtual-networks-batch", {"virtual_networks": bad_vns}
    )
    policies = (
        template("ct-a-t", "AttachSingleVLAN", vn_node_id=vn["vn-a"], tag_type="vlan_tagged")
        + template("ct-a-u", "AttachSingleVLAN", vn_node_id=vn["vn-a"], tag_type="untagged")
        + template("ct-b-t", "AttachSingleVLAN", vn_node_id=vn["vn-b"], tag_type="vlan_tagged")
        + template("ct-c-u", "AttachSingleVLAN", vn_node_id=vn["vn-c"], tag_type="untagged")
        + template("ct-d-t", "AttachSingleVLAN", vn_node_id=vn["vn-d"], tag_type="vlan_tagged")
        + template("ct-e-t", "AttachSingleVLAN", vn_node_id=vn["vn-e"], tag_type="vlan_tagged")
        + template("ct-f-t", "AttachSingleVLAN", vn_node_id=vn["vn-f"], tag_type="vlan_tagged")
        + template("ct-h-t", "AttachSingleVLAN", vn_node_id=vn["vn-h"], tag_type="vlan_tagged")
        + template("ct-i-t", "AttachSingleVLAN", vn_node_id=vn["vn-i"], tag_type="vlan_tagged")
        + template(
            "ct-multi",
            "AttachMultipleVLAN",
            untagged_vn_node_id=vn["vn-g"],
            tagged_vn_node_ids=[vn["vn-b"]],
        )
        + template("ct-none", "AttachSingleVLAN", tag_type="vlan_tagged")
    )
    run.call("import", "PUT", "/obj-policy-import", {"policies": policies})
    run.reads("imported")
    every = ["ct-a-t", "ct-a-u", "ct-b-t", "ct-c-u", "ct-d-t", "ct-e-t", "ct-f-t", "ct-h-t"]
    every += ["ct-i-t", "ct-multi", "ct-none", "ct-a-t-p", "no-such-ct"]
    everything = {
        "application_points": [
            {"id": point, "policies": [{"policy": ct, "used": True} for ct in every]}
            for point in point_ids + invalid
        ]
        + [
            {"id": point_ids[0], "policies": [{"policy": "ct-a-t"}, "x", {"used": True}]},
            {"id": point_ids[0]},
        ]
    }
    run.call("apply everything (errors)", "PATCH", "/obj-policy-batch-apply", everything)
    run.call(
        "apply a non-object (error)",
        "PATCH",
        "/obj-policy-batch-apply",
        {"application_points": everything["application_points"] + ["not an object"]},
    )
    valid = {
        "application_points": [
            {
                "id": point,
                "policies": [{"policy": ct, "used": True} for ct in ("ct-a-t", "ct-d-t", "ct-i-t")]
                + [{"policy": "ct-c-u" if index % 2 else "ct-multi", "used": True}],
            }
            for index, point in enumerate(point_ids)
        ]
    }
    run.call("apply valid", "PATCH", "/obj-policy-batch-apply", valid)
    run.reads("applied")
    run.call("apply again (errors)", "PATCH", "/obj-policy-batch-apply", everything)
    run.call("apply valid again", "PATCH", "/obj-policy-batch-apply", valid)
    more = {
        "application_points": [
            {
                "id": point,
                "policies": [
                    {"policy": "ct-a-t", "used": index % 3 != 0},
                    {"policy": "ct-b-t", "used": index % 2 == 1},
                    {"policy": "ct-f-t", "used": index % 2 == 0},
                    {"policy": "ct-d-t", "used": index % 4 == 1},
                ],
            }
            for index, point in enumerate(point_ids)
        ]
    }
    run.call("apply and remove", "PATCH", "/obj-policy-batch-apply", more)
    run.call(
        "remove then add in one point (errors)",
        "PATCH",
        "/obj-policy-batch-apply",
        {
            "application_points": [
                {
                    "id": point,
                    "policies": [
                        {"policy": "ct-a-u", "used": True},
                        {"policy": "ct-multi", "used": True},
                        {"policy": "ct-c-u", "used": True},
                        {"policy": "ct-e-t", "used": True},
                        {"policy": "ct-h-t", "used": True},
                    ],
                }
                for point in point_ids
            ]
        },
    )
    run.reads("changed")
    # a template changed while applied: its instances follow, the new VN gets bound where it is applied
    run.call(
        "re-import ct-d-t on vn-c",
        "PUT",
        "/obj-policy-import",
        {
            "policies": template(
                "ct-d-t", "AttachSingleVLAN", vn_node_id=vn["vn-c"], tag_type="vlan_tagged"
            )
        },
    )
    run.call(
        "delete used VNs (errors)",
        "POST",
        "/delete-virtual-networks",
        {"virtual_network_ids": list(vn.values())},
    )
    run.call(
        "delete templates (errors)",
        "POST",
        "/obj-policy-batch-delete",
        {"policy_ids": ["ct-a-t", "ct-none", "ct-a-t-p", "no-such-ct"]},
    )
    run.call(
        "patch VNs",
        "PATCH",
        "/virtual-networks-batch-patch",
        {
            "virtual_networks": [
                {
                    "virtual_network_id": vn["vn-c"],
                    "bound_to": [{"system_id": s, "vlan_id": 102} for s in single],
                },
                {"virtual_network_id": vn["vn-d"], "description": "patched"},
            ]
        },
    )
    run.reads("re-imported")
    run.call(
        "deploy while erroneous",
        "PUT",
        "/deploy",
        {"version": run.call("diff", "GET", "/diff-status")[1]["staging_version"]},
    )
    run.call(
        "fix vn-i", "PATCH", "/virtual-networks/%s" % vn["vn-i"], {"ipv4_subnet": "10.9.0.0/24"}
    )
    version = run.call("diff-status", "GET", "/diff-status")[1]["staging_version"]
    task = run.call("deploy", "PUT", "/deploy", {"version": version}, {"async": "full"})[1][
        "task_id"
    ]
    for poll in range(3):
        run.call("task poll %d" % poll, "GET", "/tasks/%s" % task)
    run.reads("deployed", "deployed")
    run.call("blueprints", "GET", "", path="/api/blueprints")
    run.call("diff-status after deploy", "GET", "/diff-status")
    run.call(
        "unassign everything",
        "PATCH",
        "/obj-policy-batch-apply",
        {
            "application_points": [
                {"id": point, "policies": [{"policy": ct, "used": False} for ct in every[:10]]}
                for point in point_ids
            ]
        },
    )
    run.reads("unassigned")
    run.call("revert", "POST", "/revert")
    run.reads("reverted")
    return run.answers


def labs(directory):
    """(name, topology file) of the labs the scenario runs on."""
    path = Path(directory) / "generated.yml"
    path.write_text(
        yaml.safe_dump(generate.generate(leafs=8, servers=40, esi_pairs=2, dual_homed=0.5)),
        encoding="utf-8",
    )
    return [("demo", DEMO), ("generated 8 leafs, 40 servers", path)]


def record(directory):
    return {name: scenario(path) for name, path in labs(directory)}


def test_batch_answers_as_before(tmp_path):
    want = json.loads(ANSWERS.read_text(encoding="utf-8"))
    got = record(tmp_path)
    assert list(got) == list(want)
    for lab, answers in got.items():
        assert [a["step"] for a in answers] == [a["step"] for a in want[lab]], lab
        for have, expected in zip(answers, want[lab]):
            assert have == expected, "%s, step %s" % (lab, have["step"])


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: PYTHONPATH=tools python %s --write" % sys.argv[0])
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        result = record(tmp)
    ANSWERS.parent.mkdir(exist_ok=True)
    ANSWERS.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print("wrote %s: %s" % (ANSWERS, {lab: len(steps) for lab, steps in result.items()}))
