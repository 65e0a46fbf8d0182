"""Fault injection: rules that match calls by method and path and fire on the Nth call, a seeded fraction, or always.

Rule format (JSON), see README.md: {"action": ..., "method": "PUT", "path": "regex", "nth": N | "probability": p,
"times": T, ...action options}.
"""

import random
import re
import threading

from apstra_sim.errors import BadRequest

ACTIONS = {
    "error": ("status", "body"),
    "reset": (),
    "latency": ("seconds",),
    "throttle": ("retry_after",),
    "expire_token": (),
    "bump_version": ("username",),
    "lock": ("username", "seconds"),
    "deploy_fail": ("message",),
}
COMMON = ("action", "method", "path", "nth", "probability", "times")
# Actions that change state fire once unless told otherwise; a failing deploy targets deploy calls.
ONCE_DEFAULTS = {"expire_token": {}, "bump_version": {}, "lock": {}, "deploy_fail": {"method": "PUT", "path": "/deploy$"}}


class Rule:
    def __init__(self, spec):
        if not isinstance(spec, dict) or spec.get("action") not in ACTIONS:
            raise BadRequest("a fault rule is an object whose action is one of: %s" % ", ".join(sorted(ACTIONS)))
        unknown = set(spec) - set(COMMON) - set(ACTIONS[spec["action"]])
        if unknown:
            raise BadRequest("unknown fault rule option(s) for %s: %s" % (spec["action"], ", ".join(sorted(unknown))))
        self.spec = dict(spec)
        self.action = spec["action"]
        defaults = ONCE_DEFAULTS.get(self.action, {})
        self.method = (spec.get("method") or defaults.get("method") or "").upper() or None
        try:
            self.path = re.compile(spec.get("path") or defaults.get("path") or "")
        except re.error as exc:
            raise BadRequest("invalid path regex: %s" % exc)
        self.nth = spec.get("nth")
        self.probability = spec.get("probability")
        if self.nth is not None and (not isinstance(self.nth, int) or self.nth < 1):
            raise BadRequest("nth must be a positive integer")
        if self.probability is not None and not (isinstance(self.probability, (int, float)) and 0 <= self.probability <= 1):
            raise BadRequest("probability must be between 0 and 1")
        self.times = spec.get("times", 1 if self.nth is not None or self.action in ONCE_DEFAULTS else None)
        self.status = int(spec.get("status", 503))
        self.body = spec.get("body", {"errors": "Simulated fault: HTTP %d" % self.status})
        self.seconds = float(spec.get("seconds", 0.1 if self.action == "latency" else 0) or 0)
        self.retry_after = spec.get("retry_after", 1)
        self.username = spec.get("username", "operator")
        self.message = spec.get("message", "Simulated deploy failure: device configuration was rejected")
        self.matched = 0
        self.fired = 0

    def check(self, method, path, rng):
        if (self.method and self.method != method) or not self.path.search(path):
            return False
        self.matched += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.nth is not None:
            fire = self.matched >= self.nth
        elif self.probability is not None:
            fire = rng.random() < self.probability
        else:
            fire = True
        if fire:
            self.fired += 1
        return fire

    def to_json(self):
        return dict(self.spec, matched=self.matched, fired=self.fired)


class Faults:
    """The active rules and the seeded RNG that decides fractional faults."""

    def __init__(self, rules=None, seed=0):
        self.seed = seed
        self.rng = random.Random(seed)
        self.rules = []
        self.lock = threading.Lock()
        if rules:
            self.add(rules)

    def add(self, payload):
        """Add rules from a list, one rule object, or {"seed": N, "rules": [...]}."""
        if isinstance(payload, dict) and "rules" in payload:
            if "seed" in payload:
                with self.lock:
                    self.seed = payload["seed"]
                    self.rng = random.Random(self.seed)
            payload = payload["rules"]
        specs = payload if isinstance(payload, list) else [payload]
        rules = [Rule(spec) for spec in specs]
        with self.lock:
            self.rules.extend(rules)
        return rules

    def clear(self):
        with self.lock:
            self.rules = []
            self.rng = random.Random(self.seed)

    def fire(self, method, path):
        with self.lock:
            return [rule for rule in self.rules if rule.check(method, path, self.rng)]

    def to_json(self):
        with self.lock:
            return {"seed": self.seed, "rules": [rule.to_json() for rule in self.rules]}
