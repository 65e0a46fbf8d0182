# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The change report's Markdown, one function per section. It states only what happened: each object this run
created, updated (with the fields that changed, before and after), deleted, adopted or released, from the changes the
tasks carried out in the canonical models; an object the run did not touch is not listed. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.report_window import (
    change_window,
    device_configuration,
    fabric_text,
    mode_text,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    without_owner_tags,
)

FABRIC_LAYERS = (
    ("routing_zones", "Routing zones"),
    ("virtual_networks", "Virtual networks"),
    ("port_bindings", "Port bindings"),
)
CLUSTER_LAYERS = (
    ("attachments", "NetworkAttachmentDefinitions"),
    ("pod_networks", "Pod networks"),
    ("routers", "VirtualNetworkRouters"),
)
VERBS = {"create": "created", "update": "updated", "delete": "deleted"}
NOT_COMPARED = ("id", "owner")
# the fabric changes of a preview or a hold were staged, not deployed
WINDOW_SUFFIX = {
    "preview": " (staged, then reverted: not deployed)",
    "hold": " (staged, held for approval: not deployed)",
}


def cell(value):
    if value in (None, "", []):
        return "-"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(headers, rows):
    lines = ["| %s |" % " | ".join(headers), "| %s |" % " | ".join("---" for dummy in headers)]
    lines.extend("| %s |" % " | ".join(cell(v) for v in row) for row in rows)
    return lines


def object_name(layer, change):
    key = change["key"]
    if layer == "port_bindings":
        return "ports of %s" % key[0]
    if isinstance(key, list):
        return "/".join(str(part) for part in key if part)
    return str(key)


def changed_fields(before, after):
    """{field: (before, after)} of two canonical objects (ids and owners aside: marks show as tags)."""
    return dict(
        (field, (before.get(field), after.get(field)))
        for field in sorted(set(before) | set(after))
        if field not in NOT_COMPARED and before.get(field) != after.get(field)
    )


def update_row(layer, change, marked):
    """(verb, detail) of an update: the fields with their before and after values; an update of the owner's marks
    alone is an adoption or a release."""
    before, after = change["before"] or {}, change["after"] or {}
    if layer == "port_bindings":
        old, new = set(before.get("interfaces") or []), set(after.get("interfaces") or [])
        ports = ["+ " + ", ".join(sorted(new - old))] if new - old else []
        ports += ["- " + ", ".join(sorted(old - new))] if old - new else []
        return ("updated", "; ".join(ports)) if ports else (marked or "updated", "owner's marks")
    fields = changed_fields(before, after)
    marks_only = set(fields) <= {"tags", "labels"} and all(
        without_owner_tags(b if isinstance(b, list) else [])
        == without_owner_tags(a if isinstance(a, list) else [])
        for b, a in fields.values()
    )
    if marks_only and marked:
        return marked, "owner's marks"
    return "updated", "; ".join(
        "%s: %s -> %s" % (f, cell(b), cell(a)) for f, (b, a) in fields.items()
    )


def change_rows(layer, title, changes, marks):
    """One row per changed object: kind, object, change, detail. ``marks``: {network: "adopted"|"released"}."""
    rows = []
    for change in changes:
        name = object_name(layer, change)
        network = change["key"][0] if isinstance(change["key"], list) else name.split("/")[-1]
        if change["action"] == "update":
            verb, detail = update_row(layer, change, marks.get(network))
        elif layer == "port_bindings" and change["action"] == "create":
            verb, detail = "created", "+ " + ", ".join(
                (change["after"] or {}).get("interfaces") or []
            )
        else:
            verb, detail = VERBS[change["action"]], ""
        # a layer of several kinds (a tenant's pod network: Subnet, VirtualNetwork, Namespace) names each
        rows.append([change.get("kind") or title, name, verb, detail])
    return rows


def fabric_suffix(data):
    """What became of the fabric changes listed when this run did not deploy them, else ""."""
    if data.get("staged_only"):
        return " (staged, not deployed)"
    return WINDOW_SUFFIX.get((data.get("change_window") or {}).get("mode"), "")


def layer_section(title, layers, results, data):
    check = data.get("check_mode")
    suffix = " (planned)" if check else fabric_suffix(data) if layers is FABRIC_LAYERS else ""
    lines = ["", "## %s changes%s" % (title, suffix), ""]
    rows, requests = [], []
    for layer, kind in layers:
        result = results.get(layer) or {}
        rows += change_rows(layer, kind, result.get("changes") or [], data.get("marks") or {})
        requests += [r for r in result.get("plan") or [] if isinstance(r, dict)]
    if layers is FABRIC_LAYERS:
        requests += [
            r for r in (results.get("commit") or {}).get("plan") or [] if isinstance(r, dict)
        ]
    lines += table(["kind", "object", "change", "detail"], rows) if rows else ["No change."]
    if requests:
        lines += ["", "API requests%s:" % (" a real run sends" if check else " sent"), "", "```"]
        lines += request_lines(requests) + ["```"]
    return lines


def revision_text(data):
    """The Apstra revision as Apstra names it (its id), with the version beside it."""
    commit = (data.get("results") or {}).get("commit") or {}
    revision = data.get("revision") or {}
    before = data.get("blueprint") or {}
    if commit.get("changed") and revision.get("revision_id"):
        old = revision.get("before") or {}
        return "%s (version %s), before %s (version %s)" % (
            revision["revision_id"],
            revision.get("version"),
            old.get("revision_id") or "-",
            old.get("version", before.get("deployed_version")),
        )
    if commit.get("changed"):
        return "version %s -> %s%s" % (
            before.get("deployed_version"),
            commit.get("deployed_version"),
            " (planned)" if data.get("check_mode") else "",
        )
    return "unchanged (version %s)" % before.get("deployed_version")


def changed(results, layers):
    return any((results.get(layer) or {}).get("changed") for layer, _title in layers)


def header(data):
    results = data.get("results") or {}
    check = data.get("check_mode")
    fabric = changed(results, FABRIC_LAYERS) or (results.get("commit") or {}).get("changed")

    def yes_no(flag):
        return ("yes (planned)" if check else "yes") if flag else "no"

    fabric_changed = "staged, not deployed" if data.get("staged_only") else yes_no(fabric)
    fabric_changed = fabric_text(data) or fabric_changed

    return ["# %s" % (data.get("title") or "SR-IOV network change report"), ""] + table(
        ["item", "value"],
        [
            ["run", data.get("run")],
            [
                "mode",
                mode_text(data)
                or ("check mode (plan only, nothing changed)" if check else "applied"),
            ],
            ["time (UTC)", data.get("timestamp")],
            ["Apstra blueprint", (data.get("blueprint") or {}).get("label")],
            ["Apstra revision", revision_text(data)],
            ["fabric changed", fabric_changed],
            ["cluster changed", yes_no(changed(results, CLUSTER_LAYERS))],
            ["drift found", len(data.get("drift") or [])],
            ["problems (not bound)", len(data.get("problems") or [])],
        ],
    )


def trigger(data):
    """The event that started this run (a rulebook's reconcile): which change, which network, which pod."""
    event = data.get("trigger") or {}
    if not event:
        return []
    network = event.get("network") or {}
    pod = event.get("pod") or {}
    line = "%s event%s%s%s" % (
        event.get("type") or "an",
        " (%s)" % event["change"] if event.get("change") else "",
        (
            " on %s %s/%s" % (network.get("kind"), network.get("namespace"), network.get("name"))
            if network
            else ""
        ),
        " from cluster %s" % event["cluster"] if event.get("cluster") else "",
    )
    if event.get("tenant"):
        line += " on namespace %s of tenant %s" % (event.get("namespace"), event["tenant"])
    lines = ["", "## Triggered by", "", "- %s" % line]
    if pod:
        lines.append(
            "- pod %s/%s on %s (%s)"
            % (pod.get("namespace"), pod.get("name"), pod.get("node"), pod.get("change"))
        )
    return lines


def failure(data):
    if not data.get("failure"):
        return []
    return ["", "## The run failed", "", data["failure"]] + staged_only(data)


def staged_only(data):
    """The writes of a run that failed before its deploy: in the blueprint's staging, not deployed."""
    applied = data.get("staged_only") or []
    if not applied:
        return []
    return (
        [
            "",
            "## Staged in Apstra, not deployed",
            "",
            "This run's writes below are in the staging of blueprint %s; nothing of them is deployed. The next run of the "
            "same owner deploys them with its own changes; reverting the staging in Apstra drops them."
            % ((data.get("blueprint") or {}).get("label") or "-"),
            "",
            "```",
        ]
        + request_lines(applied)
        + ["```"]
    )


def mutex(data):
    """The blueprint mutex this run could not release (which tag, how to remove it), or took over from an earlier run."""
    left, taken = data.get("mutex_left") or {}, data.get("mutex_taken_over") or {}
    lines = []
    if left:
        lines += [
            "",
            "## Blueprint mutex left held",
            "",
            "The run could not release the blueprint mutex: the design tag `%s` (id %s) is still in Apstra's global "
            "catalog, and the tools that honour it (this collection, terraform-provider-apstra) wait for it. The next "
            "run of the same owner that changes the fabric takes it over. To remove it now: Design > Tags in the "
            "Apstra UI, or `DELETE /api/design/tags/%s`."
            % (left.get("label"), left.get("id"), left.get("id")),
        ]
    if taken:
        lines += [
            "",
            "## Blueprint mutex taken over",
            "",
            "An earlier run of this owner had left the blueprint mutex (design tag `%s`, id %s: %s); this run took it "
            "over and released it."
            % (taken.get("label"), taken.get("id"), taken.get("description") or "-"),
        ]
    return lines


def request_lines(requests):
    return ["%s %s" % (r.get("method"), r.get("path")) for r in requests if isinstance(r, dict)]


def staging(data):
    staged = data.get("staging") or {}
    if not (staged.get("ours") or staged.get("foreign")):
        return []
    commit = (data.get("results") or {}).get("commit") or {}
    deployed = bool(commit.get("changed")) and not data.get("check_mode")
    done = "deployed by this run" if deployed else "not deployed by this run"
    verdict = (
        "refused" if not staged.get("included") else "deployed with this run" if deployed else done
    )
    rows = [
        [
            "this collection (%s)" % done,
            c.get("action"),
            c.get("kind"),
            c.get("object") or c.get("name"),
        ]
        for c in staged.get("ours") or []
    ] + [
        [
            "%s (%s)" % (c.get("by") or "another session", verdict),
            c.get("action"),
            c.get("kind"),
            c.get("object") or c.get("name"),
        ]
        for c in staged.get("foreign") or []
    ]
    return ["", "## Staged in Apstra before this run", ""] + table(
        ["staged by", "change", "kind", "object"], rows
    )


def skipped(data):
    if not data.get("skipped"):
        return []
    return ["", "## Cluster objects skipped", ""] + [
        "- %s: %s" % (item.get("source"), item.get("error")) for item in data["skipped"]
    ]


NETWORK_COLUMNS = (
    ("name", "name"),
    ("namespace", "namespace"),
    ("source", "source"),
    ("state", "state"),
    ("VLAN", "vlan"),
    ("VNI", "vni"),
    ("subnet", "subnet"),
    ("gateway", "gateway"),
    ("routing zone", "routing_zone"),
    ("routing group", "routing_group"),
    ("bound to", "switches"),
)


def networks(data):
    rows = []
    for net in data.get("networks") or []:
        nodes = net.get("nodes") or {}
        row = [net.get(key) for _title, key in NETWORK_COLUMNS]
        row[2] = row[2] or "intent"
        rows.append(
            row
            + [
                len(net.get("ports") or []),
                nodes.get("bound"),
                [s.get("node") for s in nodes.get("skipped") or []],
                net.get("allocated"),
            ]
        )
    headers = [title for title, _key in NETWORK_COLUMNS] + [
        "ports",
        "nodes bound",
        "nodes skipped",
        "allocated",
    ]
    return ["", "## Networks", ""] + table(headers, rows)


def tenants(data):
    """The tenants: what each groups (namespaces, pod network, SR-IOV networks), whom it reaches and through which
    routers; then each namespace whose default pod network changes, with the pods that keep theirs.
    """
    found = data.get("tenants") or []
    if not found:
        return []
    rows = [
        [
            t.get("name"),
            t.get("state") if not t.get("kept") else "absent (kept by a provision)",
            t.get("namespaces"),
            t.get("pod_network"),
            t.get("subnet"),
            t.get("routing_zone"),
            t.get("networks"),
            t.get("reach"),
            t.get("routers"),
        ]
        for t in found
    ]
    lines = ["", "## Tenants", ""] + table(
        [
            "tenant",
            "state",
            "namespaces",
            "pod network",
            "subnet",
            "routing zone",
            "SR-IOV networks",
            "reaches",
            "routers",
        ],
        rows,
    )
    changes = [(t["name"], c) for t in found for c in t.get("namespace_changes") or []]
    if changes:
        lines += [
            "",
            "A namespace's default pod network applies to the pods created afterwards; pods created "
            "before keep theirs until they are recreated:",
            "",
        ]
        lines += [
            "- %s, namespace %s: %s -> %s; keep theirs: %s"
            % (
                name,
                c["namespace"],
                c["from"],
                c["to"],
                ", ".join(c["keeping"]) or "no pod runs there",
            )
            for name, c in changes
        ]
    return lines


def committed(data):
    commit = (data.get("results") or {}).get("commit") or {}
    if not commit.get("changed") or data.get("check_mode"):
        return []
    return [
        "",
        "Committed as Apstra revision %s with description: %s"
        % (revision_text(data).split(", before")[0], data.get("commit_description") or "-"),
    ]


def nads_created(data):
    changes = ((data.get("results") or {}).get("attachments") or {}).get("changes") or []
    names = [object_name("attachments", c) for c in changes if c["action"] == "create"]
    title = "## NetworkAttachmentDefinitions created%s" % (
        " (planned)" if data.get("check_mode") else ""
    )
    return ["", title, ""] + (["- %s" % name for name in names] or ["None."])


def port_map(data):
    rows = []
    for node in data.get("port_map") or []:
        for pf in node.get("pfs") or [{}]:
            lldp = ", ".join(
                "%s %s" % (n.get("switch"), n.get("port")) for n in pf.get("lldp") or []
            )
            cabled = (
                "%s %s" % (pf.get("leaf"), pf.get("leaf_interface")) if pf.get("leaf") else None
            )
            rows.append(
                [
                    node.get("node"),
                    pf.get("name"),
                    cabled,
                    lldp,
                    pf.get("cabling"),
                    node.get("status"),
                    ", ".join(sorted(node.get("resources") or {})),
                ]
            )
    headers = [
        "node",
        "PF",
        "Apstra cabling",
        "LLDP",
        "LLDP check",
        "node status",
        "SR-IOV resources",
    ]
    return ["", "## Node and port map", ""] + table(headers, rows)


def problems(data):
    return ["", "## Problems (reported, not bound)", ""] + (
        ["- %s" % p for p in data.get("problems") or []] or ["None."]
    )


def drift(data):
    found = data.get("drift") or []
    lines = ["", "## Drift found", ""]
    if found:
        rows = [
            [d.get("network"), d.get("layer"), d.get("field"), d.get("want"), d.get("have")]
            for d in found
        ]
        return lines + table(["network", "layer", "field", "intent / fabric", "found"], rows)
    return lines + ["None." if data.get("drift") is not None else "Not checked in this run."]


def markdown(data, svg_name=None):
    """The Markdown report. ``data``: title, run, check_mode, timestamp, blueprint, revision, trigger, networks,
    port_map, problems, drift, staging, skipped, marks ({network: adopted|released}), failure, commit_description,
    results (per layer: changed, changes, plan; and the commit)."""
    results = data.get("results") or {}
    lines = header(data) + failure(data) + mutex(data) + change_window(data)
    lines += trigger(data) + staging(data) + skipped(data)
    lines += networks(data) + tenants(data)
    lines += layer_section("Fabric (Apstra)", FABRIC_LAYERS, results, data) + committed(data)
    lines += device_configuration(data)
    lines += layer_section("Cluster (Kubernetes)", CLUSTER_LAYERS, results, data)
    lines += nads_created(data) + port_map(data) + problems(data) + drift(data)
    if svg_name:
        lines += ["", "## Picture", "", "![leafs, nodes and VLANs per port](%s)" % svg_name]
    return "\n".join(lines) + "\n"
