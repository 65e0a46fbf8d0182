"""Minimal OpenAPI documents: v3 with operations and their query parameters, v2 with no schemas at all.

kubectl >= 1.27 reads v3 to learn that the server validates fields itself (`fieldValidation`), so it skips client-side
validation. Older kubectl (Debian's 1.20) reads /openapi/v2 (protobuf first) before create and apply; the empty v2
document defines no types, so it skips validation as for CRDs. Strategic merge is not advertised, so `kubectl apply`
computes patches from its built-in types (core kinds) or as JSON merge patches (custom resources).
"""

import hashlib
import json

from .routes import VERSION_INFO

# The gnostic openapi_v2.Document protobuf media types: the one client-go used up to 1.23 and the one it uses since.
V2_PROTOBUF = (
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
)

_PARAM = {"in": "query", "schema": {"type": "string", "uniqueItems": True}}
_WRITE = ("dryRun", "fieldManager", "fieldValidation", "pretty")
_READ = (
    "labelSelector",
    "fieldSelector",
    "limit",
    "continue",
    "resourceVersion",
    "resourceVersionMatch",
    "timeoutSeconds",
    "watch",
    "allowWatchBookmarks",
    "pretty",
)
_PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
)


def _op(res, version, verb, params, patch=False):
    gvk = {"group": res.group, "version": version, "kind": res.kind}
    operation = {
        "operationId": "%s%s" % (verb, res.kind),
        "x-kubernetes-action": verb,
        "x-kubernetes-group-version-kind": gvk,
        "parameters": [dict(_PARAM, name=p) for p in params],
        "responses": {"200": {"description": "OK"}},
    }
    if patch:
        operation["requestBody"] = {
            "content": {t: {"schema": {"type": "object"}} for t in _PATCH_TYPES},
            "required": True,
        }
    return operation


def _paths(res, version):
    base = "/api/%s" % version if not res.group else "/apis/%s/%s" % (res.group, version)
    scope = base + ("/namespaces/{namespace}" if res.namespaced else "")
    collection = "%s/%s" % (scope, res.plural)
    item = collection + "/{name}"
    paths = {
        collection: {
            "get": _op(res, version, "list", _READ),
            "post": _op(res, version, "post", _WRITE),
            "delete": _op(res, version, "deletecollection", _WRITE + _READ),
        },
        item: {
            "get": _op(res, version, "get", ("pretty",)),
            "put": _op(res, version, "put", _WRITE),
            "patch": _op(res, version, "patch", _WRITE + ("force",), patch=True),
            "delete": _op(res, version, "delete", _WRITE),
        },
    }
    if res.status_subresource:
        paths[item + "/status"] = {
            "get": _op(res, version, "get", ("pretty",)),
            "put": _op(res, version, "put", _WRITE),
            "patch": _op(res, version, "patch", _WRITE + ("force",), patch=True),
        }
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
        return {
            "paths": {
                key: {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (key, _hash(groups[key]))}
                for key in sorted(groups)
            }
        }
    key = "/".join(segments[2:])
    if segments[:2] != ["openapi", "v3"] or key not in groups:
        return None
    paths = {}
    for res, version in groups[key]:
        paths.update(_paths(res, version))
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": VERSION_INFO["gitVersion"]},
        "paths": paths,
        "components": {"schemas": {}},
    }


def _hash(entries):
    text = json.dumps([(r.key, r.kind, v, r.namespaced, r.status_subresource) for r, v in entries])
    return hashlib.sha512(text.encode()).hexdigest()[:128].upper()


def _item_paths(res, version):
    base = "/api/%s" % version if not res.group else "/apis/%s/%s" % (res.group, version)
    item = "%s%s/%s/{name}" % (
        base,
        "/namespaces/{namespace}" if res.namespaced else "",
        res.plural,
    )
    return [item] + ([item + "/status"] if res.status_subresource else [])


def v2_document(registry):
    """The /openapi/v2 document: no definitions (so kubectl validates nothing and applies custom resources with JSON
    merge patches), and a PATCH operation per item path with its group-version-kind and query parameters, from which
    kubectl < 1.26 learns that `--dry-run=server` is supported."""
    paths = {}
    for res in registry.resources:
        for version in res.versions:
            gvk = {"group": res.group, "kind": res.kind, "version": version}
            params = [
                {"in": "query", "name": p, "type": "string", "uniqueItems": True}
                for p in _WRITE + ("force",)
            ]
            operation = {
                "operationId": "patch%s" % res.kind,
                "parameters": params,
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": gvk,
            }
            for path in _item_paths(res, version):
                paths[path] = {"patch": operation}
    return {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": VERSION_INFO["gitVersion"]},
        "paths": paths,
        "definitions": {},
    }


def v2_media_type(accept):
    """The protobuf media type `accept` asks for (type and subtype only, parameters ignored), else None (JSON)."""
    for part in (accept or "").split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media in V2_PROTOBUF:
            return media
    return None


def _field(number, payload):
    """One length-delimited protobuf field (wire type 2): key, varint length, bytes."""
    if isinstance(payload, str):
        payload = payload.encode()
    out = bytearray([number << 3 | 2])
    size = len(payload)
    while size > 0x7F:
        out.append(size & 0x7F | 0x80)
        size >>= 7
    out.append(size)
    return bytes(out) + payload


def _pb_operation(operation):
    """gnostic Operation: operation_id = 5, parameters = 8 (ParametersItem.parameter = 1 -> Parameter.non_body_parameter = 2
    -> NonBodyParameter.query_parameter_sub_schema = 3: in = 2, name = 4, type = 6), vendor_extension = 13 (NamedAny:
    name = 1, value = 2 -> Any.yaml = 2)."""
    out = _field(5, operation["operationId"])
    for param in operation["parameters"]:
        query = _field(2, param["in"]) + _field(4, param["name"]) + _field(6, param["type"])
        out += _field(8, _field(1, _field(2, _field(3, query))))
    for name in ("x-kubernetes-action", "x-kubernetes-group-version-kind"):
        value = json.dumps(operation[name], sort_keys=True)  # JSON is YAML
        out += _field(13, _field(1, name) + _field(2, _field(2, value)))
    return out


def v2_protobuf(registry):
    """`v2_document()` as a gnostic openapi_v2.Document: swagger = 1, info = 2 (Info: title = 1, version = 2), paths = 8
    (Paths.path = 2 -> NamedPathItem: name = 1, value = 2 -> PathItem.patch = 8) and definitions = 9 (empty).
    """
    doc = v2_document(registry)
    info = _field(1, doc["info"]["title"]) + _field(2, doc["info"]["version"])
    paths = b"".join(
        _field(2, _field(1, path) + _field(2, _field(8, _pb_operation(item["patch"]))))
        for path, item in doc["paths"].items()
    )
    return _field(1, doc["swagger"]) + _field(2, info) + _field(8, paths) + _field(9, b"")
