"""Presigned URLs used with plain HTTP against a real, signature-checking SeaweedFS."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from proxy.http.errors import ApiError
from proxy.storage.models import PresignRequest, PresignResponse
from proxy.storage.service import S3Service


def presign(service: S3Service, uid: str, **fields) -> PresignResponse:
    return service.presign(uid, PresignRequest(**fields))


def use(signed: PresignResponse, body: bytes | None = None, **extra_headers) -> httpx.Response:
    """What a browser does with a presign response: the method, the URL, the listed headers."""
    headers = {**signed.headers, **extra_headers}
    return httpx.request(signed.method, signed.url, headers=headers, content=body)


def put(service: S3Service, uid: str, key: str, body: bytes, **fields) -> httpx.Response:
    return use(presign(service, uid, op="put", key=key, size=len(body), **fields), body)


def get(service: S3Service, uid: str, key: str) -> httpx.Response:
    return use(presign(service, uid, op="get", key=key))


def test_upload_then_download(s3_service: S3Service, new_uid):
    uid = new_uid()
    signed = presign(s3_service, uid, op="put", key="notes/a.txt", size=5, content_type="text/plain")
    assert signed.method == "PUT" and signed.headers == {"content-type": "text/plain"}
    assert f"/users/{uid}/notes/a.txt?" in signed.url
    assert use(signed, b"hello").status_code == 200
    got = get(s3_service, uid, "notes/a.txt")
    # Downloads are always served as attachments of an inert type (see test_content.py).
    assert (got.status_code, got.content, got.headers["content-type"]) == (200, b"hello", "application/octet-stream")
    assert got.headers["content-disposition"] == "attachment"
    head = use(presign(s3_service, uid, op="head", key="notes/a.txt"))
    assert head.headers["content-type"] == "text/plain"  # the stored type is what was signed


def test_head_and_delete(s3_service: S3Service, new_uid):
    uid = new_uid()
    put(s3_service, uid, "f", b"12345")
    head = use(presign(s3_service, uid, op="head", key="f"))
    assert head.status_code == 200 and head.headers["content-length"] == "5"
    assert use(presign(s3_service, uid, op="delete", key="f")).status_code == 204
    assert get(s3_service, uid, "f").status_code == 404


def test_checksum_is_signed_and_checked(s3_service: S3Service, new_uid):
    uid = new_uid()
    body = b"the real body"
    signed = presign(s3_service, uid, op="put", key="c", size=len(body), sha256=hashlib.sha256(body).hexdigest())
    assert "x-amz-checksum-sha256" in signed.headers
    other = b"the fake body"  # same length, other content
    assert use(signed, other).status_code in (400, 403)
    assert get(s3_service, uid, "c").status_code == 404
    assert use(signed, body).status_code == 200
    assert get(s3_service, uid, "c").content == body


def test_checksum_header_cannot_be_dropped_or_swapped(s3_service: S3Service, new_uid):
    uid = new_uid()
    body, other = b"aaaa", b"bbbb"
    signed = presign(s3_service, uid, op="put", key="c", size=4, sha256=hashlib.sha256(body).hexdigest())
    dropped = httpx.put(signed.url, content=other, headers={"content-type": signed.headers["content-type"]})
    assert dropped.status_code == 403
    import base64
    swapped = base64.b64encode(hashlib.sha256(other).digest()).decode()
    assert use(signed, other, **{"x-amz-checksum-sha256": swapped}).status_code == 403
    assert get(s3_service, uid, "c").status_code == 404


def test_base64_checksum_is_accepted(s3_service: S3Service, new_uid):
    import base64
    body = b"b64"
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert put(s3_service, new_uid(), "k", body, sha256=digest).status_code == 200


def test_length_is_signed(s3_service: S3Service, new_uid):
    uid = new_uid()
    signed = presign(s3_service, uid, op="put", key="sized", size=4)
    assert use(signed, b"12345").status_code == 403
    assert use(signed, b"123").status_code == 403
    assert get(s3_service, uid, "sized").status_code == 404
    assert use(signed, b"1234").status_code == 200


def test_content_type_is_signed(s3_service: S3Service, new_uid):
    uid = new_uid()
    signed = presign(s3_service, uid, op="put", key="typed", size=2, content_type="text/plain")
    assert use(signed, b"<>", **{"content-type": "text/html"}).status_code == 403


def test_url_for_one_key_cannot_reach_another(s3_service: S3Service, new_uid):
    alice, bob = new_uid("alice"), new_uid("bob")
    put(s3_service, bob, "secret", b"bob's")
    signed = presign(s3_service, alice, op="put", key="mine", size=6)
    for target in (f"users/{alice}/other", f"users/{bob}/secret"):
        moved = signed.url.replace(f"users/{alice}/mine", target)
        assert httpx.put(moved, content=b"hacked", headers=signed.headers).status_code == 403
    read = presign(s3_service, alice, op="get", key="mine")
    assert httpx.get(read.url.replace(f"users/{alice}/mine", f"users/{bob}/secret")).status_code == 403
    assert get(s3_service, bob, "secret").content == b"bob's"


def test_wrong_method_is_refused(s3_service: S3Service, new_uid):
    uid = new_uid()
    put(s3_service, uid, "m", b"keep")
    read = presign(s3_service, uid, op="get", key="m")
    assert httpx.put(read.url, content=b"over").status_code == 403
    assert httpx.delete(read.url).status_code == 403
    write = presign(s3_service, uid, op="put", key="m", size=4)
    assert httpx.delete(write.url).status_code == 403
    assert get(s3_service, uid, "m").content == b"keep"


def test_tampered_signature_is_refused(s3_service: S3Service, new_uid):
    uid = new_uid()
    put(s3_service, uid, "t", b"x")
    url = presign(s3_service, uid, op="get", key="t").url
    sig = parse_qs(urlsplit(url).query)["X-Amz-Signature"][0]
    flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    assert httpx.get(url.replace(sig, flipped)).status_code == 403
    longer = url.replace("X-Amz-Expires=", "X-Amz-Expires=9")
    assert httpx.get(longer).status_code == 403


def test_expired_url_is_refused(s3_settings, new_uid):
    class ShortLived(S3Service):
        expires_in = 1

    service = ShortLived(s3_settings)
    uid = new_uid()
    put(service, uid, "e", b"x")
    signed = presign(service, uid, op="get", key="e")
    time.sleep(2.2)
    assert use(signed).status_code == 403


def test_expiry_comes_from_settings_and_is_capped(make_settings, new_uid):
    service = S3Service(make_settings(presign_expiry_seconds=120, presign_max_expiry_seconds=600))
    before = datetime.now(timezone.utc).timestamp()
    signed = presign(service, new_uid(), op="get", key="x")
    assert parse_qs(urlsplit(signed.url).query)["X-Amz-Expires"] == ["120"]
    expires = datetime.fromisoformat(signed.expires_at.replace("Z", "+00:00")).timestamp()
    assert before + 118 <= expires <= before + 122
    with pytest.raises(ValueError):
        make_settings(presign_expiry_seconds=1000, presign_max_expiry_seconds=900)


def test_if_match(s3_service: S3Service, new_uid):
    uid = new_uid()
    etag = put(s3_service, uid, "manifest.json", b"v1").headers["etag"]
    stale = put(s3_service, uid, "manifest.json", b"v2", if_match='"00000000000000000000000000000000"')
    assert stale.status_code == 412
    assert get(s3_service, uid, "manifest.json").content == b"v1"
    signed = presign(s3_service, uid, op="put", key="manifest.json", size=2, if_match=etag)
    assert signed.headers["if-match"] == etag
    assert use(signed, b"v2").status_code == 200
    assert get(s3_service, uid, "manifest.json").content == b"v2"
    assert use(presign(s3_service, uid, op="get", key="manifest.json", if_match=etag)).status_code == 412


def test_if_match_header_cannot_be_dropped(s3_service: S3Service, new_uid):
    uid = new_uid()
    put(s3_service, uid, "m", b"v1")
    signed = presign(s3_service, uid, op="put", key="m", size=2, if_match='"abc"')
    headers = {k: v for k, v in signed.headers.items() if k != "if-match"}
    assert httpx.put(signed.url, content=b"v2", headers=headers).status_code == 403
    assert get(s3_service, uid, "m").content == b"v1"


def test_if_none_match_creates_only_once(s3_service: S3Service, new_uid):
    uid = new_uid()
    assert put(s3_service, uid, "once", b"first", if_none_match="*").status_code == 200
    assert put(s3_service, uid, "once", b"again", if_none_match="*").status_code == 412
    assert get(s3_service, uid, "once").content == b"first"


def test_a_read_with_if_none_match_answers_304_while_unchanged(s3_service: S3Service, new_uid):
    uid = new_uid()
    etag = put(s3_service, uid, "sync/manifest", b"v1").headers["etag"]
    signed = presign(s3_service, uid, op="get", key="sync/manifest", if_none_match=etag)
    assert signed.headers["if-none-match"] == etag
    assert use(signed).status_code == 304
    headers = {k: v for k, v in signed.headers.items() if k != "if-none-match"}
    assert httpx.get(signed.url, headers=headers).status_code == 403  # the condition is signed
    put(s3_service, uid, "sync/manifest", b"v2")
    changed = use(presign(s3_service, uid, op="get", key="sync/manifest", if_none_match=etag))
    assert changed.status_code == 200 and changed.content == b"v2"


def test_listing_is_relative_paged_and_own_only(s3_service: S3Service, new_uid):
    alice = new_uid("alice")
    for key in ("a/1", "a/2", "a/3", "b/1", "c"):
        put(s3_service, alice, key, b"x")
    put(s3_service, alice + "x", "a/9", b"other user, same prefix start")
    seen, cursor = [], None
    while True:
        page = s3_service.list_objects(alice, cursor=cursor, limit=2)
        assert len(page["objects"]) <= 2
        seen += [obj["key"] for obj in page["objects"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["a/1", "a/2", "a/3", "b/1", "c"]
    assert [o["key"] for o in s3_service.list_objects(alice, prefix="a/")["objects"]] == ["a/1", "a/2", "a/3"]
    first = s3_service.list_objects(alice)["objects"][0]
    assert first["size"] == 1 and first["etag"] and first["last_modified"].endswith("Z")


def test_unicode_keys_round_trip(s3_service: S3Service, new_uid):
    uid = new_uid()
    keys = ["ünïcödé/naïve.md", "日本語/ファイル 1.txt", "emoji/\U0001f4c4.txt"]
    for key in keys:
        assert put(s3_service, uid, key, key.encode()).status_code == 200
        assert get(s3_service, uid, key).content == key.encode()
    listed = [o["key"] for o in s3_service.list_objects(uid)["objects"]]
    assert sorted(listed) == sorted(keys)
    after = s3_service.list_objects(uid, cursor=sorted(keys)[0])["objects"]
    assert [o["key"] for o in after] == sorted(keys)[1:]


def test_usage(make_settings, new_uid):
    service = S3Service(make_settings(user_quota_bytes=1000))
    uid = new_uid()
    assert service.usage(uid) == {"bytes": 0, "objects": 0, "quota": 1000}
    put(service, uid, "a", b"12345")
    put(service, uid, "b/c", b"123")
    assert service.usage(uid) == {"bytes": 8, "objects": 2, "quota": 1000}


def test_quota_is_enforced_at_presign(make_settings, new_uid):
    service = S3Service(make_settings(user_quota_bytes=10))
    uid = new_uid()
    with pytest.raises(ApiError) as info:
        presign(service, uid, op="put", key="big", size=11)
    assert (info.value.status, info.value.code) == (413, "quota_exceeded")
    assert put(service, uid, "a", b"123456").status_code == 200
    with pytest.raises(ApiError):
        presign(service, uid, op="put", key="b", size=5)
    assert put(service, uid, "b", b"1234").status_code == 200
    # Replacing an object only counts the difference.
    assert put(service, uid, "a", b"123456").status_code == 200


def test_upload_limit(make_settings, new_uid):
    service = S3Service(make_settings(max_upload_bytes=100))
    with pytest.raises(ApiError) as info:
        presign(service, new_uid(), op="put", key="big", size=101)
    assert (info.value.status, info.value.code) == (413, "too_large")
    presign(service, new_uid(), op="put", key="ok", size=100)


def test_delete_user_removes_only_that_user(s3_service: S3Service, new_uid):
    alice = new_uid("alice")
    for i in range(5):
        put(s3_service, alice, f"f{i}/x", b"x")
    put(s3_service, alice + "0", "keep", b"x")
    assert s3_service.delete_user(alice) == 5
    assert s3_service.usage(alice)["objects"] == 0
    assert get(s3_service, alice + "0", "keep").content == b"x"


def test_ready(s3_service: S3Service, make_settings):
    assert s3_service.ready() is True
    assert S3Service(make_settings(s3_bucket="no-such-bucket-here")).ready() is False
    assert S3Service(make_settings(s3_secret_access_key="wrong")).ready() is False


def test_public_endpoint_is_what_urls_name(make_settings, weed, new_uid):
    public = weed.endpoint.endpoint_url.replace("127.0.0.1", "localhost")
    service = S3Service(make_settings(s3_public_endpoint_url=public))
    uid = new_uid()
    signed = presign(service, uid, op="put", key="p", size=1)
    assert signed.url.startswith(public + "/")
    assert use(signed, b"x").status_code == 200
