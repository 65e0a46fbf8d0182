"""Patch formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch (core kinds)."""

import copy

from .errors import ApiError

# patchMergeKey of the core API lists this emulator serves; lists not named here are replaced whole.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "addresses": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "ports": ("containerPort", "port"),
}
PRIMITIVE_MERGE = {"finalizers"}
_DELETE = object()


def _invalid(message):
    return ApiError(422, "Invalid", message)


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise _invalid("invalid JSON pointer: %r" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc, parts, path):
    for part in parts:
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            raise _invalid("jsonpatch: path %r does not exist" % path)
    return doc


def _add(doc, parts, value, path):
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        index = len(parent) if last == "-" else int(last) if last.isdigit() else -1
        if not 0 <= index <= len(parent):
            raise _invalid("jsonpatch: index out of range in %r" % path)
        parent.insert(index, value)
    else:
        raise _invalid("jsonpatch: cannot add to %r" % path)


def _remove(doc, parts, path):
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise _invalid("jsonpatch: path %r does not exist" % path)


def json_patch(target, operations):
    """Apply RFC 6902 operations to a copy of `target`."""
    if not isinstance(operations, list):
        raise ApiError(400, "BadRequest", "json patch must be a list of operations")
    doc = copy.deepcopy(target)
    for oper in operations:
        if not isinstance(oper, dict) or "op" not in oper or "path" not in oper:
            raise ApiError(400, "BadRequest", "invalid json patch operation: %r" % (oper,))
        kind, path = oper["op"], oper["path"]
        parts = _pointer(path)
        if not parts and kind in ("add", "replace"):
            doc = copy.deepcopy(oper.get("value"))
            continue
        if kind == "add":
            _add(doc, parts, copy.deepcopy(oper.get("value")), path)
        elif kind == "remove":
            _remove(doc, parts, path)
        elif kind == "replace":
            _remove(doc, parts, path)
            _add(doc, parts, copy.deepcopy(oper.get("value")), path)
        elif kind in ("move", "copy"):
            source = oper.get("from", "")
            value = (
                _remove(doc, _pointer(source), source)
                if kind == "move"
                else copy.deepcopy(_walk(doc, _pointer(source), source))
            )
            _add(doc, parts, value, path)
        elif kind == "test":
            if _walk(doc, parts, path) != oper.get("value"):
                raise _invalid("jsonpatch: test operation for path %r failed" % path)
        else:
            raise ApiError(400, "BadRequest", "unknown json patch operation %r" % kind)
    return doc


def _clean(value):
    """Drop strategic-merge directives from a value that replaces rather than merges."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [_clean(v) for v in value if not (isinstance(v, dict) and "$patch" in v)]
    return value


def _merge_key(field, items):
    key = MERGE_KEYS.get(field)
    if isinstance(key, tuple):
        return next((k for k in key if any(isinstance(i, dict) and k in i for i in items)), None)
    return key


def _merge_list(field, current, items):
    current = current if isinstance(current, list) else []
    if items and isinstance(items[0], dict) and items[0].get("$patch") == "replace":
        return _clean(items[1:])
    if field in PRIMITIVE_MERGE:
        return current + [i for i in items if i not in current]
    key = _merge_key(field, items)
    if not key or not all(isinstance(i, dict) for i in items):
        return _clean(items)
    result = list(current)
    for item in items:
        index = next(
            (
                n
                for n, old in enumerate(result)
                if isinstance(old, dict) and old.get(key) == item.get(key)
            ),
            None,
        )
        if item.get("$patch") == "delete":
            if index is not None:
                result.pop(index)
        elif index is None:
            result.append(_clean(item))
        else:
            result[index] = strategic_merge(result[index], item)
    return result


def strategic_merge(target, patch):
    """Strategic merge patch with the core API's merge keys and the $patch/$retainKeys/$deleteFromPrimitiveList directives."""
    if not isinstance(patch, dict):
        return _clean(patch)
    if patch.get("$patch") == "replace":
        return _clean(patch)
    if patch.get("$patch") == "delete":
        return _DELETE
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [v for v in result.get(field) or [] if v not in value]
        elif key.startswith("$"):
            continue
        elif value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key), value)
            if merged is _DELETE:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list):
            result[key] = _merge_list(key, result.get(key), value)
        else:
            result[key] = value
    if "$retainKeys" in patch:
        result = {k: v for k, v in result.items() if k in patch["$retainKeys"]}
    return result
