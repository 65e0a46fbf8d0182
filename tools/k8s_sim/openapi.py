"""A minimal OpenAPI v3 discovery: operations and their query parameters, no schemas.

kubectl reads it to learn that the server validates fields itself (`fieldValidation`), so it skips client-side
validation, which would need the full /openapi/v2 schema this emulator does not serve. Strategic merge is not
advertised, so `kubectl apply` computes patches from its built-in types (core kinds) or as JSON merge patches.
"""

import hashlib
import json

_PARAM = {"in": "query", "schema": {"type": "string", "uniqueItems": True}}
_WRITE = ("dryRun", "fieldManager", "fieldValidation", "pretty")
_READ = ("labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "resourceVersionMatch", "timeoutSeconds",
         "watch", "allowWatchBookmarks", "pretty")
_PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml")


def _op(res, version, verb, params, patch=False):
    gvk = {"group": res.group, "version": version, "kind": res.kind}
    operation = {"operationId": "%s%s" % (verb, res.kind), "x-kubernetes-action": verb, "x-kubernetes-group-version-kind": gvk,
                 "parameters": [dict(_PARAM, name=p) for p in params], "responses": {"200": {"description": "OK"}}}
    if patch:
        operation["requestBody"] = {"content": {t: {"schema": {"type": "object"}} for t in _PATCH_TYPES}, "required": True}
    return operation


def _paths(res, version):
    base = "/api/%s" % version if not res.group else "/apis/%s/%s" % (res.group, version)
    scope = base + ("/namespaces/{namespace}" if res.namespaced else "")
    collection = "%s/%s" % (scope, res.plural)
    item = collection + "/{name}"
    paths = {
        collection: {"get": _op(res, version, "list", _READ), "post": _op(res, version, "post", _WRITE),
                     "delete": _op(res, version, "deletecollection", _WRITE + _READ)},
        item: {"get": _op(res, version, "get", ("pretty",)), "put": _op(res, version, "put", _WRITE),
               "patch": _op(res, version, "patch", _WRITE + ("force",), patch=True),
               "delete": _op(res, version, "delete", _WRITE)},
    }
    if res.status_subresource:
        paths[item + "/status"] = {"get": _op(res, version, "get", ("pretty",)), "put": _op(res, version, "put", _WRITE),
                                   "patch": _op(res, version, "patch", _WRITE + ("force",), patch=True)}
    return paths


def _group_versions(registry):
    out = {}
    for res in registry.resources:
        for version in res.versions:
            key = "apis/%s/%s" % (res.group, version) if res.group else "api/%s" % version
            out.setdefault(key, []).append((res, version))
    return out


def document(registry, segments):
    """The /openapi/v3 index or one group-version document; None for an unknown path."""
    groups = _group_versions(registry)
    if segments == ["openapi", "v3"]:
        return {"paths": {key: {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (key, _hash(groups[key]))} for key in sorted(groups)}}
    key = "/".join(segments[2:])
    if segments[:2] != ["openapi", "v3"] or key not in groups:
        return None
    paths = {}
    for res, version in groups[key]:
        paths.update(_paths(res, version))
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.4"}, "paths": paths, "components": {"schemas": {}}}


def _hash(entries):
    text = json.dumps([(r.key, r.kind, v, r.namespaced, r.status_subresource) for r, v in entries])
    return hashlib.sha512(text.encode()).hexdigest()[:128].upper()
