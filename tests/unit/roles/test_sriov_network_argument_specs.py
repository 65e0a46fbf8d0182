# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's argument spec documents every variable the role reads.

Every ``sriov_network_*`` name a task (``tasks/*.yml``) or a template of ``vars/main.yml`` or ``defaults/main.yml``
reads, and every variable ``defaults/main.yml`` defines, is an option of ``meta/argument_specs.yml``; what the role
sets itself is not an input and is left out: the ``register:`` names of the tasks and the keys of ``vars/main.yml``.
A default the spec gives is the one ``defaults/main.yml`` sets, and is one of the option's choices.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import yaml

ROLE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    os.pardir,
    os.pardir,
    os.pardir,
    "roles",
    "sriov_network",
)
# A variable name, not a part of a dotted name (netops.cn2_apstra.sriov_network_attachments is a module).
NAME_RE = re.compile(r"(?<![\w.])(sriov_network_\w+)")


def load(*parts):
    with open(os.path.join(ROLE, *parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def task_files():
    directory = os.path.join(ROLE, "tasks")
    return sorted(name for name in os.listdir(directory) if name.endswith((".yml", ".yaml")))


def strings(node):
    """Every string value in a YAML tree (keys name things a task sets, such as set_stats data, not what it reads)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    elif isinstance(node, str):
        yield node


def tasks(node):
    """Every task in a task list, blocks, rescues and always sections included."""
    for task in node or []:
        yield task
        for section in ("block", "rescue", "always"):
            yield from tasks(task.get(section))


def registered():
    return set(
        task["register"]
        for name in task_files()
        for task in tasks(load("tasks", name))
        if "register" in task
    )


def read_names():
    """(name -> where it is read) for every sriov_network_* name in the task files and the vars/defaults templates."""
    where = {}
    sources = [("tasks/" + name, load("tasks", name)) for name in task_files()]
    sources += [
        ("vars/main.yml", load("vars", "main.yml")),
        ("defaults/main.yml", load("defaults", "main.yml")),
    ]
    for source, tree in sources:
        for text in strings(tree):
            for name in NAME_RE.findall(text):
                where.setdefault(name, source)
    for name in load("defaults", "main.yml"):
        where.setdefault(name, "defaults/main.yml")
    return where


def spec_options():
    return load("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]


def test_the_exclusions_are_what_the_role_sets_itself():
    outputs = registered()
    # the names the role registers, as the README lists them for the play
    assert {
        "sriov_network_intent",
        "sriov_network_report_result",
        "sriov_network_drift_found",
    } <= outputs
    assert "sriov_network_blueprint_id" in load("vars", "main.yml")


def test_every_variable_the_role_reads_is_in_the_argument_spec():
    internal = registered() | set(load("vars", "main.yml"))
    inputs = dict((name, source) for name, source in read_names().items() if name not in internal)
    # the parser finds inputs at all (names in templates, and the defaults)
    assert {"sriov_network_source", "sriov_network_mutex", "sriov_network_networks"} <= set(inputs)
    missing = sorted(
        "%s (read in %s)" % (name, source)
        for name, source in inputs.items()
        if name not in spec_options()
    )
    assert not missing, "not in meta/argument_specs.yml: %s" % ", ".join(missing)


def test_the_spec_documents_no_internal_variable():
    internal = registered() | set(load("vars", "main.yml"))
    assert not sorted(internal & set(spec_options()))


def test_spec_defaults_are_the_role_defaults_and_among_the_choices():
    defaults = load("defaults", "main.yml")
    for name, option in spec_options().items():
        if "default" in option:
            assert name in defaults, (
                "%s: the spec gives a default that defaults/main.yml does not set" % name
            )
            assert option["default"] == defaults[name], name
        if "choices" in option:
            assert defaults.get(name, option.get("default")) in option["choices"] + [None], name
        assert not option.get("required") or "default" not in option, name


def test_the_intent_is_optional_and_not_given_by_default():
    """Neither the networks nor the intent file is required by the spec; not given (null) they send the run to the
    intent file check, which refuses a run without an intent before any call."""
    option = spec_options()["sriov_network_networks"]
    assert not option.get("required") and "default" not in option
    assert load("defaults", "main.yml")["sriov_network_networks"] is None
    assert spec_options()["sriov_network_intent_file"]["default"] == ""


def test_the_blueprint_has_no_default_in_the_spec():
    option = spec_options()["sriov_network_blueprint"]
    assert "default" not in option and not option.get("required")
    assert "APSTRA_BLUEPRINT" in " ".join(option["description"])
