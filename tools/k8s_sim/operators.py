"""Controllers that run inside the emulator: the SR-IOV network operator's SriovNetwork -> NetworkAttachmentDefinition.

Modelled on k8snetworkplumbingwg/sriov-network-operator: `controllers/generic_network_controller.go` (reconcile,
finalizer, NAD watch, namespace watch), `api/v1/helper.go` (`SriovNetwork.RenderNetAttDef`, `OwnerRefToString`),
`bindata/manifests/cni-config/sriov/sriov-cni-config.yaml` (the NAD template) and `controllers/helper.go` (`formatJSON`,
Go's `json.Indent` with four spaces). What it does, as the operator does:

- A SriovNetwork renders a NAD of the same name in `spec.networkNamespace` (default: the SriovNetwork's namespace) with
  exactly two annotations, `k8s.v1.cni.cncf.io/resourceName: <prefix>/<spec.resourceName>` (prefix: the operator's
  RESOURCE_PREFIX, `openshift.io` by default) and `sriovnetwork.openshift.io/owner-ref:
  SriovNetwork.sriovnetwork.openshift.io/<namespace>/<name>`, and `spec.config` = the CNI config: cniVersion, name, type
  sriov, vlan, spoofchk / trust (when set), vlanQoS, vlanProto, min_tx_rate / max_tx_rate, capabilities, link_state,
  logLevel, logFile (when set), then `ipam` = `spec.ipam` with all whitespace removed (`{}` when empty), chained with
  `spec.metaPlugins` under `plugins` when given; pretty-printed with four spaces. No other label or annotation of the
  SriovNetwork reaches the NAD.
- In the operator namespace the SriovNetwork gets the finalizer `netattdef.finalizers.sriovnetwork.openshift.io` and,
  once the NAD exists, the annotation `operator.sriovnetwork.openshift.io/last-network-namespace`; deleting it deletes
  the NAD, then drops the finalizer. Elsewhere the NAD carries an ownerReference and goes with its owner (the
  garbage collector's part). `spec.networkNamespace` outside the operator namespace is refused (condition only).
- The operator watches NADs: a NAD edited or deleted by hand is rendered again at once (spec and annotations are
  compared; the update replaces the object, so hand-added labels go too, but only when spec or annotations differ).
  A same-named NAD with another owner-ref annotation is left alone; one without that annotation is taken over.
- A missing target namespace leaves the network waiting; creating the namespace renders the NAD.
- `status.conditions` holds `Ready` (NetworkReady / NetworkAttachmentDefinitionInvalid / NamespaceNotFound), as the
  operator writes since it reports conditions.

Here the controller runs synchronously after each committed write (the client's answer is the object as it wrote it;
the operator's follow-up writes are separate, later resourceVersions and watch events).
"""

import copy
import datetime
import json

from . import errors

OWNER_ANNOTATION = "sriovnetwork.openshift.io/owner-ref"
RESOURCE_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"
LAST_NAMESPACE_ANNOTATION = "operator.sriovnetwork.openshift.io/last-network-namespace"
FINALIZER = "netattdef.finalizers.sriovnetwork.openshift.io"
MANAGER = "sriov-network-operator"
NETWORKS = "sriovnetworks.sriovnetwork.openshift.io"
NADS = "network-attachment-definitions.k8s.cni.cncf.io"


def go_indent(text, indent="    "):
    """Go's `json.Indent(dst, src, "", indent)`: re-indent JSON text keeping every token (key order, number and
    string literals) as written; empty objects and arrays stay `{}` / `[]`."""
    out = []
    depth = 0
    in_string = escaped = False
    need_indent = False
    for char in text:
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char in " \t\r\n":
            continue
        if need_indent and char not in "]}":
            need_indent = False
            depth += 1
            out.append("\n" + indent * depth)
        if char == '"':
            in_string = True
            out.append(char)
        elif char in "{[":
            need_indent = True
            out.append(char)
        elif char == ",":
            out.append(",\n" + indent * depth)
        elif char == ":":
            out.append(": ")
        elif char in "}]":
            if need_indent:
                need_indent = False
            else:
                depth -= 1
                out.append("\n" + indent * depth)
            out.append(char)
        else:
            out.append(char)
    return "".join(out)


def render_config(network):
    """The CNI config string the operator writes into the NAD of SriovNetwork `network`; ValueError if it is not JSON."""
    spec = network.get("spec") or {}
    name = network["metadata"]["name"]
    parts = ['"type":"sriov"', '"vlan":%d' % int(spec.get("vlan") or 0)]
    if spec.get("spoofChk") in ("on", "off"):
        parts.append('"spoofchk":"%s"' % spec["spoofChk"])
    if spec.get("trust") in ("on", "off"):
        parts.append('"trust":"%s"' % spec["trust"])
    qos = int(spec.get("vlanQoS") or 0)
    if 0 <= qos <= 7:
        parts.append('"vlanQoS":%d' % qos)
    if spec.get("vlanProto"):
        parts.append('"vlanProto":"%s"' % spec["vlanProto"])
    if spec.get("minTxRate") is not None and int(spec["minTxRate"]) >= 0:
        parts.append('"min_tx_rate":%d' % int(spec["minTxRate"]))
    if spec.get("maxTxRate") is not None and int(spec["maxTxRate"]) >= 0:
        parts.append('"max_tx_rate":%d' % int(spec["maxTxRate"]))
    if spec.get("capabilities"):
        parts.append('"capabilities":%s' % spec["capabilities"])
    if spec.get("linkState") in ("enable", "disable", "auto"):
        parts.append('"link_state":"%s"' % spec["linkState"])
    if spec.get("logLevel"):
        parts.append('"logLevel":"%s"' % spec["logLevel"])
    if spec.get("logFile"):
        parts.append('"logFile":"%s"' % spec["logFile"])
    ipam = "".join((spec.get("ipam") or "").split())
    plugin = "{" + ",".join(parts) + ',"ipam":' + (ipam or "{}") + "}"
    head = '{"cniVersion":"1.0.0","name":"%s",' % name
    if spec.get("metaPlugins"):
        text = head + '"plugins":[' + plugin[:-1] + "}," + spec["metaPlugins"] + "]}"
    else:
        text = head + plugin[1:]
    json.loads(text)
    return go_indent(text)


def owner_ref(network):
    meta = network["metadata"]
    return "SriovNetwork.sriovnetwork.openshift.io/%s/%s" % (
        meta.get("namespace", ""),
        meta["name"],
    )


def render_nad(network, prefix):
    """The NetworkAttachmentDefinition the operator renders for `network` (no ownerReference yet)."""
    meta = network["metadata"]
    namespace = (network.get("spec") or {}).get("networkNamespace") or meta["namespace"]
    return {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {
            "name": meta["name"],
            "namespace": namespace,
            "annotations": {
                RESOURCE_ANNOTATION: "%s/%s" % (prefix, network["spec"].get("resourceName", "")),
                OWNER_ANNOTATION: owner_ref(network),
            },
        },
        "spec": {"config": render_config(network)},
    }


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class SriovNetworkOperator:
    """The SriovNetwork controller of the SR-IOV network operator (see the module docstring)."""

    def __init__(self, namespace="sriov-network-operator", resource_prefix="openshift.io"):
        self.namespace = namespace
        self.prefix = resource_prefix

    # --- wiring ----------------------------------------------------------------------------------------------

    @staticmethod
    def _resources(store):
        return (
            store.registry.by_kind("sriovnetwork.openshift.io/v1", "SriovNetwork"),
            store.registry.by_kind("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition"),
        )

    def resync(self, store):
        """Reconcile every SriovNetwork (operator start, emulator reset)."""
        networks, nads = self._resources(store)
        if networks is None or nads is None:
            return
        for item in store.list(networks, networks.versions[0], None)["items"]:
            self.reconcile(store, item["metadata"]["namespace"], item["metadata"]["name"])

    def on_event(self, store, event):
        """React to one committed change, as the operator's watches do."""
        networks, nads = self._resources(store)
        if networks is None or nads is None:
            return
        meta = event.new["metadata"]
        if event.key == NETWORKS:
            if event.type == "DELETED":
                self._collect_garbage(store, event.new, nads)
            else:
                self.reconcile(store, meta["namespace"], meta["name"])
        elif event.key == NADS:
            # handleNetAttDef: the network of that name in the NAD's namespace, then in the operator's.
            for namespace in dict.fromkeys((meta["namespace"], self.namespace)):
                if store.exists(networks, namespace, meta["name"]):
                    self.reconcile(store, namespace, meta["name"])
        elif event.key == "namespaces" and event.type == "ADDED":
            for item in store.list(networks, networks.versions[0], None)["items"]:
                if (item.get("spec") or {}).get("networkNamespace") == meta["name"]:
                    self.reconcile(store, item["metadata"]["namespace"], item["metadata"]["name"])

    # --- the reconcile loop --------------------------------------------------------------------------------------

    def reconcile(self, store, namespace, name):
        networks, nads = self._resources(store)
        version = networks.versions[0]
        try:
            network = copy.deepcopy(store.get(networks, version, namespace, name))
        except errors.ApiError:
            return
        meta = network["metadata"]
        spec = network.get("spec") or {}
        if spec.get("networkNamespace") and namespace != self.namespace:
            self._condition(
                store,
                networks,
                network,
                "False",
                "NetworkAttachmentDefinitionInvalid",
                "spec.networkNamespace cannot be set when the resource is not in the operator namespace (%s)"
                % self.namespace,
            )
            return
        if meta.get("deletionTimestamp"):
            self._finalize(store, networks, nads, network)
            return
        if namespace == self.namespace and FINALIZER not in (meta.get("finalizers") or []):
            meta["finalizers"] = list(meta.get("finalizers") or []) + [FINALIZER]
            network = copy.deepcopy(
                store.replace(networks, version, namespace, name, network, manager=MANAGER)[0]
            )
            meta = network["metadata"]
        try:
            nad = render_nad(network, self.prefix)
        except (ValueError, TypeError):
            return  # formatJSON failed: the operator logs it and retries, without a condition
        target = nad["metadata"]["namespace"]
        last = (meta.get("annotations") or {}).get(LAST_NAMESPACE_ANNOTATION)
        if last and last != target:
            try:
                store.delete(nads, nads.versions[0], last, name)
            except errors.ApiError:
                pass
            network = self._annotate(store, networks, network, "")
        if target == namespace:
            nad["metadata"]["ownerReferences"] = [
                {
                    "apiVersion": network["apiVersion"],
                    "kind": "SriovNetwork",
                    "name": name,
                    "uid": meta["uid"],
                }
            ]
        try:
            found = store.get(nads, nads.versions[0], target, name)
        except errors.ApiError:
            found = None
        if found is None:
            if not store.namespace_exists(target):
                self._condition(
                    store,
                    networks,
                    network,
                    "False",
                    "NamespaceNotFound",
                    'target namespace "%s" does not exist' % target,
                )
                return
            try:
                store.create(nads, nads.versions[0], target, nad, manager=MANAGER)
            except errors.ApiError as exc:
                self._condition(
                    store,
                    networks,
                    network,
                    "False",
                    "NetworkAttachmentDefinitionInvalid",
                    exc.message,
                )
                return
            network = self._annotate(store, networks, network, target)
        else:
            owner = (found["metadata"].get("annotations") or {}).get(OWNER_ANNOTATION)
            if owner and owner != owner_ref(network):
                self._condition(
                    store,
                    networks,
                    network,
                    "False",
                    "NetworkAttachmentDefinitionInvalid",
                    "NetworkAttachmentDefinition '%s/%s' already exists and is owned by %s"
                    % (target, name, owner),
                )
                return
            if (
                found.get("spec") != nad["spec"]
                or (found["metadata"].get("annotations") or {}) != nad["metadata"]["annotations"]
            ):
                nad["metadata"]["resourceVersion"] = found["metadata"]["resourceVersion"]
                store.replace(nads, nads.versions[0], target, name, nad, manager=MANAGER)
        self._condition(
            store,
            networks,
            network,
            "True",
            "NetworkReady",
            "NetworkAttachmentDefinition is provisioned and ready",
        )

    def _finalize(self, store, networks, nads, network):
        meta = network["metadata"]
        if FINALIZER not in (meta.get("finalizers") or []):
            return
        target = (network.get("spec") or {}).get("networkNamespace") or meta["namespace"]
        try:
            store.delete(nads, nads.versions[0], target, meta["name"])
        except errors.ApiError:
            pass
        meta["finalizers"] = [f for f in meta["finalizers"] if f != FINALIZER]
        try:
            store.replace(
                networks,
                networks.versions[0],
                meta["namespace"],
                meta["name"],
                network,
                manager=MANAGER,
            )
        except errors.ApiError:
            pass

    def _collect_garbage(self, store, network, nads):
        """The garbage collector's part: NADs owned (ownerReferences) by a deleted SriovNetwork go with it."""
        uid = network["metadata"].get("uid")
        namespace = network["metadata"].get("namespace")
        for item in store.list(nads, nads.versions[0], namespace)["items"]:
            if any(ref.get("uid") == uid for ref in item["metadata"].get("ownerReferences") or []):
                try:
                    store.delete(nads, nads.versions[0], namespace, item["metadata"]["name"])
                except errors.ApiError:
                    pass

    @staticmethod
    def _annotate(store, networks, network, value):
        """utils.AnnotateObject: a merge patch of one annotation when it differs; returns the object as stored."""
        meta = network["metadata"]
        if (meta.get("annotations") or {}).get(LAST_NAMESPACE_ANNOTATION, "") == value:
            return network
        patched = store.patch(
            networks,
            networks.versions[0],
            meta["namespace"],
            meta["name"],
            "merge",
            {"metadata": {"annotations": {LAST_NAMESPACE_ANNOTATION: value}}},
            manager=MANAGER,
        )[0]
        return copy.deepcopy(patched)

    @staticmethod
    def _condition(store, networks, network, status, reason, message):
        """status.conditions[type=Ready], written through the status subresource only when it changes."""
        meta = network["metadata"]
        try:
            current = store.get(networks, networks.versions[0], meta["namespace"], meta["name"])
        except errors.ApiError:
            return
        conditions = list((current.get("status") or {}).get("conditions") or [])
        old = next((c for c in conditions if c.get("type") == "Ready"), None)
        wanted = {
            "type": "Ready",
            "status": status,
            "reason": reason,
            "message": message,
            "observedGeneration": current["metadata"].get("generation", 1),
        }
        if old is not None and all(old.get(k) == v for k, v in wanted.items()):
            return
        wanted["lastTransitionTime"] = (
            old["lastTransitionTime"] if old is not None and old.get("status") == status else _now()
        )
        conditions = [c for c in conditions if c.get("type") != "Ready"] + [wanted]
        body = copy.deepcopy(current)
        body["status"] = dict(body.get("status") or {}, conditions=conditions)
        try:
            store.replace(
                networks,
                networks.versions[0],
                meta["namespace"],
                meta["name"],
                body,
                subresource="status",
                manager=MANAGER,
            )
        except errors.ApiError:
            pass
