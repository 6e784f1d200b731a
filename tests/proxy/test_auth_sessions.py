"""Password sign-in, session cookies, sign-out, CSRF and login rate limiting on the real app."""

from __future__ import annotations

import sqlite3

from starlette.testclient import TestClient

from auth_fixtures import (  # noqa: F401  (fixtures)
    ORIGIN, PASSWORD, add_user, bearer, client, csrf_headers, fast_password_hashing, live_server, make_quire_app,
    make_quire_settings,
    quire_app, quire_settings, sign_in,
)
from proxy.http.errors import GENERIC_AUTH_MESSAGE

GENERIC_401 = {"error": {"code": "unauthorized", "message": GENERIC_AUTH_MESSAGE}}


def cookie_header(response) -> str:
    values = response.headers.get_list("set-cookie")
    assert len(values) == 1, values
    return values[0]


def test_login_sets_a_strict_httponly_cookie_and_me_answers(quire_app, client: TestClient):
    account = add_user(quire_app, "alice")
    response = client.post("/api/auth/login", json={"name": "alice", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["uid"] == account.uid and body["name"] == "alice" and body["csrf_token"]
    cookie = cookie_header(response)
    assert cookie.startswith("quire_session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=strict"} <= flags
    assert "secure" not in flags  # plain http on loopback
    me = client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json() == {"uid": account.uid, "name": "alice", "via": "session", "csrf_token": body["csrf_token"]}


def test_cookie_is_secure_with_host_prefix_behind_https(make_quire_app, make_quire_settings):
    app = make_quire_app(make_quire_settings(public_url="https://quire.example.org"))
    add_user(app, "alice")
    with TestClient(app, base_url="https://quire.example.org") as https_client:
        response = https_client.post("/api/auth/login", json={"name": "alice", "password": PASSWORD})
        assert response.status_code == 200
        cookie = cookie_header(response)
        assert cookie.startswith("__Host-quire_session=")
        assert "secure" in cookie.lower()
        assert https_client.get("/api/auth/me").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_generic_401(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    wrong = client.post("/api/auth/login", json={"name": "alice", "password": "not the password"})
    unknown = client.post("/api/auth/login", json={"name": "mallory", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == GENERIC_401
    assert "set-cookie" not in wrong.headers
    assert client.get("/api/auth/me").status_code == 401


def test_logout_revokes_the_session_server_side(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    token = sign_in(client, "alice")
    raw = client.cookies.get("quire_session")
    response = client.post("/api/auth/logout", headers=csrf_headers(token))
    assert response.status_code == 200
    assert "max-age=0" in cookie_header(response).lower()
    # Replaying the old cookie (as a thief would) no longer works.
    with TestClient(quire_app, base_url=ORIGIN, cookies={"quire_session": raw}) as thief:
        assert thief.get("/api/auth/me").json() == GENERIC_401


def test_sessions_are_stored_hashed(quire_app, quire_settings, client: TestClient):
    add_user(quire_app, "alice")
    sign_in(client, "alice")
    raw = client.cookies.get("quire_session")
    db = sqlite3.connect(quire_settings.data_dir / "auth.sqlite")
    stored = [row[0] for row in db.execute("SELECT id_hash FROM sessions")]
    db.close()
    assert len(stored) == 1 and raw not in stored[0]


def test_a_session_works_in_every_process_sharing_the_data_dir(make_quire_app, quire_settings):
    first, second = make_quire_app(quire_settings), make_quire_app(quire_settings)
    add_user(first, "alice")
    with TestClient(first, base_url=ORIGIN) as one:
        token = sign_in(one, "alice")
        raw = one.cookies.get("quire_session")
        with TestClient(second, base_url=ORIGIN, cookies={"quire_session": raw}) as two:
            assert two.get("/api/auth/me").json()["name"] == "alice"
            assert two.post("/api/auth/logout", headers=csrf_headers(token)).status_code == 200
        assert one.get("/api/auth/me").status_code == 401


def test_expired_sessions_are_refused(quire_app, quire_settings, client: TestClient):
    add_user(quire_app, "alice")
    sign_in(client, "alice")
    db = sqlite3.connect(quire_settings.data_dir / "auth.sqlite")
    with db:
        db.execute("UPDATE sessions SET expires_at = 0")
    db.close()
    assert client.get("/api/auth/me").json() == GENERIC_401


def test_csrf_token_and_origin_are_both_required_for_cookie_writes(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    token = sign_in(client, "alice")
    attempts = {
        "no token": {"Origin": ORIGIN},
        "wrong token": {"Origin": ORIGIN, "X-CSRF-Token": "A" * 43},
        "no origin": {"X-CSRF-Token": token},
        "other origin": {"Origin": "http://evil.example", "X-CSRF-Token": token},
        "null origin": {"Origin": "null", "X-CSRF-Token": token},
    }
    for label, headers in attempts.items():
        for method, path in (("POST", "/api/auth/logout"), ("DELETE", "/api/me"), ("POST", "/api/s3/presign")):
            response = client.request(method, path, headers=headers, json={"op": "get", "key": "a.txt"})
            assert response.status_code == 403, (label, method, path)
            assert response.json()["error"]["code"] == "csrf_failed"
    # Nothing happened: still signed in, the account still exists.
    assert client.get("/api/auth/me").status_code == 200
    assert quire_app.state.auth.accounts.by_name("alice") is not None


def test_a_csrf_token_from_another_session_is_refused(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    add_user(quire_app, "bob")
    with TestClient(quire_app, base_url=ORIGIN) as other:
        bobs_token = sign_in(other, "bob")
    sign_in(client, "alice")
    response = client.post("/api/auth/logout", headers=csrf_headers(bobs_token))
    assert response.status_code == 403


def test_csrf_passes_with_token_and_origin(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    token = sign_in(client, "alice")
    response = client.post("/api/s3/presign", headers=csrf_headers(token), json={"op": "get", "key": "a.txt"})
    assert response.status_code == 200, response.text


def test_bearer_requests_need_no_csrf_token(quire_app, client: TestClient):
    account = add_user(quire_app, "alice")
    response = client.post("/api/s3/presign", headers=bearer(quire_app, account), json={"op": "get", "key": "a.txt"})
    assert response.status_code == 200, response.text
    assert f"users/{account.uid}/a.txt" in response.json()["url"]


def test_login_from_another_site_is_refused(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    response = client.post("/api/auth/login", headers={"Origin": "http://evil.example"},
                           json={"name": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_failed_logins_are_rate_limited_per_account(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    for _ in range(5):
        assert client.post("/api/auth/login", json={"name": "alice", "password": "wrong-password"}).status_code == 401
    # Even the right password waits now, and from another address too (the limit is per account).
    with TestClient(quire_app, base_url=ORIGIN, client=("10.9.8.7", 4000)) as elsewhere:
        response = elsewhere.post("/api/auth/login", json={"name": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert "set-cookie" not in response.headers


def test_failed_logins_are_rate_limited_per_address(quire_app, client: TestClient):
    add_user(quire_app, "carol")
    for index in range(5):
        client.post("/api/auth/login", json={"name": f"guess{index}", "password": "wrong-password"})
    response = client.post("/api/auth/login", json={"name": "carol", "password": PASSWORD})
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
    # Another address is not affected.
    with TestClient(quire_app, base_url=ORIGIN, client=("10.1.2.3", 4000)) as elsewhere:
        assert elsewhere.post("/api/auth/login", json={"name": "carol", "password": PASSWORD}).status_code == 200


def test_login_bodies_are_validated(quire_app, client: TestClient):
    cases = [
        (b"{not json", "application/json", 400),
        (b'{"name": "a"}', "application/json", 422),
        (b'{"name": 1, "password": []}', "application/json", 422),
        (b'["alice", "pw"]', "application/json", 422),
        (b"name=alice&password=pw", "application/x-www-form-urlencoded", 415),
        (b'{"name": "a", "password": NaN}', "application/json", 400),
    ]
    for body, media, status in cases:
        response = client.post("/api/auth/login", content=body, headers={"Content-Type": media})
        assert response.status_code == status, (body, response.text)
        assert set(response.json()["error"]) == {"code", "message"}


def test_validation_errors_never_echo_the_password(quire_app, client: TestClient):
    secret = "hunter2-" + "x" * 2000  # too long: refused by validation
    response = client.post("/api/auth/login", json={"name": "alice", "password": secret})
    assert response.status_code == 422
    assert "hunter2" not in response.text
