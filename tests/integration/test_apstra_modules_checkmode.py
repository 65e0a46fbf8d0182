"""Check mode plans a whole fresh build (zone -> VNs in it -> port bindings on them) without a write; the real run sends that plan."""

ZONES = "netops.cn2_apstra.apstra_routing_zones"
VNS = "netops.cn2_apstra.apstra_virtual_networks"
PB = "netops.cn2_apstra.apstra_port_bindings"

BUILD = [
    {"name": "zone", ZONES: {"config": [{"label": "sriov-red"}]}},
    {
        "name": "networks",
        VNS: {
            "config": [
                {
                    "label": "sriov-red-a",
                    "vni": 10310,
                    "vlan_id": 310,
                    "routing_zone": "sriov-red",
                    "bindings": ["leaf1", "leaf3-leaf4"],
                    "ipv4_subnet": "10.31.0.0/24",
                    "ipv4_gateway": "10.31.0.1",
                },
                {
                    "label": "sriov-red-b",
                    "vni": 10311,
                    "vlan_id": 311,
                    "routing_zone": "sriov-red",
                    "bindings": ["leaf2"],
                },
            ]
        },
    },
    {
        "name": "bindings",
        PB: {
            "config": [
                {"virtual_network": "sriov-red-a", "servers": ["worker-01", "worker-05"]},
                {
                    "virtual_network": "sriov-red-b",
                    "tagged": False,
                    "switch_ports": ["leaf2:xe-0/0/4"],
                },
            ]
        },
    },
]


def planned(plans):
    return [(p["method"], p["path"].split("?")[0]) for p in plans]


def is_placeholder(value):
    return isinstance(value, str) and value.startswith("<") and value.endswith("(planned)>")


def match(check, real, ids, where="body"):
    """Assert check == real except that each placeholder in check stands for one real value, the same everywhere."""
    if is_placeholder(check):
        assert ids.setdefault(check, real) == real, "%s: placeholder %s stands for two ids" % (
            where,
            check,
        )
        assert not is_placeholder(real), "%s: the real run sent a placeholder" % where
        return
    assert type(check) is type(real), "%s: %r vs %r" % (where, check, real)
    if isinstance(check, dict):
        assert sorted(check) == sorted(real), "%s: keys %s vs %s" % (
            where,
            sorted(check),
            sorted(real),
        )
        for key in check:
            match(check[key], real[key], ids, "%s.%s" % (where, key))
    elif isinstance(check, list):
        assert len(check) == len(real), "%s: %d vs %d items" % (where, len(check), len(real))
        for index, (one, other) in enumerate(zip(check, real)):
            match(one, other, ids, "%s[%d]" % (where, index))
    else:
        assert check == real, "%s: %r vs %r" % (where, check, real)


def test_check_mode_plans_the_whole_build_and_the_real_run_sends_it(
    apstra, apstra_credentials, run_tasks
):
    _run, checked = run_tasks(apstra_credentials, BUILD, "--check", "--diff")
    check_calls = len(apstra.requests_log())
    assert apstra.writes() == [], "check mode must not write"
    assert [r.get("failed", False) for r in checked] == [False, False, False], [
        r.get("msg") for r in checked
    ]
    assert all(r["changed"] for r in checked)
    check_plans = [p for r in checked for p in r["plan"]]
    bp = check_plans[0]["path"].split("/")[3]
    assert planned(check_plans) == [
        ("POST", "/api/blueprints/%s/security-zones" % bp),
        ("POST", "/api/blueprints/%s/virtual-networks-batch" % bp),
        ("PUT", "/api/blueprints/%s/obj-policy-import" % bp),
        ("PATCH", "/api/blueprints/%s/obj-policy-batch-apply" % bp),
    ]
    zone_note, vn_notes = checked[1]["notes"], checked[2]["notes"]
    assert (
        len(zone_note) == 1
        and "unknown routing zone 'sriov-red'" in zone_note[0]
        and "<routing zone sriov-red (planned)>" in zone_note[0]
    )
    assert len(vn_notes) == 2 and "<virtual network sriov-red-b (planned)>" in vn_notes[1]
    assert not any(r.get("warnings") for r in checked)
    assert {vn["security_zone_id"] for vn in check_plans[1]["body"]["virtual_networks"]} == {
        "<routing zone sriov-red (planned)>"
    }
    assert len(check_plans[2]["body"]["policies"]) == 6 and all(
        is_placeholder(p["id"]) for p in check_plans[2]["body"]["policies"]
    )
    assert checked[2]["after"][0]["interfaces"] == ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]

    apstra.clear_log()
    _run, applied = run_tasks(apstra_credentials, BUILD, "--diff")
    real_calls = len(apstra.requests_log())
    assert [r.get("failed", False) for r in applied] == [False, False, False], [
        r.get("msg") for r in applied
    ]
    assert all("notes" not in r for r in applied)
    real_plans = [p for r in applied for p in r["plan"]]
    writes = [(w["method"], w["path"]) for w in apstra.writes()]
    assert (
        writes == planned(real_plans) == planned(check_plans)
    ), "the real run sends exactly the planned requests"
    ids = {}
    for check, real in zip(check_plans, real_plans):
        match(check["body"], real["body"], ids, "%s %s" % (real["method"], real["path"]))
    for check, real in zip(checked, applied):
        match(check["after"], real["after"], ids, "after")

    state = apstra.state()["blueprints"][bp]
    zone_id = [z["id"] for z in state["security_zones"].values() if z["label"] == "sriov-red"][0]
    vn_ids = dict((vn["label"], vn["id"]) for vn in state["virtual_networks"].values())
    assert ids["<routing zone sriov-red (planned)>"] == zone_id
    assert ids["<virtual network sriov-red-a (planned)>"] == vn_ids["sriov-red-a"]
    assert ids["<virtual network sriov-red-b (planned)>"] == vn_ids["sriov-red-b"]
    assert len(ids) == 3 + 6  # the zone, two VNs, and three nodes of each of the two new templates
    print(
        "API calls: check run %d (0 writes), real run %d (%d writes)"
        % (check_calls, real_calls, len(writes))
    )

    apstra.clear_log()
    _run, again = run_tasks(apstra_credentials, BUILD, "--check")
    assert not any(r["changed"] for r in again) and apstra.writes() == []


def test_unknown_zone_fails_a_real_run_before_any_write(apstra, apstra_credentials, run_tasks):
    config = {
        "config": [
            {"label": "v1", "vlan_id": 320, "routing_zone": "defualt", "bindings": ["leaf1"]},
            {"label": "v2", "vlan_id": 321, "bindings": ["leaf1"]},
        ]
    }
    bindings = {"config": [{"virtual_network": "v1", "servers": ["worker-01"]}]}
    tasks = [
        {"name": "check", VNS: config, "check_mode": True},
        {"name": "bindings check", PB: bindings, "check_mode": True},
        {"name": "real", VNS: config, "ignore_errors": True},
        {"name": "bindings real", PB: bindings, "ignore_errors": True},
    ]
    _run, (check, pb_check, real, pb_real) = run_tasks(apstra_credentials, tasks)
    assert (
        check["changed"]
        and "did you mean: default" in check["notes"][0]
        and "<routing zone defualt (planned)>" in check["notes"][0]
    )
    assert pb_check["changed"] and "unknown virtual network 'v1'" in pb_check["notes"][0]
    assert (
        real["failed"]
        and "config[label=v1].routing_zone: unknown routing zone 'defualt'; did you mean: default"
        in real["msg"]
    )
    assert real["plan"] == [] and "notes" not in real
    assert (
        pb_real["failed"]
        and "config[0].virtual_network: unknown virtual network 'v1'" in pb_real["msg"]
    )
    assert apstra.writes() == []
