"""The blob engine against the real proxy (live uvicorn, full auth) and real SeaweedFS:
encrypt, name, upload (single and multipart), resume after a kill, download and verify,
dedupe, refusal of tampered or foreign objects, garbage collection — and what the server
sees: no plaintext in any object, no file name in any log or key."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, live_server, make_quire_app, make_quire_settings, quire_app,
    quire_settings,
)
from blob_fixtures import make_blob_store, remote  # noqa: F401  (fixtures)
from pylib import artifacts, trash
from pylib.blobs import format as fmt
from pylib.blobs import ledger
from pylib.blobs.gc import collect_garbage
from pylib.db import open_workspace
from pylib.errors import BlobCorrupt, StorageError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402

HERE = Path(__file__).resolve().parent
MARKER = b"QUIRE-PLAINTEXT-MARKER-5f3a9c"
FILE_NAME = "quarterly-secret-plan.pdf"
BIG = 5 * fmt.SEGMENT_SIZE + 12345  # 6 segments, 3 parts


def file_bytes(size: int, seed: int = 1) -> bytes:
    """Random bytes with the plaintext marker every 64 KiB."""
    data = bytearray(random.Random(seed).randbytes(size))
    for at in range(0, max(0, size - len(MARKER)), 65536):
        data[at:at + len(MARKER)] = MARKER
    return bytes(data)


def stored_objects(s3_service, uid: str) -> dict[str, bytes]:
    client, prefix = s3_service._client, f"users/{uid}/"
    listing = client.list_objects_v2(Bucket=s3_service.bucket, Prefix=prefix).get("Contents", [])
    return {o["Key"][len(prefix):]: client.get_object(Bucket=s3_service.bucket, Key=o["Key"])["Body"].read()
            for o in listing}


def test_small_and_multipart_files_round_trip_and_dedupe(remote, make_blob_store, s3_service, caplog):
    caplog.set_level(logging.INFO, logger="quire")
    small, big = file_bytes(300_000, 1), file_bytes(BIG, 2)

    async def scenario():
        store = await make_blob_store(remote)
        reports = [await store.upload(small), await store.upload(big)]
        again = [await store.upload(small), await store.upload(big)]
        return reports, again, await store.download(reports[0].ref), await store.download(reports[1].ref)

    reports, again, small_back, big_back = run(scenario())
    assert small_back == small and big_back == big
    assert [r.created for r in reports] == [True, True] and reports[1].parts_sent == fmt.part_count(BIG, 2) == 3
    assert [r.created for r in again] == [False, False] and again[1].parts_sent == 0
    objects = stored_objects(s3_service, remote[2])
    assert sorted(objects) == sorted(r.ref.key for r in reports)  # one object per content
    assert {len(b) for b in objects.values()} == {fmt.sealed_size(len(small)), fmt.sealed_size(BIG)}
    for key, body in objects.items():
        assert MARKER not in body and FILE_NAME.encode() not in body
        assert reports[0].ref.sha256 not in key and reports[1].ref.sha256 not in key
    lines = [record.getMessage() for record in caplog.records]
    assert any("/api/s3/multipart/part" in line for line in lines)  # the log was captured
    assert not any(FILE_NAME in line or MARKER.decode() in line for line in lines)


def test_a_killed_multipart_upload_resumes_where_it_stopped(remote, make_blob_store, s3_service, tmp_path):
    base_url, headers, uid = remote
    data_key = os.urandom(32)
    child = subprocess.Popen([sys.executable, str(HERE / "blob_upload_child.py"), base_url,
                              headers["Authorization"].split()[1], data_key.hex(), str(BIG), "7", str(tmp_path)],
                             cwd=HERE.parents[1], env={**os.environ, "PYTHONPATH": str(HERE.parents[1])})
    try:
        deadline = time.monotonic() + 120
        while not ((tmp_path / "parts").exists() and (tmp_path / "parts").read_text() == "2"):
            assert child.poll() is None and time.monotonic() < deadline, "the upload did not get going"
            time.sleep(0.1)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    upload_id = (tmp_path / "upload_id").read_text()
    data = random.Random(7).randbytes(BIG)
    assert stored_objects(s3_service, uid) == {}  # nothing complete yet

    async def resume():
        store = await make_blob_store(remote, data_key)
        report = await store.upload(data, upload_id=upload_id)
        return report, await store.download(report.ref)

    report, back = run(resume())
    assert report.created and report.parts_sent == 1  # parts 1 and 2 were not sent again
    assert back == data
    assert list(stored_objects(s3_service, uid)) == [report.ref.key]


def test_tampered_missing_and_foreign_objects_are_refused(remote, make_blob_store, s3_service, quire_app,
                                                          live_server):
    data = file_bytes(2 * fmt.SEGMENT_SIZE + 10, 3)
    uid = remote[2]

    async def upload():
        store = await make_blob_store(remote)
        return store, (await store.upload(data)).ref

    store, ref = run(upload())
    full = f"users/{uid}/{ref.key}"
    body = bytearray(s3_service._client.get_object(Bucket=s3_service.bucket, Key=full)["Body"].read())
    body[fmt.SEALED_SEGMENT + 100] ^= 1
    s3_service._client.put_object(Bucket=s3_service.bucket, Key=full, Body=bytes(body))
    with pytest.raises(BlobCorrupt, match="Segment 2 of 3"):
        run(store.download(ref))
    s3_service._client.put_object(Bucket=s3_service.bucket, Key=full, Body=bytes(body[:fmt.SEALED_SEGMENT * 2]))
    with pytest.raises(BlobCorrupt):
        run(store.download(ref))
    s3_service._client.delete_object(Bucket=s3_service.bucket, Key=full)
    with pytest.raises(StorageError) as missing:
        run(store.download(ref))
    assert missing.value.code == "not_found"

    other = add_user(quire_app, "mallory")
    foreign = (remote[0], bearer(quire_app, other), other.uid)

    async def peek():
        await (await make_blob_store(remote, None)).upload(data)  # alice stores it again
        theirs = await make_blob_store(foreign)
        return await theirs.download(ref)

    with pytest.raises(StorageError) as refused:  # mallory's key space has no such object
        run(peek())
    assert refused.value.code == "not_found"


def test_quota_refusal_stores_nothing(make_quire_settings, edge_store, fast_password_hashing, live_server,
                                      make_blob_store, s3_service):
    from proxy.app import create_app
    from proxy.storage.service import S3Service

    settings = make_quire_settings(user_quota_bytes=1_000_000)
    app = create_app(settings, s3=S3Service(settings), vectors=edge_store)
    account = add_user(app, "carol")
    remote_small = (live_server(app), bearer(app, account), account.uid)

    async def scenario():
        store = await make_blob_store(remote_small)
        with pytest.raises(StorageError) as single:
            await store.upload(file_bytes(1_500_000, 4))
        with pytest.raises(StorageError) as multi:
            await store.upload(file_bytes(BIG, 5))
        return single.value.code, multi.value.code

    try:
        assert run(scenario()) == ("quota_exceeded", "quota_exceeded")
    finally:
        app.state.auth.close()
    assert stored_objects(s3_service, account.uid) == {}


def test_garbage_collection_waits_for_no_reference_and_the_grace_period(remote, make_blob_store, s3_service,
                                                                         tmp_path):
    data = file_bytes(1_200_000, 6)  # over the inline limit: the artifact keeps hash and size only

    async def scenario():  # SQLite objects stay in the thread that made them: all of it in here
        ws = open_workspace(str(tmp_path / "workspace.sqlite"))
        artifact = artifacts.upload(ws, "/files/report.bin", data)
        store = await make_blob_store(remote)
        report = await store.upload(data)
        with ws.transaction():
            ledger.record(ws, report.ref)
            ledger.mark_uploaded(ws, report.ref.name)
        now = ws.clock()
        kept_while_used = await collect_garbage(ws, store, now=now, grace_ms=1000)
        trash.trash_artifact(ws, artifact.id)
        kept_in_trash = await collect_garbage(ws, store, now=now, grace_ms=1000)
        trash.empty(ws)
        kept_in_grace = await collect_garbage(ws, store, now=now + 10, grace_ms=1000)
        deleted = await collect_garbage(ws, store, now=now + 2000, grace_ms=1000)
        forgotten = ledger.get(ws, report.ref.name) is None
        ws.close()
        return report.ref, kept_while_used, kept_in_trash, kept_in_grace, deleted, forgotten

    ref, *kept, deleted, forgotten = run(scenario())
    assert kept == [[], [], []]
    assert deleted == [ref] and forgotten
    assert stored_objects(s3_service, remote[2]) == {}


def test_a_failed_range_stops_the_other_ranges_of_the_download(remote, make_blob_store, s3_service):
    data = file_bytes(BIG, 4)  # 6 ranges of one segment, 3 in flight at once

    async def scenario():
        store = await make_blob_store(remote)
        ref = (await store.upload(data)).ref
        full = f"users/{remote[2]}/{ref.key}"
        body = bytearray(s3_service._client.get_object(Bucket=s3_service.bucket, Key=full)["Body"].read())
        body[100] ^= 1  # the first range fails its tag while later ones are still coming
        s3_service._client.put_object(Bucket=s3_service.bucket, Key=full, Body=bytes(body))
        with pytest.raises(BlobCorrupt, match="Segment 1 of 6"):
            await store.download(ref)
        return [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]

    assert run(scenario()) == []  # nothing left running in the background
