"""Per-user S3 through presigned URLs: the service (boto3, SigV4).

The browser talks to S3 directly; the proxy only signs. Each URL reaches exactly one object
under `users/{uid}/`, for one method, for a few minutes. Uploads sign the content type, the
exact length and (when given) the SHA-256 checksum, so S3 itself refuses any other body.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from proxy.http.errors import ApiError
from proxy.settings import Settings
from proxy.storage import content
from proxy.storage.grants import LEDGER_NAME, Grants, QuotaExceeded
from proxy.storage.keys import object_key, user_prefix, validate_key, validate_prefix
from proxy.storage.models import PresignRequest, PresignResponse
from proxy.storage.supervisor import unavailable_marker

_OPERATIONS = {"get": "get_object", "put": "put_object", "head": "head_object", "delete": "delete_object"}


def sha256_base64(value: str) -> str:
    """The checksum as S3 wants it (base64 of the digest), from hex or base64."""
    if re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return base64.b64encode(bytes.fromhex(value)).decode()
    try:
        digest = base64.b64decode(value, validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != 32:
        raise ApiError(422, "invalid_request", "sha256: expected 64 hex characters or base64 of 32 bytes")
    return base64.b64encode(digest).decode()


class StorageUnavailable(Exception):
    """S3 is known to be down (the embedded server is restarting): nothing is signed meanwhile."""


class S3Service:
    """Signs URLs for one bucket and answers listing/usage questions about a user's folder.

    `available`, when given, says whether the S3 server is up right now (the embedded server's
    supervisor knows); while it says no, presign raises StorageUnavailable instead of handing out
    URLs for a dead endpoint.
    """

    def __init__(self, settings: Settings, *, available: Callable[[], bool] | None = None) -> None:
        if not settings.s3_endpoint_url and not settings.s3_access_key_id:
            raise ValueError("S3 is not configured: start the embedded S3 or set QUIRE_S3_ENDPOINT_URL")
        self.settings = settings
        self.bucket = settings.s3_bucket
        if available is None and settings.s3_supervised:
            # `quire serve` supervises the embedded S3; its marker file is seen by every worker.
            marker = unavailable_marker(settings.data_dir)
            available = lambda: not marker.exists()  # noqa: E731
        self.available = available or (lambda: True)
        # The ledger exists only when there is a quota to hold: without one, a grant promises nothing.
        self.grants = Grants(settings.data_dir / LEDGER_NAME) if settings.user_quota_bytes is not None else None
        self._client = self._make_client(settings.s3_endpoint_url)
        public = settings.s3_public_endpoint_url or settings.s3_endpoint_url
        # Signatures cover the host, so URLs for browsers are signed for the host browsers use.
        self._signer = self._client if public == settings.s3_endpoint_url else self._make_client(public)

    @classmethod
    def from_settings(cls, settings: Settings) -> "S3Service":
        return cls(settings)

    def _make_client(self, endpoint: str | None) -> Any:
        s = self.settings
        secret = s.s3_secret_access_key.get_secret_value() if s.s3_secret_access_key else None
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": s.s3_addressing_style},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            # Every call has a deadline: attempts x (connect + read) bounds how long a thread
            # waits on an S3 that accepts connections and never answers (a stopped process).
            retries={"total_max_attempts": s.s3_max_attempts, "mode": "standard"},
            connect_timeout=s.s3_timeout_seconds, read_timeout=s.s3_timeout_seconds,
            tcp_keepalive=True,
        )
        return boto3.client("s3", endpoint_url=endpoint, region_name=s.s3_region,
                            aws_access_key_id=s.s3_access_key_id, aws_secret_access_key=secret, config=config)

    @property
    def expires_in(self) -> int:
        return min(self.settings.presign_expiry_seconds, self.settings.presign_max_expiry_seconds)

    # --- presigning -------------------------------------------------------------------------

    def presign(self, uid: str, request: PresignRequest) -> PresignResponse:
        """A URL for one operation on `users/{uid}/{request.key}`. Raises ApiError on refusal."""
        key = object_key(uid, request.key)
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        headers: dict[str, str] = {}
        self._check_fields(request)
        if not self.available():
            raise StorageUnavailable()
        expires_at = time.time() + self.expires_in
        if request.op == "put":
            self._put_params(uid, request, params, headers, expires_at)
        elif request.op == "get":
            params.update(content.download_overrides())
        if request.if_match:
            params["IfMatch"] = headers["if-match"] = request.if_match
        if request.if_none_match:
            params["IfNoneMatch"] = headers["if-none-match"] = request.if_none_match
        url = self._signer.generate_presigned_url(_OPERATIONS[request.op], Params=params, ExpiresIn=self.expires_in)
        expiry = datetime.fromtimestamp(int(expires_at), timezone.utc)
        return PresignResponse(url=url, method=request.op.upper(), headers=headers,
                               expires_at=expiry.isoformat(timespec="seconds").replace("+00:00", "Z"))

    @staticmethod
    def _check_fields(request: PresignRequest) -> None:
        if request.op != "put":
            for name in ("content_type", "sha256", "size"):
                if getattr(request, name) is not None:
                    raise ApiError(422, "invalid_request", f"{name}: only allowed with op 'put'")
            if request.op == "delete" and request.if_match is not None:
                raise ApiError(422, "invalid_request", "if_match: not allowed with op 'delete'")
            # A read may ask "only if changed" (a 304 for the sync manifest's polling).
            if request.if_none_match is not None and (
                    request.op not in ("get", "head") or request.if_none_match == "*"):
                raise ApiError(422, "invalid_request",
                               "if_none_match: '*' only with op 'put', an ETag only with 'get' or 'head'")
        else:
            if request.size is None:
                raise ApiError(422, "invalid_request", "size: required with op 'put'")
            if request.if_none_match not in (None, "*"):
                raise ApiError(422, "invalid_request", "if_none_match: only '*' with op 'put'")

    def _put_params(self, uid: str, request: PresignRequest, params: dict, headers: dict, expires_at: float) -> None:
        size = request.size or 0
        if size > self.settings.max_upload_bytes:
            raise ApiError(413, "too_large", f"uploads are limited to {self.settings.max_upload_bytes} bytes")
        content_type = content.upload_type(request.content_type)
        sha = sha256_base64(request.sha256) if request.sha256 is not None else None
        if self.grants is not None:
            self.reserve(uid, request.key, size, expires_at)
        # ContentLength is signed: a browser sets Content-Length from the body, so S3 refuses
        # any body whose length differs from the size the quota was checked against.
        params["ContentType"] = headers["content-type"] = content_type
        params["ContentLength"] = size
        if sha is not None:
            params["ChecksumSHA256"] = headers["x-amz-checksum-sha256"] = sha

    def reserve(self, uid: str, key: str, size: int, expires_at: float) -> None:
        """Record the grant, or refuse it if stored bytes plus outstanding grants would pass the quota."""
        if self.grants is None:
            return
        listed_at = time.time()
        stored = {obj["Key"]: obj["Size"] for obj in self._iter_objects(user_prefix(uid))}
        try:
            self.grants.reserve(uid, object_key(uid, key), size, stored=stored, listed_at=listed_at,
                                quota=self.settings.user_quota_bytes or 0, expires_at=expires_at)
        except QuotaExceeded:
            raise ApiError(413, "quota_exceeded", "this upload would exceed your storage quota") from None

    # --- listing, usage, deletion -------------------------------------------------------

    def _iter_objects(self, prefix: str):
        pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            yield from page.get("Contents", [])

    def list_objects(self, uid: str, prefix: str = "", cursor: str | None = None, limit: int = 100) -> dict:
        """One page of the user's objects, keys relative to their folder. `cursor` is the last
        key of the previous page (never an opaque S3 token a client could swap)."""
        root = user_prefix(uid)
        params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": root + validate_prefix(prefix), "MaxKeys": limit}
        if cursor:
            params["StartAfter"] = root + validate_key(cursor)
        page = self._client.list_objects_v2(**params)
        objects = [{
            "key": obj["Key"][len(root):],
            "size": obj["Size"],
            "etag": obj.get("ETag", ""),
            "last_modified": obj["LastModified"].astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        } for obj in page.get("Contents", []) if obj["Key"].startswith(root)]
        next_cursor = objects[-1]["key"] if page.get("IsTruncated") and objects else None
        return {"objects": objects, "next_cursor": next_cursor}

    def usage(self, uid: str) -> dict:
        """Bytes and object count in the user's folder, and their quota (None if unlimited)."""
        total = count = 0
        for obj in self._iter_objects(user_prefix(uid)):
            total += obj["Size"]
            count += 1
        return {"bytes": total, "objects": count, "quota": self.settings.user_quota_bytes}

    def delete_user(self, uid: str) -> int:
        """Delete every object under `users/{uid}/`; returns how many were deleted."""
        deleted = 0
        batch: list[dict] = []
        for obj in self._iter_objects(user_prefix(uid)):
            batch.append({"Key": obj["Key"]})
            if len(batch) == 1000:
                deleted += self._delete_batch(batch)
                batch = []
        if batch:
            deleted += self._delete_batch(batch)
        if self.grants is not None:
            self.grants.forget_user(uid)
        return deleted

    def _delete_batch(self, batch: list[dict]) -> int:
        result = self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        if result.get("Errors"):
            raise RuntimeError(f"S3 refused to delete {len(result['Errors'])} objects")
        return len(batch)

    def ready(self) -> bool:
        """True if the bucket answers with these credentials."""
        if not self.available():
            return False
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError):
            return False
        return True
