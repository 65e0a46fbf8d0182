"""Stateless handlers: read the request context, make one backend call, return (status, JSON body or None)."""

from apstra_sim.errors import Unprocessable
from apstra_sim.qe import Answer, QueryError, run_query


class Context:
    """What a handler sees of a request."""

    def __init__(self, backend, method, path, query, body, token, params, flags):
        self.backend = backend
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.token = token
        self.params = params
        self.flags = flags
        self.user = None

    @property
    def bp(self):
        return self.backend.blueprint(self.params["bp"])

    def int_param(self, name, default):
        value = self.query.get(name)
        if value is None:
            return default
        try:
            return max(0, int(value))
        except ValueError:
            raise Unprocessable({name: "Not a valid integer."})


def login(ctx):
    return 201, ctx.backend.login(ctx.body)


def logout(ctx):
    ctx.backend.logout(ctx.token)
    return 200, {}


def version(ctx):
    return 200, ctx.backend.version()


def blueprints(ctx):
    return 200, {"items": [bp.summary() for bp in ctx.backend.blueprints.values()]}


def blueprint(ctx):
    return 200, ctx.bp.dump(ctx.query.get("type"))


def nodes(ctx):
    return 200, {"nodes": ctx.bp.nodes(ctx.query.get("node_type"), ctx.query.get("type"))}


def node(ctx):
    return 200, ctx.bp.node(ctx.params["id"])


def relationships(ctx):
    return 200, {"relationships": ctx.bp.relationships(ctx.query.get("relationship_type"))}


def qe(ctx):
    bp = ctx.bp
    if not isinstance(ctx.body, dict) or not isinstance(ctx.body.get("query"), str):
        raise Unprocessable({"query": "Missing data for required field."})
    graph = bp.graph_for(ctx.query.get("type"))[0]
    try:
        items = run_query(ctx.body["query"], graph)
    except QueryError as exc:
        raise Unprocessable("Invalid query: %s" % exc)
    return 200, Answer(items)


def ql(ctx):
    bp = ctx.bp
    text = ctx.body.get("query") if isinstance(ctx.body, dict) else None
    if not isinstance(text, str):
        raise Unprocessable({"query": "Missing data for required field."})
    if "".join(text.split()) != "{version}":
        raise Unprocessable(
            "GraphQL query not supported by the simulator (it answers {version} only)"
        )
    graph_version = bp.graph_for(ctx.query.get("type"))[1]
    return 200, {"data": {"version": graph_version}}


def cabling_map(ctx):
    return 200, ctx.bp.cabling_map()


def cabling_map_lldp(ctx):
    return 200, ctx.bp.cabling_map_lldp(ctx.query.get("system_id"))


def build_errors(ctx):
    return 200, ctx.bp.build_errors()


def diff_status(ctx):
    return 200, ctx.bp.diff_status()


def deploy(ctx):
    run_async = ctx.query.get("async") == "full"
    result = ctx.bp.deploy(ctx.body, ctx.user, run_async, ctx.flags.get("deploy_fail"))
    return (202 if run_async else 200), result


def get_deploy(ctx):
    state = ctx.bp.deploy_state
    body = {"version": state["version"], "state": state["state"]}
    if state["error"]:
        body["error"] = state["error"]
    return 200, body


def revert(ctx):
    ctx.bp.revert(ctx.user)
    return 200, {}


def revisions(ctx):
    return 200, {"items": ctx.bp.revisions}


def tasks(ctx):
    return 200, ctx.bp.list_tasks()


def task(ctx):
    return 200, ctx.bp.get_task(ctx.params["id"])


def lock_status(ctx):
    return 200, ctx.bp.lock_status(ctx.user)


def lock_blueprint(ctx):
    ctx.bp.lock_by_user(ctx.user)
    return 204, None


def unlock_blueprint(ctx):
    ctx.bp.unlock(ctx.user)
    return 204, None


def list_sz(ctx):
    return 200, ctx.bp.list_sz()


def create_sz(ctx):
    return 201, {"id": ctx.bp.create_sz(ctx.body, ctx.user)}


def get_sz(ctx):
    bp = ctx.bp
    return 200, bp.sz_view(bp.get_sz(ctx.params["id"]))


def put_sz(ctx):
    ctx.bp.update_sz(ctx.params["id"], ctx.body, ctx.user, partial=False)
    return 204, None


def patch_sz(ctx):
    ctx.bp.update_sz(ctx.params["id"], ctx.body, ctx.user, partial=True)
    return 204, None


def delete_sz(ctx):
    ctx.bp.delete_szs([ctx.params["id"]], ctx.user, batch=False)
    return 204, None


def delete_szs(ctx):
    body = ctx.body if isinstance(ctx.body, dict) else {}
    ctx.bp.delete_szs(body.get("security_zone_ids"), ctx.user, batch=True)
    return 204, None


def list_vns(ctx):
    return 200, ctx.bp.list_vns()


def create_vn(ctx):
    return 201, {"id": ctx.bp.create_vns([ctx.body], ctx.user, batch=False)[0]}


def create_vns(ctx):
    body = ctx.body if isinstance(ctx.body, dict) else {}
    ids = ctx.bp.create_vns(body.get("virtual_networks"), ctx.user, batch=True)
    return 201, {"virtual_networks": [{"id": vn_id} for vn_id in ids]}


def get_vn(ctx):
    bp = ctx.bp
    return 200, bp.vn_view(bp.get_vn(ctx.params["id"]))


def _single_vn(ctx, partial):
    if not isinstance(ctx.body, dict):
        raise Unprocessable("Request body must be a JSON object")
    ctx.bp.update_vns([dict(ctx.body, id=ctx.params["id"])], ctx.user, partial=partial, batch=False)
    return 204, None


def put_vn(ctx):
    return _single_vn(ctx, partial=False)


def patch_vn(ctx):
    return _single_vn(ctx, partial=True)


def patch_vns(ctx):
    body = ctx.body if isinstance(ctx.body, dict) else {}
    ctx.bp.update_vns(body.get("virtual_networks"), ctx.user, partial=True, batch=True)
    return 204, None


def delete_vn(ctx):
    ctx.bp.delete_vns([ctx.params["id"]], ctx.user, batch=False)
    return 204, None


def delete_vns(ctx):
    body = ctx.body if isinstance(ctx.body, dict) else {}
    ctx.bp.delete_vns(body.get("virtual_network_ids"), ctx.user, batch=True)
    return 204, None


def import_policies(ctx):
    ctx.bp.import_policies(ctx.body, ctx.user)
    return 204, None


def export_policies(ctx):
    return 200, ctx.bp.export_policies()


def export_policy(ctx):
    return 200, ctx.bp.export_policies(ctx.params["id"])


def list_policies(ctx):
    return 200, ctx.bp.list_policies()


def get_policy(ctx):
    bp = ctx.bp
    return 200, {"endpoint_policy": bp.policy_view(bp.get_policy(ctx.params["id"]))}


def delete_policy(ctx):
    ctx.bp.delete_policy(
        ctx.params["id"], ctx.user, recursive=ctx.query.get("delete_recursive") == "true"
    )
    return 204, None


def application_points(ctx):
    params = dict(ctx.query)
    if ctx.method == "POST" and isinstance(ctx.body, dict):
        params.update({k: str(v) for k, v in ctx.body.items() if v is not None})
    ctx.query = params
    return 200, ctx.bp.application_points(
        params.get("policy"), ctx.int_param("max_count", 1000), ctx.int_param("offset_max_count", 0)
    )


def batch_apply(ctx):
    ctx.bp.batch_apply(ctx.body, ctx.user)
    return 204, None


def batch_delete_policies(ctx):
    ctx.bp.batch_delete_policies(ctx.body, ctx.user)
    return 204, None


def vni_pools(ctx):
    first, last = ctx.backend.topo["vni_pool"]
    used = sum(len(bp.used_vnis()) for bp in ctx.backend.blueprints.values())
    total = last - first + 1
    return 200, {
        "items": [
            {
                "id": "Default-VNI-Pool",
                "display_name": "Default-VNI-Pool",
                "status": "in_use" if used else "not_in_use",
                "ranges": [
                    {
                        "first": first,
                        "last": last,
                        "total": total,
                        "used": used,
                        "status": "pool_element_in_use",
                    }
                ],
                "total": total,
                "used": used,
                "tags": [],
            }
        ]
    }


def list_tags(ctx):
    return 200, ctx.backend.tags.list()


def tag_ids(ctx):
    return 200, ctx.backend.tags.ids()


def create_tag(ctx):
    return 201, {"id": ctx.backend.tags.create(ctx.body)}


def get_tag(ctx):
    return 200, ctx.backend.tags.get(ctx.params["id"])


def put_tag(ctx):
    ctx.backend.tags.update(ctx.params["id"], ctx.body)
    return 204, None


def delete_tag(ctx):
    ctx.backend.tags.delete(ctx.params["id"])
    return 204, None
