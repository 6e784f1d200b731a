"""A snapshot's image (:mod:`pylib.sync.image`) sent and read as sealed parts.

The image is compressed as one zstd frame (level 3, long-distance matching) and the frame is
cut into parts of :data:`PART_BYTES`, each sealed on its own (:func:`pylib.sync.codec.seal`,
``raw``: padding, AES-256-GCM with the object key and a header naming the snapshot, the part
and the count as associated data), so a part moved, swapped, cut short or edited does not
open. A reader opens the parts as they arrive and unpacks them in order, in a thread where
the host has threads, while the next ones download. Its texts are packed as the new device
would pack them, so the image is larger than the records (about 1.5x for a workspace of
Markdown notes: a text's packed form and its newest version's full copy do not compress
into one) but nothing is left to do after it. The manifest's snapshot entry names the parts:
``"image": {"parts", "bytes", "schema", "records"}``; a version that does not know the entry
reads the record parts as before.
"""

from __future__ import annotations

from typing import Any

from pylib import compress, platform
from pylib.sync import adopt, codec, image
from pylib.sync.errors import Refused
from pylib.sync.gather import gather_few
from pylib.sync.snapshot import record_size

# The engine calls in here (pylib.sync.engine); annotating it would be an import circle.
SyncEngine = Any

PART_BYTES = 2 * 1024 * 1024 - 64  # of the frame (sealed: a 2 MiB bucket); small enough to unpack as they come


def part_key(snapshot_id: str, part: int) -> str:
    return f"sync/snapshots/{snapshot_id}/image/{part:05d}"


async def write(engine: SyncEngine, snapshot_id: str, records: list[dict[str, Any]],
                ) -> tuple[dict[str, Any] | None, list[str]]:
    """Seal and store the image of ``records``; ``(manifest entry, keys written)``, or
    ``(None, [])`` when the snapshot is small or a new device would merge it anyway."""
    if sum(record_size(r) for r in records) < image.MIN_BYTES:
        return None, []
    data = image.build(records)
    if data is None or len(data) > image.MAX_BYTES:
        return None, []
    frame = compress.pack_long(data)
    count = max(1, (len(frame) + PART_BYTES - 1) // PART_BYTES)
    written = []
    for n in range(count):
        key = part_key(snapshot_id, n)
        header = {"kind": "image", "ws": engine.tag, "id": snapshot_id, "part": n,
                  "parts": count, "schema": engine.schema}
        piece = frame[n * PART_BYTES:(n + 1) * PART_BYTES]
        await engine.store.put(key, await codec.seal(engine.key, key, header, piece, raw=True),
                               create_only=True)
        written.append(key)
    return {"parts": count, "bytes": len(data), "schema": engine.schema,
            "records": adopt.counted(records)}, written


def usable(engine: SyncEngine, snap: dict[str, Any] | None) -> bool:
    """True if ``snap`` has an image made by this schema."""
    entry = (snap or {}).get("image")
    return isinstance(entry, dict) and entry.get("schema") == engine.schema \
        and all(isinstance(entry.get(k), int) and entry[k] > 0 for k in ("parts", "bytes")) \
        and entry["bytes"] <= image.MAX_BYTES


async def fetch(engine: SyncEngine, snap: dict[str, Any]) -> bytes:
    """The image's bytes, every part checked (raises as reading any sync object does);
    parts are unpacked in order as they arrive, while the next ones download."""
    total, size = int(snap["image"]["parts"]), int(snap["image"]["bytes"])
    unpacker, arrived, out = compress.Unpacker(size), {}, []
    state = {"next": 0, "busy": False}

    async def part(n: int) -> None:
        key = part_key(snap["id"], n)
        arrived[n] = await engine.read_body(key, {"kind": "image", "id": snap["id"], "part": n,
                                                  "parts": total}, raw=True)
        engine.progress(len(arrived) + state["next"], total)
        if state["busy"]:
            return  # the part being unpacked now goes on with this one
        state["busy"] = True
        try:  # in order; in a thread where there are threads, while the next parts download
            while state["next"] in arrived:
                out.append(await platform.current.off_loop(unpacker.feed,
                                                           arrived.pop(state["next"])))
                state["next"] += 1
        except compress.CompressedDataError as exc:
            raise Refused(f"A snapshot's image does not unpack ({exc}).", key=key) from exc
        finally:
            state["busy"] = False

    await gather_few([lambda n=n: part(n) for n in range(total)])
    if not unpacker.done or sum(map(len, out)) != size:
        raise Refused("A snapshot's image is incomplete.", key=part_key(snap["id"], total - 1))
    return b"".join(out)


async def load(engine: SyncEngine, snap: dict[str, Any], cursors: dict[str, int],
               ) -> tuple[list[dict[str, Any]], bool]:
    """The snapshot's records to apply, or ``([], True)`` once its image is copied in —
    a fresh workspace's first pull (:func:`pylib.sync.image.take`: the last step of a pull
    that waits on the network, after every other object is in hand and checked)."""
    if adopt.is_fresh(engine.ws.conn) and usable(engine, snap):
        if image.take(engine.ws, await fetch(engine, snap), cursors):
            return [], True
    return await engine.read_snapshot(snap), False  # else this device's schema or rows differ


def counted(snap: dict[str, Any]) -> int:
    """How many records the image holds (what the pull reports as applied)."""
    return int(snap["image"].get("records", 0))
