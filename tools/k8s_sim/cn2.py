"""The CN2 side of the emulated cluster: each pod's primary network, chosen and addressed once at pod creation, and the
reconciler state of VirtualNetworks, Subnets and VirtualNetworkRouters (core.contrail.juniper.net).

What CN2 documents (sources in docs/contracts.md, "CN2 tenants: custom default pod networks"):

- A namespace annotated `net.juniper.contrail.podnetwork: <namespace>/<virtualnetwork>` makes that VirtualNetwork the
  primary (eth0) network of the pods created in it afterwards ("new pods and services use the custom network"); the
  same annotation on a pod chooses the pod's own (23.x), `net.juniper.contrail.podnetwork.ip` asks for an address. The
  22.4 form is an entry of the Multus `k8s.v1.cni.cncf.io/networks` JSON list whose `cni-args` carry
  `"net.juniper.contrail.podnetwork": true`. The VirtualNetwork must have `spec.podNetwork: true`.
- A pod so placed shows `v1.multus-cni.io/default-network: <ns>/<vn>` and a `k8s.v1.cni.cncf.io/network-status`
  whose eth0 entry names the network, with an address of the VirtualNetwork's Subnet and `"default": true`. Other
  pods get the cluster's `contrail-k8s-kubemanager-<cluster>-contrail/default-podnetwork`, or `<ns>/default-podnetwork`
  in an isolated namespace (label `core.juniper.net/isolated-namespace: "true"`), from the cluster pod subnet.
- The CNI runs when a pod's sandbox is set up, so a pod keeps the network it got: changing the namespace annotation
  later only affects pods created after the change.
- CN2 objects report `status.state` (Pending, Success, Failure) and `status.observation` ("if a reconciliation error
  occurs, Observation will contain a brief description of the problem").

What the emulator does (there is no kubelet: it acts on the pod as soon as it is created):

- On a pod's ADDED event it decides the primary network: the pod's `net.juniper.contrail.podnetwork`, else a
  `v1.multus-cni.io/default-network` the pod already carries, else a `cni-args` podnetwork entry of its
  `k8s.v1.cni.cncf.io/networks`, else its namespace's `net.juniper.contrail.podnetwork`, else the (isolated)
  namespace's or the cluster's default pod network. A bare `<vn>` means `<pod namespace>/<vn>`. A custom choice is
  written at once as `v1.multus-cni.io/default-network`.
- When the chosen network can carry the pod (the VirtualNetwork exists with `podNetwork: true` and state Success, its
  Subnets exist, a free address remains) it writes `k8s.v1.cni.cncf.io/network-status` (Multus's format: entries
  marshalled with four-space indents, joined in `[...]`) with the eth0 entry first: `name`, `interface: eth0`, `ips`
  (the lowest free addresses of the v4 and v6 Subnets, skipping the network, gateway and broadcast addresses; or the
  `.ip` the pod asked for), `mac` (02:... derived from the pod uid), `default: true`, `dns: {}`. Entries the pod
  already had stay after it; a pod that already has a `"default": true` entry (its addresses count as taken), a
  hostNetwork pod, and the pods of the seed are left as they are. A pod whose network is not ready waits, as a pod in ContainerCreating does (the kubelet
  retries the sandbox): it is recorded when its VirtualNetwork or Subnet becomes ready. Deleting a pod frees its
  addresses.
- Subnet and VirtualNetworkRouter get `status: {state: Success, observation: ""}`; a VirtualNetwork gets Success, or
  Failure with an observation naming the Subnet its v4SubnetReference / v6SubnetReference misses (re-evaluated when
  Subnets come and go). Statuses are written through the status subresource, only when they change.

Not modelled: secondary interfaces (Multus NADs, SR-IOV), Subnet `ranges`, `status.podIP`, the `<vn>-servicenetwork`
CN2 creates for a pod network, services, VirtualNetworkRouter route leaking (which networks reach which).
"""

import hashlib
import ipaddress
import json

from . import errors
from .validation import CN2_GROUP, parse_cidr

PODNETWORK = "net.juniper.contrail.podnetwork"
PODNETWORK_IP = "net.juniper.contrail.podnetwork.ip"
DEFAULT_NETWORK = "v1.multus-cni.io/default-network"
NETWORKS = "k8s.v1.cni.cncf.io/networks"
NETWORK_STATUS = "k8s.v1.cni.cncf.io/network-status"
ISOLATED = "core.juniper.net/isolated-namespace"
CNI_MANAGER = "contrail-k8s-cni"
STATUS_MANAGER = "manager"  # the field manager of CN2's reconcilers in captured managedFields
VNS = "virtualnetworks." + CN2_GROUP
SUBNETS = "subnets." + CN2_GROUP
VNRS = "virtualnetworkrouters." + CN2_GROUP
DEFAULT_POOL = ("default",)


def format_network_status(entries):
    """The annotation text Multus writes: each entry as Go's json.MarshalIndent(entry, "", "    "), in `[...]`."""
    return "[" + ",".join(json.dumps(entry, indent=4) for entry in entries) + "]"


def network_status(pod):
    """The entries of a pod's network-status annotation ([] when absent); None when it is not a JSON list."""
    text = ((pod.get("metadata") or {}).get("annotations") or {}).get(NETWORK_STATUS)
    if not text:
        return []
    try:
        entries = json.loads(text)
    except ValueError:
        return None
    return entries if isinstance(entries, list) else None


def _qualified(value, namespace):
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        return None
    return value if "/" in value else "%s/%s" % (namespace, value)


def _mac(pod):
    digest = hashlib.sha256(
        (pod["metadata"].get("uid") or pod["metadata"]["name"]).encode()
    ).hexdigest()
    return "02:" + ":".join(digest[n : n + 2] for n in range(0, 10, 2))


class _Pool:
    """Addresses handed out from one subnet: taken integers plus the lowest candidate."""

    def __init__(self, network, gateway):
        self.network = network
        self.gateway = int(gateway)
        self.first = int(network.network_address) + 1
        self.last = int(network.broadcast_address) - (1 if network.version == 4 else 0)
        self.taken = set()
        self.cursor = self.first

    def take(self, wanted=None):
        if wanted is not None:
            value = int(wanted)
            if value in self.taken or value == self.gateway or not self.first <= value <= self.last:
                return None
            self.taken.add(value)
            return str(wanted)
        value = self.cursor
        while value <= self.last and (value in self.taken or value == self.gateway):
            value += 1
        if value > self.last:
            return None
        self.taken.add(value)
        self.cursor = value + 1
        return str(type(self.network.network_address)(value))

    def give_back(self, address):
        value = int(type(self.network.network_address)(address))
        self.taken.discard(value)
        self.cursor = min(self.cursor, max(value, self.first))


class Cn2Controller:
    """CN2's kube-manager, CNI and reconcilers as far as pod networks go (see the module docstring)."""

    def __init__(self, cluster_name="k8s-sim", pod_subnet="10.244.0.0/16"):
        self.default_network = (
            "contrail-k8s-kubemanager-%s-contrail/default-podnetwork" % cluster_name
        )
        network = parse_cidr(pod_subnet)
        if network is None:
            raise ValueError("not a CIDR: %r" % pod_subnet)
        self.pod_subnet = network
        self._pools = {}
        self._pods = {}  # (namespace, name) -> [(pool key, address)]

    # --- wiring ----------------------------------------------------------------------------------------------

    @staticmethod
    def _res(store, group, kind):
        return next(
            (r for r in store.registry.resources if r.group == group and r.kind == kind), None
        )

    def _get(self, store, kind, namespace, name, group=CN2_GROUP):
        res = self._res(store, group, kind)
        if res is None or not name:
            return None
        try:
            return store.get(res, res.versions[0], namespace, name)
        except errors.ApiError:
            return None

    def _items(self, store, kind, group=CN2_GROUP):
        res = self._res(store, group, kind)
        return [] if res is None else store.list(res, res.versions[0], None)["items"]

    def resync(self, store):
        """Start (and emulator reset): learn the addresses seeded pods hold; reconcile every CN2 object's status."""
        self._pools, self._pods = {}, {}
        for kind in ("Subnet", "VirtualNetwork", "VirtualNetworkRouter"):
            for item in self._items(store, kind):
                self._status(store, kind, item["metadata"]["namespace"], item["metadata"]["name"])
        for pod in self._items(store, "Pod", ""):
            self._learn(store, pod)
            self._pods.setdefault((pod["metadata"]["namespace"], pod["metadata"]["name"]), [])

    def on_event(self, store, event):
        meta = event.new["metadata"]
        namespace, name = meta.get("namespace"), meta["name"]
        if event.key == "pods":
            if event.type == "ADDED":
                self._admit(store, event.new)
            elif event.type == "DELETED":
                self._release((namespace, name))
        elif event.key == SUBNETS:
            if event.type != "DELETED":
                self._status(store, "Subnet", namespace, name)
            for vn in self._items(store, "VirtualNetwork"):
                if (namespace, name) in self._subnet_refs(vn):
                    self._status(
                        store, "VirtualNetwork", vn["metadata"]["namespace"], vn["metadata"]["name"]
                    )
            self._retry(store)
        elif event.key == VNS and event.type != "DELETED":
            self._status(store, "VirtualNetwork", namespace, name)
            self._retry(store)
        elif event.key == VNRS and event.type != "DELETED":
            self._status(store, "VirtualNetworkRouter", namespace, name)

    # --- reconciler state ------------------------------------------------------------------------------------

    @staticmethod
    def _subnet_refs(vn):
        spec = vn.get("spec") or {}
        refs = []
        for field in ("v4SubnetReference", "v6SubnetReference"):
            ref = spec.get(field)
            if isinstance(ref, dict):
                refs.append((ref.get("namespace") or vn["metadata"]["namespace"], ref.get("name")))
        return refs

    def _state(self, store, kind, obj):
        if kind != "VirtualNetwork":
            return "Success", ""
        missing = [
            "%s/%s" % (namespace, name or "")
            for namespace, name in self._subnet_refs(obj)
            if self._get(store, "Subnet", namespace, name) is None
        ]
        if missing:
            return "Failure", "Subnet %s not found" % ", ".join(missing)
        return "Success", ""

    def _status(self, store, kind, namespace, name):
        res = self._res(store, CN2_GROUP, kind)
        current = self._get(store, kind, namespace, name)
        if res is None or current is None:
            return
        state, observation = self._state(store, kind, current)
        status = dict(current.get("status") or {})
        if status.get("state") == state and status.get("observation") == observation:
            return
        status.update(state=state, observation=observation)
        try:
            store.replace(
                res,
                res.versions[0],
                namespace,
                name,
                dict(current, status=status),
                subresource="status",
                manager=STATUS_MANAGER,
            )
        except errors.ApiError:
            pass

    # --- pods ------------------------------------------------------------------------------------------------

    def _choice(self, store, pod):
        """(network "<ns>/<name>", custom?) for a new pod, in CN2's order of precedence."""
        meta = pod["metadata"]
        namespace = meta["namespace"]
        annotations = meta.get("annotations") or {}
        for key in (PODNETWORK, DEFAULT_NETWORK):
            chosen = _qualified(annotations.get(key), namespace)
            if chosen:
                return chosen, True
        try:
            requested = json.loads(annotations.get(NETWORKS) or "[]")
        except ValueError:
            requested = []  # the "ns/name@if" list form carries no cni-args
        for entry in requested if isinstance(requested, list) else []:
            if isinstance(entry, dict) and (entry.get("cni-args") or {}).get(PODNETWORK) is True:
                chosen = _qualified(
                    "%s/%s" % (entry.get("namespace") or namespace, entry.get("name") or ""),
                    namespace,
                )
                if chosen and not chosen.endswith("/"):
                    return chosen, True
        ns_obj = self._get(store, "Namespace", None, namespace, group="") or {}
        chosen = _qualified(
            ((ns_obj.get("metadata") or {}).get("annotations") or {}).get(PODNETWORK), namespace
        )
        if chosen:
            return chosen, True
        if ((ns_obj.get("metadata") or {}).get("labels") or {}).get(ISOLATED) == "true":
            return "%s/default-podnetwork" % namespace, False
        return self.default_network, False

    def _pools_for(self, store, network, custom, ready=True):
        """[(pool key, _Pool)] the network's addresses come from, or None while it cannot carry pods (`ready`: also
        require podNetwork and state Success, as for a new pod)."""
        if not custom:
            key = DEFAULT_POOL
            if key not in self._pools:
                self._pools[key] = _Pool(self.pod_subnet, self.pod_subnet.network_address + 1)
            return [(key, self._pools[key])]
        namespace, _sep, name = network.partition("/")
        vn = self._get(store, "VirtualNetwork", namespace, name)
        if vn is None:
            return None
        if ready and not (vn.get("spec") or {}).get("podNetwork"):
            return None
        if ready and (vn.get("status") or {}).get("state") != "Success":
            return None
        pools = []
        for ref in self._subnet_refs(vn):
            subnet = self._get(store, "Subnet", *ref)
            cidr = parse_cidr(((subnet or {}).get("spec") or {}).get("cidr"))
            if cidr is None:
                return None
            key = ("subnet", ref[0], ref[1], str(cidr))
            if key not in self._pools:
                gateway = (subnet.get("spec") or {}).get("defaultGateway")
                self._pools[key] = _Pool(
                    cidr, ipaddress.ip_address(gateway) if gateway else cidr.network_address + 1
                )
            pools.append((key, self._pools[key]))
        return pools or None

    def _address(self, store, pod, network, custom):
        """The eth0 network-status entry for `pod` on `network`, taking its addresses; None if it cannot have one."""
        pools = self._pools_for(store, network, custom)
        if pools is None:
            return None
        wanted = ((pod["metadata"].get("annotations") or {}).get(PODNETWORK_IP) or "").strip()
        try:
            wanted = ipaddress.ip_address(wanted) if wanted and custom else None
        except ValueError:
            return None
        taken = []
        for key, pool in pools:
            ask = wanted if wanted is not None and wanted in pool.network else None
            address = pool.take(ask)
            if address is None:
                for done_key, done in taken:
                    self._pools[done_key].give_back(done)
                return None
            taken.append((key, address))
        if wanted is not None and str(wanted) not in [a for _key, a in taken]:
            for done_key, done in taken:
                self._pools[done_key].give_back(done)
            return None
        self._pods[(pod["metadata"]["namespace"], pod["metadata"]["name"])] = taken
        return {
            "name": network,
            "interface": "eth0",
            "ips": [address for _key, address in taken],
            "mac": _mac(pod),
            "default": True,
            "dns": {},
        }

    def _admit(self, store, pod):
        if (pod.get("spec") or {}).get("hostNetwork"):
            return
        entries = network_status(pod)
        if entries is None or any(isinstance(e, dict) and e.get("default") for e in entries):
            self._learn(store, pod)
            return
        network, custom = self._choice(store, pod)
        annotations = {}
        if custom and (pod["metadata"].get("annotations") or {}).get(DEFAULT_NETWORK) != network:
            annotations[DEFAULT_NETWORK] = network
        entry = self._address(store, pod, network, custom)
        if entry is not None:
            annotations[NETWORK_STATUS] = format_network_status([entry] + entries)
        if annotations:
            self._annotate(store, pod, annotations)

    def _annotate(self, store, pod, annotations):
        res = self._res(store, "", "Pod")
        meta = pod["metadata"]
        try:
            store.patch(
                res,
                "v1",
                meta["namespace"],
                meta["name"],
                "merge",
                {"metadata": {"annotations": annotations}},
                manager=CNI_MANAGER,
            )
        except errors.ApiError:
            self._release((meta["namespace"], meta["name"]))

    def _retry(self, store):
        """Pods waiting for their custom network (chosen, not yet addressed) get it once the network is ready."""
        for pod in self._items(store, "Pod", ""):
            meta = pod["metadata"]
            network = (meta.get("annotations") or {}).get(DEFAULT_NETWORK)
            if not network or (meta["namespace"], meta["name"]) in self._pods:
                continue
            if (pod.get("spec") or {}).get("hostNetwork"):
                continue
            entries = network_status(pod)
            if entries is None or any(isinstance(e, dict) and e.get("default") for e in entries):
                continue
            entry = self._address(store, pod, _qualified(network, meta["namespace"]), True)
            if entry is not None:
                self._annotate(
                    store, pod, {NETWORK_STATUS: format_network_status([entry] + entries)}
                )

    def _learn(self, store, pod):
        """Count the addresses of a pod recorded elsewhere (seed, client) as taken."""
        entries = network_status(pod) or []
        entry = next((e for e in entries if isinstance(e, dict) and e.get("default")), None)
        if entry is None:
            return
        name = entry.get("name") or ""
        custom = not (name == self.default_network or name.endswith("/default-podnetwork"))
        pools = self._pools_for(store, name, custom, ready=False) if "/" in name else None
        held = []
        for address in entry.get("ips") or []:
            try:
                value = ipaddress.ip_address(address.split("/")[0])
            except (ValueError, AttributeError):
                continue
            for key, pool in pools or []:
                if value in pool.network and int(value) not in pool.taken:
                    pool.taken.add(int(value))
                    held.append((key, str(value)))
        if held:
            self._pods[(pod["metadata"]["namespace"], pod["metadata"]["name"])] = held

    def _release(self, key):
        for pool_key, address in self._pods.pop(key, []):
            pool = self._pools.get(pool_key)
            if pool is not None:
                pool.give_back(address)
