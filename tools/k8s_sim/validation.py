"""Object validation: metadata (names, labels, annotations) and structural OpenAPI v3 schemas of custom resources.

Like kube-apiserver, unknown fields are pruned and reported; defaults from the schema are applied.
"""

import ipaddress
import json
import re

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def _name_error(name, kind):
    if kind in ("Namespace",):
        if len(name) > 63 or not _LABEL.match(name):
            return (
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
                "and end with an alphanumeric character"
            )
    elif kind == "Service":
        if len(name) > 63 or not _DNS1035.match(name):
            return (
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                "alphabetic character, and end with an alphanumeric character"
            )
    elif len(name) > 253 or not _SUBDOMAIN.match(name):
        return (
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
            "start and end with an alphanumeric character"
        )
    return None


def _key_error(key):
    prefix, name = key.rpartition("/")[::2]
    if prefix and (len(prefix) > 253 or not _SUBDOMAIN.match(prefix)):
        return "prefix part must be a lowercase RFC 1123 subdomain"
    if not name or len(name) > 63 or not _QUALIFIED.match(name):
        return (
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character"
        )
    return None


def metadata_errors(obj, kind):
    """(field, message) pairs for invalid metadata."""
    meta = obj.get("metadata") or {}
    errors = []
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        errors.append(("metadata.name", "Required value: name or generateName is required"))
    else:
        problem = _name_error(name, kind)
        if problem:
            errors.append(("metadata.name", 'Invalid value: "%s": %s' % (name, problem)))
    for section in ("labels", "annotations"):
        values = meta.get(section)
        if values is None:
            continue
        if not isinstance(values, dict):
            errors.append(("metadata.%s" % section, "Invalid value: must be a map of strings"))
            continue
        for key, value in values.items():
            problem = _key_error(key)
            if problem:
                errors.append(("metadata.%s" % section, 'Invalid value: "%s": %s' % (key, problem)))
            if not isinstance(value, str):
                errors.append(
                    (
                        "metadata.%s" % section,
                        "Invalid value: %s: must be a string" % json.dumps(value),
                    )
                )
            elif section == "labels" and (len(value) > 63 or not _LABEL_VALUE.match(value)):
                errors.append(
                    (
                        "metadata.labels",
                        'Invalid value: "%s": a valid label must be an empty string or consist of '
                        "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                        "character" % value,
                    )
                )
    return errors


def _type_ok(value, kind):
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return kind not in _TYPES or isinstance(value, _TYPES[kind])


def _json_type(value):
    for name, kind in (
        ("boolean", bool),
        ("integer", int),
        ("number", float),
        ("string", str),
        ("array", list),
        ("object", dict),
    ):
        if isinstance(value, kind):
            return name
    return "null"


class SchemaCheck:
    """Validate and prune one object against a CRD version's openAPIV3Schema."""

    def __init__(self):
        self.errors = []
        self.unknown = []

    def root(self, obj, schema):
        props = dict(schema.get("properties") or {})
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props["metadata"] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        pruned = self.value(obj, dict(schema, properties=props), "")
        if "metadata" in obj:
            pruned["metadata"] = obj["metadata"]
        return pruned

    def value(self, value, schema, path):
        if value is None:
            if not schema.get("nullable"):
                self.errors.append(
                    (
                        path,
                        'Invalid value: "null": %s in body must be of type %s'
                        % (path, schema.get("type", "object")),
                    )
                )
            return value
        kind = schema.get("type")
        if schema.get("x-kubernetes-int-or-string"):
            if not isinstance(value, (int, str)) or isinstance(value, bool):
                self.errors.append(
                    (
                        path,
                        'Invalid value: "%s": %s in body must be of type integer-or-string'
                        % (_json_type(value), path),
                    )
                )
            return value
        if kind and not _type_ok(value, kind):
            self.errors.append(
                (
                    path,
                    'Invalid value: "%s": %s in body must be of type %s: %s'
                    % (_json_type(value), path, kind, json.dumps(value)),
                )
            )
            return value
        self._constraints(value, schema, path)
        if isinstance(value, dict):
            return self._object(value, schema, path)
        if isinstance(value, list) and schema.get("items"):
            return [
                self.value(item, schema["items"], "%s[%d]" % (path, n))
                for n, item in enumerate(value)
            ]
        return value

    def _constraints(self, value, schema, path):
        if "enum" in schema and value not in schema["enum"]:
            self.errors.append(
                (
                    path,
                    "Unsupported value: %s: supported values: %s"
                    % (json.dumps(value), ", ".join(json.dumps(v) for v in schema["enum"])),
                )
            )
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                self.errors.append(
                    (
                        path,
                        "Invalid value: %s: %s in body should be greater than or equal to %s"
                        % (value, path, schema["minimum"]),
                    )
                )
            if "maximum" in schema and value > schema["maximum"]:
                self.errors.append(
                    (
                        path,
                        "Invalid value: %s: %s in body should be less than or equal to %s"
                        % (value, path, schema["maximum"]),
                    )
                )
        if isinstance(value, str):
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                self.errors.append(
                    (path, "Too long: may not be more than %d bytes" % schema["maxLength"])
                )
            if "minLength" in schema and len(value) < schema["minLength"]:
                self.errors.append(
                    (
                        path,
                        'Invalid value: "%s": %s in body should be at least %d chars long'
                        % (value, path, schema["minLength"]),
                    )
                )
            if "pattern" in schema and not re.search(schema["pattern"], value):
                self.errors.append(
                    (
                        path,
                        "Invalid value: \"%s\": %s in body should match '%s'"
                        % (value, path, schema["pattern"]),
                    )
                )

    def _object(self, value, schema, path):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        keep = schema.get("x-kubernetes-preserve-unknown-fields") or extra is True
        out = {}
        for key, item in value.items():
            child = "%s.%s" % (path, key) if path else key
            if key in props:
                out[key] = self.value(item, props[key], child)
            elif isinstance(extra, dict):
                out[key] = self.value(item, extra, child)
            elif keep:
                out[key] = item
            else:
                self.unknown.append(child)
        for key, prop in props.items():
            if key not in out and "default" in prop:
                out[key] = prop["default"]
        for key in schema.get("required") or ():
            if key not in out:
                self.errors.append(("%s.%s" % (path, key) if path else key, "Required value"))
        return out


CN2_GROUP = "core.contrail.juniper.net"
_CIDR_EXAMPLE = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def parse_cidr(text):
    """The network of `text` read as Go's net.ParseCIDR reads it ("addr/prefix", host bits allowed), or None."""
    if not isinstance(text, str) or text.count("/") != 1 or "%" in text:
        return None
    addr, prefix = text.split("/")
    if not prefix.isdigit() or (len(prefix) > 1 and prefix[0] == "0"):
        return None
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return None
    if int(prefix) > ip.max_prefixlen:
        return None
    return ipaddress.ip_network(text, strict=False)


def cn2_errors(kind, obj):
    """(field, message) pairs CN2's API server answers for a core.contrail.juniper.net object a schema cannot refuse.

    CN2 serves these kinds from its own API server, whose per-kind strategies validate writes; what exactly they check
    is not public (docs/contracts.md, "CN2 tenants"). The emulator models the checks an IPAM must make: a Subnet needs a
    CIDR that parses (Go's net.ParseCIDR, which allows host bits) and a defaultGateway, when given, that is an address
    inside it (the check classic Contrail's config API makes: "gateway ip not in cidr").
    """
    if kind != "Subnet":
        return []
    spec = obj.get("spec") or {}
    cidr = spec.get("cidr")
    if cidr in (None, ""):
        return [("spec.cidr", "Required value")]
    network = parse_cidr(cidr)
    if network is None:
        return [("spec.cidr", 'Invalid value: "%s": %s' % (cidr, _CIDR_EXAMPLE))]
    gateway = spec.get("defaultGateway")
    if gateway not in (None, ""):
        try:
            inside = ipaddress.ip_address(gateway) in network
        except ValueError:
            inside = False
        if not inside:
            return [
                (
                    "spec.defaultGateway",
                    'Invalid value: "%s": must be an IP address inside spec.cidr %s'
                    % (gateway, cidr),
                )
            ]
    return []
