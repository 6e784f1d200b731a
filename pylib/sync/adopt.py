"""A new device takes a snapshot in whole: bulk inserts, and the indexes the snapshot carries.

A device that holds no synced row yet (a fresh workspace: nothing of its own, nothing pulled)
has nothing a merge could meet, so merging a snapshot record by record — a look-up, a write
and the keyword and link indexes kept in step, per row — only costs time. Here each table's
rows go in with one ``executemany`` in the order foreign keys need, with the same values and
clocks the merge would give them (:mod:`pylib.sync.apply`), capture off.

What a file copy would not do is left out of the take. The keyword and link indexes come
with the snapshot (:mod:`pylib.sync.derived`: the writer's own, in step with its rows) and
are inserted as they are, in the same transaction, so search and backlinks are exact from the
first moment; a group that cannot be trusted is built here instead — the keyword index at
once (:func:`pylib.search.indexer.rebuild`), the link index just after (:func:`build_links`,
its own transaction, with a mark in ``sync_meta`` so that it is built even after a crash).
Texts are stored as they came: a text a part of format 2 carries as its zstd frame
(:class:`~pylib.sync.codec.Packed`) goes in as it is (``content_codec`` 0; a version of it,
storage ``zstd``), so it is written once packed instead of twice in full; a plain text is
packed just after (:mod:`pylib.sync.packing`), if any came that packing may shrink.

Only a snapshot as a converged device writes it is taken so: every row once, no row both
removed and present. Anything else — or a constraint the rows break — goes through the merge
instead (:func:`adopt` answers False and has changed nothing), so the outcome is the merge's.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import Any

from pylib.clock import now_ms
from pylib.db import Workspace
from pylib.links import index as link_index
from pylib.paths import parent_of
from pylib.search import indexer as search_index
from pylib.sync import derived, kept, meta, packing, resolve
from pylib.sync.outbox import KEPT_TABLES
from pylib.sync.apply import set_applying
from pylib.sync.clock import observe
from pylib.sync.ready import COLUMNS, Ready, in_order, prepare
from pylib.sync.tables import TABLES

ROOT = "/"
LINKS_DUE = derived.LINKS_DUE  # sync_meta: the link index is still to be built


def is_fresh(conn: sqlite3.Connection) -> bool:
    """True if this workspace holds no synced row, no pending change and no sync history."""
    probes = [f"SELECT 1 FROM {name}" for name in TABLES]
    probes += ["SELECT 1 FROM sync_rows", "SELECT 1 FROM sync_changes"]
    return conn.execute(f"SELECT NOT EXISTS ({' UNION ALL '.join(probes)})").fetchone()[0] == 1


def _clean(records: list[dict[str, Any]]) -> bool:
    """Every row once (a snapshot written by a converged device)."""
    seen = Counter((r.get("t"), r.get("id")) for r in records)
    return all(n == 1 for n in seen.values())


def _insert_all(conn: sqlite3.Connection, ready: list[Ready]) -> None:
    for name in TABLES:  # a row before the rows that refer to it
        found = in_order(ready, name)
        if not found:
            continue
        cols = COLUMNS[name]
        conn.executemany(f"INSERT INTO {name} ({', '.join(cols)}) VALUES"
                         f" ({', '.join('?' * len(cols))})", [values for _, values, _ in found])
        conn.executemany("INSERT INTO sync_rows (tbl, row_id, clocks) VALUES (?, ?, ?)",
                         [(name, values[0], clocks) for _, values, clocks in found])


def _orphaned_parents(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """Live rows whose folder is not there (a snapshot of a sound file has none)."""
    live = {p for (p,) in conn.execute("SELECT path FROM folders WHERE deleted_at IS NULL")}
    live.add(ROOT)
    out = set()
    for tbl in ("folders", "artifacts"):
        for row_id, path in conn.execute(f"SELECT id, path FROM {tbl} WHERE deleted_at IS NULL"):
            if parent_of(path) not in live:
                out.add((tbl, row_id))
    return out


def adopt(ws: Workspace, records: list[dict[str, Any]],
          ready: list[Ready | None] | None = None) -> bool:
    """Take a snapshot's ``records`` into this fresh workspace, inside the caller's
    transaction; False (nothing changed) when they must be merged instead. ``ready``: the
    records already made ready part by part (:mod:`.ready`), as the pull opened them."""
    conn = ws.conn
    if ready is None or None in ready:
        ready = [prepare(records)]
    parts: list[Ready] = ready  # type: ignore[assignment]
    if not _clean([r for part in parts for r in part.synced]):
        return False
    shipped = [r for part in parts for r in part.shipped] \
        if all(part.whole for part in parts) else []
    removed = [r for part in parts for r in part.removed]
    latest = max(part.latest for part in parts)
    conn.execute("SAVEPOINT sync_adopt")
    set_applying(conn, True)
    try:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        _insert_all(conn, parts)
        conn.executemany("INSERT INTO sync_rows (tbl, row_id, clocks) VALUES (?, ?, ?)",
                         [(r["t"], r["id"], json.dumps({"-": f"{r['x'][0]} {r['x'][1]}"}))
                          for r in removed])
        for r in removed:  # texts removed elsewhere, carried on by this device's snapshots
            if r["t"] in KEPT_TABLES and "last" in r:
                kept.remember(conn, r["id"], r["last"], now_ms(), r.get("of"))
        for tbl, col in (("artifact_versions", "artifact_id"),
                         ("citations", "source_artifact_id")):
            conn.execute(f"DELETE FROM {tbl} WHERE {col} NOT IN (SELECT id FROM artifacts)")
    except sqlite3.IntegrityError:
        set_applying(conn, False)
        conn.execute("ROLLBACK TO sync_adopt")
        conn.execute("RELEASE sync_adopt")
        return False
    set_applying(conn, False)
    conn.execute("RELEASE sync_adopt")
    if latest:
        observe(conn, latest)  # before any change of this device's own (a folder made below)
    resolve.ensure_parents(ws, _orphaned_parents(conn), set())
    taken = derived.take(conn, shipped)
    if "search" not in taken:
        search_index.rebuild(ws)
    if "links" not in taken:
        meta.put(conn, LINKS_DUE, True)
    if any(part.to_pack for part in parts):
        packing.mark(conn)
    return True


def links_due(conn: sqlite3.Connection) -> bool:
    """True if a whole take left the link index to be built."""
    return bool(meta.get(conn, LINKS_DUE, False))


def due(conn: sqlite3.Connection) -> bool:
    """True if a whole take left work for later (:func:`finish`)."""
    return links_due(conn) or packing.due(conn)


def finish(ws: Workspace) -> bool:
    """The next piece of what a whole take left for later — the link index if it did not
    come with the snapshot, else a batch of texts to pack; False if nothing was left."""
    return build_links(ws) or packing.pack_some(ws)


def build_links(ws: Workspace) -> bool:
    """Build the link index a whole take left for later, in one pass; False if none was due.
    (Notes saved meanwhile were indexed as they were saved; the rebuild covers them too.)"""
    if not links_due(ws.conn):
        return False
    with ws.transaction():
        link_index.rebuild(ws.conn)
        ws.conn.execute("DELETE FROM sync_meta WHERE key = ?", (LINKS_DUE,))
    return True


def counted(records: list[dict[str, Any]]) -> int:
    """How many of ``records`` a merge would have counted as applied."""
    return sum(1 for r in records if r.get("t") in TABLES)
