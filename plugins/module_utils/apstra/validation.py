# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks that run before any API call. Each raises ValidationError naming the field and the allowed range."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import ipaddress

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    APSTRA_LABEL_RE,
    VLAN_RANGE,
    VNI_RANGE,
)


class ValidationError(ValueError):
    """Bad user input, found before anything was sent."""


def check_range(field, value, low, high):
    if value is None:
        return
    if not low <= int(value) <= high:
        raise ValidationError("%s=%s is out of range: allowed %d-%d" % (field, value, low, high))


def check_vlan(field, value):
    check_range(field, value, VLAN_RANGE[0], VLAN_RANGE[1])


def check_vni(field, value):
    check_range(field, value, VNI_RANGE[0], VNI_RANGE[1])


def check_label(field, value):
    if value is None or not APSTRA_LABEL_RE.match(str(value)):
        raise ValidationError(
            "%s=%r is not a valid label: allowed 1-30 characters of [A-Za-z0-9_-]" % (field, value)
        )


def check_subnet(field, subnet, gateway_field=None, gateway=None):
    """Return the normalised CIDR; the gateway, when given, must be a host address inside it."""
    if subnet is None:
        if gateway is not None:
            raise ValidationError("%s=%s needs %s" % (gateway_field, gateway, field))
        return None
    try:
        net = ipaddress.ip_network(str(subnet), strict=False)
    except ValueError:
        raise ValidationError(
            "%s=%r is not an IPv4 CIDR such as 10.1.0.0/24" % (field, subnet)
        ) from None
    if net.version != 4 or "/" not in str(subnet):
        raise ValidationError("%s=%r is not an IPv4 CIDR such as 10.1.0.0/24" % (field, subnet))
    if ipaddress.ip_interface(str(subnet)).ip != net.network_address:
        raise ValidationError("%s=%s has host bits set: the network is %s" % (field, subnet, net))
    if gateway is not None:
        try:
            gw = ipaddress.ip_address(str(gateway))
        except ValueError:
            raise ValidationError(
                "%s=%r is not an IPv4 address" % (gateway_field, gateway)
            ) from None
        usable = net.num_addresses <= 2 or gw not in (net.network_address, net.broadcast_address)
        if gw not in net or not usable:
            raise ValidationError(
                "%s=%s is not a host address inside %s=%s" % (gateway_field, gateway, field, net)
            )
    return str(net)


def unknown_name(kind, field, name, known):
    """A ValidationError for a name that does not exist, listing the closest known names."""
    near = difflib.get_close_matches(str(name), sorted(known), n=5, cutoff=0.5)
    hint = (
        ("; did you mean: %s?" % ", ".join(near))
        if near
        else ("; known: %s" % ", ".join(sorted(known)[:10]) if known else "")
    )
    return ValidationError("%s: unknown %s %r%s" % (field, kind, name, hint))
