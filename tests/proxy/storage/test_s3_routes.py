"""The S3 routes over HTTP: shapes, validation (4xx, never 500) and the user scope."""

from __future__ import annotations

import json

import httpx
import pytest
from starlette.testclient import TestClient

from proxy.storage.service import S3Service


@pytest.fixture
def client(make_app, s3_service: S3Service):
    with TestClient(make_app(s3=s3_service), raise_server_exceptions=False) as client:
        yield client


def as_user(uid: str) -> dict[str, str]:
    return {"x-test-user": uid}


def test_presign_put_then_list_and_usage(client: TestClient, new_uid):
    uid = new_uid()
    response = client.post("/api/s3/presign", headers=as_user(uid),
                           json={"op": "put", "key": "docs/a.txt", "size": 3, "content_type": "text/plain"})
    assert response.status_code == 200
    signed = response.json()
    assert set(signed) == {"url", "method", "headers", "expires_at"}
    assert httpx.put(signed["url"], content=b"abc", headers=signed["headers"]).status_code == 200

    listing = client.get("/api/s3/objects", headers=as_user(uid), params={"prefix": "docs/"})
    assert listing.status_code == 200
    assert [o["key"] for o in listing.json()["objects"]] == ["docs/a.txt"]
    assert listing.json()["next_cursor"] is None
    usage = client.get("/api/s3/usage", headers=as_user(uid)).json()
    assert usage == {"bytes": 3, "objects": 1, "quota": None}


def test_listing_pages_with_cursor(client: TestClient, s3_service: S3Service, new_uid):
    uid = new_uid()
    for key in ("1", "2", "3"):
        signed = client.post("/api/s3/presign", headers=as_user(uid), json={"op": "put", "key": key, "size": 0}).json()
        httpx.put(signed["url"], content=b"", headers=signed["headers"]).raise_for_status()
    first = client.get("/api/s3/objects", headers=as_user(uid), params={"limit": 2}).json()
    assert [o["key"] for o in first["objects"]] == ["1", "2"] and first["next_cursor"] == "2"
    second = client.get("/api/s3/objects", headers=as_user(uid), params={"limit": 2, "cursor": "2"}).json()
    assert [o["key"] for o in second["objects"]] == ["3"] and second["next_cursor"] is None


@pytest.mark.parametrize("path", ["/api/s3/presign", "/api/s3/objects", "/api/s3/usage"])
def test_anonymous_is_refused(client: TestClient, path: str):
    if path.endswith("presign"):
        response = client.post(path, json={"op": "get", "key": "a"})
    else:
        response = client.get(path)
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthorized", "message": "could not validate credentials"}}


BAD_BODIES = [
    ({"op": "list", "key": "a"}, 422),
    ({"op": "get"}, 422),
    ({"op": "get", "key": "a", "bucket": "other"}, 422),
    ({"op": "get", "key": "a", "uid": "someone"}, 422),
    ({"op": "get", "key": "../a"}, 400),
    ({"op": "get", "key": "/users/x/a"}, 400),
    ({"op": "get", "key": "a\u202eb"}, 400),
    ({"op": "get", "key": "a\ud800"}, 422),
    ({"op": "get", "key": 5}, 422),
    ({"op": "get", "key": "a", "size": 3}, 422),
    ({"op": "get", "key": "a", "content_type": "text/plain"}, 422),
    ({"op": "get", "key": "a", "if_none_match": "*"}, 422),
    ({"op": "delete", "key": "a", "if_match": '"x"'}, 422),
    ({"op": "delete", "key": "a", "if_none_match": '"x"'}, 422),
    ({"op": "get", "key": "a", "if_none_match": 'a"b'}, 422),
    ({"op": "put", "key": "a"}, 422),
    ({"op": "put", "key": "a", "size": -1}, 422),
    ({"op": "put", "key": "a", "size": True}, 422),
    ({"op": "put", "key": "a", "size": "3"}, 422),
    ({"op": "put", "key": "a", "size": 1, "sha256": "nothex"}, 422),
    ({"op": "put", "key": "a", "size": 1, "sha256": "YWJj"}, 422),
    ({"op": "put", "key": "a", "size": 1, "content_type": "text/plain\r\nx-amz-acl: public"}, 422),
    ({"op": "put", "key": "a", "size": 1, "if_none_match": "etag"}, 422),
    ({"op": "put", "key": "a", "size": 1, "if_match": "a\"b"}, 422),
    ({"op": "put", "key": "a", "size": 10**13}, 413),
    ([], 422),
    ("get", 422),
    (None, 422),
]


@pytest.mark.parametrize(("body", "status"), BAD_BODIES, ids=[str(b)[:40] for b, _ in BAD_BODIES])
def test_bad_presign_bodies_get_4xx(client: TestClient, body, status: int, new_uid):
    # json.dumps escapes non-ASCII, so lone surrogates travel as "\\ud800" like any JSON client's.
    headers = {**as_user(new_uid()), "content-type": "application/json"}
    response = client.post("/api/s3/presign", headers=headers, content=json.dumps(body))
    assert response.status_code == status, response.text
    assert set(response.json()["error"]) == {"code", "message"}


def test_malformed_json_and_wrong_media_type(client: TestClient, new_uid):
    headers = as_user(new_uid())
    bad = client.post("/api/s3/presign", headers={**headers, "content-type": "application/json"}, content=b"{nope")
    assert bad.status_code == 400
    form = client.post("/api/s3/presign", headers=headers, data={"op": "get", "key": "a"})
    assert form.status_code == 415


def test_oversize_body(client: TestClient, new_uid):
    response = client.post("/api/s3/presign", headers=as_user(new_uid()),
                           json={"op": "get", "key": "a", "pad": "x" * 3_000_000})
    assert response.status_code == 413


@pytest.mark.parametrize("params", [{"prefix": "../"}, {"prefix": "/"}, {"cursor": "../x"}, {"limit": "0"},
                                    {"limit": "1001"}, {"limit": "x"}, {"bucket": "other"}])
def test_bad_listing_parameters(client: TestClient, params, new_uid):
    response = client.get("/api/s3/objects", headers=as_user(new_uid()), params=params)
    assert response.status_code in (400, 422)


def test_storage_outage_is_503_not_500(make_app, make_settings, new_uid):
    broken = S3Service(make_settings(s3_endpoint_url="http://127.0.0.1:9", s3_public_endpoint_url=None))
    with TestClient(make_app(s3=broken), raise_server_exceptions=False) as client:
        response = client.get("/api/s3/usage", headers=as_user(new_uid()))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_unavailable"
