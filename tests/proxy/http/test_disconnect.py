"""A client that disconnects mid-request is not a server error: no 500, no ERROR, no traceback.

Real sockets against a real uvicorn running the whole app (real auth, S3 and qdrant-edge): each
case sends a request head and part of its body, then closes.
"""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest

from auth_fixtures import ORIGIN, add_user, bearer, make_quire_app, make_quire_settings  # noqa: F401
from auth_fixtures import fast_password_hashing  # noqa: F401
from live_server import connect, running

FORM = "application/x-www-form-urlencoded"


def head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def json_headers(length: int, **extra: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "Content-Length": str(length), **extra}


PARTIAL_REQUESTS = {
    # name: (method, path, needs a token, headers (without auth), body part sent before closing)
    "login, half a body": ("POST", "/api/auth/login", False, json_headers(200), b'{"name": "owner", "pass'),
    "login, no body at all": ("POST", "/api/auth/login", False, json_headers(200), b""),
    "sign-in form, half": ("POST", "/signin", False, {"Content-Type": FORM, "Content-Length": "300",
                                                      "Origin": "null"}, b"name=owner&password=co"),
    "login, chunked, one chunk": ("POST", "/api/auth/login", False,
                                  {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
                                  b"5\r\n{\"nam\r\n"),
    "presign, half": ("POST", "/api/s3/presign", True, json_headers(500), b'{"op": "put", "key": "a'),
    "presign, unauthenticated": ("POST", "/api/s3/presign", False, json_headers(500), b'{"op": "put"'),
    "upsert, half": ("POST", "/api/vectors/upsert", True, json_headers(100_000), b'{"points": [{"id": "x", "vec'),
    "query, one byte": ("POST", "/api/vectors/query", True, json_headers(4_000), b"{"),
    "unknown api path": ("POST", "/api/nothing-here", True, json_headers(100), b"{"),
    "headers only, then gone": ("GET", "/api/s3/usage", True, {}, None),
}


@pytest.fixture
def live(make_quire_app, make_quire_settings):  # noqa: F811
    settings = make_quire_settings()
    app = make_quire_app(settings)
    token = bearer(app, add_user(app, "disconnecting"))["Authorization"]
    with running(app, settings) as url:
        yield url, token


@pytest.mark.parametrize("case", PARTIAL_REQUESTS.values(), ids=PARTIAL_REQUESTS.keys())
def test_a_disconnect_mid_request_is_not_an_error(live, caplog, case):
    url, token = live
    method, path, needs_token, headers, part = case
    if needs_token:
        headers = {**headers, "Authorization": token}
    caplog.set_level(logging.DEBUG)
    with connect(url) as sock:
        sock.sendall(head(method, path, headers) + (part or b""))
        time.sleep(0.1)
    logged = wait_for_access_line(caplog, path)
    assert logged["status"] != 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert not any("Traceback" in r.getMessage() or r.exc_info for r in caplog.records)
    # Whatever the server said about it is at most a short INFO line.
    notes = [r for r in caplog.records if r.name == "quire.disconnect"]
    assert all(r.levelno <= logging.INFO and len(r.getMessage()) < 200 for r in notes)
    assert httpx.get(url + "/healthz").status_code == 200


def wait_for_access_line(caplog, path: str) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for record in caplog.records:
            if record.name == "quire.access":
                entry = json.loads(record.getMessage())
                if entry["path"] == path:
                    return entry
        time.sleep(0.05)
    raise AssertionError(f"no access log line for {path}")


def test_disconnects_are_logged_once_and_briefly(live, caplog):
    url, token = live
    caplog.set_level(logging.DEBUG)
    for _ in range(20):
        with connect(url) as sock:
            sock.sendall(head("POST", "/api/s3/presign", json_headers(500, Authorization=token)) + b'{"op"')
    deadline = time.monotonic() + 10
    while len([r for r in caplog.records if r.name == "quire.disconnect"]) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    notes = [r for r in caplog.records if r.name == "quire.disconnect"]
    assert len(notes) == 20
    assert sum(len(r.getMessage()) for r in caplog.records if r.name != "quire.access") < 20 * 200
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
