# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one unit-test harness: a fake Apstra client, a fake Kubernetes service, a fake clock and the module runners.

Module tests and module_utils tests use the same fakes through the fixtures ``apstra``, ``k8s``, ``clock`` and
``run_module``. The Apstra fake answers REST calls from ``routes`` ({(method, path): answer}) and graph queries from
``queries`` ({query: rows} or {(query, "deployed"): rows}); the Kubernetes fake keeps objects in memory. Both record
every call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
from unittest import mock

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraConnectionError,
    ApstraError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import port_records
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    FabricContext,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    BINDINGS_QUERY,
    FABRIC_QUERY,
    ApstraService,
    Fabric,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import nad as nad_lib
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import (
    K8sError,
    not_served,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    NETWORKS_ANNOTATION,
    OWNER_LABEL,
    OWNER_TAG,
    OWNER_VALUE,
)

BP = "bp-1"
BP_UUID = "abad57ff-cf56-548e-a362-227bc6ecea16"
BASE = "/api/blueprints/%s" % BP
CONN = {
    "api_url": "https://apstra.test",
    "username": "admin",
    "password": "pw",
    "token_cache": False,
}
BLUEPRINTS = {
    "items": [
        {
            "id": BP,
            "label": "dc1",
            "design": "two_stage_l3clos",
            "version": 3,
            "has_uncommitted_changes": False,
            "build_errors_count": 0,
        }
    ]
}


# -- running a module --------------------------------------------------------------------------------------------


class ModuleExit(Exception):
    """Raised instead of exiting the process."""


def run_ansible_module(main, args, check_mode=False, diff=False):
    """Run a module's main() with ``args``; returns its result dict (``failed`` set either way, ``warnings`` collected)."""
    params = dict(args)
    if check_mode:
        params["_ansible_check_mode"] = True
    if diff:
        params["_ansible_diff"] = True
    result, warnings = {}, []

    def exit_json(self, **kwargs):  # pylint: disable=unused-argument
        result.update(kwargs, failed=False)
        raise ModuleExit()

    def fail_json(self, **kwargs):  # pylint: disable=unused-argument
        result.update(kwargs, failed=True)
        raise ModuleExit()

    def warn(self, warning):  # pylint: disable=unused-argument
        warnings.append(warning)

    with patch_module_args(params), mock.patch.object(
        AnsibleModule, "exit_json", exit_json
    ), mock.patch.object(AnsibleModule, "fail_json", fail_json), mock.patch.object(
        AnsibleModule, "warn", warn
    ):
        with pytest.raises(ModuleExit):
            main()
    result["warnings"] = warnings
    return result


# -- Apstra ------------------------------------------------------------------------------------------------------


class Seq:
    """Successive answers for one route or query; the last one repeats."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def next(self):
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


DIFF_STATUS = ("GET", "/api/blueprints/%s/diff-status" % BP)


def listed_as(status):
    """BLUEPRINTS as Apstra lists the blueprint whose diff-status (a dict, or a Seq's first answer) is ``status``:
    the list's version is the staging version, and it has uncommitted changes when staging and deployed differ.
    """
    status = status.answers[0] if isinstance(status, Seq) else status
    if not isinstance(status, dict) or "staging_version" not in status:
        return BLUEPRINTS
    listed = dict(
        BLUEPRINTS["items"][0],
        version=status["staging_version"],
        has_uncommitted_changes=status["staging_version"] != status.get("deployed_version"),
    )
    return {"items": [listed]}


class FakeApstra:
    """Stands in for ApstraClient. ``routes[(method, path)]``: a value, an ApstraError to raise, a Seq, or a callable(call).
    ``queries[query]`` / ``queries[(query, qe_type)]``: the rows a graph query returns (or a Seq / an error).
    """

    def __init__(self, routes=None, queries=None, blueprints=None):
        self.routes = dict(routes or {})
        self.routes.setdefault(
            ("GET", "/api/blueprints"), blueprints or listed_as(self.routes.get(DIFF_STATUS))
        )
        self.queries = dict(queries or {})
        self.calls = []
        self.closed = False

    @staticmethod
    def _answer(answer, call):
        if isinstance(answer, Seq):
            answer = answer.next()
        if callable(answer) and not isinstance(answer, Exception):
            answer = answer(call)
        if isinstance(answer, Exception):
            raise answer
        return copy.deepcopy(answer)

    def request(self, method, path, body=None, params=None):
        call = {"method": method, "path": path, "body": copy.deepcopy(body), "params": params}
        self.calls.append(call)
        if (method, path) in self.routes:
            return self._answer(self.routes[(method, path)], call)
        if method == "POST" and path.endswith("/qe"):
            qe_type = (params or {}).get("type")
            for key in ((body["query"], qe_type), body["query"]):
                if key in self.queries:
                    rows = self.queries[key]
                    if isinstance(rows, Seq):
                        rows = rows.next()
                    if isinstance(rows, Exception):
                        raise rows
                    return {"count": len(rows), "items": copy.deepcopy(rows)}
            raise AssertionError(
                "unexpected graph query (%s): %s" % (qe_type or "staging", body["query"][:80])
            )
        raise AssertionError("unexpected call %s %s" % (method, path))

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def post(self, path, body=None, params=None):
        return self.request("POST", path, body=body, params=params)

    def close(self):
        self.closed = True

    def paths(self):
        return [(call["method"], call["path"]) for call in self.calls]

    def writes(self):
        return [
            call
            for call in self.calls
            if call["method"] != "GET" and not call["path"].endswith("/qe")
        ]

    def queried(self):
        """(query, qe_type) of every graph query sent."""
        return [
            (call["body"]["query"], (call["params"] or {}).get("type"))
            for call in self.calls
            if call["path"].endswith("/qe")
        ]


def fabric_row(
    leaf,
    pair=None,
    server=None,
    nic=None,
    port=None,
    lag=None,
    esi=False,
    speed="25G",
    leaf_hostname=None,
):
    """One FABRIC_QUERY row, by the aliases of the query (leaf, rg, leaf_intf, link, server_intf, server, leaf_lag, esi_lag,
    esi_rg). Ids are readable: ``id-<leaf>``, ``if-<leaf>-<port>``, ``lag-<leaf>-<lag>``, ``esi-<pair>-<lag>``.
    """
    row = {
        "leaf": {
            "id": "id-" + leaf,
            "label": leaf,
            "hostname": leaf_hostname or leaf,
            "role": "leaf",
            "type": "system",
        },
        "rg": {"id": "id-" + pair, "label": pair, "type": "redundancy_group"} if pair else None,
        "leaf_intf": None,
        "link": None,
        "server_intf": None,
        "server": None,
        "leaf_lag": None,
        "esi_lag": None,
        "esi_rg": None,
    }
    if server:
        row.update(
            leaf_intf={"id": "if-%s-%s" % (leaf, port), "if_name": port, "if_type": "ethernet"},
            link={"id": "link-%s-%s" % (server, nic), "role": "to_generic", "speed": speed},
            server_intf={"id": "if-%s-%s" % (server, nic), "if_name": nic, "if_type": "ethernet"},
            server={
                "id": "id-" + server,
                "label": server,
                "hostname": server,
                "system_type": "server",
            },
        )
        if lag:
            row["leaf_lag"] = {
                "id": "lag-%s-%s" % (leaf, lag),
                "if_name": lag,
                "if_type": "port_channel",
            }
        if lag and esi:
            row["esi_lag"] = {
                "id": "esi-%s-%s" % (pair, lag),
                "if_name": lag,
                "if_type": "port_channel",
            }
            row["esi_rg"] = {"id": "id-" + pair, "label": pair}
    return row


def standard_fabric_rows():
    """leaf1, leaf2 single; leaf3+leaf4 an ESI pair. worker-01 on leaf1, worker-02 on leaf2, worker-05 dual-homed on the pair
    (ESI LAG ae5), worker-07 single-homed on leaf3 (a mixed ESI rack)."""
    pair = "leaf3-leaf4"
    return [
        fabric_row("leaf1", server="worker-01", nic="ens1f0", port="xe-0/0/1"),
        fabric_row("leaf2", server="worker-02", nic="ens1f0", port="xe-0/0/2"),
        fabric_row(
            "leaf3", pair, server="worker-05", nic="ens1f0", port="xe-0/0/5", lag="ae5", esi=True
        ),
        fabric_row(
            "leaf4", pair, server="worker-05", nic="ens1f1", port="xe-0/0/5", lag="ae5", esi=True
        ),
        fabric_row("leaf3", pair, server="worker-07", nic="ens1f0", port="xe-0/0/7"),
        fabric_row("leaf4", pair),
    ]


STANDARD_POINTS = Fabric.from_rows(
    standard_fabric_rows()
).ports  # "leaf1:xe-0/0/1" -> its application point id


def binding_row(ct, vn, port=None, tag_type="vlan_tagged", tags=(OWNER_TAG,), prim=None, ap=None):
    """One BINDINGS_QUERY row, by the aliases of the query (ct, prim, intf, intf_host): template ``ct`` for VN id ``vn``,
    applied to ``port`` ("<leaf or pair>:<interface>"; its application point id as in standard_fabric_rows unless ``ap``).
    """
    row = {
        "ct": {
            "id": ct,
            "label": "%s-%s" % (vn, tag_type),
            "policy_type_name": "batch",
            "tags": list(tags),
        },
        "prim": {
            "id": prim or ct + "-prim",
            "policy_type_name": "AttachSingleVLAN",
            "attributes": {"vn_node_id": vn, "tag_type": tag_type},
        },
        "intf": None,
        "intf_host": None,
    }
    if port:
        host, if_name = port.split(":", 1)
        row["intf"] = {"id": ap or STANDARD_POINTS.get(port, port), "if_name": if_name}
        row["intf_host"] = {"label": host}
    return row


def zone_api(
    zone_id,
    label,
    vrf_name=None,
    vni=None,
    tags=(OWNER_TAG,),
    import_rts=(),
    export_rts=(),
    vlan_id=None,
):
    """A security zone as GET /security-zones answers it."""
    return {
        "id": zone_id,
        "label": label,
        "vrf_name": vrf_name or label,
        "sz_type": "evpn",
        "vni_id": vni,
        "vlan_id": vlan_id,
        "rt_policy": {"import_RTs": list(import_rts), "export_RTs": list(export_rts)},
        "tags": list(tags),
    }


DEFAULT_ZONE = {
    "id": "sz-default",
    "label": "default",
    "vrf_name": "default",
    "sz_type": "l3_fabric",
    "vni_id": None,
    "tags": [],
}


def vn_api(
    vn_id,
    label,
    zone_id="sz-telco",
    vlan=100,
    bound=("id-leaf1",),
    subnet=None,
    gateway=None,
    vni=None,
    tags=(OWNER_TAG,),
    mtu=None,
    description=None,
):
    """A virtual network as GET /virtual-networks answers it (``bound``: system ids)."""
    return {
        "id": vn_id,
        "label": label,
        "vn_type": "vxlan",
        "vn_id": str(vni) if vni else None,
        "security_zone_id": zone_id,
        "bound_to": [{"system_id": system, "vlan_id": vlan} for system in bound],
        "reserved_vlan_id": vlan,
        "ipv4_enabled": bool(subnet),
        "ipv4_subnet": subnet,
        "virtual_gateway_ipv4": gateway,
        "virtual_gateway_ipv4_enabled": bool(gateway),
        "dhcp_service": "dhcpServiceDisabled",
        "l3_mtu": mtu,
        "tags": list(tags),
        "description": description,
    }


class ApstraHarness:
    """The ``apstra`` fixture: the fake client, its errors, row builders and the module runner."""

    BP = BP
    BP_UUID = BP_UUID
    BASE = BASE
    CONN = CONN
    BLUEPRINTS = BLUEPRINTS
    Seq = Seq
    DEFAULT_ZONE = DEFAULT_ZONE
    POINTS = STANDARD_POINTS
    fabric_row = staticmethod(fabric_row)
    fabric_rows = staticmethod(standard_fabric_rows)
    binding_row = staticmethod(binding_row)
    zone = staticmethod(zone_api)
    vn = staticmethod(vn_api)

    def __init__(self):
        self.factory_calls = []

    @staticmethod
    def record(*points):
        """The port record of application points ``points`` on the standard fabric (port_records)."""
        universe = port_records.universe(Fabric.from_rows(standard_fabric_rows()))
        return port_records.encode(sorted(points), universe)

    @staticmethod
    def client(routes=None, queries=None, blueprints=None):
        return FakeApstra(routes, queries, blueprints)

    @staticmethod
    def blueprint(
        zones=(),
        vns=(),
        bindings=(),
        fabric=None,
        routes=None,
        queries=None,
        blueprints=None,
        bp_id=BP,
    ):
        """A client for blueprint ``bp_id`` holding ``zones`` and ``vns`` (API form, the default zone added), ``bindings`` (BINDINGS_QUERY
        rows) and ``fabric`` (FABRIC_QUERY rows, the standard fabric unless given); ``routes``/``queries`` add to or override these.
        """
        base = "/api/blueprints/%s" % bp_id
        all_routes = {
            ("GET", base + "/security-zones"): {
                "items": dict((zone["id"], zone) for zone in (DEFAULT_ZONE,) + tuple(zones))
            },
            ("GET", base + "/virtual-networks"): {
                "virtual_networks": dict((vn["id"], vn) for vn in vns)
            },
        }
        all_routes.update(routes or {})
        all_queries = {
            FABRIC_QUERY: standard_fabric_rows() if fabric is None else list(fabric),
            BINDINGS_QUERY: list(bindings),
        }
        all_queries.update(queries or {})
        return FakeApstra(all_routes, all_queries, blueprints)

    @staticmethod
    def error(status, body=None, method="POST", path="/x", message="error"):
        return ApstraError(message, status=status, body=body, method=method, path=path)

    @staticmethod
    def lost(method="POST", path="/x"):
        """The answer never came (connection reset, timeout after all retries)."""
        return ApstraConnectionError("no answer within 30s", method=method, path=path)

    @staticmethod
    def service(client):
        return ApstraService(client)

    @staticmethod
    def context(client, check_mode=False, facts=None, bp_id=BP):
        return FabricContext(ApstraService(client), bp_id, check_mode=check_mode, facts=facts)

    def run(self, main, args, client=None, check_mode=False, diff=False):
        """Run an Apstra module against ``client`` (the one client factory hands it out); returns the result dict."""
        client = client if client is not None else FakeApstra()

        def factory(api_url, **kwargs):
            self.factory_calls.append(dict(kwargs, api_url=api_url))
            return client

        with mock.patch(
            "ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.connection.ApstraClient",
            side_effect=factory,
        ):
            return run_ansible_module(main, dict(CONN, **args), check_mode=check_mode, diff=diff)


# -- Kubernetes --------------------------------------------------------------------------------------------------

PLURALS = {
    "NetworkAttachmentDefinition": "network-attachment-definitions",
    "Pod": "pods",
    "Node": "nodes",
    "VirtualNetworkRouter": "virtualnetworkrouters",
    "VirtualNetwork": "virtualnetworks",
    "Subnet": "subnets",
    "Namespace": "namespaces",
    "SriovNetwork": "sriovnetworks",
    "SriovNetworkNodeState": "sriovnetworknodestates",
    "NodeNetworkState": "nodenetworkstates",
}
VERSIONS = {
    "k8s.cni.cncf.io": "k8s.cni.cncf.io/v1",
    "core.contrail.juniper.net": "core.contrail.juniper.net/v1",
}
CLUSTER_SCOPED = ("Node", "NodeNetworkState", "Namespace")
DEFAULT_SERVED = ("NetworkAttachmentDefinition", "Pod", "Node", "VirtualNetworkRouter")


class FakeResource:
    def __init__(self, api_version, kind, namespaced=True):
        self.group_version = api_version
        self.kind = kind
        self.namespaced = namespaced

    def path(self, name=None, namespace=None):
        path = ("/api/" if "/" not in self.group_version else "/apis/") + self.group_version
        if namespace:
            path += "/namespaces/" + namespace
        path += "/" + PLURALS[self.kind]
        return path + ("/" + name if name else "")


def apply_merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def selected(obj, selector):
    """``k=v,k2=v2`` label selector (equality only)."""
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for part in (selector or "").split(","):
        key, _sep, value = part.partition("=")
        if key and labels.get(key.strip()) != value.strip():
            return False
    return True


class FakeK8s:
    """Stands in for K8sService: objects keyed by (kind, namespace, name). ``calls``: (verb, kind, namespace, name, dry_run);
    ``fail[(verb, kind)] = (status, body)`` makes that call fail as the API server would."""

    def __init__(self, objects=(), served=DEFAULT_SERVED, check_mode=False):
        self.check_mode = check_mode
        self.served = set(served)
        self.store = {}
        self.calls = []
        self.fail = {}
        self.selectors = []
        self.connected_with = None
        for obj in objects:
            self.add(obj)

    def add(self, obj):
        meta = obj["metadata"]
        namespace = None if obj["kind"] in CLUSTER_SCOPED else meta.get("namespace")
        self.store[(obj["kind"], namespace, meta["name"])] = copy.deepcopy(obj)

    def resource(self, api_version, kind, required=True):
        """As K8sService: a full api_version resolves without a call; a bare group that is not served is None."""
        bare_group = "/" not in api_version and "." in api_version
        if bare_group and kind not in self.served:
            if required:
                raise K8sError(not_served(api_version, kind), status=404)
            return None
        return FakeResource(
            VERSIONS.get(api_version, api_version), kind, kind not in CLUSTER_SCOPED
        )

    def _check(self, verb, resource, name=None, namespace=None):
        method = {
            "list": "GET",
            "get": "GET",
            "create": "POST",
            "patch": "PATCH",
            "delete": "DELETE",
        }[verb]
        if resource.kind not in self.served:
            raise K8sError(
                not_served(resource.group_version, resource.kind),
                status=404,
                method=method,
                path=resource.path(name, namespace),
            )
        if (verb, resource.kind) in self.fail:
            status, body = self.fail[(verb, resource.kind)]
            raise K8sError(
                body.get("message", "failed"),
                status=status,
                body=body,
                method=method,
                path=resource.path(name, namespace),
            )

    def list(
        self, resource, namespace=None, label_selector=None, field_selector=None, missing_ok=False
    ):
        self.calls.append(("list", resource.kind, namespace, None, False))
        self.selectors.append(label_selector)
        if missing_ok and resource.kind not in self.served:
            return None
        self._check("list", resource, namespace=namespace)
        return [
            copy.deepcopy(o)
            for (kind, ns, _n), o in sorted(
                self.store.items(), key=lambda i: (i[0][0], i[0][1] or "", i[0][2])
            )
            if kind == resource.kind
            and (namespace is None or ns == namespace)
            and selected(o, label_selector)
        ]

    def get(self, resource, name, namespace=None):
        self.calls.append(("get", resource.kind, namespace, name, False))
        self._check("get", resource, name, namespace)
        found = self.store.get((resource.kind, namespace, name))
        return copy.deepcopy(found) if found is not None else None

    def create(self, resource, body, namespace=None):
        self.calls.append(
            ("create", resource.kind, namespace, body["metadata"]["name"], self.check_mode)
        )
        self._check("create", resource, namespace=namespace)
        obj = copy.deepcopy(body)
        obj["metadata"].setdefault("namespace", namespace)
        obj["metadata"]["resourceVersion"] = "1"
        if not self.check_mode:
            self.store[(resource.kind, namespace, body["metadata"]["name"])] = copy.deepcopy(obj)
        return obj

    def patch(self, resource, name, body, namespace=None):
        self.calls.append(("patch", resource.kind, namespace, name, self.check_mode))
        self._check("patch", resource, name, namespace)
        key = (resource.kind, namespace, name)
        obj = apply_merge_patch(self.store[key], body)
        if not self.check_mode:
            self.store[key] = copy.deepcopy(obj)
        return obj

    def delete(self, resource, name, namespace=None):
        self.calls.append(("delete", resource.kind, namespace, name, self.check_mode))
        self._check("delete", resource, name, namespace)
        if not self.check_mode:
            self.store.pop((resource.kind, namespace, name), None)
        return True

    def writes(self):
        return [call for call in self.calls if call[0] in ("create", "patch", "delete")]

    def get_object(self, kind, namespace, name):
        return self.store.get((kind, namespace, name))


def nad_object(
    name,
    namespace="telco",
    managed=True,
    vlan=100,
    labels=None,
    annotations=None,
    extra_config=None,
    **fields,
):
    """A NetworkAttachmentDefinition as the API server holds it (``fields``: more option-form fields)."""
    item = dict(
        {
            "name": name,
            "namespace": namespace,
            "resource_name": "intel.com/sriov_netdevice",
            "vlan": vlan,
        },
        **fields,
    )
    marks = dict(labels or {})
    if managed:
        marks[OWNER_LABEL] = OWNER_VALUE
    obj = nad_lib.to_object(nad_lib.compact(item), marks, extra_config)
    obj["metadata"]["resourceVersion"] = "7"
    obj["metadata"].setdefault("annotations", {}).update(annotations or {})
    return obj


def pod_object(name, networks=None, namespace="telco", node="worker-01", phase="Running"):
    annotations = {NETWORKS_ANNOTATION: networks} if networks is not None else {}
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "annotations": annotations},
        "spec": {"nodeName": node},
        "status": {"phase": phase},
    }


def node_object(name, resources=None, labels=None, address=None):
    """A Node with allocatable SR-IOV resources beside the usual ones."""
    allocatable = {"cpu": "32", "memory": "128Gi", "pods": "110", "hugepages-1Gi": "8Gi"}
    allocatable.update(resources or {})
    addresses = [{"type": "Hostname", "address": name}] + (
        [{"type": "InternalIP", "address": address}] if address else []
    )
    return {
        "kind": "Node",
        "metadata": {"name": name, "labels": dict(labels or {})},
        "status": {"allocatable": allocatable, "addresses": addresses},
    }


def sriov_state_object(name, pfs, namespace="sriov-network-operator"):
    """A SriovNetworkNodeState listing the node's physical functions."""
    return {
        "kind": "SriovNetworkNodeState",
        "metadata": {"name": name, "namespace": namespace},
        "status": {
            "interfaces": [
                {
                    "name": pf,
                    "pciAddress": "0000:3b:00.%d" % index,
                    "numVfs": 8,
                    "totalvfs": 64,
                    "linkSpeed": "25000 Mb/s",
                    "mac": "52:54:00:00:00:0%d" % index,
                    "driver": "ice",
                }
                for index, pf in enumerate(pfs)
            ]
        },
    }


def network_state_object(name, neighbors):
    """A NodeNetworkState whose interfaces see LLDP neighbours: {pf: (system name, port id)} (nmstate TLV lists)."""
    interfaces = [
        {
            "name": pf,
            "type": "ethernet",
            "lldp": {
                "enabled": True,
                "neighbors": [
                    [
                        {"type": 1, "chassis-id": "aa:bb", "chassis-id-type": 4},
                        {"type": 5, "system-name": switch},
                        {"type": 2, "port-id": port, "port-id-type": 5},
                    ]
                ],
            },
        }
        for pf, (switch, port) in sorted(neighbors.items())
    ]
    return {
        "kind": "NodeNetworkState",
        "metadata": {"name": name},
        "status": {"currentState": {"interfaces": interfaces}},
    }


class K8sHarness:
    """The ``k8s`` fixture: the fake service, object builders and the module runner."""

    DEFAULT_SERVED = DEFAULT_SERVED
    NODE_SOURCES = ("Node", "SriovNetworkNodeState", "NodeNetworkState")
    nad = staticmethod(nad_object)
    pod = staticmethod(pod_object)
    node = staticmethod(node_object)
    sriov_state = staticmethod(sriov_state_object)
    network_state = staticmethod(network_state_object)

    @staticmethod
    def service(objects=(), served=DEFAULT_SERVED, check_mode=False):
        return FakeK8s(objects, served, check_mode)

    @staticmethod
    def run(main, args, service, check_mode=False, diff=False):
        """Run a cluster module against ``service`` (what the shared connect() hands out, in the module's check mode)."""

        def connect(auth, check_mode=False):
            service.check_mode = check_mode
            service.connected_with = auth
            return service

        with mock.patch(
            "ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.common.connect",
            side_effect=connect,
        ):
            return run_ansible_module(main, args, check_mode=check_mode, diff=diff)


# -- time --------------------------------------------------------------------------------------------------------


class FakeClock:
    """A monotonic clock that only moves when something sleeps: waits are tested without waiting."""

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


# -- fixtures ----------------------------------------------------------------------------------------------------


@pytest.fixture
def apstra():
    return ApstraHarness()


@pytest.fixture
def k8s():
    return K8sHarness()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def run_module():
    return run_ansible_module
