"""The `/_sim/` control API, one answer shape for both emulators (no auth, JSON in and out).

| call | answer |
| --- | --- |
| `GET /_sim/requests` | 200 `{"requests": [...]}` |
| `DELETE /_sim/requests` | 200 `{"cleared": N}` |
| `GET /_sim/faults` | 200 `{"seed": S, "rules": [rule + "matched", "fired"]}` |
| `POST /_sim/faults` (rule, list, or `{"seed", "rules"}`) | 200 `{"added": N, "seed": S, "rules": [...]}` |
| `DELETE /_sim/faults` | 200 `{"cleared": N}` |
| `POST /_sim/reset` | 200 `{"reset": true}` (seeded state, no faults, empty log) |
| `GET /_sim/state` | 200 the emulator's state plus `"faults": [rules]` |

Errors: 400 `{"errors": "..."}` (bad JSON, bad rule), 404 `{"errors": "no emulator control endpoint METHOD PATH"}`.
Emulators add endpoints of their own (apstra_sim: `POST /_sim/users`).
"""

import json

from sim_core.faults import FaultRuleError

PREFIX = "/_sim/"


class ControlError(ValueError):
    """A bad control request: answered 400 with the message."""


def parse_body(raw):
    """JSON body of a control request (None when empty); ControlError when it is not JSON."""
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode("utf-8", "replace")
    if raw is None or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ControlError("Request body is not valid JSON") from exc


class ControlApi:
    """Serves `/_sim/` for one emulator.

    `reset()` restores the seeded state and `state()` returns it as JSON-able data; both are the emulator's (they take
    its locks). `endpoints` maps (method, name) to `handler(body) -> (status, answer)` for emulator-specific calls.
    """

    def __init__(self, faults, log, reset, state, endpoints=None):
        self.faults = faults
        self.log = log
        self.reset = reset
        self.state = state
        self.endpoints = dict(endpoints or {})

    def handle(self, method, path, raw_body=None):
        """(status, JSON answer) for a control call."""
        name = path[len(PREFIX) :].strip("/") if path.startswith(PREFIX) else None
        try:
            body = parse_body(raw_body)
            route = (method, name)
            if route == ("GET", "requests"):
                return 200, {"requests": self.log.entries()}
            if route == ("DELETE", "requests"):
                return 200, {"cleared": self.log.clear()}
            if route == ("GET", "faults"):
                return 200, self.faults.to_json()
            if route == ("POST", "faults"):
                added = self.faults.add(body)
                return 200, dict(self.faults.to_json(), added=len(added))
            if route == ("DELETE", "faults"):
                return 200, {"cleared": self.faults.clear()}
            if route == ("POST", "reset"):
                self.faults.clear()
                self.reset()
                self.log.clear()
                return 200, {"reset": True}
            if route == ("GET", "state"):
                return 200, dict(self.state(), faults=self.faults.describe())
            if route in self.endpoints:
                return self.endpoints[route](body)
        except (ControlError, FaultRuleError) as exc:
            return 400, {"errors": str(exc)}
        return 404, {"errors": "no emulator control endpoint %s %s" % (method, path)}
