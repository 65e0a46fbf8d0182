# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    """Connection options shared by every Apstra module, the blueprint option, and the common result."""

    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the Apstra server, for example C(https://apstra.example.com).
      - A trailing C(/api) is accepted and ignored (C(https://apstra.example.com/api), as the README of
        C(juniper.apstra) sets E(APSTRA_API_URL)), since the modules add C(/api/...) to every request themselves.
      - If not set, the value of the E(APSTRA_API_URL) environment variable is used.
    type: str
  username:
    description:
      - Apstra user to log in as.
      - If not set, the value of the E(APSTRA_USERNAME) environment variable is used, else that of E(APSTRA_USER)
        (the name terraform-provider-apstra reads).
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(APSTRA_PASSWORD) environment variable is used, else that of E(APSTRA_PASS)
        (the name terraform-provider-apstra reads).
    type: str
  auth_token:
    description:
      - An Apstra API token to use instead of logging in.
      - If it is refused and O(username) and O(password) are set, the module logs in again once.
      - If not set, the value of the E(APSTRA_AUTH_TOKEN) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of the Apstra server.
      - If not set, the value of the E(APSTRA_VERIFY_CERTIFICATES) environment variable is used.
      - The alias O(verify_certificates) is the option's name in C(juniper.apstra).
    type: bool
    default: true
    aliases: [verify_certificates]
  ca_path:
    description:
      - A CA bundle (a PEM file, or a directory of PEM files prepared with C(openssl rehash)) to verify the server
        certificate with, instead of the system store.
      - If not set, the value of the E(APSTRA_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Timeout in seconds for each read (retries get their own).
    type: int
    default: 30
  write_timeout:
    description:
      - Timeout in seconds for each write (Apstra takes long on a large batch, such as a connectivity-template
        assignment of thousands of ports, and on a deploy). A write whose answer does not come is never sent again
        blindly; what became of it is looked up first.
    type: int
    default: 300
  token_cache:
    description:
      - Reuse an Apstra token across tasks and runs instead of logging in once per task.
      - The token is kept in a file readable only by the user (mode 0600), one file per O(api_url) and
        O(username), under C($ANSIBLE_HOME/netops.cn2_apstra/) or, without E(ANSIBLE_HOME), under
        C(~/.cache/netops.cn2_apstra/). A refused token is replaced after one new login.
      - The token never appears in module results.
      - If not set, the value of the E(APSTRA_TOKEN_CACHE) environment variable is used.
    type: bool
    default: true
notes:
  - Set the connection options once for a play with C(module_defaults) and the action group
    C(group/netops.cn2_apstra.apstra).
  - An environment variable that is set but empty counts as not set (AWX injects the fields a credential leaves
    empty as empty strings).
  - "Requires the Python library C(requests) on the host that runs the module (usually the controller,
    with C(delegate_to: localhost) or C(connection: local))."
requirements:
  - requests
"""

    BLUEPRINT = r"""
options:
  blueprint:
    description:
      - The blueprint to work on, given by label or by id.
      - When not set, the environment variable E(APSTRA_BLUEPRINT); without it, the only blueprint on the server. A
        server with several blueprints and none named is an error that lists them; no blueprint is ever a default.
      - A value in UUID form is used as the id without listing the blueprints first, which saves one API call per
        task; a playbook can pass the id an earlier M(netops.cn2_apstra.apstra_blueprint_info) task returned.
    type: str
"""

    RESULTS = r"""
options: {}
notes:
  - Every Apstra module returns the same shape. C(changed); C(before) and C(after), the objects as they were
    and are (or, in check mode, would be); C(plan), the list of C({method, path, body}) write requests that a
    real run sends, also filled in check mode, in which nothing is sent; C(diff), one before/after pair per
    changed object, only with C(--diff); on failure C(msg) with the HTTP status and Apstra's error body, and
    C(applied) / C(not_applied) listing which planned requests were and were not sent.
"""
