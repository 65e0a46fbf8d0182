# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The change window, judged with the plan, before any write.

- ``preview``: stage the plan, read the device configuration, revert. A revert discards everything staged, so a
  preview is refused while the staging holds anything at all.
- ``hold``: stage the plan and stop, the staged change recorded as held (by apstra_fabric_apply); a later run
  recognises it from the record (``staging.held`` of apstra_blueprint_info) while the staging is still that version.
- ``approve``: deploy the held staging version exactly as it was reviewed: refused when the staging moved since
  (naming what was staged since, and by whom), when nothing is held at that version, or when the intent now plans
  more fabric changes; a version already deployed with nothing staged is a no-op.
- any other run that writes is refused while a change is held: it waits for its approval (or its revert).

Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    IntentError,
    StagingRefused,
)

WINDOWS = ("preview", "hold", "approve")


def window_of(params, check_mode=False):
    """{mode: deploy|preview|hold|approve, approve: the version or None} from the options ``preview``, ``hold`` and
    ``approve`` (a string: the role passes what ``-e approve=`` gave); raises IntentError naming each bad field.
    """
    errors, approve = [], params.get("approve")
    if approve in (None, ""):
        approve = None
    elif not str(approve).strip().isdigit() or int(str(approve).strip()) < 1:
        errors.append(
            "approve: %r is not a staging version; give the version the hold report names (a positive integer)"
            % approve
        )
    else:
        approve = int(str(approve).strip())
    asked = [name for name in WINDOWS if (params.get(name) if name != "approve" else approve)]
    if len(asked) > 1:
        errors.append(
            "%s: a run previews, holds or approves, one of them; got %s"
            % (", ".join(WINDOWS), "%s and %s" % (", ".join(asked[:-1]), asked[-1]))
        )
    run = params.get("run")
    if asked and run == "verify":
        errors.append("%s: not with verify, which only reads" % asked[0])
    if check_mode and asked and asked[0] != "approve":
        errors.append(
            "%s: stages the plan in Apstra, which check mode never does; run without --check (check mode plans "
            "without staging, so it shows no device configuration)" % asked[0]
        )
    if errors:
        raise IntentError(errors)
    return {"mode": asked[0] if asked else "deploy", "approve": approve}


def live_held(staging):
    """The record of the held change when the staging is still the version it held (else None: stale or none)."""
    held = (staging or {}).get("held") or {}
    if staging and staging.get("uncommitted") and held.get("staging_version") is not None:
        if held["staging_version"] == staging.get("staging_version"):
            return held
    return None


def describe(changes):
    return ", ".join(
        "%s %s %s" % (c.get("action"), c.get("kind"), c.get("object") or c.get("name"))
        for c in changes
    )


def _who(staging):
    lock = (staging or {}).get("lock") or {}
    return lock.get("username") or "an unknown user"


def judge_staging(window, staging, run):
    """The window judged against what is staged (before planning): returns the window, with ``held`` (the record
    approved), ``already_deployed`` (approve of the deployed version, nothing staged: a no-op) and
    ``include_foreign`` (the held change, whoever staged it, is what an approve deploys); raises StagingRefused.
    """
    staging = staging or {}
    label = staging.get("label") or "-"
    held = live_held(staging)
    if window["mode"] == "preview" and staging.get("uncommitted"):
        raise StagingRefused(
            [
                "preview refused before any write: the staging of blueprint %s holds uncommitted changes (%s, staged by "
                "%s) and a preview ends with a revert, which would discard them too; deploy or revert them first"
                % (
                    label,
                    describe(staging.get("changes") or [])
                    or "version %s" % staging.get("staging_version"),
                    _who(staging),
                )
            ]
        )
    if window["mode"] == "deploy" and held and run != "verify":
        raise StagingRefused(
            [
                "refusing to change blueprint %s: it holds a change held for approval (staging version %s, held by %s "
                "at %s for owner %s: %s); nothing was changed. Deploy it with -e approve=%s once approved, or revert "
                "it in Apstra"
                % (
                    label,
                    held["staging_version"],
                    held.get("by") or "-",
                    held.get("since") or "-",
                    held.get("owner") or "-",
                    ", ".join(held.get("changes") or []) or "-",
                    held["staging_version"],
                )
            ]
        )
    if window["mode"] == "approve":
        return dict(window, **approval(window["approve"], staging, held))
    return window


def approval(version, staging, held):
    """What an approve of ``version`` finds: {already_deployed} or {held, include_foreign}; raises StagingRefused."""
    label = staging.get("label") or "-"
    if not staging.get("uncommitted"):
        if staging.get("deployed_version") == version:
            return {"already_deployed": True, "held": None, "include_foreign": False}
        raise StagingRefused(
            [
                "approve=%s refused: nothing is staged in blueprint %s (listed at version %s), so no change is held; "
                "version %s was discarded (reverted), never held, or deployed before a later revert; nothing was "
                "changed" % (version, label, staging.get("deployed_version"), version)
            ]
        )
    if held and held["staging_version"] == version:
        return {"already_deployed": False, "held": held, "include_foreign": True}
    record = (
        (staging.get("held") or {}) if not (staging.get("held") or {}).get("unreadable") else {}
    )
    if record.get("staging_version") == version:
        names = set(record.get("changes") or [])
        since = [
            c for c in staging.get("changes") or [] if "%s %s" % (c["kind"], c["name"]) not in names
        ]
        raise StagingRefused(
            [
                "approve=%s refused before any write: the staging of blueprint %s moved from version %s (held) to %s "
                "since the hold report was written, last changed by %s: %s; nothing was deployed. Hold again to review "
                "the staging as it is now, or revert it in Apstra"
                % (
                    version,
                    label,
                    version,
                    staging.get("staging_version"),
                    _who(staging),
                    (
                        "staged since: %s" % describe(since)
                        if since
                        else "changes to the held objects themselves"
                    ),
                )
            ]
        )
    raise StagingRefused(
        [
            "approve=%s refused before any write: blueprint %s holds no change held at version %s (staging version %s%s, "
            "staged by %s: %s); nothing was deployed"
            % (
                version,
                label,
                version,
                staging.get("staging_version"),
                "; the held change is version %s" % held["staging_version"] if held else "",
                _who(staging),
                describe(staging.get("changes") or []) or "-",
            )
        ]
    )


def judged(params, window):
    """(params, window) judged against the staging before planning: an approve of the held change accepts it as staged,
    whoever staged it (``include_foreign_staging``)."""
    run = params.get("run") or ("teardown" if params.get("state") == "absent" else "provision")
    window = judge_staging(window, params.get("staging"), run)
    if window.get("include_foreign"):
        params = dict(params, include_foreign_staging=True, staging=held_by(params["staging"]))
    return params, window


def held_by(staging):
    """The staging with each change of the held record attributed to the hold (who held it, at which version)."""
    held = staging["held"]
    names = set(held.get("changes") or [])
    by = "%s, held at version %s" % (held.get("by") or "-", held["staging_version"])
    changes = [
        dict(c, by=by) if "%s %s" % (c["kind"], c["name"]) in names else c
        for c in staging.get("changes") or []
    ]
    return dict(staging, changes=changes)


def judge_plan(window, desired):
    """After planning: an approve deploys the held change unchanged, so a plan that writes to the fabric is refused.
    Returns the window (the ``change_window`` of the result)."""
    if window["mode"] != "approve" or not desired.get("fabric_writes"):
        return window
    planned = [
        "%s %s %s"
        % (
            change["action"],
            step["resource"],
            change["key"][0] if isinstance(change["key"], list) else change["key"],
        )
        for step in (desired.get("fabric_plan") or {}).get("steps") or []
        for change in step.get("changes") or []
    ]
    raise StagingRefused(
        [
            "approve=%s refused before any write: it deploys the %s change unchanged, but the intent now plans further "
            "fabric changes (%s); nothing was changed. Hold them for review (-e hold=true) and approve the new version"
            % (
                window["approve"],
                "deployed" if window.get("already_deployed") else "held",
                ", ".join(planned),
            )
        ]
    )
