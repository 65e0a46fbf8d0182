"""URL routing: discovery documents and the mapping of resource URLs to (resource, namespace, name, subresource)."""

import dataclasses

from .errors import route_not_found

VERSION_INFO = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.4",
    "gitCommit": "k8s-sim",
    "gitTreeState": "clean",
    "buildDate": "2025-04-22T00:00:00Z",
    "goVersion": "go1.23.8",
    "compiler": "gc",
    "platform": "linux/amd64",
}


@dataclasses.dataclass
class Target:
    """A resource URL: a collection when `name` is None."""

    res: object
    version: str
    namespace: object
    name: object = None
    subresource: object = None


def _group_entry(group, versions):
    listed = [{"groupVersion": "%s/%s" % (group, v), "version": v} for v in versions]
    return {"name": group, "versions": listed, "preferredVersion": listed[0]}


def discovery(registry, segments, host):
    """The discovery document for `segments`, or None when the path is not a discovery path."""
    if segments == ["version"]:
        return VERSION_INFO
    if segments == ["api"]:
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
        }
    if segments == ["apis"]:
        groups = registry.groups()
        return {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [_group_entry(g, groups[g]) for g in sorted(groups)],
        }
    if len(segments) == 2 and segments[0] == "apis":
        versions = registry.groups().get(segments[1])
        if not versions:
            raise route_not_found()
        return dict(_group_entry(segments[1], versions), kind="APIGroup", apiVersion="v1")
    if segments == ["api", "v1"] or (len(segments) == 3 and segments[0] == "apis"):
        group, version = ("", "v1") if segments[0] == "api" else (segments[1], segments[2])
        resources = registry.in_group_version(group, version)
        if not resources:
            raise route_not_found()
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": "%s/%s" % (group, version) if group else version,
            "resources": [entry for res in resources for entry in res.discovery()],
        }
    return None


def resolve(registry, segments):
    """Map resource URL segments to a Target; unknown paths raise a 404 Status."""
    if segments[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", segments[2:]
    elif len(segments) > 3 and segments[0] == "apis":
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        raise route_not_found()
    namespace = None
    if (
        len(rest) >= 3
        and rest[0] == "namespaces"
        and not (len(rest) == 3 and rest[2] in ("status", "finalize"))
    ):
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        raise route_not_found()
    res = registry.by_path(group, version, rest[0])
    if (
        res is None
        or (namespace is not None and not res.namespaced)
        or (len(rest) > 1 and res.namespaced and namespace is None)
    ):
        raise route_not_found()
    target = Target(
        res,
        version,
        namespace,
        rest[1] if len(rest) > 1 else None,
        rest[2] if len(rest) > 2 else None,
    )
    if target.subresource is not None and (
        target.subresource != "status" or not res.status_subresource
    ):
        raise route_not_found()
    return target
