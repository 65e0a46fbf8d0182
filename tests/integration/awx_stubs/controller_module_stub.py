"""An action plugin that stands in for an awx.awx / ansible.controller module in tests: it validates the task's
arguments, as Ansible templated them, against the real module's argument spec, records them, and calls no controller.

The argument spec is the module's own: its file is imported from the collection the task's module resolves to (the
play's `collections`), and its ControllerAPIModule is replaced by a class that captures what main() passes to it
(the spec and the mutually_exclusive / required_if / ... rules) plus the controller connection options the real
class adds. Each call appends {"module", "args", "errors"} as a JSON line to $CONFIGURE_STUB_LOG.
"""

import importlib
import json
import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase


class _Captured(Exception):
    def __init__(self, argument_spec, kwargs):
        super().__init__("captured")
        self.argument_spec = argument_spec
        self.kwargs = kwargs


def module_spec(resolved):
    """(argument_spec, validator keyword arguments) of the module `resolved` (namespace.name.module)."""
    namespace, name, module_name = resolved.split(".")
    base = "ansible_collections.%s.%s.plugins" % (namespace, name)
    controller_api = importlib.import_module(base + ".module_utils.controller_api")
    module = importlib.import_module(base + ".modules." + module_name)

    class Capture(controller_api.ControllerAPIModule):
        def __init__(self, argument_spec=None, **kwargs):  # pylint: disable=super-init-not-called
            spec = dict(controller_api.ControllerModule.AUTH_ARGSPEC)
            spec.update(argument_spec or {})
            raise _Captured(spec, kwargs)

    original = module.ControllerAPIModule
    module.ControllerAPIModule = Capture
    try:
        module.main()
    except _Captured as captured:
        rules = dict(
            (key, value)
            for key, value in captured.kwargs.items()
            if key
            in (
                "mutually_exclusive",
                "required_together",
                "required_one_of",
                "required_if",
                "required_by",
            )
        )
        return captured.argument_spec, rules
    finally:
        module.ControllerAPIModule = original
    raise AssertionError("%s: main() never built its ControllerAPIModule" % resolved)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # the module the task names, resolved in the play's `collections` as Ansible resolves it to run it
        context = self._shared_loader_obj.module_loader.find_plugin_with_context(
            self._task.action, collection_list=self._task.collections
        )
        assert context.resolved, "module %s not found in %s" % (
            self._task.action,
            self._task.collections,
        )
        resolved = context.resolved_fqcn
        spec, rules = module_spec(resolved)
        validation = ArgumentSpecValidator(spec, **rules).validate(dict(self._task.args))
        errors = [str(error) for error in validation.errors]
        with open(os.environ["CONFIGURE_STUB_LOG"], "a", encoding="utf-8") as log:
            log.write(
                json.dumps(
                    {"module": resolved, "args": self._task.args, "errors": errors}, default=str
                )
                + "\n"
            )
        if errors:
            result.update(failed=True, msg="%s: %s" % (resolved, "; ".join(errors)))
        else:
            result.update(changed=True)
        return result
