"""The blueprint graph: nodes and relationships, indexed by type and by endpoint for fast traversal."""

import hashlib

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def stable_id(*parts):
    """An opaque 20-character id derived from `parts`, the same on every run (Apstra ids look alike)."""
    number = int.from_bytes(
        hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()[:15], "big"
    )
    chars = []
    for _position in range(20):
        number, rest = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[rest])
    return "".join(chars)


class Graph:
    """Nodes are dicts with `id` and `type`; relationships add `source_id` and `target_id`.

    Stored dicts are never mutated in place (updates replace them), so `copy()` can share them.
    """

    def __init__(self):
        self.nodes = {}
        self.rels = {}
        self.by_type = {}
        self.out_rels = {}
        self.in_rels = {}
        # (node id, relationship type) -> relationship ids: targets()/sources() of one type without a scan
        self.out_typed = {}
        self.in_typed = {}

    def copy(self):
        other = Graph()
        other.nodes = dict(self.nodes)
        other.rels = dict(self.rels)
        other.by_type = {key: dict(value) for key, value in self.by_type.items()}
        other.out_rels = {key: dict(value) for key, value in self.out_rels.items()}
        other.in_rels = {key: dict(value) for key, value in self.in_rels.items()}
        other.out_typed = {key: dict(value) for key, value in self.out_typed.items()}
        other.in_typed = {key: dict(value) for key, value in self.in_typed.items()}
        return other

    def add_node(self, node_type, node_id, **props):
        node = dict(props, id=node_id, type=node_type)
        self.nodes[node_id] = node
        self.by_type.setdefault(node_type, {})[node_id] = None
        return node

    def del_node(self, node_id):
        for rel_id in list(self.out_rels.get(node_id, {})) + list(self.in_rels.get(node_id, {})):
            self.del_rel(rel_id)
        node = self.nodes.pop(node_id)
        self.by_type[node["type"]].pop(node_id, None)
        self.out_rels.pop(node_id, None)
        self.in_rels.pop(node_id, None)

    def add_rel(self, rel_type, source_id, target_id, **props):
        rel_id = stable_id("rel", rel_type, source_id, target_id)
        self.rels[rel_id] = dict(
            props, id=rel_id, type=rel_type, source_id=source_id, target_id=target_id
        )
        self.out_rels.setdefault(source_id, {})[rel_id] = None
        self.in_rels.setdefault(target_id, {})[rel_id] = None
        self.out_typed.setdefault((source_id, rel_type), {})[rel_id] = None
        self.in_typed.setdefault((target_id, rel_type), {})[rel_id] = None
        return rel_id

    def del_rel(self, rel_id):
        rel = self.rels.pop(rel_id, None)
        if rel:
            self.out_rels.get(rel["source_id"], {}).pop(rel_id, None)
            self.in_rels.get(rel["target_id"], {}).pop(rel_id, None)
            self.out_typed.get((rel["source_id"], rel["type"]), {}).pop(rel_id, None)
            self.in_typed.get((rel["target_id"], rel["type"]), {}).pop(rel_id, None)

    def of_type(self, node_type):
        return [self.nodes[node_id] for node_id in self.by_type.get(node_type, {})]

    def out(self, node_id, rel_type=None):
        """(relationship, target node) pairs leaving `node_id`."""
        ids = (
            self.out_rels.get(node_id, {})
            if rel_type is None
            else self.out_typed.get((node_id, rel_type), {})
        )
        return [(rel, self.nodes[rel["target_id"]]) for rel in (self.rels[r] for r in ids)]

    def in_(self, node_id, rel_type=None):
        """(relationship, source node) pairs arriving at `node_id`."""
        ids = (
            self.in_rels.get(node_id, {})
            if rel_type is None
            else self.in_typed.get((node_id, rel_type), {})
        )
        return [(rel, self.nodes[rel["source_id"]]) for rel in (self.rels[r] for r in ids)]

    def targets(self, node_id, rel_type):
        return [node for _rel, node in self.out(node_id, rel_type)]

    def sources(self, node_id, rel_type):
        return [node for _rel, node in self.in_(node_id, rel_type)]
