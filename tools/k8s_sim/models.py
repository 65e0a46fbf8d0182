"""The in-memory cluster: objects, resourceVersions, write semantics and the event history that feeds watches.

All state changes go through `Store` under one lock; stored objects are never mutated in place, so readers can
serialise them without copying.
"""

import base64
import bisect
import copy
import datetime
import functools
import ipaddress
import json
import random
import string
import threading
import uuid

from . import errors, fields
from .patch import json_patch, merge_patch, strategic_merge
from .resources import BUILTINS, Registry, from_crd
from .selectors import match_fields, match_labels
from .validation import CN2_GROUP, SchemaCheck, cn2_errors, metadata_errors

_SERVER_FIELDS = ("uid", "creationTimestamp", "generation", "deletionTimestamp", "managedFields")


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Event:
    """One committed change, kept for watches (`old` lets a watch see an object leave its selector)."""

    __slots__ = ("rv", "type", "key", "old", "new")

    def __init__(self, rv, kind, key, old, new):
        self.rv, self.type, self.key, self.old, self.new = rv, kind, key, old, new


def _writes(method):
    """A write entry point: under the lock, then the controllers react to what it committed (see Store.controllers)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            try:
                return method(self, *args, **kwargs)
            finally:
                self._run_controllers()

    return wrapper


class Store:
    """The cluster state. Methods take a Resource and the API version the client used.

    `controllers` (e.g. operators.SriovNetworkOperator) get every committed change through `on_event(store, event)`
    after the write that caused it, and may write in turn; `resync(store)` runs after a reset.
    """

    def __init__(self, seed_docs, crd_docs, history=20000, controllers=(), cluster_id="k8s-sim"):
        self.cluster_id = (
            cluster_id  # seeded objects' uids derive from it: two clusters, two kube-system uids
        )
        self._lock = threading.RLock()
        self.controllers = list(controllers)
        self._queue = []
        self._draining = False
        docs = list(crd_docs) + list(seed_docs)
        self._seed_json = json.dumps(docs)
        self._history_size = history
        self._listeners = []
        self._rv = 1000
        self._started = now()
        self.epoch = 0
        self.reset(docs)

    # --- state management -------------------------------------------------------------------------------------

    def reset(self, _docs=None):
        """Restore the seeded state (`_docs`: the seed objects themselves, on the first call, to skip a JSON round trip)."""
        with self._lock:
            self._objects = {}
            self._events = []
            self.registry = Registry(BUILTINS)
            for doc in _docs if _docs is not None else json.loads(self._seed_json):
                self._seed(doc)
            self._queue = []
            for controller in self.controllers:
                controller.resync(self)
            self._run_controllers()
            self._events = []
            self._compacted = self._rv
            self.epoch += 1
            self.notify()

    def _seed(self, obj):
        res = self.registry.by_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
        if res is None:
            raise ValueError(
                "seed object of unknown type %s %s" % (obj.get("apiVersion"), obj.get("kind"))
            )
        meta = obj.setdefault("metadata", {})
        if res.namespaced:
            meta.setdefault("namespace", "default")
        key = "%s/%s/%s" % (res.key, meta.get("namespace", ""), meta["name"])
        meta.setdefault("uid", str(uuid.uuid5(uuid.NAMESPACE_URL, self.cluster_id + ":" + key)))
        meta.setdefault("creationTimestamp", self._started)
        if res.custom or res.kind == "CustomResourceDefinition":
            meta.setdefault("generation", 1)
        self._defaults(res, obj)
        self._rv += 1
        meta["resourceVersion"] = str(self._rv)
        self._bucket(res)[(meta.get("namespace"), meta["name"])] = obj
        if res.kind == "CustomResourceDefinition":
            self._refresh_registry()

    def add_listener(self, callback):
        with self._lock:
            self._listeners.append(callback)

    def remove_listener(self, callback):
        with self._lock:
            self._listeners.remove(callback)

    def notify(self):
        for callback in list(self._listeners):
            callback()

    @property
    def resource_version(self):
        return str(self._rv)

    def snapshot(self):
        with self._lock:
            return {
                "resourceVersion": str(self._rv),
                "objects": {
                    key: [bucket[k] for k in sorted(bucket, key=_sort_key)]
                    for key, bucket in sorted(self._objects.items())
                    if bucket
                },
            }

    def _bucket(self, res):
        return self._objects.setdefault(res.key, {})

    def _refresh_registry(self):
        crds = self._objects.get("customresourcedefinitions.apiextensions.k8s.io", {})
        resources = list(BUILTINS)
        for crd in crds.values():
            try:
                resources.append(from_crd(crd))
            except (KeyError, IndexError, TypeError):
                continue
        self.registry = Registry(resources)

    # --- reads ------------------------------------------------------------------------------------------------

    def get(self, res, version, namespace, name):
        with self._lock:
            obj = self._bucket(res).get((namespace, name))
            if obj is None:
                raise errors.not_found(res, name)
            return _render(res, obj, version)

    def list(self, res, version, namespace, labels=(), field_reqs=(), limit=0, cont=None):
        with self._lock:
            bucket = self._bucket(res)
            keys = sorted(bucket, key=_sort_key)
            start = None
            if cont:
                start = _decode_continue(cont)
                keys = keys[bisect.bisect_right([_sort_key(k) for k in keys], start) :]
            items = []
            remaining = 0
            for key in keys:
                if namespace is not None and key[0] != namespace:
                    continue
                obj = bucket[key]
                if not match_labels(labels, obj["metadata"].get("labels")) or not match_fields(
                    field_reqs, obj
                ):
                    continue
                if limit and len(items) >= limit:
                    remaining += 1
                    continue
                items.append(_render(res, obj, version, in_list=True))
            meta = {"resourceVersion": str(self._rv)}
            if remaining:
                meta["continue"] = _encode_continue(_sort_key(keys_of(items[-1])))
                meta["remainingItemCount"] = remaining
            return {
                "kind": res.kind + "List",
                "apiVersion": res.api_version(version),
                "metadata": meta,
                "items": items,
            }

    def exists(self, res, namespace, name):
        with self._lock:
            return (namespace, name) in self._bucket(res)

    def namespace_exists(self, name):
        return (None, name) in self._objects.get("namespaces", {})

    # --- writes -----------------------------------------------------------------------------------------------

    @_writes
    def create(
        self,
        res,
        version,
        namespace,
        body,
        dry_run=False,
        manager=None,
        validation="Warn",
        managed=None,
    ):
        with self._lock:
            obj = self._check_body(res, version, body)
            meta = obj.setdefault("metadata", {})
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + "".join(
                    random.choices(string.ascii_lowercase + string.digits, k=5)
                )
            self._place(res, namespace, obj)
            if meta.get("resourceVersion"):
                raise errors.bad_request(
                    "resourceVersion should not be set on objects to be created"
                )
            for key in _SERVER_FIELDS:
                meta.pop(key, None)
            if res.status_subresource and res.custom:
                obj.pop("status", None)
            warnings = self._validate(res, version, obj, validation)
            if (meta.get("namespace"), meta["name"]) in self._bucket(res):
                raise errors.already_exists(res, meta["name"])
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now()
            if res.custom or res.kind == "CustomResourceDefinition":
                meta["generation"] = 1
            self._defaults(res, obj)
            if managed:
                meta["managedFields"] = managed
            elif manager:
                fields.record_update(
                    None, obj, manager, res.api_version(version), meta["creationTimestamp"]
                )
            return self._commit(res, version, None, obj, dry_run), warnings

    @_writes
    def replace(
        self,
        res,
        version,
        namespace,
        name,
        body,
        subresource=None,
        dry_run=False,
        manager=None,
        validation="Warn",
    ):
        with self._lock:
            old = self._existing(res, namespace, name)
            new = self._check_body(res, version, body)
            meta = new.setdefault("metadata", {})
            if meta.get("name", name) != name:
                raise errors.bad_request(
                    "the name of the object (%s) does not match the name on the URL (%s)"
                    % (meta["name"], name)
                )
            meta["name"] = name
            self._place(res, namespace, new)
            wanted = meta.get("resourceVersion")
            if wanted and wanted != old["metadata"]["resourceVersion"]:
                raise errors.conflict(res, name)
            if not wanted and res.custom:
                raise errors.invalid(
                    res,
                    name,
                    [
                        (
                            "metadata.resourceVersion",
                            "Invalid value: 0x0: must be specified for an update",
                        )
                    ],
                )
            if not meta.get("managedFields"):
                meta.pop("managedFields", None)
            return self._update(
                res, version, old, new, subresource, dry_run, manager, validation, "Update"
            )

    @_writes
    def patch(
        self,
        res,
        version,
        namespace,
        name,
        patch_type,
        body,
        subresource=None,
        dry_run=False,
        manager=None,
        force=False,
        validation="Warn",
    ):
        with self._lock:
            current = self._bucket(res).get((namespace, name))
            if patch_type == "apply":
                if subresource:
                    raise errors.unsupported_media_type(
                        "server-side apply to a subresource is not supported by this emulator"
                    )
                return self._apply(
                    res,
                    version,
                    namespace,
                    name,
                    current,
                    body,
                    dry_run,
                    manager,
                    force,
                    validation,
                )
            if current is None:
                raise errors.not_found(res, name)
            old = copy.deepcopy(current)
            if patch_type == "json":
                new = json_patch(old, body)
            elif patch_type == "merge":
                if not isinstance(body, dict):
                    raise errors.bad_request("merge patch must be a JSON object")
                new = merge_patch(old, body)
            elif res.custom:
                raise errors.unsupported_media_type(
                    "the body of the request was in an unknown format - accepted media types include: "
                    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                )
            else:
                if not isinstance(body, dict):
                    raise errors.bad_request("strategic merge patch must be a JSON object")
                new = strategic_merge(old, body)
            if not isinstance(new, dict):
                raise errors.bad_request("the patched object is not a JSON object")
            new_meta = new.setdefault("metadata", {})
            if new_meta.get("resourceVersion") not in (
                None,
                current["metadata"]["resourceVersion"],
            ):
                raise errors.conflict(res, name)
            if new_meta.get("name") != name or (
                res.namespaced and new_meta.get("namespace") != namespace
            ):
                raise errors.bad_request(
                    "the patch changes metadata.name or metadata.namespace, which are immutable"
                )
            return self._update(
                res, version, current, new, subresource, dry_run, manager, validation, "Update"
            )

    def _apply(
        self, res, version, namespace, name, current, body, dry_run, manager, force, validation
    ):
        if not manager:
            raise errors.bad_request(
                "PATCH, application/apply-patch+yaml requests require fieldManager"
            )
        config = self._check_body(res, version, body)
        meta = config.setdefault("metadata", {})
        if meta.get("name", name) != name:
            raise errors.bad_request(
                "the name of the object (%s) does not match the name on the URL (%s)"
                % (meta["name"], name)
            )
        meta["name"] = name
        self._place(res, namespace, config)
        if (
            meta.get("resourceVersion")
            and current is not None
            and meta["resourceVersion"] != current["metadata"]["resourceVersion"]
        ):
            raise errors.conflict(res, name)
        meta.pop("resourceVersion", None)
        new = fields.apply(
            current,
            config,
            manager,
            res.api_version(version),
            now(),
            force,
            strategic=not res.custom,
        )
        if current is None:
            entries = new["metadata"].pop("managedFields", None)
            return self.create(
                res,
                version,
                namespace,
                new,
                dry_run=dry_run,
                validation=validation,
                managed=entries,
            )
        new["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        return self._update(res, version, current, new, None, dry_run, None, validation, "Apply")

    @_writes
    def delete(self, res, version, namespace, name, dry_run=False, options=None):
        with self._lock:
            old = self._existing(res, namespace, name)
            pre = (options or {}).get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != old["metadata"]["uid"]:
                raise errors.conflict(
                    res,
                    name,
                    "Precondition failed: UID in precondition: %s, UID in object meta: %s"
                    % (pre["uid"], old["metadata"]["uid"]),
                )
            if (
                pre.get("resourceVersion")
                and pre["resourceVersion"] != old["metadata"]["resourceVersion"]
            ):
                raise errors.conflict(
                    res,
                    name,
                    "Precondition failed: ResourceVersion in precondition: %s, ResourceVersion in object meta: %s"
                    % (pre["resourceVersion"], old["metadata"]["resourceVersion"]),
                )
            doomed = copy.deepcopy(old)
            doomed["metadata"].setdefault("deletionTimestamp", now())
            if res.kind == "Namespace" and not res.group:
                doomed.setdefault("status", {})["phase"] = "Terminating"
            if dry_run:
                return _render(res, doomed, version)
            if old["metadata"].get("finalizers"):
                if old["metadata"].get("deletionTimestamp"):
                    return _render(res, old, version)
                return self._commit(res, version, old, doomed, False)
            return self._remove(res, version, old, doomed)

    @_writes
    def delete_collection(self, res, version, namespace, labels=(), field_reqs=(), dry_run=False):
        with self._lock:
            listing = self.list(res, version, namespace, labels, field_reqs)
            for item in listing["items"]:
                meta = item["metadata"]
                self.delete(res, version, meta.get("namespace"), meta["name"], dry_run=dry_run)
            return listing

    # --- write helpers ----------------------------------------------------------------------------------------

    def _check_body(self, res, version, body):
        if not isinstance(body, dict):
            raise errors.bad_request("the request body must be a JSON or YAML object")
        obj = copy.deepcopy(body)
        api_version = obj.get("apiVersion")
        kind = obj.get("kind")
        if not kind:
            raise errors.bad_request("Object 'Kind' is missing in '%s'" % json.dumps(body)[:200])
        if kind != res.kind or api_version not in (res.api_version(v) for v in res.versions):
            raise errors.bad_request(
                "the API version in the data (%s) does not match the expected API version (%s)"
                % (api_version, res.api_version(version))
                if kind == res.kind
                else '%s in version "%s" cannot be handled as a %s: the kind does not match'
                % (kind, version, res.kind)
            )
        obj["apiVersion"] = res.api_version(version)
        if not isinstance(obj.get("metadata", {}), dict):
            raise errors.bad_request("metadata must be an object")
        return obj

    def _place(self, res, namespace, obj):
        meta = obj["metadata"]
        if not res.namespaced:
            meta.pop("namespace", None)
            return
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        meta["namespace"] = namespace
        if not self.namespace_exists(namespace):
            raise errors.not_found(self.registry.by_path("", "v1", "namespaces"), namespace)

    def _existing(self, res, namespace, name):
        obj = self._bucket(res).get((namespace, name))
        if obj is None:
            raise errors.not_found(res, name)
        return obj

    def _validate(self, res, version, obj, validation):
        """Metadata and schema checks; prunes `obj` in place; returns warnings, raises 400/422."""
        problems = metadata_errors(obj, res.kind)
        if res.kind == "CustomResourceDefinition":
            problems += _crd_errors(obj)
        warnings = []
        schema = res.schema(version) if res.custom else None
        if schema:
            check = SchemaCheck()
            pruned = check.root(obj, schema)
            problems += check.errors
            if check.unknown and validation == "Strict":
                raise errors.bad_request(
                    "strict decoding error: "
                    + ", ".join('unknown field "%s"' % f for f in check.unknown)
                )
            if validation != "Ignore":
                warnings = ['unknown field "%s"' % f for f in check.unknown]
            obj.clear()
            obj.update(pruned)
        if res.group == CN2_GROUP:
            problems += cn2_errors(res.kind, obj)
        if problems:
            raise errors.invalid(res, (obj.get("metadata") or {}).get("name") or "", problems)
        return warnings

    def _update(
        self, res, version, current, new, subresource, dry_run, manager, validation, operation
    ):
        meta = new["metadata"]
        old_meta = current["metadata"]
        for key in ("uid", "creationTimestamp", "generation", "deletionTimestamp"):
            if key in old_meta:
                meta[key] = old_meta[key]
            else:
                meta.pop(key, None)
        if operation != "Apply" and "managedFields" not in meta and "managedFields" in old_meta:
            meta["managedFields"] = copy.deepcopy(old_meta["managedFields"])
        if subresource == "status":
            status = new.get("status")
            new = copy.deepcopy(current)
            if status is None:
                new.pop("status", None)
            else:
                new["status"] = status
            meta = new["metadata"]
        elif res.status_subresource:
            if "status" in current:
                new["status"] = copy.deepcopy(current["status"])
            else:
                new.pop("status", None)
        warnings = self._validate(res, version, new, validation)
        if res.kind == "Secret" and not res.group:
            _secret_data(new)
        if "generation" in meta and _spec(new) != _spec(current):
            meta["generation"] = int(old_meta.get("generation", 1)) + 1
        meta["resourceVersion"] = old_meta["resourceVersion"]
        if manager:
            fields.record_update(
                current, new, manager, res.api_version(version), now(), subresource
            )
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            if dry_run:
                return _render(res, new, version), warnings
            return self._remove(res, version, current, new), warnings
        return self._commit(res, version, current, new, dry_run), warnings

    def _commit(self, res, version, old, new, dry_run):
        if dry_run:
            if old is None:
                new["metadata"].pop("resourceVersion", None)
            return _render(res, new, version)
        if old is not None and new == old:
            return _render(res, old, version)
        self._rv += 1
        new["metadata"]["resourceVersion"] = str(self._rv)
        self._bucket(res)[(new["metadata"].get("namespace"), new["metadata"]["name"])] = new
        self._record("ADDED" if old is None else "MODIFIED", res, old, new)
        if res.kind == "CustomResourceDefinition":
            self._refresh_registry()
        self.notify()
        return _render(res, new, version)

    def _remove(self, res, version, old, doomed):
        meta = doomed["metadata"]
        del self._bucket(res)[(meta.get("namespace"), meta["name"])]
        self._rv += 1
        meta["resourceVersion"] = str(self._rv)
        self._record("DELETED", res, old, doomed)
        if res.kind == "Namespace" and not res.group:
            for other in self.registry.resources:
                if other.namespaced:
                    for key in [k for k in self._bucket(other) if k[0] == meta["name"]]:
                        inner = self._bucket(other)[key]
                        self._remove(other, other.versions[0], inner, copy.deepcopy(inner))
        if res.kind == "CustomResourceDefinition":
            gone_res = next(
                (r for r in self.registry.resources if r.custom and r.key == meta["name"]), None
            )
            if gone_res is not None:
                for key in list(self._bucket(gone_res)):
                    inner = self._bucket(gone_res)[key]
                    self._remove(gone_res, gone_res.versions[0], inner, copy.deepcopy(inner))
            self._refresh_registry()
        self.notify()
        return _render(res, doomed, version)

    def _record(self, kind, res, old, new):
        event = Event(self._rv, kind, res.key, old, new)
        self._events.append(event)
        if self.controllers:
            self._queue.append(event)
        if len(self._events) > self._history_size:
            drop = len(self._events) - self._history_size
            self._compacted = self._events[drop - 1].rv
            del self._events[:drop]

    def _run_controllers(self):
        """Hand queued changes to the controllers until they stop writing (their own writes queue more changes)."""
        if self._draining:
            return
        self._draining = True
        try:
            while self._queue:
                event = self._queue.pop(0)
                for controller in self.controllers:
                    controller.on_event(self, event)
        finally:
            self._draining = False

    def _defaults(self, res, obj):
        if res.group:
            if res.kind == "CustomResourceDefinition":
                names = obj["spec"]["names"]
                obj.setdefault(
                    "status",
                    {
                        "acceptedNames": names,
                        "storedVersions": [
                            v["name"] for v in obj["spec"]["versions"] if v.get("storage")
                        ],
                        "conditions": [
                            {
                                "type": "Established",
                                "status": "True",
                                "reason": "InitialNamesAccepted",
                                "lastTransitionTime": obj["metadata"]["creationTimestamp"],
                                "message": "the initial names have been accepted",
                            }
                        ],
                    },
                )
            return
        meta = obj["metadata"]
        if res.kind == "Namespace":
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj.setdefault("status", {"phase": "Active"})
        elif res.kind == "Pod":
            obj.setdefault("status", {"phase": "Pending", "qosClass": "BestEffort"})
        elif res.kind == "Secret":
            obj.setdefault("type", "Opaque")
            _secret_data(obj)
        elif res.kind == "Service":
            spec = obj.setdefault("spec", {})
            spec.setdefault("type", "ClusterIP")
            if spec.get("clusterIP") != "None" and not spec.get("clusterIP"):
                taken = {s.get("spec", {}).get("clusterIP") for s in self._bucket(res).values()}
                spec["clusterIP"] = next(
                    str(ip)
                    for ip in ipaddress.ip_network("10.96.0.0/16").hosts()
                    if str(ip) not in taken and not str(ip).endswith(".1")
                )
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
            spec.setdefault("sessionAffinity", "None")
            obj.setdefault("status", {"loadBalancer": {}})

    # --- watch support ----------------------------------------------------------------------------------------

    def events_after(self, rv, key):
        """Committed events of resource `key` newer than `rv`; raises 410 Expired if the history no longer covers `rv`."""
        with self._lock:
            if rv < self._compacted:
                raise errors.gone("too old resource version: %d (%d)" % (rv, self._compacted))
            start = bisect.bisect_right([e.rv for e in self._events], rv)
            return [e for e in self._events[start:] if e.key == key]

    def changes_since(self, rv, key):
        """(events of resource `key` newer than `rv`, the resourceVersion they bring a watcher to); 410 as events_after."""
        with self._lock:
            return self.events_after(rv, key), self._rv

    def current(self, res, namespace):
        """Snapshot for a watch started without a resourceVersion: the objects and the resourceVersion they are at."""
        with self._lock:
            bucket = self._bucket(res)
            objs = [
                bucket[k]
                for k in sorted(bucket, key=_sort_key)
                if namespace is None or k[0] == namespace
            ]
            return objs, self._rv


def keys_of(obj):
    return (obj["metadata"].get("namespace"), obj["metadata"]["name"])


def _sort_key(key):
    return (key[0] or "", key[1])


def _encode_continue(key):
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def _decode_continue(token):
    try:
        return tuple(json.loads(base64.urlsafe_b64decode(token.encode())))
    except (ValueError, TypeError) as exc:
        raise errors.bad_request("invalid continue token: %s" % exc) from exc


def _spec(obj):
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def _secret_data(obj):
    string_data = obj.pop("stringData", None) or {}
    if string_data:
        data = obj.setdefault("data", {}) or {}
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        obj["data"] = data


def _crd_errors(crd):
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    problems = []
    for field in ("plural", "kind"):
        if not names.get(field):
            problems.append(("spec.names.%s" % field, "Required value"))
    if not spec.get("group"):
        problems.append(("spec.group", "Required value"))
    if not spec.get("versions"):
        problems.append(("spec.versions", "Required value"))
    name = (crd.get("metadata") or {}).get("name")
    if (
        names.get("plural")
        and spec.get("group")
        and name != "%s.%s" % (names["plural"], spec["group"])
    ):
        problems.append(
            (
                "metadata.name",
                'Invalid value: "%s": must be spec.names.plural+"."+spec.group' % name,
            )
        )
    return problems


def _render(res, obj, version, in_list=False):
    """The object as a response shows it: apiVersion of the request; list items of core kinds carry no type fields."""
    if in_list and not res.custom:
        return {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    wanted = res.api_version(version)
    if obj.get("apiVersion") != wanted:
        return dict(obj, apiVersion=wanted)
    return obj
