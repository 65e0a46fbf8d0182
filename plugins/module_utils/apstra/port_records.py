# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The port record of a connectivity template: which application points the template is assigned to, written by
the run that assigns them into the template root's description, so that a later run learns a template's ports from
the list of templates (one read of N items) instead of reading every assignment (N x M rows).

A record is a bitmap over the fabric's server-facing application points (sorted by id), compressed, with the number
of points and a digest of their ids: it decodes only against a fabric where the same points carry the same ids and
gives exactly the recorded set, or nothing. A reader trusts it only where nothing can have moved it since it was
deployed (see ``FabricContext.templates``); otherwise it reads the assignments. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import zlib

PREFIX = "netops.cn2_apstra ports v1"


def universe(fabric):
    """The application points a record can name: the fabric's server-facing ports and port-channels, by id."""
    return sorted(fabric.port_names)


def digest(points):
    return hashlib.sha1(",".join(sorted(points)).encode("utf-8")).hexdigest()[:16]


def encode(points, points_universe):
    """The record of ``points`` (application point ids); None when one of them is not in the universe."""
    index = dict((point, position) for position, point in enumerate(points_universe))
    bits = bytearray((len(points_universe) + 7) // 8)
    for point in points:
        if point not in index:
            return None
        bits[index[point] // 8] |= 1 << (index[point] % 8)
    payload = base64.b64encode(zlib.compress(bytes(bits), 9)).decode("ascii")
    return "%s %d %s %s" % (PREFIX, len(points), digest(points), payload)


def decode(text, points_universe):
    """The sorted application point ids a record names, or None (not a record, or another fabric's)."""
    if not isinstance(text, str) or not text.startswith(PREFIX + " "):
        return None
    try:
        count, recorded_digest, payload = text[len(PREFIX) + 1 :].split(" ")
        bits = zlib.decompress(base64.b64decode(payload.encode("ascii"), validate=True))
    except (ValueError, zlib.error):
        return None
    if len(bits) != (len(points_universe) + 7) // 8:
        return None
    points = [
        point
        for position, point in enumerate(points_universe)
        if bits[position // 8] >> (position % 8) & 1
    ]
    if str(len(points)) != count or digest(points) != recorded_digest:
        return None
    return points
