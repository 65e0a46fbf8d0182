# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a task that only computes (or writes local files) in the controller's own process.

A module task costs a process, the transfer of its arguments and a Python start-up; sriov_intent and
sriov_change_report connect to nothing, so their action plugins run the modules' own code here instead. The
modules stay: they are the documentation, and run the same code when called as modules.

Their ``registered`` option names registered results instead of passing them by value: ansible-core 2.19 templates
every value of a task argument (about 5 microseconds each, 0.2-0.5 s per task for the role's results at 50 networks on
200 servers); a registered result holds no template, so it is read as the earlier task left it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.collections import is_sequence
from ansible.plugins.action import ActionBase

from ansible_collections.netops.cn2_apstra.plugins.module_utils.local_task import TaskFailed

try:
    from ansible.template import is_trusted_as_template  # ansible-core 2.19+
except ImportError:  # older: any string not marked unsafe may be a template
    from ansible.utils.unsafe_proxy import AnsibleUnsafe

    def is_trusted_as_template(value):
        return not isinstance(value, AnsibleUnsafe)


VARIABLE_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$")
NATIVE_SCALARS = (str, int, float)
PYTHON_TYPES = {"dict": (dict,), "list": (list,), "str": (str,), "bool": (bool,)}


def lookup(variables, path):
    """(True, value) at a dotted path (dict keys, list indexes) in the variables; (False, None) where it ends early."""
    value = variables
    for key in path.split("."):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif is_sequence(value) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return False, None
    return True, value


def plain(value):
    """The value in Python's own types. ansible-core 2.19 hands an action plugin tagged copies (origin, trust), and its
    argument validation deep-copies each of them through the pickle protocol: 0.1 s for a 50-network intent, where
    plain values take milliseconds. Nothing downstream reads the tags of a value given by value."""
    if isinstance(value, dict):
        return dict((plain(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    for native in NATIVE_SCALARS:
        # bool is an int that is never tagged; native() of a plain value is the value itself
        if isinstance(value, native) and not isinstance(value, bool):
            return native(value)
    return value


def holds_template(templar, value):
    """Whether a string anywhere in the value would be templated as a task argument (``templar``: a Templar)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if (
                ("{" in item or "#" in item)
                and templar.is_possibly_template(item)
                # 2.19 tags strings read from playbooks and vars files as trusted, and the tag stays on them through a
                # task's result: only trusted text with template syntax is a template
                and is_trusted_as_template(item)
            ):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


class RegisteredOptions:
    """The ``registered`` option of an action plugin: options set from registered results by name."""

    def take_registered(self, params, by_value, registered, spec, variables):
        for option, path in sorted((registered or {}).items()):
            self.set_registered(params, by_value, option, path, spec, variables)

    def set_registered(self, params, by_value, option, path, spec_of, variables):
        """Set ``option`` (or ``option.key``, a key of a dict option) from the variable at ``path``, if defined."""
        name, _dot, key = option.partition(".")
        spec = spec_of.get(name) if name != "registered" else None
        where = "registered.%s" % option
        if spec is None:
            raise AnsibleActionFail(
                "%s: no such option; registered sets one of: %s"
                % (where, ", ".join(sorted(set(spec_of) - set(["registered"]))))
            )
        if name in by_value:
            raise AnsibleActionFail("%s: %s is given by value too; give it one way" % (where, name))
        if key and spec.get("type") != "dict":
            raise AnsibleActionFail("%s: %s is not a dict option, it has no keys" % (where, name))
        if not isinstance(path, str) or not VARIABLE_PATH.match(path):
            raise AnsibleActionFail(
                "%s: %r is not a variable name (variable, or variable.key.key ...)" % (where, path)
            )
        found, value = lookup(variables, path)
        if not found:
            return
        if holds_template(self._templar, value):
            value = self._templar.template(value)
        expected = None if key else spec.get("type", "str")
        if expected in PYTHON_TYPES and not isinstance(value, PYTHON_TYPES[expected]):
            raise AnsibleActionFail(
                "%s: %s is a %s; %s takes a %s"
                % (where, path, type(value).__name__, name, expected)
            )
        if key:
            params[name] = dict(params.get(name) or {}, **{key: value})
        else:
            params[name] = value


class ControllerTask(RegisteredOptions, ActionBase):
    """Subclasses set ARGUMENT_SPEC and RUN (``run(params, check_mode) -> result``, raising TaskFailed)."""

    TRANSFERS_FILES = False
    ARGUMENT_SPEC = {}
    RUN = None

    def run(self, tmp=None, task_vars=None):
        result = super(ControllerTask, self).run(tmp, task_vars)
        by_value = plain(self._task.args)
        registered = by_value.pop("registered", None) or {}
        self._task.args = by_value
        _validation, params = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        params.pop("registered", None)
        self.take_registered(params, by_value, registered, self.ARGUMENT_SPEC, task_vars or {})
        try:
            self.prepare(params, task_vars or {})
            result.update(self.RUN(params, self._play_context.check_mode))
        except TaskFailed as exc:
            result.update(exc.result, failed=True)
        return result

    def prepare(self, params, task_vars):
        """Controller-side work on the validated parameters before RUN (subclasses); raises TaskFailed."""
