# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApstraClient against a scripted fake session: login, 401 re-login, retries, errors, token cache."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import threading

import pytest
import requests

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraAuthError,
    ApstraClient,
    ApstraConnectionError,
    ApstraError,
    TokenCache,
    concurrently,
    json_items,
    parse_retry_after,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import (
    client as client_module,
)


class FakeResponse:
    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self.headers = headers or {}
        self.content = json.dumps(body).encode() if body is not None else b""
        self._body = body
        self.reason = "reason %d" % status
        self.text = self.content.decode()

    def json(self):
        return self._body


class FakeSession:
    """Answers from a script: a list of FakeResponse or exceptions, consumed in order."""

    def __init__(self, script):
        self.script = list(script)
        self.sent = []
        self.headers = {}
        self.verify = None

    def request(
        self, method, url, json=None, params=None, headers=None, timeout=None, verify=None
    ):  # pylint: disable=redefined-outer-name
        self.sent.append(
            {
                "method": method,
                "url": url,
                "json": json,
                "headers": dict(headers or {}),
                "timeout": timeout,
                "verify": verify,
            }
        )
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self):
        pass


LOGIN_OK = FakeResponse(201, {"token": "tok-1", "id": "u1"})


def make(script, **kwargs):
    sleeps = []
    kwargs.setdefault("username", "admin")
    kwargs.setdefault("password", "pw")
    client = ApstraClient("https://apstra.test/", sleep=sleeps.append, **kwargs)
    client.session = FakeSession(script)
    return client, sleeps


def test_logs_in_once_and_sends_token():
    client, _calls = make(
        [LOGIN_OK, FakeResponse(200, {"items": []}), FakeResponse(200, {"items": []})]
    )
    client.get("/api/blueprints")
    client.get("/api/blueprints")
    sent = client.session.sent
    assert [s["url"] for s in sent] == ["https://apstra.test/api/aaa/login"] + [
        "https://apstra.test/api/blueprints"
    ] * 2
    assert sent[0]["json"] == {"username": "admin", "password": "pw"}
    assert sent[1]["headers"] == {"AuthToken": "tok-1"}
    assert sent[1]["timeout"] == 30 and sent[1]["verify"] is True


def test_relogin_once_on_401():
    client, _calls = make(
        [
            LOGIN_OK,
            FakeResponse(401, {"errors": "expired"}),
            FakeResponse(201, {"token": "tok-2"}),
            FakeResponse(200, {"ok": 1}),
        ]
    )
    assert client.get("/api/x") == {"ok": 1}
    assert client.session.sent[-1]["headers"] == {"AuthToken": "tok-2"}


def test_second_401_raises_auth_error():
    client, _calls = make(
        [
            LOGIN_OK,
            FakeResponse(401, {"errors": "no"}),
            LOGIN_OK,
            FakeResponse(401, {"errors": "still no"}),
        ]
    )
    with pytest.raises(ApstraAuthError) as err:
        client.get("/api/x")
    assert err.value.status == 401
    assert err.value.body == {"errors": "still no"}


def test_bad_credentials():
    client, _calls = make([FakeResponse(401, {"errors": "Invalid credentials"})])
    with pytest.raises(ApstraAuthError, match="Invalid credentials"):
        client.get("/api/x")


def test_token_without_credentials_cannot_relogin():
    client, _calls = make(
        [FakeResponse(401, {"errors": "expired"})], username=None, password=None, auth_token="given"
    )
    with pytest.raises(ApstraAuthError, match="no username/password"):
        client.get("/api/x")


def test_needs_credentials_or_token():
    with pytest.raises(ApstraAuthError):
        ApstraClient("https://apstra.test")


def test_retries_5xx_and_429_with_backoff_and_retry_after():
    client, sleeps = make(
        [
            LOGIN_OK,
            FakeResponse(503),
            FakeResponse(429, headers={"Retry-After": "2"}),
            FakeResponse(200, {"ok": 1}),
        ]
    )
    assert client.get("/api/x") == {"ok": 1}
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0  # backoff * 2**0 + jitter in [0, backoff]
    assert sleeps[1] == 2.0


def test_backoff_grows_exponentially():
    client, sleeps = make([LOGIN_OK] + [FakeResponse(500)] * 4 + [FakeResponse(200, {})])
    client.get("/api/x")
    assert [int(s) for s in sleeps] == [0, 1, 2, 4]


def test_gives_up_after_retries_with_status_and_body():
    client, sleeps = make(
        [LOGIN_OK] + [FakeResponse(502, {"errors": "bad gateway"})] * 5, retries=4
    )
    with pytest.raises(ApstraError) as err:
        client.get("/api/x")
    assert len(sleeps) == 4
    assert err.value.status == 502 and err.value.body == {"errors": "bad gateway"}
    assert "GET /api/x" in str(err.value) and "bad gateway" in str(err.value)


def test_create_post_not_repeated_after_500():
    client, sleeps = make([LOGIN_OK, FakeResponse(500, {"errors": "boom"})])
    with pytest.raises(ApstraError):
        client.post("/api/blueprints/bp/virtual-networks-batch", {"virtual_networks": []})
    assert not sleeps


def test_create_post_repeated_after_503():
    client, sleeps = make([LOGIN_OK, FakeResponse(503), FakeResponse(201, {"id": "x"})])
    assert client.post("/api/blueprints/bp/virtual-networks", {}) == {"id": "x"}
    assert len(sleeps) == 1


def test_query_post_repeated_after_500():
    client, _calls = make([LOGIN_OK, FakeResponse(500), FakeResponse(200, {"items": []})])
    assert client.post("/api/blueprints/bp/qe", {"query": "q"}) == {"items": []}


def test_connection_errors_retried_then_raised():
    error = requests.exceptions.ConnectionError("refused")
    client, sleeps = make([LOGIN_OK, error, error, FakeResponse(200, {})], retries=4)
    assert client.get("/api/x") == {}
    assert len(sleeps) == 2
    client, sleeps = make([LOGIN_OK] + [error] * 3, retries=2)
    with pytest.raises(ApstraConnectionError, match="cannot reach"):
        client.get("/api/x")


def test_tls_error_not_retried():
    client, sleeps = make([requests.exceptions.SSLError("CERTIFICATE_VERIFY_FAILED")])
    with pytest.raises(ApstraConnectionError, match="TLS error .*CERTIFICATE_VERIFY_FAILED"):
        client.get("/api/x")
    assert not sleeps


def test_timeout_on_write_not_repeated():
    client, _calls = make([LOGIN_OK, requests.exceptions.ReadTimeout("slow")])
    with pytest.raises(ApstraConnectionError, match="no answer"):
        client.post("/api/blueprints/bp/delete-virtual-networks", {})


def test_validate_certs_and_ca_path():
    assert ApstraClient("https://a", auth_token="t", validate_certs=False).session.verify is False
    assert ApstraClient("https://a", auth_token="t").session.verify is True
    assert ApstraClient("https://a", auth_token="t", ca_path="/ca.pem").session.verify == "/ca.pem"


def test_parse_retry_after():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_token_cache_reused_and_refreshed(tmp_path):
    cache = TokenCache(str(tmp_path / "cache"))
    client, _calls = make([LOGIN_OK, FakeResponse(200, {})], token_cache=cache)
    client.get("/api/x")
    path = cache.path("https://apstra.test", "admin")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(str(tmp_path / "cache")).st_mode) == 0o700
    assert cache.get("https://apstra.test/", "admin") == "tok-1"

    client, _calls = make([FakeResponse(200, {})], token_cache=cache)
    client.get("/api/x")
    assert client.session.sent[0]["headers"] == {"AuthToken": "tok-1"}

    client, _calls = make(
        [FakeResponse(401), FakeResponse(201, {"token": "tok-9"}), FakeResponse(200, {})],
        token_cache=cache,
    )
    client.get("/api/x")
    assert cache.get("https://apstra.test", "admin") == "tok-9"
    assert cache.get("https://apstra.test", "other") is None


def test_error_message_carries_body():
    err = ApstraError(
        "Unprocessable",
        status=422,
        body={"errors": {"label": "not unique"}},
        method="POST",
        path="/p",
    )
    assert str(err) == 'POST /p: Unprocessable (HTTP 422): {"errors": {"label": "not unique"}}'
    assert err.status == 422 and err.body == {"errors": {"label": "not unique"}}


class ExpiringSession(FakeSession):
    """Refuses tok-1 to every read, only once all ``parties`` reads are in flight (a Barrier: sequential reads break it
    and fail the test); a login hands out tok-2, which every read is granted with."""

    def __init__(self, parties):
        super().__init__([])
        self.barrier = threading.Barrier(parties, timeout=60)
        self.lock = threading.Lock()

    def request(
        self, method, url, json=None, params=None, headers=None, timeout=None, verify=None
    ):  # pylint: disable=redefined-outer-name
        with self.lock:
            self.sent.append({"method": method, "url": url, "headers": dict(headers or {})})
        if url.endswith("/aaa/login"):
            return FakeResponse(201, {"token": "tok-2"})
        if headers == {"AuthToken": "tok-1"}:
            self.barrier.wait()
            return FakeResponse(401, {"errors": "expired"})
        return FakeResponse(200, {"url": url})


def test_concurrent_reads_refused_the_same_token_share_one_login():
    client, _sleeps = make([], auth_token="tok-1")
    client.session = ExpiringSession(3)
    paths = ["/api/a", "/api/b", "/api/c"]
    answers = concurrently(*[lambda path=path: client.get(path) for path in paths])
    assert answers == [{"url": "https://apstra.test" + path} for path in paths]
    sent = client.session.sent
    assert [s["url"] for s in sent].count("https://apstra.test/api/aaa/login") == 1
    retried = [s for s in sent if s["headers"] == {"AuthToken": "tok-2"}]
    assert sorted(s["url"] for s in retried) == ["https://apstra.test" + path for path in paths]


def test_concurrently_answers_in_order_and_raises_the_first_failure_in_order():
    def fails(message):
        raise ApstraError(message)

    assert concurrently() == []
    assert concurrently(lambda: 1) == [1]
    assert concurrently(lambda: 1, lambda: 2, lambda: 3) == [1, 2, 3]
    with pytest.raises(ApstraError, match="second"):
        concurrently(lambda: 1, lambda: fails("second"), lambda: fails("third"))


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
def test_a_write_is_not_repeated_after_a_5xx_or_a_lost_answer(method):
    """Only the server saying it did not process a write (429, 503) sends it again: after a 500/502/504 or a lost
    answer it may have been applied, and the caller looks it up instead."""
    for failure in (FakeResponse(502), requests.exceptions.ReadTimeout("slow")):
        client, sleeps = make([LOGIN_OK, failure])
        with pytest.raises((ApstraError, ApstraConnectionError)):
            client.request(method, "/api/blueprints/bp/obj-policy-batch-apply", {})
        assert not sleeps and len(client.session.sent) == 2


def test_writes_wait_write_timeout_and_reads_wait_timeout():
    client, _sleeps = make(
        [LOGIN_OK, FakeResponse(200, {}), FakeResponse(200, {}), FakeResponse(200, {})],
        timeout=7,
        write_timeout=600,
    )
    client.get("/api/x")
    client.post("/api/blueprints/bp/qe", {"query": "q"})
    client.request("PATCH", "/api/blueprints/bp/obj-policy-batch-apply", {})
    assert [sent["timeout"] for sent in client.session.sent[1:]] == [7, 7, 600]


ITEMS_ANSWERS = [
    {"items": []},
    {},
    {"items": None, "other": [1, 2]},
    {
        "count": 123456,
        "items": [
            {"a": 1.5e3, "b": "\u00e9 \u65e5\u672c", "c": [1, {"x": None}]},
            {"n": 12345678901234},
            7,
            "s",
            [],
        ],
    },
    {
        "items": [{"a": i, "s": "x" * (i % 50)} for i in range(300)],
        "count": 300,
        "tail": {"k": [1]},
    },
]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
def test_json_items_decodes_the_items_one_at_a_time_across_chunks(monkeypatch, chunk):
    """The items of an answer, whatever the chunks the text is decoded in cut (inside a number, a multi-byte character,
    white space); no list: none."""
    monkeypatch.setattr(client_module, "ITEMS_CHUNK", chunk)
    for answer in ITEMS_ANSWERS:
        for text in (
            json.dumps(answer),
            json.dumps(answer, indent=3),
            json.dumps(answer, separators=(",", ":"), ensure_ascii=False),
        ):
            assert list(json_items(text.encode("utf-8"))) == (answer.get("items") or [])


@pytest.mark.parametrize(
    "text", [b"[1, 2]", b"not json", b'{"items": [1, 2', b'{"items": [1, 2]', b""]
)
def test_json_items_refuses_what_is_not_a_json_object(text):
    with pytest.raises(ValueError):
        list(json_items(text))


def test_post_items_answers_the_items_and_raises_errors_as_post():
    rows = [{"ct": {"id": "t%d" % i}, "intf": {"id": "i%d" % i}} for i in range(5)]
    client, _calls = make(
        [
            LOGIN_OK,
            FakeResponse(500),
            FakeResponse(200, {"count": 5, "items": rows}),
            FakeResponse(422, {"errors": "bad query"}),
        ]
    )
    assert list(client.post_items("/api/blueprints/bp/qe", {"query": "q"})) == rows
    with pytest.raises(ApstraError) as error:
        client.post_items("/api/blueprints/bp/qe", {"query": "q"})
    assert error.value.status == 422


def test_post_items_of_an_answer_that_is_not_json_is_an_apstra_error_naming_the_call():
    page = FakeResponse(200)
    page.content = b"<html>proxy error</html>"
    client, _calls = make([LOGIN_OK, page])
    items = client.post_items("/api/blueprints/bp/qe", {"query": "q"})
    with pytest.raises(ApstraError) as error:
        list(items)
    assert error.value.status == 200 and error.value.path == "/api/blueprints/bp/qe"
    assert str(error.value).startswith(
        "POST /api/blueprints/bp/qe: the answer is not the JSON expected"
    )
