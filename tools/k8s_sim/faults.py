"""Kubernetes-specific fault actions and match keys, plugged into sim_core's fault rules (format and common actions there).

Rules may also match `verb` (get, list, watch, create, update, patch, delete, deletecollection) and `resource` (plural).

| action | options | effect | matches by default |
| --- | --- | --- | --- |
| `conflict` | `message` | 409 Conflict | update, patch |
| `gone` | `message` | 410 Expired (a watch gets an in-stream `ERROR` event) | list, watch |
| `cut_watch` | `after_events` (0) | drops a watch's connection after that many events | watch |
| `reset_after` | | (common action) handles the call, then drops the connection | every verb but watch |
| `raced` | `labels` | another client creates the object first (with `labels`, if given): 409 AlreadyExists | create |
"""

from sim_core.faults import ANSWER, DROP_AFTER, EFFECT, Action, FaultSet

MATCH_KEYS = ("verb", "resource")
ACTIONS = {
    "conflict": Action("conflict", ("message",), ANSWER, defaults={"verb": ("update", "patch")}),
    "gone": Action("gone", ("message",), ANSWER, defaults={"verb": ("list", "watch")}),
    "cut_watch": Action("cut_watch", ("after_events",), EFFECT, defaults={"verb": ("watch",)}),
    "raced": Action("raced", ("labels",), EFFECT, once=True, defaults={"verb": ("create",)}),
    "reset_after": Action(
        "reset_after",
        (),
        DROP_AFTER,
        defaults={
            "verb": ("get", "list", "create", "update", "patch", "delete", "deletecollection")
        },
    ),
}
REASONS = {
    500: "InternalError",
    503: "ServiceUnavailable",
    429: "TooManyRequests",
    409: "Conflict",
    403: "Forbidden",
}


def fault_set(rules=None, seed=0):
    """The fault rules of one Kubernetes emulator."""
    return FaultSet(ACTIONS, match_keys=MATCH_KEYS, rules=rules, seed=seed)
