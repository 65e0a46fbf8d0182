# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find, list, create, patch and delete Kubernetes objects through a DynamicClient that knows its paths (no discovery).

Every failure surfaces as :class:`K8sError`, carrying the API status and the server's error body. In check
mode every write goes to the API server with ``dryRun=All``: the server validates and answers with the object
it would store, and stores nothing. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible_collections.netops.cn2_apstra.plugins.module_utils.api_error import ApiError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.client import (
    build_dynamic_client,
)

try:
    from kubernetes.client.exceptions import ApiException
    from kubernetes.dynamic.exceptions import DynamicApiError, ResourceNotFoundError
    from urllib3.exceptions import HTTPError as Urllib3Error
except ImportError:
    # The modules report the missing library through missing_required_lib before any of this runs.
    ApiException = DynamicApiError = ResourceNotFoundError = Urllib3Error = None

MERGE_PATCH = "application/merge-patch+json"
# Reads are repeated on these answers (and on a dropped connection), as client-go does for 429; writes never are.
RETRY_STATUSES = (429, 500, 502, 503, 504)
READ_ATTEMPTS = 4


class K8sError(ApiError):
    """A Kubernetes API call failed (status and body from the server) or a resource type is not served."""


def _error_body(exc):
    body = getattr(exc, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def not_served(api_version, kind):
    return "the API server does not serve %s %s (is the CRD installed?)" % (api_version, kind)


def api_path(resource, name=None, namespace=None):
    """The request path for a resource (as the plan shows it)."""
    return resource.path(name=name, namespace=namespace)


def connect(auth, check_mode=False):
    """A K8sService for the connection options. It makes no call: an unreachable or refusing server shows on the first
    read or write, as a K8sError."""
    return K8sService(build_dynamic_client(auth), check_mode=check_mode)


def _json(response):
    return json.loads(response.data)


class K8sService:
    """Thin CRUD layer over DynamicClient; ``check_mode`` turns every write into a server-side dry run."""

    def __init__(self, client, check_mode=False, sleep=time.sleep):
        self.client = client
        self.check_mode = check_mode
        self._resources = {}
        self._versions = {}
        self._sleep = sleep

    def _read(self, call, method, path):
        """A read, repeated with backoff on 429/5xx and dropped connections; a K8sError when it still fails."""
        for attempt in range(READ_ATTEMPTS):
            try:
                return call()
            except (ApiException, DynamicApiError, Urllib3Error) as exc:
                status = getattr(exc, "status", None)
                if (
                    status == 404
                    or (status is not None and status not in RETRY_STATUSES)
                    or attempt == READ_ATTEMPTS - 1
                ):
                    raise self.wrap(exc, method, path) from exc
                self._sleep(0.2 * (2**attempt))
        return None

    @staticmethod
    def wrap(exc, method, path):
        """K8sError for a kubernetes client exception, with the server's status and body."""
        if isinstance(exc, (ApiException, DynamicApiError)):
            status = getattr(exc, "status", None)
            body = _error_body(exc)
            reason = getattr(exc, "reason", None) or "request failed"
            if isinstance(body, dict) and body.get("message"):
                reason = body["message"]
            return K8sError(reason, status=status, body=body, method=method, path=path)
        return K8sError("cannot reach the Kubernetes API: %s" % exc, method=method, path=path)

    def resource(self, api_version, kind, required=True):
        """The resource for api_version/kind, found without a call for a full api_version.

        ``api_version`` may be a bare group ("core.contrail.juniper.net"): one call reads the server's preferred
        version; when the group is not served that is None, or a K8sError when ``required``.
        """
        key = (api_version, kind)
        if key not in self._resources:
            if "." in api_version and "/" not in api_version:
                version = self._preferred_version(api_version)
                full = "%s/%s" % (api_version, version) if version else None
            else:
                full = api_version
            try:
                self._resources[key] = full and self.client.resources.get(
                    api_version=full, kind=kind
                )
            except ResourceNotFoundError as exc:
                raise K8sError(str(exc)) from exc
        if self._resources[key] is None and required:
            raise K8sError(not_served(api_version, kind), status=404)
        return self._resources[key]

    def _preferred_version(self, group):
        """The server's preferred version of ``group`` (None when it is not served), asked once per group."""
        if group not in self._versions:
            self._versions[group] = self._ask_preferred_version(group)
        return self._versions[group]

    def _ask_preferred_version(self, group):
        path = "/apis/%s" % group
        try:
            found = self._read(
                lambda: _json(self.client.request("get", path, serialize=False)), "GET", path
            )
        except K8sError as exc:
            if exc.status == 404:
                return None
            raise
        return (found.get("preferredVersion") or {}).get("version")

    def list(
        self, resource, namespace=None, label_selector=None, field_selector=None, missing_ok=False
    ):
        """All objects (as dicts) in one call; ``namespace=None`` lists across all namespaces.

        A resource the server does not serve (its CRD is not installed) is a K8sError, or None with ``missing_ok``.
        """
        kwargs = {"serialize": False}
        if label_selector:
            kwargs["label_selector"] = label_selector
        if field_selector:
            kwargs["field_selector"] = field_selector
        path = api_path(resource, namespace=namespace)
        try:
            result = self._read(
                lambda: _json(self.client.get(resource, namespace=namespace, **kwargs)), "GET", path
            )
        except K8sError as exc:
            if exc.status != 404:
                raise
            if missing_ok:
                return None
            raise K8sError(
                not_served(resource.group_version, resource.kind),
                status=404,
                body=exc.body,
                method="GET",
                path=path,
            ) from exc
        return result.get("items") or []

    def get(self, resource, name, namespace=None):
        """One object as a dict, or None when it does not exist."""
        try:
            return self._read(
                lambda: _json(
                    self.client.get(resource, name=name, namespace=namespace, serialize=False)
                ),
                "GET",
                api_path(resource, name, namespace),
            )
        except K8sError as exc:
            if exc.status == 404:
                return None
            raise

    def _write_kwargs(self):
        kwargs = {"serialize": False}
        if self.check_mode:
            kwargs["dry_run"] = "All"
        return kwargs

    def create(self, resource, body, namespace=None):
        try:
            return _json(
                self.client.create(resource, body=body, namespace=namespace, **self._write_kwargs())
            )
        except (ApiException, DynamicApiError, Urllib3Error) as exc:
            raise self.wrap(exc, "POST", api_path(resource, namespace=namespace)) from exc

    def patch(self, resource, name, body, namespace=None):
        """JSON merge patch (RFC 7386): null removes a key, lists and strings are replaced whole."""
        try:
            return _json(
                self.client.patch(
                    resource,
                    body=body,
                    name=name,
                    namespace=namespace,
                    content_type=MERGE_PATCH,
                    **self._write_kwargs(),
                )
            )
        except (ApiException, DynamicApiError, Urllib3Error) as exc:
            raise self.wrap(exc, "PATCH", api_path(resource, name, namespace)) from exc

    def delete(self, resource, name, namespace=None):
        try:
            self.client.delete(resource, name=name, namespace=namespace, **self._write_kwargs())
        except (ApiException, DynamicApiError, Urllib3Error) as exc:
            if getattr(exc, "status", None) == 404:
                return False
            raise self.wrap(exc, "DELETE", api_path(resource, name, namespace)) from exc
        return True
