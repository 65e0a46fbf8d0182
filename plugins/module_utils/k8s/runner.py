# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource-module state logic for Kubernetes objects: want vs have, plan, execute, diff, changed.

A module supplies an adapter (option form <-> object) and the runner does the rest:

- ``merged``: wanted fields are merged into existing objects; missing objects are created.
- ``replaced``: wanted objects are set exactly as given (fields left out are removed).
- ``overridden``: as replaced, and objects carrying the ownership label that are not wanted are deleted.
- ``deleted``: the named objects are deleted (all objects carrying the ownership label when none are named).
- ``gathered``: the existing objects, no change.

Every object of the scope is read with one list call; validation and guards run before the first write.
No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import api_path

OWNER_LABEL = "app.kubernetes.io/managed-by"
OWNER_VALUE = "netops.cn2_apstra"
STATES = ("merged", "replaced", "overridden", "deleted", "gathered")


class RunnerError(Exception):
    """The request cannot be carried out (invalid input, refused delete); nothing was written."""


def merge_patch(have, want):
    """The RFC 7386 merge patch that turns ``have`` into ``want`` (None when they are equal)."""
    if not isinstance(have, dict) or not isinstance(want, dict):
        return None if have == want else want
    patch = {}
    for key in have:
        if key not in want:
            patch[key] = None
    for key, value in want.items():
        if key not in have:
            patch[key] = value
        else:
            sub = merge_patch(have[key], value)
            if sub is not None:
                patch[key] = sub
    return patch or None


def key_of(item):
    return (item.get("namespace"), item["name"])


class Adapter:
    """What a module tells the runner about its object type. Subclasses override the marked methods."""

    api_version = None
    kind = None
    namespaced = True
    # metadata.annotations keys the module owns (others are left alone).
    managed_annotations = ()

    def from_object(self, obj):
        """Option form (a dict with at least name/namespace) of an existing object."""
        raise NotImplementedError

    def to_object(self, item, labels, have_obj=None, merge=False):
        """Full object body for an item in option form; ``labels`` include the ownership mark when due."""
        raise NotImplementedError

    def merge(self, have_item, want_item):
        """Option form after merging ``want_item`` into ``have_item`` (state merged)."""
        merged = dict(have_item)
        for key, value in want_item.items():
            if value is None:
                continue
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                inner = dict(merged[key])
                inner.update(dict((k, v) for k, v in value.items() if v is not None))
                merged[key] = inner
            else:
                merged[key] = value
        return merged

    def normalize(self, item):
        """Canonical option form of a wanted item (drop unset values)."""
        return item

    def validate(self, item, field, creating):
        """Raise RunnerError for an invalid item; return a list of warnings."""
        return []

    def check_delete(self, keys):
        """Raise RunnerError when the objects ``keys`` must not be deleted."""


class ResourceRunner:
    """Plan and carry out one resource-module run; ``run()`` returns the result dict."""

    def __init__(self, service, adapter, state, config, namespace=None, diff=False, resource=None):
        if state not in STATES:
            raise RunnerError("state must be one of %s" % ", ".join(STATES))
        self.service = service
        self.adapter = adapter
        self.state = state
        self.namespace = namespace
        self.diff = diff
        self.resource = resource
        self.warnings = []
        self.plan = []
        self.config = []
        for item in config or []:
            item = dict(item)
            if adapter.namespaced and not item.get("namespace"):
                item["namespace"] = namespace or "default"
            if not adapter.namespaced:
                item["namespace"] = None
            self.config.append(item)

    # -- reading -----------------------------------------------------------------------------------------
    def _scope(self):
        """Namespace to list (None = all namespaces): one list call covers every object the run can touch."""
        if not self.adapter.namespaced:
            return None
        if self.namespace:
            return self.namespace
        namespaces = set(item["namespace"] for item in self.config)
        if len(namespaces) == 1 and self.state not in ("overridden", "gathered") and not (self.state == "deleted" and not self.config):
            return namespaces.pop()
        return None

    def _in_scope(self, key):
        return self.namespace is None or key[0] == self.namespace or not self.adapter.namespaced

    # -- planning ----------------------------------------------------------------------------------------
    def _labels(self, item, have_obj, merge):
        have_labels = ((have_obj or {}).get("metadata") or {}).get("labels") or {}
        labels = dict(have_labels) if merge else {}
        labels.update(item.get("labels") or {})
        if have_obj is None or have_labels.get(OWNER_LABEL) == OWNER_VALUE:
            labels[OWNER_LABEL] = OWNER_VALUE
        return labels

    def _update_patch(self, have_obj, desired):
        """Merge patch limited to what the module manages: labels, its annotations, spec."""
        have_meta = have_obj.get("metadata") or {}
        want_meta = desired.get("metadata") or {}
        patch = {}
        labels = merge_patch(have_meta.get("labels") or {}, want_meta.get("labels") or {})
        annotations = {}
        have_ann = have_meta.get("annotations") or {}
        want_ann = want_meta.get("annotations") or {}
        for key in self.adapter.managed_annotations:
            if want_ann.get(key) != have_ann.get(key):
                annotations[key] = want_ann.get(key)
        metadata = {}
        if labels:
            metadata["labels"] = labels
        if annotations:
            metadata["annotations"] = annotations
        if metadata:
            patch["metadata"] = metadata
        for top in ("spec",):
            sub = merge_patch(have_obj.get(top) or {}, desired.get(top) or {})
            if sub:
                patch[top] = sub
        return patch

    def _plan_upsert(self, have, index, want, merge):
        field = "config[%d]" % index
        key = key_of(want)
        have_obj = have.get(key)
        have_item = self.adapter.from_object(have_obj) if have_obj else None
        try:
            if merge and have_item is not None:
                desired = self.adapter.normalize(self.adapter.merge(have_item, want))
            else:
                desired = self.adapter.normalize(want)
            self.warnings.extend(self.adapter.validate(desired, field, creating=have_obj is None or not merge))
        except ValueError as exc:
            raise RunnerError(str(exc)) from exc
        if have_item is not None and desired == have_item:
            return None
        body = self.adapter.to_object(desired, self._labels(desired, have_obj, merge), have_obj=have_obj, merge=merge)
        if have_obj is None:
            return {"op": "create", "key": key, "body": body}
        patch = self._update_patch(have_obj, body)
        if not patch:
            return None
        return {"op": "patch", "key": key, "body": patch}

    def _plan(self, have):
        actions = []
        seen = set()
        for index, want in enumerate(self.config):
            key = key_of(want)
            if key in seen:
                raise RunnerError("config[%d]: %s is listed twice" % (index, "/".join(k for k in key if k)))
            seen.add(key)
            if self.state == "deleted":
                if key in have:
                    actions.append({"op": "delete", "key": key})
            elif self.state != "gathered":
                action = self._plan_upsert(have, index, want, merge=self.state == "merged")
                if action:
                    actions.append(action)
        if self.state == "overridden" or (self.state == "deleted" and not self.config):
            for key in sorted(have, key=lambda k: (k[0] or "", k[1])):
                labels = (have[key].get("metadata") or {}).get("labels") or {}
                if key not in seen and labels.get(OWNER_LABEL) == OWNER_VALUE and self._in_scope(key):
                    actions.append({"op": "delete", "key": key})
        return actions

    # -- running -----------------------------------------------------------------------------------------
    def _request(self, action):
        namespace, name = action["key"]
        if action["op"] == "create":
            return {"method": "POST", "path": api_path(self.resource, namespace=namespace), "body": action["body"]}
        method = "PATCH" if action["op"] == "patch" else "DELETE"
        return {"method": method, "path": api_path(self.resource, name, namespace), "body": action.get("body")}

    def _execute(self, action):
        namespace, name = action["key"]
        if action["op"] == "create":
            return self.service.create(self.resource, action["body"], namespace=namespace)
        if action["op"] == "patch":
            return self.service.patch(self.resource, name, action["body"], namespace=namespace)
        self.service.delete(self.resource, name, namespace=namespace)
        return None

    @staticmethod
    def _sorted(items):
        return [items[k] for k in sorted(items, key=lambda k: (k[0] or "", k[1]))]

    def run(self):
        if self.resource is None:
            self.resource = self.service.resource(self.adapter.api_version, self.adapter.kind)
        listed = self.service.list(self.resource, namespace=self._scope())
        have = dict((key_of({"namespace": (o.get("metadata") or {}).get("namespace"), "name": o["metadata"]["name"]}), o)
                    for o in listed)
        before = dict((key, self.adapter.from_object(obj)) for key, obj in have.items() if self._in_scope(key))
        actions = self._plan(have)
        deletes = [a["key"] for a in actions if a["op"] == "delete"]
        if deletes:
            self.adapter.check_delete(deletes)
        after = dict(before)
        for action in actions:
            self.plan.append(self._request(action))
            response = self._execute(action)
            if action["op"] == "delete":
                after.pop(action["key"], None)
            else:
                after[action["key"]] = self.adapter.from_object(response)
        result = {"changed": bool(actions), "before": self._sorted(before), "after": self._sorted(after), "plan": self.plan}
        if self.state == "gathered":
            result["gathered"] = result["before"]
        if self.diff:
            def label(key):
                return "/".join(k for k in key if k)
            result["diff"] = {
                "before": dict((label(k), v) for k, v in before.items() if any(a["key"] == k for a in actions)),
                "after": dict((label(k), v) for k, v in after.items() if any(a["key"] == k for a in actions)),
            }
        return result
