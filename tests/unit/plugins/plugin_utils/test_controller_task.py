# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.netops.cn2_apstra.plugins.module_utils import report_task
from ansible_collections.netops.cn2_apstra.plugins.module_utils.local_task import TaskFailed
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import intent_task
from ansible_collections.netops.cn2_apstra.plugins.plugin_utils.controller_task import (
    holds_template,
    lookup,
    plain,
)

VARIABLES = {"facts": {"blueprints": [{"id": "bp-1"}], "fabric": {"leafs": ["leaf1"]}}}


def test_lookup_follows_keys_and_list_indexes_and_says_where_the_path_ends_early():
    assert lookup(VARIABLES, "facts.fabric.leafs") == (True, ["leaf1"])
    assert lookup(VARIABLES, "facts.blueprints.0.id") == (True, "bp-1")
    for path in ("nothing", "facts.nothing", "facts.blueprints.1", "facts.fabric.leafs.x"):
        assert lookup(VARIABLES, path) == (False, None), path


def test_only_trusted_text_with_template_syntax_makes_a_value_hold_a_template():
    templar = Templar(loader=DataLoader())
    # a registered result: strings that look like templates are data, not templates; trusted text from a vars file
    # (tagged trusted through the task that returned it) without template syntax renders as itself
    registered = {
        "msg": "{{ not rendered }}",
        "items": [{"name": "{{ x }}"}],
        "n": 1,
        "from_the_intent_file": trust_as_template("sriov-a"),
    }
    assert not holds_template(templar, registered)
    for where in (
        {"items": [{"name": trust_as_template("{{ x }}")}]},
        {trust_as_template("{{ key }}"): 1},
        [[trust_as_template("{{ deep }}")]],
    ):
        assert holds_template(templar, where), where


def exact_types(value):
    if isinstance(value, dict):
        return value.__class__ is dict and all(
            exact_types(k) and exact_types(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return value.__class__ is list and all(exact_types(item) for item in value)
    return value is None or value.__class__ in (str, int, float, bool)


def test_plain_gives_the_same_values_in_pythons_own_types(tmp_path):
    intent = tmp_path / "intent.yml"
    intent.write_text(
        "networks:\n- {name: sriov-a, vlan: 101, mtu: 9000.0, tagged: true, gateway: null}\n"
    )
    loaded = DataLoader().load_from_file(str(intent))
    assert not exact_types(loaded), "ansible-core tags what it reads from a file"
    assert plain(loaded) == loaded and exact_types(plain(loaded))
    assert plain((trust_as_template("a"), 1)) == ["a", 1] and exact_types(
        plain((trust_as_template("a"), 1))
    )


@pytest.mark.parametrize("run", [intent_task.run, report_task.run])
def test_as_a_module_registered_is_refused_before_anything_runs(run, tmp_path):
    with pytest.raises(TaskFailed, match="registered: only the action plugin"):
        run({"registered": {"networks": "validated.networks"}, "path": str(tmp_path)}, False)
    assert list(tmp_path.iterdir()) == [], "no report written"
