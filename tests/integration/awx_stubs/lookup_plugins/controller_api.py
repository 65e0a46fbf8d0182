"""Stands in for awx.awx.controller_api / ansible.controller.controller_api in tests: canned answers, and every call
(terms and options) appended as a JSON line to $CONFIGURE_STUB_LOG; options the real lookup does not document fail.

$CONFIGURE_STUB_GALAXY: the names of the organization's Galaxy credentials (comma separated; empty: none), and of the
credentials named as the Galaxy credential that exist ($CONFIGURE_STUB_GALAXY_EXISTS, "1" or "").
"""

import json
import os

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

# The options of the real lookup (awx.awx 24.6.1 plugins/lookup/controller_api.py DOCUMENTATION).
KNOWN = {
    "query_params",
    "query",
    "data",
    "filter",
    "params",
    "expect_objects",
    "expect_object",
    "expect_one",
    "return_objects",
    "return_all",
    "return_ids",
    "return_id",
    "max_objects",
    "controller_host",
    "controller_username",
    "controller_password",
    "controller_oauthtoken",
    "validate_certs",
    "host",
}


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        unknown = sorted(set(kwargs) - KNOWN)
        if unknown:
            raise AnsibleError("controller_api: unknown options %s" % unknown)
        with open(os.environ["CONFIGURE_STUB_LOG"], "a", encoding="utf-8") as log:
            log.write(
                json.dumps(
                    {"lookup": "controller_api", "terms": terms, "options": kwargs}, default=str
                )
                + "\n"
            )
        endpoint = terms[0]
        if endpoint == "organizations":
            return [{"id": 7, "name": kwargs.get("query_params", {}).get("name")}]
        if endpoint.startswith("organizations/") and endpoint.endswith("/galaxy_credentials/"):
            names = [
                name for name in os.environ.get("CONFIGURE_STUB_GALAXY", "").split(",") if name
            ]
            return [{"id": 100 + index, "name": name} for index, name in enumerate(names)]
        if endpoint == "credentials":
            if os.environ.get("CONFIGURE_STUB_GALAXY_EXISTS"):
                return [{"id": 99, "name": kwargs.get("query_params", {}).get("name")}]
            return []
        raise AnsibleError("controller_api stub: no answer for %s" % endpoint)
