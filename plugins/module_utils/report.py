# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The change report's picture: an SVG of leafs, nodes and VLANs per port (the Markdown is report_markdown.py), and
the scrubbing of what the report takes from registered results.

Pure Python, standard library only; the SVG is written by hand as text. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from xml.sax.saxutils import escape

STATUS_COLOURS = {"mapped": "#2e7d32", "miscabled": "#c62828", "unmapped": "#757575"}
SECRET_KEYS = ("password", "auth_token", "api_key", "token", "kubeconfig", "invocation")


def scrub(value):
    """Drop secrets and module invocation arguments from a registered result, recursively."""
    if isinstance(value, dict):
        return dict((k, scrub(v)) for k, v in value.items() if k not in SECRET_KEYS)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _text(x, y, text, size=12, anchor="middle", weight="normal", fill="#000"):
    return (
        '<text x="%d" y="%d" font-size="%d" text-anchor="%s" font-weight="%s" fill="%s">%s</text>'
        % (x, y, size, anchor, weight, fill, escape(str(text)))
    )


# Past NODE_LIMIT nodes the picture draws one box per group of nodes on the same leafs with the same status, so its
# size follows the leafs, not the nodes; a port lists at most LABEL_LIMIT of the networks that land on it.
NODE_LIMIT = 24
LABEL_LIMIT = 4


def _labels(labels):
    labels = sorted(set(labels))
    shown = labels[:LABEL_LIMIT]
    if len(labels) > LABEL_LIMIT:
        shown.append("+%d more networks" % (len(labels) - LABEL_LIMIT))
    return shown


def _node_ports(node):
    return [point["port"] for point in node.get("application_points") or []] or [
        "%s:%s" % (pf.get("leaf"), pf.get("leaf_interface"))
        for pf in node.get("pfs") or []
        if pf.get("leaf")
    ]


def _boxes(port_map, on_port):
    """What the picture draws for the nodes: one box per node, or per group of nodes past NODE_LIMIT.
    A box: title, status, pfs (leaf, cabling: its lines up), lines ((text, colour) under it)."""
    if len(port_map) <= NODE_LIMIT:
        boxes = []
        for node in port_map:
            lines = []
            for port in _node_ports(node):
                lines.append((port, "#37474f"))
                lines.extend((label, "#2e7d32") for label in _labels(on_port.get(port, [])))
            boxes.append(
                dict(
                    title=node.get("node"),
                    status=node.get("status"),
                    pfs=node.get("pfs") or [],
                    lines=lines,
                )
            )
        return boxes
    groups = {}
    for node in port_map:
        pfs = node.get("pfs") or []
        leafs = tuple(sorted(set(pf["leaf"] for pf in pfs if pf.get("leaf"))))
        group = groups.setdefault((node.get("status") or "", leafs), dict(nodes=[], labels=set()))
        group["nodes"].append(node.get("node"))
        for port in _node_ports(node):
            group["labels"].update(on_port.get(port, []))
    boxes = []
    for (status, leafs), group in sorted(groups.items()):
        names = sorted(group["nodes"])
        lines = [
            (" + ".join(leafs) or "no leaf", "#37474f"),
            ("%s .. %s" % (names[0], names[-1]), "#37474f"),
        ]
        lines.extend((label, "#2e7d32") for label in _labels(group["labels"]))
        boxes.append(
            dict(
                title="%d node%s" % (len(names), "" if len(names) == 1 else "s"),
                status=status,
                pfs=[
                    dict(leaf=leaf, cabling="mismatch" if status == "miscabled" else "verified")
                    for leaf in leafs
                ],
                lines=lines,
            )
        )
    return boxes


# The picture's geometry: box widths, the gap between boxes, node boxes per row, the leaf row's and the first node
# row's y, a node row's height.
LEAF_W, NODE_W, GAP = 130, 120, 30
PER_ROW = 12
LEAF_Y, NODE_Y0, ROW_H = 70, 300, 230


def _leafs(data, port_map):
    """The leafs given, then any other leaf a node's PF is cabled to."""
    leafs = list(data.get("leafs") or [])
    for node in port_map:
        for pf in node.get("pfs") or []:
            if pf.get("leaf") and pf["leaf"] not in leafs:
                leafs.append(pf["leaf"])
    return leafs


def _networks_on_ports(nets):
    on_port = {}
    for net in nets:
        for port in net.get("ports") or []:
            on_port.setdefault(port, []).append("%s (VLAN %s)" % (net.get("name"), net.get("vlan")))
    return on_port


def _leaf_row(leafs, pairs, width):
    """The leafs centred in one row, each ESI pair framed; returns (SVG lines, {leaf: x})."""
    out = []
    leaf_x = {}
    start = (width - len(leafs) * (LEAF_W + GAP) + GAP) // 2
    for index, leaf in enumerate(leafs):
        leaf_x[leaf] = start + index * (LEAF_W + GAP)
    for pair, members in sorted(pairs.items()):
        xs = [leaf_x[m] for m in members if m in leaf_x]
        if xs:
            out.append(
                '<rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="none" stroke="#1565c0" stroke-dasharray="6 3"/>'
                % (min(xs) - 8, LEAF_Y - 28, max(xs) - min(xs) + LEAF_W + 16, 78)
            )
            out.append(
                _text(
                    (min(xs) + max(xs) + LEAF_W) // 2,
                    LEAF_Y - 14,
                    "ESI %s" % pair,
                    11,
                    fill="#1565c0",
                )
            )
    for leaf, x in leaf_x.items():
        out.append(
            '<rect x="%d" y="%d" width="%d" height="40" rx="6" fill="#e3f2fd" stroke="#1565c0"/>'
            % (x, LEAF_Y, LEAF_W)
        )
        out.append(_text(x + LEAF_W // 2, LEAF_Y + 25, leaf, 13, weight="bold"))
    return out, leaf_x


def _node_box(box, x, y, leaf_x):
    """One node box at (x, y) with its links up to the leafs and its lines of text under it."""
    out = []
    colour = STATUS_COLOURS.get(box["status"], "#757575")
    pfs = box["pfs"]
    for pf_index, pf in enumerate(pfs):
        if not pf.get("leaf") or pf["leaf"] not in leaf_x:
            continue
        x1 = x + NODE_W * (pf_index + 1) // (len(pfs) + 1)
        x2 = leaf_x[pf["leaf"]] + LEAF_W // 2
        dash = ' stroke-dasharray="5 4"' if pf.get("cabling") == "mismatch" else ""
        out.append(
            '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1.5"%s/>'
            % (x1, y, x2, LEAF_Y + 40, colour, dash)
        )
    out.append(
        '<rect x="%d" y="%d" width="%d" height="40" rx="6" fill="#fafafa" stroke="%s" stroke-width="2"/>'
        % (x, y, NODE_W, colour)
    )
    out.append(_text(x + NODE_W // 2, y + 17, box["title"], 12, weight="bold"))
    out.append(_text(x + NODE_W // 2, y + 32, box["status"], 10, fill=colour))
    text_y = y + 55
    for text, fill in box["lines"]:
        out.append(_text(x + NODE_W // 2, text_y, text, 10, fill=fill))
        text_y += 13
    return out


def _legend(nets, y):
    """What the colours mean, then one line per network, from y down."""
    out = [
        _text(
            GAP,
            y,
            "green: bound; red (dashed): mis-cabled, not bound; grey: not in Apstra, not bound",
            11,
            "start",
            fill="#424242",
        )
    ]
    for net in nets:
        y += 18
        summary = "%s: VLAN %s, VNI %s, %s via %s, on %s" % (
            net.get("name"),
            net.get("vlan"),
            net.get("vni") or "auto",
            net.get("subnet"),
            net.get("gateway"),
            ", ".join(net.get("switches") or []) or "no leaf",
        )
        out.append(_text(GAP, y, summary, 11, "start"))
    return out


# Tenants: one box each, TENANTS_PER_ROW to a row under the legend, grouping its namespaces, pod network and SR-IOV
# networks; a curve over the boxes for each router that joins two tenants.
TENANT_W, TENANT_GAP, TENANTS_PER_ROW, TENANT_ROW_H = 260, 60, 4, 230


def _tenant_box(tenant, x, y):
    lines = [
        "namespaces: %s" % ", ".join(tenant.get("namespaces") or []),
        "pod network %s" % tenant.get("pod_network"),
        "%s, gateway %s" % (tenant.get("subnet"), tenant.get("gateway")),
        "routing zone %s" % tenant.get("routing_zone"),
    ] + ["SR-IOV %s" % name for name in _labels(tenant.get("networks") or [])]
    out = [
        '<rect x="%d" y="%d" width="%d" height="%d" rx="10" fill="#f3e5f5" stroke="#6a1b9a" stroke-width="2"/>'
        % (x, y, TENANT_W, TENANT_ROW_H - 50),
        _text(
            x + TENANT_W // 2,
            y + 20,
            "tenant %s" % tenant.get("name"),
            13,
            weight="bold",
            fill="#4a148c",
        ),
    ]
    for index, text in enumerate(lines):
        out.append(_text(x + 12, y + 42 + index * 15, text, 11, "start"))
    return out


def _tenant_links(present):
    """The pairs of tenants a router joins (one may reach the other), each once."""
    names = set(t["name"] for t in present)
    return sorted(
        set(
            tuple(sorted((t["name"], other)))
            for t in present
            for other in t.get("reach") or []
            if other in names
        )
    )


def _tenants(present, top):
    """The tenant boxes from ``top`` down, with the routers between tenants as curves over them; returns (SVG lines,
    height)."""
    if not present:
        return [], 0
    title = (
        "CN2 tenants (pod network, namespaces, SR-IOV networks; curves: routers between tenants)"
    )
    out = [_text(GAP, top + 20, title, 12, "start", "bold", fill="#4a148c")]
    centre = {}
    for index, tenant in enumerate(present):
        row, col = divmod(index, TENANTS_PER_ROW)
        x, y = GAP + col * (TENANT_W + TENANT_GAP), top + 60 + row * TENANT_ROW_H
        centre[tenant["name"]] = (x + TENANT_W // 2, y)
        out.extend(_tenant_box(tenant, x, y))
    for one, other in _tenant_links(present):
        (x1, y1), (x2, y2) = centre[one], centre[other]
        out.append(
            '<path d="M %d %d Q %d %d %d %d" fill="none" stroke="#6a1b9a" stroke-width="2" stroke-dasharray="6 3"/>'
            % (x1, y1, (x1 + x2) // 2, min(y1, y2) - 40, x2, y2)
        )
        out.append(
            _text((x1 + x2) // 2, min(y1, y2) - 22, "VNR %s--%s" % (one, other), 11, fill="#6a1b9a")
        )
    rows = (len(present) + TENANTS_PER_ROW - 1) // TENANTS_PER_ROW
    return out, 60 + rows * TENANT_ROW_H


def svg(data):
    """An SVG of leafs (ESI pairs framed together), nodes (grouped past NODE_LIMIT), their links, which VN/VLAN lands
    on which port, and the CN2 tenants (boxes) with the routers between them."""
    port_map = data.get("port_map") or []
    nets = [n for n in data.get("networks") or [] if n.get("state", "present") == "present"]
    leafs = _leafs(data, port_map)
    boxes = _boxes(port_map, _networks_on_ports(nets))
    rows = [boxes[i : i + PER_ROW] for i in range(0, len(boxes), PER_ROW)] or [[]]
    width = (
        max(
            len(leafs) * (LEAF_W + GAP),
            min(len(boxes), PER_ROW) * (NODE_W + GAP),
            min(len(data.get("tenants") or []), TENANTS_PER_ROW) * (TENANT_W + TENANT_GAP),
            600,
        )
        + 2 * GAP
    )
    height = NODE_Y0 + len(rows) * ROW_H + 30 + 18 * len(nets)
    tenants = [t for t in data.get("tenants") or [] if t.get("state") == "present"]
    tenant_lines, tenant_height = _tenants(tenants, height)
    height += tenant_height
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">'
        % (width, height, width, height),
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        _text(GAP, 30, data.get("title") or "SR-IOV networks", 16, "start", "bold"),
    ]
    leaf_lines, leaf_x = _leaf_row(leafs, data.get("esi_pairs") or {}, width)
    out.extend(leaf_lines)
    for row_index, row in enumerate(rows):
        y = NODE_Y0 + row_index * ROW_H
        row_start = (width - len(row) * (NODE_W + GAP) + GAP) // 2
        for index, box in enumerate(row):
            out.extend(_node_box(box, row_start + index * (NODE_W + GAP), y, leaf_x))
    out.extend(_legend(nets, NODE_Y0 + len(rows) * ROW_H))
    out.extend(tenant_lines)
    out.append("</svg>")
    return "\n".join(out) + "\n"
