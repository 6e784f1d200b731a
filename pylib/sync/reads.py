"""The reading half of the sync engine: the manifest, and the segments and snapshot parts it lists.

:class:`Reads` is a base of :class:`~pylib.sync.engine.SyncEngine` (which sets ``ws``, ``store``,
``key``, ``tag``, ``device`` and ``schema``): what this device has not applied yet, and each
object fetched, checked and opened. Nothing here writes to the store or to the workspace.
"""

from __future__ import annotations

from typing import Any

from pylib.db import Workspace
from pylib.sync import codec, manifest as mf, meta
from pylib.sync.errors import Refused, UpdateRequired
from pylib.sync.gather import gather_few
from pylib.sync.manifest import Manifest, segment_key
from pylib.sync.ready import prepare
from pylib.sync.snapshot import FORMATS, part_key
from pylib.sync.store import NotModified, ObjectStore

# sync_meta: read every segment and snapshot again, this device's own too (set by a repair,
# :mod:`pylib.sync.repaired`; cleared once a pull has applied them).
REREAD = "reread"


class MissingObject(Refused):
    default_message = "An object the sync manifest lists is missing; nothing was applied."


class Reads:
    """Reading what other devices pushed (see the module's docstring)."""

    ws: Workspace
    store: ObjectStore
    key: bytes
    tag: str
    device: str
    schema: int

    async def read_manifest(self, use_etag: bool = False) -> Manifest | None:
        """The current manifest (an empty one if none yet); ``None`` if unchanged since the
        last one applied (only with ``use_etag``)."""
        seen = meta.get(self.ws.conn, "etag") if use_etag else None
        try:
            blob = await self.store.get(mf.KEY, if_none_match=seen)
        except NotModified:
            return None
        if blob is None:
            return Manifest()
        return await mf.decode(self.key, self.tag, blob, meta.get(self.ws.conn, "counter", 0))

    def _skipped(self) -> str | None:
        """The device whose segments a pull does not read: this one, except after a repair."""
        return None if meta.get(self.ws.conn, REREAD, False) else self.device

    def _needs_snapshot(self, manifest: Manifest, cursors: dict[str, int]) -> bool:
        covers = (manifest.snapshot or {}).get("covers", {})
        skipped = self._skipped()
        return any(cursors.get(d, 0) < n for d, n in covers.items() if d != skipped)

    def _unapplied(self, manifest: Manifest, cursors: dict[str, int] | None = None,
                   ) -> list[tuple[str, int]]:
        if cursors is None:
            cursors = meta.get(self.ws.conn, "cursors", {})
        skipped = self._skipped()
        return [(dev, num) for dev, nums in sorted(manifest.devices.items())
                if dev != skipped for num in nums if num > cursors.get(dev, 0)]

    def _behind(self, manifest: Manifest) -> bool:
        cursors = meta.get(self.ws.conn, "cursors", {})
        return bool(self._unapplied(manifest, cursors)) or self._needs_snapshot(manifest, cursors)

    async def read_records(self, key: str, expect: dict[str, Any]) -> list[dict[str, Any]]:
        """The records of one segment or snapshot part; raises :class:`Refused` (missing,
        damaged, misplaced, foreign) or :class:`UpdateRequired` (a newer schema's)."""
        blob = await self.store.get(key)
        if blob is None:
            raise MissingObject(key=key)
        header, _, _ = codec.read_header(blob.body)
        if isinstance(header.get("schema"), int) and header["schema"] > self.schema:
            raise UpdateRequired(schema=header["schema"])
        form = header.get("format", 1)  # of a snapshot part (pylib/sync/snapshot.py)
        if form not in FORMATS:
            raise UpdateRequired(format=form)
        _, body = await codec.open_sealed(self.key, key, blob.body, {"ws": self.tag, **expect},
                                          packed=form == 2)
        found = body.get("records" if form == 1 else "rows") if isinstance(body, dict) else None
        if not isinstance(found, list):
            raise Refused("A sync object is malformed.", key=key)
        return found

    async def _segment(self, device: str, number: int) -> list[dict[str, Any]]:
        return await self.read_records(segment_key(device, number),
                                       {"kind": "segment", "dev": device, "num": number})

    async def _snapshot(self, snap: dict[str, Any], ready: list | None = None,
                        ) -> list[dict[str, Any]]:
        """Its records; each part also made ready for a whole take into ``ready``, if given."""
        total, done = int(snap["parts"]), 0

        async def part(number: int) -> list[dict[str, Any]]:
            nonlocal done
            found = await self.read_records(
                part_key(snap["id"], number),
                {"kind": "snapshot", "id": snap["id"], "part": number, "parts": snap["parts"]})
            if ready is not None:
                ready[number] = prepare(found)
            done += 1
            self.progress(done, total)
            return found

        parts = await gather_few([lambda n=n: part(n) for n in range(total)])
        return [record for found in parts for record in found]

    def progress(self, done: int, total: int) -> None:
        """Called as a snapshot's parts arrive (a new device's progress bar)."""
