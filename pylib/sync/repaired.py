"""What a repair keeps of this device's sync (:mod:`pylib.care.repair`).

A repair copies every readable row into a fresh database. Were the copy captured as new
changes, every row would be sent again with a new clock and would win over whatever another
device changed since this one last pulled (a rename made there, an edit) — and a fresh device
id would make this device a stranger to its own segments. So the copy is not captured: the
device's id and clock, its outbox (changes not yet sent), the clocks of every row's winning
writes and the texts kept from removals are carried over as they were, and the next pull reads
every segment and snapshot again, this device's own too (``REREAD``). Records already applied
change nothing; the rows the damage took come back from the other devices, as full records,
instead of being sent to them as removals.

All of it or none: when any of this state cannot be read, the repair falls back to starting
sync afresh (every row captured as a change, as an imported copy does), which loses nothing
here but lets this device's copy win over changes it had not pulled.
"""

from __future__ import annotations

import json
import sqlite3

from pylib.sync import meta
from pylib.sync.apply import PARKED, set_applying
from pylib.sync.reads import REREAD
from pylib.sync.tables import TABLES

# This device's sync state, copied as it is (sync_clock is its one row, handled apart). The
# repaired workspace has the same schema as the one it is read from (both are migrated).
_TABLES = ("sync_changes", "sync_meta", "sync_rows", "sync_kept")
# Progress that no longer holds once rows may be missing: read everything again.
_FORGET = ("cursors", "etag", "links_due")

State = dict[str, tuple[list[str], list[tuple]]]


def readable(src: sqlite3.Connection) -> State | None:
    """Every row of the sync state of ``src`` (``{table: (columns, rows)}``), or ``None`` if
    any of it cannot be read (a damaged page fails the whole read)."""
    try:
        out: State = {}
        for table in ("sync_clock", *_TABLES):
            columns = [r[1] for r in src.execute(f'PRAGMA table_info("{table}")')]
            cols = ", ".join(f'"{c}"' for c in columns)
            out[table] = (columns, src.execute(f'SELECT {cols} FROM "{table}"').fetchall())
        return out if len(out["sync_clock"][1]) == 1 else None
    except sqlite3.DatabaseError:
        return None


def status(state: State | None) -> str:
    """``kept``; ``none`` (kept, but this workspace never synced: nothing can come back);
    ``restarted`` (sync's state could not be read)."""
    if state is None:
        return "restarted"
    columns, rows = state["sync_meta"]
    synced = any(dict(zip(columns, r)).get("key") == "counter" for r in rows)
    return "kept" if synced else "none"


def start_copy(fresh: sqlite3.Connection, state: State | None) -> None:
    """Before the rows are copied into ``fresh``: carry ``state`` (then the copy is not
    captured), or leave capture on (sync starts afresh: every row is a change to send)."""
    if state is None:
        return
    fresh.execute("DELETE FROM sync_clock")
    for table in ("sync_clock", *_TABLES):
        columns, rows = state[table]
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        fresh.executemany(f'INSERT OR REPLACE INTO "{table}" ({cols}) VALUES ({marks})', rows)
    for key in _FORGET:
        fresh.execute("DELETE FROM sync_meta WHERE key = ?", (key,))
    meta.put(fresh, REREAD, True)
    set_applying(fresh, True)


def rename_captured(fresh: sqlite3.Connection, table: str, row_id: str) -> None:
    """A row the copy had to give another name (its path was taken): a change to send, so that
    every device names it so. The row is moved aside uncaptured, then back, captured. Runs
    after :func:`end_copy`, and leaves capture on as it found it."""
    path = fresh.execute(f"SELECT path FROM {table} WHERE id = ?", (row_id,)).fetchone()[0]
    set_applying(fresh, True)
    fresh.execute(f"UPDATE {table} SET path = ? WHERE id = ?", (f"{path}{PARKED}{row_id}", row_id))
    set_applying(fresh, False)
    fresh.execute(f"UPDATE {table} SET path = ? WHERE id = ?", (path, row_id))


def end_copy(fresh: sqlite3.Connection, state: State | None) -> None:
    """After the copy: changes waiting for rows the damage took are dropped (sent, they would
    remove those rows from every other device; the rows come back from them instead), unless
    the change is a removal made here. Capture is on again."""
    if state is None:
        return
    for table in TABLES:
        fresh.execute(
            "DELETE FROM sync_changes WHERE tbl = ? AND fields <> ? AND row_id NOT IN"
            f" (SELECT id FROM {table}) AND row_id NOT IN (SELECT row_id FROM sync_changes"
            " WHERE tbl = ? AND fields = ?)", (table, json.dumps(["-"]), table, json.dumps(["-"])))
    set_applying(fresh, False)
