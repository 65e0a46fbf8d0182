"""Apstra's own fault actions, plugged into the shared fault rules of sim_core (format and common actions there).

| action | options | effect |
| --- | --- | --- |
| `expire_token` | | the token of the call expires before it is checked: 401 |
| `bump_version` | `username` | another user writes to staging first: the version moves on |
| `lock` | `username`, `seconds`, `polls` | the blueprint gets locked by that user: for `seconds`, for the next `polls` reads of
  `lock-status` (a clock-free expiry for tests), or until unlocked or reset |
| `deploy_fail` | `message` | the next deploy (`PUT .../deploy`) fails: task `failed`, deploy state `failure` |

They change state, so they fire once unless the rule says `times`.
"""

from sim_core.faults import EFFECT, Action, FaultSet

DEPLOY_FAIL_MESSAGE = "Simulated deploy failure: device configuration was rejected"
ACTIONS = {
    "expire_token": Action("expire_token", (), EFFECT, once=True),
    "bump_version": Action("bump_version", ("username",), EFFECT, once=True),
    "lock": Action("lock", ("username", "seconds", "polls"), EFFECT, once=True),
    "deploy_fail": Action(
        "deploy_fail",
        ("message",),
        EFFECT,
        once=True,
        defaults={"method": "PUT", "path": "/deploy$"},
    ),
}


def fault_set(rules=None, seed=0):
    """The fault rules of one Apstra emulator."""
    return FaultSet(ACTIONS, rules=rules, seed=seed)


def render(rule):
    """(status, body, headers) of an answering rule (error, throttle), in Apstra's error shape."""
    if rule.action == "throttle":
        return 429, {"errors": "Too many requests"}, {"Retry-After": rule.option("retry_after", 1)}
    status = rule.option("status", 503)
    body = rule.option("body")
    if body is None:
        body = {"errors": rule.option("message") or "Simulated fault: HTTP %d" % status}
    return status, body, {}
