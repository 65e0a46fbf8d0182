"""The graph query engine: the subset of Apstra's QE DSL that clients use.

The query text is parsed with `ast` and walked against a whitelist (nothing is evaluated), e.g.
``match(node('system', role='leaf', name='leaf').out('hosted_interfaces').node('interface', name='intf'),
optional(node(name='intf').out('link').node('link', name='link'))).where(lambda leaf: leaf['label'] != 'x')``.
"""

import ast
import json
import operator
from itertools import islice

_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


_ANY = object()  # a step bound to no object by an earlier path
_NONE = {}


class QueryError(ValueError):
    pass


class Predicate:
    """A property test from the DSL (is_in, not_none, ne, ...)."""

    def __init__(self, name, args):
        self.name, self.args = name, args
        tests = {
            "is_in": lambda v: v in args[0],
            "not_in": lambda v: v not in args[0],
            "not_none": lambda v: v is not None,
            "is_none": lambda v: v is None,
            "eq": lambda v: v == args[0],
            "ne": lambda v: v != args[0],
            "gt": lambda v: v is not None and v > args[0],
            "ge": lambda v: v is not None and v >= args[0],
            "lt": lambda v: v is not None and v < args[0],
            "le": lambda v: v is not None and v <= args[0],
        }
        self.test = tests[name]
        arity = 0 if name in ("not_none", "is_none") else 1
        if len(args) != arity:
            raise QueryError("%s() takes %d argument(s)" % (name, arity))


def _matches(obj, type_name, filters):
    if type_name is not None and obj["type"] != type_name:
        return False
    for key, want in filters.items():
        value = obj.get(key)
        if isinstance(want, Predicate):
            try:
                if not want.test(value):
                    return False
            except TypeError:
                return False
        elif value != want:
            return False
    return True


class Step:
    def __init__(self, kind, args, kwargs, direction=None):
        if len(args) > 1:
            raise QueryError("%s() takes at most one positional argument (the type)" % kind)
        self.kind, self.direction = kind, direction
        self.type = kwargs.pop("type", args[0] if args else None)
        self.name = kwargs.pop("name", None)
        self.filters = kwargs


class Path:
    """node().out().node()...: steps alternate node, relationship, node."""

    def __init__(self, first):
        self.steps = [first]
        self.filters = []

    def add(self, step):
        want_node = len(self.steps) % 2 == 0
        if (step.kind == "node") != want_node:
            raise QueryError("a path alternates node() and out()/in_() steps")
        self.steps.append(step)
        return self

    @property
    def names(self):
        return [s.name for s in self.steps if s.name]

    def _pinned(self, index, bound):
        """Whether node step `index` can be one node only: bound by name, or given an id."""
        step = self.steps[index]
        return step.name in bound or isinstance(step.filters.get("id"), str)

    def _candidates(self, graph, index, bound, limit=None):
        """The nodes node step `index` can take (the first `limit` of them)."""
        step = self.steps[index]
        if step.name in bound:
            ids = [bound[step.name]] if bound[step.name] in graph.nodes else []
        elif isinstance(step.filters.get("id"), str):
            ids = [step.filters["id"]] if step.filters["id"] in graph.nodes else []
        elif step.type is not None:
            ids = graph.by_type.get(step.type, {})
        else:
            ids = graph.nodes
        return list(
            islice((i for i in ids if _matches(graph.nodes[i], step.type, step.filters)), limit)
        )

    def _start(self, graph, bound):
        """The node step to start from, and its candidates: the first of the steps with the fewest candidates.

        Steps pinned to one node (see `_pinned`) are looked at first, so a path that goes on from a node bound by an
        earlier path walks the relationships of that node instead of scanning the graph. With one candidate there,
        another step is chosen only if it comes earlier and has at most one candidate, or if it has none; but then no
        step matches at all (every node of a match is a candidate of its step), so later steps are not scanned and
        earlier ones only until a second candidate turns up.
        """
        node_steps = range(0, len(self.steps), 2)
        pinned = {
            i: self._candidates(graph, i, bound) for i in node_steps if self._pinned(i, bound)
        }
        if not pinned:
            candidates = {i: self._candidates(graph, i, bound) for i in node_steps}
            start = min(node_steps, key=lambda i: len(candidates[i]))
            return start, candidates[start]
        start = min(pinned, key=lambda i: len(pinned[i]))
        if pinned[start]:
            for index in range(0, start, 2):
                ids = self._candidates(graph, index, bound, limit=2)
                if len(ids) < 2:
                    return index, ids
        return start, pinned[start]

    def run(self, graph, bound, base=None):
        """Every way the path matches: dicts name -> node or relationship id (each a copy of `base` plus the path's
        names, if given: what match() joins)."""
        if len(self.steps) % 2 == 0:
            raise QueryError("a path must end with a node() step")
        start, start_ids = self._start(graph, bound)
        plan = [(i, 1) for i in range(start, len(self.steps) - 1, 2)] + [
            (i, -1) for i in range(start, 0, -2)
        ]
        hops = [self._hop(graph, index, way, bound) for index, way in plan]
        names = [(i, step.name) for i, step in enumerate(self.steps) if step.name]
        unique = len({name for _i, name in names}) == len(names)
        results = []
        assign = [None] * len(self.steps)
        for node_id in start_ids:
            assign[start] = node_id
            self._extend(graph, hops, 0, assign, names, unique, base or {}, results)
        return results

    def _hop(self, graph, index, way, bound):
        """What `_extend` needs to go from node step `index` to the next one in direction `way` (1 or -1)."""
        rel_step, node_step = self.steps[index + way], self.steps[index + 2 * way]
        forward = (rel_step.direction == "out") == (way == 1)
        if rel_step.type is None:
            adjacency, typed = (graph.out_rels if forward else graph.in_rels), None
        else:
            adjacency, typed = (graph.out_typed if forward else graph.in_typed), rel_step.type
        return (
            index,
            way,
            adjacency,
            typed,
            rel_step.filters,
            bound.get(rel_step.name, _ANY) if rel_step.name else _ANY,
            node_step.type,
            node_step.filters,
            bound.get(node_step.name, _ANY) if node_step.name else _ANY,
        )

    def _extend(self, graph, hops, k, assign, names, unique, base, results):
        if k == len(hops):
            if unique:
                row = base.copy()
                for i, name in names:
                    row[name] = assign[i]
                results.append(row)
                return
            row = {}
            for i, name in names:
                if row.get(name, assign[i]) != assign[i]:
                    return
                row[name] = assign[i]
            results.append({**base, **row})
            return
        (
            index,
            way,
            adjacency,
            typed,
            rel_filters,
            rel_bound,
            node_type,
            node_filters,
            node_bound,
        ) = hops[k]
        key = assign[index] if typed is None else (assign[index], typed)
        nodes = graph.nodes
        for rel_id, other_id in adjacency.get(key, _NONE).items():
            if rel_filters and not _matches(graph.rels[rel_id], None, rel_filters):
                continue
            if rel_bound is not _ANY and rel_bound != rel_id:
                continue
            if node_bound is not _ANY and node_bound != other_id:
                continue
            other = nodes[other_id]
            if node_type is not None and other["type"] != node_type:
                continue
            if node_filters and not _matches(other, None, node_filters):
                continue
            assign[index + way], assign[index + 2 * way] = rel_id, other_id
            self._extend(graph, hops, k + 1, assign, names, unique, base, results)


class Match:
    def __init__(self, parts):
        self.parts = parts
        self.filters = []
        self.distinct = None

    def run(self, graph, bound):
        rows = [dict(bound)]
        for path, optional in self.parts:
            joined = []
            names = path.names
            for row in rows:
                found = path.run(graph, row, base=row)  # rows: this row joined with each match
                if path.filters:
                    found = [r for r in found if accepts(path.filters, graph, r)]
                joined.extend(found)
                if not found and optional:
                    joined.append({**row, **{name: None for name in names if name not in row}})
            rows = joined
        return rows


class _Lambda:
    """A where() lambda, evaluated by walking its AST against a whitelist."""

    def __init__(self, node):
        if node.args.vararg or node.args.kwarg or node.args.kwonlyargs:
            raise QueryError("where() lambdas take plain named arguments")
        self.params = [a.arg for a in node.args.args]
        self.body = node.body

    def __call__(self, objects):
        return bool(self._eval(self.body, objects))

    def _eval(self, node, env):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            raise QueryError("unknown name %r in where()" % node.id)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return [self._eval(e, env) for e in node.elts]
        if isinstance(node, ast.BoolOp):
            values = (self._eval(v, env) for v in node.values)
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not self._eval(node.operand, env)
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, env)
            for op, comparator in zip(node.ops, node.comparators):
                right = self._eval(comparator, env)
                try:
                    if not _COMPARE[type(op)](left, right):
                        return False
                except TypeError:
                    return False
                left = right
            return True
        if isinstance(node, ast.Subscript):
            return self._get(self._eval(node.value, env), self._eval(node.slice, env))
        if isinstance(node, ast.Attribute):
            return self._get(self._eval(node.value, env), node.attr)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "len"
            and len(node.args) == 1
        ):
            value = self._eval(node.args[0], env)
            return len(value) if value is not None else 0
        raise QueryError("unsupported expression in where(): %s" % type(node).__name__)

    @staticmethod
    def _get(obj, key):
        if isinstance(obj, dict):
            return obj.get(key)
        if isinstance(obj, list) and isinstance(key, int):
            return obj[key] if -len(obj) <= key < len(obj) else None
        return None


class Query:
    def __init__(self, text):
        if not isinstance(text, str) or not text.strip():
            raise QueryError("query must be a non-empty string")
        try:
            tree = ast.parse("(" + text.strip() + "\n)", mode="eval")
        except SyntaxError as exc:
            raise QueryError("invalid query syntax: %s" % exc.msg)
        self.root = self._build(tree.body)
        if not isinstance(self.root, (Path, Match)):
            raise QueryError("a query is a node() path or a match()")

    def _value(self, node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return [self._value(e) for e in node.elts]
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
        ):
            return -node.operand.value
        if isinstance(node, ast.Lambda):
            return _Lambda(node)
        return self._build(node)

    def _build(self, node):
        if not isinstance(node, ast.Call):
            raise QueryError("unsupported syntax: %s" % type(node).__name__)
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            raise QueryError("*args and **kwargs are not supported")
        args = [self._value(a) for a in node.args]
        kwargs = {k.arg: self._value(k.value) for k in node.keywords}
        if isinstance(node.func, ast.Name):
            return self._function(node.func.id, args, kwargs)
        if isinstance(node.func, ast.Attribute):
            return self._method(self._build(node.func.value), node.func.attr, args, kwargs)
        raise QueryError("unsupported call")

    @staticmethod
    def _function(name, args, kwargs):
        if name == "node":
            return Path(Step("node", args, kwargs))
        if name == "match":
            parts = []
            for arg in args:
                optional = isinstance(arg, tuple)
                path = arg[1] if optional else arg
                if not isinstance(path, Path):
                    raise QueryError("match() takes node() paths and optional() paths")
                parts.append((path, optional))
            if not parts or kwargs:
                raise QueryError("match() takes one or more paths")
            return Match(parts)
        if name == "optional":
            if len(args) != 1 or not isinstance(args[0], Path) or kwargs:
                raise QueryError("optional() takes one path")
            return ("optional", args[0])
        if name in ("is_in", "not_in", "not_none", "is_none", "eq", "ne", "gt", "ge", "lt", "le"):
            return Predicate(name, args)
        raise QueryError("unknown function %s()" % name)

    @staticmethod
    def _method(target, name, args, kwargs):
        if isinstance(target, Path) and name in ("node", "out", "in_"):
            if name == "node":
                return target.add(Step("node", args, kwargs))
            return target.add(Step("rel", args, kwargs, direction="out" if name == "out" else "in"))
        if isinstance(target, (Path, Match)) and name == "where":
            if len(args) != 1 or not isinstance(args[0], _Lambda):
                raise QueryError("where() takes one lambda")
            target.filters.append(args[0])
            return target
        if isinstance(target, (Path, Match)) and name == "ensure_different":
            if not all(isinstance(a, str) for a in args):
                raise QueryError("ensure_different() takes names")
            target.filters.append(
                lambda objects, names=tuple(args): len(
                    {(objects.get(n) or {}).get("id") for n in names}
                )
                == len(names)
            )
            return target
        if isinstance(target, Match) and name == "distinct":
            names = args[0] if args else []
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise QueryError("distinct() takes a list of names")
            target.distinct = names
            return target
        raise QueryError("unsupported method .%s()" % name)

    def run(self, graph):
        """Items as Apstra answers them: one dict per match, name -> node/relationship (or None)."""
        items = []
        seen = set()
        filters = self.root.filters
        distinct = getattr(self.root, "distinct", None)
        nodes, rels = graph.nodes, graph.rels
        for row in self.root.run(graph, {}):
            if filters and not accepts(filters, graph, row):
                continue
            if distinct:
                key = tuple(row.get(n) for n in distinct)
                if key in seen:
                    continue
                seen.add(key)
            # the row is this query's own dict (see Match.run, Path.run): its ids become the objects in place
            for name, obj_id in row.items():
                row[name] = (nodes.get(obj_id) or rels.get(obj_id)) if obj_id else None
            items.append({n: row.get(n) for n in distinct} if distinct else row)
        return items


class Answer(dict):
    """A query's answer, {"count": N, "items": [...]}, that knows a faster way to its JSON: the same bytes as
    `json.dumps(answer).encode()`, with the text of each node (or relationship) made once however many items name it
    (a template, its interface and the interface's owner appear in thousands of items), and the whole written by one
    join of those shared pieces (no text per item: a million items make 1.2 GB of JSON)."""

    def __init__(self, items):
        super().__init__(count=len(items), items=items)

    def to_json_bytes(self):
        if list(self) != ["count", "items"] or not isinstance(self["items"], list):
            return json.dumps(self).encode()
        dumps = json.dumps
        texts = {}  # id(object) -> its JSON; the objects live in the items while this runs
        # key -> the bytes before its value: opening an item, or after an earlier key (no tuple keys: they are
        # objects the garbage collector tracks, millions of them)
        openers, followers = {}, {}
        pieces = [b'{"count": ' + dumps(self["count"]).encode() + b', "items": [']
        append = pieces.append
        first_item = True
        for item in self["items"]:
            if not first_item:
                append(b", ")
            first_item = False
            if not isinstance(item, dict) or not item:
                append(dumps(item).encode())
                continue
            prefixes = openers
            for key, value in item.items():
                prefix = prefixes.get(key)
                if prefix is None:
                    prefix = prefixes[key] = (b"{" if prefixes is openers else b", ") + (
                        dumps(key) + ": "
                    ).encode()
                append(prefix)
                prefixes = followers
                if value is None:
                    append(b"null")
                    continue
                text = texts.get(id(value))
                if text is None:
                    text = texts[id(value)] = dumps(value).encode()
                append(text)
            append(b"}")
        append(b"]}")
        return b"".join(pieces)

    def to_json(self):
        return self.to_json_bytes().decode()


def _objects(graph, row):
    return {
        name: (graph.nodes.get(obj_id) or graph.rels.get(obj_id)) if obj_id else None
        for name, obj_id in row.items()
    }


def accepts(filters, graph, row):
    if not filters:
        return True
    objects = _Env(_objects(graph, row))
    return all(check(objects) for check in filters)


class _Env(dict):
    """Lambda arguments: the named objects (missing names are None)."""

    def __missing__(self, key):
        return None

    def __contains__(self, key):
        return True


def run_query(text, graph):
    return Query(text).run(graph)
