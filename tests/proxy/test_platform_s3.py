"""The engine's CPython platform against real SeaweedFS, as the large-file and sync features
will use it: encrypt on the client (HKDF key, AES-GCM), upload the ciphertext with a presigned,
checksum-signed PUT through ``platform.fetch``, download it, decrypt it."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from proxy.storage.models import PresignRequest
from proxy.storage.service import S3Service
from pylib.platform.cpython import CPythonPlatform

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run as run_async  # noqa: E402


async def _send(pl: CPythonPlatform, service: S3Service, uid: str, body: bytes | None = None,
                **fields):
    signed = service.presign(uid, PresignRequest(**fields))
    return await pl.fetch(signed.url, method=signed.method, headers=signed.headers, body=body)


def test_an_encrypted_blob_round_trips_through_seaweedfs(s3_service: S3Service, new_uid):
    pl, uid = CPythonPlatform(), new_uid()

    async def scenario():
        key = await pl.hkdf_sha256(pl.random_bytes(32), salt=b"quire", info=b"blob", length=32)
        nonce, plain = pl.random_bytes(12), b"a large file, in short " * 1000
        sealed = nonce + await pl.aes_gcm_encrypt(key, nonce, plain, b"blobs/one")
        digest = (await pl.sha256(sealed)).hex()
        put = await _send(pl, s3_service, uid, sealed, op="put", key="blobs/one",
                          size=len(sealed), sha256=digest, if_none_match="*")
        again = await _send(pl, s3_service, uid, sealed, op="put", key="blobs/one",
                            size=len(sealed), sha256=digest, if_none_match="*")
        got = await _send(pl, s3_service, uid, op="get", key="blobs/one")
        opened = await pl.aes_gcm_decrypt(key, got.body[:12], got.body[12:], b"blobs/one")
        try:  # the same ciphertext filed under another name does not open
            await pl.aes_gcm_decrypt(key, got.body[:12], got.body[12:], b"blobs/two")
            moved = "opened"
        except Exception as exc:
            moved = exc.code
        return put, again, got, opened, plain, digest, moved

    put, again, got, opened, plain, digest, moved = run_async(scenario())
    assert put.status == 200 and again.status == 412  # created once, never overwritten
    assert got.ok and opened == plain and moved == "decrypt_failed"
    checksum = put.headers.get("x-amz-checksum-sha256")
    assert checksum is None or base64.b64decode(checksum).hex() == digest


def test_a_body_that_does_not_match_its_signed_checksum_is_refused(s3_service, new_uid):
    pl, uid = CPythonPlatform(), new_uid()

    async def scenario():
        body = b"the real body"
        digest = (await pl.sha256(body)).hex()
        refused = await _send(pl, s3_service, uid, b"the fake body", op="put", key="c",
                              size=len(body), sha256=digest)
        missing = await _send(pl, s3_service, uid, op="get", key="c")
        return refused, missing

    refused, missing = run_async(scenario())
    assert refused.status in (400, 403) and missing.status == 404
