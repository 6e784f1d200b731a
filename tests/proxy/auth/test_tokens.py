"""Bearer tokens (`quire token ...`), one-time login links, and `DELETE /api/me`."""

from __future__ import annotations

import sqlite3
import time

import boto3
import httpx
import pytest
from starlette.testclient import TestClient

from auth_fixtures import (  # noqa: F401  (fixtures)
    ORIGIN, SAME_ORIGIN, add_user, bearer, client, fast_password_hashing, make_quire_app, make_quire_settings,
    quire_app, quire_settings, sign_in,
)
from proxy import cli
from proxy.http.errors import GENERIC_AUTH_MESSAGE

GENERIC_401 = {"error": {"code": "unauthorized", "message": GENERIC_AUTH_MESSAGE}}


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- bearer tokens -------------------------------------------------------------------------


def test_token_create_use_and_revoke(quire_app, quire_settings, client: TestClient, capsys):
    account = add_user(quire_app, "alice")
    data_dir = str(quire_settings.data_dir)
    status, out, err = run_cli(capsys, "token", "create", "alice", "--data-dir", data_dir)
    assert status == 0
    token = out.strip()
    assert token.startswith("qt_") and len(token) > 40
    response = client.get("/api/auth/me", headers=auth_header(token))
    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "uid": account.uid, "name": "alice", "via": "token"}

    status, out, _ = run_cli(capsys, "token", "list", "alice", "--data-dir", data_dir)
    token_id = out.split()[0]
    assert status == 0 and token not in out
    status, out, _ = run_cli(capsys, "token", "revoke", token_id, "--data-dir", data_dir)
    assert status == 0
    assert client.get("/api/auth/me", headers=auth_header(token)).json() == GENERIC_401
    assert run_cli(capsys, "token", "revoke", token_id, "--data-dir", data_dir)[0] == 2


def test_revoke_by_the_token_itself(quire_app, quire_settings, client: TestClient, capsys):
    add_user(quire_app, "alice")
    _, out, _ = run_cli(capsys, "token", "create", "alice", "--data-dir", str(quire_settings.data_dir))
    token = out.strip()
    assert run_cli(capsys, "token", "revoke", token, "--data-dir", str(quire_settings.data_dir))[0] == 0
    assert client.get("/api/auth/me", headers=auth_header(token)).status_code == 401


def test_tokens_expire(quire_app, quire_settings, client: TestClient, capsys):
    add_user(quire_app, "alice")
    _, out, err = run_cli(capsys, "token", "create", "alice", "--ttl", "1", "--data-dir", str(quire_settings.data_dir))
    token = out.strip()
    assert "expires 20" in err
    assert client.get("/api/auth/me", headers=auth_header(token)).status_code == 200
    time.sleep(1.2)
    assert client.get("/api/auth/me", headers=auth_header(token)).json() == GENERIC_401


def test_tokens_are_stored_hashed(quire_app, quire_settings):
    account = add_user(quire_app, "alice")
    token = bearer(quire_app, account)["Authorization"].split()[1]
    raw = (quire_settings.data_dir / "auth.sqlite").read_bytes()
    wal = quire_settings.data_dir / "auth.sqlite-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert token.encode() not in raw and token[3:].encode() not in raw


@pytest.mark.parametrize("header", [
    "Bearer qt_forged", "Bearer ", "Basic YWxpY2U6cHc=", "Bearer qt_" + "A" * 43, "bearer", "Token abc",
    "Bearer " + "x" * 5000,
])
def test_malformed_or_unknown_bearer_tokens_get_the_generic_401(client: TestClient, header):
    response = client.get("/api/auth/me", headers={"Authorization": header})
    assert response.status_code == 401 and response.json() == GENERIC_401


# --- one-time login link ---------------------------------------------------------------------


def test_login_link_works_once_then_never(quire_app, client: TestClient):
    owner = quire_app.state.auth.accounts.ensure_owner()
    token = quire_app.state.auth.create_login_link(owner.uid)
    assert client.head(f"/?login={token}").status_code == 200  # a link checker does not use it up
    assert "set-cookie" not in client.head(f"/?login={token}").headers
    response = client.get(f"/?login={token}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "set-cookie" in response.headers
    assert response.headers["referrer-policy"] == "same-origin"  # never sent to another origin
    assert client.get("/api/auth/me").json()["name"] == "owner"

    with TestClient(quire_app, base_url=ORIGIN) as replay:
        again = replay.get(f"/?login={token}", follow_redirects=False)
        assert again.status_code == 401
        assert "set-cookie" not in again.headers
        assert "can no longer be used" in again.text and 'action="/signin"' in again.text
        assert replay.get("/api/auth/me").json() == {"signed_in": False, "uid": None, "name": None, "via": None}


def test_expired_or_forged_login_links_are_refused(quire_app, quire_settings, client: TestClient):
    owner = quire_app.state.auth.accounts.ensure_owner()
    token = quire_app.state.auth.create_login_link(owner.uid)
    db = sqlite3.connect(quire_settings.data_dir / "auth.sqlite")
    with db:
        db.execute("UPDATE credentials SET expires_at = 0 WHERE kind = 'link'")
    db.close()
    pages = set()
    for attempt in (token, "forged", "", "x" * 500, "qt_" + "a" * 40, "%00", "\u202e"):
        response = client.get("/", params={"login": attempt}, follow_redirects=False)
        assert response.status_code == 401 and "set-cookie" not in response.headers
        pages.add(response.text)
    # Expired, forged, empty, oversized: one and the same page, which says what happened.
    assert len(pages) == 1 and "can no longer be used" in pages.pop()


def test_a_login_link_is_not_a_session_or_a_token(quire_app, client: TestClient):
    owner = quire_app.state.auth.accounts.ensure_owner()
    link = quire_app.state.auth.create_login_link(owner.uid)
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {link}"}).status_code == 401
    with TestClient(quire_app, base_url=ORIGIN, cookies={"quire_session": link}) as holder:
        assert holder.get("/api/auth/me").json()["signed_in"] is False
    assert client.get(f"/?login={link}", follow_redirects=False).status_code == 303  # still unspent


def test_a_session_or_token_is_not_a_login_link(quire_app, client: TestClient):
    account = add_user(quire_app, "alice")
    token, _ = quire_app.state.auth.create_token(account.uid)
    session = quire_app.state.auth.start_session(account.uid)
    for secret in (token, session):
        assert client.get("/", params={"login": secret}, follow_redirects=False).status_code == 401
    # Neither was spent by the attempt.
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert quire_app.state.auth.session_user(session) is not None


def test_the_owner_account_has_no_usable_password(quire_app, client: TestClient):
    quire_app.state.auth.accounts.ensure_owner()
    for password in ("", "owner", "password", "quire"):
        response = client.post("/api/auth/login", json={"name": "owner", "password": password or "x"})
        assert response.status_code == 401


# --- delete my account and data ------------------------------------------------------------------


def s3_keys(settings, prefix: str) -> list[str]:
    s3 = boto3.client(
        "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key.get_secret_value(),
    )
    listing = s3.list_objects_v2(Bucket=settings.s3_bucket, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


def put_object(client: TestClient, headers: dict, key: str, body: bytes) -> None:
    presigned = client.post("/api/s3/presign", headers=headers,
                            json={"op": "put", "key": key, "content_type": "text/plain", "size": len(body)})
    assert presigned.status_code == 200, presigned.text
    signed = presigned.json()
    response = httpx.request(signed["method"], signed["url"], headers=signed["headers"], content=body)
    assert response.status_code == 200, response.text


def upsert_point(client: TestClient, headers: dict, point_id: str) -> None:
    vector = [0.01 * (i % 7) + 0.001 for i in range(384)]
    body = {"points": [{"id": point_id, "vector": vector, "payload": {"artifact_id": "a1", "path": "/n.md"}}]}
    response = client.post("/api/vectors/upsert", headers=headers, json=body)
    assert response.status_code == 200, response.text


def count_points(client: TestClient, headers: dict) -> int:
    vector = [0.01 * (i % 7) + 0.001 for i in range(384)]
    response = client.post("/api/vectors/query", headers=headers, json={"vector": vector, "limit": 10})
    assert response.status_code == 200, response.text
    return len(response.json()["results"])


def test_delete_me_removes_objects_vectors_account_sessions_and_tokens(quire_app, quire_settings, client):
    alice, bob = add_user(quire_app, "alice"), add_user(quire_app, "bob")
    alice_token, bob_token = bearer(quire_app, alice), bearer(quire_app, bob)
    for headers, name in ((alice_token, "alice"), (bob_token, "bob")):
        put_object(client, headers, "notes/one.txt", f"{name} one".encode())
        put_object(client, headers, "two.txt", f"{name} two".encode())
        upsert_point(client, headers, "p1")
    assert len(s3_keys(quire_settings, f"users/{alice.uid}/")) == 2

    sign_in(client, "alice")
    refused = client.delete("/api/me", headers={"Origin": "http://evil.example"})  # a cross-site write
    assert refused.status_code == 403
    assert len(s3_keys(quire_settings, f"users/{alice.uid}/")) == 2

    response = client.delete("/api/me", headers=SAME_ORIGIN)
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert s3_keys(quire_settings, f"users/{alice.uid}/") == []
    assert quire_app.state.auth.accounts.by_name("alice") is None
    assert client.get("/api/auth/me").json()["signed_in"] is False
    assert client.get("/api/auth/me", headers=alice_token).status_code == 401
    # Bob is untouched.
    assert len(s3_keys(quire_settings, f"users/{bob.uid}/")) == 2
    assert count_points(client, bob_token) == 1
    assert client.get("/api/auth/me", headers=bob_token).status_code == 200


def test_delete_me_removes_vectors(quire_app, client):
    alice = add_user(quire_app, "alice")
    headers = bearer(quire_app, alice)
    upsert_point(client, headers, "p1")
    upsert_point(client, headers, "p2")
    assert count_points(client, headers) == 2
    assert client.delete("/api/me", headers=headers).status_code == 200
    assert quire_app.state.vectors.count(alice.uid) == 0
    # A new account never sees the old points, even with the same client ids.
    carol = add_user(quire_app, "carol")
    assert count_points(client, bearer(quire_app, carol)) == 0


def test_delete_me_needs_a_signed_in_user(client):
    assert client.delete("/api/me").json() == GENERIC_401
