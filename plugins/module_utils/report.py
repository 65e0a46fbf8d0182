# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The change report: Markdown for the change ticket and an SVG picture of leafs, nodes and VLANs per port.

Pure Python, standard library only; the SVG is written by hand as text. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from xml.sax.saxutils import escape

FABRIC_LAYERS = (
    ("routing_zones", "Routing zones", "label"),
    ("virtual_networks", "Virtual networks", "label"),
    ("port_bindings", "Port bindings", "virtual_network"),
)
CLUSTER_LAYERS = (
    ("attachments", "NetworkAttachmentDefinitions", "name"),
    ("routers", "VirtualNetworkRouters", "name"),
)
STATUS_COLOURS = {"mapped": "#2e7d32", "miscabled": "#c62828", "unmapped": "#757575"}
SECRET_KEYS = ("password", "auth_token", "api_key", "token", "kubeconfig", "invocation")


def scrub(value):
    """Drop secrets and module invocation arguments from a registered result, recursively."""
    if isinstance(value, dict):
        return dict((k, scrub(v)) for k, v in value.items() if k not in SECRET_KEYS)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _key(obj, field):
    if field == "name" and obj.get("namespace"):
        return "%s/%s" % (obj["namespace"], obj.get("name"))
    return str(obj.get(field))


def object_changes(result, field):
    """(created, updated, deleted) names from a resource module result's before/after lists."""
    if not isinstance(result, dict) or result.get("skipped") or not result.get("changed"):
        return [], [], []
    before = dict((_key(o, field), o) for o in result.get("before") or [] if isinstance(o, dict))
    after = dict((_key(o, field), o) for o in result.get("after") or [] if isinstance(o, dict))
    created = sorted(k for k in after if k not in before)
    deleted = sorted(k for k in before if k not in after)
    updated = sorted(
        k for k in after if k in before and _comparable(after[k]) != _comparable(before[k])
    )
    return created, updated, deleted


def _comparable(obj):
    return dict((k, v) for k, v in obj.items() if k not in ("id", "template", "resourceVersion"))


def binding_changes(result):
    """[(virtual network, added interfaces, removed interfaces)] from an apstra_port_bindings result."""
    if not isinstance(result, dict) or result.get("skipped"):
        return []
    before = dict(
        (o.get("virtual_network"), set(o.get("interfaces") or []))
        for o in result.get("before") or []
    )
    out = []
    for obj in result.get("after") or []:
        old = before.get(obj.get("virtual_network"), set())
        new = set(obj.get("interfaces") or [])
        if old != new:
            out.append((obj.get("virtual_network"), sorted(new - old), sorted(old - new)))
    return out


def _cell(value):
    if value in (None, "", []):
        return "-"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(headers, rows):
    lines = ["| %s |" % " | ".join(headers), "| %s |" % " | ".join("---" for dummy in headers)]
    lines.extend("| %s |" % " | ".join(_cell(v) for v in row) for row in rows)
    return lines


def _requests(result):
    return (
        [r for r in (result or {}).get("plan") or [] if isinstance(r, dict)]
        if isinstance(result, dict)
        else []
    )


def markdown(data, svg_name=None):
    """The Markdown report. ``data``: title, run, check_mode, blueprint, networks, port_map, problems, drift,
    results (registered module results by layer: routing_zones, virtual_networks, port_bindings, commit,
    attachments, routers), timestamp."""
    results = data.get("results") or {}
    check = data.get("check_mode")
    lines = ["# %s" % (data.get("title") or "SR-IOV network change report"), ""]
    commit = results.get("commit") or {}
    blueprint = data.get("blueprint") or {}
    before_version = blueprint.get("deployed_version")
    after_version = (
        commit.get("deployed_version")
        if isinstance(commit, dict) and not commit.get("skipped")
        else None
    )
    revision = after_version if after_version is not None else before_version
    fabric_changed = any(
        isinstance(results.get(k), dict) and results[k].get("changed")
        for k, _t, _f in FABRIC_LAYERS
    )
    cluster_changed = any(
        isinstance(results.get(k), dict) and results[k].get("changed")
        for k, _t, _f in CLUSTER_LAYERS
    )
    lines += _table(
        ["item", "value"],
        [
            ["run", data.get("run")],
            ["mode", "check mode (plan only, nothing changed)" if check else "applied"],
            ["time (UTC)", data.get("timestamp")],
            ["Apstra blueprint", blueprint.get("label")],
            [
                "Apstra deploy revision",
                (
                    ("%s -> %s" % (before_version, after_version))
                    if after_version not in (None, before_version)
                    else revision
                ),
            ],
            [
                "fabric changed",
                (
                    "yes (planned)"
                    if check and fabric_changed
                    else ("yes" if fabric_changed else "no")
                ),
            ],
            [
                "cluster changed",
                (
                    "yes (planned)"
                    if check and cluster_changed
                    else ("yes" if cluster_changed else "no")
                ),
            ],
            ["drift found", len(data.get("drift") or [])],
            ["problems (not bound)", len(data.get("problems") or [])],
        ],
    )
    if data.get("failure"):
        lines += ["", "## The run failed", "", data["failure"]]
    staging = data.get("staging") or {}
    if staging.get("ours") or staging.get("foreign"):
        lines += ["", "## Staged in Apstra before this run", ""]
        rows = [
            [
                "this collection (deployed by this run)",
                c.get("action"),
                c.get("kind"),
                c.get("object") or c.get("name"),
            ]
            for c in staging.get("ours") or []
        ]
        rows += [
            [
                "%s (%s)"
                % (
                    c.get("by") or "another session",
                    "deployed with this run" if staging.get("included") else "refused",
                ),
                c.get("action"),
                c.get("kind"),
                c.get("object") or c.get("name"),
            ]
            for c in staging.get("foreign") or []
        ]
        lines += _table(["staged by", "change", "kind", "object"], rows)
    if data.get("skipped"):
        lines += ["", "## Cluster objects skipped (invalid)", ""]
        lines += ["- %s: %s" % (item.get("source"), item.get("error")) for item in data["skipped"]]
    lines += ["", "## Networks", ""]
    rows = []
    for net in data.get("networks") or []:
        nodes = net.get("nodes") or {}
        rows.append(
            [
                net.get("name"),
                net.get("namespace"),
                net.get("source") or "intent",
                net.get("state"),
                net.get("vlan"),
                net.get("vni"),
                net.get("subnet"),
                net.get("gateway"),
                net.get("routing_zone"),
                net.get("routing_group"),
                net.get("switches"),
                len(net.get("ports") or []),
                nodes.get("bound"),
                [s.get("node") for s in nodes.get("skipped") or []],
                net.get("allocated"),
            ]
        )
    lines += _table(
        [
            "name",
            "namespace",
            "source",
            "state",
            "VLAN",
            "VNI",
            "subnet",
            "gateway",
            "routing zone",
            "routing group",
            "bound to",
            "ports",
            "nodes bound",
            "nodes skipped",
            "allocated",
        ],
        rows,
    )
    for layer_title, layers in (
        ("Fabric (Apstra)", FABRIC_LAYERS),
        ("Cluster (Kubernetes)", CLUSTER_LAYERS),
    ):
        lines += ["", "## %s changes%s" % (layer_title, " (planned)" if check else ""), ""]
        rows = []
        for key, title, field in layers:
            result = results.get(key)
            if key == "port_bindings":
                for vn, added, removed in binding_changes(result):
                    rows.append(
                        [
                            title,
                            "ports of %s" % vn,
                            "+ " + ", ".join(added) if added else "",
                            "- " + ", ".join(removed) if removed else "",
                        ]
                    )
                continue
            created, updated, deleted = object_changes(result, field)
            for verb, names in (("created", created), ("updated", updated), ("deleted", deleted)):
                for name in names:
                    rows.append([title, name, verb, ""])
        if rows:
            lines += _table(["kind", "object", "change", "detail"], rows)
        else:
            lines.append("No change.")
        requests = []
        for key, _title, _field in layers + (
            (("commit", "Commit", None),) if layers is FABRIC_LAYERS else ()
        ):
            requests.extend(_requests(results.get(key)))
        if requests:
            lines += [
                "",
                "API requests%s:" % (" a real run sends" if check else " sent"),
                "",
                "```",
            ]
            lines += ["%s %s" % (r.get("method"), r.get("path")) for r in requests]
            lines += ["```"]
    if isinstance(commit, dict) and commit.get("changed") and not check:
        lines += [
            "",
            "Committed as Apstra revision %s with description: %s"
            % (after_version, data.get("commit_description") or "-"),
        ]
    created_nads = object_changes(results.get("attachments"), "name")[0]
    lines += ["", "## NetworkAttachmentDefinitions created%s" % (" (planned)" if check else ""), ""]
    lines += ["- %s" % name for name in created_nads] or ["None."]
    lines += ["", "## Node and port map", ""]
    rows = []
    for node in data.get("port_map") or []:
        for pf in node.get("pfs") or [{}]:
            lldp = ", ".join(
                "%s %s" % (n.get("switch"), n.get("port")) for n in pf.get("lldp") or []
            )
            rows.append(
                [
                    node.get("node"),
                    pf.get("name"),
                    (
                        "%s %s" % (pf.get("leaf"), pf.get("leaf_interface"))
                        if pf.get("leaf")
                        else None
                    ),
                    lldp,
                    pf.get("cabling"),
                    node.get("status"),
                    ", ".join(sorted(node.get("resources") or {})),
                ]
            )
    lines += _table(
        ["node", "PF", "Apstra cabling", "LLDP", "LLDP check", "node status", "SR-IOV resources"],
        rows,
    )
    lines += ["", "## Problems (reported, not bound)", ""]
    lines += ["- %s" % p for p in data.get("problems") or []] or ["None."]
    lines += ["", "## Drift found", ""]
    drift = data.get("drift") or []
    if drift:
        rows = [
            [d.get("network"), d.get("layer"), d.get("field"), d.get("want"), d.get("have")]
            for d in drift
        ]
        lines += _table(["network", "layer", "field", "intent / fabric", "found"], rows)
    else:
        lines.append("None." if data.get("drift") is not None else "Not checked in this run.")
    if svg_name:
        lines += ["", "## Picture", "", "![leafs, nodes and VLANs per port](%s)" % svg_name]
    return "\n".join(lines) + "\n"


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


def svg(data):
    """An SVG of leafs (ESI pairs framed together), nodes (grouped past NODE_LIMIT), their links, and which VN/VLAN
    lands on which port."""
    port_map = data.get("port_map") or []
    nets = [n for n in data.get("networks") or [] if n.get("state", "present") == "present"]
    leafs = list(data.get("leafs") or [])
    pairs = data.get("esi_pairs") or {}
    for node in port_map:
        for pf in node.get("pfs") or []:
            if pf.get("leaf") and pf["leaf"] not in leafs:
                leafs.append(pf["leaf"])
    on_port = {}
    for net in nets:
        for port in net.get("ports") or []:
            on_port.setdefault(port, []).append("%s (VLAN %s)" % (net.get("name"), net.get("vlan")))
    boxes = _boxes(port_map, on_port)
    leaf_w, node_w, gap = 130, 120, 30
    per_row = 12
    rows = [boxes[i : i + per_row] for i in range(0, len(boxes), per_row)] or [[]]
    width = (
        max(len(leafs) * (leaf_w + gap), min(len(boxes), per_row) * (node_w + gap), 600) + 2 * gap
    )
    leaf_y, node_y0, row_h = 70, 300, 230
    height = node_y0 + len(rows) * row_h + 30 + 18 * len(nets)
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">'
        % (width, height, width, height),
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        _text(gap, 30, data.get("title") or "SR-IOV networks", 16, "start", "bold"),
    ]
    leaf_x = {}
    start = (width - len(leafs) * (leaf_w + gap) + gap) // 2
    for index, leaf in enumerate(leafs):
        leaf_x[leaf] = start + index * (leaf_w + gap)
    for pair, members in sorted(pairs.items()):
        xs = [leaf_x[m] for m in members if m in leaf_x]
        if xs:
            out.append(
                '<rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="none" stroke="#1565c0" stroke-dasharray="6 3"/>'
                % (min(xs) - 8, leaf_y - 28, max(xs) - min(xs) + leaf_w + 16, 78)
            )
            out.append(
                _text(
                    (min(xs) + max(xs) + leaf_w) // 2,
                    leaf_y - 14,
                    "ESI %s" % pair,
                    11,
                    fill="#1565c0",
                )
            )
    for leaf, x in leaf_x.items():
        out.append(
            '<rect x="%d" y="%d" width="%d" height="40" rx="6" fill="#e3f2fd" stroke="#1565c0"/>'
            % (x, leaf_y, leaf_w)
        )
        out.append(_text(x + leaf_w // 2, leaf_y + 25, leaf, 13, weight="bold"))
    for row_index, row in enumerate(rows):
        y = node_y0 + row_index * row_h
        row_start = (width - len(row) * (node_w + gap) + gap) // 2
        for index, box in enumerate(row):
            x = row_start + index * (node_w + gap)
            colour = STATUS_COLOURS.get(box["status"], "#757575")
            pfs = box["pfs"]
            for pf_index, pf in enumerate(pfs):
                if not pf.get("leaf") or pf["leaf"] not in leaf_x:
                    continue
                x1 = x + node_w * (pf_index + 1) // (len(pfs) + 1)
                x2 = leaf_x[pf["leaf"]] + leaf_w // 2
                dash = ' stroke-dasharray="5 4"' if pf.get("cabling") == "mismatch" else ""
                out.append(
                    '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1.5"%s/>'
                    % (x1, y, x2, leaf_y + 40, colour, dash)
                )
            out.append(
                '<rect x="%d" y="%d" width="%d" height="40" rx="6" fill="#fafafa" stroke="%s" stroke-width="2"/>'
                % (x, y, node_w, colour)
            )
            out.append(_text(x + node_w // 2, y + 17, box["title"], 12, weight="bold"))
            out.append(_text(x + node_w // 2, y + 32, box["status"], 10, fill=colour))
            text_y = y + 55
            for text, fill in box["lines"]:
                out.append(_text(x + node_w // 2, text_y, text, 10, fill=fill))
                text_y += 13
    y = node_y0 + len(rows) * row_h
    out.append(
        _text(
            gap,
            y,
            "green: bound; red (dashed): mis-cabled, not bound; grey: not in Apstra, not bound",
            11,
            "start",
            fill="#424242",
        )
    )
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
        out.append(_text(gap, y, summary, 11, "start"))
    out.append("</svg>")
    return "\n".join(out) + "\n"
