# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error shape of both API clients: a message plus the call, HTTP status and error body. No Ansible imports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json


class ApiError(Exception):
    """An API call failed: carries the HTTP status and the server's error body, and says which call it was."""

    def __init__(self, message, status=None, body=None, method=None, path=None):
        self.status = status
        self.body = body
        self.method = method
        self.path = path
        text = message
        if method and path:
            text = "%s %s: %s" % (method, path, message)
        if status is not None:
            text = "%s (HTTP %s)" % (text, status)
        if body not in (None, "", {}):
            text = "%s: %s" % (
                text,
                json.dumps(body, sort_keys=True) if isinstance(body, (dict, list)) else body,
            )
        super(ApiError, self).__init__(text)

    def to_dict(self):
        return {"status": self.status, "body": self.body, "method": self.method, "path": self.path}
