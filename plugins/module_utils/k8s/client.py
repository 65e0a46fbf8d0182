# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build a Kubernetes DynamicClient from kubernetes.core-style connection options.

The client knows the REST paths of the kinds this collection reads and writes (:data:`KNOWN_KINDS`), so it makes no
API discovery calls: a run's Kubernetes calls are its reads and writes. No Ansible imports: modules and the inventory
plugin resolve their options (and the ``K8S_AUTH_*`` environment fallbacks) first and pass a plain dict here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os
import traceback
from urllib.parse import urlsplit

try:
    import kubernetes
    import urllib3
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import ResourceNotFoundError
    from kubernetes.dynamic.resource import Resource
except ImportError:
    HAS_KUBERNETES = False
    KUBERNETES_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_KUBERNETES = True
    KUBERNETES_IMPORT_ERROR = None

# Option name -> kubernetes.client.Configuration attribute (kubernetes.core's AUTH_ARG_MAP, reversed).
CONFIGURATION_ATTRIBUTES = {
    "host": "host",
    "validate_certs": "verify_ssl",
    "ca_cert": "ssl_ca_cert",
    "client_cert": "cert_file",
    "client_key": "key_file",
    "proxy": "proxy",
    "no_proxy": "no_proxy",
}

# Option name -> environment variables (first match wins), the names kubernetes.core reads.
AUTH_ENV = {
    "kubeconfig": ["K8S_AUTH_KUBECONFIG"],
    "context": ["K8S_AUTH_CONTEXT"],
    "host": ["K8S_AUTH_HOST"],
    "api_key": ["K8S_AUTH_API_KEY"],
    "validate_certs": ["K8S_AUTH_VERIFY_SSL", "K8S_AUTH_VALIDATE_CERTS"],
    "ca_cert": ["K8S_AUTH_SSL_CA_CERT", "K8S_AUTH_CA_CERT"],
    "client_cert": ["K8S_AUTH_CERT_FILE", "K8S_AUTH_CLIENT_CERT"],
    "client_key": ["K8S_AUTH_KEY_FILE", "K8S_AUTH_CLIENT_KEY"],
    "proxy": ["K8S_AUTH_PROXY"],
    "no_proxy": ["K8S_AUTH_NO_PROXY"],
    "persist_config": ["K8S_AUTH_PERSIST_CONFIG"],
}

AUTH_OPTIONS = tuple(AUTH_ENV) + ("proxy_headers",)


def bypass_proxy(url, no_proxy):
    """Whether ``url`` bypasses the proxy by the comma separated ``no_proxy`` rules, as curl, requests and the
    kubernetes client read them: ``*`` (every host), a host name or domain (``example.com`` and ``.example.com`` match
    the domain and every host under it), an IP address or a CIDR (``10.0.0.0/8``, IPv6 alike), each optionally with a
    ``:port`` that must match too. Case and spaces do not matter; a URL without a host bypasses."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return True
    try:
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        port = None
    try:
        host_ip = ipaddress.ip_address(host)
    except ValueError:
        host_ip = None
    for entry in (entry.strip().lower() for entry in (no_proxy or "").split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        entry_port = None
        if entry.startswith("["):  # [::1] or [::1]:6443
            address, _sep, rest = entry[1:].partition("]")
            entry, entry_port = address, rest[1:] or None
        elif entry.count(":") == 1:  # host:port (an IPv6 address has more colons)
            entry, entry_port = entry.split(":")
        if entry_port is not None and (not entry_port.isdigit() or int(entry_port) != port):
            continue
        if host_ip is not None:
            try:
                if host_ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
            continue
        entry = entry.lstrip("*").lstrip(".")
        if entry and (host == entry or host.endswith("." + entry)):
            return True
    return False


class K8sConfigError(Exception):
    """The connection options do not lead to a usable cluster configuration."""


# Keys of a kubeconfig's user entries whose values are credentials (kubectl's names): masked in results when the
# kubeconfig is given as a dictionary. A kubeconfig path is not a secret, and errors name it.
_SECRET_KEY_PARTS = ("token", "password", "secret", "key-data")


def kubeconfig_secrets(kubeconfig):
    """The credentials in a kubeconfig given as a dictionary: string values under ``users`` whose key names a token,
    password, secret or key data, and the values of an exec plugin's ``env``. Nothing for a path."""
    found = set()

    def walk(node, key=""):
        if isinstance(node, dict):
            if key == "env" and "value" in node and isinstance(node["value"], str):
                found.add(node["value"])
            for name, value in node.items():
                walk(value, key if key == "env" else str(name).lower())
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and node and any(part in key for part in _SECRET_KEY_PARTS):
            found.add(node)

    if isinstance(kubeconfig, dict):
        walk(kubeconfig.get("users") or [])
    return found


def kubeconfig_source(auth):
    """Where the configuration is read from, for error messages: the kubeconfig path (never secret), or what else."""
    kubeconfig = auth.get("kubeconfig")
    if isinstance(kubeconfig, dict):
        return "the kubeconfig given as a dictionary"
    if kubeconfig:
        return "kubeconfig %s" % kubeconfig
    return "the default kubeconfig %s (in-cluster configuration not found)" % os.path.expanduser(
        kubernetes.config.KUBE_CONFIG_DEFAULT_LOCATION
    )


def _load_kubeconfig(configuration, auth):
    kubeconfig = auth.get("kubeconfig")
    if isinstance(kubeconfig, str) and not os.path.exists(os.path.expanduser(kubeconfig)):
        raise K8sConfigError(
            "Cannot load the Kubernetes configuration: kubeconfig %s: no such file" % kubeconfig
        )
    kwargs = {"context": auth.get("context"), "client_configuration": configuration}
    if auth.get("persist_config") is not None:
        kwargs["persist_config"] = auth["persist_config"]
    if isinstance(kubeconfig, dict):
        kubernetes.config.load_kube_config_from_dict(config_dict=kubeconfig, **kwargs)
    else:
        kubernetes.config.load_kube_config(config_file=kubeconfig or None, **kwargs)


def build_configuration(auth):
    """Return a kubernetes ``Configuration`` from the options dict (None values mean "not set").

    Order as in kubernetes.core: host + api_key (or host + client cert/key) stand alone; otherwise a
    kubeconfig/context is loaded; otherwise in-cluster config is tried before the default kubeconfig.
    Explicit options override what the kubeconfig says.
    """
    auth = dict((k, v) for k, v in auth.items() if v is not None)
    configuration = kubernetes.client.Configuration()
    standalone = auth.get("host") and (
        auth.get("api_key") or (auth.get("client_cert") and auth.get("client_key"))
    )
    try:
        if not standalone:
            if auth.get("kubeconfig") or auth.get("context"):
                _load_kubeconfig(configuration, auth)
            else:
                try:
                    kubernetes.config.load_incluster_config(client_configuration=configuration)
                except kubernetes.config.ConfigException:
                    _load_kubeconfig(configuration, auth)
    except (kubernetes.config.ConfigException, OSError) as exc:
        raise K8sConfigError(
            "Cannot load the Kubernetes configuration from %s: %s" % (kubeconfig_source(auth), exc)
        ) from exc

    for option, attribute in CONFIGURATION_ATTRIBUTES.items():
        if option in auth:
            value = auth[option].rstrip("/") if option == "host" else auth[option]
            setattr(configuration, attribute, value)
    if auth.get("api_key"):
        configuration.api_key = {"BearerToken": "Bearer %s" % auth["api_key"]}
        configuration.refresh_api_key_hook = None
    if auth.get("proxy_headers"):
        headers = dict((k, v) for k, v in auth["proxy_headers"].items() if v is not None)
        configuration.proxy_headers = urllib3.util.make_headers(**headers)
    return configuration


# (group, kind) -> (plural, namespaced): the kinds this collection uses, with the paths their APIs define.
KNOWN_KINDS = {
    ("", "Namespace"): ("namespaces", False),
    ("", "Node"): ("nodes", False),
    ("", "Pod"): ("pods", True),
    ("k8s.cni.cncf.io", "NetworkAttachmentDefinition"): ("network-attachment-definitions", True),
    ("sriovnetwork.openshift.io", "SriovNetwork"): ("sriovnetworks", True),
    ("sriovnetwork.openshift.io", "SriovNetworkNodeState"): ("sriovnetworknodestates", True),
    ("nmstate.io", "NodeNetworkState"): ("nodenetworkstates", False),
    ("core.contrail.juniper.net", "Subnet"): ("subnets", True),
    ("core.contrail.juniper.net", "VirtualNetwork"): ("virtualnetworks", True),
    ("core.contrail.juniper.net", "VirtualNetworkRouter"): ("virtualnetworkrouters", True),
}


class KnownKinds:
    """A DynamicClient discoverer that answers from :data:`KNOWN_KINDS` instead of asking the API server.

    Whether a custom resource is served shows on its first call (404), as it would after discovery.
    """

    def __init__(self, client, cache_file=None):
        self.client = client

    def get(self, api_version, kind, **_kwargs):
        group, _sep, version = api_version.rpartition("/")
        try:
            plural, namespaced = KNOWN_KINDS[(group, kind)]
        except KeyError:
            raise ResourceNotFoundError(
                "no path is known for %s %s" % (api_version, kind)
            ) from None
        return Resource(
            prefix="apis" if group else "api",
            group=group,
            api_version=version,
            kind=kind,
            namespaced=namespaced,
            name=plural,
            client=self.client,
        )


def build_dynamic_client(auth):
    """Return a ``kubernetes.dynamic.DynamicClient`` for the options dict, with :class:`KnownKinds` as discoverer."""
    configuration = build_configuration(auth)
    api_client = kubernetes.client.ApiClient(configuration)
    return DynamicClient(api_client, discoverer=KnownKinds)
