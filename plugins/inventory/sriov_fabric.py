# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: sriov_fabric
short_description: Kubernetes SR-IOV nodes joined to their Apstra fabric ports
version_added: 0.1.0
description:
  - Builds an inventory of the Kubernetes nodes that offer SR-IOV, each with its SR-IOV resources, its physical
    functions (PFs) and the Apstra leaf ports those PFs are cabled to, so that playbooks can bind virtual
    networks to exactly those ports.
  - "Reads, each with one call whatever the cluster size: the Nodes (O(node_label_selector)), the
    SriovNetworkNodeStates, the NodeNetworkStates (LLDP), and one Apstra graph query for the leaf interfaces
    facing generic systems, including ESI LAGs (redundancy group port-channels)."
  - Joins node -> PF -> fabric port by host name and PF name (the generic system's C(hostname) or C(label) is the
    node name, its interface C(if_name) the PF name), then cross-checks each port with the LLDP neighbour the host
    sees. A dual-homed node maps to its ESI LAG on both leafs.
  - Nodes whose LLDP contradicts the Apstra cabling go to group C(sriov_cabling_mismatch); SR-IOV nodes without
    any fabric port go to C(sriov_unmapped); the reasons are in the host variable C(sriov_cabling_issues).
  - "Groups: C(sriov_nodes) (every host), C(leaf_<leaf>) for each leaf with a confirmed port of the host,
    C(resource_<resource>) for each SR-IOV resource the node advertises (names sanitised), plus the two above."
  - "Host variables: C(ansible_host) (the node's InternalIP), C(sriov_resources), C(sriov_pfs), C(fabric_ports),
    C(apstra_blueprint_id), C(apstra_system_id), C(apstra_application_points), C(k8s_labels),
    C(sriov_cabling_issues). Credentials never appear in host variables."
  - The configuration file must be named C(sriov_fabric.yml), C(sriov_fabric.yaml) or end with
    C(.sriov_fabric.yml) / C(.sriov_fabric.yaml). All credentials can come from the environment, so the file
    works unchanged as an AWX inventory source.
author:
  - netops.cn2_apstra developers (@netops)
requirements:
  - kubernetes (Python library)
  - requests (Python library)
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - netops.cn2_apstra.k8s_auth.inventory
notes:
  - The hosts are Kubernetes nodes, reached over SSH at their InternalIP unless you change it with O(compose).
    Set C(ansible_python_interpreter) for them (for example with O(compose) or group_vars) when the nodes
    are not meant to be managed with the controller's interpreter, and C(ansible_connection=local) when the
    play only talks to APIs.
  - With O(cache=true) the joined data is cached, and a cached run makes no API call.
options:
  plugin:
    description: The name of this plugin.
    type: str
    required: true
    choices: [netops.cn2_apstra.sriov_fabric]
  node_label_selector:
    description:
      - Label selector for the SR-IOV nodes. Default is the label Node Feature Discovery sets on SR-IOV capable
        nodes. An empty string selects every node.
    type: str
    default: feature.node.kubernetes.io/network-sriov.capable=true
  sriov_namespace:
    description:
      - Namespace of the SriovNetworkNodeState objects (the SR-IOV network operator's). All namespaces when not set.
    type: str
  apstra_api_url:
    description: URL of the Apstra server, for example C(https://apstra.example.net).
    type: str
    required: true
    env:
      - name: APSTRA_API_URL
  apstra_username:
    description: Apstra user name.
    type: str
    env:
      - name: APSTRA_USERNAME
  apstra_password:
    description: Apstra password.
    type: str
    env:
      - name: APSTRA_PASSWORD
  apstra_auth_token:
    description: An Apstra API token, used instead of logging in.
    type: str
    env:
      - name: APSTRA_AUTH_TOKEN
  apstra_validate_certs:
    description: Whether to verify Apstra's TLS certificate.
    type: bool
    default: true
    env:
      - name: APSTRA_VERIFY_CERTIFICATES
  apstra_timeout:
    description: Seconds to wait for each Apstra API call.
    type: int
    default: 60
    env:
      - name: APSTRA_TIMEOUT
  apstra_blueprint:
    description:
      - Blueprint label or id. When not set, the only blueprint on the server.
    type: str
    env:
      - name: APSTRA_BLUEPRINT
"""

EXAMPLES = r"""
# The smallest sriov_fabric.yml takes every credential from K8S_AUTH_* and APSTRA_* in the environment
# (AWX credentials), and needs only two lines:
#   plugin: netops.cn2_apstra.sriov_fabric
#   apstra_blueprint: dc1

# prod.sriov_fabric.yml -- explicit kubeconfig, extra grouping, connection settings for the nodes.
plugin: netops.cn2_apstra.sriov_fabric
kubeconfig: ~/.kube/prod
context: prod-admin
apstra_api_url: https://apstra.example.net
apstra_blueprint: dc1
node_label_selector: node-role.kubernetes.io/worker
compose:
  ansible_python_interpreter: "'/usr/bin/python3'"
  ansible_user: "'core'"
keyed_groups:
  - key: k8s_labels['topology.kubernetes.io/zone'] | default('none')
    prefix: zone
groups:
  esi_nodes: fabric_ports | selectattr('lag') | list | length > 0
"""

import os
import re
import shutil
import tempfile

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import ApstraClient, ApstraError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.client import (
    HAS_KUBERNETES,
    KUBERNETES_IMPORT_ERROR,
    K8sConfigError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.nodes import SOURCES, node_facts
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import K8sError, connect

# One query for every leaf interface that faces a generic system, plus (optionally) the leaf port-channel the
# interface is a member of and the ESI port-channel of the redundancy group above it.
FABRIC_QUERY = (
    "match("
    "node('system', system_type='server', name='server')"
    ".out('hosted_interfaces').node('interface', if_type='ethernet', name='server_intf')"
    ".out('link').node('link', role='to_generic', name='link')"
    ".in_('link').node('interface', if_type='ethernet', name='leaf_intf')"
    ".in_('hosted_interfaces').node('system', role='leaf', name='leaf'), "
    "optional(node(name='leaf_intf').in_('composed_of').node('interface', if_type='port_channel', name='leaf_lag')), "
    "optional(node(name='leaf_lag').in_('composed_of').node('interface', if_type='port_channel', name='esi_lag')"
    ".in_('hosted_interfaces').node('redundancy_group', name='redundancy_group'))"
    ")"
)
K8S_OPTIONS = ("kubeconfig", "context", "host", "api_key", "validate_certs", "ca_cert", "client_cert", "client_key", "proxy", "no_proxy")
GROUP_SAFE_RE = re.compile(r"[^A-Za-z0-9_]")


def safe_group(prefix, name):
    return prefix + GROUP_SAFE_RE.sub("_", name)


def _prop(row, name, key):
    return (row.get(name) or {}).get(key)


def fabric_index(items):
    """{(server hostname or label, PF name): [port dict]} from the graph query items."""
    index = {}
    for row in items:
        server = row.get("server") or {}
        pf = _prop(row, "server_intf", "if_name")
        if not pf:
            continue
        lag = None
        if row.get("leaf_lag"):
            lag = {
                "name": _prop(row, "leaf_lag", "if_name"),
                "leaf_interface_id": _prop(row, "leaf_lag", "id"),
                "esi": bool(row.get("esi_lag")),
                "interface_id": _prop(row, "esi_lag", "id") or _prop(row, "leaf_lag", "id"),
                "redundancy_group": _prop(row, "redundancy_group", "label"),
                "redundancy_group_id": _prop(row, "redundancy_group", "id"),
            }
        port = {
            "pf": pf,
            "leaf": _prop(row, "leaf", "label") or _prop(row, "leaf", "hostname"),
            "leaf_hostname": _prop(row, "leaf", "hostname"),
            "leaf_id": _prop(row, "leaf", "id"),
            "interface": _prop(row, "leaf_intf", "if_name"),
            "interface_id": _prop(row, "leaf_intf", "id"),
            "server_interface_id": _prop(row, "server_intf", "id"),
            "link_id": _prop(row, "link", "id"),
            "speed": _prop(row, "link", "speed"),
            "system_id": server.get("id"),
            "lag": lag,
        }
        for name in set(n for n in (server.get("hostname"), server.get("label")) if n):
            index.setdefault((name, pf), []).append(port)
    for ports in index.values():
        ports.sort(key=lambda p: (p["leaf"] or "", p["interface"] or ""))
    return index


def _same_switch(lldp_name, port):
    if not lldp_name:
        return False
    names = set(n for n in (port["leaf"], port["leaf_hostname"]) if n)
    return lldp_name in names or lldp_name.split(".", 1)[0] in names


def _same_port(lldp_port, port):
    return lldp_port == port["interface"] or (lldp_port or "").rsplit(".", 1)[0] == port["interface"]


def join_node(facts, index, blueprint_id):
    """Host variables and group names for one node."""
    issues = []
    ports = []
    mismatch = False
    for pf in facts["pfs"]:
        found = index.get((facts["name"], pf["name"]), [])
        if not found:
            issues.append("%s: PF %s has no fabric port in Apstra" % (facts["name"], pf["name"]))
        for fabric in found:
            port = dict(fabric)
            lldp = pf.get("lldp") or []
            port["lldp"] = lldp[0] if len(lldp) == 1 else (lldp or None)
            if not lldp:
                port["cabling"] = "unverified"
            elif any(_same_switch(n.get("switch"), port) and _same_port(n.get("port"), port) for n in lldp):
                port["cabling"] = "verified"
            else:
                port["cabling"] = "mismatch"
                mismatch = True
                issues.append("%s: LLDP says %s, Apstra cabling says %s:%s" % (
                    pf["name"], ", ".join("%s:%s" % (n.get("switch"), n.get("port")) for n in lldp), port["leaf"], port["interface"]))
            ports.append(port)
    if not facts["pfs"]:
        issues.append("%s: no SR-IOV physical functions known (no SriovNetworkNodeState)" % facts["name"])
    groups = ["sriov_nodes"]
    groups.extend(safe_group("resource_", name) for name, count in sorted(facts["resources"].items()) if count)
    groups.extend(sorted(set(safe_group("leaf_", p["leaf"]) for p in ports if p["cabling"] != "mismatch" and p["leaf"])))
    if mismatch:
        groups.append("sriov_cabling_mismatch")
    if not ports:
        groups.append("sriov_unmapped")
    app_points = []
    for port in ports:
        point = port["lag"]["interface_id"] if port["lag"] else port["interface_id"]
        if point not in app_points:
            app_points.append(point)
    hostvars = {
        "sriov_resources": facts["resources"],
        "sriov_pfs": facts["pfs"],
        "fabric_ports": ports,
        "k8s_labels": facts["labels"],
        "apstra_blueprint_id": blueprint_id,
        "apstra_system_id": ports[0]["system_id"] if ports else None,
        "apstra_application_points": app_points,
        "sriov_cabling_issues": issues,
    }
    if facts.get("internal_ip"):
        hostvars["ansible_host"] = facts["internal_ip"]
    return hostvars, groups


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Kubernetes SR-IOV nodes with their Apstra fabric ports."""

    NAME = "netops.cn2_apstra.sriov_fabric"

    def verify_file(self, path):
        if super(InventoryModule, self).verify_file(path):
            return os.path.basename(path).endswith(("sriov_fabric.yml", "sriov_fabric.yaml"))
        return False

    # -- fetching ----------------------------------------------------------------------------------------
    def _k8s_auth(self):
        auth = dict((name, self.get_option(name)) for name in K8S_OPTIONS)
        if auth.get("kubeconfig"):
            auth["kubeconfig"] = os.path.expanduser(auth["kubeconfig"])
        return auth

    def _fetch_cluster(self):
        if not HAS_KUBERNETES:
            raise AnsibleError("the kubernetes Python library is required: %s" % KUBERNETES_IMPORT_ERROR)
        # A private discovery cache per run: constant, predictable API use, nothing stale left in /tmp.
        cache_dir = tempfile.mkdtemp(prefix="sriov_fabric-")
        try:
            try:
                service = connect(self._k8s_auth(), os.path.join(cache_dir, "discovery.json"))
            except (K8sConfigError, K8sError) as exc:
                raise AnsibleError("sriov_fabric: %s" % to_native(exc)) from exc
            data = {}
            for source, (api_version, kind) in SOURCES.items():
                data[source] = self._list(service, source, api_version, kind)
        finally:
            shutil.rmtree(cache_dir, ignore_errors=True)
        return data

    def _list(self, service, source, api_version, kind):
        try:
            resource = service.resource(api_version, kind, required=source == "nodes")
            if resource is None:
                self.display.warning("sriov_fabric: %s (%s) is not served by the cluster; left out" % (kind, api_version))
                return []
            if source == "nodes":
                return service.list(resource, label_selector=self.get_option("node_label_selector") or None)
            if source == "sriov_states":
                return service.list(resource, namespace=self.get_option("sriov_namespace"))
            return service.list(resource)
        except K8sError as exc:
            if source != "nodes" and exc.status in (401, 403):
                self.display.warning("sriov_fabric: cannot list %s: %s" % (kind, to_native(exc)))
                return []
            raise AnsibleError("sriov_fabric: %s" % to_native(exc)) from exc

    def _apstra_client(self):
        return ApstraClient(
            self.get_option("apstra_api_url"),
            username=self.get_option("apstra_username"),
            password=self.get_option("apstra_password"),
            auth_token=self.get_option("apstra_auth_token"),
            validate_certs=self.get_option("apstra_validate_certs"),
            timeout=self.get_option("apstra_timeout"),
        )

    def _fetch_fabric(self):
        try:
            client = self._apstra_client()
        except ApstraError as exc:
            raise AnsibleError("sriov_fabric: %s" % to_native(exc)) from exc
        try:
            blueprints = (client.get("/api/blueprints") or {}).get("items") or []
            wanted = self.get_option("apstra_blueprint")
            chosen = [bp for bp in blueprints if wanted in (bp.get("id"), bp.get("label"))] if wanted else blueprints
            if len(chosen) != 1:
                raise AnsibleError("sriov_fabric: %s; blueprints on the server: %s" % (
                    "blueprint %r not found" % wanted if wanted else "set apstra_blueprint",
                    ", ".join(sorted(bp.get("label") or bp.get("id") for bp in blueprints)) or "none"))
            blueprint_id = chosen[0]["id"]
            answer = client.post("/api/blueprints/%s/qe" % blueprint_id, body={"query": FABRIC_QUERY}) or {}
        except ApstraError as exc:
            raise AnsibleError("sriov_fabric: %s" % to_native(exc)) from exc
        finally:
            client.close()
        return blueprint_id, answer.get("items") or []

    def fetch(self):
        """Everything the inventory needs, reduced to what is cached: node facts and the fabric port index."""
        data = self._fetch_cluster()
        blueprint_id, items = self._fetch_fabric()
        facts = node_facts(data["nodes"], data["sriov_states"], data["network_states"])
        index = fabric_index(items)
        return {"blueprint_id": blueprint_id, "nodes": facts,
                "fabric": [{"host": host, "pf": pf, "ports": ports} for (host, pf), ports in sorted(index.items())]}

    # -- populating --------------------------------------------------------------------------------------
    def populate(self, data):
        index = dict(((entry["host"], entry["pf"]), entry["ports"]) for entry in data["fabric"])
        strict = self.get_option("strict")
        for facts in data["nodes"]:
            hostvars, groups = join_node(facts, index, data["blueprint_id"])
            host = facts["name"]
            self.inventory.add_host(host)
            for group in groups:
                self.inventory.add_group(group)
                self.inventory.add_child(group, host)
            for key, value in hostvars.items():
                self.inventory.set_variable(host, key, value)
            self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        data = None
        if use_cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if data is None:
            data = self.fetch()
        if update_cache:
            self._cache[cache_key] = data
        self.populate(data)
