"""Compaction: fold every segment into a snapshot, under a lease (see :mod:`.snapshot`)."""

from __future__ import annotations

from typing import Any

from pylib.clock import now_ms
from pylib.sync import codec, manifest as mf, meta, outbox, snapshot
from pylib.sync.errors import PreconditionFailed, Refused
from pylib.sync.manifest import Manifest, segment_key
from pylib.sync.store import Blob

# The engine calls in here (SyncEngine.compact); annotating it would be an import circle.
SyncEngine = Any

LEASE_MS = 120_000


async def _lease_holder(engine: SyncEngine, blob: Blob) -> tuple[str, int] | None:
    try:
        _, body = await codec.open_sealed(engine.key, snapshot.LEASE_KEY, blob.body,
                                          {"kind": "lease", "ws": engine.tag})
        return str(body["device"]), int(body["until"])
    except (Refused, KeyError, TypeError, ValueError):
        return None  # unreadable: treat as expired


async def take_lease(engine: SyncEngine, lease_ms: int = LEASE_MS) -> bool:
    """Hold the compaction lease (create it, or take over an expired one)."""
    current = await engine.store.get(snapshot.LEASE_KEY)
    if current is not None:
        holder = await _lease_holder(engine, current)
        if holder and holder[0] != engine.device and holder[1] > now_ms():
            return False
    body = {"device": engine.device, "until": now_ms() + lease_ms}
    data = await codec.seal(engine.key, snapshot.LEASE_KEY, {"kind": "lease", "ws": engine.tag},
                            body)
    try:
        if current is None:
            await engine.store.put(snapshot.LEASE_KEY, data, create_only=True)
        else:
            await engine.store.put(snapshot.LEASE_KEY, data, if_match=current.etag)
    except PreconditionFailed:
        return False
    return True


async def _write_parts(engine: SyncEngine, snap_id: str, parts: list, packed: bool,
                       ) -> list[str]:
    keys = []
    for i, records in enumerate(parts):
        key = snapshot.part_key(snap_id, i)
        header = {"kind": "snapshot", "ws": engine.tag, "id": snap_id, "part": i,
                  "parts": len(parts), "schema": engine.schema}
        # Format 2 holds its records under another name: a version that knows only format 1
        # refuses the part as malformed (nothing applied) instead of misreading its texts.
        body = {"rows": records} if packed else {"records": records}
        if packed:
            header["format"] = snapshot.FORMAT
        await engine.store.put(key, await codec.seal(engine.key, key, header, body),
                               create_only=True)
        keys.append(key)
    return keys


async def _delete_covered(engine: SyncEngine, old: Manifest, covers: dict[str, int],
                          current: str) -> None:
    for device, numbers in old.devices.items():
        for number in numbers:
            await engine.store.delete(segment_key(device, number))
    if old.snapshot:
        for part in range(int(old.snapshot["parts"])):
            await engine.store.delete(snapshot.part_key(old.snapshot["id"], part))
    for key, _ in await engine.store.list("sync/snapshots/"):  # left by crashed compactions
        if key.split("/")[2] != current:
            await engine.store.delete(key)
    for key, _ in await engine.store.list("sync/segments/"):  # left by crashed pushes
        _, _, device, number = key.split("/")
        if int(number) <= covers.get(device, 0):
            await engine.store.delete(key)


async def compact(engine: SyncEngine, *, lease_ms: int = LEASE_MS,
                  part_bytes: int = snapshot.PART_BYTES, packed: bool = True) -> bool:
    """Write a snapshot of everything synced and commit a manifest that lists only it
    (``packed=False``: in format 1, as older versions wrote it)."""
    manifest = await engine.read_manifest()
    assert manifest is not None
    if engine._behind(manifest):
        return False  # pull first: the snapshot must hold everyone's changes
    if not await take_lease(engine, lease_ms):
        return False
    try:
        if outbox.count(engine.ws.conn):
            return False  # push first: the snapshot must not hold unpushed changes
        parts = list(snapshot.parts(engine.ws, part_bytes, packed))
        snap_id = engine.ws.conn.execute("SELECT lower(hex(randomblob(12)))").fetchone()[0]
        written = await _write_parts(engine, snap_id, parts, packed)
        covers = {d: manifest.latest(d) for d in
                  {*manifest.devices, *(manifest.snapshot or {}).get("covers", {})}}
        new = Manifest(manifest.counter + 1, {d: [] for d in manifest.devices},
                       {"id": snap_id, "parts": len(parts), "covers": covers})
        data = await mf.encode(engine.key, engine.tag, new)
        try:
            if manifest.etag is None:
                etag = await engine.store.put(mf.KEY, data, create_only=True)
            else:
                etag = await engine.store.put(mf.KEY, data, if_match=manifest.etag)
        except PreconditionFailed:
            for key in written:
                await engine.store.delete(key)
            return False
        with engine.ws.transaction():
            meta.put(engine.ws.conn, "counter", new.counter)
            meta.put(engine.ws.conn, "etag", etag)
        await _delete_covered(engine, manifest, covers, snap_id)
        return True
    finally:
        await engine.store.delete(snapshot.LEASE_KEY)
