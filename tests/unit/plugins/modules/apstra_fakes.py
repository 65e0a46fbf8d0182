# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake ApstraClient (canned answers per method and path) and a runner for module unit tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from unittest import mock

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import ApstraError

BP = "bp-1"
CONN = {"api_url": "https://apstra.test", "username": "admin", "password": "pw", "token_cache": False}
BLUEPRINTS = {"items": [{"id": BP, "label": "dc1", "design": "two_stage_l3clos", "version": 3, "has_uncommitted_changes": False,
                         "build_errors_count": 0}]}


class Seq:
    """Successive answers for one route; the last one repeats."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def next(self):
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class FakeClient:
    """Answers `routes[(method, path)]` (a value, an ApstraError to raise, or a callable(body)); records every call."""

    def __init__(self, routes):
        self.routes = dict(routes)
        self.routes.setdefault(("GET", "/api/blueprints"), BLUEPRINTS)
        self.calls = []

    def request(self, method, path, body=None, params=None):
        self.calls.append({"method": method, "path": path, "body": body, "params": params})
        key = (method, path)
        if key not in self.routes:
            raise AssertionError("unexpected call %s %s" % key)
        answer = self.routes[key]
        if isinstance(answer, Seq):
            answer = answer.next()
        if callable(answer):
            answer = answer(body)
        if isinstance(answer, Exception):
            raise answer
        return json.loads(json.dumps(answer))

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def post(self, path, body=None, params=None):
        return self.request("POST", path, body=body, params=params)

    def writes(self):
        return [c for c in self.calls if c["method"] != "GET" and not c["path"].endswith("/qe")]

    def close(self):
        pass


class Exit(Exception):
    pass


def run_module(module_main, args, routes, check_mode=False, diff=False):
    """Run a module's main() with args against a FakeClient; returns (result dict, fake client)."""
    client = FakeClient(routes)
    params = dict(CONN, **args)
    if check_mode:
        params["_ansible_check_mode"] = True
    if diff:
        params["_ansible_diff"] = True
    results = {}

    def exit_json(self, **kwargs):  # pylint: disable=unused-argument
        results.update(kwargs, failed=False)
        raise Exit()

    def fail_json(self, **kwargs):  # pylint: disable=unused-argument
        results.update(kwargs, failed=True)
        raise Exit()

    with patch_module_args(params), \
            mock.patch("ansible.module_utils.basic.AnsibleModule.exit_json", exit_json), \
            mock.patch("ansible.module_utils.basic.AnsibleModule.fail_json", fail_json), \
            mock.patch("ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module.ApstraClient", return_value=client):
        with pytest.raises(Exit):
            module_main()
    return results, client


def api_error(status, body, method="POST", path="/x"):
    return ApstraError("error", status=status, body=body, method=method, path=path)
