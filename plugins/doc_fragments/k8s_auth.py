# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes connection options (kubernetes.core names and K8S_AUTH_* variables) and the cluster result shape."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Modules: environment fallbacks are described (argspec uses env_fallback).
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file, or the kubeconfig as a dictionary.
      - Without any connection option the in-cluster service account is tried, then C(~/.kube/config).
      - Falls back to the E(K8S_AUTH_KUBECONFIG) environment variable.
      - Error messages name the path; the credentials of a kubeconfig given as a dictionary (tokens, passwords,
        client key data, exec plugin environment values) are masked in results and output.
    type: raw
  context:
    description:
      - Name of a context in the kubeconfig. Falls back to E(K8S_AUTH_CONTEXT).
    type: str
  host:
    description:
      - URL of the Kubernetes API server. Falls back to E(K8S_AUTH_HOST).
    type: str
  api_key:
    description:
      - Bearer token for the API. Falls back to E(K8S_AUTH_API_KEY).
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
      - C(HTTP_PROXY) and friends are not used.
    type: str
  no_proxy:
    description:
      - Comma separated hosts, domains and CIDRs that bypass the proxy. Falls back to E(K8S_AUTH_NO_PROXY).
    type: str
  proxy_headers:
    description:
      - Headers for the HTTP proxy.
    type: dict
    suboptions:
      proxy_basic_auth:
        description:
          - C(username:password) for proxy basic authentication. Falls back to E(K8S_AUTH_PROXY_HEADERS_PROXY_BASIC_AUTH).
        type: str
      basic_auth:
        description:
          - C(username:password) for basic authentication. Falls back to E(K8S_AUTH_PROXY_HEADERS_BASIC_AUTH).
        type: str
      user_agent:
        description:
          - User agent string. Falls back to E(K8S_AUTH_PROXY_HEADERS_USER_AGENT).
        type: str
  persist_config:
    description:
      - Save refreshed kubeconfig tokens back to the file. Falls back to E(K8S_AUTH_PERSIST_CONFIG).
    type: bool
requirements:
  - kubernetes >= 24.2.0 (Python library)
notes:
  - The option names and environment variables are those of the C(kubernetes.core) collection, so
    C(module_defaults) and AWX credentials written for it work here.
  - Set connection options once for every cluster module with C(module_defaults) and C(group/netops.cn2_apstra.k8s).
"""

    # Inventory plugins: the same options with env/ini entries for the config loader.
    INVENTORY = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file. Without any connection option the in-cluster service account is tried,
        then C(~/.kube/config).
    type: str
    env:
      - name: K8S_AUTH_KUBECONFIG
  context:
    description:
      - Name of a context in the kubeconfig.
    type: str
    env:
      - name: K8S_AUTH_CONTEXT
  host:
    description:
      - URL of the Kubernetes API server.
    type: str
    env:
      - name: K8S_AUTH_HOST
  api_key:
    description:
      - Bearer token for the API.
    type: str
    env:
      - name: K8S_AUTH_API_KEY
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate.
    type: bool
    aliases: [verify_ssl]
    env:
      - name: K8S_AUTH_VERIFY_SSL
  ca_cert:
    description:
      - Path to the CA bundle that signed the API server certificate.
    type: str
    aliases: [ssl_ca_cert]
    env:
      - name: K8S_AUTH_SSL_CA_CERT
  client_cert:
    description:
      - Path to a client certificate.
    type: str
    aliases: [cert_file]
    env:
      - name: K8S_AUTH_CERT_FILE
  client_key:
    description:
      - Path to the client certificate's key.
    type: str
    aliases: [key_file]
    env:
      - name: K8S_AUTH_KEY_FILE
  proxy:
    description:
      - URL of an HTTP proxy.
    type: str
    env:
      - name: K8S_AUTH_PROXY
  no_proxy:
    description:
      - Comma separated hosts, domains and CIDRs that bypass the proxy.
    type: str
    env:
      - name: K8S_AUTH_NO_PROXY
"""
