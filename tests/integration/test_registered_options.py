"""sriov_intent and sriov_change_report take registered results by name (``registered``): read as registered, rendered
when the variable holds templates, and refused with the option named when the name cannot be used.
"""

INTENT = "netops.cn2_apstra.sriov_intent"
NETWORK = {
    "name": "sriov-a",
    "namespace": "telco",
    "vlan": 110,
    "routing_zone": "telco",
    "subnet": "10.110.0.0/24",
    "resource_name": "intel.com/sriov_netdevice",
}


def validate(**args):
    return {INTENT: dict(mode="validate", **args)}


def test_a_registered_result_by_name_is_read_as_registered_and_a_template_is_rendered(run_tasks):
    tasks = [
        dict(validate(networks=[NETWORK]), name="by value", register="validated"),
        dict(validate(registered={"networks": "validated.networks"}), name="by name"),
        dict(
            validate(registered={"networks": "templated"}),
            name="a variable that holds templates",
            vars={"templated": [dict(NETWORK, name="{{ 'sriov' ~ '-b' }}", vlan="{{ 100 + 11 }}")]},
        ),
        dict(
            validate(networks=[NETWORK], registered={"allocation": "validated.nothing_here"}),
            name="undefined",
        ),
    ]
    result, (by_value, by_name, templated, undefined) = run_tasks({}, tasks)
    assert result.rc == 0, result
    assert by_name["networks"] == by_value["networks"] and by_value["networks"][0]["vlan"] == 110
    assert [(n["name"], n["vlan"]) for n in templated["networks"]] == [("sriov-b", 111)]
    # an undefined variable leaves the option at its default (allocation {}: the default VLAN range)
    assert undefined["networks"] == by_value["networks"]


def test_a_name_that_cannot_be_used_is_refused_with_the_option_named(run_tasks):
    cases = [
        (
            {"registered": {"nope": "validated"}},
            "registered.nope: no such option; registered sets one of:",
        ),
        (
            {"networks": [NETWORK], "registered": {"networks": "validated.networks"}},
            "registered.networks: networks is given by value too",
        ),
        ({"registered": {"networks": "validated"}}, "registered.networks: validated is a dict"),
        (
            {"registered": {"networks": "not a name"}},
            "registered.networks: 'not a name' is not a variable",
        ),
        (
            {"registered": {"networks.key": "validated"}},
            "registered.networks.key: networks is not a dict",
        ),
    ]
    tasks = [dict(validate(networks=[NETWORK]), name="by value", register="validated")] + [
        dict({INTENT: dict({"mode": "validate"}, **args)}, name=expected, ignore_errors=True)
        for args, expected in cases
    ]
    result, results = run_tasks({}, tasks)
    assert result.rc == 0, result
    for (_args, expected), failed in zip(cases, results[1:]):
        assert failed.get("failed") and expected in failed["msg"], (expected, failed)
