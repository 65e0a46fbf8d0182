# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible side of the cluster modules: connection argspec (kubernetes.core names, K8S_AUTH_* fallbacks),
dependency checks, client construction and failure reporting."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.client import (
    AUTH_ENV,
    AUTH_OPTIONS,
    HAS_KUBERNETES,
    KUBERNETES_IMPORT_ERROR,
    K8sConfigError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import K8sError, connect


def _env(option):
    return (env_fallback, AUTH_ENV[option])


AUTH_ARG_SPEC = {
    # A path is not a secret (errors name it); the credentials of a kubeconfig given as a dictionary are masked
    # (K8sModule adds kubeconfig_secrets() to the module's no_log values).
    "kubeconfig": {"type": "raw", "no_log": False, "fallback": _env("kubeconfig")},
    "context": {"type": "str", "fallback": _env("context")},
    "host": {"type": "str", "fallback": _env("host")},
    "api_key": {"type": "str", "no_log": True, "fallback": _env("api_key")},
    "validate_certs": {
        "type": "bool",
        "aliases": ["verify_ssl"],
        "fallback": _env("validate_certs"),
    },
    "ca_cert": {"type": "path", "aliases": ["ssl_ca_cert"], "fallback": _env("ca_cert")},
    "client_cert": {"type": "path", "aliases": ["cert_file"], "fallback": _env("client_cert")},
    "client_key": {
        "type": "path",
        "aliases": ["key_file"],
        "no_log": False,
        "fallback": _env("client_key"),
    },
    "proxy": {"type": "str", "fallback": _env("proxy")},
    "no_proxy": {"type": "str", "fallback": _env("no_proxy")},
    "proxy_headers": {
        "type": "dict",
        "options": {
            "proxy_basic_auth": {
                "type": "str",
                "no_log": True,
                "fallback": (env_fallback, ["K8S_AUTH_PROXY_HEADERS_PROXY_BASIC_AUTH"]),
            },
            "basic_auth": {
                "type": "str",
                "no_log": True,
                "fallback": (env_fallback, ["K8S_AUTH_PROXY_HEADERS_BASIC_AUTH"]),
            },
            "user_agent": {
                "type": "str",
                "fallback": (env_fallback, ["K8S_AUTH_PROXY_HEADERS_USER_AGENT"]),
            },
        },
    },
    "persist_config": {"type": "bool", "fallback": _env("persist_config")},
}


def auth_argument_spec(**extra):
    spec = dict((k, dict(v)) for k, v in AUTH_ARG_SPEC.items())
    spec.update(extra)
    return spec


def check_dependencies(module):
    if not HAS_KUBERNETES:
        module.fail_json(msg=missing_required_lib("kubernetes"), exception=KUBERNETES_IMPORT_ERROR)


def auth_params(params):
    return dict((name, params.get(name)) for name in AUTH_OPTIONS)


def service_for(module):
    """A K8sService for the module's connection options; check mode means server-side dry runs."""
    check_dependencies(module)
    try:
        return connect(auth_params(module.params), check_mode=module.check_mode)
    except K8sConfigError as exc:
        module.fail_json(msg=str(exc))
    except K8sError as exc:
        fail_api(module, exc)
    return None


def fail_api(module, exc, **result):
    """Fail with the API status and error body of a K8sError."""
    module.fail_json(msg=str(exc), status=exc.status, error=exc.body, **result)
