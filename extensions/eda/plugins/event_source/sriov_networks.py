# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event source netops.cn2_apstra.sriov_networks: SR-IOV networks and the pods that use them, from the Kubernetes watch API.

ansible-rulebook loads this file with runpy and awaits `main(queue, args)`. Credentials are resolved as the collection's
cluster modules resolve them (`plugins/module_utils/k8s/client.py`, imported from this collection), the API is read with
aiohttp. See docs/event-driven.md.
"""

import asyncio
import json
import logging
import os
import random
import ssl
import sys
import time

import aiohttp

DOCUMENTATION = r"""
---
short_description: Watch SR-IOV networks, their pods and tenant namespaces in a Kubernetes cluster
description:
  - An ansible-rulebook event source plugin that watches NetworkAttachmentDefinitions (all namespaces),
    SriovNetworks, Pods and Namespaces through the Kubernetes watch API and emits one event per affected network
    or tenant namespace.
  - It lists each kind, then watches from the list's resourceVersion with C(allowWatchBookmarks). A dropped
    stream or an error resumes the watch from the last resourceVersion seen, after an exponential backoff;
    a C(410 Gone) (the resourceVersion is too old) relists and emits events only for the real differences,
    so no change is lost or repeated.
  - Once every kind is listed it emits C({"type": "synced"}) (once; nothing is emitted for the objects found).
    A kind the cluster does not serve (no SR-IOV network operator, hence no SriovNetwork) is left out.
  - A network is reported only if it opts in (annotation O(opt_in_annotation) set to C("true") on the
    NetworkAttachmentDefinition or on the SriovNetwork) or if pods reference it through the Multus annotation
    C(k8s.v1.cni.cncf.io/networks) (list form C(ns/name@if) or JSON form; the default namespace is the pod's);
    a SriovNetwork counts as referenced when pods reference the NAD it renders. The NAD that the SR-IOV operator
    renders for an opted-in SriovNetwork carries no opt-in (the operator copies no annotation): the
    SriovNetwork's events stand for it, and pods that use it report it.
  - "Event: C({type: sriov_network, change: added|modified|deleted|pods|grace_expired, cluster, network:
    {namespace, name, kind}, object, nodes})). C(object) is the network's C(apiVersion), C(kind), C(metadata)
    (namespace, name, uid, labels, annotations) and C(spec); C(nodes) the sorted nodes of the pods that use it.
    C(pods) events also carry C(pod: {namespace, name, node, change})."
  - "A namespace of a CN2 tenant (annotation C(cn2-apstra.netops.io/tenant), or the label C(netops.io/tenant) the
    collection puts on it) emits C({type: tenant, change: added|modified|deleted, cluster, namespace, tenant}) when it
    opts in or out, when its tenant annotations change, and when its C(net.juniper.contrail.podnetwork) annotation
    changes (the collection's own change, or drift that the reconcile repairs)."
  - Changes that do not matter (status, resourceVersion, managedFields, finalizers, generation, the
    operator's and kubectl's bookkeeping annotations, JSON whitespace in C(spec.config)) emit nothing.
  - When a node stops hosting pods of a network (pod deleted, finished or moved), a C(grace_expired) event for
    that network follows O(unbind_grace) seconds after the last such change, so an unattended reconcile runs
    once the grace period is over.
options:
  host:
    description:
      - URL of the Kubernetes API server. Falls back to E(K8S_AUTH_HOST).
    type: str
  api_key:
    description:
      - Bearer token for the API. Falls back to E(K8S_AUTH_API_KEY).
    type: str
  kubeconfig:
    description:
      - Path to a kubeconfig file, or the kubeconfig as a dictionary. Falls back to E(K8S_AUTH_KUBECONFIG).
      - Without any connection option the in-cluster service account is tried, then C(~/.kube/config).
    type: raw
  context:
    description:
      - Name of a context in the kubeconfig. Falls back to E(K8S_AUTH_CONTEXT).
    type: str
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate. Falls back to E(K8S_AUTH_VERIFY_SSL).
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description:
      - Path to the CA bundle that signed the API server certificate. Falls back to E(K8S_AUTH_SSL_CA_CERT).
    type: path
    aliases: [ssl_ca_cert]
  client_cert:
    description:
      - Path to a client certificate. Falls back to E(K8S_AUTH_CERT_FILE).
    type: path
    aliases: [cert_file]
  client_key:
    description:
      - Path to the client certificate's key. Falls back to E(K8S_AUTH_KEY_FILE).
    type: path
    aliases: [key_file]
  proxy:
    description:
      - URL of an HTTP proxy. Falls back to E(K8S_AUTH_PROXY).
    type: str
  no_proxy:
    description:
      - Comma separated hosts that bypass the proxy, as curl and requests read them. C(*) (every host), a domain
        (C(example.com) or C(.example.com), the domain and its hosts), an IP address or a CIDR (C(10.0.0.0/8)), each
        optionally with C(:port). Falls back to E(K8S_AUTH_NO_PROXY).
    type: str
  opt_in_annotation:
    description:
      - The annotation (value C("true")) that makes a NetworkAttachmentDefinition or a SriovNetwork reported
        without any pod using it.
      - An annotation key's prefix must be a DNS subdomain (no underscore), hence the dash in the default.
    type: str
    default: cn2-apstra.netops.io/fabric
  unbind_grace:
    description:
      - Seconds after a node stops hosting pods of a network (the last such change) before the
        C(grace_expired) event for that network.
    type: float
    default: 30
  watch_timeout:
    description:
      - C(timeoutSeconds) of each watch request; the server ends the stream then and the source resumes at once.
    type: int
    default: 300
  backoff_initial:
    description:
      - Seconds before the first retry after an error or a dropped stream; doubles on each failure in a row
        (with up to 20% random jitter).
    type: float
    default: 1
  backoff_max:
    description:
      - Longest wait between two retries, in seconds.
    type: float
    default: 60
  page_size:
    description:
      - C(limit) of each list request (lists are paged with C(continue)).
    type: int
    default: 500
requirements:
  - aiohttp
  - kubernetes (Python library, for the kubeconfig and in-cluster credential loading the cluster modules use)
"""

EXAMPLES = r"""
- name: The fabric follows the cluster
  hosts: localhost
  sources:
    - netops.cn2_apstra.sriov_networks:
        kubeconfig: /var/lib/eda/kubeconfig
        unbind_grace: 60
  rules:
    - name: Print what changed
      condition: event.type == "sriov_network"
      action:
        debug:
          msg: "{{ event.change }} {{ event.network.namespace }}/{{ event.network.name }} on {{ event.nodes }}"
"""

LOGGER = logging.getLogger("netops.cn2_apstra.sriov_networks")

NAD = "NetworkAttachmentDefinition"
SRIOV_NETWORK = "SriovNetwork"
POD = "Pod"
NAMESPACE = "Namespace"
PATHS = {
    NAD: "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions",
    SRIOV_NETWORK: "/apis/sriovnetwork.openshift.io/v1/sriovnetworks",
    POD: "/api/v1/pods",
    NAMESPACE: "/api/v1/namespaces",
}
# Bookkeeping that changes without the network changing: kubectl's copy of the applied manifest, the operator's note.
IGNORED_ANNOTATIONS = (
    "kubectl.kubernetes.io/last-applied-configuration",
    "operator.sriovnetwork.openshift.io/last-network-namespace",
)
ALIASES = {
    "verify_ssl": "validate_certs",
    "ssl_ca_cert": "ca_cert",
    "cert_file": "client_cert",
    "key_file": "client_key",
}
DEFAULTS = {
    "opt_in_annotation": "cn2-apstra.netops.io/fabric",
    "unbind_grace": 30.0,
    "watch_timeout": 300,
    "backoff_initial": 1.0,
    "backoff_max": 60.0,
    "page_size": 500,
}
_TRUE = ("1", "true", "yes", "on", "y", "t")


# --- the collection's pure-Python helpers ------------------------------------------------------------------------


def collection_root(path=None):
    """The directory holding `ansible_collections/` when this file sits in an installed collection, else None.

    The path is taken as given (not resolved): a collections path that links to a checkout still counts.
    """
    parts = os.path.abspath(path or __file__).split(os.sep)
    if len(parts) > 8 and parts[-8:-4] == [
        "ansible_collections",
        "netops",
        "cn2_apstra",
        "extensions",
    ]:
        return os.sep.join(parts[:-8]) or os.sep
    return None


def k8s_client_helpers():
    """`plugins/module_utils/k8s/client.py` of this collection (credential options, env fallbacks, configuration)."""
    root = collection_root()
    if root and root not in sys.path:
        sys.path.insert(0, root)
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import client

    if not client.HAS_KUBERNETES:
        raise RuntimeError(
            "the kubernetes Python library is needed to load the cluster credentials: %s"
            % client.KUBERNETES_IMPORT_ERROR
        )
    return client


def sriov_helpers():
    """`plugins/module_utils/sriov/` of this collection: the annotation names and the pod-reference parser the role uses."""
    root = collection_root()
    if root and root not in sys.path:
        sys.path.insert(0, root)
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import cluster, model

    return cluster, model


def pod_network_refs(pod):
    """The NADs a pod asks for in `k8s.v1.cni.cncf.io/networks`, as sorted (namespace, name) pairs (the role's parser)."""
    return sorted(sriov_helpers()[0].pod_network_references(pod))


def released_since(network):
    """The latest time (seconds since the epoch) the reconcile recorded a node releasing this NAD's port, or None."""
    cluster, _model = sriov_helpers()
    marks = cluster.released_marks(network or {})
    times = [cluster.parse_time(when) for when in marks.values()]
    return max(when.timestamp() for when in times) if times else None


# --- what the source knows and what it emits -----------------------------------------------------------------------


def tenant_view(namespace):
    """What matters of a namespace for the tenants (docs/usage.md "Tenants"): its tenant (the opt-in annotation, or the
    label the collection put there), the tenant annotations and the pod network annotation; None for a namespace of
    no tenant."""
    _cluster, model = sriov_helpers()
    meta = namespace.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    labels = meta.get("labels") or {}
    tenant = annotations.get(model.TENANT_ANNOTATION) or labels.get(model.TENANT_LABEL)
    if not tenant:
        return None
    keys = (
        model.TENANT_ANNOTATION,
        model.POD_SUBNET_ANNOTATION,
        model.ZONE_ANNOTATION,
        model.REACH_ANNOTATION,
        model.PODNETWORK_ANNOTATION,
    )
    return {
        "tenant": tenant,
        "annotations": dict((k, annotations[k]) for k in keys if k in annotations),
        "label": labels.get(model.TENANT_LABEL),
    }


def summary(obj):
    """The part of a network object that events carry: apiVersion, kind, metadata (namespace, name, uid, labels,
    annotations less bookkeeping) and spec."""
    meta = obj.get("metadata") or {}
    annotations = {
        k: v for k, v in (meta.get("annotations") or {}).items() if k not in IGNORED_ANNOTATIONS
    }
    return {
        "apiVersion": obj.get("apiVersion"),
        "kind": obj.get("kind"),
        "metadata": {
            "namespace": meta.get("namespace"),
            "name": meta.get("name"),
            "uid": meta.get("uid"),
            "labels": dict(meta.get("labels") or {}),
            "annotations": annotations,
        },
        "spec": obj.get("spec") or {},
    }


def _matters(network):
    """What a change must touch to be reported: labels, annotations (but the reconcile's own release marks) and spec
    (a NAD's config as parsed JSON)."""
    spec = dict(network["spec"])
    if isinstance(spec.get("config"), str):
        try:
            spec["config"] = json.loads(spec["config"])
        except ValueError:
            pass
    released = sriov_helpers()[1].RELEASED_ANNOTATION
    annotations = dict(
        (k, v) for k, v in network["metadata"]["annotations"].items() if k != released
    )
    return network["metadata"]["labels"], annotations, spec


class State:
    """The networks and pods seen so far; turns object changes into the events to emit.

    `apply` returns (events, grace): `grace` lists (NAD key, since) for networks whose set of nodes shrank (since None:
    now) or on whose NAD the reconcile recorded a release (since: its time), so a `grace_expired` follows the grace.
    """

    def __init__(self, opt_in, cluster):
        self.opt_in = opt_in
        self.cluster = cluster
        self.objects = {NAD: {}, SRIOV_NETWORK: {}, NAMESPACE: {}}
        self.pods = {}  # (namespace, name) -> (node, refs) of live pods that use networks
        self.by_network = {}  # NAD key -> {pod key: node} of live pods placed on a node

    # queries

    def nodes(self, nad_key):
        return sorted(set(self.by_network.get(nad_key, {}).values()))

    def _opted(self, network):
        return (
            network is not None
            and str(network["metadata"]["annotations"].get(self.opt_in, "")).lower() == "true"
        )

    @staticmethod
    def target(network_key, network):
        """The NAD key a SriovNetwork renders."""
        return ((network["spec"].get("networkNamespace") or network_key[0]), network_key[1])

    def visible(self, kind, key, network):
        """Reported: opted in, or used by pods (a SriovNetwork through the NAD it renders)."""
        if network is None:
            return False
        return self._opted(network) or bool(
            self.by_network.get(key if kind == NAD else self.target(key, network))
        )

    def event(self, change, kind, key, network, nodes_key):
        return {
            "type": "sriov_network",
            "change": change,
            "cluster": self.cluster,
            "network": {"namespace": key[0], "name": key[1], "kind": kind},
            "object": network,
            "nodes": self.nodes(nodes_key),
        }

    # changes

    @staticmethod
    def parse(kind, obj):
        """(key, what is stored or None when the object is gone or going)."""
        meta = obj.get("metadata") or {}
        key = (meta.get("namespace") or "default", meta.get("name"))
        if meta.get("deletionTimestamp"):
            return key, None
        if kind == POD:
            refs = tuple(pod_network_refs(obj))
            if not refs or (obj.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                return key, None  # pods that use no network are not kept
            return key, ((obj.get("spec") or {}).get("nodeName"), refs)
        if kind == NAMESPACE:
            return (None, meta.get("name")), tenant_view(
                obj
            )  # namespaces of no tenant are not kept
        return key, summary(obj)

    def apply(self, kind, key, new):
        if kind == POD:
            return self._apply_pod(key, new)
        if kind == NAMESPACE:
            return self._apply_namespace(key, new)
        objects = self.objects[kind]
        old = objects.get(key)
        since = released_since(new) if kind == NAD and new is not None else None
        grace = (
            [(key, since)]
            if since is not None and since != (released_since(old) if old is not None else None)
            else []
        )
        if old is not None and new is not None and _matters(old) == _matters(new):
            objects[key] = new
            return [], grace
        was = self.visible(kind, key, old)
        if new is None:
            objects.pop(key, None)
        else:
            objects[key] = new
        now = self.visible(kind, key, new)
        change = {(False, True): "added", (True, False): "deleted", (True, True): "modified"}.get(
            (was, now)
        )
        if change is None:
            return [], grace
        latest = new if new is not None else old
        nodes_key = key if kind == NAD else self.target(key, latest)
        return [self.event(change, kind, key, latest, nodes_key)], grace

    def _apply_namespace(self, key, new):
        """A tenant's namespace added, changed (its tenant annotations, or its pod network annotation: drift) or gone."""
        old = self.objects[NAMESPACE].get(key)
        if old == new:
            return [], []
        if new is None:
            self.objects[NAMESPACE].pop(key, None)
        else:
            self.objects[NAMESPACE][key] = new
        change = "added" if old is None else "deleted" if new is None else "modified"
        event = {
            "type": "tenant",
            "change": change,
            "cluster": self.cluster,
            "namespace": key[1],
            "tenant": (new or old)["tenant"],
        }
        return [event], []

    def _apply_pod(self, key, new):
        old = self.pods.get(key)
        if old == new:
            return [], []
        if new is None:
            self.pods.pop(key, None)
        else:
            self.pods[key] = new
        before = dict((ref, old[0]) for ref in old[1]) if old and old[0] else {}
        after = dict((ref, new[0]) for ref in new[1]) if new and new[0] else {}
        events, grace = [], []
        for ref in sorted(set(before) | set(after)):
            if before.get(ref) == after.get(ref):
                continue
            nodes_before = set(self.nodes(ref))
            members = self.by_network.setdefault(ref, {})
            if ref in after:
                members[key] = after[ref]
            else:
                members.pop(key, None)
            if not members:
                del self.by_network[ref]
            change = "added" if ref not in before else "deleted" if ref not in after else "modified"
            event = self.event("pods", NAD, ref, self.objects[NAD].get(ref), ref)
            event["pod"] = {
                "namespace": key[0],
                "name": key[1],
                "node": after.get(ref) or before.get(ref),
                "change": change,
            }
            events.append(event)
            if nodes_before - set(self.nodes(ref)):
                grace.append((ref, None))
        return events, grace

    def load(self, kind, items):
        """Replace what is known of `kind` by a fresh list; returns (events, grace) for the differences only."""
        fresh = dict(self.parse(kind, item) for item in items)
        known = self.pods if kind == POD else self.objects[kind]
        events, grace = [], []
        for key in sorted(set(known) | set(fresh)):
            more, later = self.apply(kind, key, fresh.get(key))
            events += more
            grace += later
        return events, grace


# --- the Kubernetes API over aiohttp -------------------------------------------------------------------------------


class ApiStatusError(Exception):
    """A Status answered by the API (or sent in a watch ERROR event)."""

    def __init__(self, status):
        self.code = status.get("code")
        super().__init__(
            "%s %s: %s" % (status.get("code"), status.get("reason"), status.get("message"))
        )


class Api:
    """GETs and watches against the API server of a kubernetes `Configuration`."""

    def __init__(self, configuration, session):
        self.configuration = configuration
        self.base = configuration.host.rstrip("/")
        self.session = session
        # no_proxy as curl, requests and the kubernetes client read it: *, domains and their hosts, IPs, CIDRs, :port
        bypass = k8s_client_helpers().bypass_proxy(
            self.base, getattr(configuration, "no_proxy", None) or ""
        )
        self.proxy = (
            configuration.proxy if getattr(configuration, "proxy", None) and not bypass else None
        )

    @staticmethod
    def ssl_context(configuration):
        """What aiohttp's `ssl` wants: True (defaults) for plain HTTP, else a context from the configuration."""
        if not configuration.host.startswith("https"):
            return True
        context = ssl.create_default_context(cafile=configuration.ssl_ca_cert or None)
        if configuration.cert_file:
            context.load_cert_chain(configuration.cert_file, configuration.key_file or None)
        if not configuration.verify_ssl:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def headers(self):
        """Accept plus the credentials, asked again on every request (the kubeconfig loader refreshes tokens)."""
        headers = {"Accept": "application/json"}
        for setting in self.configuration.auth_settings().values():
            if setting.get("in") == "header" and setting.get("value"):
                headers[setting["key"]] = setting["value"]
        return headers

    async def _check(self, resp):
        if resp.status >= 400:
            text = await resp.text()
            try:
                status = json.loads(text)
            except ValueError:
                status = {}
            if not isinstance(status, dict) or status.get("kind") != "Status":
                status = {"code": resp.status, "reason": resp.reason, "message": text[:200]}
            raise ApiStatusError(status)

    async def list(self, path, page_size):
        """(items, resourceVersion) of a whole collection, paged."""
        items, token = [], None
        while True:
            params = {"limit": str(page_size)}
            if token:
                params["continue"] = token
            async with self.session.get(
                self.base + path,
                params=params,
                headers=self.headers(),
                proxy=self.proxy,
                timeout=aiohttp.ClientTimeout(total=300),
            ) as resp:
                await self._check(resp)
                body = await resp.json(content_type=None)
            items += body.get("items") or []
            token = (body.get("metadata") or {}).get("continue")
            if not token:
                return items, (body.get("metadata") or {}).get("resourceVersion")

    async def watch(self, path, resource_version, timeout):
        """Yield the events of one watch request from `resource_version` until the server ends the stream."""
        params = {
            "watch": "true",
            "resourceVersion": resource_version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(timeout),
        }
        async with self.session.get(
            self.base + path,
            params=params,
            headers=self.headers(),
            proxy=self.proxy,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=timeout + 60),
        ) as resp:
            await self._check(resp)
            buffer = b""
            async for chunk in resp.content.iter_any():
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if line.strip():
                        yield json.loads(line)
            if buffer.strip():
                yield json.loads(buffer)


# --- the source ----------------------------------------------------------------------------------------------------


class _Expired(Exception):
    """410 Gone: the resourceVersion is older than the server keeps; list again."""


class SriovNetworkSource:
    """Lists, then watches, NADs, SriovNetworks and pods; puts the events on the queue."""

    def __init__(self, queue, options, api):
        self.queue = queue
        self.options = options
        self.api = api
        self.state = State(options["opt_in_annotation"], api.base)
        self.versions = {}
        self.timers = {}
        self.kinds = list(PATHS)

    async def emit(self, events, grace):
        for event in events:
            await self.queue.put(event)
        for ref, since in grace:
            self._schedule_grace(ref, since)

    def _schedule_grace(self, ref, since=None):
        """A grace_expired for `ref` once the grace has passed since `since` (a release the reconcile recorded), or from now."""
        delay = (
            self.options["unbind_grace"]
            if since is None
            else max(0.0, since + self.options["unbind_grace"] - time.time()) + 1
        )
        timer = self.timers.pop(ref, None)
        if timer is not None:
            timer.cancel()
        self.timers[ref] = asyncio.ensure_future(self._grace_expired(ref, delay))

    async def _grace_expired(self, ref, delay):
        await asyncio.sleep(delay)
        self.timers.pop(ref, None)
        await self.queue.put(
            self.state.event("grace_expired", NAD, ref, self.state.objects[NAD].get(ref), ref)
        )

    async def _backoff(self, delay, kind, what):
        wait = delay * (1 + random.random() * 0.2)  # nosec B311 - jitter, not cryptography
        LOGGER.warning("%s watch: %s; retrying in %.1f s", kind, what, wait)
        await asyncio.sleep(wait)
        return min(delay * 2, self.options["backoff_max"])

    async def sync(self):
        """List every kind (retrying with backoff) into the state, silently; then the `synced` event. A kind the
        cluster does not serve (404: no SR-IOV operator, say) is left out."""
        for kind, path in PATHS.items():
            delay = self.options["backoff_initial"]
            while True:
                try:
                    items, self.versions[kind] = await self.api.list(
                        path, self.options["page_size"]
                    )
                    break
                except ApiStatusError as exc:
                    if exc.code == 404:
                        LOGGER.warning(
                            "%s: not served by this cluster (%s); not watched", kind, exc
                        )
                        self.kinds.remove(kind)
                        items = []
                        break
                    delay = await self._backoff(delay, kind, "list failed (%s)" % exc)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                    delay = await self._backoff(delay, kind, "list failed (%s)" % exc)
            for item in items:
                key, value = self.state.parse(kind, item)
                if value is not None:
                    # silent: what is there at start is caught up by `synced`; a release recorded before is timed from its mark
                    for ref, since in self.state.apply(kind, key, value)[1]:
                        if since is not None:
                            self._schedule_grace(ref, since)
        networks = sum(
            1
            for kind in (NAD, SRIOV_NETWORK)
            for key, net in self.state.objects[kind].items()
            if self.state.visible(kind, key, net)
        )
        await self.queue.put(
            {
                "type": "synced",
                "cluster": self.state.cluster,
                "networks": networks,
                "pods": sum(1 for pod in self.state.pods.values() if pod[0] and pod[1]),
            }
        )

    async def follow(self, kind):
        """Watch one kind forever: resume from the last resourceVersion; relist after 410; back off on errors."""
        path = PATHS[kind]
        delay = self.options["backoff_initial"]
        while True:
            try:
                if self.versions.get(kind) is None:
                    items, version = await self.api.list(path, self.options["page_size"])
                    await self.emit(*self.state.load(kind, items))
                    self.versions[kind] = version
                async for event in self.api.watch(
                    path, self.versions[kind], self.options["watch_timeout"]
                ):
                    await self._handle(kind, event)
                    delay = self.options["backoff_initial"]
            except _Expired:
                LOGGER.info(
                    "%s watch: resourceVersion %s expired; listing again",
                    kind,
                    self.versions.get(kind),
                )
                self.versions[kind] = None
            except ApiStatusError as exc:
                if exc.code == 410:
                    self.versions[kind] = None
                    continue
                delay = await self._backoff(delay, kind, exc)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                delay = await self._backoff(
                    delay, kind, "stream dropped (%s)" % (exc or type(exc).__name__)
                )

    async def _handle(self, kind, event):
        obj = event.get("object") or {}
        if event.get("type") == "ERROR":
            if obj.get("code") == 410:
                raise _Expired()
            raise ApiStatusError(obj)
        version = (obj.get("metadata") or {}).get("resourceVersion")
        if event.get("type") in ("ADDED", "MODIFIED", "DELETED"):
            key, value = self.state.parse(kind, obj)
            await self.emit(
                *self.state.apply(kind, key, None if event["type"] == "DELETED" else value)
            )
        if version:
            self.versions[kind] = version

    async def run(self):
        await self.sync()
        try:
            await asyncio.gather(*(self.follow(kind) for kind in self.kinds))
        finally:
            for timer in self.timers.values():
                timer.cancel()


def options_from(args, environ, auth_env):
    """The source options: defaults, args (aliases folded) and, for connection options, the K8S_AUTH_* variables."""
    args = {ALIASES.get(k, k): v for k, v in (args or {}).items()}
    options = {
        key: type(default)(args[key]) if args.get(key) is not None else default
        for key, default in DEFAULTS.items()
    }
    auth = {}
    for option, names in auth_env.items():
        value = args.get(option)
        if value is None:
            value = next((environ[name] for name in names if environ.get(name)), None)
        if option in ("validate_certs", "persist_config") and isinstance(value, str):
            value = value.strip().lower() in _TRUE
        auth[option] = value
    return options, auth


async def main(queue, args):
    """Entry point of ansible-rulebook: watch until cancelled."""
    client = k8s_client_helpers()
    options, auth = options_from(args, os.environ, client.AUTH_ENV)
    configuration = await asyncio.get_running_loop().run_in_executor(
        None, client.build_configuration, auth
    )
    connector = aiohttp.TCPConnector(ssl=Api.ssl_context(configuration))
    async with aiohttp.ClientSession(connector=connector) as session:
        await SriovNetworkSource(queue, options, Api(configuration, session)).run()


if __name__ == "__main__":

    class _PrintQueue:
        @staticmethod
        async def put(event):
            print(json.dumps(event), flush=True)

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(_PrintQueue(), {}))
