# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource engine every resource module runs on, Apstra and Kubernetes alike.

A ``Resource`` describes one object type: how objects are named (``key``), what kind each field is (which decides
what ``merged`` does with it), which objects carry the collection's ownership mark, and the backend: reading
``have``, canonicalising ``want``, turning changes into requests and sending them. The ``Engine`` does the rest,
the same way for every module:

- ``merged``: given fields override; ``set`` fields are unioned, ``map`` fields merged key by key; missing objects
  are created.
- ``replaced``: listed objects become exactly what is given; fields left out go back to their defaults (except
  values the server assigns, ``keep``).
- ``overridden``: as ``replaced``, and objects carrying the ownership mark that are not listed are deleted.
- ``deleted``: the listed objects are deleted (every marked object when none is listed).
- ``gathered``: the existing objects, no change. ``rendered``: the requests a create would send, no connection.

One result shape (``changed``, ``before``, ``after``, ``plan``, ``diff``), one failure shape (the API error with the
requests ``applied`` and ``not_applied``). A key listed twice is refused before anything is read. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.api_error import ApiError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import owner_name

STATES = ("merged", "replaced", "overridden", "deleted", "gathered", "rendered")
# Who owns what (doc fragment netops.cn2_apstra.ownership): the options of every module that changes objects.
OWNERSHIP_SPEC = dict(
    owner=dict(type="list", elements="str", default=["intent"]),
    guard=dict(type="bool", default=False),
    adopt=dict(type="list", elements="str", default=[]),
    release=dict(type="list", elements="str", default=[]),
)


class Ownership:
    """Whose objects a run may change or remove: ``owners`` (the first marks what it creates); ``guard``: refuse a change
    to an object of another owner or without a mark, unless ``adopt`` lists it (an unmarked object to mark) or, for an
    own object, ``release`` does (unmark it, keep it)."""

    def __init__(self, owners=("intent",), guard=False, adopt=(), release=()):
        self.owners = tuple(owners)
        self.guard = guard
        self.adopt = frozenset(adopt)
        self.release = frozenset(release)


def ownership(params, keyed=False):
    """The Ownership of a module's (or a plan step's) owner options; ``keyed``: adopt and release name Kubernetes
    objects as namespace/name (a bare name is in the namespace ``default``)."""
    errors = []
    owners = [
        owner_name(errors, "owner[%d]" % index, owner)
        for index, owner in enumerate(params.get("owner") or ["intent"])
    ]
    if errors:
        raise ResourceError("; ".join(errors))

    def key(name):
        if not keyed:
            return name
        namespace, _sep, short = name.rpartition("/")
        return (namespace or "default", short)

    return Ownership(
        owners,
        guard=bool(params.get("guard")),
        adopt=[key(name) for name in params.get("adopt") or []],
        release=[key(name) for name in params.get("release") or []],
    )


SCALAR, SET, MAP = "scalar", "set", "map"


class ResourceError(ValueError):
    """Invalid input or a refused operation, found before anything was sent."""


class ApplyFailed(Exception):
    """A request of the plan failed: the API error and how far the plan got."""

    def __init__(self, error, applied, not_applied):
        self.error = error
        self.applied = applied
        self.not_applied = not_applied
        super(ApplyFailed, self).__init__(str(error))

    def message(self):
        total = len(self.applied) + len(self.not_applied)
        return "%s; applied %d of %d planned requests (applied: %s; not applied: %s)" % (
            self.error,
            len(self.applied),
            total,
            request_summary(self.applied) or "none",
            request_summary(self.not_applied) or "none",
        )


def request_summary(requests):
    """Requests as text; a create names the object it creates (its path does not)."""

    def name_of(request):
        body = request.get("body") if isinstance(request.get("body"), dict) else {}
        name = (body.get("metadata") or {}).get("name") or (
            body.get("label") if request["method"] == "POST" else None
        )
        return " (%s)" % name if name else ""

    return ", ".join(
        "%s %s%s" % (request["method"], request["path"], name_of(request)) for request in requests
    )


class Change:
    """What to do with one object: action is create|update|delete; before/after are canonical objects."""

    def __init__(self, action, key, before, after):
        self.action = action
        self.key = key
        self.before = before
        self.after = after

    def changed_fields(self):
        before = self.before or {}
        return (
            sorted(k for k in self.after if before.get(k) != self.after.get(k))
            if self.after
            else []
        )

    def dump(self):
        """The change as plain data (a plan handed from one task to the next)."""
        return {
            "action": self.action,
            "key": list(self.key) if isinstance(self.key, tuple) else self.key,
            "before": self.before,
            "after": self.after,
        }

    @classmethod
    def load(cls, data):
        key = data["key"]
        return cls(
            data["action"],
            tuple(key) if isinstance(key, list) else key,
            data["before"],
            data["after"],
        )


def merge_value(kind, have, want):
    if want is None:
        return have
    if kind == SET and have:
        return sorted(set(have) | set(want), key=str)
    if kind == MAP and isinstance(have, dict) and isinstance(want, dict):
        out = dict(have)
        out.update(dict((k, v) for k, v in want.items() if v is not None))
        return out
    return want


class Resource:
    """One object type. Subclasses set the class attributes and implement the backend hooks."""

    KIND = "object"
    KEY = ("label",)
    FIELDS = {}  # field -> SCALAR | SET | MAP (fields not listed are SCALAR)
    DEFAULTS = {}  # every field at its default, for creates and `replaced`
    KEEP = ()  # fields the server assigns: `replaced` keeps them when not given
    SENDS_IN_CHECK_MODE = False  # Kubernetes: writes go as server-side dry runs
    SCOPED = False  # before/after list only the objects of the config (in its order), absent ones as empty()
    found = (
        frozenset()
    )  # keys of objects a create met already made by a concurrent run (send() records them)

    def key(self, obj):
        return (
            tuple(obj.get(field) for field in self.KEY)
            if len(self.KEY) > 1
            else obj.get(self.KEY[0])
        )

    def config_key(self, item):
        """The key of a config item as given, with the defaults ``want`` fills in (no lookup)."""
        return self.key(item)

    def name(self, key):
        return "/".join(str(part) for part in key if part) if isinstance(key, tuple) else str(key)

    # -- backend hooks ------------------------------------------------------------------------------------------
    def validate(self, config, state):
        """Check the config offline; raise ResourceError naming the field."""

    def read(self):
        """The existing objects in canonical form."""
        raise NotImplementedError

    def want(self, item, field):
        """One config item in canonical form; options left unset stay None."""
        return dict(item)

    def merge(self, have, want):
        """``merged``: the object after merging ``want`` into ``have``."""
        out = dict(have)
        for field, value in want.items():
            out[field] = merge_value(self.FIELDS.get(field, SCALAR), have.get(field), value)
        return out

    def replace(self, have, want):
        """``replaced``: defaults, the server-assigned fields of ``have``, then what is given."""
        out = dict(self.DEFAULTS)
        for field in self.KEEP:
            if want.get(field) is None and have and have.get(field) is not None:
                out[field] = have[field]
        out.update(dict((k, v) for k, v in want.items() if v is not None))
        return out

    def complete(self, target, current):
        """Normalise a target before comparing (``current`` is None for a create): ownership mark, derived fields."""
        return target

    def same(self, target, current):
        return all(target.get(field) == current.get(field) for field in target)

    def owned(self, obj):
        return True

    def check_change(self, change):
        """Raise ResourceError when this run must not make ``change`` (an object of another owner)."""

    def deleted_changes(self, want, have):
        """``deleted`` with objects listed: the changes (default: delete each listed object that exists)."""
        have_by = dict((self.key(obj), obj) for obj in have)
        return [
            Change("delete", self.key(obj), have_by[self.key(obj)], None)
            for obj in want
            if self.key(obj) in have_by
        ]

    def requests(self, changes):
        """The requests that carry out the changes, in order."""
        raise NotImplementedError

    def send(self, request):
        """Send one request; raise the API's error."""
        raise NotImplementedError

    def after(self, have, changes, responses):
        """The objects after the changes (in the order of ``have``, new ones last)."""
        by_key = dict((change.key, change) for change in changes)
        out = []
        for obj in have:
            change = by_key.get(self.key(obj))
            if change is None:
                out.append(obj)
            elif change.action == "update":
                out.append(change.after)
        out.extend(change.after for change in changes if change.action == "create")
        return out

    def diff_view(self, obj):
        return obj

    def empty(self, key):
        """A listed object that does not exist, in a SCOPED result."""
        return None


class Engine:
    """Plan and carry out one resource-module run."""

    def __init__(self, resource, state, config, check_mode=False):
        if state not in STATES:
            raise ResourceError("state: %r is not allowed; allowed %s" % (state, ", ".join(STATES)))
        self.resource = resource
        self.state = state
        self.config = list(config or [])
        self.check_mode = check_mode
        self.plan = []

    def check_keys(self):
        seen = {}
        for index, item in enumerate(self.config):
            key = self.resource.config_key(item)
            if key in seen:
                raise ResourceError(
                    "config[%d]: %s %s is already listed as config[%d]; list each %s once"
                    % (
                        index,
                        self.resource.KIND,
                        self.resource.name(key),
                        seen[key],
                        self.resource.KIND,
                    )
                )
            seen[key] = index

    def changes(self, want, have):
        changes = self._changes(want, have)
        for change in changes:
            self.resource.check_change(change)
        return changes

    def _changes(self, want, have):
        resource = self.resource
        have_by = dict((resource.key(obj), obj) for obj in have)
        if self.state == "deleted":
            if want:
                return resource.deleted_changes(want, have)
            return [
                Change("delete", resource.key(obj), obj, None)
                for obj in have
                if resource.owned(obj)
            ]
        changes = []
        for obj in want:
            key = resource.key(obj)
            current = have_by.get(key)
            if current is None:
                changes.append(
                    Change(
                        "create", key, None, resource.complete(resource.replace(None, obj), None)
                    )
                )
                continue
            merged = (
                resource.merge(current, obj)
                if self.state == "merged"
                else resource.replace(current, obj)
            )
            target = resource.complete(merged, current)
            if not resource.same(target, current):
                changes.append(Change("update", key, current, target))
        if self.state == "overridden":
            wanted = set(resource.key(obj) for obj in want)
            changes.extend(
                Change("delete", resource.key(obj), obj, None)
                for obj in have
                if resource.key(obj) not in wanted and resource.owned(obj)
            )
        return changes

    def execute(self, requests):
        responses = []
        if self.check_mode and not self.resource.SENDS_IN_CHECK_MODE:
            return responses
        for index, request in enumerate(requests):
            try:
                responses.append(self.resource.send(request))
            except ApiError as exc:
                raise ApplyFailed(exc, requests[:index], requests[index:]) from exc
        return responses

    def scoped(self, want, objects):
        by_key = dict((self.resource.key(obj), obj) for obj in objects)
        keys = [self.resource.key(obj) for obj in want]
        return [by_key.get(key) or self.resource.empty(key) for key in keys]

    def dry_changes(self, have):
        """The changes against ``have`` given by the caller (no read, nothing sent): does the config change anything?"""
        self.resource.validate(self.config, self.state)
        self.check_keys()
        want = [
            self.resource.want(item, "config[%d]" % index) for index, item in enumerate(self.config)
        ]
        return self.changes(want, have)

    def run(self):
        """Plan from what is read now, then carry the changes out (in check mode: send nothing)."""
        resource = self.resource
        resource.validate(self.config, self.state)
        self.check_keys()
        if self.state == "gathered":
            return self.gathered()
        want = [resource.want(item, "config[%d]" % index) for index, item in enumerate(self.config)]
        if self.state == "rendered":
            return self.rendered(want)
        have = resource.read()
        if self.state in ("merged", "replaced") and not want:
            return result(have, have, [], [], changes=[])
        return self.carry_out(want, have, self.changes(want, have))

    def apply(self, changes):
        """Carry out changes planned earlier (``serialized`` Change dicts) against what is read now: nothing is planned
        again. The guard still refuses a change to another owner's object."""
        resource = self.resource
        self.check_keys()
        want = [resource.want(item, "config[%d]" % index) for index, item in enumerate(self.config)]
        changes = [Change.load(change) for change in changes]
        for change in changes:
            resource.check_change(change)
        return self.carry_out(want, resource.read(), changes)

    def gathered(self):
        have = self.resource.read()
        listed = set(self.resource.config_key(item) for item in self.config)
        gathered = [obj for obj in have if not listed or self.resource.key(obj) in listed]
        return result(gathered, gathered, [], [], changed=False, gathered=gathered)

    def rendered(self, want):
        resource = self.resource
        changes = [
            Change(
                "create",
                resource.key(obj),
                None,
                resource.complete(resource.replace(None, obj), None),
            )
            for obj in want
        ]
        self.plan = resource.requests(changes)
        return result(
            [],
            [change.after for change in changes],
            self.plan,
            [],
            changed=False,
            rendered=self.plan,
        )

    def carry_out(self, want, have, changes):
        """Send the requests of ``changes``; the result, with ``changes`` (what this run did, serialized)."""
        resource = self.resource
        self.plan = resource.requests(changes) if changes else []
        responses = self.execute(self.plan)
        # A create that met the object already there (made by a concurrent run) is not this run's change.
        existed = [
            response.get("existed")
            for response in responses
            if isinstance(response, dict) and response.get("existed")
        ]
        applied = len(self.plan) - sum(1 for flag in existed if flag is True)
        after = resource.after(have, changes, responses)
        if resource.found:
            # made by a concurrent run meanwhile: they were there before this run's write, not its changes
            have = have + [obj for obj in after if resource.key(obj) in resource.found]
            changes = [change for change in changes if change.key not in resource.found]
        if resource.SCOPED:
            have, after = self.scoped(want, have), self.scoped(want, after)
        extra = {"concurrent": existed} if existed else {}
        return result(
            have,
            after,
            self.plan,
            [self.diff_entry(change) for change in changes],
            changed=applied > 0,
            changes=[change.dump() for change in changes],
            **extra,
        )

    def diff_entry(self, change):
        header = "%s %s" % (self.resource.KIND, self.resource.name(change.key))
        view = self.resource.diff_view
        return {
            "before_header": header,
            "after_header": header,
            "before": view(change.before) if change.before is not None else {},
            "after": view(change.after) if change.after is not None else {},
        }


def failure(exc, check_mode, plan=None):
    """The one failure shape of a resource module whose request failed (ApplyFailed): the API's status and error body,
    and which planned requests were applied (none in check mode, which sends no write) and which were not.
    """
    applied = [] if check_mode else exc.applied
    return dict(
        msg=exc.message(),
        changed=bool(applied),
        status=exc.error.status,
        error=exc.error.body,
        applied=applied,
        not_applied=exc.not_applied,
        plan=plan if plan is not None else exc.applied + exc.not_applied,
    )


def result(before, after, plan, diff, changed=None, **extra):
    out = dict(
        changed=bool(plan) if changed is None else changed,
        before=before,
        after=after,
        plan=plan,
        diff=diff,
    )
    out.update(extra)
    return out
