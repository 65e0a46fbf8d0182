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
    facing generic systems, including ESI LAGs (redundancy group port-channels). The Apstra login is cached per user
    like the modules' (O(netops.cn2_apstra.apstra_blueprint_info#module:token_cache))."
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
    description:
      - URL of the Apstra server, for example C(https://apstra.example.net).
      - A trailing C(/api) is accepted and ignored (C(https://apstra.example.net/api), as the README of
        C(juniper.apstra) sets E(APSTRA_API_URL)).
    type: str
    required: true
    env:
      - name: APSTRA_API_URL
  apstra_username:
    description:
      - Apstra user name.
      - From the environment, E(APSTRA_USERNAME), else E(APSTRA_USER) (terraform-provider-apstra's name).
    type: str
    env:
      # Ansible takes the last variable of this list that is set: APSTRA_USERNAME wins over APSTRA_USER.
      - name: APSTRA_USER
      - name: APSTRA_USERNAME
  apstra_password:
    description:
      - Apstra password.
      - From the environment, E(APSTRA_PASSWORD), else E(APSTRA_PASS) (terraform-provider-apstra's name).
    type: str
    env:
      - name: APSTRA_PASS
      - name: APSTRA_PASSWORD
  apstra_auth_token:
    description: An Apstra API token, used instead of logging in.
    type: str
    env:
      - name: APSTRA_AUTH_TOKEN
  apstra_validate_certs:
    description:
      - Whether to verify Apstra's TLS certificate.
      - The alias O(apstra_verify_certificates) follows C(juniper.apstra)'s name of the option.
    type: bool
    default: true
    aliases: [apstra_verify_certificates]
    env:
      - name: APSTRA_VERIFY_CERTIFICATES
  apstra_ca_path:
    description:
      - A CA bundle (a PEM file, or a directory of PEM files prepared with C(openssl rehash)) to verify Apstra's TLS
        certificate with, instead of the system store.
      - An empty value (as an AWX credential without a CA injects it) is not set.
    type: str
    env:
      - name: APSTRA_CA_PATH
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

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import ApstraError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.connection import (
    client_from_options,
    from_environment,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import ApstraService
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import (
    ValidationError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.client import (
    HAS_KUBERNETES,
    KUBERNETES_IMPORT_ERROR,
    K8sConfigError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.nodes import (
    node_facts,
    read_sources,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import K8sError, connect
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.topology import (
    MISMATCH,
    UNVERIFIED,
    VERIFIED,
    cabling,
    links_by_pf,
)

K8S_OPTIONS = (
    "kubeconfig",
    "context",
    "host",
    "api_key",
    "validate_certs",
    "ca_cert",
    "client_cert",
    "client_key",
    "proxy",
    "no_proxy",
)
PATH_OPTIONS = ("kubeconfig", "ca_cert", "client_cert", "client_key")
GROUP_SAFE_RE = re.compile(r"[^A-Za-z0-9_]")
CABLING_WORDS = {VERIFIED: "verified", MISMATCH: "mismatch", UNVERIFIED: "unverified"}


def safe_group(prefix, name):
    return prefix + GROUP_SAFE_RE.sub("_", name)


def fabric_port(link):
    """A host's fabric port as the inventory shows it, from one server link of the fabric query."""
    lag = None
    if link["lag"]:
        lag = {
            "name": link["lag"],
            "leaf_interface_id": link["lag_id"],
            "esi": link["esi"],
            "interface_id": link["application_point_id"],
            "redundancy_group": link["redundancy_group"] if link["esi"] else None,
            "redundancy_group_id": link["redundancy_group_id"] if link["esi"] else None,
        }
    return {
        "pf": link["server_interface"],
        "leaf": link["leaf"],
        "leaf_hostname": link["leaf_hostname"],
        "leaf_id": link["leaf_id"],
        "interface": link["leaf_interface"],
        "interface_id": link["leaf_interface_id"],
        "server_interface_id": link["server_interface_id"],
        "link_id": link["link_id"],
        "speed": link["speed"],
        "system_id": link["server_id"],
        "lag": lag,
    }


def _fabric_ports(facts, index):
    """The node's fabric ports (one per PF Apstra has cabled, with its LLDP and cabling verdict) and its issues."""
    issues = []
    ports = []
    for pf in facts["pfs"]:
        link = index.get((facts["name"], pf["name"]))
        if link is None:
            issues.append("%s: PF %s has no fabric port in Apstra" % (facts["name"], pf["name"]))
            continue
        port = fabric_port(link)
        lldp = pf.get("lldp") or []
        port["lldp"] = lldp[0] if len(lldp) == 1 else (lldp or None)
        port["cabling"] = CABLING_WORDS[cabling(lldp, link)]
        if port["cabling"] == "mismatch":
            issues.append(
                "%s: LLDP says %s, Apstra cabling says %s:%s"
                % (
                    pf["name"],
                    ", ".join("%s:%s" % (n.get("switch"), n.get("port")) for n in lldp),
                    port["leaf"],
                    port["interface"],
                )
            )
        ports.append(dict(port, application_point_id=link["application_point_id"]))
    if not facts["pfs"]:
        issues.append(
            "%s: no SR-IOV physical functions known (no SriovNetworkNodeState)" % facts["name"]
        )
    return ports, issues


def _node_groups(facts, ports):
    groups = ["sriov_nodes"]
    groups.extend(
        safe_group("resource_", name) for name, count in sorted(facts["resources"].items()) if count
    )
    groups.extend(
        sorted(
            set(
                safe_group("leaf_", p["leaf"])
                for p in ports
                if p["cabling"] != "mismatch" and p["leaf"]
            )
        )
    )
    if any(p["cabling"] == "mismatch" for p in ports):
        groups.append("sriov_cabling_mismatch")
    if not ports:
        groups.append("sriov_unmapped")
    return groups


def _pop_application_points(ports):
    """Takes each port's application_point_id off it; returns them, each once, in port order."""
    app_points = []
    for port in ports:
        point = port.pop("application_point_id")
        if point not in app_points:
            app_points.append(point)
    return app_points


def join_node(facts, index, blueprint_id):
    """Host variables and group names for one node (the cabling judgement is sriov.topology's, as the role's)."""
    ports, issues = _fabric_ports(facts, index)
    groups = _node_groups(facts, ports)
    app_points = _pop_application_points(ports)
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
        for name in PATH_OPTIONS:
            # strings, not Ansible paths: an empty one (an AWX credential without that file) is not set
            auth[name] = os.path.expanduser(auth[name]) if auth.get(name) else None
        return auth

    def _fetch_cluster(self):
        if not HAS_KUBERNETES:
            raise AnsibleError(
                "the kubernetes Python library is required: %s" % KUBERNETES_IMPORT_ERROR
            )
        try:
            data, _served, warnings = read_sources(
                connect(self._k8s_auth()),
                self.get_option("node_label_selector") or None,
                self.get_option("sriov_namespace"),
                tolerate_forbidden=True,
            )
        except (K8sConfigError, K8sError) as exc:
            raise AnsibleError("sriov_fabric: %s" % to_native(exc)) from exc
        for warning in warnings:
            self.display.warning("sriov_fabric: %s" % warning)
        return data

    def _apstra_option(self, name):
        """An Apstra connection option as the modules resolve it: the file's value, else the first of the option's
        environment variables set to a non-empty value (AWX injects the fields a credential leaves empty as "").
        """
        value = self.get_option("apstra_" + name)
        if value is None or value == "":
            value = from_environment(name)
        return value

    def _fetch_fabric(self):
        options = dict(
            (name, self._apstra_option(name))
            for name in ("api_url", "username", "password", "auth_token", "ca_path")
        )
        if options["ca_path"]:
            options["ca_path"] = os.path.expanduser(options["ca_path"])
        options.update(
            validate_certs=self.get_option("apstra_validate_certs"),
            timeout=self.get_option("apstra_timeout"),
        )
        try:
            client = client_from_options(options)
        except (ApstraError, ValidationError) as exc:
            raise AnsibleError("sriov_fabric: %s" % to_native(exc)) from exc
        service = ApstraService(client)
        try:
            blueprint = service.resolve_blueprint(self.get_option("apstra_blueprint"))
            fabric = service.fabric(blueprint["id"])
        except (ApstraError, ValidationError) as exc:
            raise AnsibleError("sriov_fabric: %s" % to_native(exc)) from exc
        finally:
            client.close()
        return blueprint["id"], fabric.links

    def fetch(self):
        """Everything the inventory needs, reduced to what is cached: node facts and the server links."""
        data = self._fetch_cluster()
        blueprint_id, links = self._fetch_fabric()
        return {
            "blueprint_id": blueprint_id,
            "nodes": node_facts(data["nodes"], data["sriov_states"], data["network_states"]),
            "links": links,
        }

    # -- populating --------------------------------------------------------------------------------------
    def populate(self, data):
        index = links_by_pf(data["links"])
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
            self._add_host_to_composed_groups(
                self.get_option("groups"), hostvars, host, strict=strict
            )
            self._add_host_to_keyed_groups(
                self.get_option("keyed_groups"), hostvars, host, strict=strict
            )

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
        if data is None or "links" not in data:
            data = self.fetch()
        if update_cache:
            self._cache[cache_key] = data
        self.populate(data)
