# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Node -> PF -> leaf port: the one cabling judgement, used by the role's plan and by the inventory plugin.

``links`` are the server links of the blueprint as the Apstra read side returns them
(``ApstraService.server_links``), one dict per server NIC port:

- ``server``, ``server_interface`` (+ ``_id``): the generic system (hostname = Kubernetes node) and its NIC port;
- ``leaf``, ``leaf_hostname``, ``leaf_interface`` (+ ``_id``): the leaf port it is cabled to;
- ``redundancy_group`` (+ ``_id``): the ESI pair the leaf belongs to, if any (also for single-homed servers);
- ``esi``: the server is dual-homed (its ports form one ESI LAG across the pair), ``lag``: the LAG name;
- ``switch`` (+ ``_id``): what a virtual network is bound to for this port: the ESI pair when the leaf is in one
  (Apstra refuses a VN bound to a pair and to its member), else the leaf;
- ``port`` (+ ``application_point_id``): the connectivity-template application point, ``<leaf>:<interface>``
  for a single-homed port, ``<pair>:<lag>`` for the ESI LAG of a dual-homed server.

Host-side LLDP often names the switch by its FQDN (``leaf1.dc1.example.net``) and the port with a unit
(``xe-0/0/1.0``): both forms match. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

VERIFIED, MISMATCH, UNVERIFIED, UNMAPPED = "verified", "mismatch", "unverified", "unmapped"


def same_switch(lldp_name, link):
    if not lldp_name:
        return False
    names = set(n for n in (link.get("leaf"), link.get("leaf_hostname")) if n)
    return lldp_name in names or lldp_name.split(".", 1)[0] in names


def same_port(lldp_port, link):
    lldp_port = lldp_port or ""
    return lldp_port == link.get("leaf_interface") or lldp_port.rsplit(".", 1)[0] == link.get(
        "leaf_interface"
    )


def cabling(lldp, link):
    """The verdict on one PF: ``verified`` (LLDP sees the leaf port Apstra has), ``mismatch``, ``unverified`` (no LLDP)
    or ``unmapped`` (Apstra has no link for it)."""
    if link is None:
        return UNMAPPED
    if not lldp:
        return UNVERIFIED
    if any(same_switch(n.get("switch"), link) and same_port(n.get("port"), link) for n in lldp):
        return VERIFIED
    return MISMATCH


def links_by_pf(links):
    """{(server, NIC port): link} under the server's label and its hostname."""
    index = {}
    for link in links or []:
        for server in set(n for n in (link.get("server"), link.get("server_hostname")) if n):
            index[(server, link.get("server_interface"))] = link
    return index


def describe_lldp(lldp):
    return ", ".join("%s %s" % (n.get("switch"), n.get("port")) for n in lldp) or "none"


def _pf_entry(pf, lldp, verdict, link):
    entry = {
        "name": pf.get("name"),
        "lldp": lldp,
        "cabling": verdict,
        "leaf": None,
        "leaf_interface": None,
    }
    if link is not None:
        entry.update(
            leaf=link["leaf"],
            leaf_interface=link["leaf_interface"],
            switch=link["switch"],
            port=link["port"],
            esi=link["esi"],
        )
    return entry


def _judge_pf(entry, pf, lldp, verdict, link, in_apstra):
    """The PF's verdict on the node's status and problems."""
    name = entry["node"]
    if verdict == UNMAPPED and in_apstra:
        if entry["status"] != "miscabled":
            entry["status"] = "unmapped"
        entry["problems"].append(
            "%s %s has no link in the Apstra cabling map" % (name, pf.get("name"))
        )
    elif verdict == MISMATCH:
        entry["status"] = "miscabled"
        entry["problems"].append(
            "%s %s is cabled to %s %s in Apstra but LLDP sees %s"
            % (name, pf.get("name"), link["leaf"], link["leaf_interface"], describe_lldp(lldp))
        )


def _add_pf(entry, pf, link, in_apstra):
    """One PF of the node: its cabling, what that makes of the node, the application point it binds on."""
    lldp = pf.get("lldp") or []
    verdict = cabling(lldp, link)
    pf_entry = _pf_entry(pf, lldp, verdict, link)
    _judge_pf(entry, pf, lldp, verdict, link, in_apstra)
    entry["pfs"].append(pf_entry)
    if link is not None:
        point = {
            "switch": link["switch"],
            "switch_id": link["switch_id"],
            "port": link["port"],
            "application_point_id": link["application_point_id"],
            "esi": link["esi"],
        }
        if point not in entry["application_points"]:
            entry["application_points"].append(point)


def _node_entry(node, index, servers):
    """One node's entry of the port map."""
    name = node.get("name")
    entry = {
        "node": name,
        "labels": node.get("labels") or {},
        "resources": node.get("resources") or {},
        "pfs": [],
        "status": "mapped",
        "problems": [],
        "application_points": [],
    }
    pfs = node.get("pfs") or []
    if name not in servers:
        entry["status"] = "unmapped"
        entry["problems"].append(
            "node %s is not a generic system (hostname) in the Apstra blueprint" % name
        )
    if not pfs:
        entry["status"] = "unmapped"
        entry["problems"].append(
            "node %s reports no SR-IOV physical function (SriovNetworkNodeState)" % name
        )
    for pf in pfs:
        _add_pf(entry, pf, index.get((name, pf.get("name"))), name in servers)
    if entry["status"] != "mapped":
        entry["application_points"] = []
    return entry


def port_map(nodes, links):
    """Join SR-IOV nodes (``sriov_node_info`` facts) to the fabric: one entry per node.

    status: ``mapped`` (every PF cabled in Apstra; LLDP agrees or is silent), ``miscabled`` (LLDP sees another leaf
    port than Apstra's cabling: reported, never bound), ``unmapped`` (the node, or one of its PFs, is not in
    Apstra: reported, never bound). ``application_points``: [{switch, switch_id, port, application_point_id, esi}].
    """
    index = links_by_pf(links)
    servers = set(server for server, _pf in index)
    return [
        _node_entry(node, index, servers)
        for node in sorted(nodes or [], key=lambda n: n.get("name") or "")
    ]


def offers(entry, resource_name):
    try:
        return int(entry["resources"].get(resource_name) or 0) > 0
    except (TypeError, ValueError):
        return False


def nodes_for(net, ports):
    """Port-map entries of the nodes that offer the network's resource and match its node selector."""
    return [
        entry
        for entry in ports
        if offers(entry, net["resource_name"])
        and all(
            entry["labels"].get(key) == value
            for key, value in (net.get("node_selector") or {}).items()
        )
    ]


def port_summary(ports):
    """One line per node of the node/port map: PF -> leaf port, LLDP check, resources, status."""
    lines = []
    for entry in ports:
        pfs = []
        for pf in entry["pfs"]:
            where = (
                "%s %s" % (pf["leaf"], pf["leaf_interface"]) if pf.get("leaf") else "not in Apstra"
            )
            pfs.append(
                "%s -> %s (LLDP: %s, %s)"
                % (pf["name"], where, describe_lldp(pf.get("lldp") or []), pf["cabling"])
            )
        points = ", ".join(p["port"] for p in entry["application_points"]) or "-"
        resources = (
            ", ".join("%s=%s" % item for item in sorted(entry["resources"].items()))
            or "no SR-IOV resource"
        )
        lines.append(
            "%s [%s] %s; binds on %s; %s"
            % (entry["node"], entry["status"], "; ".join(pfs) or "no PF", points, resources)
        )
    return lines
