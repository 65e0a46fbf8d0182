"""HTTP handlers: parse the request, make one store call, serialise; plus watches and the `/_sim/` control API."""

import asyncio
import copy
import hmac
import json
import time

import yaml
from aiohttp import web

from sim_core.log import CallClock

from . import errors, faults, openapi
from .routes import discovery, resolve
from .selectors import match_fields, match_labels, parse_fields, parse_labels

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}
_TRUE = ("1", "t", "T", "true", "TRUE", "True")


def _body_size(response):
    """Bytes of a response's body (0 without one)."""
    body = response.body if isinstance(response, web.Response) else None
    return len(body) if isinstance(body, (bytes, bytearray)) else 0


def _json(body, status=200, headers=None):
    return web.Response(
        status=status, text=json.dumps(body), content_type="application/json", headers=headers
    )


def _error(exc):
    return _json(exc.status(), exc.code)


async def _body(request, yaml_ok=False):
    raw = await request.read()
    if not raw:
        raise errors.bad_request("the request body is empty")
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        if not yaml_ok and "yaml" not in request.content_type:
            raise errors.bad_request("the request body is not valid JSON") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise errors.bad_request("the request body is not valid YAML: %s" % exc) from exc


def _verb(method, target, query):
    if method == "GET":
        if target.name is not None:
            return "get"
        return "watch" if query.get("watch") in _TRUE else "list"
    if method == "DELETE":
        return "delete" if target.name is not None else "deletecollection"
    return {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method)


def _dry_run(query):
    values = query.getall("dryRun", [])
    for value in values:
        if value != "All":
            raise errors.bad_request('Invalid dryRun value: "%s", supported values: "All"' % value)
    return bool(values)


def _manager(request):
    manager = request.query.get("fieldManager")
    if manager:
        return manager
    return request.headers.get("User-Agent", "unknown").split("/", 1)[0][:128] or "unknown"


def _validation(query):
    value = query.get("fieldValidation", "Warn")
    if value not in ("Ignore", "Warn", "Strict"):
        raise errors.bad_request(
            'fieldValidation: Unsupported value: "%s": supported values: "Ignore", "Warn", "Strict"'
            % value
        )
    return value


def _warning_headers(warnings):
    if not warnings:
        return None
    return [("Warning", '299 - "%s"' % w.replace('"', '\\"')) for w in warnings]


class _Dropped(Exception):
    """A reset fault: drop the connection without answering."""


def _cut(request, rule, sent):
    """Apply a cut_watch fault once `after_events` events went out: drop the connection mid-stream."""
    if rule is None or sent < int(rule.option("after_events", 0)):
        return False
    request.transport.abort()
    return True


class Handler:
    """The aiohttp request handler of one emulator instance."""

    def __init__(self, sim):
        self.sim = sim

    async def handle(self, request):
        if request.path.startswith("/_sim/"):
            return await self.control(request)
        epoch = self.sim.store.epoch
        entry = {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "status": None,
            "write": False,
            "dry_run": "dryRun" in request.query,
        }
        entry["write"] = request.method in WRITE_METHODS and not entry["dry_run"]
        clock = CallClock()
        dropped = False
        try:
            response = await self.serve(request, entry, clock)
        except errors.ApiError as exc:
            response = _error(exc)
        except _Dropped:
            request.transport.abort()
            entry["status"] = 0
            response = web.Response()
            dropped = True
        if entry["status"] is None:
            entry["status"] = response.status
        if self.sim.store.epoch == epoch:
            # a call open across a reset (a watch it ended) belongs to the log the reset cleared
            size = 0 if dropped else entry.pop("bytes", None)
            self.sim.log.add(entry, clock, _body_size(response) if size is None else size)
        return response

    async def serve(self, request, entry, clock):
        segments = [s for s in request.path.split("/") if s]
        if segments in (["healthz"], ["livez"], ["readyz"]):
            return web.Response(text="ok")
        token = self.sim.token
        public = request.method == "GET" and segments == ["version"]
        if (
            token
            and not public
            and not hmac.compare_digest(request.headers.get("Authorization", ""), "Bearer " + token)
        ):
            raise errors.unauthorized()
        store = self.sim.store
        if request.method == "GET":
            doc = discovery(store.registry, segments, request.host)
            if segments == ["openapi", "v2"]:
                media = openapi.v2_media_type(request.headers.get("Accept"))
                if media:
                    # kube-openapi answers the old '@' form as application/octet-stream: Go's mime parser rejects the '@'.
                    content_type = media if "@" not in media else "application/octet-stream"
                    return web.Response(
                        body=openapi.v2_protobuf(store.registry),
                        headers={"Content-Type": content_type},
                    )
                return _json(openapi.v2_document(store.registry))
            if doc is None and segments[:2] == ["openapi", "v3"]:
                doc = openapi.document(store.registry, segments)
                if doc is None:
                    raise errors.route_not_found()
            if doc is not None:
                return _json(doc)
        target = resolve(store.registry, segments)
        verb = _verb(request.method, target, request.query)
        if verb is None:
            raise errors.method_not_allowed()
        entry.update(verb=verb, resource=target.res.plural)
        outcome = self.sim.faults.fire(
            {
                "method": request.method,
                "path": request.path,
                "verb": verb,
                "resource": target.res.plural,
            }
        )
        if outcome.fault:
            entry["fault"] = outcome.fault
        if outcome.delay:
            with clock.paused():
                await asyncio.sleep(outcome.delay)
        if outcome.failure is not None:
            return self._fail(outcome.failure, target, verb)
        if verb == "watch":
            return await self.watch(request, target, entry, outcome.effect("cut_watch"), clock)
        raced = outcome.effect("raced")
        if raced is not None:
            self._create_first(target, await _body(request), raced.option("labels"))
        try:
            response = await self.crud(request, target, verb)
        except errors.ApiError:
            if outcome.drop_after:
                raise _Dropped() from None
            raise
        if outcome.drop_after:
            raise _Dropped()
        return response

    def _create_first(self, target, body, labels):
        """The `raced` fault: another client creates the object of this create call first."""
        theirs = copy.deepcopy(body)
        if labels is not None:
            theirs.setdefault("metadata", {})["labels"] = labels
        self.sim.store.create(
            target.res, target.version, target.namespace, theirs, False, "another-client", "Strict"
        )

    def _fail(self, rule, target, verb):
        """The answer of a failing fault rule (sim_core decides which one fails the call)."""
        if rule.action == "reset":
            raise _Dropped()
        message = rule.option("message")
        if rule.action == "conflict":
            raise errors.conflict(target.res, target.name or "")
        if rule.action == "gone" and verb != "watch":
            raise errors.gone(
                message
                or "The provided continue parameter is too old to display a consistent list result."
            )
        if rule.action == "gone":
            return self._gone_watch(message)
        if rule.action == "throttle":
            retry_after = rule.option("retry_after", 1)
            status = errors.ApiError(
                429,
                "TooManyRequests",
                message or "Too many requests, please try again later.",
                {"retryAfterSeconds": retry_after},
            ).status()
            return _json(status, 429, [("Retry-After", str(retry_after))])
        code = rule.option("status", 500)
        if rule.option("body") is not None:
            return _json(rule.option("body"), code)
        raise errors.ApiError(
            code,
            faults.REASONS.get(code, "InternalError"),
            message or "Internal error occurred: injected fault",
        )

    @staticmethod
    def _gone_watch(message):
        event = {
            "type": "ERROR",
            "object": errors.gone(message or "too old resource version").status(),
        }
        return web.Response(
            status=200, text=json.dumps(event) + "\n", content_type="application/json"
        )

    async def crud(self, request, target, verb):
        store = self.sim.store
        query = request.query
        res, version, namespace, name = target.res, target.version, target.namespace, target.name
        if res.namespaced and namespace is None and verb not in ("list", "watch"):
            raise errors.route_not_found()
        if verb == "get":
            return _json(store.get(res, version, namespace, name))
        if verb == "list":
            limit = query.get("limit", "0")
            if not limit.isdigit():
                raise errors.bad_request("invalid limit %r" % limit)
            return _json(
                store.list(
                    res,
                    version,
                    namespace,
                    parse_labels(query.get("labelSelector")),
                    parse_fields(query.get("fieldSelector"), res),
                    int(limit),
                    query.get("continue"),
                )
            )
        if verb == "deletecollection":
            return _json(
                store.delete_collection(
                    res,
                    version,
                    namespace,
                    parse_labels(query.get("labelSelector")),
                    parse_fields(query.get("fieldSelector"), res),
                    _dry_run(query),
                )
            )
        if verb == "delete":
            raw = await request.read()
            options = await _body(request) if raw.strip() else {}
            dry_run = _dry_run(query) or "All" in (options.get("dryRun") or [])
            return _json(store.delete(res, version, namespace, name, dry_run, options))
        dry_run = _dry_run(query)
        validation = _validation(query)
        if verb == "create":
            obj, warnings = store.create(
                res,
                version,
                namespace,
                await _body(request),
                dry_run,
                _manager(request),
                validation,
            )
            return _json(obj, 201, _warning_headers(warnings))
        if verb == "update":
            obj, warnings = store.replace(
                res,
                version,
                namespace,
                name,
                await _body(request),
                target.subresource,
                dry_run,
                _manager(request),
                validation,
            )
            return _json(obj, 200, _warning_headers(warnings))
        patch_type = PATCH_TYPES.get(request.content_type)
        if patch_type is None:
            raise errors.unsupported_media_type(
                "the body of the request was in an unknown format - accepted media types include: "
                + ", ".join(PATCH_TYPES)
            )
        existed = patch_type == "apply" and store.exists(res, namespace, name)
        force = query.get("force", "false") in _TRUE
        manager = query.get("fieldManager") if patch_type == "apply" else _manager(request)
        obj, warnings = store.patch(
            res,
            version,
            namespace,
            name,
            patch_type,
            await _body(request, yaml_ok=True),
            target.subresource,
            dry_run,
            manager,
            force,
            validation,
        )
        created = patch_type == "apply" and not existed
        return _json(obj, 201 if created else 200, _warning_headers(warnings))

    async def watch(self, request, target, entry, cut, clock):
        """Stream watch events; with `allowWatchBookmarks` also BOOKMARKs (see README.md, Watch).

        Its log entry counts the bytes streamed and, on `clock`, not the time spent waiting for events.
        """
        store = self.sim.store
        query = request.query
        labels = parse_labels(query.get("labelSelector"))
        field_reqs = parse_fields(query.get("fieldSelector"), target.res)
        timeout = query.get("timeoutSeconds")
        deadline = time.monotonic() + float(timeout) if timeout else None
        since = query.get("resourceVersion", "")
        if since not in ("", "0") and not since.isdigit():
            raise errors.bad_request("invalid resourceVersion %r" % since)
        initial_events = query.get("sendInitialEvents") in _TRUE
        view = _WatchView(target, labels, field_reqs)
        stream = _WatchStream(
            view, query.get("allowWatchBookmarks") in _TRUE, self.sim.bookmark_interval, deadline
        )
        initial = []
        if since in ("", "0") or initial_events:
            objs, last = store.current(target.res, target.namespace)
            initial = [{"type": "ADDED", "object": view.render(o)} for o in objs if view.matches(o)]
            stream.initial_bookmark(last, initial_events)
        else:
            last = int(since)
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        entry["status"] = 200
        wake = asyncio.Event()
        loop = asyncio.get_running_loop()

        def listener():
            loop.call_soon_threadsafe(wake.set)

        store.add_listener(listener)
        epoch = store.epoch
        sent = 0
        entry["bytes"] = 0
        try:
            pending = initial
            while not self.sim.closing:
                for event in pending:
                    if event["type"] != "BOOKMARK" and _cut(request, cut, sent):
                        return response
                    line = json.dumps(event).encode() + b"\n"
                    await response.write(line)
                    entry["bytes"] += len(line)
                    if event["type"] != "BOOKMARK":
                        sent += 1
                if _cut(request, cut, sent):
                    return response
                if store.epoch != epoch:
                    break
                wake.clear()
                try:
                    events, current = store.changes_since(last, target.res.key)
                except errors.ApiError as exc:
                    line = json.dumps({"type": "ERROR", "object": exc.status()}).encode() + b"\n"
                    await response.write(line)
                    entry["bytes"] += len(line)
                    break
                pending = [e for e in (view.translate(ev) for ev in events) if e]
                if pending:
                    stream.sent(events[-1].rv)
                last = current
                bookmark = stream.bookmark(current)
                if bookmark:
                    pending.append(bookmark)
                if pending:
                    continue
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                try:
                    with clock.paused():
                        await asyncio.wait_for(wake.wait(), stream.wait_time(remaining))
                except asyncio.TimeoutError:
                    if remaining is not None and deadline - time.monotonic() <= 0:
                        break
            await response.write_eof()
        except ConnectionResetError:
            pass
        finally:
            store.remove_listener(listener)
        return response

    async def control(self, request):
        """The `/_sim/` control API (sim_core's, shared with apstra_sim)."""
        status, body = self.sim.control.handle(request.method, request.path, await request.read())
        return _json(body, status)


class _WatchView:
    """What one watch sees: namespace and selectors, with objects entering or leaving the selection."""

    def __init__(self, target, labels, field_reqs):
        self.target = target
        self.labels = labels
        self.field_reqs = field_reqs

    def matches(self, obj):
        meta = obj["metadata"]
        return (
            (self.target.namespace is None or meta.get("namespace") == self.target.namespace)
            and match_labels(self.labels, meta.get("labels"))
            and match_fields(self.field_reqs, obj)
        )

    def render(self, obj):
        wanted = self.target.res.api_version(self.target.version)
        return obj if obj.get("apiVersion") == wanted else dict(obj, apiVersion=wanted)

    def translate(self, event):
        old_in = event.old is not None and self.matches(event.old)
        if event.type == "DELETED":
            return {"type": "DELETED", "object": self.render(event.new)} if old_in else None
        new_in = self.matches(event.new)
        if new_in:
            return {"type": "MODIFIED" if old_in else "ADDED", "object": self.render(event.new)}
        return {"type": "DELETED", "object": self.render(event.new)} if old_in else None


# Go's zero value of the typed kinds, as a kube-apiserver serialises the empty object of a bookmark event.
_BOOKMARK_SHAPES = {
    ("", "Pod"): {"spec": {"containers": None}, "status": {}},
    ("", "Namespace"): {"spec": {}, "status": {}},
    ("", "Node"): {
        "spec": {},
        "status": {
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 0}},
            "nodeInfo": dict.fromkeys(
                (
                    "machineID",
                    "systemUUID",
                    "bootID",
                    "kernelVersion",
                    "osImage",
                    "containerRuntimeVersion",
                    "kubeletVersion",
                    "kubeProxyVersion",
                    "operatingSystem",
                    "architecture",
                ),
                "",
            ),
        },
    },
    ("", "Service"): {"spec": {}, "status": {"loadBalancer": {}}},
    ("apiextensions.k8s.io", "CustomResourceDefinition"): {
        "spec": {"group": "", "names": {"plural": "", "kind": ""}, "scope": "", "versions": None},
        "status": {
            "conditions": None,
            "acceptedNames": {"plural": "", "kind": ""},
            "storedVersions": None,
        },
    },
}


class _WatchStream:
    """When a watch sends BOOKMARK events: with `allowWatchBookmarks`, once after the initial events (annotated
    `k8s.io/initial-events-end` when `sendInitialEvents` asked for them), then whenever the resume point moved past what
    the client last saw (changes to other kinds, namespaces or selections) once `interval` seconds passed since the
    last bookmark, or 2 s before `timeoutSeconds` ends the watch if that comes first (the apiserver's watch cache
    schedules its bookmarks the same way)."""

    def __init__(self, view, enabled, interval, deadline):
        self.view = view
        self.enabled = enabled
        self.interval = interval
        self.deadline = deadline
        self.announced = None
        self.due = None
        self.first = None
        self._schedule()

    def _schedule(self):
        now = time.monotonic()
        due = now + self.interval
        if self.deadline is not None and now <= self.deadline - 2 < due:
            due = self.deadline - 2
        self.due = due

    def initial_bookmark(self, rv, annotated):
        if self.enabled:
            self.first = (rv, annotated)

    def sent(self, rv):
        """An event at `rv` went out: the client's resume point is there."""
        self.announced = rv

    def bookmark(self, current):
        """The BOOKMARK event to send now at resourceVersion `current`, or None."""
        if not self.enabled:
            return None
        if self.first is not None:
            rv, annotated = self.first
            self.first = None
            self.announced = current
            self._schedule()
            return self._event(max(rv, current), annotated)
        if time.monotonic() < self.due or self.announced == current:
            return None
        self.announced = current
        self._schedule()
        return self._event(current, False)

    def wait_time(self, remaining):
        """How long to wait for a change before the next bookmark check: once one is due, until the next change."""
        until = self.due - time.monotonic()
        if not self.enabled or until <= 0:
            return remaining
        return until if remaining is None else min(until, remaining)

    def _event(self, rv, annotated):
        res = self.view.target.res
        meta = {"resourceVersion": str(rv)}
        if annotated:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        if res.custom:
            obj = {
                "apiVersion": res.api_version(self.view.target.version),
                "kind": res.kind,
                "metadata": meta,
            }
        else:
            meta["creationTimestamp"] = None
            obj = {
                "kind": res.kind,
                "apiVersion": res.api_version(self.view.target.version),
                "metadata": meta,
            }
            obj.update(copy.deepcopy(_BOOKMARK_SHAPES.get((res.group, res.kind), {})))
        return {"type": "BOOKMARK", "object": obj}
