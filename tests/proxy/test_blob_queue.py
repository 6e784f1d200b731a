"""The upload queue and the device cache against the real proxy and real SeaweedFS: staged
files upload, wait while the server is down and upload once it is back, survive a killed
process and resume, are never stored twice; the cache downloads on demand, evicts by least
recent use and never evicts a file S3 does not hold yet."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, free_port, live_server, make_quire_app, make_quire_settings,
    quire_app, quire_settings,
)
from blob_fixtures import make_blob_store, remote  # noqa: F401  (fixtures)
from pylib.blobs import format as fmt
from pylib.blobs import ledger
from pylib.blobs.cachelimit import DEFAULT_CACHE_LIMIT_BYTES, cache_limit, store_cache_limit
from pylib.blobs.device import DirectoryFiles
from pylib.blobs.queue import UploadQueue, evict, open_blob, retry_delay_ms, stage
from pylib.db import open_workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402
from test_blobs_s3 import stored_objects  # noqa: E402

HERE = Path(__file__).resolve().parent


def blob(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def test_staged_files_upload_once_with_progress(remote, make_blob_store, s3_service, tmp_path):
    a, b = blob(2_000_000, 1), blob(3 * fmt.SEGMENT_SIZE, 2)
    events = []

    async def scenario():
        ws, files = open_workspace(str(tmp_path / "w.sqlite")), DirectoryFiles(tmp_path / "device")
        store = await make_blob_store(remote)
        refs = [await stage(ws, store, files, a), await stage(ws, store, files, b), await stage(ws, store, files, a)]
        before = ledger.totals(ws)
        report = await UploadQueue(ws, store, files, progress=events.append).run()
        again = await UploadQueue(ws, store, files).run()
        after = ledger.totals(ws)
        ws.close()
        return refs, before, report, again, after

    refs, before, report, again, after = run(scenario())
    assert refs[0] == refs[2] and before["waiting"] == {"count": 2, "bytes": len(a) + len(b)}
    assert report.uploaded == [refs[0].name, refs[1].name] and not report.failed
    assert again.uploaded == again.deduplicated == [] and after["waiting"]["count"] == 0
    assert after["on_device"] == {"count": 2, "bytes": len(a) + len(b)}
    overall = [e["overall_done"] for e in events]
    assert overall == sorted(overall) and overall[-1] == events[-1]["overall_total"] == len(a) + len(b)
    assert sorted(stored_objects(s3_service, remote[2])) == sorted({r.key for r in refs})


def test_a_stopped_server_makes_the_queue_wait_then_upload(remote, make_blob_store, s3_service, tmp_path):
    data = blob(1_500_000, 3)
    base, headers, uid = remote
    dead = (f"http://127.0.0.1:{free_port()}", headers, uid)  # nothing listens: the server is down
    now = [1_000_000]

    async def scenario():
        ws = open_workspace(str(tmp_path / "w.sqlite"), clock=lambda: now[0])
        files = DirectoryFiles(tmp_path / "device")
        offline = await make_blob_store(dead)
        ref = await stage(ws, offline, files, data)
        first = await UploadQueue(ws, offline, files).run()
        waiting = ledger.get(ws, ref.name)
        too_soon = await UploadQueue(ws, offline, files).run()
        now[0] += retry_delay_ms(0)
        online = await make_blob_store(remote, None)
        online.keys = offline.keys  # the same workspace key, the server is back
        second = await UploadQueue(ws, online, files).run()
        row = ledger.get(ws, ref.name)
        ws.close()
        return ref, first, waiting, too_soon, second, row

    ref, first, waiting, too_soon, second, row = run(scenario())
    assert first.stopped == "unavailable" and waiting.state == "waiting" and waiting.attempts == 1
    assert waiting.next_attempt_at == 1_000_000 + retry_delay_ms(0) and "unavailable" in waiting.last_error
    assert too_soon.uploaded == [] and too_soon.failed == {}  # backing off
    assert second.uploaded == [ref.name] and row.state == "uploaded" and row.last_error is None
    assert list(stored_objects(s3_service, uid)) == [ref.key]


def test_quota_exceeded_waits_with_its_reason(make_quire_settings, edge_store, fast_password_hashing, live_server,
                                              make_blob_store, s3_service, tmp_path):
    from proxy.app import create_app
    from proxy.storage.service import S3Service

    settings = make_quire_settings(user_quota_bytes=1_000_000)
    app = create_app(settings, s3=S3Service(settings), vectors=edge_store)
    account = add_user(app, "frank")
    small = (live_server(app), bearer(app, account), account.uid)

    async def scenario():
        ws, files = open_workspace(str(tmp_path / "w.sqlite")), DirectoryFiles(tmp_path / "device")
        store = await make_blob_store(small)
        ref = await stage(ws, store, files, blob(1_200_000, 4))
        report = await UploadQueue(ws, store, files).run()
        row = ledger.get(ws, ref.name)
        ws.close()
        return ref, report, row

    try:
        ref, report, row = run(scenario())
    finally:
        app.state.auth.close()
    assert report.failed == {ref.name: "quota_exceeded"} and report.stopped is None
    assert row.state == "waiting" and "quota" in row.last_error and row.on_device
    assert stored_objects(s3_service, account.uid) == {}


def test_a_killed_queue_resumes_its_multipart_upload(remote, make_blob_store, s3_service, tmp_path):
    base, headers, uid = remote
    data_key, data = os.urandom(32), blob(5 * fmt.SEGMENT_SIZE + 99, 5)
    workspace, device = str(tmp_path / "w.sqlite"), tmp_path / "device"

    async def prepare():
        ws = open_workspace(workspace)
        ref = await stage(ws, await make_blob_store(remote, data_key), DirectoryFiles(device), data)
        ws.close()
        return ref

    ref = run(prepare())
    child = subprocess.Popen([sys.executable, str(HERE / "blob_queue_child.py"), base, headers["Authorization"].split()[1],
                              data_key.hex(), workspace, str(device), str(tmp_path)],
                             cwd=HERE.parents[1], env={**os.environ, "PYTHONPATH": str(HERE.parents[1])})
    try:
        deadline = time.monotonic() + 120
        while not ((tmp_path / "parts").exists() and (tmp_path / "parts").read_text() == "2"):
            assert child.poll() is None and time.monotonic() < deadline, "the queue did not get going"
            time.sleep(0.1)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    row, report, back, sent = run(_resume(workspace, DirectoryFiles(device), ref,
                                          make_blob_store(remote, data_key)))
    assert row.upload_id and row.state == "waiting"  # the kill left the id committed
    assert report.uploaded == [ref.name] and sent == [3] and back == data
    assert list(stored_objects(s3_service, uid)) == [ref.key]


async def _resume(workspace: str, files, ref, making_store):
    """Open the workspace again and run its queue, counting the parts it sends: ``(the
    ledger's row as found, the report, the object downloaded back, the part numbers sent)``."""
    sent: list[int] = []
    ws = open_workspace(workspace)
    row = ledger.get(ws, ref.name)
    store = await making_store
    real_put = store.client.put_part

    async def counting(key, upload_id, number, body):
        sent.append(number)
        await real_put(key, upload_id, number, body)

    store.client.put_part = counting
    report = await UploadQueue(ws, store, files).run()
    back = await store.download(ref)
    ws.close()
    return row, report, back, sent


def test_the_cache_downloads_on_demand_and_evicts_least_recently_used(remote, make_blob_store, tmp_path):
    a, b, c = blob(1_100_000, 6), blob(1_200_000, 7), blob(1_300_000, 8)

    async def scenario():
        ws, files = open_workspace(str(tmp_path / "w.sqlite")), DirectoryFiles(tmp_path / "device")
        store = await make_blob_store(remote)
        ra, rb = await stage(ws, store, files, a), await stage(ws, store, files, b)
        await UploadQueue(ws, store, files).run()
        rc = await stage(ws, store, files, c)  # not uploaded: must survive every eviction
        await open_blob(ws, store, files, ra)  # a is now the most recently used
        dropped = await evict(ws, files, limit_bytes=len(a) + len(c))
        freed = await evict(ws, files, limit_bytes=0)  # "Free up space"
        totals = ledger.totals(ws)
        kept_c = await files.get(rc.name)
        progress = []
        back = await open_blob(ws, store, files, rb, lambda done, total: progress.append((done, total)))
        on_device_b = ledger.get(ws, rb.name).on_device
        ws.close()
        return (ra, rb, rc), dropped, freed, totals, kept_c, back, progress, on_device_b

    (ra, rb, rc), dropped, freed, totals, kept_c, back, progress, on_device_b = run(scenario())
    assert dropped == [rb.name] and freed == [ra.name]
    assert totals["on_device"] == {"count": 1, "bytes": len(c)} and totals["waiting"]["count"] == 1
    assert totals["cloud_only"] == {"count": 2, "bytes": len(a) + len(b)}
    assert kept_c == c and back == b and on_device_b
    assert progress and progress[-1][0] == progress[-1][1] == fmt.sealed_size(len(b))


class Crash(Exception):
    """The tab went away: nothing after this point happened."""


def test_the_upload_id_is_durable_before_any_part_so_a_crash_resumes(remote, make_blob_store, s3_service, tmp_path):
    # In the browser a commit reaches IndexedDB only when the page store flushes, and nothing
    # flushes between two calls: what survives a crash is the image of the last flush. The
    # workspace's image here is a copy taken at each flush (`durable`); the run dies after two
    # of its three parts, and the next run starts from the image.
    import sqlite3

    base, headers, uid = remote
    data_key, data = os.urandom(32), blob(5 * fmt.SEGMENT_SIZE + 7, 10)
    image, device = tmp_path / "image.sqlite", DirectoryFiles(tmp_path / "device")
    events = []

    async def crashing():
        ws = open_workspace(str(tmp_path / "live.sqlite"))
        store = await make_blob_store(remote, data_key)

        async def durable():
            with sqlite3.connect(image) as copy:
                ws.conn.backup(copy)
            events.append(("durable", ledger.get(ws, ref.name).upload_id))

        ref = await stage(ws, store, device, data)
        await durable()  # the staging call's own flush
        real_put, sent = store.client.put_part, asyncio.Event()

        async def put_part(key, upload_id, number, body):
            if number == 3:  # parts 1 and 2 reach S3, then the tab goes away
                await sent.wait()
                raise Crash()
            await real_put(key, upload_id, number, body)
            events.append(("part", number))
            if len([e for e in events if e[0] == "part"]) == 2:
                sent.set()

        store.client.put_part = put_part
        try:
            await UploadQueue(ws, store, device, durable=durable).run()
        except Crash:
            pass
        ws.close()
        return ref

    ref = run(crashing())
    assert events[0] == ("durable", None) and events[1][0] == "durable" and events[1][1]
    assert sorted(events[2:]) == [("part", 1), ("part", 2)]  # no part before the id was durable
    row, report, back, resent = run(_resume(str(image), device, ref,
                                            make_blob_store(remote, data_key)))
    assert row.upload_id == events[1][1] and report.uploaded == [ref.name]
    assert resent == [3] and back == data  # resumed where it stopped, not from zero
    assert list(stored_objects(s3_service, uid)) == [ref.key]


def test_a_file_dropped_before_its_upload_finished_leaves_no_parts_in_s3(remote, make_blob_store, s3_service, tmp_path):
    # A large file removed for good (the trash emptied) while its multipart upload was half
    # done: nothing is left to send, and the parts already in S3 are aborted with it.
    from pylib.blobs.queue import drop_unreferenced
    from pylib.errors import StorageError

    data_key, data = os.urandom(32), blob(5 * fmt.SEGMENT_SIZE + 3, 21)
    device = DirectoryFiles(tmp_path / "device")

    async def scenario():
        ws = open_workspace(str(tmp_path / "w.sqlite"))
        store = await make_blob_store(remote, data_key)
        ref = await stage(ws, store, device, data)
        real_put, sent, done = store.client.put_part, asyncio.Event(), []

        async def put_part(key, upload_id, number, body):
            if number == 3:  # parts 1 and 2 reach S3, then the upload stops
                await sent.wait()
                raise Crash()
            await real_put(key, upload_id, number, body)
            done.append(number)
            if len(done) == 2:
                sent.set()

        store.client.put_part = put_part
        try:
            await UploadQueue(ws, store, device).run()
        except Crash:
            pass
        store.client.put_part = real_put
        upload_id = ledger.get(ws, ref.name).upload_id
        held = await store.client.list_parts(ref.key, upload_id)
        dropped = await drop_unreferenced(ws, device, store)
        try:
            after = await store.client.list_parts(ref.key, upload_id)
        except StorageError as error:
            after = error.code
        row, kept = ledger.get(ws, ref.name), await device.get(ref.name)
        ws.close()
        return ref, held, dropped, after, row, kept

    ref, held, dropped, after, row, kept = run(scenario())
    assert sorted(held) == [1, 2]  # two parts were in S3
    assert dropped == [ref] and row is None and kept is None
    assert after == "not_found"  # the upload and its parts are gone
    assert stored_objects(s3_service, remote[2]) == {}


def test_the_cache_stays_under_its_limit_as_files_are_opened_and_uploaded(remote, make_blob_store, tmp_path):
    a, b, c, d = blob(1_100_000, 11), blob(1_200_000, 12), blob(1_300_000, 13), blob(1_400_000, 14)

    async def scenario():
        ws, files = open_workspace(str(tmp_path / "w.sqlite")), DirectoryFiles(tmp_path / "device")
        assert cache_limit(ws) == DEFAULT_CACHE_LIMIT_BYTES
        store_cache_limit(ws, len(c) + len(d))  # the workspace's setting, read by every evict
        store = await make_blob_store(remote)
        ra, rb = await stage(ws, store, files, a), await stage(ws, store, files, b)
        await UploadQueue(ws, store, files).run()  # a + b: under the limit, both kept
        after_upload = ledger.totals(ws)["on_device"]["count"]
        await evict(ws, files, 0)  # free up space: both only in S3 now
        rc = await stage(ws, store, files, c)  # waiting: never dropped
        await open_blob(ws, store, files, ra)  # a + c kept
        await open_blob(ws, store, files, rb)  # a + b + c is over: a, the least recent, goes
        kept = {name for name in (ra.name, rb.name, rc.name) if ledger.get(ws, name).on_device}
        big = await stage(ws, store, files, d)
        # c, d uploaded: b + c + d is over; c, kept before b was opened, is the least recent
        await UploadQueue(ws, store, files).run()
        kept_after = {n for n in (ra.name, rb.name, rc.name, big.name) if ledger.get(ws, n).on_device}
        back = await open_blob(ws, store, files, ra)  # downloaded again; the opened one stays
        on_device = ledger.get(ws, ra.name).on_device
        ws.close()
        return (ra, rb, rc, big), after_upload, kept, kept_after, back, on_device

    (ra, rb, rc, big), after_upload, kept, kept_after, back, on_device = run(scenario())
    assert after_upload == 2
    assert kept == {rb.name, rc.name}
    assert kept_after == {rb.name, big.name}
    assert back == a and on_device


def test_a_broken_or_out_of_range_cache_limit_reads_as_the_default_and_is_refused(tmp_path):
    import pytest
    from pydantic import ValidationError

    from pylib.care import settings

    ws = open_workspace(str(tmp_path / "w.sqlite"))
    try:
        store_cache_limit(ws, 5 * 1024 ** 2)
        assert cache_limit(ws) == 5 * 1024 ** 2
        with pytest.raises(ValidationError):
            store_cache_limit(ws, -1)
        assert cache_limit(ws) == 5 * 1024 ** 2  # a refused value changes nothing
        settings.write(ws, "device_cache", {"limit_bytes": "lots"})  # a hand-edited file
        assert cache_limit(ws) == DEFAULT_CACHE_LIMIT_BYTES
    finally:
        ws.close()
