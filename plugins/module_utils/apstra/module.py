# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApstraModule: the Ansible side of every Apstra module (argument spec, client, blueprint, the one result and
failure shape). A resource module is an argument spec plus a ``Resource`` from ``apstra/resources.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    WRITE_TIMEOUT,
    ApstraError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.connection import (
    client_from_options,
    from_environment,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    FabricContext,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import ApstraService
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import (
    ValidationError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    ApplyFailed,
    Engine,
    ResourceError,
    failure,
    ownership,
)

BLUEPRINT_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

try:
    import requests  # noqa: F401, pylint: disable=unused-import
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None


def environment_fallback(option):
    """Fallback of an argument spec: the first of ENV[option] set to a non-empty value (Ansible's env_fallback takes
    the first one set, even empty, as AWX injects the fields a credential leaves empty)."""
    value = from_environment(option)
    if value is None:
        raise AnsibleFallbackNotFound
    return value


def _env(option):
    return (environment_fallback, [option])


def blueprint_option():
    """The ``blueprint`` option (doc fragment netops.cn2_apstra.apstra.blueprint): a label or id, else APSTRA_BLUEPRINT."""
    return dict(type="str", fallback=_env("blueprint"))


def apstra_argument_spec():
    """Connection options; documented by the doc fragment netops.cn2_apstra.apstra."""
    return dict(
        api_url=dict(type="str", fallback=_env("api_url")),
        username=dict(type="str", fallback=_env("username")),
        password=dict(type="str", no_log=True, fallback=_env("password")),
        auth_token=dict(type="str", no_log=True, fallback=_env("auth_token")),
        validate_certs=dict(
            type="bool",
            default=True,
            aliases=["verify_certificates"],
            fallback=_env("validate_certs"),
        ),
        ca_path=dict(type="path", fallback=_env("ca_path")),
        timeout=dict(type="int", default=30),
        write_timeout=dict(type="int", default=WRITE_TIMEOUT),
        token_cache=dict(type="bool", default=True, fallback=_env("token_cache")),
    )


class ApstraModule:
    """Base of every Apstra module: subclasses set ARGUMENT_SPEC and implement run()."""

    ARGUMENT_SPEC = {}
    NEEDS_BLUEPRINT = True

    @classmethod
    def argument_spec(cls):
        spec = apstra_argument_spec()
        if cls.NEEDS_BLUEPRINT:
            spec["blueprint"] = blueprint_option()
        spec.update(cls.ARGUMENT_SPEC)
        return spec

    def __init__(self, module=None):
        """``module``: an AnsibleModule, or the stand-in its action plugin passes to run it on the controller."""
        self.module = module or AnsibleModule(
            argument_spec=self.argument_spec(), supports_check_mode=True
        )
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self._client = None
        self._service = None
        self._blueprint = None
        self._context = None
        self.engine = None
        if not HAS_REQUESTS:
            self.module.fail_json(
                msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR
            )

    # -- connection -------------------------------------------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            self._client = client_from_options(self.params)
        return self._client

    @property
    def service(self):
        if self._service is None:
            self._service = ApstraService(self.client)
        return self._service

    @property
    def blueprint(self):
        """The blueprint record (id, label, version, ...) chosen by the `blueprint` option."""
        if self._blueprint is None:
            self._blueprint = self.service.resolve_blueprint(self.params["blueprint"])
        return self._blueprint

    @property
    def bp_id(self):
        """The blueprint id; a UUID-form `blueprint` is taken as the id without listing the blueprints."""
        if self._blueprint is None and BLUEPRINT_ID_RE.match(self.params["blueprint"] or ""):
            return self.params["blueprint"]
        return self.blueprint["id"]

    @property
    def context(self):
        if self._context is None:
            self._context = FabricContext(
                self.service,
                lambda: self.bp_id,
                check_mode=self.check_mode,
                ownership=ownership(self.params) if "owner" in self.params else None,
            )
        return self._context

    def run_resource(self, resource, state=None, config=None):
        """Run the resource engine for ``resource`` (a backend on this module's context) and this module's state and
        config; returns the result dict."""
        self.engine = Engine(
            resource,
            state or self.params["state"],
            config if config is not None else self.params.get("config"),
            check_mode=self.check_mode,
        )
        return self.engine.run()

    # -- lifecycle --------------------------------------------------------------------------------------
    def run(self):
        """Return a dict with the module's result keys (before, after, plan, changed, ...)."""
        raise NotImplementedError

    def main(self):
        try:
            result = self.run()
        except (ValidationError, ResourceError) as exc:
            self.module.fail_json(msg=str(exc), changed=False, plan=[])
        except ApplyFailed as exc:
            self.module.fail_json(**failure(exc, self.check_mode))
        except ApstraError as exc:
            self.module.fail_json(
                msg=str(exc), changed=False, status=exc.status, error=exc.body, plan=[]
            )
        finally:
            if self._client is not None:
                self._client.close()
        self.exit(**result)

    def exit(self, changed=None, before=None, after=None, plan=None, diff=None, **extra):
        plan = plan or []
        result = dict(
            changed=bool(plan) if changed is None else changed,
            before=before if before is not None else [],
            after=after if after is not None else [],
            plan=plan,
        )
        if self.module._diff and diff:  # pylint: disable=protected-access
            result["diff"] = diff
        if self._context is not None and self._context.notes:
            result["notes"] = list(self._context.notes)
        result.update(extra)
        self.module.exit_json(**result)
