"""A download as one GET read as it streams in (the browser's way, `download_streamed`), on
CPython against the real proxy and SeaweedFS: the same bytes as the ranged way; an altered,
swapped or foreign segment, a truncated object and a wrong hash refused with a clear error; a
connection dropped mid-body resumed from where it stopped; and nothing kept on the device
when the file was refused."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, live_server, make_quire_app, make_quire_settings, quire_app,
    quire_settings,
)
from blob_fixtures import make_blob_store, remote  # noqa: F401  (fixtures)
from test_blobs_s3 import file_bytes
from pylib.blobs import format as fmt
from pylib.blobs.ledger import BlobRef
from pylib.blobs.queue import open_blob
from pylib.errors import BlobCorrupt, NetworkError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402

BIG = 2 * fmt.SEGMENT_SIZE + 12345  # three segments


async def streamed_store(make_blob_store, remote):
    store = await make_blob_store(remote)
    store.platform.download_streamed = True  # this instance only
    return store


def put_object(s3_service, uid, ref, body: bytes) -> None:
    s3_service._client.put_object(Bucket=s3_service.bucket, Key=f"users/{uid}/{ref.key}", Body=body)


def get_object(s3_service, uid, ref) -> bytes:
    return s3_service._client.get_object(Bucket=s3_service.bucket, Key=f"users/{uid}/{ref.key}")["Body"].read()


def test_a_streamed_download_gives_the_bytes_and_refuses_every_fault(remote, make_blob_store, s3_service):
    data, uid, seg = file_bytes(BIG, 11), remote[2], fmt.SEALED_SEGMENT

    async def scenario():
        store = await streamed_store(make_blob_store, remote)
        ref = (await store.upload(data)).ref
        seen: list[int] = []
        out = {"same": bytes(await store.download(ref, lambda done, total: seen.append(done))) == data}
        out["progress"] = seen[-1] == fmt.sealed_size(len(data)) and seen == sorted(seen)
        sealed = get_object(s3_service, uid, ref)
        cases = {
            "flip": sealed[:seg + 9] + bytes([sealed[seg + 9] ^ 1]) + sealed[seg + 10:],
            "swap": sealed[seg:2 * seg] + sealed[:seg] + sealed[2 * seg:],
            "truncated": sealed[:-1],
            "dropped_last": sealed[:2 * seg],
            "longer": sealed + b"\0" * 20,
        }
        for label, body in cases.items():
            put_object(s3_service, uid, ref, body)
            try:
                await store.download(ref)
                out[label] = "opened"
            except BlobCorrupt as error:
                out[label] = error.details["reason"], error.message
        put_object(s3_service, uid, ref, sealed)
        wrong = BlobRef(ref.name, "00" * 32, ref.size)
        try:
            await store.download(wrong)
        except BlobCorrupt as error:
            out["wrong_hash"] = error.details["reason"], error.message
        return out

    out = run(scenario())
    assert out["same"] is True and out["progress"] is True
    assert out["flip"] == ("altered", "Segment 2 of 3 was altered: it fails its check, so the stored copy was changed"
                                      " after it was made; it was not opened.")
    assert out["swap"] == ("altered", "Segment 1 of 3 is segment 2 of this file, moved: the stored copy was altered;"
                                      " it was not opened.")
    cut_short = ("truncated", "The stored copy is incomplete (cut short): it has fewer bytes than the file's segments"
                              " need; it was not opened.")
    assert out["truncated"] == out["dropped_last"] == cut_short  # its last tag cut, or its last segment gone
    assert out["longer"] == ("altered", "The stored copy is longer than the file's segments: it was altered; it was"
                                        " not opened.")
    assert out["wrong_hash"] == ("hash_mismatch", "The file's content does not match its recorded hash; it was not"
                                                  " opened.")


def test_a_dropped_connection_resumes_where_it_stopped(remote, make_blob_store):
    data = file_bytes(BIG, 12)

    async def scenario():
        store = await streamed_store(make_blob_store, remote)
        ref = (await store.upload(data)).ref
        real, asked = store.platform.fetch_pieces, []

        async def dropping(url, *, headers=None, piece, each):
            asked.append((headers or {}).get("range"))
            if len(asked) > 1:
                return await real(url, headers=headers, piece=piece, each=each)
            handed = 0

            async def first_only(chunk):
                nonlocal handed
                if handed:
                    raise NetworkError("dropped mid-body")
                handed += 1
                await each(chunk)

            return await real(url, headers=headers, piece=piece, each=first_only)

        store.platform.fetch_pieces = dropping
        back = await store.download(ref)
        return bytes(back) == data, asked

    same, asked = run(scenario())
    assert same is True
    assert asked == [None, f"bytes={fmt.SEALED_SEGMENT}-{fmt.sealed_size(BIG) - 1}"]  # only the rest again


def test_a_refused_download_keeps_nothing_on_the_device(remote, make_blob_store, s3_service, tmp_path):
    from pylib.blobs import ledger
    from pylib.blobs.device import DirectoryFiles
    from pylib.db import open_workspace

    data, uid = file_bytes(BIG, 13), remote[2]
    files = DirectoryFiles(tmp_path / "files")

    async def scenario():
        ws = open_workspace(str(tmp_path / "w.sqlite"))
        store = await streamed_store(make_blob_store, remote)
        ref = (await store.upload(data)).ref
        sealed = get_object(s3_service, uid, ref)
        put_object(s3_service, uid, ref, sealed[:100] + bytes([sealed[100] ^ 1]) + sealed[101:])
        kept: list = []
        with pytest.raises(BlobCorrupt, match="Segment 1 of 3"):
            await open_blob(ws, store, files, ref, keep_later=lambda r, held: kept.append(r))
        with pytest.raises(BlobCorrupt, match="Segment 1 of 3"):
            await open_blob(ws, store, files, ref)
        row = ledger.get(ws, ref.name)
        ws.close()
        return kept, [t for t in asyncio.all_tasks() if t is not asyncio.current_task()], row

    kept, left, row = run(scenario())
    assert kept == [] and left == []  # nothing to keep, nothing still decrypting
    assert not (tmp_path / "files").exists() or list((tmp_path / "files").iterdir()) == []
    assert row is None  # the ledger knows nothing of it on this device
