"""What every part of the backend shares: field rules, ranges and small helpers."""

import re
import uuid
from datetime import datetime, timezone

LABEL_RE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
LABEL_MSG = (
    "Label must be 1 to 30 characters long and contain only letters, digits, underscores and dashes"
)
VRF_RE = re.compile(r"^[A-Za-z0-9_-]{1,15}$")
VNI_RANGE = (4096, 16777214)
VLAN_RANGE = (2, 4094)
VN_FIELDS = {
    "description": None,
    "vn_id": None,
    "reserved_vlan_id": None,
    "ipv4_enabled": False,
    "ipv4_subnet": None,
    "virtual_gateway_ipv4": None,
    "virtual_gateway_ipv4_enabled": False,
    "ipv6_enabled": False,
    "ipv6_subnet": None,
    "virtual_gateway_ipv6": None,
    "virtual_gateway_ipv6_enabled": False,
    "virtual_mac": None,
    "dhcp_service": "dhcpServiceDisabled",
    "l3_mtu": None,
    "rt_policy": None,
    "svi_ips": [],
    "tags": [],
    "encapsulate_inner_vlan": False,
}
VN_INPUT_ONLY = (
    "label",
    "vn_type",
    "bound_to",
    "security_zone_id",
    "switching_zone_id",
    "endpoints",
    "default_endpoint_tag_types",
    "create_policy_tagged",
    "create_policy_untagged",
)
VN_READ_ONLY = ("id", "route_target", "l3_connectivity", "floating_ips", "virtual_network_id")
SZ_FIELDS = {
    "routing_policy_id": None,
    "rt_policy": None,
    "vni_id": None,
    "vlan_id": None,
    "junos_evpn_irb_mode": "asymmetric",
    "vrf_description": None,
    "addressing_support": "ipv4",
    "disable_ipv4": False,
    "vtep_addressing": None,
    "tags": [],
}
CT_TYPES = ("batch", "pipeline", "AttachSingleVLAN", "AttachMultipleVLAN")
CT_FIELDS = (
    "id",
    "label",
    "description",
    "policy_type_name",
    "attributes",
    "visible",
    "tags",
    "user_data",
)
# From a template's policy to the policies below it, and all of a template's relationships.
SUBPOLICY_RELS = ("ep_subpolicy", "ep_first_subpolicy", "ep_second_subpolicy")
CT_RELS = SUBPOLICY_RELS + ("vn_to_attach",)


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def in_range(value, bounds):
    return (
        isinstance(value, int) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]
    )


def range_msg(bounds):
    return "Value should be at least %d and at most %d" % bounds


def tags_error(tags):
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        return "Tags must be a list of non-empty strings"
    if len({t.lower() for t in tags}) != len(tags):
        return "Tags must be unique (case-insensitive)"
    return None


def user_id(username):
    """The stable id Apstra would give a user."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "apstra-sim:user:" + username))
