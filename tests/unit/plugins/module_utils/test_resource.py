# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource engine on an in-memory resource: every state, duplicate keys, field kinds, result and failure shapes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.api_error import ApiError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    MAP,
    SET,
    ApplyFailed,
    Change,
    Engine,
    Resource,
    ResourceError,
    merge_value,
)

VERBS = {"create": "POST", "update": "PATCH", "delete": "DELETE"}


class Notes(Resource):
    """Objects {label, text, tags (set), attrs (map), serial (server-assigned)}; ours carry the tag ``mine``."""

    KIND = "note"
    FIELDS = {"tags": SET, "attrs": MAP}
    DEFAULTS = {"text": None, "tags": [], "attrs": {}, "serial": None}
    KEEP = ("serial",)

    def __init__(self, have=(), errors=None, answers=None):
        self.have = list(have)
        self.errors = errors or {}
        self.answers = answers or {}
        self.reads = 0
        self.sent = []

    def read(self):
        self.reads += 1
        return copy.deepcopy(self.have)

    def owned(self, obj):
        return "mine" in (obj.get("tags") or [])

    def requests(self, changes):
        return [
            {
                "method": VERBS[change.action],
                "path": "/notes/%s" % self.name(change.key),
                "body": change.after,
            }
            for change in changes
        ]

    def send(self, request):
        self.sent.append(request)
        if request["path"] in self.errors:
            raise self.errors[request["path"]]
        return self.answers.get(request["path"])


class Unreadable(Notes):
    def read(self):
        raise AssertionError("rendered must not read")


class Scoped(Notes):
    SCOPED = True

    def empty(self, key):
        return {"label": key, "text": None}


A = {"label": "a", "text": "alpha", "tags": ["mine", "x"], "attrs": {"k1": "v1"}, "serial": 7}
B = {"label": "b", "text": "beta", "tags": ["mine"], "attrs": {}, "serial": 8}
FOREIGN = {"label": "f", "text": "theirs", "tags": [], "attrs": {}, "serial": 9}
# What a run that changes nothing on Notes([A]) returns.
A_UNCHANGED = {"changed": False, "before": [A], "after": [A], "plan": [], "diff": [], "changes": []}


def run(resource, state, config, check_mode=False):
    engine = Engine(resource, state, config, check_mode=check_mode)
    return engine.run()


def test_unknown_state_is_refused_naming_the_allowed_ones():
    with pytest.raises(
        ResourceError,
        match="state: 'present' is not allowed; allowed merged, replaced, overridden, deleted, gathered, rendered",
    ):
        Engine(Notes(), "present", [])


@pytest.mark.parametrize(
    "state", ["merged", "replaced", "overridden", "deleted", "gathered", "rendered"]
)
def test_a_key_listed_twice_is_refused_before_anything_is_read(state):
    resource = Notes([A])
    with pytest.raises(ResourceError) as info:
        run(resource, state, [{"label": "a"}, {"label": "b"}, {"label": "a", "text": "again"}])
    assert (
        str(info.value) == "config[2]: note a is already listed as config[0]; list each note once"
    )
    assert resource.reads == 0 and resource.sent == []


def test_a_composite_key_listed_twice_names_every_part():
    class Pairs(Notes):
        KEY = ("vn", "tagged")

    with pytest.raises(
        ResourceError, match=r"config\[1\]: note vn1/True is already listed as config\[0\]"
    ):
        run(Pairs(), "merged", [{"vn": "vn1", "tagged": True}, {"vn": "vn1", "tagged": True}])
    # the same VN tagged and untagged are two objects
    assert (
        Engine(
            Pairs(), "gathered", [{"vn": "vn1", "tagged": True}, {"vn": "vn1", "tagged": False}]
        ).run()["changed"]
        is False
    )


@pytest.mark.parametrize(
    "kind, have, want, merged",
    [
        (SET, ["a", "b"], ["c", "a"], ["a", "b", "c"]),
        (SET, [], ["b", "a"], ["b", "a"]),
        (SET, ["a"], None, ["a"]),
        (
            MAP,
            {"k1": "v1", "k2": "v2"},
            {"k2": "new", "k3": "v3"},
            {"k1": "v1", "k2": "new", "k3": "v3"},
        ),
        (MAP, {"k1": "v1"}, {"k1": None}, {"k1": "v1"}),
        (MAP, None, {"k1": "v1"}, {"k1": "v1"}),
        ("scalar", ["a", "b"], ["c"], ["c"]),
        ("scalar", "old", "new", "new"),
        ("scalar", "old", None, "old"),
    ],
)
def test_merge_value_per_field_kind(kind, have, want, merged):
    assert merge_value(kind, have, want) == merged


def test_merged_creates_missing_objects_from_the_defaults():
    result = run(Notes([A]), "merged", [{"label": "n", "text": "new"}])
    assert result["plan"] == [
        {
            "method": "POST",
            "path": "/notes/n",
            "body": {"label": "n", "text": "new", "tags": [], "attrs": {}, "serial": None},
        }
    ]
    assert result["changed"] is True
    assert [obj["label"] for obj in result["after"]] == ["a", "n"]


def test_merged_unions_sets_merges_maps_and_overrides_scalars():
    resource = Notes([A])
    result = run(
        resource, "merged", [{"label": "a", "text": "ALPHA", "tags": ["y"], "attrs": {"k2": "v2"}}]
    )
    assert result["plan"] == [
        {
            "method": "PATCH",
            "path": "/notes/a",
            "body": {
                "label": "a",
                "text": "ALPHA",
                "tags": ["mine", "x", "y"],
                "attrs": {"k1": "v1", "k2": "v2"},
                "serial": 7,
            },
        }
    ]
    assert result["before"] == [A] and result["after"] == [result["plan"][0]["body"]]


def test_merged_with_nothing_new_changes_nothing():
    resource = Notes([A])
    result = run(
        resource, "merged", [{"label": "a", "tags": ["x"], "attrs": {"k1": "v1"}, "text": None}]
    )
    assert result == A_UNCHANGED
    assert resource.sent == []


def test_replaced_resets_fields_left_out_but_keeps_server_assigned_ones():
    result = run(Notes([A]), "replaced", [{"label": "a", "tags": ["y"]}])
    assert result["plan"][0]["body"] == {
        "label": "a",
        "text": None,
        "tags": ["y"],
        "attrs": {},
        "serial": 7,
    }


def test_merged_and_replaced_without_config_change_nothing():
    for state in ("merged", "replaced"):
        result = run(Notes([A]), state, [])
        assert result == A_UNCHANGED


def test_overridden_deletes_only_owned_objects_left_out():
    result = run(
        Notes([A, B, FOREIGN]),
        "overridden",
        [{"label": "a", "text": "alpha", "tags": ["mine", "x"], "attrs": {"k1": "v1"}}],
    )
    assert [(p["method"], p["path"]) for p in result["plan"]] == [("DELETE", "/notes/b")]
    assert [obj["label"] for obj in result["after"]] == ["a", "f"]


def test_deleted_listed_objects_that_exist_and_every_owned_one_when_none_is_listed():
    result = run(
        Notes([A, B, FOREIGN]), "deleted", [{"label": "b"}, {"label": "gone"}, {"label": "f"}]
    )
    assert [p["path"] for p in result["plan"]] == ["/notes/b", "/notes/f"]
    result = run(Notes([A, B, FOREIGN]), "deleted", [])
    assert [p["path"] for p in result["plan"]] == ["/notes/a", "/notes/b"] and result["after"] == [
        FOREIGN
    ]


def test_gathered_reads_without_planning_and_filters_by_the_listed_keys():
    resource = Notes([A, B])
    result = run(resource, "gathered", [])
    assert result == {
        "changed": False,
        "before": [A, B],
        "after": [A, B],
        "plan": [],
        "diff": [],
        "gathered": [A, B],
    }
    assert run(Notes([A, B]), "gathered", [{"label": "b"}, {"label": "absent"}])["gathered"] == [B]
    assert resource.sent == []


def test_rendered_never_reads_and_returns_the_create_requests():
    result = run(Unreadable(), "rendered", [{"label": "n", "tags": ["t"]}])
    assert result["changed"] is False and result["before"] == []
    assert (
        result["rendered"]
        == result["plan"]
        == [
            {
                "method": "POST",
                "path": "/notes/n",
                "body": {"label": "n", "text": None, "tags": ["t"], "attrs": {}, "serial": None},
            }
        ]
    )


def test_check_mode_plans_and_predicts_without_sending():
    resource = Notes([A])
    result = run(
        resource, "merged", [{"label": "a", "text": "ALPHA"}, {"label": "n"}], check_mode=True
    )
    assert resource.sent == [] and result["changed"] is True
    assert [p["method"] for p in result["plan"]] == ["PATCH", "POST"]
    assert [(o["label"], o["text"]) for o in result["after"]] == [("a", "ALPHA"), ("n", None)]


def test_a_resource_that_sends_in_check_mode_sends_its_dry_runs():
    class DryRuns(Notes):
        SENDS_IN_CHECK_MODE = True

    resource = DryRuns()
    run(resource, "merged", [{"label": "n"}], check_mode=True)
    assert [r["path"] for r in resource.sent] == ["/notes/n"]


def test_the_diff_is_ansibles_list_of_headers_before_and_after():
    result = run(
        Notes([A, B]),
        "overridden",
        [
            {"label": "a", "text": "ALPHA", "tags": ["mine", "x"], "attrs": {"k1": "v1"}},
            {"label": "n"},
        ],
    )
    assert [(d["before_header"], d["after_header"]) for d in result["diff"]] == [
        ("note a", "note a"),
        ("note n", "note n"),
        ("note b", "note b"),
    ]
    update, create, delete = result["diff"]
    assert update["before"]["text"] == "alpha" and update["after"]["text"] == "ALPHA"
    assert create["before"] == {} and create["after"]["label"] == "n"
    assert delete["before"] == B and delete["after"] == {}


def test_a_failed_request_says_what_was_applied_and_what_was_not():
    error = ApiError(
        "Unprocessable Entity", status=422, body={"errors": "bad"}, method="POST", path="/notes/n"
    )
    resource = Notes([A, B], errors={"/notes/n": error})
    with pytest.raises(ApplyFailed) as info:
        run(
            resource,
            "overridden",
            [{"label": "a", "text": "ALPHA"}, {"label": "n"}, {"label": "m"}],
        )
    failure = info.value
    assert failure.error is error
    assert [r["path"] for r in failure.applied] == ["/notes/a"]
    assert [r["path"] for r in failure.not_applied] == ["/notes/n", "/notes/m", "/notes/b"]
    assert failure.message() == (
        'POST /notes/n: Unprocessable Entity (HTTP 422): {"errors": "bad"}; applied 1 of 4 planned requests '
        "(applied: PATCH /notes/a; not applied: POST /notes/n (n), POST /notes/m (m), DELETE /notes/b)"
    )


def test_a_failure_on_the_first_request_applied_none():
    resource = Notes(errors={"/notes/n": ApiError("refused", status=500)})
    with pytest.raises(ApplyFailed) as info:
        run(resource, "merged", [{"label": "n"}])
    assert (
        info.value.applied == []
        and "applied 0 of 1 planned requests (applied: none;" in info.value.message()
    )


def test_an_object_a_concurrent_run_created_is_not_this_runs_change():
    resource = Notes(answers={"/notes/n": {"id": "x", "existed": True}})
    result = run(resource, "merged", [{"label": "n"}])
    assert (
        result["changed"] is False and result["concurrent"] == [True] and len(result["plan"]) == 1
    )
    resource = Notes(answers={"/notes/n": {"id": "x", "existed": True}, "/notes/m": {"id": "y"}})
    result = run(resource, "merged", [{"label": "n"}, {"label": "m"}])
    assert result["changed"] is True
    # a batch that met only some of its objects already there still created the others: this run's change
    resource = Notes(answers={"/notes/n": {"existed": ["n1"]}})
    result = run(resource, "merged", [{"label": "n"}])
    assert result["changed"] is True and result["concurrent"] == [["n1"]]


def test_scoped_results_list_only_the_configured_objects_in_config_order():
    result = run(
        Scoped([A, B, FOREIGN]),
        "merged",
        [{"label": "b"}, {"label": "zz", "text": "new"}],
        check_mode=True,
    )
    assert [obj["label"] for obj in result["before"]] == ["b", "zz"]
    assert result["before"][1] == {"label": "zz", "text": None}
    assert [(obj["label"], obj["text"]) for obj in result["after"]] == [
        ("b", "beta"),
        ("zz", "new"),
    ]


def test_change_changed_fields():
    assert Change("update", "a", {"x": 1, "y": 2}, {"x": 1, "y": 3, "z": 0}).changed_fields() == [
        "y",
        "z",
    ]
    assert Change("create", "a", None, {"x": 1}).changed_fields() == ["x"]
    assert Change("delete", "a", {"x": 1}, None).changed_fields() == []


def test_validate_runs_first_and_its_error_stops_the_run():
    class Strict(Notes):
        def validate(self, config, state):
            raise ResourceError("config[0].text: required")

    resource = Strict([A])
    with pytest.raises(ResourceError, match="required"):
        run(resource, "merged", [{"label": "a"}, {"label": "a"}])
    assert resource.reads == 0
