"""The cabling map views of a blueprint."""


class CablingMixin:
    """Cabling map and its LLDP view. Part of `Blueprint`."""

    def _endpoint(self, interface):
        host = self.host_of(interface["id"])
        return {
            "system": {
                "id": host["id"],
                "label": host["label"],
                "role": host.get("role") or host["type"],
            },
            "interface": {
                "id": interface["id"],
                "if_name": interface["if_name"],
                "if_type": interface["if_type"],
                "description": interface["description"],
                "lag_mode": interface["lag_mode"],
                "port_channel_id": interface["port_channel_id"],
                "ipv4_addr": interface["ipv4_addr"],
                "operation_state": interface["operation_state"],
                "tags": list(interface.get("tags") or []),
            },
        }

    def cabling_map(self):
        links, rg_pcs = [], []
        for link in self.graph.of_type("link"):
            ends = sorted(
                self.graph.sources(link["id"], "link"),
                key=lambda i: (
                    0 if (self.host_of(i["id"]) or {}).get("system_type") != "server" else 1
                ),
            )
            aggregate = None
            if link["link_type"] == "ethernet":
                for po in self.graph.sources(ends[0]["id"], "composed_of"):
                    for top in self.graph.sources(po["id"], "composed_of") or [po]:
                        for agg in self.graph.targets(top["id"], "link"):
                            aggregate = agg["id"]
            links.append(
                {
                    "id": link["id"],
                    "label": link["label"],
                    "role": link["role"],
                    "type": link["link_type"],
                    "speed": link["speed"],
                    "group_label": link["group_label"],
                    "aggregate_link_id": aggregate,
                    "rail_id": None,
                    "tags": list(link.get("tags") or []),
                    "endpoints": [self._endpoint(e) for e in ends],
                }
            )
        for group in self.graph.of_type("redundancy_group"):
            for po in self.graph.targets(group["id"], "hosted_interfaces"):
                members = [
                    {
                        "id": m["id"],
                        "system_node_id": self.host_of(m["id"])["id"],
                        "system_label": self.host_of(m["id"])["label"],
                        "if_name": m["if_name"],
                        "description": m["description"],
                        "tags": [],
                    }
                    for m in self.graph.targets(po["id"], "composed_of")
                ]
                rg_pcs.append(
                    {
                        "id": po["id"],
                        "description": po["description"] or "",
                        "members": members,
                        "redundancy_group": {"id": group["id"], "label": group["label"]},
                    }
                )
        return {"links": links, "redundancy_group_port_channels": rg_pcs, "version": self.version}

    def cabling_map_lldp(self, system_id=None):
        """Where each server NIC's cable really ends, as the blueprint's switches see it over LLDP.

        Only switches of the blueprint report LLDP to Apstra: a link whose far end (topology `lldp.leaf`) is a switch
        outside the blueprint is seen by no managed switch, so it is not listed (the port Apstra expects it on reports no
        neighbour). The host side (k8s_sim's NodeNetworkState) still names that switch.
        """
        by_name = {n["label"]: n for n in self.graph.of_type("system")}
        links = []
        for server in self.topo["servers"]:
            host = by_name[server["hostname"]]
            for link in server["links"]:
                switch = by_name.get(link["lldp"]["leaf"])
                if switch is None or switch["system_type"] != "switch":
                    continue
                if system_id and system_id not in (switch["id"], host["id"]):
                    continue
                links.append(
                    {
                        "endpoints": [
                            {
                                "system": {
                                    "id": switch["id"],
                                    "label": switch["label"],
                                    "role": switch["role"],
                                },
                                "interface": {"if_name": link["lldp"]["port"]},
                            },
                            {
                                "system": {
                                    "id": host["id"],
                                    "label": server["hostname"],
                                    "role": "generic",
                                },
                                "interface": {"if_name": link["nic"]},
                            },
                        ]
                    }
                )
        return {"nodes": {}, "links": links}
