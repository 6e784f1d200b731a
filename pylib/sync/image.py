"""A snapshot's image: the database a new device would make of it, for that device to copy.

Taking a snapshot in whole (:mod:`pylib.sync.adopt`) inserts every row — tens of MB of texts,
versions and indexes through SQLite's B-trees, about two thirds of a new device's processor
time after the download — and then packs every text in the ticks after. The device writing a
snapshot can do that work once: it takes its own snapshot's records into an empty workspace
in memory, exactly as a new device would (the same :func:`~pylib.sync.adopt.adopt`, then
:mod:`pylib.sync.packing` to the end, then ``VACUUM``), and sends that database as the
snapshot's *image* (:mod:`pylib.sync.imageparts`). The record parts are still written: a
device with rows of its own merges them, an older version reads only them, and a device
whose schema differs from the image's falls back to them.

A new device whose schema is the image's (the same migration, page size and SQL of every
table, index, trigger and view) copies the image into its file in one step — SQLite's backup,
the way a workspace file is replaced on import, so the page's store saves the changed pages
like any commit — keeping its own local tables (its device clock, settings, sync state), with
the cursors the snapshot covers. Nothing is left to pack; a link index the snapshot did not
carry is still left for later (the image's ``sync_meta`` says so).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from pylib.clock import now_ms
from pylib.db import Workspace, open_workspace
from pylib.sync import adopt, derived, meta, packing
from pylib.sync.clock import observe
from pylib.sync.tables import TABLES

# The tables an image carries; every other table is this device's own and kept as it is.
SHARED = frozenset({*TABLES, "sync_rows", "sync_kept", *derived.SEARCH, *derived.LINKS})
CARRIED_META = (adopt.LINKS_DUE, packing.PACK_DUE)  # what the take left for later
MIN_BYTES = 1024 * 1024  # smaller snapshots are taken from their records fast enough
MAX_BYTES = 1024 * 1024 * 1024


def build(records: list[dict[str, Any]]) -> bytes | None:
    """The database a new device makes of ``records`` (a snapshot's), serialised; ``None``
    when a new device would not take them in whole (it merges them instead)."""
    scratch = open_workspace(":memory:")
    try:
        with scratch.transaction():
            if not adopt.adopt(scratch, records):
                return None
        while packing.pack_some(scratch):  # what the new device would do just after
            pass
        if scratch.conn.execute("SELECT 1 FROM sync_changes LIMIT 1").fetchone() is not None:
            return None  # the take wrote changes of its own (a folder made): not a copy
        for table in _local_tables(scratch.conn):
            if table not in ("sync_meta", "sync_clock"):
                scratch.conn.execute(f"DELETE FROM {table}")
        scratch.conn.execute("VACUUM")  # no page the packing freed: less to send and to copy
        return bytes(scratch.conn.serialize())
    finally:
        scratch.close()


def _schema(conn: sqlite3.Connection, name: str = "main") -> list[tuple[Any, ...]]:
    rows = conn.execute(f"SELECT type, name, tbl_name, sql FROM {name}.sqlite_master"
                        " WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name").fetchall()
    return [*rows, conn.execute(f"PRAGMA {name}.user_version").fetchone(),
            conn.execute(f"PRAGMA {name}.page_size").fetchone()]


def _local_tables(conn: sqlite3.Connection) -> list[str]:
    names = [n for (n,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return [n for n in names if n not in SHARED]


def _open(data: bytes | bytearray) -> sqlite3.Connection | None:
    """The image in a private connection (no trigger or view of it runs); ``None`` if it
    is not a database."""
    image = sqlite3.connect(":memory:")
    try:
        image.execute("PRAGMA trusted_schema = OFF")
        image.deserialize(data)
        image.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        image.close()
        return None
    return image


def _copy_local(ws: Workspace, image: sqlite3.Connection, cursors: dict[str, int]) -> None:
    """This device's own tables into the image, with the marks the image carries kept and
    the clock moved past every write it holds."""
    carried = image.execute(
        f"SELECT key, value FROM sync_meta WHERE key IN ({', '.join('?' * len(CARRIED_META))})",
        CARRIED_META).fetchall()
    wall, counter = image.execute("SELECT wall, counter FROM sync_clock").fetchone()
    for table in _local_tables(ws.conn):
        image.execute(f"DELETE FROM {table}")
        cursor = ws.conn.execute(f"SELECT * FROM {table}")
        marks = ", ".join("?" * len(cursor.description))
        image.executemany(f"INSERT INTO {table} VALUES ({marks})", cursor)
    image.executemany("INSERT OR REPLACE INTO sync_meta (key, value) VALUES (?, ?)", carried)
    meta.put(image, "cursors", cursors)  # a crash before the pull's commit resumes after it
    observe(image, f"{wall:013d}-{counter:05d}")
    image.execute("UPDATE sync_kept SET kept_at = ?", (now_ms(),))  # kept from now, as a take


def take(ws: Workspace, data: bytes | bytearray, cursors: dict[str, int]) -> bool:
    """Make this fresh workspace the image ``data`` (outside any transaction; one step, all
    pages or none); False (nothing changed) if the image does not fit this schema."""
    image = _open(data)
    if image is None:
        return False
    try:
        if ws.conn.in_transaction or _schema(image) != _schema(ws.conn) \
                or not adopt.is_fresh(ws.conn):
            return False
        with image:
            _copy_local(ws, image, cursors)
        image.backup(ws.conn)  # one step: every page, or (an error) none
    except sqlite3.Error:
        return False
    finally:
        image.close()
    ws.commits += 1  # a write made outside a transaction: the hooks save the pages
    for hook in list(ws.on_commit):
        hook(ws)
    return True
