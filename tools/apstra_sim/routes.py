"""URL table: (method, path pattern) -> handler. A call with no route answers 404 "not implemented"."""

import re

from apstra_sim import config_rendering as cr
from apstra_sim import responses as r
from apstra_sim.errors import NotImplementedRoute

_BP = "/api/blueprints/(?P<bp>[^/]+)"
_ID = "(?P<id>[^/]+)"

# (method, pattern, handler, needs auth)
TABLE = [
    ("POST", "/api/aaa/login", r.login, False),
    ("POST", "/api/user/login", r.login, False),
    ("POST", "/api/aaa/logout", r.logout, True),
    ("POST", "/api/user/logout", r.logout, True),
    ("GET", "/api/version", r.version, False),
    ("GET", "/api/resources/vni-pools", r.vni_pools, True),
    ("GET", "/api/design/tags", r.list_tags, True),
    ("OPTIONS", "/api/design/tags", r.tag_ids, True),
    ("POST", "/api/design/tags", r.create_tag, True),
    ("GET", "/api/design/tags/" + _ID, r.get_tag, True),
    ("PUT", "/api/design/tags/" + _ID, r.put_tag, True),
    ("DELETE", "/api/design/tags/" + _ID, r.delete_tag, True),
    ("GET", "/api/blueprints", r.blueprints, True),
    ("GET", _BP, r.blueprint, True),
    ("GET", _BP + "/nodes", r.nodes, True),
    ("GET", _BP + "/nodes/" + _ID, r.node, True),
    ("GET", _BP + "/nodes/" + _ID + "/config-rendering", cr.render_node, True),
    ("GET", _BP + "/nodes/" + _ID + "/config-incremental", cr.node_incremental, True),
    ("POST", _BP + "/nodes/" + _ID + "/config-incremental", cr.node_incremental, True),
    ("GET", _BP + "/nodes/" + _ID + "/config-context", cr.node_context, True),
    ("GET", _BP + "/systems/" + _ID + "/config-rendering", cr.render_system, True),
    ("GET", _BP + "/systems/" + _ID + "/config-incremental", cr.system_incremental, True),
    ("GET", _BP + "/relationships", r.relationships, True),
    ("POST", _BP + "/qe", r.qe, True),
    ("POST", _BP + "/ql", r.ql, True),
    ("POST", _BP + "/ql-readonly", r.ql, True),
    ("GET", _BP + "/experience/web/cabling-map", r.cabling_map, True),
    ("GET", _BP + "/experience/web/cabling-map/lldp", r.cabling_map_lldp, True),
    ("GET", _BP + "/cabling-map/lldp", r.cabling_map_lldp, True),
    ("GET", _BP + "/errors", r.build_errors, True),
    ("GET", _BP + "/diff-status", r.diff_status, True),
    ("PUT", _BP + "/deploy", r.deploy, True),
    ("GET", _BP + "/deploy", r.get_deploy, True),
    ("POST", _BP + "/revert", r.revert, True),
    ("GET", _BP + "/revisions", r.revisions, True),
    ("GET", _BP + "/tasks", r.tasks, True),
    ("GET", _BP + "/tasks/" + _ID, r.task, True),
    ("GET", _BP + "/lock-status", r.lock_status, True),
    ("PUT", _BP + "/lock-blueprint", r.lock_blueprint, True),
    ("PUT", _BP + "/unlock-blueprint", r.unlock_blueprint, True),
    ("GET", _BP + "/security-zones", r.list_sz, True),
    ("POST", _BP + "/security-zones", r.create_sz, True),
    ("GET", _BP + "/security-zones/" + _ID, r.get_sz, True),
    ("PUT", _BP + "/security-zones/" + _ID, r.put_sz, True),
    ("PATCH", _BP + "/security-zones/" + _ID, r.patch_sz, True),
    ("DELETE", _BP + "/security-zones/" + _ID, r.delete_sz, True),
    ("POST", _BP + "/delete-security-zones", r.delete_szs, True),
    ("GET", _BP + "/virtual-networks", r.list_vns, True),
    ("POST", _BP + "/virtual-networks", r.create_vn, True),
    ("POST", _BP + "/virtual-networks-batch", r.create_vns, True),
    ("PATCH", _BP + "/virtual-networks-batch-patch", r.patch_vns, True),
    ("POST", _BP + "/delete-virtual-networks", r.delete_vns, True),
    ("GET", _BP + "/virtual-networks/" + _ID, r.get_vn, True),
    ("PUT", _BP + "/virtual-networks/" + _ID, r.put_vn, True),
    ("PATCH", _BP + "/virtual-networks/" + _ID, r.patch_vn, True),
    ("DELETE", _BP + "/virtual-networks/" + _ID, r.delete_vn, True),
    ("PUT", _BP + "/obj-policy-import", r.import_policies, True),
    ("GET", _BP + "/obj-policy-export", r.export_policies, True),
    ("GET", _BP + "/obj-policy-export/" + _ID, r.export_policy, True),
    ("GET", _BP + "/endpoint-policies", r.list_policies, True),
    ("GET", _BP + "/endpoint-policies/" + _ID, r.get_policy, True),
    ("DELETE", _BP + "/endpoint-policies/" + _ID, r.delete_policy, True),
    ("GET", _BP + "/obj-policy-application-points", r.application_points, True),
    ("POST", _BP + "/obj-policy-application-points", r.application_points, True),
    ("PATCH", _BP + "/obj-policy-batch-apply", r.batch_apply, True),
    ("POST", _BP + "/obj-policy-batch-delete", r.batch_delete_policies, True),
]
_COMPILED = [
    (method, re.compile(pattern + "/?$"), handler, auth) for method, pattern, handler, auth in TABLE
]
# POSTs that only read; every other POST, PUT, PATCH and DELETE changes state.
READ_POSTS = re.compile(
    r"^/api/(aaa|user)/(login|logout)$"
    r"|/(qe|ql|ql-readonly|obj-policy-application-points|config-incremental)/?$"
)


def resolve(method, path):
    """(handler, path parameters, needs auth) for a call, or NotImplementedRoute."""
    for route_method, pattern, handler, auth in _COMPILED:
        if route_method == method:
            match = pattern.match(path)
            if match:
                return handler, match.groupdict(), auth
    raise NotImplementedRoute(method, path)


def is_write(method, path):
    if method in ("PUT", "PATCH", "DELETE"):
        return True
    return method == "POST" and not READ_POSTS.search(path)
