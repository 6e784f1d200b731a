"""Multipart uploads through presigned part URLs, confined like every other presign.

S3 itself only knows an upload by its id; it does not tie the id to a user. So the proxy keeps
a small ledger (SQLite in the data directory, shared by every worker): upload id, user, key,
total size and part size. Every call names the key and the id, and both must match a row of the
signed-in user, or the answer is the same 404 as for an id that never existed. The ledger also
fixes each part's exact length (signed into its URL, with its SHA-256 when given), so the parts
add up to the size the quota was reserved for, and completion checks S3's own part list.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from proxy.http.errors import ApiError
from proxy.storage.keys import object_key
from proxy.storage.models import PresignResponse
from proxy.storage.service import S3Service, StorageUnavailable, sha256_base64

LEDGER_NAME = "multipart-uploads.sqlite"
MIN_PART_BYTES = 5 * 1024 * 1024  # S3's minimum for every part but the last
MAX_PART_BYTES = 5 * 1024**3
MAX_PARTS = 10_000
# An upload may be resumed for this long (a large file on a slow or intermittent connection).
LIFETIME_SECONDS = 24 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    upload_id TEXT PRIMARY KEY,
    uid TEXT NOT NULL,
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    part_size INTEGER NOT NULL,
    expires_at REAL NOT NULL
);
"""


def _no_such_upload() -> ApiError:
    return ApiError(404, "not_found", "no such upload")


@dataclass(frozen=True)
class Upload:
    upload_id: str
    uid: str
    key: str  # the bucket key, users/{uid}/...
    size: int
    part_size: int

    @property
    def parts(self) -> int:
        return max(1, -(-self.size // self.part_size))

    def part_length(self, number: int) -> int:
        if number < self.parts:
            return self.part_size
        return self.size - self.part_size * (self.parts - 1)


class Multipart:
    """The multipart operations for one S3Service."""

    def __init__(self, service: S3Service, data_dir: Path) -> None:
        self.service = service
        self.path = Path(data_dir) / LEDGER_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10.0, isolation_level=None)

    def _find(self, uid: str, key: str, upload_id: str) -> Upload:
        full = object_key(uid, key)
        db = self._connect()
        try:
            row = db.execute("SELECT size, part_size FROM uploads WHERE upload_id = ? AND uid = ? AND key = ?"
                             " AND expires_at > ?", (upload_id, uid, full, time.time())).fetchone()
        finally:
            db.close()
        if row is None:
            raise _no_such_upload()
        return Upload(upload_id, uid, full, row[0], row[1])

    def _forget(self, upload_id: str) -> None:
        db = self._connect()
        try:
            db.execute("DELETE FROM uploads WHERE upload_id = ?", (upload_id,))
        finally:
            db.close()

    def _release(self, uid: str, full_key: str) -> None:
        """An upload that will never write: its reservation stops counting against the quota."""
        if self.service.grants is not None:
            self.service.grants.release(uid, full_key)

    def _client(self):
        if not self.service.available():
            raise StorageUnavailable()
        return self.service._client

    def start(self, uid: str, key: str, size: int, part_size: int) -> dict[str, Any]:
        """Create the upload in S3 and record it; the quota is reserved for the whole size."""
        full = object_key(uid, key)
        settings = self.service.settings
        if size > settings.max_upload_bytes:
            raise ApiError(413, "too_large", f"uploads are limited to {settings.max_upload_bytes} bytes")
        if not MIN_PART_BYTES <= part_size <= MAX_PART_BYTES or -(-size // part_size) > MAX_PARTS:
            raise ApiError(422, "invalid_request",
                           f"part_size: between {MIN_PART_BYTES} and {MAX_PART_BYTES}, at most {MAX_PARTS} parts")
        client = self._client()
        expires_at = time.time() + LIFETIME_SECONDS
        self.service.reserve(uid, key, size, expires_at)
        try:
            created = client.create_multipart_upload(Bucket=self.service.bucket, Key=full,
                                                     ContentType="application/octet-stream")
        except Exception:
            self._release(uid, full)
            raise
        db = self._connect()
        try:
            db.execute("DELETE FROM uploads WHERE expires_at < ?", (time.time(),))
            db.execute("INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?)",
                       (created["UploadId"], uid, full, size, part_size, expires_at))
        finally:
            db.close()
        upload = Upload(created["UploadId"], uid, full, size, part_size)
        return {"upload_id": upload.upload_id, "parts": upload.parts, "part_size": part_size}

    def sign_part(self, uid: str, key: str, upload_id: str, number: int, sha256: str | None) -> PresignResponse:
        """A presigned PUT for part ``number``, for exactly that part's length."""
        upload = self._find(uid, key, upload_id)
        if not 1 <= number <= upload.parts:
            raise ApiError(422, "invalid_request", f"part_number: between 1 and {upload.parts}")
        if not self.service.available():
            raise StorageUnavailable()
        length = upload.part_length(number)
        params: dict[str, Any] = {"Bucket": self.service.bucket, "Key": upload.key, "UploadId": upload_id,
                                  "PartNumber": number, "ContentLength": length}
        headers: dict[str, str] = {}
        if sha256 is not None:
            params["ChecksumSHA256"] = headers["x-amz-checksum-sha256"] = sha256_base64(sha256)
        expires_in = self.service.expires_in
        url = self.service._signer.generate_presigned_url("upload_part", Params=params, ExpiresIn=expires_in)
        expiry = datetime.fromtimestamp(int(time.time() + expires_in), timezone.utc)
        return PresignResponse(url=url, method="PUT", headers=headers,
                               expires_at=expiry.isoformat(timespec="seconds").replace("+00:00", "Z"))

    def _list(self, upload: Upload) -> list[dict[str, Any]]:
        client, parts, marker = self._client(), [], 0
        while True:
            page = client.list_parts(Bucket=self.service.bucket, Key=upload.key, UploadId=upload.upload_id,
                                     PartNumberMarker=marker)
            parts += [{"part_number": p["PartNumber"], "size": p["Size"], "etag": p["ETag"]}
                      for p in page.get("Parts", [])]
            if not page.get("IsTruncated"):
                return parts
            marker = page["NextPartNumberMarker"]

    def parts(self, uid: str, key: str, upload_id: str) -> dict[str, Any]:
        """The parts S3 holds for the upload (what a resumed upload need not send again)."""
        upload = self._find(uid, key, upload_id)
        return {"parts": self._list(upload), "size": upload.size, "part_size": upload.part_size}

    def complete(self, uid: str, key: str, upload_id: str) -> dict[str, Any]:
        """Join the parts, once S3 holds every one of them at its exact length."""
        upload = self._find(uid, key, upload_id)
        held = {p["part_number"]: p for p in self._list(upload)}
        missing = [n for n in range(1, upload.parts + 1)
                   if n not in held or held[n]["size"] != upload.part_length(n)]
        if missing:
            raise ApiError(409, "incomplete", f"parts missing or of the wrong size: {missing[:20]}")
        client = self._client()
        try:
            # Create-only, like a single PUT: content-addressed objects are never replaced.
            result = client.complete_multipart_upload(
                Bucket=self.service.bucket, Key=upload.key, UploadId=upload_id, IfNoneMatch="*",
                MultipartUpload={"Parts": [{"PartNumber": n, "ETag": held[n]["etag"]}
                                           for n in range(1, upload.parts + 1)]})
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "PreconditionFailed":
                raise
            client.abort_multipart_upload(Bucket=self.service.bucket, Key=upload.key, UploadId=upload_id)
            self._forget(upload_id)
            self._release(uid, upload.key)
            return {"etag": None, "created": False}
        self._forget(upload_id)
        return {"etag": result.get("ETag"), "created": True}

    def abort(self, uid: str, key: str, upload_id: str) -> dict[str, Any]:
        """Drop the upload and its parts."""
        upload = self._find(uid, key, upload_id)
        client = self._client()
        try:
            client.abort_multipart_upload(Bucket=self.service.bucket, Key=upload.key, UploadId=upload_id)
        except client.exceptions.NoSuchUpload:
            pass
        self._forget(upload_id)
        self._release(uid, upload.key)
        return {}
