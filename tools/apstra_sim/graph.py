"""The blueprint graph: nodes and relationships, indexed by type and by endpoint for fast traversal."""

import hashlib
import itertools

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# stable_id's base-62 digits, least significant first, taken in chunks: the same characters as one divmod per digit.
_PAIRS = [_ALPHABET[r % 62] + _ALPHABET[r // 62] for r in range(62 * 62)]
_FIVE = 62**5
_TEN = 62**10
_TWENTY = 62**20
_sha256 = hashlib.sha256
# Every graph change takes a new stamp from here (a copy too): a value derived from a graph holds while its stamp does.
_STAMPS = itertools.count(1)


def _id_of(text):
    """The 20 base-62 digits (least significant first) of the first 15 bytes of the SHA-256 of `text`: the number
    is cut in four chunks of five digits, each written as two pairs and one digit (the same characters as twenty
    divmods by 62, in a quarter of the time)."""
    number = int.from_bytes(_sha256(text.encode()).digest()[:15], "big") % _TWENTY
    high, low = divmod(number, _TEN)
    second, first = divmod(low, _FIVE)
    fourth, third = divmod(high, _FIVE)
    rest1, pair1 = divmod(first, 3844)
    top1, middle1 = divmod(rest1, 3844)
    rest2, pair2 = divmod(second, 3844)
    top2, middle2 = divmod(rest2, 3844)
    rest3, pair3 = divmod(third, 3844)
    top3, middle3 = divmod(rest3, 3844)
    rest4, pair4 = divmod(fourth, 3844)
    top4, middle4 = divmod(rest4, 3844)
    return "".join(
        (
            _PAIRS[pair1],
            _PAIRS[middle1],
            _ALPHABET[top1],
            _PAIRS[pair2],
            _PAIRS[middle2],
            _ALPHABET[top2],
            _PAIRS[pair3],
            _PAIRS[middle3],
            _ALPHABET[top3],
            _PAIRS[pair4],
            _PAIRS[middle4],
            _ALPHABET[top4],
        )
    )


def stable_id(*parts):
    """An opaque 20-character id derived from `parts`, the same on every run (Apstra ids look alike): the parts
    joined by \x1f, hashed (see `_id_of`)."""
    return _id_of("\x1f".join(map(str, parts)))


class _Inner(dict):
    """An inner dict of an index, stamped with the token of the graph that may change it in place."""

    __slots__ = ("owner",)


class Graph:
    """Nodes are dicts with `id` and `type`; relationships add `source_id` and `target_id`.

    Stored dicts are never mutated in place (updates replace them), so `copy()` can share them. The indexes map a key
    to an inner dict {id: other end's id (None in `by_type`)}, in insertion order; `copy()` shares the inner dicts
    too and each graph copies one before its first change to it (copy on write), so a copy costs a few dict copies
    and the graph's changes afterwards what they touch. `stamp` changes with every change (see `derived`).
    """

    _INDEXES = ("by_type", "out_rels", "in_rels", "out_typed", "in_typed")

    def __init__(self):
        self.nodes = {}
        self.rels = {}
        self.by_type = {}
        self.out_rels = {}
        self.in_rels = {}
        # (node id, relationship type) -> {relationship id: other end}: targets()/sources() of one type without a scan
        self.out_typed = {}
        self.in_typed = {}
        self._token = object()  # inner dicts stamped with it are this graph's own (see _inner)
        self._derived = {}
        self.stamp = next(_STAMPS)

    def copy(self):
        other = Graph()
        other.nodes = dict(self.nodes)
        other.rels = dict(self.rels)
        for name in self._INDEXES:
            setattr(other, name, dict(getattr(self, name)))
        # the inner dicts are shared now: both graphs copy one before changing it
        self._token = object()
        self.stamp = next(_STAMPS)
        return other

    def _inner(self, name, key):
        """The inner dict of index `name` at `key`, this graph's own (created, or copied if shared), to change."""
        index = getattr(self, name)
        inner = index.get(key)
        if inner is None or inner.owner is not self._token:
            inner = index[key] = _Inner(() if inner is None else inner)
            inner.owner = self._token
        return inner

    def derived(self, key, build):
        """`build()`, computed once per state of the graph: kept under `key` until the graph changes."""
        stamp, value = self._derived.get(key, (None, None))
        if stamp != self.stamp:
            value = build()
            self._derived[key] = (self.stamp, value)
        return value

    def add_node(self, node_type, node_id, **props):
        node = dict(props, id=node_id, type=node_type)
        self.nodes[node_id] = node
        if node_id not in self.by_type.get(node_type, ()):
            self._inner("by_type", node_type)[node_id] = None
        self.stamp = next(_STAMPS)
        return node

    def del_node(self, node_id):
        for rel_id in list(self.out_rels.get(node_id, {})) + list(self.in_rels.get(node_id, {})):
            self.del_rel(rel_id)
        node = self.nodes.pop(node_id)
        self._inner("by_type", node["type"]).pop(node_id, None)
        self.out_rels.pop(node_id, None)
        self.in_rels.pop(node_id, None)
        self.stamp = next(_STAMPS)

    def add_rel(self, rel_type, source_id, target_id, **props):
        return self.add_rels([(rel_type, source_id, target_id)], props)[0]

    def add_rels(self, triples, props=None):
        """Add relationships given as (type, source id, target id), in order; returns their ids."""
        rels, token = self.rels, self._token
        out_rels, in_rels, out_typed, in_typed = (
            self.out_rels,
            self.in_rels,
            self.out_typed,
            self.in_typed,
        )
        ids = []
        for rel_type, source_id, target_id in triples:
            rel_id = _id_of("rel\x1f%s\x1f%s\x1f%s" % (rel_type, source_id, target_id))
            if props:
                rel = dict(
                    props, id=rel_id, type=rel_type, source_id=source_id, target_id=target_id
                )
            else:
                rel = {
                    "id": rel_id,
                    "type": rel_type,
                    "source_id": source_id,
                    "target_id": target_id,
                }
            rels[rel_id] = rel
            # the four index entries, each inner dict as _inner gives it (unrolled: batches add millions of these)
            inner = out_rels.get(source_id)
            if inner is None or inner.owner is not token:
                inner = out_rels[source_id] = _Inner(() if inner is None else inner)
                inner.owner = token
            inner[rel_id] = target_id
            inner = in_rels.get(target_id)
            if inner is None or inner.owner is not token:
                inner = in_rels[target_id] = _Inner(() if inner is None else inner)
                inner.owner = token
            inner[rel_id] = source_id
            key = (source_id, rel_type)
            inner = out_typed.get(key)
            if inner is None or inner.owner is not token:
                inner = out_typed[key] = _Inner(() if inner is None else inner)
                inner.owner = token
            inner[rel_id] = target_id
            key = (target_id, rel_type)
            inner = in_typed.get(key)
            if inner is None or inner.owner is not token:
                inner = in_typed[key] = _Inner(() if inner is None else inner)
                inner.owner = token
            inner[rel_id] = source_id
            ids.append(rel_id)
        self.stamp = next(_STAMPS)
        return ids

    def del_rel(self, rel_id):
        rel = self.rels.pop(rel_id, None)
        if rel:
            source, target, rel_type = rel["source_id"], rel["target_id"], rel["type"]
            for name, key in (
                ("out_rels", source),
                ("in_rels", target),
                ("out_typed", (source, rel_type)),
                ("in_typed", (target, rel_type)),
            ):
                if rel_id in getattr(self, name).get(key, ()):
                    self._inner(name, key).pop(rel_id)
            self.stamp = next(_STAMPS)

    def of_type(self, node_type):
        return [self.nodes[node_id] for node_id in self.by_type.get(node_type, {})]

    def out(self, node_id, rel_type=None):
        """(relationship, target node) pairs leaving `node_id`."""
        ids = (
            self.out_rels.get(node_id, {})
            if rel_type is None
            else self.out_typed.get((node_id, rel_type), {})
        )
        rels, nodes = self.rels, self.nodes
        return [(rels[r], nodes[other]) for r, other in ids.items()]

    def in_(self, node_id, rel_type=None):
        """(relationship, source node) pairs arriving at `node_id`."""
        ids = (
            self.in_rels.get(node_id, {})
            if rel_type is None
            else self.in_typed.get((node_id, rel_type), {})
        )
        rels, nodes = self.rels, self.nodes
        return [(rels[r], nodes[other]) for r, other in ids.items()]

    def targets(self, node_id, rel_type):
        nodes = self.nodes
        return [nodes[other] for other in self.out_typed.get((node_id, rel_type), {}).values()]

    def sources(self, node_id, rel_type):
        nodes = self.nodes
        return [nodes[other] for other in self.in_typed.get((node_id, rel_type), {}).values()]

    def has_sources(self, node_id, rel_type):
        """Whether a relationship of that type arrives at `node_id` (sources() without the list)."""
        return bool(self.in_typed.get((node_id, rel_type)))

    def adjacent(self, node_id, rel_type, forward):
        """{relationship id: other end's id} of the relationships of `rel_type` leaving (forward) or arriving at it."""
        index = self.out_typed if forward else self.in_typed
        return index.get((node_id, rel_type), {})
