"""Topology files (YAML, format in README.md) and the two_stage_l3clos graph built from them."""

import hashlib
import re
import uuid

import yaml

from apstra_sim.graph import Graph, stable_id

SPEEDS = (
    "10M",
    "100M",
    "1G",
    "2500M",
    "5G",
    "10G",
    "25G",
    "40G",
    "50G",
    "100G",
    "150G",
    "200G",
    "400G",
    "800G",
    "1600G",
)
DEFAULT_VNI_POOL = (10000, 19999)
_BLUEPRINT_NS = uuid.UUID("6b0f1d2e-5f1a-4e57-9d4c-2b8a51f0a001")


class TopologyError(ValueError):
    pass


def load(path):
    with open(path, encoding="utf-8") as handle:
        return parse(yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def _names(spec, key):
    names = spec.get(key) or []
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise TopologyError("%s must be a list of names" % key)
    return names


def _speed(value, where):
    if value not in SPEEDS:
        raise TopologyError("%s: speed %r is not one of %s" % (where, value, ", ".join(SPEEDS)))
    return value


def parse(spec):
    """Validate a topology mapping and fill in defaults; returns a normalised dict."""
    if not isinstance(spec, dict):
        raise TopologyError("a topology is a mapping")
    label = spec.get("blueprint", "dc1")
    spines, leafs = _names(spec, "spines"), _names(spec, "leafs")
    if not leafs:
        raise TopologyError("a topology needs at least one leaf")
    if len(set(spines + leafs)) != len(spines) + len(leafs):
        raise TopologyError("switch names must be unique")
    pair_of = {}
    pairs = []
    for pair in spec.get("esi_pairs") or []:
        members = pair.get("leafs") or []
        if len(members) != 2 or any(m not in leafs for m in members) or members[0] == members[1]:
            raise TopologyError("esi pair %r must name two different leafs" % pair.get("name"))
        name = pair.get("name") or "-".join(members)
        for member in members:
            if member in pair_of:
                raise TopologyError("leaf %s is in two esi pairs" % member)
            pair_of[member] = name
        pairs.append({"name": name, "leafs": list(members)})
    servers = []
    seen_hosts, seen_ports = set(), set()
    lag_owner = {}
    for server in spec.get("servers") or []:
        hostname = server.get("hostname")
        if not hostname or hostname in seen_hosts:
            raise TopologyError("server hostname %r is missing or not unique" % hostname)
        seen_hosts.add(hostname)
        links = []
        for link in server.get("links") or []:
            where = "server %s" % hostname
            if link.get("leaf") not in leafs or not link.get("port") or not link.get("nic"):
                raise TopologyError("%s: each link needs a known leaf, a port and a nic" % where)
            if (link["leaf"], link["port"]) in seen_ports:
                raise TopologyError(
                    "%s: port %s %s is already cabled" % (where, link["leaf"], link["port"])
                )
            seen_ports.add((link["leaf"], link["port"]))
            lldp = link.get("lldp") or {}
            if (
                not isinstance(lldp, dict)
                or set(lldp) - {"leaf", "port"}
                or not all(isinstance(v, str) and v for v in lldp.values())
            ):
                raise TopologyError(
                    "%s: lldp of port %s %s must be {leaf: SWITCH, port: PORT} (either may be left out)"
                    % (where, link["leaf"], link["port"])
                )
            # lldp.leaf may name a switch outside the blueprint (a cable that really ends elsewhere): see cabling_map_lldp.
            links.append(
                {
                    "leaf": link["leaf"],
                    "port": link["port"],
                    "nic": link["nic"],
                    "speed": _speed(link.get("speed", "25G"), where),
                    "lldp": {
                        "leaf": lldp.get("leaf", link["leaf"]),
                        "port": lldp.get("port", link["port"]),
                    },
                }
            )
        if not links:
            raise TopologyError("server %s has no links" % hostname)
        lag = server.get("lag")
        if lag:
            pair_names = {pair_of.get(link["leaf"]) for link in links}
            if (
                len(pair_names) != 1
                or None in pair_names
                or len({link["leaf"] for link in links}) != 2
            ):
                raise TopologyError(
                    "server %s: a lag must span both leafs of one esi pair" % hostname
                )
            if not re.match(r"^ae\d+$", lag):
                raise TopologyError("server %s: lag name must look like ae<N>" % hostname)
            pair = pair_names.pop()
            if (pair, lag) in lag_owner:
                raise TopologyError(
                    "servers %s and %s both use lag %s on esi pair %s: a lag name is one port channel per leaf pair, "
                    "give each dual-homed server its own"
                    % (lag_owner[(pair, lag)], hostname, lag, pair)
                )
            lag_owner[(pair, lag)] = hostname
        servers.append({"hostname": hostname, "links": links, "lag": lag})
    pool = spec.get("vni_pool") or list(DEFAULT_VNI_POOL)
    if len(pool) != 2 or not 4096 <= pool[0] <= pool[1] <= 16777214:
        raise TopologyError("vni_pool must be [first, last] within 4096-16777214")
    return {
        "blueprint": label,
        "blueprint_id": spec.get("blueprint_id") or str(uuid.uuid5(_BLUEPRINT_NS, label)),
        "apstra_version": str(spec.get("apstra_version", "5.1.0")),
        "spine_link_speed": _speed(spec.get("spine_link_speed", "100G"), "spine_link_speed"),
        "spines": spines,
        "leafs": leafs,
        "esi_pairs": pairs,
        "servers": servers,
        "vni_pool": [int(pool[0]), int(pool[1])],
        "security_zones": spec.get("security_zones") or [],
        "virtual_networks": spec.get("virtual_networks") or [],
    }


class Builder:
    """Builds the graph; ids are stable digests of the blueprint label and the object's names."""

    def __init__(self, topo):
        self.topo = topo
        self.bp = topo["blueprint"]
        self.graph = Graph()

    def id(self, *parts):
        return stable_id(self.bp, *parts)

    def system(self, name, role, **props):
        switch = role in ("spine", "leaf")
        return self.graph.add_node(
            "system",
            self.id("system", name),
            label=name,
            hostname=name,
            role=role,
            system_type="switch" if switch else "server",
            system_id=(
                ("5254" + hashlib.sha1(name.encode()).hexdigest()[:8].upper()) if switch else None
            ),
            deploy_mode="deploy",
            management_level="full_control" if switch else "unmanaged",
            external=False,
            group_label=role,
            tags=None,
            **props,
        )["id"]

    def interface(self, owner_id, key, if_name, if_type="ethernet", **props):
        attrs = dict(
            if_name=if_name,
            if_type=if_type,
            description=None,
            mode="trunk" if if_type == "port_channel" else None,
            port_channel_id=None,
            lag_mode=None,
            po_control_protocol=None,
            operation_state="up",
            ipv4_addr=None,
            tags=None,
            label=if_name,
        )
        attrs.update(props)
        node = self.graph.add_node("interface", self.id("interface", owner_id, key), **attrs)
        self.graph.add_rel("hosted_interfaces", owner_id, node["id"])
        return node["id"]

    def link(self, label, a_if, b_if, role, speed, link_type="ethernet"):
        node = self.graph.add_node(
            "link",
            self.id("link", a_if, b_if),
            label=label,
            link_type=link_type,
            role=role,
            speed=speed,
            group_label=None,
            deploy_mode="deploy",
            tags=None,
        )
        self.graph.add_rel("link", a_if, node["id"])
        self.graph.add_rel("link", b_if, node["id"])
        return node["id"]

    def build(self):
        graph, topo = self.graph, self.topo
        pod = graph.add_node("pod", self.id("pod", "pod1"), label="pod1", tags=None)["id"]
        leaf_ids = {}
        for name in topo["spines"]:
            self.system(name, "spine")
        for name in topo["leafs"]:
            leaf_ids[name] = self.system(name, "leaf")
        rg_ids, racks = {}, {}
        for pair in topo["esi_pairs"]:
            rg = graph.add_node(
                "redundancy_group",
                self.id("redundancy_group", pair["name"]),
                label=pair["name"],
                rg_type="esi",
                tags=None,
            )
            rg_ids[pair["name"]] = rg["id"]
            for member in pair["leafs"]:
                graph.add_rel("composed_of_systems", rg["id"], leaf_ids[member])
                racks[member] = pair["name"]
        for rack_label in dict.fromkeys(racks.get(name, name) for name in topo["leafs"]):
            rack = graph.add_node("rack", self.id("rack", rack_label), label=rack_label, tags=None)[
                "id"
            ]
            graph.add_rel("part_of_pod", rack, pod)
            for name in topo["leafs"]:
                if racks.get(name, name) == rack_label:
                    graph.add_rel("part_of_rack", leaf_ids[name], rack)
        for s_index, spine in enumerate(topo["spines"]):
            spine_id = self.id("system", spine)
            for l_index, leaf in enumerate(topo["leafs"]):
                s_if = self.interface(spine_id, "et-0/0/%d" % l_index, "et-0/0/%d" % l_index)
                l_if = self.interface(
                    leaf_ids[leaf], "et-0/0/%d" % (48 + s_index), "et-0/0/%d" % (48 + s_index)
                )
                self.link(
                    "%s<->%s" % (spine, leaf), s_if, l_if, "spine_leaf", topo["spine_link_speed"]
                )
        pair_of = {member: pair["name"] for pair in topo["esi_pairs"] for member in pair["leafs"]}
        for server in topo["servers"]:
            self.server(server, leaf_ids, rg_ids, pair_of, racks)
        return graph

    def server(self, server, leaf_ids, rg_ids, pair_of, racks):
        graph = self.graph
        host = server["hostname"]
        server_id = self.system(host, "generic")
        rack = self.id("rack", racks.get(server["links"][0]["leaf"], server["links"][0]["leaf"]))
        graph.add_rel("part_of_rack", server_id, rack)
        members = []
        for link in server["links"]:
            leaf_if = self.interface(leaf_ids[link["leaf"]], link["port"], link["port"])
            nic_if = self.interface(server_id, link["nic"], link["nic"])
            self.link(
                "%s<->%s(%s)" % (link["leaf"], host, link["nic"]),
                leaf_if,
                nic_if,
                "to_generic",
                link["speed"],
            )
            members.append((link["leaf"], leaf_if, nic_if))
        if not server["lag"]:
            return
        lag, po_id = server["lag"], int(server["lag"][2:])
        rg_id = rg_ids[pair_of[server["links"][0]["leaf"]]]
        rg_po = self.interface(
            rg_id,
            lag,
            lag,
            "port_channel",
            port_channel_id=po_id,
            lag_mode="lacp_active",
            po_control_protocol="evpn",
        )
        server_po = self.interface(
            server_id,
            "port_channel:" + lag,
            None,
            "port_channel",
            port_channel_id=po_id,
            lag_mode="lacp_active",
        )
        leaf_pos = {}
        for leaf, leaf_if, nic_if in members:
            if leaf not in leaf_pos:
                leaf_pos[leaf] = self.interface(
                    leaf_ids[leaf],
                    lag,
                    lag,
                    "port_channel",
                    port_channel_id=po_id,
                    lag_mode="lacp_active",
                )
                graph.add_rel("composed_of", rg_po, leaf_pos[leaf])
            graph.add_rel("composed_of", leaf_pos[leaf], leaf_if)
            graph.add_rel("composed_of", server_po, nic_if)
        self.link(
            "%s<->%s(%s)" % (graph.nodes[rg_id]["label"], host, lag),
            rg_po,
            server_po,
            "to_generic",
            None,
            "aggregate_link",
        )


def build_graph(topo):
    return Builder(topo).build()
