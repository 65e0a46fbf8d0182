# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SR-IOV node facts from three list calls: Nodes, SriovNetworkNodeStates, NodeNetworkStates.

Shared by the ``sriov_node_info`` module and the ``sriov_fabric`` inventory plugin. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import K8sError

SRIOV_CAPABLE_LABEL = "feature.node.kubernetes.io/network-sriov.capable"
DEFAULT_NODE_SELECTOR = SRIOV_CAPABLE_LABEL + "=true"
SOURCES = {
    # name: (api_version, kind, namespaced)
    "nodes": ("v1", "Node"),
    "sriov_states": ("sriovnetwork.openshift.io/v1", "SriovNetworkNodeState"),
    "network_states": ("nmstate.io/v1beta1", "NodeNetworkState"),
}
LLDP_SYSTEM_NAME = 5
LLDP_PORT_ID = 2


def _to_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def is_sriov_resource(name):
    """Extended resources (``<domain>/<name>``) outside the kubernetes.io domains, e.g. intel.com/sriov_netdevice."""
    if "/" not in name:
        return False
    domain = name.split("/", 1)[0]
    return not (
        domain == "kubernetes.io" or domain.endswith(".kubernetes.io") or domain.endswith(".k8s.io")
    )


def node_resources(node, resource_names=None):
    """SR-IOV resources of a node and their allocatable counts."""
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    resources = {}
    for name, count in allocatable.items():
        if is_sriov_resource(name) and (not resource_names or name in resource_names):
            resources[name] = _to_int(count)
    return resources


def node_address(node, kind="InternalIP"):
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == kind:
            return address.get("address")
    return None


def pf_list(state):
    """Physical functions from a SriovNetworkNodeState's status.interfaces."""
    pfs = []
    for intf in ((state or {}).get("status") or {}).get("interfaces") or []:
        pfs.append(
            {
                "name": intf.get("name"),
                "pci_address": intf.get("pciAddress"),
                "num_vfs": intf.get("numVfs", 0),
                "total_vfs": intf.get("totalvfs"),
                "link_speed": intf.get("linkSpeed"),
                "link_type": intf.get("linkType"),
                "mac": intf.get("mac"),
                "driver": intf.get("driver"),
                "vendor": intf.get("vendor"),
                "device_id": intf.get("deviceID"),
                "mtu": intf.get("mtu"),
            }
        )
    return pfs


def _tlv_value(neighbor, tlv_type, field):
    for tlv in neighbor if isinstance(neighbor, list) else []:
        if (
            isinstance(tlv, dict)
            and (tlv.get("type") == tlv_type or field in tlv)
            and tlv.get(field) is not None
        ):
            return tlv[field]
    return None


def lldp_neighbors(network_state):
    """{interface name: [{"switch", "port"}]} from a NodeNetworkState (nmstate LLDP TLV lists)."""
    neighbors = {}
    current = ((network_state or {}).get("status") or {}).get("currentState") or {}
    for intf in current.get("interfaces") or []:
        found = []
        for neighbor in (intf.get("lldp") or {}).get("neighbors") or []:
            switch = _tlv_value(neighbor, LLDP_SYSTEM_NAME, "system-name")
            port = _tlv_value(neighbor, LLDP_PORT_ID, "port-id")
            if switch or port:
                found.append({"switch": switch, "port": port})
        if found and intf.get("name"):
            neighbors[intf["name"]] = found
    return neighbors


def index_by_name(objects):
    return dict(((o.get("metadata") or {}).get("name"), o) for o in objects or [])


def node_facts(nodes, sriov_states, network_states, resource_names=None):
    """One fact dict per node, joined by node name (states are indexed once, no per-node lookups).

    With ``resource_names``, only nodes advertising one of them are kept (and only those resources reported).
    """
    states = index_by_name(sriov_states)
    network = index_by_name(network_states)
    facts = []
    for node in nodes:
        name = node["metadata"]["name"]
        resources = node_resources(node, resource_names)
        if resource_names and not resources:
            continue
        lldp = lldp_neighbors(network.get(name))
        pfs = pf_list(states.get(name))
        for pf in pfs:
            pf["lldp"] = lldp.get(pf["name"], [])
        facts.append(
            {
                "name": name,
                "labels": (node.get("metadata") or {}).get("labels") or {},
                "internal_ip": node_address(node),
                "resources": resources,
                "pfs": pfs,
                "lldp": lldp,
            }
        )
    return sorted(facts, key=lambda f: f["name"])


def read_sources(service, label_selector=None, sriov_namespace=None, tolerate_forbidden=False):
    """(objects per source, {source: served}, warnings): one list call per source; a missing CRD is a warning, and
    with ``tolerate_forbidden`` so is a 401/403 on a source other than the nodes."""
    data, served, warnings = {}, {}, []
    for source, (api_version, kind) in SOURCES.items():
        try:
            data[source], served[source] = _read(
                service, source, api_version, kind, label_selector, sriov_namespace, warnings
            )
        except K8sError as exc:
            if not (tolerate_forbidden and source != "nodes" and exc.status in (401, 403)):
                raise
            warnings.append("cannot list %s: %s" % (kind, exc))
            data[source], served[source] = [], False
    return data, served, warnings


def _read(service, source, api_version, kind, label_selector, sriov_namespace, warnings):
    kwargs = {"missing_ok": source != "nodes"}
    if source == "nodes":
        kwargs["label_selector"] = label_selector
    elif source == "sriov_states":
        kwargs["namespace"] = sriov_namespace
    objects = service.list(service.resource(api_version, kind), **kwargs)
    if objects is None:
        warnings.append(
            "%s (%s) is not served by this cluster; its facts are left out" % (kind, api_version)
        )
        return [], False
    return objects, True
