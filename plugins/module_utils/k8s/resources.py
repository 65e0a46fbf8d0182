# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes backends of the resource engine: NetworkAttachmentDefinitions and CN2 VirtualNetworkRouters.

Every object of the scope is read with one list call. Objects are compared in the modules' option form; an update
is a JSON merge patch limited to what the module manages (labels, its annotations, the spec); in check mode every
write goes to the API server as a dry run. Deleting a NAD that pods still reference is refused (unless forced)
before any write. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import nad
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import (
    K8sError,
    api_path,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    MAP,
    Ownership,
    Resource,
    ResourceError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.cluster import (
    pod_network_references,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    MARK_LABELS,
    owner_labels,
    owner_of_labels,
)


def merge_patch(have, want):
    """The RFC 7386 merge patch that turns ``have`` into ``want`` (None when they are equal)."""
    if not isinstance(have, dict) or not isinstance(want, dict):
        return None if have == want else want
    patch = {}
    for key in have:
        if key not in want:
            patch[key] = None
    for key, value in want.items():
        if key not in have:
            patch[key] = value
        else:
            sub = merge_patch(have[key], value)
            if sub is not None:
                patch[key] = sub
    return patch or None


class K8sResource(Resource):
    """Objects keyed by (namespace, name) in one API resource; subclasses convert option form <-> object."""

    KEY = ("namespace", "name")
    SENDS_IN_CHECK_MODE = True
    API_VERSION = None
    OBJECT_KIND = None
    NAMESPACED = True
    MANAGED_ANNOTATIONS = ()  # metadata.annotations keys the module owns (others are left alone)

    def __init__(self, service, namespace=None, api_resource=None, ownership=None):
        """``ownership``: whose objects this run may change (resource.Ownership; adopt and release name objects by
        (namespace, name))."""
        self.service = service
        self.namespace = namespace
        self.api_resource = api_resource
        self.ownership = ownership or Ownership()
        self.objects = {}
        self.fields = {}
        self.warnings = []
        self.scope = None
        self.merging = False

    def name(self, key):
        return "/".join(part for part in key if part)

    # -- conversions (subclasses) ---------------------------------------------------------------------------------
    def from_object(self, obj):
        raise NotImplementedError

    def to_object(self, item, labels, have_obj=None, merge=False):
        raise NotImplementedError

    def check(self, item, field, creating):
        """Validate a target in option form; returns warnings, raises ValueError naming the field."""
        return []

    # -- engine hooks ---------------------------------------------------------------------------------------------
    def validate(self, config, state):
        """Remember how to write (``merged`` keeps what the module does not model) and what one list call must cover."""
        self.merging = state == "merged"
        if not self.NAMESPACED:
            self.scope = None
        elif self.namespace:
            self.scope = self.namespace
        else:
            namespaces = set(item.get("namespace") or "default" for item in config)
            single = (
                len(namespaces) == 1
                and state not in ("overridden", "gathered")
                and not (state == "deleted" and not config)
            )
            self.scope = namespaces.pop() if single else None

    def in_scope(self, key):
        return self.namespace is None or key[0] == self.namespace or not self.NAMESPACED

    def read(self):
        if self.api_resource is None:
            self.api_resource = self.service.resource(self.API_VERSION, self.OBJECT_KIND)
        have = []
        for obj in self.service.list(self.api_resource, namespace=self.scope):
            metadata = obj.get("metadata") or {}
            key = (metadata.get("namespace") if self.NAMESPACED else None, metadata["name"])
            if self.in_scope(key):
                self.objects[key] = obj
                have.append(self.from_object(obj))
        return sorted(have, key=lambda item: (item.get("namespace") or "", item["name"]))

    def config_key(self, item):
        return (
            (item.get("namespace") or self.namespace or "default") if self.NAMESPACED else None,
            item.get("name"),
        )

    def want(self, item, field):
        item = nad.compact(dict(item))
        item["namespace"] = self.config_key(item)[0]
        self.fields[self.key(item)] = field
        return item

    def merge(self, have, want):
        out = dict(have)
        for field, value in want.items():
            if isinstance(value, dict) and isinstance(have.get(field), dict):
                inner = dict(have[field])
                inner.update(dict((k, v) for k, v in value.items() if v is not None))
                if field == "annotations":  # a null annotation is removed (merge-patch semantics)
                    for key in [k for k, v in value.items() if v is None]:
                        inner.pop(key, None)
                out[field] = inner
            elif value is not None:
                out[field] = value
        return out

    def replace(self, have, want):
        return dict(want)

    def complete(self, target, current):
        target = nad.compact(target)
        if not self.NAMESPACED:
            target["namespace"] = None
        owner = current.get("owner") if current is not None else self.ownership.owners[0]
        target.pop("owner", None)
        if owner is not None:
            target["owner"] = owner
        try:
            self.warnings.extend(
                self.check(
                    target, self.fields.get(self.key(target), "config"), creating=current is None
                )
            )
        except ValueError as exc:
            raise ResourceError(str(exc)) from exc
        return target

    def same(self, target, current):
        return target == current and not self.remark(self.key(current), current.get("owner"))

    def owned(self, obj):
        return obj.get("owner") in self.ownership.owners

    def remark(self, key, owner):
        """Whether the object ``key`` of ``owner`` changes its marks this run (adopted, or released)."""
        return (key in self.ownership.adopt and owner is None) or (
            key in self.ownership.release and owner in self.ownership.owners
        )

    def check_change(self, change):
        if not self.ownership.guard or change.before is None or self.owned(change.before):
            return
        owner = change.before.get("owner")
        if owner is None and change.key in self.ownership.adopt and change.action != "delete":
            return
        raise ResourceError(
            "%s %s %s; this run acts for %s and changes nothing of it: nothing was changed"
            % (
                self.OBJECT_KIND,
                self.name(change.key),
                (
                    "belongs to owner %s" % owner
                    if owner
                    else "carries no owner's mark (made by hand or another tool; adopt it explicitly)"
                ),
                ", ".join(self.ownership.owners),
            )
        )

    def labels(self, item, have_obj, merge):
        """The object's labels: the item's, with the owner's marks of a new, own, adopted or released object."""
        have_labels = ((have_obj or {}).get("metadata") or {}).get("labels") or {}
        labels = dict(have_labels) if merge else {}
        labels.update(item.get("labels") or {})
        key = self.config_key(item)
        owner = owner_of_labels(have_labels) if have_obj is not None else None
        if have_obj is None:
            labels.update(owner_labels(self.ownership.owners[0]))
        elif key in self.ownership.release and owner in self.ownership.owners:
            for mark in MARK_LABELS:
                labels.pop(mark, None)
        elif key in self.ownership.adopt and owner is None:
            labels.update(owner_labels(self.ownership.owners[0], adopted=True))
        elif owner in self.ownership.owners:
            labels.update((k, v) for k, v in have_labels.items() if k in MARK_LABELS)
        return labels

    def update_patch(self, have_obj, desired):
        """Merge patch limited to what the module manages: labels, its annotations, spec."""
        have_meta, want_meta = have_obj.get("metadata") or {}, desired.get("metadata") or {}
        metadata = {}
        labels = merge_patch(have_meta.get("labels") or {}, want_meta.get("labels") or {})
        if labels:
            metadata["labels"] = labels
        have_ann, want_ann = have_meta.get("annotations") or {}, want_meta.get("annotations") or {}
        managed = set(self.MANAGED_ANNOTATIONS) | set(
            k for k in set(have_ann) | set(want_ann) if k.startswith(nad.OWN_ANNOTATION_PREFIX)
        )
        annotations = dict(
            (key, want_ann.get(key))
            for key in sorted(managed)
            if want_ann.get(key) != have_ann.get(key)
        )
        if annotations:
            metadata["annotations"] = annotations
        patch = {"metadata": metadata} if metadata else {}
        spec = merge_patch(have_obj.get("spec") or {}, desired.get("spec") or {})
        if spec:
            patch["spec"] = spec
        return patch

    def check_delete(self, keys):
        """Raise ResourceError when the objects ``keys`` must not be deleted."""

    def requests(self, changes):
        deletes = [change.key for change in changes if change.action == "delete"]
        if deletes:
            self.check_delete(deletes)
        plan = []
        for change in changes:
            namespace, name = change.key
            if change.action == "create":
                body = self.to_object(change.after, self.labels(change.after, None, False))
                plan.append(
                    {
                        "method": "POST",
                        "path": api_path(self.api_resource, namespace=namespace),
                        "body": body,
                    }
                )
            elif change.action == "update":
                have_obj = self.objects[change.key]
                body = self.to_object(
                    change.after,
                    self.labels(change.after, have_obj, self.merging),
                    have_obj=have_obj,
                    merge=self.merging,
                )
                patch = self.update_patch(have_obj, body)
                if patch:
                    plan.append(
                        {
                            "method": "PATCH",
                            "path": api_path(self.api_resource, name, namespace),
                            "body": patch,
                        }
                    )
            else:
                plan.append(
                    {
                        "method": "DELETE",
                        "path": api_path(self.api_resource, name, namespace),
                        "body": None,
                    }
                )
        return plan

    def send(self, request):
        path = request["path"]
        name, namespace = self._name_of(path, request)
        if request["method"] == "POST":
            try:
                return self.service.create(self.api_resource, request["body"], namespace=namespace)
            except K8sError as exc:
                if exc.status not in (None, 409):
                    raise
                # The connection dropped (the create may have been applied and only its answer lost), or a concurrent
                # run created the object meanwhile (409): look before failing. An object this collection does not
                # own is never taken over.
                found = self.service.get(
                    self.api_resource, request["body"]["metadata"]["name"], namespace=namespace
                )
                labels = ((found or {}).get("metadata") or {}).get("labels") or {}
                if (
                    found is None
                    or self.service.check_mode
                    or owner_of_labels(labels) != self.ownership.owners[0]
                ):
                    raise
                if exc.status == 409:
                    self.found = self.found | {
                        self.key({"namespace": namespace, "name": found["metadata"]["name"]})
                    }
                    return dict(found, existed=True)
                return found
        if request["method"] == "PATCH":
            return self.service.patch(self.api_resource, name, request["body"], namespace=namespace)
        self.service.delete(self.api_resource, name, namespace=namespace)
        return None

    def _name_of(self, path, request):
        if request["method"] == "POST":
            return None, request["body"]["metadata"].get("namespace") if self.NAMESPACED else None
        name = path.rsplit("/", 1)[1]
        namespace = None
        if self.NAMESPACED and "/namespaces/" in path:
            namespace = path.split("/namespaces/", 1)[1].split("/", 1)[0]
        return name, namespace

    def after(self, have, changes, responses):
        out = dict((self.key(obj), obj) for obj in have)
        sent = iter(responses)
        for change in changes:
            if change.action == "delete":
                out.pop(change.key, None)
                next(sent, None)
                continue
            response = next(sent, None)
            if response:
                response = dict((k, v) for k, v in response.items() if k != "existed")
            out[change.key] = self.from_object(response) if response else change.after
        return [out[key] for key in sorted(out, key=lambda k: (k[0] or "", k[1]))]


class NetworkAttachments(K8sResource):
    """SR-IOV NetworkAttachmentDefinitions in the option form of sriov_network_attachments."""

    KIND = "attachment"
    API_VERSION = nad.API_VERSION
    OBJECT_KIND = nad.KIND
    MANAGED_ANNOTATIONS = nad.MANAGED_ANNOTATIONS
    FIELDS = dict(labels=MAP, ipam=MAP, cn2=MAP, annotations=MAP)

    def __init__(self, service, namespace=None, force=False, ownership=None):
        super(NetworkAttachments, self).__init__(service, namespace, ownership=ownership)
        self.force = force

    def from_object(self, obj):
        return nad.from_object(obj)

    def to_object(self, item, labels, have_obj=None, merge=False):
        extra = nad.config_extra(have_obj) if (have_obj and merge) else None
        return nad.to_object(item, labels, extra)

    def update_patch(self, have_obj, desired):
        """As a K8sResource's, except that a config equal as JSON (keys in another order) is not rewritten."""
        patch = super(NetworkAttachments, self).update_patch(have_obj, desired)
        if "spec" in patch and nad.same_config(
            (have_obj.get("spec") or {}).get("config"), (desired.get("spec") or {}).get("config")
        ):
            del patch["spec"]
        return patch

    def merge(self, have, want):
        if want.get("ipam") and (have.get("ipam") or {}).get("type") != want["ipam"].get("type"):
            have = dict(
                have, ipam=None
            )  # another IPAM type: the new section replaces the old one whole
        return super(NetworkAttachments, self).merge(have, want)

    def check(self, item, field, creating):
        try:
            return nad.validate(item, field, creating=creating)
        except nad.ValidationError as exc:
            raise ValueError(str(exc)) from exc

    def check_delete(self, keys):
        if self.force:
            return
        pods = self.service.list(self.service.resource("v1", "Pod"))
        wanted = set(keys)
        users = {}
        for pod in pods:
            for ref in pod_network_references(pod) & wanted:
                users.setdefault(ref, []).append(
                    "%s/%s" % (pod["metadata"].get("namespace"), pod["metadata"]["name"])
                )
        if users:
            detail = "; ".join(
                "%s/%s used by %s" % (ref[0], ref[1], ", ".join(sorted(names)))
                for ref, names in sorted(users.items())
            )
            raise ResourceError(
                "refusing to delete networks that pods still reference (set force: true to delete anyway): %s"
                % detail
            )


def _labels_of(selector):
    return dict((selector or {}).get("matchLabels") or {})


class VirtualNetworkRouters(K8sResource):
    """CN2 VirtualNetworkRouters in the option form of cn2_virtual_network_routers."""

    KIND = "router"
    OBJECT_KIND = "VirtualNetworkRouter"
    FIELDS = dict(labels=MAP, virtual_network_selector=MAP)

    def from_object(self, obj):
        metadata, spec = obj.get("metadata") or {}, obj.get("spec") or {}
        imports = [
            {
                "router_selector": _labels_of(entry.get("virtualNetworkRouterSelector")),
                "namespace_selector": _labels_of(entry.get("namespaceSelector")),
            }
            for entry in (spec.get("import") or {}).get("virtualNetworkRouters") or []
        ]
        return nad.compact(
            {
                "name": metadata.get("name"),
                "namespace": metadata.get("namespace"),
                "type": spec.get("type"),
                "virtual_network_selector": _labels_of(spec.get("virtualNetworkSelector")),
                "import_routers": imports,
                "labels": dict(
                    (k, v)
                    for k, v in (metadata.get("labels") or {}).items()
                    if k not in MARK_LABELS
                ),
                "owner": owner_of_labels(metadata.get("labels")),
            }
        )

    def to_object(self, item, labels, have_obj=None, merge=False):
        spec = {
            "type": item["type"],
            "virtualNetworkSelector": {"matchLabels": item.get("virtual_network_selector") or {}},
        }
        imports = []
        for entry in item.get("import_routers") or []:
            rendered = {"virtualNetworkRouterSelector": {"matchLabels": entry["router_selector"]}}
            if entry.get("namespace_selector"):
                rendered["namespaceSelector"] = {"matchLabels": entry["namespace_selector"]}
            imports.append(rendered)
        if imports:
            spec["import"] = {"virtualNetworkRouters": imports}
        metadata = nad.compact(
            {"name": item["name"], "namespace": item["namespace"], "labels": labels}
        )
        return {
            "apiVersion": self.api_resource.group_version,
            "kind": self.OBJECT_KIND,
            "metadata": metadata,
            "spec": spec,
        }

    def check(self, item, field, creating):
        if creating:
            for key in ("type", "virtual_network_selector"):
                if not item.get(key):
                    raise ValueError("%s.%s is required to create a router" % (field, key))
        return []
