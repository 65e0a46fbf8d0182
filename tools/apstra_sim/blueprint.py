"""One blueprint: its staging and deployed graphs, composed of one part per resource.

The staging graph is the single source of truth for routing zones, virtual networks and connectivity templates; the
deployed graph is the staging graph as of the last deploy.
"""

from apstra_sim import topology
from apstra_sim.cabling import CablingMixin
from apstra_sim.common import now_iso
from apstra_sim.connectivity_templates import ConnectivityTemplatesMixin
from apstra_sim.errors import NotFound, Unprocessable
from apstra_sim.graph import stable_id
from apstra_sim.routing_zones import RoutingZonesMixin
from apstra_sim.staging import StagingMixin
from apstra_sim.virtual_networks import VirtualNetworksMixin


class Blueprint(
    StagingMixin, RoutingZonesMixin, VirtualNetworksMixin, ConnectivityTemplatesMixin, CablingMixin
):
    """One two_stage_l3clos blueprint: staging graph, deployed graph and the operations on them (one mixin per resource)."""

    def __init__(self, backend, topo):
        self.backend = backend
        self.topo = topo
        self.id = topo["blueprint_id"]
        self.label = topo["blueprint"]
        self.graph = topology.build_graph(topo)
        self.counter = 0
        self.policy_id = self.graph.add_node(
            "routing_policy",
            self._new_id("routing_policy"),
            label="Default_immutable",
            policy_type="default_immutable",
            tags=None,
        )["id"]
        self.default_sz = self.graph.add_node(
            "security_zone",
            self._new_id("security_zone"),
            label="Default routing zone",
            vrf_name="default",
            sz_type="l3_fabric",
            vni_id=None,
            vlan_id=None,
            vrf_id=1,
            l3_mtu=9170,
            junos_evpn_irb_mode=None,
            vrf_description=None,
            rt_policy=None,
            routing_policy_id=self.policy_id,
            addressing_support="ipv4",
            disable_ipv4=False,
            vtep_addressing="ipv4",
            tags=None,
        )["id"]
        self.version = 1
        self.user = None
        self.lock = None
        self.tasks = {}
        self.revisions = []
        self.last_modified = now_iso()
        for zone in topo["security_zones"]:
            self.create_sz(dict(zone), "admin")
        for network in topo["virtual_networks"]:
            self.create_vns([dict(network)], "admin", batch=False)
        self.deployed = self.graph.copy()
        self.deployed_version = self.version
        self.deploy_state = {"version": self.version, "state": "success", "error": None}
        self.uncommitted = False
        self.user = None

    def _new_id(self, kind):
        self.counter += 1
        return stable_id(self.label, kind, self.counter)

    def summary(self):
        errors = self.build_errors()
        return {
            "id": self.id,
            "label": self.label,
            "design": "two_stage_l3clos",
            "status": "created",
            "version": self.version,
            "last_modified_at": self.last_modified,
            "has_uncommitted_changes": self.uncommitted,
            "build_errors_count": errors["errors_count"],
            "build_warnings_count": 0,
            "deployment_status": {
                "service_config": {
                    "num_succeeded": len(self._switches()),
                    "num_failed": 0,
                    "num_pending": 0,
                }
            },
            "anomaly_counts": {"all": 0},
            "deploy_modes_summary": {
                "deploy": len(self._switches()),
                "ready": 0,
                "drain": 0,
                "undeploy": 0,
            },
        }

    def _switches(self):
        return [n for n in self.graph.of_type("system") if n["system_type"] == "switch"]

    def graph_for(self, graph_type):
        if graph_type in (None, "", "staging", "config"):
            return self.graph, self.version
        if graph_type in ("deployed", "operation"):
            return self.deployed, self.deployed_version
        raise Unprocessable({"type": "Must be one of: staging, config, deployed, operation."})

    def dump(self, graph_type=None):
        graph, version = self.graph_for(graph_type)
        return {
            "id": self.id,
            "label": self.label,
            "design": "two_stage_l3clos",
            "version": version,
            "last_modified_at": self.last_modified,
            "source_versions": {"config": version},
            "nodes": graph.nodes,
            "relationships": graph.rels,
        }

    def nodes(self, node_type=None, graph_type=None):
        graph = self.graph_for(graph_type)[0]
        if node_type:
            return {n["id"]: n for n in graph.of_type(node_type)}
        return graph.nodes

    def node(self, node_id):
        node = self.graph.nodes.get(node_id)
        if node is None:
            raise NotFound("Node %s not found" % node_id)
        return node

    def relationships(self, rel_type=None):
        return {
            r_id: r
            for r_id, r in self.graph.rels.items()
            if rel_type is None or r["type"] == rel_type
        }

    # ---- helpers on the fabric and its resources ----------------------------------------------------------------
    def host_of(self, interface_id):
        hosts = self.graph.sources(interface_id, "hosted_interfaces")
        return hosts[0] if hosts else None

    def leafs_of(self, system_id):
        """Leaf ids behind a binding target (a leaf or a redundancy group), or None if it is neither."""
        node = self.graph.nodes.get(system_id)
        if node is None:
            return None
        if node["type"] == "redundancy_group":
            return [n["id"] for n in self.graph.targets(system_id, "composed_of_systems")]
        if node["type"] == "system" and node["role"] == "leaf":
            return [system_id]
        return None

    def _vni_users(self):
        """VNI -> [(virtual network or routing zone id, what to call it)], VNs first, each in graph order."""

        def build():
            users = {}
            for vn in self.graph.of_type("virtual_network"):
                if vn["vn_id"]:
                    users.setdefault(int(vn["vn_id"]), []).append(
                        (vn["id"], "virtual network %s" % vn["label"])
                    )
            for zone in self.graph.of_type("security_zone"):
                if zone["vni_id"]:
                    users.setdefault(zone["vni_id"], []).append(
                        (zone["id"], "routing zone %s" % zone["label"])
                    )
            return users

        return self.graph.derived("vni_users", build)

    def used_vnis(self, exclude=None):
        """VNI -> what uses it (the last user in graph order, `exclude` left out)."""
        used = {}
        for vni, users in self._vni_users().items():
            name = self._last_user(users, exclude)
            if name is not None:
                used[vni] = name
        return used

    def vni_user(self, vni, exclude=None):
        """What uses the VNI (as `used_vnis(exclude)` names it), or None."""
        return self._last_user(self._vni_users().get(vni, ()), exclude)

    @staticmethod
    def _last_user(users, exclude):
        for obj_id, name in reversed(users):
            if obj_id != exclude:
                return name
        return None

    def _free_vni(self, used, start=None):
        """The first VNI of the pool (from `start`) not in `used`."""
        first, last = self.topo["vni_pool"]
        for vni in range(max(first, start or first), last + 1):
            if vni not in used:
                return vni
        return None

    def _leaf_vlan_users(self):
        """(leaf id, vlan) -> [(virtual network id, label)] of every binding, VNs in graph order."""

        def build():
            users = {}
            for vn in self.graph.of_type("virtual_network"):
                for inst in self.graph.targets(vn["id"], "instantiated_by"):
                    for leaf in self.graph.sources(inst["id"], "hosted_vn_instances"):
                        users.setdefault((leaf["id"], inst["vlan_id"]), []).append(
                            (vn["id"], vn["label"])
                        )
            return users

        return self.graph.derived("leaf_vlan_users", build)

    def leaf_vlan_user(self, leaf_id, vlan, exclude_vn=None):
        """Label of the VN using the VLAN on the leaf (the last in graph order, `exclude_vn` left out), or None."""
        return self._last_user(self._leaf_vlan_users().get((leaf_id, vlan), ()), exclude_vn)

    def _leaf_vlans(self, exclude_vn=None):
        """(leaf id, vlan) -> virtual network label, for every binding."""
        used = {}
        for key, users in self._leaf_vlan_users().items():
            label = self._last_user(users, exclude_vn)
            if label is not None:
                used[key] = label
        return used

    def vn_label_taken(self, label, vn_id=None):
        """Whether a virtual network other than `vn_id` has the label."""

        def build():
            labels = {}
            for vn in self.graph.of_type("virtual_network"):
                labels.setdefault(vn["label"], []).append(vn["id"])
            return labels

        return any(
            other != vn_id for other in self.graph.derived("vn_labels", build).get(label, ())
        )

    def state(self):
        return {
            "id": self.id,
            "label": self.label,
            "version": self.version,
            "deployed_version": self.deployed_version,
            "has_uncommitted_changes": self.uncommitted,
            "lock": self.lock_status(None),
            "deploy": self.deploy_state,
            "security_zones": self.list_sz()["items"],
            "virtual_networks": self.list_vns()["virtual_networks"],
            "endpoint_policies": self.list_policies()["endpoint_policies"],
            "tasks": self.list_tasks()["items"],
            "revisions": self.revisions,
            "node_count": len(self.graph.nodes),
            "relationship_count": len(self.graph.rels),
        }
