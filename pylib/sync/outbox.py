"""This device's changes not yet pushed, read as records to send, and their bookkeeping.

The capture triggers (migration 0018) note which columns of which row changed; the values are
read here, when a segment is built, so many edits of one field between two pushes send one
value: the newest, with the clock of its newest write. A group's *base* is the content hash
the first of those edits started from (for text, where a three-way merge begins).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pylib import textstore
from pylib.db import Workspace
from pylib.errors import QuireError
from pylib.sync import kept
from pylib.sync.clock import tick
from pylib.sync.tables import ORDER, TABLES

Record = dict[str, Any]


def _collect(conn: sqlite3.Connection) -> tuple[dict[tuple[str, str], dict[str, Any]], int]:
    rows = conn.execute(
        "SELECT seq, tbl, row_id, fields, base, hlc, device FROM sync_changes ORDER BY seq")
    found: dict[tuple[str, str], dict[str, Any]] = {}
    upto = 0
    for seq, tbl, row_id, fields, base, hlc, device in rows:
        upto = seq
        table = TABLES.get(tbl)
        if table is None:
            continue
        entry = found.setdefault((tbl, row_id), {"groups": {}, "deleted": None, "inserted": False})
        names = json.loads(fields)
        if names == ["-"]:
            entry["deleted"] = (hlc, device)
            continue
        if names == ["*"]:
            entry["inserted"] = True
            groups = list(table.groups)
        else:
            groups = [g for g in dict.fromkeys(table.group_of(c) for c in names) if g]
        for group in groups:
            first_base = entry["groups"].get(group, (None, None, base))[2]
            entry["groups"][group] = (hlc, device, first_base)
    return found, upto


def version_content(ws: Workspace, version_id: str) -> bytes | None:
    from pylib import versions

    try:
        return versions.content_of(ws, version_id)[1]
    except QuireError:
        return None  # too large to keep in history: the row travels without it


def selected(tbl: str, cols: list[str], alias: str = "") -> list[str]:
    """The SQL of each column to send: an artifact's content is sent as plain text (it may be
    stored packed, :mod:`pylib.textstore`)."""
    return [textstore.column(alias) if tbl == "artifacts" and c == "content" else alias + c
            for c in cols]


def _values(ws: Workspace, tbl: str, row_id: str) -> dict[str, Any] | None:
    table = TABLES[tbl]
    cols = [c for c in table.columns if not (tbl == "artifact_versions" and c == "content")]
    row = ws.conn.execute(f"SELECT {', '.join(selected(tbl, cols))} FROM {tbl} WHERE id = ?",
                          (row_id,)).fetchone()
    if row is None:
        return None
    values = dict(zip(cols, row))
    if tbl == "artifact_versions":
        values["content"] = version_content(ws, row_id)
    return values


KEPT_TABLES = ("artifacts", "artifact_versions")  # removals that may carry a text along


def device_of(ws: Workspace) -> str:
    return ws.conn.execute("SELECT device FROM sync_clock").fetchone()[0]


def pending(ws: Workspace) -> tuple[list[Record], int]:
    """``(records, upto)``: every pending change as a record, and the last change included."""
    found, upto = _collect(ws.conn)
    records: list[Record] = []
    for (tbl, row_id), entry in found.items():
        values = _values(ws, tbl, row_id)
        if values is None:
            # Sent even when the row was made since the last push: that push may have been
            # committed with its answer lost, so others may hold the row.
            record = {"t": tbl, "id": row_id, "x": list(entry["deleted"] or
                                                        (tick(ws.conn), device_of(ws)))}
            last = kept.last_of(ws.conn, row_id) if tbl in KEPT_TABLES else None
            if last is not None:
                record["last"] = last  # its last text, should an edit elsewhere bring it back
                if tbl == "artifact_versions":
                    record["of"] = kept.owner_of(ws.conn, row_id)  # a version never sent
            records.append(record)
            continue
        table = TABLES[tbl]
        groups = {}
        for group, (hlc, device, base) in entry["groups"].items():
            cols = table.groups[group]
            groups[group] = [hlc, device, [values[c] for c in cols], base]
        if groups:
            records.append({"t": tbl, "id": row_id, "f": groups})
    records.sort(key=lambda r: (ORDER[r["t"]], r["id"]))
    return records, upto


def pending_groups(conn: sqlite3.Connection) -> dict[tuple[str, str], dict[str, str | None]]:
    """``{(table, id): {group: base}}`` of what this device changed and has not pushed."""
    found, _ = _collect(conn)
    out: dict[tuple[str, str], dict[str, str | None]] = {}
    for key, entry in found.items():
        groups = {g: base for g, (_, _, base) in entry["groups"].items()}
        if entry["deleted"]:
            groups["-"] = None
        out[key] = groups
    return out


def count(conn: sqlite3.Connection) -> int:
    """How many rows wait to be pushed (whether a push is due)."""
    return conn.execute("SELECT count(DISTINCT tbl || ' ' || row_id) FROM sync_changes").fetchone()[0]


# The thing a person changed, for each changed row: a version or a citation is its
# document's change (one removed with its document is part of that removal); the activity
# entry and the trash unit that come with a change are not changes of their own.
_CHANGED_THING = """
SELECT count(DISTINCT CASE c.tbl
  WHEN 'artifact_versions' THEN
    (SELECT 'artifacts ' || v.artifact_id FROM artifact_versions v WHERE v.id = c.row_id)
  WHEN 'citations' THEN
    (SELECT 'artifacts ' || x.source_artifact_id FROM citations x WHERE x.id = c.row_id)
  ELSE c.tbl || ' ' || c.row_id END)
FROM sync_changes c WHERE c.tbl NOT IN ('action_log', 'trash')"""


def count_changes(conn: sqlite3.Connection) -> int:
    """How many changes a person made wait to be pushed (what "N changes waiting" counts):
    documents and folders changed, not rows (a save is its text, its version and its
    activity entry: one change). At least 1 while any row waits."""
    things = conn.execute(_CHANGED_THING).fetchone()[0]
    if things:
        return things
    return 1 if conn.execute("SELECT EXISTS (SELECT 1 FROM sync_changes)").fetchone()[0] else 0


def touch(conn: sqlite3.Connection, tbl: str, row_id: str, columns: list[str],
          base: str | None = None) -> None:
    """Record a change the triggers could not see (a value kept, but now to be pushed)."""
    stamp = tick(conn)
    conn.execute(
        "UPDATE sync_clock SET seq = seq + 1")
    conn.execute(
        "INSERT INTO sync_changes (seq, tbl, row_id, fields, base, hlc, device)"
        " SELECT seq, ?, ?, ?, ?, ?, device FROM sync_clock",
        (tbl, row_id, json.dumps(columns), base, stamp))


def restamp(conn: sqlite3.Connection) -> None:
    """Give every pending change a clock later than all seen: local changes not yet pushed
    are replayed on top of what was just pulled, on every device alike."""
    conn.execute("UPDATE sync_changes SET hlc = ?", (tick(conn),))


def mark_pushed(conn: sqlite3.Connection, upto: int, records: list[Record]) -> None:
    """After the manifest names the segment: forget the pushed changes and remember the
    winning clocks of the values sent (a later, older remote write must lose to them)."""
    conn.execute("DELETE FROM sync_changes WHERE seq <= ?", (upto,))
    for record in records:
        if "x" in record:
            tombstone(conn, record["t"], record["id"], record["x"])
            continue
        held = {g: f"{v[0]} {v[1]}" for g, v in record["f"].items()}
        if record["t"] == "artifacts" and "trash" in record["f"]:
            held["trash@base"] = record["f"]["trash"][3] or ""
        set_clocks(conn, record["t"], record["id"], held)


def tombstone(conn: sqlite3.Connection, tbl: str, row_id: str, stamp: list[str]) -> None:
    """Remember that a row was removed (a snapshot carries it to devices that missed it)."""
    conn.execute("INSERT OR REPLACE INTO sync_rows (tbl, row_id, clocks) VALUES (?, ?, ?)",
                 (tbl, row_id, json.dumps({"-": f"{stamp[0]} {stamp[1]}"})))


def clocks(conn: sqlite3.Connection, tbl: str, row_id: str) -> dict[str, str]:
    row = conn.execute("SELECT clocks FROM sync_rows WHERE tbl = ? AND row_id = ?",
                       (tbl, row_id)).fetchone()
    return json.loads(row[0]) if row else {}


def set_clocks(conn: sqlite3.Connection, tbl: str, row_id: str, updates: dict[str, str]) -> None:
    merged = {**clocks(conn, tbl, row_id), **updates}
    conn.execute("INSERT OR REPLACE INTO sync_rows (tbl, row_id, clocks) VALUES (?, ?, ?)",
                 (tbl, row_id, json.dumps(merged, sort_keys=True)))
