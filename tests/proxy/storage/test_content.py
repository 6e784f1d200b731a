"""Objects are served as downloads: no upload may declare an active type, and every presigned GET
is answered by real SeaweedFS as an attachment of type application/octet-stream."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from proxy.http.errors import ApiError
from proxy.storage.content import INERT_TYPES, upload_type
from proxy.storage.models import PresignRequest
from proxy.storage.service import S3Service

PAGE = b"<!doctype html><title>owned</title><script>document.title='ran'</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

ACTIVE_TYPES = [
    "text/html", "TEXT/HTML", "Text/Html; charset=utf-8", "text/html;charset=utf-8", "image/svg+xml",
    "application/xhtml+xml", "text/xml", "application/xml", "text/xsl", "application/xslt+xml",
    "text/javascript", "application/javascript", "application/ecmascript", "text/css",
    "application/x-shockwave-flash", "multipart/x-mixed-replace", "message/rfc822", "text/vtt",
    "application/wasm", "application/x-unknown", "image/x-icon-but-not-really", "video/x-ms-asf",
    "application/octet-stream; charset=utf-8",  # a parameter on a non-text type means nothing safe
    "text/plain; charset=utf-7", "text/plain; charset=iso-2022-jp", "text/plain;charset=UTF-16",
]


@pytest.mark.parametrize("declared", ACTIVE_TYPES)
def test_active_and_unknown_types_are_refused_at_presign(s3_service: S3Service, new_uid, declared: str):
    request = PresignRequest(op="put", key="page", size=len(PAGE), content_type=declared)
    with pytest.raises(ApiError) as info:
        s3_service.presign(new_uid(), request)
    assert (info.value.status, info.value.code) == (422, "invalid_request")


@pytest.mark.parametrize("declared", sorted(INERT_TYPES) + ["text/plain; charset=utf-8", "Image/PNG",
                                                             "text/csv;charset=UTF-8"])
def test_inert_types_are_signed_in_lower_case(declared: str):
    signed = upload_type(declared)
    assert signed.split(";")[0] == declared.split(";")[0].lower()
    assert ";" not in declared or signed.endswith("; charset=utf-8")


@pytest.mark.parametrize("declared", ["text/plain; charset=utf-8", "TEXT/PLAIN;charset=UTF-8"])
def test_the_signed_type_is_the_one_s3_stores(s3_service: S3Service, new_uid, declared: str):
    uid = new_uid()
    signed = s3_service.presign(uid, PresignRequest(op="put", key="t", size=2, content_type=declared))
    assert httpx.put(signed.url, headers=signed.headers, content=b"hi").status_code == 200
    head = s3_service.presign(uid, PresignRequest(op="head", key="t"))
    assert httpx.head(head.url).headers["content-type"] == "text/plain; charset=utf-8"


def test_no_type_means_octet_stream():
    assert upload_type(None) == "application/octet-stream"


def get_url(service: S3Service, uid: str, key: str) -> str:
    return service.presign(uid, PresignRequest(op="get", key=key)).url


@pytest.mark.parametrize("body,stored_type", [(PAGE, "text/html"), (SVG, "image/svg+xml"),
                                              (PAGE, "application/octet-stream"), (SVG, "text/plain")])
def test_downloads_are_attachments_even_for_objects_stored_as_active(weed, s3_service: S3Service, new_uid,
                                                                      body: bytes, stored_type: str):
    # Written behind the proxy's back (as an object from before this rule would be).
    uid = new_uid()
    weed.client().put_object(Bucket=s3_service.bucket, Key=f"users/{uid}/doc", Body=body, ContentType=stored_type)
    response = httpx.get(get_url(s3_service, uid, "doc"))
    assert response.status_code == 200 and response.content == body
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == "attachment"


@pytest.mark.parametrize("change", ["drop disposition", "drop type", "inline", "text/html"])
def test_the_overrides_cannot_be_removed_from_a_signed_url(weed, s3_service: S3Service, new_uid, change: str):
    uid = new_uid()
    weed.client().put_object(Bucket=s3_service.bucket, Key=f"users/{uid}/doc", Body=PAGE, ContentType="text/html")
    parts = urlsplit(get_url(s3_service, uid, "doc"))
    query = dict(parse_qsl(parts.query))
    if change == "drop disposition":
        del query["response-content-disposition"]
    elif change == "drop type":
        del query["response-content-type"]
    elif change == "inline":
        query["response-content-disposition"] = "inline"
    else:
        query["response-content-type"] = "text/html"
    tampered = urlunsplit(parts._replace(query=urlencode(query)))
    response = httpx.get(tampered)
    assert response.status_code == 403 and PAGE not in response.content
