"""Fault injection rules and the request log behind the `/_sim/` control API."""

import random
import re
import threading

TYPES = ("latency", "error", "drop", "conflict", "gone", "cut_watch")
_DEFAULT_VERBS = {"conflict": ("update", "patch"), "gone": ("list", "watch"), "cut_watch": ("watch",)}
_KEYS = {"type", "method", "path", "verb", "resource", "nth", "times", "fraction", "seed", "status", "message", "seconds",
         "after_events"}


class Rule:
    """One fault rule; see README.md for the format."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault rule must be an object")
        unknown = set(spec) - _KEYS
        if unknown:
            raise ValueError("unknown fault rule keys: %s" % ", ".join(sorted(unknown)))
        self.type = spec.get("type", "error")
        if self.type not in TYPES:
            raise ValueError("fault type must be one of %s" % ", ".join(TYPES))
        self.spec = dict(spec)
        self.method = spec.get("method", "").upper() or None
        self.path = re.compile(spec["path"]) if spec.get("path") else None
        verbs = spec.get("verb")
        self.verbs = (verbs,) if isinstance(verbs, str) else tuple(verbs or _DEFAULT_VERBS.get(self.type, ()))
        self.resource = spec.get("resource")
        self.nth = spec.get("nth")
        self.times = spec.get("times", 1 if self.nth else None)
        self.fraction = spec.get("fraction")
        self.rng = random.Random(spec.get("seed"))
        self.status = int(spec.get("status", {"conflict": 409, "gone": 410}.get(self.type, 500)))
        self.message = spec.get("message")
        self.seconds = float(spec.get("seconds", 1.0 if self.type == "latency" else 0))
        self.after_events = int(spec.get("after_events", 0))
        self.seen = 0
        self.fired = 0

    def matches(self, ctx):
        return ((self.method is None or ctx["method"] == self.method)
                and (self.path is None or self.path.search(ctx["path"]))
                and (not self.verbs or ctx.get("verb") in self.verbs)
                and (self.resource is None or ctx.get("resource") == self.resource))

    def trigger(self):
        """Count a matching call; True if the fault fires on it."""
        self.seen += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.nth is not None and self.seen < self.nth:
            return False
        if self.fraction is not None and self.rng.random() >= self.fraction:
            return False
        self.fired += 1
        return True

    def describe(self):
        return dict(self.spec, type=self.type, seen=self.seen, fired=self.fired)


class Faults:
    """The active rules; every matching rule that fires applies (latency first, then the first failure)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []

    def add(self, specs):
        rules = [Rule(s) for s in (specs if isinstance(specs, list) else [specs])]
        with self._lock:
            self._rules.extend(rules)
        return len(rules)

    def clear(self):
        with self._lock:
            self._rules = []

    def describe(self):
        with self._lock:
            return [r.describe() for r in self._rules]

    def fire(self, ctx):
        """The rules that fire for this request."""
        with self._lock:
            return [r for r in self._rules if r.matches(ctx) and r.trigger()]


class RequestLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def add(self, entry):
        with self._lock:
            self._entries.append(entry)

    def entries(self):
        with self._lock:
            return list(self._entries)

    def clear(self):
        with self._lock:
            self._entries = []
