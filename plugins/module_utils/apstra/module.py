# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApstraModule: argument spec, client, blueprint, check/diff plumbing and the one result shape."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraClient,
    ApstraError,
    TokenCache,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.planner import (
    OWNER_TAG,
    after_objects,
    plan_changes,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import ApstraService
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import ValidationError

BLUEPRINT_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

try:
    import requests  # noqa: F401, pylint: disable=unused-import
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

try:
    import netaddr  # noqa: F401, pylint: disable=unused-import
except ImportError:
    HAS_NETADDR = False
    NETADDR_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_NETADDR = True
    NETADDR_IMPORT_ERROR = None


def apstra_argument_spec():
    """Connection options; documented by the doc fragment netops.cn2_apstra.apstra."""
    return dict(
        api_url=dict(type="str", fallback=(env_fallback, ["APSTRA_API_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["APSTRA_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["APSTRA_PASSWORD"])),
        auth_token=dict(type="str", no_log=True, fallback=(env_fallback, ["APSTRA_AUTH_TOKEN"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["APSTRA_VERIFY_CERTIFICATES"])),
        ca_path=dict(type="path"),
        timeout=dict(type="int", default=30),
        token_cache=dict(type="bool", default=True, fallback=(env_fallback, ["APSTRA_TOKEN_CACHE"])),
    )


def blueprint_argument_spec():
    return dict(blueprint=dict(type="str", required=True))


class PlanFailed(Exception):
    """A write in the plan failed: carries the API error and how far the plan got."""

    def __init__(self, error, applied, not_applied):
        self.error = error
        self.applied = applied
        self.not_applied = not_applied
        super(PlanFailed, self).__init__(str(error))


def op(method, path, body=None):
    """One planned write request."""
    return {"method": method, "path": path, "body": body}


def placeholder(kind, name):
    """Id that stands, in a check-mode plan, for an object an earlier task of the same check run would create."""
    return "<%s %s (planned)>" % (kind, name)


def is_placeholder(value):
    return isinstance(value, str) and value.startswith("<") and value.endswith("(planned)>")


class ApstraModule:
    """Base of every Apstra module: subclasses set ARGUMENT_SPEC and implement run()."""

    ARGUMENT_SPEC = {}
    NEEDS_BLUEPRINT = True
    NEEDS_NETADDR = False

    def __init__(self):
        spec = apstra_argument_spec()
        if self.NEEDS_BLUEPRINT:
            spec.update(blueprint_argument_spec())
        spec.update(self.ARGUMENT_SPEC)
        module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self._client = None
        self._service = None
        self._blueprint = None
        self.notes = []
        if not HAS_REQUESTS:
            module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if self.NEEDS_NETADDR and not HAS_NETADDR:
            module.fail_json(msg=missing_required_lib("netaddr"), exception=NETADDR_IMPORT_ERROR)

    # -- connection -------------------------------------------------------------------------------------

    @property
    def client(self):
        if self._client is None:
            params = self.params
            if not params.get("api_url"):
                raise ValidationError("api_url is required (or set APSTRA_API_URL)")
            if not params.get("auth_token") and not (params.get("username") and params.get("password")):
                raise ValidationError("username and password, or auth_token, are required (or APSTRA_USERNAME/APSTRA_PASSWORD/APSTRA_AUTH_TOKEN)")
            self._client = ApstraClient(
                params["api_url"],
                username=params.get("username"),
                password=params.get("password"),
                auth_token=params.get("auth_token"),
                validate_certs=params["validate_certs"],
                ca_path=params.get("ca_path"),
                timeout=params["timeout"],
                token_cache=TokenCache() if params.get("token_cache") and not params.get("auth_token") else None,
            )
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

    def plan_missing(self, error, kind, name):
        """A name that does not exist: in check mode, the placeholder id to plan with (and a note); else the error.

        Check mode plans from reads only, so an object an earlier check-mode task planned (a routing zone, a
        virtual network) is not there yet; a real run still raises the "unknown name, did you mean" error.
        """
        if not self.check_mode:
            raise error
        planned = placeholder(kind, name)
        note = ("check mode: %s; planned with the placeholder id %s, assuming an earlier task creates it "
                "(a real run fails if it does not exist by then)" % (error, planned))
        if note not in self.notes:
            self.notes.append(note)
        return planned

    # -- lifecycle --------------------------------------------------------------------------------------

    def run(self):
        """Return a dict with the module's result keys (before, after, plan, changed, ...)."""
        raise NotImplementedError

    def execute(self, plan):
        """Send the planned writes in order (never in check mode); returns the responses."""
        if self.check_mode:
            return []
        responses = []
        for index, request in enumerate(plan):
            try:
                responses.append(self.client.request(request["method"], request["path"], body=request["body"]))
            except ApstraError as exc:
                raise PlanFailed(exc, plan[:index], plan[index:]) from exc
        return responses

    def main(self):
        try:
            result = self.run()
        except ValidationError as exc:
            self.module.fail_json(msg=str(exc), changed=False, plan=[])
        except PlanFailed as exc:
            self.module.fail_json(
                msg="%s; applied %d of %d planned requests (applied: %s; not applied: %s)"
                % (exc.error, len(exc.applied), len(exc.applied) + len(exc.not_applied),
                   _summary(exc.applied) or "none", _summary(exc.not_applied)),
                changed=bool(exc.applied), status=exc.error.status, error=exc.error.body,
                applied=exc.applied, not_applied=exc.not_applied,
            )
        except ApstraError as exc:
            self.module.fail_json(msg=str(exc), changed=False, status=exc.status, error=exc.body, plan=[])
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
        if self.notes:
            result["notes"] = list(self.notes)
        result.update(extra)
        self.module.exit_json(**result)


def _summary(plan):
    return ", ".join("%s %s" % (request["method"], request["path"]) for request in plan)


def object_diffs(kind, pairs):
    """Ansible diff list: one before/after pair per changed object; pairs = [(name, before, after)]."""
    return [
        {
            "before_header": "%s %s" % (kind, name),
            "after_header": "%s %s" % (kind, name),
            "before": before if before is not None else {},
            "after": after if after is not None else {},
        }
        for name, before, after in pairs
        if before != after
    ]


class ResourceModule(ApstraModule):
    """A network resource module: `config` list + `state`, objects keyed by label.

    Subclasses define KIND, DEFAULTS, LIST_FIELDS, KEEP and the hooks validate(), read_have(), canonical_want()
    and build_plan(changes).
    """

    KIND = "object"
    DEFAULTS = {}
    LIST_FIELDS = ()
    KEEP = ("id",)

    def validate(self):
        """Check the config offline; raise ValidationError."""

    def read_have(self):
        """Return the existing objects in canonical form (with `id`)."""
        raise NotImplementedError

    def canonical_want(self, item):
        """Turn one config item into a canonical object; unset options stay None."""
        raise NotImplementedError

    def build_plan(self, changes):
        """Return the write requests that carry out the changes."""
        raise NotImplementedError

    def owned(self, obj):
        return OWNER_TAG in (obj.get("tags") or [])

    def complete(self, target, current):
        """Normalise a target object; keeps the ownership tag of owned objects and puts it on new ones."""
        tags = sorted(set(target.get("tags") or []))
        if current is None or OWNER_TAG in (current.get("tags") or []):
            tags = sorted(set(tags) | {OWNER_TAG})
        return dict(target, tags=tags)

    def run(self):
        self.validate()
        state = self.params["state"]
        config = self.params.get("config") or []
        if state in ("merged", "replaced") and not config:
            return dict(changed=False)
        have = self.read_have()
        if state == "gathered":
            return dict(changed=False, before=have, after=have, gathered=have)
        want = [self.canonical_want(item) for item in config]
        changes = plan_changes(want, have, state, self.DEFAULTS, list_fields=self.LIST_FIELDS, keep=self.KEEP,
                               owned=self.owned, complete=self.complete)
        plan = self.build_plan(changes) if changes else []
        self.execute(plan)
        return dict(
            changed=bool(plan),
            before=have,
            after=after_objects(have, changes),
            plan=plan,
            diff=object_diffs(self.KIND, [(change.name, change.before, change.after) for change in changes]),
        )
