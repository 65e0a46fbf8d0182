"""Apstra resource modules through ansible-playbook against the emulator: states, check, diff, idempotence, errors."""

OWNER = "managed-by:netops.cn2_apstra"


def four_way(name, module, args):
    """check, real, check, real of the same task (cisco.aci style)."""
    task = {module: args}
    return [
        dict(task, name="%s check 1" % name, check_mode=True),
        dict(task, name="%s real 1" % name),
        dict(task, name="%s check 2" % name, check_mode=True),
        dict(task, name="%s real 2" % name),
    ]


def write_calls(apstra):
    return [(r["method"], r["path"]) for r in apstra.writes()]


def planned(plan):
    return [(p["method"], p["path"].split("?")[0]) for p in plan]


def assert_four_way(results, writes):
    check1, real1, check2, real2 = results
    assert [r["changed"] for r in results] == [True, True, False, False], [
        r.get("msg") for r in results
    ]
    assert check1["plan"] == real1["plan"] and real1["plan"]
    assert check2["plan"] == [] and real2["plan"] == []
    assert check1["after"] == real1["after"] and check1["before"] == real1["before"]
    assert writes == planned(
        real1["plan"]
    ), "check runs must not write; the real run sends exactly its plan"


def test_routing_zones_all_states(apstra, apstra_credentials, run_tasks):
    zones = "netops.cn2_apstra.apstra_routing_zones"
    config = [
        {
            "label": "telco",
            "vni": 20001,
            "import_rts": ["65000:20001"],
            "export_rts": ["65000:20001"],
        },
        {"label": "storage"},
    ]
    tasks = four_way("zones", zones, {"config": config, "state": "merged"})
    _run, results = run_tasks(apstra_credentials, tasks, "--diff")
    assert_four_way(results, write_calls(apstra))
    assert {d["after_header"] for d in results[1]["diff"]} == {
        "routing_zone telco",
        "routing_zone storage",
    }
    state = apstra.state()["blueprints"]
    zones_now = {z["label"]: z for bp in state.values() for z in bp["security_zones"].values()}
    assert zones_now["telco"]["vni_id"] == 20001 and OWNER in zones_now["telco"]["tags"]

    apstra.clear_log()
    tasks = [
        {
            "name": "replaced",
            zones: {"config": [{"label": "telco", "vni": 20001}], "state": "replaced"},
        },
        {
            "name": "replaced again",
            zones: {"config": [{"label": "telco", "vni": 20001}], "state": "replaced"},
        },
        {
            "name": "overridden (check)",
            zones: {"config": [{"label": "telco"}, {"label": "edge"}], "state": "overridden"},
            "check_mode": True,
        },
        {
            "name": "overridden",
            zones: {"config": [{"label": "telco"}, {"label": "edge"}], "state": "overridden"},
        },
        {"name": "gathered", zones: {"state": "gathered"}},
        {"name": "deleted", zones: {"config": [{"label": "edge"}], "state": "deleted"}},
        {"name": "deleted again", zones: {"config": [{"label": "edge"}], "state": "deleted"}},
        {
            "name": "rendered",
            zones: {
                "config": [{"label": "x1", "vni": 30001}],
                "state": "rendered",
                "api_url": "https://unreachable.invalid",
            },
        },
    ]
    _run, results = run_tasks(apstra_credentials, tasks)
    replaced, replaced2, over_check, over, gathered, deleted, deleted2, rendered = results
    assert replaced["changed"] and replaced["plan"][0]["body"] == {
        "rt_policy": {"import_RTs": [], "export_RTs": []}
    }
    assert not replaced2["changed"]
    assert planned(over_check["plan"]) == planned(over["plan"])
    assert sorted(p["method"] for p in over["plan"]) == [
        "DELETE",
        "POST",
    ]  # storage removed, edge created; telco kept
    assert {z["label"] for z in gathered["gathered"]} == {"Default routing zone", "telco", "edge"}
    assert deleted["changed"] and not deleted2["changed"]
    assert not rendered["changed"] and rendered["rendered"][0]["body"]["vni_id"] == 30001
    assert [m for m, _path in write_calls(apstra)] == ["PATCH", "DELETE", "POST", "DELETE"]


VN_CONFIG = [
    {
        "label": "sriov-a",
        "vni": 10100,
        "vlan_id": 100,
        "routing_zone": "telco",
        "bindings": ["leaf1", "leaf2", "leaf3-leaf4"],
        "ipv4_subnet": "10.100.0.0/24",
        "ipv4_gateway": "10.100.0.1",
        "mtu": 9000,
        "tags": ["sriov"],
    },
    {"label": "sriov-b", "vlan_id": 101, "bindings": ["leaf1"], "dhcp": True},
]


def test_virtual_networks_four_way_and_states(apstra, apstra_credentials, run_tasks):
    vns = "netops.cn2_apstra.apstra_virtual_networks"
    tasks = [
        {"name": "zone", "netops.cn2_apstra.apstra_routing_zones": {"config": [{"label": "telco"}]}}
    ]
    tasks += four_way("vns", vns, {"config": VN_CONFIG})
    tasks += [
        {
            "name": "merged change",
            vns: {"config": [{"label": "sriov-b", "bindings": ["leaf2"], "description": "b"}]},
        },
        {
            "name": "replaced",
            vns: {
                "config": [{"label": "sriov-b", "vlan_id": 101, "bindings": ["leaf2"]}],
                "state": "replaced",
            },
        },
        {
            "name": "overridden check",
            vns: {"config": VN_CONFIG[:1], "state": "overridden"},
            "check_mode": True,
        },
        {"name": "overridden", vns: {"config": VN_CONFIG[:1], "state": "overridden"}},
        {"name": "gathered", vns: {"state": "gathered"}},
        {"name": "deleted", vns: {"state": "deleted"}},
    ]
    _run, results = run_tasks(apstra_credentials, tasks, "--diff")
    zone, *results = results
    assert zone["changed"]
    writes = write_calls(apstra)[1:]
    assert_four_way(results[:4], writes[:1])
    assert planned(results[1]["plan"]) == [
        (
            "POST",
            "/api/blueprints/%s/virtual-networks-batch"
            % results[1]["plan"][0]["path"].split("/")[3],
        )
    ]
    diff = {d["after_header"]: d for d in results[1]["diff"]}
    assert diff["virtual_network sriov-a"]["after"]["bindings"] == ["leaf1", "leaf2", "leaf3-leaf4"]
    merged, replaced, over_check, over, gathered, deleted = results[4:]
    assert (
        merged["after"][1]["bindings"] == ["leaf1", "leaf2"]
        and merged["after"][1]["description"] == "b"
    )
    assert replaced["changed"] and [b["label"] for b in replaced["after"]] == ["sriov-a", "sriov-b"]
    assert (
        replaced["after"][1]["bindings"] == ["leaf2"]
        and replaced["after"][1]["dhcp"] is False
        and replaced["after"][1]["description"] is None
    )
    assert over_check["plan"] == over["plan"] and over["plan"][0]["path"].endswith(
        "/delete-virtual-networks"
    )
    assert [vn["label"] for vn in gathered["gathered"]] == ["sriov-a"]
    assert (
        gathered["gathered"][0]["vni"] == 10100
        and gathered["gathered"][0]["routing_zone"] == "telco"
    )
    assert deleted["changed"] and deleted["after"] == []
    state = apstra.state()["blueprints"]
    assert not [vn for bp in state.values() for vn in bp["virtual_networks"].values()]


def test_input_errors_before_any_call(apstra, apstra_credentials, run_tasks):
    vns = "netops.cn2_apstra.apstra_virtual_networks"
    bad = [
        (
            {"label": "v1", "vlan_id": 4095},
            "config[0].vlan_id=4095 is out of range: allowed 2-4094",
        ),
        ({"label": "v1", "vni": 100}, "config[0].vni=100 is out of range: allowed 4096-16777214"),
        (
            {"label": "not a label"},
            "config[0].label='not a label' is not a valid label: allowed 1-30 characters of [A-Za-z0-9_-]",
        ),
        (
            {"label": "v1", "ipv4_subnet": "10.1.0.0/24", "ipv4_gateway": "10.2.0.1"},
            "config[0].ipv4_gateway=10.2.0.1 is not a host address inside",
        ),
        (
            {"label": "v1", "ipv4_subnet": "10.1.0.0/40"},
            "config[0].ipv4_subnet='10.1.0.0/40' is not an IPv4 CIDR",
        ),
        (
            {"label": "v1", "bindings": ["leef1"]},
            "config[label=v1].bindings: unknown leaf or ESI pair 'leef1'; did you mean: leaf1",
        ),
        (
            {"label": "v1", "routing_zone": "telcoo"},
            "config[label=v1].routing_zone: unknown routing zone 'telcoo'",
        ),
    ]
    tasks = [
        {"name": "bad %d" % i, vns: {"config": [cfg]}, "ignore_errors": True}
        for i, (cfg, _msg) in enumerate(bad)
    ]
    tasks.append(
        {
            "name": "bad server",
            "netops.cn2_apstra.apstra_port_bindings": {
                "config": [{"virtual_network": "x", "servers": ["worker-01"]}]
            },
            "ignore_errors": True,
        }
    )
    tasks.append(
        {
            "name": "bad zone vni",
            "netops.cn2_apstra.apstra_routing_zones": {"config": [{"label": "z", "vni": 1}]},
            "ignore_errors": True,
        }
    )
    _run, results = run_tasks(apstra_credentials, tasks)
    for (_cfg, message), result in zip(bad, results):
        assert result["failed"] and message in result["msg"], result["msg"]
    assert "unknown virtual network 'x'" in results[len(bad)]["msg"]
    assert "allowed 4096-16777214" in results[-1]["msg"]
    assert apstra.writes() == []


def test_api_error_midway_reports_applied(apstra, apstra_credentials, run_tasks):
    vns = "netops.cn2_apstra.apstra_virtual_networks"
    tasks = [
        {
            "name": "seed",
            vns: {"config": [{"label": "old1", "vlan_id": 300, "bindings": ["leaf1"]}]},
        },
        # old1 goes (delete), new1 clashes with the VLAN of an existing network the module does not own.
        {
            "name": "clash",
            vns: {
                "config": [
                    {"label": "new1", "vlan_id": 10, "bindings": ["leaf1"]},
                    {"label": "new2", "vlan_id": 10, "bindings": ["leaf1"]},
                ],
                "state": "overridden",
            },
            "ignore_errors": True,
        },
    ]
    _run, results = run_tasks(apstra_credentials, tasks)
    clash = results[1]
    assert clash["failed"] and clash["status"] == 422
    assert (
        "applied 1 of 2" in clash["msg"]
        and "delete-virtual-networks" in clash["msg"]
        and "virtual-networks-batch" in clash["msg"]
    )
    assert planned(clash["applied"]) == [write_calls(apstra)[1]]
    assert "overlaps" in clash["msg"] or "VLAN" in clash["msg"]
