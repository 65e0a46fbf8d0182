# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apstra REST transport: one requests session, login, token cache, retries. No Ansible imports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import codecs
import email.utils
import hashlib
import json
import os
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.netops.cn2_apstra.plugins.module_utils.api_error import ApiError

try:
    import requests
except ImportError:
    requests = None

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# A write may have been applied before a 500/502/504 came back, or before its answer was lost (a timeout, a reset after
# sending): it is repeated only when it never reached the server or the server said it did not process it. What became
# of a write whose answer was lost is looked up by its caller before anything is sent again.
UNPROCESSED_STATUSES = frozenset((429, 503))
# POSTs that read rather than write (graph queries) are safe to repeat.
READ_ONLY_POST_SUFFIXES = ("/qe", "/ql", "/ql-readonly", "/aaa/login")
# Seconds a write may take: Apstra takes long on large batch writes (a connectivity-template assignment of thousands of
# ports) and deploys, where a read answers in seconds.
WRITE_TIMEOUT = 300
MAX_RETRY_AFTER = 60.0
# Independent reads sent at once (concurrently()): few enough that no Apstra rate limit is at stake.
MAX_CONCURRENT_READS = 4
# Characters of an answer decoded at a time by json_items.
ITEMS_CHUNK = 1 << 20
_SPACE = re.compile(r"[ \t\n\r]*")


class ApstraError(ApiError):
    """An Apstra API call failed: carries the HTTP status and Apstra's error body."""


class ApstraAuthError(ApstraError):
    """Login failed, or a token was refused and could not be renewed."""


class ApstraConnectionError(ApstraError):
    """The API could not be reached after all retries."""


def base_url(api_url):
    """The Apstra server's base URL: ``api_url`` without trailing slashes and without a trailing ``/api``.

    ``https://host``, ``https://host/``, ``https://host/api`` (how juniper.apstra's README sets APSTRA_API_URL) and
    ``https://host/api/`` are one server; every path this client sends starts with ``/api/``.
    """
    url = api_url.strip().rstrip("/")
    if url.endswith("/api"):
        url = url[: -len("/api")].rstrip("/")
    return url


def default_token_cache_dir():
    """Per-user directory for cached tokens: $ANSIBLE_HOME/netops.cn2_apstra, else ~/.cache/netops.cn2_apstra."""
    base = os.environ.get("ANSIBLE_HOME")
    if base:
        return os.path.join(os.path.expanduser(base), "netops.cn2_apstra")
    return os.path.join(os.path.expanduser("~"), ".cache", "netops.cn2_apstra")


TOKEN_LIFETIME = (
    24 * 3600
)  # Apstra tokens live 24 h: an older cached one is only a secret lying around


class TokenCache:
    """One file per (api_url, username), mode 0600 in a 0700 directory, so parallel forks never share a write.

    Files older than a token's lifetime are deleted whenever a token is written (each holds a secret).
    """

    def __init__(self, directory=None, lifetime=TOKEN_LIFETIME, clock=time.time):
        self.directory = directory or default_token_cache_dir()
        self.lifetime = lifetime
        self.clock = clock

    def path(self, api_url, username):
        key = hashlib.sha256(
            ("%s\0%s" % (api_url.rstrip("/"), username)).encode("utf-8")
        ).hexdigest()
        return os.path.join(self.directory, "token-%s.json" % key)

    def get(self, api_url, username):
        try:
            with open(self.path(api_url, username), encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        if (
            not isinstance(entry, dict)
            or self.clock() - (entry.get("created") or 0) >= self.lifetime
        ):
            return None
        return entry.get("token")

    def forget(self, api_url, username):
        try:
            os.unlink(self.path(api_url, username))
        except OSError:
            pass

    def prune(self):
        """Delete cached tokens that have outlived their lifetime."""
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if not (name.startswith("token-") and name.endswith(".json")):
                continue
            path = os.path.join(self.directory, name)
            try:
                if self.clock() - os.path.getmtime(path) >= self.lifetime:
                    os.unlink(path)
            except OSError:
                pass

    def put(self, api_url, username, token):
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        target = self.path(api_url, username)
        tmp = "%s.%d.tmp" % (target, os.getpid())
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"token": token, "created": int(self.clock())}, handle)
        os.replace(tmp, target)
        self.prune()


def parse_retry_after(value):
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _body_of(response):
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


class _Text:
    """The text of a JSON answer (bytes, UTF-8) decoded ITEMS_CHUNK characters at a time, as a JSON parser takes it."""

    def __init__(self, content):
        self.content, self.offset = content, 0
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text, self.pos = "", 0

    def more(self):
        """Decode the next chunk onto the text (what was taken already dropped); False at the end of the answer."""
        if self.offset >= len(self.content):
            return False
        chunk = self.content[self.offset : self.offset + ITEMS_CHUNK]
        self.offset += len(chunk)
        final = self.offset >= len(self.content)
        self.text = self.text[self.pos :] + self.decoder.decode(chunk, final)
        self.pos = 0
        return True

    def char(self):
        """The next character after white space ("" at the end of the answer), not taken."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos : self.pos + 1]

    def take(self, expected):
        """Take the next character, one of ``expected``, and return it; ValueError on any other, or at the end."""
        char = self.char()
        if not char or char not in expected:
            raise ValueError(
                "unexpected JSON at %d: %r" % (self.pos, self.text[self.pos : self.pos + 20])
            )
        self.pos += 1
        return char

    def value(self, decoder=json.JSONDecoder()):
        """The next JSON value, decoded whole (the text is extended until it holds the value and what follows it)."""
        self.char()
        while True:
            try:
                value, end = decoder.raw_decode(self.text, self.pos)
            except ValueError:
                if not self.more():
                    raise
                continue
            # a number (or any value) that ends the text may go on in the next chunk
            if end < len(self.text) or not self.more():
                self.pos = end
                return value


def json_items(content, key="items"):
    """The items of the list ``key`` of a JSON object answer (bytes), decoded one at a time (a generator): a reader
    that reduces rows as they come never holds them all, nor the answer's whole text (a graph query's answer of 50 MB
    is some 300 MB once decoded whole). No list ``key``: no items. Raises ValueError on text that is not JSON.
    """
    text = _Text(content)
    text.take("{")
    if text.char() == "}":
        return
    while True:
        name = text.value()
        text.take(":")
        if name == key and text.char() == "[":
            text.take("[")
            if text.char() == "]":
                text.pos += 1
            else:
                while True:
                    yield text.value()
                    if text.take(",]") == "]":
                        break
        else:
            text.value()
        if text.take(",}") == "}":
            return


class ApstraClient:
    """A session against one Apstra server.

    Logs in lazily, once; re-logs in once on a 401; retries connection errors, 429 and 5xx with exponential
    backoff and jitter (honouring Retry-After). With a token cache, a token from an earlier task is tried
    first, and a fresh one is written back after each login.
    """

    def __init__(
        self,
        api_url,
        username=None,
        password=None,
        auth_token=None,
        validate_certs=True,
        ca_path=None,
        timeout=30,
        write_timeout=WRITE_TIMEOUT,
        retries=4,
        backoff=0.5,
        token_cache=None,
        sleep=time.sleep,
    ):
        if requests is None:
            raise ImportError("requests is required for the Apstra client")
        if not api_url:
            raise ApstraError("api_url is required")
        if not auth_token and not (username and password):
            raise ApstraAuthError("either auth_token or username and password are required")
        self.api_url = base_url(api_url)
        self.username = username
        self.password = password
        self.timeout = timeout
        self.write_timeout = write_timeout
        self.retries = retries
        self.backoff = backoff
        self.token_cache = token_cache
        self._sleep = sleep
        self.session = requests.Session()
        # Passed with every request too: requests lets REQUESTS_CA_BUNDLE override a session-level verify.
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.session.verify = self.verify
        self.session.headers.update(
            {"Accept": "application/json", "Content-Type": "application/json"}
        )
        self.token = auth_token
        self._login_lock = threading.Lock()
        if not self.token and self.token_cache is not None and username:
            self.token = self.token_cache.get(self.api_url, username)

    def _can_login(self):
        return bool(self.username and self.password)

    def login(self):
        """Exchange username/password for a token (POST /api/aaa/login)."""
        if not self._can_login():
            raise ApstraAuthError(
                "the auth token was refused and no username/password are set to log in again",
                status=401,
            )
        resp = self._send(
            "POST",
            "/api/aaa/login",
            {"username": self.username, "password": self.password},
            None,
            None,
        )
        if resp.status_code not in (200, 201):
            raise ApstraAuthError(
                "login failed",
                status=resp.status_code,
                body=_body_of(resp),
                method="POST",
                path="/api/aaa/login",
            )
        body = _body_of(resp)
        token = body.get("token") if isinstance(body, dict) else None
        if not token:
            raise ApstraAuthError(
                "login answered without a token",
                status=resp.status_code,
                method="POST",
                path="/api/aaa/login",
            )
        self.token = token
        if self.token_cache is not None and self.username:
            try:
                self.token_cache.put(self.api_url, self.username, token)
            except OSError:
                pass  # a cache that cannot be written only costs a login next time
        return token

    def _token_instead_of(self, refused):
        """A token to send instead of ``refused`` (None: none yet). Concurrent reads refused the same token share one
        login: the first logs in, the others take its token."""
        with self._login_lock:
            if self.token and self.token != refused:
                return self.token
            return self.login()

    def _delay(self, attempt, response=None):
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(retry_after, MAX_RETRY_AFTER)
        return self.backoff * (2**attempt) + random.uniform(0, self.backoff)

    def _send(self, method, path, body, params, token):
        """Send one request with retries (with ``token``, or none); returns the last response (any status)."""
        url = self.api_url + path
        headers = {"AuthToken": token} if token else {}
        bare = path.split("?", 1)[0]
        safe_to_repeat = method == "GET" or bare.endswith(READ_ONLY_POST_SUFFIXES)
        timeout = self.timeout if safe_to_repeat else self.write_timeout
        attempt = 0
        while True:
            try:
                resp = self.session.request(
                    method,
                    url,
                    json=body,
                    params=params,
                    headers=headers,
                    timeout=timeout,
                    verify=self.verify,
                )
            except requests.exceptions.SSLError as exc:
                # A certificate problem does not go away by retrying.
                raise ApstraConnectionError(
                    "TLS error (set ca_path, or validate_certs=false for a lab): %s" % exc,
                    method=method,
                    path=path,
                ) from exc
            except requests.exceptions.ConnectionError as exc:
                # ConnectTimeout and refused connections never reached the server; a reset after sending might have.
                if attempt >= self.retries or not (
                    safe_to_repeat or isinstance(exc, requests.exceptions.ConnectTimeout)
                ):
                    raise ApstraConnectionError(
                        "cannot reach Apstra: %s" % exc, method=method, path=path
                    ) from exc
            except requests.exceptions.Timeout as exc:
                if attempt >= self.retries or not safe_to_repeat:
                    raise ApstraConnectionError(
                        "no answer within %ss" % timeout, method=method, path=path
                    ) from exc
            else:
                retryable = RETRY_STATUSES if safe_to_repeat else UNPROCESSED_STATUSES
                if resp.status_code not in retryable or attempt >= self.retries:
                    return resp
                self._sleep(self._delay(attempt, resp))
                attempt += 1
                continue
            self._sleep(self._delay(attempt))
            attempt += 1

    def request(self, method, path, body=None, params=None):
        """Call the API; returns the decoded JSON body (or None); raises ApstraError on any HTTP error."""
        return _body_of(self._response(method, path, body, params))

    def post_items(self, path, body=None, params=None, key="items"):
        """POST as ``post``; the items of the answer's list ``key`` one at a time (json_items), for a reader that reduces
        them in one pass. Errors are raised here, as ``post`` raises them."""
        resp = self._response("POST", path, body, params)
        return self._items_of(resp, key, path)

    @staticmethod
    def _items_of(resp, key, path):
        """json_items of an answer; an answer that is not JSON is an ApstraError naming the call and its status."""
        try:
            yield from json_items(resp.content, key)
        except ValueError as exc:
            raise ApstraError(
                "the answer is not the JSON expected (%s)" % exc,
                status=resp.status_code,
                method="POST",
                path=path,
            ) from None

    def _response(self, method, path, body, params):
        """The answer to a call (a 401 answered by a login and the call sent again); ApstraError on any HTTP error."""
        token = self.token or self._token_instead_of(None)
        resp = self._send(method, path, body, params, token)
        if resp.status_code == 401:
            resp = self._send(method, path, body, params, self._token_instead_of(token))
        if resp.status_code >= 400:
            error = ApstraAuthError if resp.status_code == 401 else ApstraError
            raise error(
                _reason(resp),
                status=resp.status_code,
                body=_body_of(resp),
                method=method,
                path=path,
            )
        return resp

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def post(self, path, body=None, params=None):
        return self.request("POST", path, body=body, params=params)

    def close(self):
        self.session.close()


def concurrently(*reads):
    """Call independent reads (callables without arguments) at once, at most MAX_CONCURRENT_READS together; returns
    their results in order, or raises the error of the first read (in order) that failed, once all have ended.
    """
    if len(reads) < 2:
        return [read() for read in reads]
    with ThreadPoolExecutor(max_workers=min(len(reads), MAX_CONCURRENT_READS)) as pool:
        futures = [pool.submit(read) for read in reads]
    return [future.result() for future in futures]


def _reason(resp):
    return resp.reason or "request failed"
