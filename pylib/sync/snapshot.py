"""Snapshots: the synced tables in parts, so a new device starts fast and old segments go.

A snapshot is every synced row (and every removal still remembered) as records with the
clocks that won, cut into parts of a few MiB, each sealed like a segment. The manifest names
the snapshot and what it *covers* (per device, the last segment folded in). A device whose
cursors are behind what the snapshot covers loads it (records merge like any pulled records,
so changes made here meanwhile survive), then the segments after it.

Compaction writes a snapshot, commits a manifest that lists it and no covered segment, then
deletes the covered objects. A lease object keeps two devices from compacting at once; one
that expires (a device that went away mid-compaction) may be taken over.

Parts of format 2 (:data:`FORMAT`, in each part's header) carry each document's text as it
is stored — one zstd frame (:class:`~pylib.sync.codec.Packed`) when packing pays, else plain
— and its newest version of the same text as that same frame: a new device stores both as
they came (``content_codec`` 0, version storage ``zstd``: forms every reader takes) instead
of inserting every text twice in full and packing it after. A device that merges gets the
plain texts (:func:`unpacked`). Parts of format 1 (older devices; no format in the header)
carry every text plain and are read as before; a newer format is held (update Quire).
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from pylib import compress, textstore
from pylib.content import to_bytes
from pylib.db import Workspace
from pylib.sync import derived, kept, outbox
from pylib.sync.codec import Packed
from pylib.sync.tables import TABLES

# A snapshot part's records, about (sealed, texts packed: some 5 MB). Fewer, larger parts
# measured faster for a new device than parts of 2 or 4 MiB: each part is a presign and a
# GET, and is opened on its own (bench/README.md, "Sync between devices").
PART_BYTES = 8 * 1024 * 1024
SEGMENT_BYTES = 4 * 1024 * 1024  # a push larger than this is cut into segments
LEASE_KEY = "sync/lease"
_NEVER = ["0000000000000-00000", ""]
FORMAT = 2  # the format of the parts this version writes
FORMATS = (1, 2)  # the formats it reads


def part_key(snapshot_id: str, part: int) -> str:
    return f"sync/snapshots/{snapshot_id}/{part:05d}"


def _size(values: list[Any]) -> int:
    return 64 + sum(len(v) if isinstance(v, (bytes, str)) else
                    len(v.frame) if isinstance(v, Packed) else 8 for v in values)


def record_size(record: dict[str, Any]) -> int:
    """About how many bytes a record takes in a body."""
    return sum(_size(v[2]) for v in record.get("f", {}).values()) or 64


def split(found: list[dict[str, Any]], part_bytes: int = PART_BYTES) -> list[list[dict[str, Any]]]:
    """``found`` cut into runs of about ``part_bytes`` (a big first push becomes several
    segments, each well under what one object may hold)."""
    out: list[list[dict[str, Any]]] = [[]]
    size = 0
    for record in found:
        n = record_size(record)
        if out[-1] and size + n > part_bytes:
            out.append([])
            size = 0
        out[-1].append(record)
        size += n
    return out


def _carried(ws: Workspace, content: Any, codec: int | None) -> Any:
    """A document's text as a part of format 2 carries it: its stored frame if it is one
    without a dictionary; else packed so if that saves a tenth (the rule of
    :func:`pylib.textstore.encode` with no dictionary: a new device has none); else plain."""
    if content is None or codec is None:
        return content
    if codec == textstore.ZSTD:
        return Packed(to_bytes(content))
    try:
        data = textstore.unpack(ws.conn, content, codec)
    except compress.CompressedDataError:
        return None  # damaged: sent as ``quire_text`` reads it
    frame = compress.pack(data)
    return Packed(frame) if len(frame) <= textstore.KEEP_SHARE * len(data) else data


def _rows(ws: Workspace, name: str, order: str = "t.id", packed: bool = False,
          ) -> Iterator[tuple[dict[str, Any], int]]:
    """``(record, approximate bytes)`` of every row of one synced table (``packed``: texts
    as a part of format 2 carries them)."""
    table = TABLES[name]
    cols = [c for c in table.columns if not (name == "artifact_versions" and c == "content")]
    stored = packed and name == "artifacts"
    exprs = [*(f"t.{c}" for c in cols), "t.content_codec"] if stored \
        else outbox.selected(name, cols, "t.")
    rows = ws.conn.execute(
        f"SELECT t.id, s.clocks, {', '.join(exprs)} FROM {name} t"
        f" LEFT JOIN sync_rows s ON s.tbl = ? AND s.row_id = t.id ORDER BY {order}", (name,))
    for row_id, clocks, *values in rows:
        found = dict(zip(cols, values))
        if stored:
            found["content"] = _carried(ws, found["content"], values[-1])
        if name == "artifact_versions":
            found["content"] = outbox.version_content(ws, row_id)
        held = json.loads(clocks) if clocks else {}
        groups, size = {}, 0
        for group, group_cols in table.groups.items():
            stamp = held[group].split(" ") if group in held else _NEVER
            base = held.get("trash@base") or None if group == "trash" else None
            group_values = [found[c] for c in group_cols]
            groups[group] = [stamp[0], stamp[1], group_values, base]
            size += _size(group_values)
        yield {"t": name, "id": row_id, "f": groups}, size


def _documents(ws: Workspace, packed: bool) -> Iterator[tuple[dict[str, Any], int]]:
    """Each document followed by its versions. A version holding the document's current
    text then lands in the same part, whose body holds equal bytes once (:mod:`.codec`):
    the text travels once, not twice (a taker inserts by table, a merge by clock: the order
    of records in a snapshot is free). With ``packed`` such a version carries the
    document's frame when the document does."""
    versions = _rows(ws, "artifact_versions", "t.artifact_id, t.id")
    pending = next(versions, None)

    def owner(item: tuple[dict[str, Any], int]) -> str:
        return item[0]["f"]["artifact_id"][2][0]

    for record, size in _rows(ws, "artifacts", packed=packed):
        while pending is not None and owner(pending) < record["id"]:
            yield pending  # a version whose document is gone
            pending = next(versions, None)
        yield record, size
        text, _, text_hash = record["f"]["content"][2]
        while pending is not None and owner(pending) == record["id"]:
            version, n = pending
            if text_hash is not None and version["f"]["hash"][2][0] == text_hash:
                n = 64  # the bytes are the document's, already in this part
                if isinstance(text, Packed) and version["f"]["content"][2][0] is not None:
                    version["f"]["content"][2][0] = text
            yield version, n
            pending = next(versions, None)
    if pending is not None:
        yield pending
    yield from versions


def records(ws: Workspace, packed: bool = True) -> Iterator[tuple[dict[str, Any], int]]:
    """``(record, approximate bytes)`` for every synced row and remembered removal, then
    the derived tables a new device may take as they are (:mod:`pylib.sync.derived`);
    ``packed``: texts as format 2 carries them, else as format 1 (every text plain)."""
    conn = ws.conn
    for name in TABLES:
        if name == "artifacts":
            yield from _documents(ws, packed)
        elif name != "artifact_versions":  # those follow their document
            yield from _rows(ws, name)
    for tbl, row_id, clocks in conn.execute(
            "SELECT tbl, row_id, clocks FROM sync_rows WHERE clocks LIKE '{\"-\":%'"):
        removal: dict[str, Any] = {"t": tbl, "id": row_id, "x": json.loads(clocks)["-"].split(" ")}
        last = kept.last_of(conn, row_id) if tbl in outbox.KEPT_TABLES else None
        if last is not None:  # the removed text, should an edit made elsewhere bring it back
            removal["last"] = last
            if tbl == "artifact_versions":
                removal["of"] = kept.owner_of(conn, row_id)
        yield removal, 64 + (len(last[1]) if last else 0)
    yield from derived.records(ws)  # the indexes, for a new device to take as they are


def parts(ws: Workspace, part_bytes: int = PART_BYTES, packed: bool = True,
          ) -> Iterator[list[dict[str, Any]]]:
    """The snapshot's records cut into parts of about ``part_bytes``."""
    part: list[dict[str, Any]] = []
    size = 0
    for record, n in records(ws, packed):
        if part and size + n > part_bytes:
            yield part
            part, size = [], 0
        part.append(record)
        size += n
    if part:
        yield part


def unpacked(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``found`` with every :class:`Packed` text made plain, for the merge (in place)."""
    for record in found:
        for group in record.get("f", {}).values():
            values = group[2]
            for i, value in enumerate(values):
                if isinstance(value, Packed):
                    values[i] = value.plain()
    return found
