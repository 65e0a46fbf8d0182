# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SR-IOV NetworkAttachmentDefinition: option form <-> Kubernetes object, validation, pod references.

The CNI config and the annotations are built with ``json.dumps`` and read with ``json.loads``, never with
regular expressions. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model

API_VERSION = "k8s.cni.cncf.io/v1"
KIND = "NetworkAttachmentDefinition"
RESOURCE_ANNOTATION = model.RESOURCE_ANNOTATION
CN2_ANNOTATION = model.CN2_ANNOTATION
OWN_ANNOTATION_PREFIX = model.ANNOTATION_PREFIX
CN2_GROUP = "core.contrail.juniper.net"
CNI_VERSION = "1.0.0"
MANAGED_ANNOTATIONS = (RESOURCE_ANNOTATION, CN2_ANNOTATION)

NAME_RE = model.NAME_RE
RESOURCE_NAME_RE = model.RESOURCE_RE
ROUTE_TARGET_RE = model.ROUTE_TARGET_RE
RANGES = {
    "vlan": model.NAD_VLAN_RANGE,
    "vlan_qos": model.VLAN_QOS_RANGE,
    "mtu": model.NAD_MTU_RANGE,
}
IPAM_TYPES = ("whereabouts", "static", "host-local", "cn2")
HOST_LOCAL_WARNING = (
    "%s: host-local IPAM allocates addresses per node, so pods on different nodes get the same IPs; "
    "use whereabouts or cn2 for a cluster-wide range"
)

# Option name -> CNI config key, per IPAM type (for those that differ by type).
IPAM_KEYS = {
    "whereabouts": {
        "range": "range",
        "range_start": "range_start",
        "range_end": "range_end",
        "exclude": "exclude",
        "gateway": "gateway",
        "routes": "routes",
    },
    "host-local": {
        "range": "subnet",
        "range_start": "rangeStart",
        "range_end": "rangeEnd",
        "gateway": "gateway",
        "routes": "routes",
    },
    "static": {"addresses": "addresses", "routes": "routes"},
}
CN2_KEYS = {
    "subnet": "ipamV4Subnet",
    "route_targets": "routeTargetList",
    "import_route_targets": "importRouteTargetList",
    "export_route_targets": "exportRouteTargetList",
    "fabric_snat": "fabricSNAT",
}


class ValidationError(ValueError):
    """An option value is invalid; the message names the field and what is allowed."""


def compact(value):
    """Drop None values and empty containers, recursively (the canonical option form). In ``annotations`` a None
    value stays: it asks for the annotation to be removed."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "annotations" and isinstance(item, dict):
                if item:
                    out[key] = dict(item)
                continue
            item = compact(item)
            if item is not None and item != {} and item != []:
                out[key] = item
        return out
    if isinstance(value, list):
        return [compact(item) for item in value]
    return value


def _network(field, value):
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        raise ValidationError(
            "%s: %r is not an IP network in CIDR form (for example 10.1.0.0/24)" % (field, value)
        ) from exc


def _address(field, value):
    try:
        return ipaddress.ip_address(value)
    except ValueError as exc:
        raise ValidationError("%s: %r is not an IP address" % (field, value)) from exc


def _interface(field, value):
    if "/" not in str(value):
        raise ValidationError(
            "%s: %r needs a prefix length (for example 10.1.0.5/24)" % (field, value)
        )
    try:
        return ipaddress.ip_interface(value)
    except ValueError as exc:
        raise ValidationError(
            "%s: %r is not an address with prefix length" % (field, value)
        ) from exc


def validate_name(field, value, required=True):
    if value is None:
        if required:
            raise ValidationError("%s is required" % field)
        return
    if len(value) > 63 or not NAME_RE.match(value):
        raise ValidationError(
            "%s: %r is not a valid name (RFC 1123 label: lower-case letters, digits and '-', "
            "starting and ending with a letter or digit, at most 63 characters)" % (field, value)
        )


def validate_range(field, value, low, high):
    if value is not None and not low <= value <= high:
        raise ValidationError("%s: %s is out of range; allowed %s-%s" % (field, value, low, high))


def _validate_routes(field, routes):
    for index, route in enumerate(routes or []):
        _network("%s[%d].dst" % (field, index), route.get("dst"))
        if route.get("gw") is not None:
            _address("%s[%d].gw" % (field, index), route["gw"])


def validate_ipam(field, ipam, cn2):
    """Check one ``ipam`` option dict; returns a list of warnings."""
    warnings = []
    ipam_type = ipam.get("type")
    if ipam_type not in IPAM_TYPES:
        raise ValidationError(
            "%s.type: %r is not supported; allowed %s" % (field, ipam_type, ", ".join(IPAM_TYPES))
        )
    allowed = set(IPAM_KEYS.get(ipam_type, {})) | {"type"}
    extra = sorted(k for k, v in ipam.items() if v not in (None, [], {}) and k not in allowed)
    if extra:
        raise ValidationError(
            "%s: %s not valid for IPAM type %s; allowed %s"
            % (field, ", ".join(extra), ipam_type, ", ".join(sorted(allowed - {"type"})) or "none")
        )
    if ipam_type in ("whereabouts", "host-local"):
        if not ipam.get("range"):
            raise ValidationError("%s.range is required for IPAM type %s" % (field, ipam_type))
        network = _network(field + ".range", ipam["range"])
        for key in ("gateway", "range_start", "range_end"):
            if (
                ipam.get(key) is not None
                and _address("%s.%s" % (field, key), ipam[key]) not in network
            ):
                raise ValidationError(
                    "%s.%s: %s is outside range %s" % (field, key, ipam[key], network)
                )
        for index, item in enumerate(ipam.get("exclude") or []):
            excluded = _network("%s.exclude[%d]" % (field, index), item)
            if excluded.version != network.version or not excluded.subnet_of(network):
                raise ValidationError(
                    "%s.exclude[%d]: %s is outside range %s" % (field, index, item, network)
                )
        if ipam_type == "host-local":
            warnings.append(HOST_LOCAL_WARNING % field)
    elif ipam_type == "static":
        if not ipam.get("addresses"):
            raise ValidationError("%s.addresses is required for IPAM type static" % field)
        for index, item in enumerate(ipam["addresses"]):
            _interface("%s.addresses[%d].address" % (field, index), item.get("address"))
            if item.get("gateway") is not None:
                _address("%s.addresses[%d].gateway" % (field, index), item["gateway"])
    elif ipam_type == "cn2" and not (cn2 or {}).get("subnet"):
        raise ValidationError(
            "%s: IPAM type cn2 needs cn2.subnet (the juniper.net/networks ipamV4Subnet)" % field
        )
    _validate_routes(field + ".routes", ipam.get("routes"))
    return warnings


def validate(item, field, creating=True):
    """Validate one network in option form; returns warnings, raises ValidationError naming the field."""
    validate_name(field + ".name", item.get("name"))
    validate_name(field + ".namespace", item.get("namespace"), required=False)
    for key, (low, high) in RANGES.items():
        validate_range("%s.%s" % (field, key), item.get(key), low, high)
    resource_name = item.get("resource_name")
    if resource_name is None and creating:
        raise ValidationError(
            "%s.resource_name is required to create a network (the SR-IOV resource, "
            "for example intel.com/sriov_netdevice)" % field
        )
    if resource_name is not None and not RESOURCE_NAME_RE.match(resource_name):
        raise ValidationError(
            "%s.resource_name: %r is not a resource name of the form <domain>/<name>"
            % (field, resource_name)
        )
    for key in sorted(item.get("annotations") or {}):
        if not key.startswith(OWN_ANNOTATION_PREFIX):
            raise ValidationError(
                "%s.annotations: %r is not one of this collection's annotations (%s*)"
                % (field, key, OWN_ANNOTATION_PREFIX)
            )
    warnings = []
    if item.get("ipam"):
        warnings.extend(validate_ipam(field + ".ipam", item["ipam"], item.get("cn2")))
    cn2 = item.get("cn2") or {}
    if cn2.get("subnet") is not None:
        _network(field + ".cn2.subnet", cn2["subnet"])
    for key in ("route_targets", "import_route_targets", "export_route_targets"):
        for index, target in enumerate(cn2.get(key) or []):
            if not ROUTE_TARGET_RE.match(str(target)):
                raise ValidationError(
                    "%s.cn2.%s[%d]: %r is not a route target (target:<asn or ip>:<number>)"
                    % (field, key, index, target)
                )
    return warnings


def build_config(item, extra=None):
    """The CNI config dict for a network in option form (``extra`` keeps unknown keys of an existing config)."""
    config = dict(extra or {})
    ipam = item.get("ipam") or {}
    config.update(
        {
            "cniVersion": config.get("cniVersion", CNI_VERSION),
            "name": item["name"],
            "type": "contrail-k8s-cni" if ipam.get("type") == "cn2" else "sriov",
        }
    )
    for key, cni_key in (("vlan", "vlan"), ("vlan_qos", "vlanQoS"), ("mtu", "mtu")):
        if item.get(key) is not None:
            config[cni_key] = item[key]
    for key in ("spoofchk", "trust"):
        if item.get(key) is not None:
            config[key] = "on" if item[key] else "off"
    if ipam and ipam.get("type") != "cn2":
        rendered = {"type": ipam["type"]}
        for key, cni_key in IPAM_KEYS[ipam["type"]].items():
            if ipam.get(key) not in (None, []):
                rendered[cni_key] = ipam[key]
        config["ipam"] = compact(rendered)
    return config


def parse_config(text):
    """(option-form fields, unknown config keys) from a NAD's spec.config JSON string."""
    try:
        config = json.loads(text or "{}")
    except ValueError:
        return {"invalid_config": text}, {}
    if not isinstance(config, dict):
        return {"invalid_config": text}, {}
    config = dict(config)
    config.pop("name", None)
    cni_type = config.pop("type", None)
    item = {}
    for key, cni_key in (("vlan", "vlan"), ("vlan_qos", "vlanQoS"), ("mtu", "mtu")):
        if cni_key in config:
            item[key] = config.pop(cni_key)
    for key in ("spoofchk", "trust"):
        if key in config:
            item[key] = config.pop(key) == "on"
    ipam = config.pop("ipam", None)
    if cni_type == "contrail-k8s-cni":
        item["ipam"] = {"type": "cn2"}
    elif isinstance(ipam, dict) and ipam.get("type"):
        parsed = {"type": ipam["type"]}
        for key, cni_key in IPAM_KEYS.get(ipam["type"], {}).items():
            if cni_key in ipam:
                parsed[key] = ipam[cni_key]
        item["ipam"] = parsed
    elif ipam:
        config["ipam"] = ipam
    if cni_type not in (None, "sriov", "contrail-k8s-cni"):
        config["type"] = cni_type
    return item, config


def build_cn2_annotation(cn2):
    body = {}
    for key, cn2_key in CN2_KEYS.items():
        if cn2.get(key) is not None:
            body[cn2_key] = cn2[key]
    return json.dumps(body, sort_keys=True)


def parse_cn2_annotation(text):
    try:
        body = json.loads(text)
    except ValueError:
        return {"invalid_annotation": text}
    if not isinstance(body, dict):
        return {"invalid_annotation": text}
    return dict((key, body[cn2_key]) for key, cn2_key in CN2_KEYS.items() if cn2_key in body)


def from_object(obj):
    """Option form of a NAD object: its labels without the ownership marks, and ``owner`` (None without a mark)."""
    metadata = obj.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    item = {"name": metadata.get("name"), "namespace": metadata.get("namespace")}
    if RESOURCE_ANNOTATION in annotations:
        item["resource_name"] = annotations[RESOURCE_ANNOTATION]
    fields, _extra = parse_config((obj.get("spec") or {}).get("config"))
    item.update(fields)
    if CN2_ANNOTATION in annotations:
        item["cn2"] = parse_cn2_annotation(annotations[CN2_ANNOTATION])
    item["labels"] = dict(
        (k, v) for k, v in (metadata.get("labels") or {}).items() if k not in model.MARK_LABELS
    )
    item["owner"] = model.owner_of_labels(metadata.get("labels"))
    item["annotations"] = dict(
        (k, v) for k, v in annotations.items() if k.startswith(OWN_ANNOTATION_PREFIX)
    )
    return compact(item)


def same_config(have, want):
    """Whether two CNI config texts hold the same JSON."""
    try:
        return json.loads(have) == json.loads(want)
    except (TypeError, ValueError):
        return have == want


def config_extra(obj):
    """Config keys this module does not model, kept by ``merged``."""
    return parse_config((obj.get("spec") or {}).get("config"))[1]


def to_object(item, labels, extra=None):
    """A full NAD body for a network in option form; ``labels`` already include any ownership mark."""
    annotations = {}
    if item.get("resource_name"):
        annotations[RESOURCE_ANNOTATION] = item["resource_name"]
    if item.get("cn2"):
        annotations[CN2_ANNOTATION] = build_cn2_annotation(item["cn2"])
    annotations.update((k, v) for k, v in (item.get("annotations") or {}).items() if v is not None)
    metadata = {
        "name": item["name"],
        "namespace": item["namespace"],
        "labels": labels,
        "annotations": annotations,
    }
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": compact(metadata),
        "spec": {"config": json.dumps(build_config(item, extra), sort_keys=True)},
    }
