"""Password sign-in, session cookies, sign-out and who-am-I on the real app."""

from __future__ import annotations

import sqlite3

from starlette.testclient import TestClient

from auth_fixtures import (  # noqa: F401  (fixtures)
    ORIGIN, PASSWORD, SAME_ORIGIN, add_user, client, fast_password_hashing, make_quire_app, make_quire_settings,
    quire_app, quire_settings, sign_in,
)
from proxy.http.errors import GENERIC_AUTH_MESSAGE

GENERIC_401 = {"error": {"code": "unauthorized", "message": GENERIC_AUTH_MESSAGE}}
SIGNED_OUT = {"signed_in": False, "uid": None, "name": None, "via": None}


def cookie_header(response) -> str:
    values = response.headers.get_list("set-cookie")
    assert len(values) == 1, values
    return values[0]


def test_login_sets_a_strict_httponly_cookie_and_me_answers(quire_app, client: TestClient):
    account = add_user(quire_app, "alice")
    response = client.post("/api/auth/login", json={"name": "alice", "password": PASSWORD}, headers=SAME_ORIGIN)
    assert response.status_code == 200
    body = response.json()
    assert body == {"signed_in": True, "uid": account.uid, "name": "alice", "via": "session"}
    cookie = cookie_header(response)
    assert cookie.startswith("quire_session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=strict"} <= flags
    assert "secure" not in flags  # plain http on loopback
    me = client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json() == body


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
    assert client.get("/api/auth/me").json() == SIGNED_OUT


def test_logout_revokes_the_session_server_side(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    sign_in(client, "alice")
    raw = client.cookies.get("quire_session")
    response = client.post("/api/auth/logout", headers=SAME_ORIGIN)
    assert response.status_code == 200
    assert "max-age=0" in cookie_header(response).lower()
    # Replaying the old cookie (as a thief would) no longer works.
    with TestClient(quire_app, base_url=ORIGIN, cookies={"quire_session": raw}) as thief:
        assert thief.get("/api/auth/me").json() == SIGNED_OUT


def test_sessions_are_stored_hashed(quire_app, quire_settings, client: TestClient):
    add_user(quire_app, "alice")
    sign_in(client, "alice")
    raw = client.cookies.get("quire_session")
    db = sqlite3.connect(quire_settings.data_dir / "auth.sqlite")
    stored = [row[0] for row in db.execute("SELECT secret_hash FROM credentials WHERE kind = 'session'")]
    db.close()
    assert len(stored) == 1 and raw not in stored[0]


def test_a_session_works_in_every_process_sharing_the_data_dir(make_quire_app, quire_settings):
    first, second = make_quire_app(quire_settings), make_quire_app(quire_settings)
    add_user(first, "alice")
    with TestClient(first, base_url=ORIGIN) as one:
        sign_in(one, "alice")
        raw = one.cookies.get("quire_session")
        with TestClient(second, base_url=ORIGIN, cookies={"quire_session": raw}) as two:
            assert two.get("/api/auth/me").json()["name"] == "alice"
            assert two.post("/api/auth/logout", headers=SAME_ORIGIN).status_code == 200
        assert one.get("/api/auth/me").json() == SIGNED_OUT


def test_expired_sessions_are_refused(quire_app, quire_settings, client: TestClient):
    add_user(quire_app, "alice")
    sign_in(client, "alice")
    db = sqlite3.connect(quire_settings.data_dir / "auth.sqlite")
    with db:
        db.execute("UPDATE credentials SET expires_at = 0 WHERE kind = 'session'")
    db.close()
    response = client.get("/api/auth/me")
    assert response.status_code == 200 and response.json() == SIGNED_OUT
    assert "max-age=0" in cookie_header(response).lower()  # the stale cookie is dropped


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


def test_me_answers_signed_out_with_200_and_a_bad_bearer_with_401(client: TestClient):
    signed_out = client.get("/api/auth/me")
    assert signed_out.status_code == 200 and signed_out.json() == SIGNED_OUT
    assert "no-store" in signed_out.headers["cache-control"]
    for header in ("Bearer qt_forged", "Bearer a.b.c", "Basic YTpi", "Bearer", ""):
        response = client.get("/api/auth/me", headers={"Authorization": header})
        assert response.status_code == 401 and response.json() == GENERIC_401, header


def test_sign_in_with_a_session_already_open_replaces_nothing_else(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    add_user(quire_app, "bob")
    sign_in(client, "alice")
    first = client.cookies.get("quire_session")
    sign_in(client, "bob")
    assert client.get("/api/auth/me").json()["name"] == "bob"
    # Alice's earlier session is still hers (signing in as someone else does not hand it over).
    assert quire_app.state.auth.session_user(first).name == "alice"
