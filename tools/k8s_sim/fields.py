"""Field ownership (metadata.managedFields) and server-side apply.

A simplification of structured-merge-diff: maps are tracked key by key, lists and scalars are atomic leaves.
"""

import copy

from .errors import ApiError
from .patch import merge_patch, strategic_merge

_UNOWNED = {("apiVersion",), ("kind",), ("status",), ("metadata",)}
_UNOWNED_META = {
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
}


def leaf_paths(obj, prefix=()):
    """Paths to scalars and lists; an empty map owns nothing."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from leaf_paths(value, prefix + (key,))
    else:
        yield prefix


def owned_paths(obj, status=False):
    """Leaf paths a writer of `obj` owns; `status` selects the status stanza (status subresource writes)."""
    out = set()
    for path in leaf_paths(obj):
        if path in _UNOWNED or (
            path[0] == "metadata" and len(path) > 1 and path[1] in _UNOWNED_META
        ):
            continue
        if (path[0] == "status") == status:
            out.add(path)
    return out


def get_path(obj, path):
    for part in path:
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _delete_path(obj, path):
    parents = []
    for part in path[:-1]:
        if not isinstance(obj.get(part), dict):
            return
        parents.append((obj, part))
        obj = obj[part]
    obj.pop(path[-1], None)
    for parent, part in reversed(parents):
        if parent[part]:
            break
        del parent[part]


def encode(paths):
    """Paths -> FieldsV1 ({"f:spec": {"f:config": {}}})."""
    tree = {}
    for path in sorted(paths):
        node = tree
        for part in path:
            node = node.setdefault("f:" + part, {})
    return tree


def decode(fields, prefix=()):
    """FieldsV1 -> leaf paths; list-item keys (k:/v:/i:) make their list an atomic leaf."""
    out = set()
    children = [k for k in fields if k != "."]
    if not children or any(not k.startswith("f:") for k in children):
        return {prefix} if prefix else set()
    for key in children:
        out |= decode(fields[key], prefix + (key[2:],))
    return out


def _entries(obj):
    return (obj.get("metadata") or {}).get("managedFields") or []


def _entry_paths(entry):
    return decode(entry.get("fieldsV1") or {})


def _set_entries(obj, entries):
    entries = [e for e in entries if e.get("fieldsV1")]
    if entries:
        obj["metadata"]["managedFields"] = entries
    else:
        obj["metadata"].pop("managedFields", None)


def _entry(manager, operation, api_version, paths, now, subresource):
    entry = {
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": encode(paths),
    }
    if subresource:
        entry["subresource"] = subresource
    return entry


def record_update(old, new, manager, api_version, now, subresource=None):
    """Give `manager` the fields this non-apply write set or changed, taking them from other managers."""
    status = subresource == "status"
    changed = {
        p for p in owned_paths(new, status) if old is None or get_path(old, p) != get_path(new, p)
    }
    entries = []
    mine = set()
    for entry in _entries(new):
        paths = _entry_paths(entry)
        same = (entry.get("manager"), entry.get("operation"), entry.get("subresource")) == (
            manager,
            "Update",
            subresource,
        )
        if same:
            mine = paths
            continue
        if paths & changed:
            entry = dict(entry, fieldsV1=encode(paths - changed))
        entries.append(entry)
    present = owned_paths(new, status)
    mine = (mine & present) | changed
    if mine:
        previous = next(
            (
                e
                for e in _entries(new)
                if e.get("manager") == manager and e.get("operation") == "Update"
            ),
            None,
        )
        keep_time = previous is not None and _entry_paths(previous) == mine
        entries.append(
            _entry(
                manager,
                "Update",
                api_version,
                mine,
                previous["time"] if keep_time else now,
                subresource,
            )
        )
    _set_entries(new, entries)


def apply(current, config, manager, api_version, now, force, strategic):
    """Server-side apply of `config` onto `current` (None to create); returns the new object or raises a 409."""
    applied = owned_paths(config)
    entries = _entries(current) if current else []
    previous = set()
    others = []
    conflicts = []
    for entry in entries:
        paths = _entry_paths(entry)
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            previous = paths
            continue
        clash = {p for p in paths & applied if get_path(current, p) != get_path(config, p)}
        if clash and not force:
            conflicts.extend((entry.get("manager"), p) for p in sorted(clash))
        if clash:
            entry = dict(entry, fieldsV1=encode(paths - clash))
            paths = paths - clash
        others.append((entry, paths))
    if conflicts:
        raise _conflict(conflicts, api_version)
    result = copy.deepcopy(current) if current else {}
    owned_by_others = set().union(*(paths for entry, paths in others)) if others else set()
    for path in previous - applied - owned_by_others:
        _delete_path(result, path)
    result = (
        strategic_merge(result, config)
        if strategic
        else merge_patch(result, _without_nulls(config))
    )
    result.setdefault("metadata", {})
    entries = [entry for entry, paths in others]
    if applied:
        old = next(
            (
                e
                for e in _entries(current or {})
                if e.get("manager") == manager and e.get("operation") == "Apply"
            ),
            None,
        )
        when = old["time"] if old and previous == applied else now
        entries.append(_entry(manager, "Apply", api_version, applied, when, None))
    _set_entries(result, entries)
    return result


def _without_nulls(value):
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


def _conflict(conflicts, api_version):
    text = "\n".join(
        'conflict with "%s" using %s: .%s' % (m, api_version, ".".join(p)) for m, p in conflicts
    )
    plural = "conflict" if len(conflicts) == 1 else "conflicts"
    return ApiError(
        409,
        "Conflict",
        "Apply failed with %d %s: %s" % (len(conflicts), plural, text),
        {
            "causes": [
                {
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "%s"' % m,
                    "field": "." + ".".join(p),
                }
                for m, p in conflicts
            ]
        },
    )
