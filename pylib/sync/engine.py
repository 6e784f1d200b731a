"""The sync engine: push this device's changes, pull the others', through one object store.

Push: pull first if the manifest lists segments not applied here; seal the pending records as
a new segment of this device (``If-None-Match: *``); then write the manifest naming it with
``If-Match`` on the ETag read — the single commit point. On 412 another device committed
first: read again, pull, rebuild, retry. A crash anywhere before the manifest write leaves
an unlisted object (never read, deleted by compaction) and the changes still pending; after it,
the same records are pushed again (applying a record twice changes nothing).

Pull: read the manifest (``If-None-Match``: a 304 costs almost nothing), refuse a replayed one,
fetch every listed segment this device has not applied, check and open each, and merge them
all in one transaction together with the new cursors. A segment written by a newer schema is
held (nothing of that pull is applied) and reported as :class:`UpdateRequired`.

The reading of the manifest and of each object it lists is :mod:`pylib.sync.reads`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pylib import gcpause, migrations
from pylib.db import Workspace
from pylib.sync import adopt, codec, kept, manifest as mf, meta, outbox
from pylib.sync.clock import device_id
from pylib.sync.gather import gather_few, workspace_tag
from pylib.sync.errors import PreconditionFailed, SyncError
from pylib.sync.manifest import Manifest, segment_key
from pylib.sync.merge import merge_records
from pylib.sync.reads import REREAD, MissingObject, Reads
from pylib.sync.snapshot import SEGMENT_BYTES, split, unpacked
from pylib.sync.store import ObjectStore

MAX_ATTEMPTS = 8
# Segments the manifest may list before a round folds them into a snapshot: a new device then
# takes one snapshot in whole (pylib/sync/adopt.py) instead of merging every segment.
COMPACT_AFTER = 200

__all__ = ["COMPACT_AFTER", "MAX_ATTEMPTS", "MissingObject", "SyncEngine"]


class SyncEngine(Reads):
    """Sync of one open workspace. ``sync_key``: the 32-byte sync subkey of the workspace
    key (HKDF, made by the key module); ``store``: where the objects live."""

    def __init__(self, ws: Workspace, store: ObjectStore, sync_key: bytes,
                 schema_version: int = migrations.LATEST_VERSION) -> None:
        if len(sync_key) != 32:
            raise ValueError("the sync key is 32 bytes")
        self.ws, self.store, self.key = ws, store, bytes(sync_key)
        self.tag = workspace_tag(self.key)
        self.schema = schema_version
        self.segment_bytes = SEGMENT_BYTES  # a push larger than this is cut into segments
        self._lock = asyncio.Lock()
        # The manifest this device last read or wrote, all of it applied here: a push may
        # commit on it at once (If-Match fails if another device wrote since).
        self._seen: Manifest | None = None
        self.pulled_by_push = 0  # records a push had to pull first (the views must follow)
        self.compact_after = COMPACT_AFTER

    @property
    def device(self) -> str:  # type: ignore[override]
        """This workspace's device id, read each time: an import gives the file another."""
        return device_id(self.ws.conn)

    def _current(self) -> Manifest | None:
        """The manifest last seen, while this workspace still holds what it applied (an import
        or a repair replaces sync's state: then it is read again)."""
        seen = self._seen
        if seen is not None and (meta.get(self.ws.conn, "etag") != seen.etag
                                 or meta.get(self.ws.conn, REREAD, False)):
            self._seen = None
        return self._seen

    # --- pull ------------------------------------------------------------------------

    async def pull(self) -> int:
        """Apply what other devices pushed; returns how many records were applied."""
        async with self._lock:
            try:
                manifest = await self.read_manifest(use_etag=True)
            except BaseException:
                self._seen = None
                raise
            if manifest is None:
                return 0  # unchanged since it was applied (a 304): nothing to hold off for
            with gcpause.paused():  # records and rows make no cycles (pylib/gcpause.py)
                for _ in range(3):
                    try:
                        return await self._pull(manifest)
                    except MissingObject:
                        # Compacted away meanwhile? Then a newer manifest names the snapshot.
                        newer = await self.read_manifest()
                        if newer is None or newer.counter == manifest.counter:
                            raise
                        manifest = newer
                return await self._pull(manifest)

    async def _pull(self, manifest: Manifest) -> int:
        self._seen = None
        cursors = dict(meta.get(self.ws.conn, "cursors", {}))
        snapshot: list[dict[str, Any]] = []
        ready = None  # each part made ready for a whole take (fresh: checked again before it)
        if self._needs_snapshot(manifest, cursors):
            if adopt.is_fresh(self.ws.conn):
                ready = [None] * int(manifest.snapshot["parts"])  # type: ignore[index]
            snapshot = await self._snapshot(manifest.snapshot or {}, ready)
            for device, number in manifest.snapshot["covers"].items():  # type: ignore[index]
                cursors[device] = max(cursors.get(device, 0), number)
        todo = self._unapplied(manifest, cursors)
        segments = await gather_few([lambda d=d, n=n: self._segment(d, n) for d, n in todo])
        records = [record for found in segments for record in found]
        for device, number in todo:
            cursors[device] = max(cursors.get(device, 0), number)

        def advance(conn) -> None:
            meta.put(conn, "cursors", cursors)
            conn.execute("DELETE FROM sync_meta WHERE key = ?", (REREAD,))
            kept.prune(conn, self.ws.clock())  # texts kept from removals, here or elsewhere
            meta.put(conn, "counter", manifest.counter)
            if manifest.etag is not None:
                meta.put(conn, "etag", manifest.etag)

        # Every object is in hand and checked: now apply all of it in one transaction. A
        # fresh workspace takes the snapshot in whole (pylib/sync/adopt.py), then merges the
        # segments after it (each written after its device had what the snapshot holds).
        with self.ws.transaction():
            adopted = bool(snapshot) and adopt.is_fresh(self.ws.conn) \
                and adopt.adopt(self.ws, snapshot, ready)
            plan = merge_records(self.ws, records if adopted else unpacked(snapshot) + records,
                                 after=advance)
        self._seen = manifest
        return plan.applied + (adopt.counted(snapshot) if adopted else 0)

    # --- push ------------------------------------------------------------------------

    async def push(self) -> int:
        """Send this device's pending changes; returns how many records were committed."""
        async with self._lock:
            try:
                return await self._push()
            except BaseException:
                self._seen = None  # whatever happened, read the manifest again next time
                raise

    async def _push(self) -> int:
        for _ in range(MAX_ATTEMPTS):
            manifest, self._seen = self._current(), None
            if manifest is None:  # else: the one last applied (If-Match tells if it changed)
                manifest = await self.read_manifest()
                assert manifest is not None
                if self._behind(manifest):
                    self.pulled_by_push += await self._pull(manifest)
                    continue
            records, upto = outbox.pending(self.ws)
            if not records:
                self._seen = manifest
                return 0
            try:
                return await self._commit(manifest, records, upto)
            except PreconditionFailed:
                continue  # another device committed first: read, pull, retry
        raise PreconditionFailed("Other devices kept writing; sync will try again.")

    async def _put_segment(self, number: int, records: list[dict[str, Any]]) -> int:
        for _ in range(MAX_ATTEMPTS):
            key = segment_key(self.device, number)
            header = {"kind": "segment", "ws": self.tag, "dev": self.device, "num": number,
                      "schema": self.schema}
            data = await codec.seal(self.key, key, header, {"records": records})
            try:
                await self.store.put(key, data, create_only=True)
                return number
            except PreconditionFailed:
                number += 1  # left by a push that crashed before its manifest: skip it
        raise PreconditionFailed("No free segment number.")

    async def _commit(self, manifest: Manifest, records: list[dict[str, Any]],
                      upto: int) -> int:
        conn = self.ws.conn
        number = max(manifest.latest(self.device), meta.get(conn, "own", 0))
        numbers = []
        for chunk in split(records, self.segment_bytes):  # a big push: several, one commit
            number = await self._put_segment(number + 1, chunk)
            numbers.append(number)
        new = Manifest(manifest.counter + 1,
                       {**manifest.devices,
                        self.device: [*manifest.devices.get(self.device, []), *numbers]},
                       manifest.snapshot)
        data = await mf.encode(self.key, self.tag, new)
        with self.ws.transaction():  # a number once used is never used again
            meta.put(conn, "own", number)
        if manifest.etag is None:
            etag = await self.store.put(mf.KEY, data, create_only=True)
        else:
            etag = await self.store.put(mf.KEY, data, if_match=manifest.etag)
        with self.ws.transaction():
            outbox.mark_pushed(conn, upto, records)
            kept.prune(conn, self.ws.clock())
            meta.put(conn, "counter", new.counter)
            meta.put(conn, "etag", etag)
        new.etag = etag
        self._seen = new
        return len(records)

    async def compact(self, **options: Any) -> bool:
        """Fold every segment into a new snapshot (see :mod:`pylib.sync.compaction`);
        False when another device holds the lease or wrote meanwhile."""
        from pylib.sync.compaction import compact

        async with self._lock:
            self._seen = None
            return await compact(self, **options)

    async def sync(self) -> dict[str, int]:
        """Pull, then push: ``{pulled, pushed}``. With changes to send and the manifest last
        applied at hand, the push goes first: its conditional write tells whether anything
        came meanwhile (then it pulls and tries again), which saves a round trip. Once the
        manifest lists :data:`COMPACT_AFTER` segments, the round compacts them too."""
        self.pulled_by_push = 0
        pulled = 0
        if self._current() is None or not self.waiting():
            pulled = await self.pull()
        pushed = await self.push()
        listed = sum(map(len, self._seen.devices.values())) if self._seen else 0
        if listed >= self.compact_after:
            try:
                await self.compact()  # under the lease; False if another device wrote first
            except SyncError:
                pass  # everything is pushed; folding waits for a later round
        return {"pulled": pulled + self.pulled_by_push, "pushed": pushed}

    def finish(self) -> bool:
        """Do a piece of what a new device's first pull left for just after (its texts to
        pack, :func:`pylib.sync.adopt.finish`); False if nothing was left."""
        return adopt.finish(self.ws)

    def waiting(self) -> int:
        """How many changed rows wait to be pushed."""
        return outbox.count(self.ws.conn)

    def changes_waiting(self) -> int:
        """How many things a person changed wait to be pushed (what the indicator counts)."""
        return outbox.count_changes(self.ws.conn)
