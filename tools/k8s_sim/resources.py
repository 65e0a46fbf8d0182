"""Resource types: the built-in core kinds plus those defined by CustomResourceDefinition objects."""

import dataclasses
import json
from pathlib import Path

import yaml

CRD_DIR = Path(__file__).resolve().parent / "crds"
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


@dataclasses.dataclass(frozen=True)
class Resource:
    """One REST resource. `versions` lists the served versions, preferred (storage) first."""

    group: str
    versions: tuple
    plural: str
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple = ()
    status_subresource: bool = False
    custom: bool = False
    schemas: tuple = ()  # (version, openAPIV3Schema) pairs, custom resources only
    categories: tuple = ()

    @property
    def key(self):
        return "%s.%s" % (self.plural, self.group) if self.group else self.plural

    def api_version(self, version=None):
        version = version or self.versions[0]
        return "%s/%s" % (self.group, version) if self.group else version

    def schema(self, version):
        return dict(self.schemas).get(version)

    def discovery(self):
        entries = [
            {
                "name": self.plural,
                "singularName": self.singular,
                "namespaced": self.namespaced,
                "kind": self.kind,
                "verbs": VERBS,
            }
        ]
        if self.short_names:
            entries[0]["shortNames"] = list(self.short_names)
        if self.categories:
            entries[0]["categories"] = list(self.categories)
        if self.status_subresource:
            entries.append(
                {
                    "name": self.plural + "/status",
                    "singularName": "",
                    "namespaced": self.namespaced,
                    "kind": self.kind,
                    "verbs": ["get", "patch", "update"],
                }
            )
        return entries


def _core(plural, kind, namespaced, short=(), status=False, group="", version="v1"):
    return Resource(
        group=group,
        versions=(version,),
        plural=plural,
        singular=kind.lower(),
        kind=kind,
        namespaced=namespaced,
        short_names=tuple(short),
        status_subresource=status,
    )


BUILTINS = (
    _core("namespaces", "Namespace", False, ["ns"], status=True),
    _core("nodes", "Node", False, ["no"], status=True),
    _core("pods", "Pod", True, ["po"], status=True),
    _core("configmaps", "ConfigMap", True, ["cm"]),
    _core("secrets", "Secret", True),
    _core("services", "Service", True, ["svc"], status=True),
    _core(
        "customresourcedefinitions",
        "CustomResourceDefinition",
        False,
        ["crd", "crds"],
        status=True,
        group="apiextensions.k8s.io",
    ),
)


def from_crd(crd):
    """The Resource a CustomResourceDefinition object defines."""
    spec = crd["spec"]
    names = spec["names"]
    served = [v for v in spec["versions"] if v.get("served", True)]
    served.sort(key=lambda v: not v.get("storage", False))
    first = served[0]
    return Resource(
        group=spec["group"],
        versions=tuple(v["name"] for v in served),
        plural=names["plural"],
        singular=names.get("singular") or names["kind"].lower(),
        kind=names["kind"],
        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        short_names=tuple(names.get("shortNames", ())),
        status_subresource="status" in (first.get("subresources") or {}),
        custom=True,
        schemas=tuple((v["name"], (v.get("schema") or {}).get("openAPIV3Schema")) for v in served),
        categories=tuple(names.get("categories", ())),
    )


def load_objects(path):
    """Objects from a YAML or JSON file: a stream of objects, `kind: List` documents expanded.

    JSON text (what `python -m k8s_sim.generate` writes by default; JSON is also YAML) is parsed with the json module:
    PyYAML, even with libyaml's CSafeLoader, needs about 20 s for the 30 MB of a 5,000-node seed, json 0.3 s.
    """
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    docs = _json_docs(text)
    if docs is None:
        docs = [
            d
            for d in yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            if d
        ]
    out = []
    for doc in docs:
        out.extend(doc.get("items") or [] if doc.get("kind") == "List" else [doc])
    return out


def _json_docs(text):
    """The documents of a JSON text (one object, or an array of objects), or None if the text is not JSON."""
    start = text.lstrip()[:1]
    if start not in ("{", "["):
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return [d for d in (doc if isinstance(doc, list) else [doc]) if d]


def load_crd_files(paths):
    """CRD objects from YAML files (and directories of them)."""
    docs = []
    for path in paths:
        path = Path(path)
        files = (
            sorted(path.glob("*.yml")) + sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        )
        for item in files:
            docs.extend(load_objects(item))
    return docs


class Registry:
    """Lookup of resources by URL coordinates and by kind."""

    def __init__(self, resources):
        self.resources = list(resources)
        self._by_path = {}
        self._by_kind = {}
        for res in self.resources:
            for version in res.versions:
                self._by_path[(res.group, version, res.plural)] = res
            self._by_kind[(res.group, res.kind)] = res

    def by_path(self, group, version, plural):
        return self._by_path.get((group, version, plural))

    def by_kind(self, api_version, kind):
        group, version = api_version.rpartition("/")[::2]
        res = self._by_kind.get((group, kind))
        return res if res and version in res.versions else None

    def groups(self):
        """{group: [versions, preferred first]} for the named groups."""
        out = {}
        for res in self.resources:
            if res.group:
                versions = out.setdefault(res.group, [])
                versions.extend(v for v in res.versions if v not in versions)
        return out

    def in_group_version(self, group, version):
        return [r for r in self.resources if r.group == group and version in r.versions]
