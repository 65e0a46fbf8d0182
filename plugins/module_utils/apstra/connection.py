# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One client factory for every Apstra consumer (modules and the inventory plugin): options -> ApstraClient.

The options are the modules' connection options (``api_url``, ``username``, ``password``, ``auth_token``,
``validate_certs``, ``ca_path``, ``timeout``, ``token_cache``), already resolved with their environment fallbacks
(``APSTRA_API_URL``, ``APSTRA_USERNAME``, ``APSTRA_PASSWORD``, ``APSTRA_AUTH_TOKEN``, ``APSTRA_VERIFY_CERTIFICATES``,
``APSTRA_CA_PATH``, ``APSTRA_TOKEN_CACHE``). No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraClient,
    TokenCache,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import (
    ValidationError,
)

ENV = {
    "api_url": ["APSTRA_API_URL"],
    "username": ["APSTRA_USERNAME"],
    "password": ["APSTRA_PASSWORD"],
    "auth_token": ["APSTRA_AUTH_TOKEN"],
    "validate_certs": ["APSTRA_VERIFY_CERTIFICATES"],
    "ca_path": ["APSTRA_CA_PATH"],
    "token_cache": ["APSTRA_TOKEN_CACHE"],
}


def client_from_options(options):
    """An ApstraClient; raises ValidationError naming what is missing."""
    if not options.get("api_url"):
        raise ValidationError("api_url is required (or set APSTRA_API_URL)")
    if not options.get("auth_token") and not (options.get("username") and options.get("password")):
        raise ValidationError(
            "username and password, or auth_token, are required (or APSTRA_USERNAME/APSTRA_PASSWORD/APSTRA_AUTH_TOKEN)"
        )
    validate_certs = options.get("validate_certs")
    return ApstraClient(
        options["api_url"],
        username=options.get("username"),
        password=options.get("password"),
        auth_token=options.get("auth_token"),
        validate_certs=True if validate_certs is None else validate_certs,
        ca_path=options.get("ca_path") or None,
        timeout=options.get("timeout") or 30,
        token_cache=(
            TokenCache()
            if options.get("token_cache", True) and not options.get("auth_token")
            else None
        ),
    )
