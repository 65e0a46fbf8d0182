# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One client factory for every Apstra consumer (modules and the inventory plugin): options -> ApstraClient.

The options are the modules' connection options (``api_url``, ``username``, ``password``, ``auth_token``,
``validate_certs``, ``ca_path``, ``timeout``, ``token_cache``), already resolved with their environment fallbacks
(:data:`ENV`: the first variable of each list that is set and not empty). The names are juniper.apstra's
(``APSTRA_API_URL``, ``APSTRA_USERNAME``, ``APSTRA_PASSWORD``, ``APSTRA_AUTH_TOKEN``, ``APSTRA_VERIFY_CERTIFICATES``),
then terraform-provider-apstra's user and password (``APSTRA_USER``, ``APSTRA_PASS``). ``api_url`` may end in
``/api`` (as juniper.apstra's README writes it) or not. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from urllib.parse import urlsplit

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    WRITE_TIMEOUT,
    ApstraClient,
    TokenCache,
    base_url,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import (
    ValidationError,
)

# Option -> environment variables, in order: the first one set to a non-empty value wins (AWX injects the fields
# left empty as empty strings).
ENV = {
    "api_url": ["APSTRA_API_URL"],
    "username": ["APSTRA_USERNAME", "APSTRA_USER"],
    "password": ["APSTRA_PASSWORD", "APSTRA_PASS"],
    "auth_token": ["APSTRA_AUTH_TOKEN"],
    "validate_certs": ["APSTRA_VERIFY_CERTIFICATES"],
    "ca_path": ["APSTRA_CA_PATH"],
    "token_cache": ["APSTRA_TOKEN_CACHE"],
    "blueprint": ["APSTRA_BLUEPRINT"],
}


def from_environment(option, environ=None):
    """The value of the first variable of ENV[option] that is set and not empty, or None."""
    environ = os.environ if environ is None else environ
    for name in ENV[option]:
        if environ.get(name):
            return environ[name]
    return None


def check_api_url(api_url):
    """The server's base URL from ``api_url`` (with or without a trailing ``/api``); ValidationError naming the option
    when it is not an http(s) URL with a host."""
    parts = urlsplit(api_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            "api_url: %r is not an http(s) URL; give the Apstra server as https://<host> "
            "(with or without a trailing /api)" % api_url
        )
    return base_url(api_url)


def client_from_options(options):
    """An ApstraClient; raises ValidationError naming what is missing or malformed."""
    if not options.get("api_url"):
        raise ValidationError("api_url is required (or set APSTRA_API_URL)")
    api_url = check_api_url(options["api_url"])
    if not options.get("auth_token") and not (options.get("username") and options.get("password")):
        raise ValidationError(
            "username and password, or auth_token, are required (or APSTRA_USERNAME/APSTRA_PASSWORD, "
            "APSTRA_USER/APSTRA_PASS, APSTRA_AUTH_TOKEN)"
        )
    validate_certs = options.get("validate_certs")
    return ApstraClient(
        api_url,
        username=options.get("username"),
        password=options.get("password"),
        auth_token=options.get("auth_token"),
        validate_certs=True if validate_certs is None else validate_certs,
        ca_path=options.get("ca_path") or None,
        timeout=options.get("timeout") or 30,
        write_timeout=options.get("write_timeout") or WRITE_TIMEOUT,
        token_cache=(
            TokenCache()
            if options.get("token_cache", True) and not options.get("auth_token")
            else None
        ),
    )
