"""Label selectors (equality and set-based) and field selectors, parsed as kube-apiserver parses them."""

import re

from .errors import bad_request

_KEY = r"(?:[a-z0-9A-Z.\-]+/)?[A-Za-z0-9][-A-Za-z0-9_.]*"
_VALUE = r"[-A-Za-z0-9_.]*"
_SET = re.compile(r"^(%s)\s+(in|notin)\s*\(\s*([^()]*)\)$" % _KEY)
_COMPARE = re.compile(r"^(%s)\s*(==|!=|=|>|<)\s*(%s)$" % (_KEY, _VALUE))
_EXISTS = re.compile(r"^(!?)\s*(%s)$" % _KEY)


def _split(text):
    """Split on the commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts]


def parse_labels(text):
    """Parse a label selector into (key, op, values) requirements; op is one of = != in notin exists !exists > <."""
    if not text or not text.strip():
        return []
    reqs = []
    for part in _split(text):
        match = _SET.match(part)
        if match:
            values = [v.strip() for v in match.group(3).split(",") if v.strip()]
            if not values or any(not re.fullmatch(_VALUE, v) for v in values):
                raise bad_request("unable to parse requirement: %s" % part)
            reqs.append((match.group(1), match.group(2), frozenset(values)))
            continue
        match = _COMPARE.match(part)
        if match:
            key, oper, value = match.groups()
            if oper in "<>" and not re.fullmatch(r"-?\d+", value):
                raise bad_request(
                    "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer"
                )
            reqs.append((key, "=" if oper == "==" else oper, value))
            continue
        match = _EXISTS.match(part)
        if match:
            reqs.append((match.group(2), "!exists" if match.group(1) else "exists", None))
            continue
        raise bad_request(
            "unable to parse requirement: found '%s', expected: identifier or operator" % part
        )
    return reqs


def match_labels(reqs, labels):
    labels = labels or {}
    for key, oper, value in reqs:
        present = key in labels
        actual = labels.get(key)
        if oper == "=" and actual != value:
            return False
        if oper == "!=" and present and actual == value:
            return False
        if oper == "in" and actual not in value:
            return False
        if oper == "notin" and present and actual in value:
            return False
        if oper == "exists" and not present:
            return False
        if oper == "!exists" and present:
            return False
        if oper in "<>" and not _compare(actual, oper, int(value)):
            return False
    return True


def _compare(actual, oper, bound):
    try:
        number = int(actual)
    except (TypeError, ValueError):
        return False
    return number > bound if oper == ">" else number < bound


FIELDS = {
    "metadata.name": ("metadata", "name"),
    "metadata.namespace": ("metadata", "namespace"),
}
POD_FIELDS = {
    "spec.nodeName": ("spec", "nodeName"),
    "status.phase": ("status", "phase"),
}


def parse_fields(text, resource):
    """Parse a field selector; only the fields the real server indexes for the resource are accepted."""
    if not text or not text.strip():
        return []
    allowed = dict(FIELDS, **(POD_FIELDS if resource.kind == "Pod" and not resource.group else {}))
    reqs = []
    for part in _split(text):
        match = re.fullmatch(r"([A-Za-z.]+)\s*(==|!=|=)\s*([^,]*)", part)
        if not match:
            raise bad_request("invalid selector: '%s'; can't understand '%s'" % (text, part))
        field, oper, value = match.groups()
        if field not in allowed:
            raise bad_request("field label not supported: %s" % field)
        reqs.append((allowed[field], "!=" if oper == "!=" else "=", value))
    return reqs


def match_fields(reqs, obj):
    for (section, attr), oper, value in reqs:
        actual = (obj.get(section) or {}).get(attr) or ""
        if (actual == value) != (oper == "="):
            return False
    return True
