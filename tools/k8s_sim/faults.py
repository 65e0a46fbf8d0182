"""Fault injection rules and the request log behind the `/_sim/` control API."""

import random
import re
import threading

ACTIONS = ("latency", "error", "reset", "conflict", "gone", "cut_watch")
_DEFAULT_VERBS = {"conflict": ("update", "patch"), "gone": ("list", "watch"), "cut_watch": ("watch",)}
_KEYS = {"action", "method", "path", "verb", "resource", "nth", "times", "probability", "status", "message", "seconds", "after_events"}


class Rule:
    """One fault rule; see README.md for the format."""

    def __init__(self, spec, rng):
        if not isinstance(spec, dict):
            raise ValueError("a fault rule must be an object")
        unknown = set(spec) - _KEYS
        if unknown:
            raise ValueError("unknown fault rule keys: %s" % ", ".join(sorted(unknown)))
        self.action = spec.get("action")
        if self.action not in ACTIONS:
            raise ValueError("fault action must be one of %s" % ", ".join(ACTIONS))
        self.spec = dict(spec)
        self.method = spec.get("method", "").upper() or None
        try:
            self.path = re.compile(spec["path"]) if spec.get("path") else None
        except re.error as exc:
            raise ValueError("bad path regex: %s" % exc) from exc
        verbs = spec.get("verb")
        self.verbs = (verbs,) if isinstance(verbs, str) else tuple(verbs or _DEFAULT_VERBS.get(self.action, ()))
        self.resource = spec.get("resource")
        self.nth = spec.get("nth")
        self.times = spec.get("times", 1 if self.nth else None)
        self.probability = spec.get("probability")
        self.rng = rng
        self.status = int(spec.get("status", 500))
        self.message = spec.get("message")
        self.seconds = float(spec.get("seconds", 0.1))
        self.after_events = int(spec.get("after_events", 0))
        self.matched = 0
        self.fired = 0

    def matches(self, ctx):
        return ((self.method is None or ctx["method"] == self.method)
                and (self.path is None or self.path.search(ctx["path"]))
                and (not self.verbs or ctx.get("verb") in self.verbs)
                and (self.resource is None or ctx.get("resource") == self.resource))

    def trigger(self):
        """Count a matching call; True if the fault fires on it."""
        self.matched += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.nth is not None and self.matched < self.nth:
            return False
        if self.probability is not None and self.rng.random() >= self.probability:
            return False
        self.fired += 1
        return True

    def describe(self):
        return dict(self.spec, matched=self.matched, fired=self.fired)


class Faults:
    """The active rules; every matching rule that fires applies (latency first, then the first failure)."""

    def __init__(self, seed=None):
        self._lock = threading.Lock()
        self._rules = []
        self._rng = random.Random(seed)

    def add(self, specs):
        """Add a rule, a list of rules, or {"seed": N, "rules": [...]} (reseeds the RNG behind `probability`)."""
        if isinstance(specs, dict) and "rules" in specs:
            with self._lock:
                self._rng.seed(specs.get("seed"))
            specs = specs["rules"]
        rules = [Rule(s, self._rng) for s in (specs if isinstance(specs, list) else [specs])]
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
