"""Multipart uploads through presigned part URLs (real SeaweedFS): confinement, exact part
lengths and checksums, the quota, completion checks, create-only completion, abort."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest
from starlette.testclient import TestClient

from proxy.storage.multipart import MIN_PART_BYTES

PART = MIN_PART_BYTES


@pytest.fixture
def client(make_app, s3_service):
    with TestClient(make_app(s3=s3_service), raise_server_exceptions=False) as client:
        yield client


def as_user(uid: str) -> dict[str, str]:
    return {"x-test-user": uid}


def sha(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def start(client, uid, key="blobs/a", size=PART + 10, part_size=PART):
    response = client.post("/api/s3/multipart/start", headers=as_user(uid),
                           json={"key": key, "size": size, "part_size": part_size})
    assert response.status_code == 200, response.text
    return response.json()


def put_part(client, uid, key, upload_id, number, body, checksum=True):
    fields = {"key": key, "upload_id": upload_id, "part_number": number}
    if checksum:
        fields["sha256"] = sha(body)
    signed = client.post("/api/s3/multipart/part", headers=as_user(uid), json=fields)
    assert signed.status_code == 200, signed.text
    return httpx.put(signed.json()["url"], headers=signed.json()["headers"], content=body)


def test_parts_upload_complete_and_read_back(client, s3_service, new_uid):
    uid, body = new_uid(), bytes(range(256)) * ((PART + 10) // 256) + b"x" * ((PART + 10) % 256)
    started = start(client, uid)
    assert started["parts"] == 2
    for number, piece in ((2, body[PART:]), (1, body[:PART])):  # any order
        assert put_part(client, uid, "blobs/a", started["upload_id"], number, piece).status_code == 200
    listed = client.post("/api/s3/multipart/parts", headers=as_user(uid),
                         json={"key": "blobs/a", "upload_id": started["upload_id"]}).json()
    assert [(p["part_number"], p["size"]) for p in listed["parts"]] == [(1, PART), (2, 10)]
    done = client.post("/api/s3/multipart/complete", headers=as_user(uid),
                       json={"key": "blobs/a", "upload_id": started["upload_id"]})
    assert done.status_code == 200 and done.json()["created"] is True
    stored = s3_service._client.get_object(Bucket=s3_service.bucket, Key=f"users/{uid}/blobs/a")["Body"].read()
    assert stored == body


def test_another_user_or_key_cannot_touch_the_upload(client, new_uid):
    owner, other = new_uid("owner"), new_uid("other")
    upload_id = start(client, owner)["upload_id"]
    for uid, key in ((other, "blobs/a"), (owner, "blobs/b")):
        for path, extra in (("part", {"part_number": 1}), ("parts", {}), ("complete", {}), ("abort", {})):
            response = client.post(f"/api/s3/multipart/{path}", headers=as_user(uid),
                                   json={"key": key, "upload_id": upload_id, **extra})
            assert response.status_code == 404, (uid, key, path)
            assert response.json()["error"]["message"] == "no such upload"
    # still intact for its owner
    assert put_part(client, owner, "blobs/a", upload_id, 2, b"y" * 10).status_code == 200


def test_a_part_must_have_its_exact_length_and_checksum(client, new_uid):
    uid = new_uid()
    upload_id = start(client, uid)["upload_id"]
    signed = client.post("/api/s3/multipart/part", headers=as_user(uid),
                         json={"key": "blobs/a", "upload_id": upload_id, "part_number": 2,
                               "sha256": sha(b"z" * 10)}).json()
    assert httpx.put(signed["url"], headers=signed["headers"], content=b"z" * 11).status_code in (400, 403)
    assert httpx.put(signed["url"], headers=signed["headers"], content=b"q" * 10).status_code in (400, 403)
    out_of_range = client.post("/api/s3/multipart/part", headers=as_user(uid),
                               json={"key": "blobs/a", "upload_id": upload_id, "part_number": 3})
    assert out_of_range.status_code == 422
    listed = client.post("/api/s3/multipart/parts", headers=as_user(uid),
                         json={"key": "blobs/a", "upload_id": upload_id}).json()
    assert listed["parts"] == []


def test_completion_needs_every_part(client, s3_service, new_uid):
    uid = new_uid()
    upload_id = start(client, uid)["upload_id"]
    assert put_part(client, uid, "blobs/a", upload_id, 2, b"y" * 10).status_code == 200
    done = client.post("/api/s3/multipart/complete", headers=as_user(uid),
                       json={"key": "blobs/a", "upload_id": upload_id})
    assert done.status_code == 409 and done.json()["error"]["code"] == "incomplete"
    assert s3_service.usage(uid)["objects"] == 0


def test_completion_never_replaces_an_existing_object(client, s3_service, new_uid):
    uid = new_uid()
    signed = client.post("/api/s3/presign", headers=as_user(uid),
                         json={"op": "put", "key": "blobs/a", "size": 3}).json()
    assert httpx.put(signed["url"], headers=signed["headers"], content=b"old").status_code == 200
    upload_id = start(client, uid, size=10)["upload_id"]
    assert put_part(client, uid, "blobs/a", upload_id, 1, b"n" * 10).status_code == 200
    done = client.post("/api/s3/multipart/complete", headers=as_user(uid),
                       json={"key": "blobs/a", "upload_id": upload_id})
    assert done.status_code == 200 and done.json() == {"etag": None, "created": False}
    stored = s3_service._client.get_object(Bucket=s3_service.bucket, Key=f"users/{uid}/blobs/a")["Body"].read()
    assert stored == b"old"


def test_abort_drops_the_upload(client, s3_service, new_uid):
    uid = new_uid()
    upload_id = start(client, uid)["upload_id"]
    assert put_part(client, uid, "blobs/a", upload_id, 2, b"y" * 10).status_code == 200
    assert client.post("/api/s3/multipart/abort", headers=as_user(uid),
                       json={"key": "blobs/a", "upload_id": upload_id}).status_code == 200
    again = client.post("/api/s3/multipart/parts", headers=as_user(uid), json={"key": "blobs/a", "upload_id": upload_id})
    assert again.status_code == 404
    uploads = s3_service._client.list_multipart_uploads(Bucket=s3_service.bucket, Prefix=f"users/{uid}/")
    assert not uploads.get("Uploads")


def test_the_quota_is_reserved_for_the_whole_upload_and_released_by_abort(make_app, make_settings, new_uid):
    from proxy.storage.service import S3Service

    service, uid = S3Service(make_settings(user_quota_bytes=3 * PART)), new_uid()
    with TestClient(make_app(s3=service), raise_server_exceptions=False) as client:
        first = start(client, uid, key="blobs/a", size=2 * PART)
        refused = client.post("/api/s3/multipart/start", headers=as_user(uid),
                              json={"key": "blobs/b", "size": 2 * PART, "part_size": PART})
        assert refused.status_code == 413 and refused.json()["error"]["code"] == "quota_exceeded"
        small = client.post("/api/s3/presign", headers=as_user(uid), json={"op": "put", "key": "c", "size": PART + 1})
        assert small.status_code == 413
        assert [size for _, size in service.grants.outstanding(uid)] == [2 * PART]
        aborted = client.post("/api/s3/multipart/abort", headers=as_user(uid),
                              json={"key": "blobs/a", "upload_id": first["upload_id"]})
        assert aborted.status_code == 200 and service.grants.outstanding(uid) == []
        start(client, uid, key="blobs/b", size=2 * PART)  # the room is back


@pytest.mark.parametrize("body,status", [
    ({"key": "../x", "size": 10, "part_size": PART}, 400),
    ({"key": "a", "size": 10, "part_size": 1024}, 422),
    ({"key": "a", "size": 0, "part_size": PART}, 422),
    ({"key": "a", "size": 10, "part_size": PART, "uid": "someone"}, 422),
])
def test_bad_starts_are_refused(client, new_uid, body, status):
    assert client.post("/api/s3/multipart/start", headers=as_user(new_uid()), json=body).status_code == status


def test_anonymous_is_refused(client):
    for path in ("start", "part", "parts", "complete", "abort"):
        assert client.post(f"/api/s3/multipart/{path}", json={"key": "a"}).status_code == 401
