"""Fault rules: match a call by method, path (and emulator-specific keys), fire on the Nth call, a seeded fraction or
always, and say what the call becomes.

Rule format (JSON, see tools/apstra_sim/README.md): {"action": ..., "method": "PUT", "path": "regex", "nth": N,
"probability": p, "times": T, ...action options}. Both emulators understand the common actions below; each adds its own
(`Action` objects) when it builds its `FaultSet`.
"""

import random
import re
import threading

COMMON_KEYS = ("action", "method", "path", "nth", "probability", "times")

# What an action does to the call it fires on.
DELAY = "delay"  # wait, then go on
DROP = "drop"  # drop the connection before handling the call
DROP_AFTER = "drop_after"  # handle the call fully (state changes), then drop the connection without answering
ANSWER = "answer"  # answer instead of the call (the emulator renders the answer)
EFFECT = (
    "effect"  # the emulator applies a side effect or hands a flag to its handler; the call goes on
)


class FaultRuleError(ValueError):
    """A rule that cannot be used: the control API answers 400 with the message."""


class Action:
    """A fault action: its option names, what it does to the call, and its defaults.

    `once`: fires once unless the rule says `times` (actions that change state). `defaults`: match keys used when the rule
    leaves them out (e.g. a failing deploy matches `PUT .../deploy`, a k8s conflict matches update and patch).
    """

    def __init__(self, name, options=(), kind=EFFECT, once=False, defaults=None):
        self.name = name
        self.options = tuple(options)
        self.kind = kind
        self.once = once
        self.defaults = dict(defaults or {})


COMMON_ACTIONS = {
    "error": Action("error", ("status", "body", "message"), ANSWER),
    "throttle": Action("throttle", ("retry_after",), ANSWER),
    "reset": Action("reset", (), DROP),
    "reset_after": Action("reset_after", (), DROP_AFTER),
    "latency": Action("latency", ("seconds",), DELAY),
}


def _number(spec, key, low=0.0):
    value = spec.get(key)
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or value < low
    ):
        raise FaultRuleError("%s must be a number >= %s" % (key, low))
    return value


class Rule:
    """One fault rule and its counters: `matched` (calls it matched) and `fired` (calls it fired on)."""

    def __init__(self, spec, actions, match_keys=()):
        if not isinstance(spec, dict) or spec.get("action") not in actions:
            raise FaultRuleError(
                "a fault rule is an object whose action is one of: %s" % ", ".join(sorted(actions))
            )
        action = actions[spec["action"]]
        unknown = set(spec) - set(COMMON_KEYS) - set(match_keys) - set(action.options)
        if unknown:
            raise FaultRuleError(
                "unknown fault rule option(s) for %s: %s"
                % (action.name, ", ".join(sorted(unknown)))
            )
        self.spec = dict(spec)
        self.action = action.name
        self.kind = action.kind
        self.options = {key: spec[key] for key in action.options if key in spec}
        method = spec["method"] if "method" in spec else action.defaults.get("method")
        if method is not None and not isinstance(method, str):
            raise FaultRuleError("method must be a string")
        self.method = (method or "").upper() or None
        path = spec["path"] if "path" in spec else action.defaults.get("path")
        try:
            self.path = re.compile(path or "")
        except (re.error, TypeError) as exc:
            raise FaultRuleError("invalid path regex: %s" % exc) from exc
        self.keys = {}
        for key in match_keys:
            wanted = spec.get(key, action.defaults.get(key))
            if wanted is not None:
                self.keys[key] = (wanted,) if isinstance(wanted, str) else tuple(wanted)
        self.nth = spec.get("nth")
        if self.nth is not None and (
            isinstance(self.nth, bool) or not isinstance(self.nth, int) or self.nth < 1
        ):
            raise FaultRuleError("nth must be a positive integer")
        self.probability = _number(spec, "probability")
        if self.probability is not None and self.probability > 1:
            raise FaultRuleError("probability must be between 0 and 1")
        self.times = spec.get("times", 1 if self.nth is not None or action.once else None)
        if self.times is not None and (
            isinstance(self.times, bool) or not isinstance(self.times, int) or self.times < 0
        ):
            raise FaultRuleError("times must be an integer >= 0")
        status = self.options.get("status")
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599
        ):
            raise FaultRuleError("status must be an HTTP status code")
        _number(self.options, "seconds")
        _number(self.options, "retry_after")
        self.matched = 0
        self.fired = 0

    def option(self, name, default=None):
        return self.options.get(name, default)

    @property
    def seconds(self):
        """The delay of a latency rule (default 0.1 s)."""
        return float(self.options.get("seconds", 0.1))

    def matches(self, ctx):
        return (
            (self.method is None or ctx.get("method") == self.method)
            and bool(self.path.search(ctx.get("path", "")))
            and all(ctx.get(key) in wanted for key, wanted in self.keys.items())
        )

    def trigger(self, rng):
        """Count a matching call; True when the rule fires on it."""
        self.matched += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.nth is not None and self.matched < self.nth:
            return False
        if self.probability is not None and rng.random() >= self.probability:
            return False
        self.fired += 1
        return True

    def to_json(self):
        return dict(self.spec, matched=self.matched, fired=self.fired)


class Outcome:
    """What the rules that fired on one call make of it.

    Latencies add up (`delay`); `effects` are the emulator's own non-answering actions in rule order; `failure` is the
    first rule that answers instead of the call or drops it before handling (`drop_before`); `drop_after` says the call
    is handled and its answer, whatever it is, is then lost.
    """

    def __init__(self, rules):
        self.rules = rules
        self.delay = sum(rule.seconds for rule in rules if rule.kind == DELAY)
        self.effects = [rule for rule in rules if rule.kind == EFFECT]
        self.failure = next((rule for rule in rules if rule.kind in (ANSWER, DROP)), None)
        self.drop_before = self.failure is not None and self.failure.kind == DROP
        self.drop_after = any(rule.kind == DROP_AFTER for rule in rules)

    def effect(self, action):
        """The first fired effect rule of that action, or None."""
        return next((rule for rule in self.effects if rule.action == action), None)

    @property
    def fault(self):
        """The action that changed the answer (logged with the call), or None."""
        if self.failure is not None:
            return self.failure.action
        return "reset_after" if self.drop_after else None


class FaultSet:
    """The active rules of one emulator and the seeded RNG behind `probability`.

    `actions` adds the emulator's own actions to the common ones; `match_keys` are the extra call attributes rules may
    match on (k8s_sim: verb, resource).
    """

    def __init__(self, actions=None, match_keys=(), rules=None, seed=0):
        self.actions = dict(COMMON_ACTIONS, **(actions or {}))
        self.match_keys = tuple(match_keys)
        self.seed = 0 if seed is None else seed
        self.rng = random.Random(self.seed)
        self.rules = []
        self.lock = threading.Lock()
        if rules:
            self.add(list(rules))

    def add(self, payload):
        """Add rules from a list, one rule object, or {"seed": N, "rules": [...]} (reseeds the RNG); returns them."""
        if isinstance(payload, dict) and "rules" in payload:
            unknown = set(payload) - {"seed", "rules"}
            if unknown:
                raise FaultRuleError("unknown key(s) beside rules: %s" % ", ".join(sorted(unknown)))
            seed = payload.get("seed", self.seed)
            if isinstance(seed, bool) or not isinstance(seed, int):
                raise FaultRuleError("seed must be an integer")
            rules = self._build(payload["rules"])
            with self.lock:
                self.seed = seed
                self.rng = random.Random(seed)
                self.rules.extend(rules)
            return rules
        rules = self._build(payload)
        with self.lock:
            self.rules.extend(rules)
        return rules

    def _build(self, specs):
        if isinstance(specs, dict):
            specs = [specs]
        if not isinstance(specs, list):
            raise FaultRuleError(
                'fault rules are an object, a list of objects, or {"seed": N, "rules": [...]}'
            )
        return [Rule(spec, self.actions, self.match_keys) for spec in specs]

    def clear(self):
        """Remove every rule and reseed the RNG; returns how many rules were removed."""
        with self.lock:
            removed = len(self.rules)
            self.rules = []
            self.rng = random.Random(self.seed)
        return removed

    def fire(self, ctx):
        """The Outcome of a call described by `ctx` ({"method", "path", ...match keys})."""
        with self.lock:
            return Outcome(
                [rule for rule in self.rules if rule.matches(ctx) and rule.trigger(self.rng)]
            )

    def describe(self):
        with self.lock:
            return [rule.to_json() for rule in self.rules]

    def to_json(self):
        with self.lock:
            return {"seed": self.seed, "rules": [rule.to_json() for rule in self.rules]}
