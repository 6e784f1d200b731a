"""A new device's whole take made part by part, each part inserted as soon as it is opened.

The pull of a fresh workspace (:mod:`pylib.sync.engine`) holds one transaction from before
the first part arrives until after the last is in: each part's rows go in (:meth:`Take.add`)
while the next parts download, so little of the take is left once the last byte is in; a
part that is missing, damaged or refused raises out of that transaction and nothing stays.
:meth:`Take.end` does what needs every part — the removals, the indexes the snapshot carries
(:mod:`pylib.sync.derived`), the check that every row came once — and answers False (the
take undone, nothing changed) when the snapshot must be merged instead.

Parts come in the order they finish downloading, not by number. The rows of one table need
no order among themselves except the versions of one document, numbered in the order they
were written: a document whose versions arrived out of that order (split across parts that
came in reverse) is numbered again at the end. Foreign keys are checked at the commit.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import Any

from pylib.db import Workspace
from pylib.sync import derived
from pylib.sync.apply import set_applying
from pylib.sync.clock import Stamp
from pylib.sync.ready import AT, COLUMNS, Ready
from pylib.sync.tables import TABLES

_SAVEPOINT = "sync_take"
_V = AT["artifact_versions"]


class Take:
    """One whole take of a snapshot into the fresh ``ws``, inside the caller's transaction."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._hold = ws.hold  # the transaction held open across the download, if any
        self.ok = True  # False once the snapshot must be merged instead
        self.parts: list[Ready] = []
        self._begun = False
        self._seen: set[tuple[Any, Any]] = set()
        self._seq: dict[str, int] = defaultdict(int)
        self._order: dict[str, list[tuple[tuple[Stamp, int, int], str]]] = defaultdict(list)
        self._disordered: set[str] = set()
        self.derived = derived.Incoming(ws.conn)

    def add(self, number: int, part: Ready) -> None:
        """Insert part ``number``'s rows now (the caller's transaction open)."""
        if not self._going():
            return
        if not self._unique(part):
            self.abandon()
            return
        conn = self.ws.conn
        if not self._begun:
            conn.execute(f"SAVEPOINT {_SAVEPOINT}")
            conn.execute("PRAGMA defer_foreign_keys = ON")
            self._begun = True
        self.parts.append(part)
        set_applying(conn, True)  # only while its own rows go in: any other write is logged
        try:
            for name in TABLES:
                rows = part.rows.get(name)
                if rows:
                    self._insert(conn, name, number, rows)
            self.derived.add(part.shipped)
        except sqlite3.IntegrityError:
            self.abandon()
        finally:
            set_applying(conn, False)

    def _going(self) -> bool:
        """False once the take was abandoned, or its held transaction given up to another
        writer (rolled back: then the snapshot is merged, as for any workspace not fresh)."""
        if self.ok and self._hold is not None and self._hold.lost:
            self.ok, self._begun, self.parts = False, False, []
        return self.ok

    def _unique(self, part: Ready) -> bool:
        """Every row once across the parts so far (a snapshot of a converged device)."""
        before = len(self._seen)
        self._seen.update((r.get("t"), r.get("id")) for r in part.synced)
        return len(self._seen) == before + len(part.synced)

    def _insert(self, conn: sqlite3.Connection, name: str, number: int,
                rows: list[tuple[Stamp, list[Any], str]]) -> None:
        rows = sorted(rows, key=lambda row: row[0])
        if name == "artifact_versions":
            self._number(number, rows)
        cols = COLUMNS[name]
        conn.executemany(f"INSERT INTO {name} ({', '.join(cols)}) VALUES"
                         f" ({', '.join('?' * len(cols))})", [values for _, values, _ in rows])
        conn.executemany("INSERT INTO sync_rows (tbl, row_id, clocks) VALUES (?, ?, ?)",
                         [(name, values[0], clocks) for _, values, clocks in rows])

    def _number(self, number: int, rows: list[tuple[Stamp, list[Any], str]]) -> None:
        """Each version the next number of its document; noted if it was written earlier
        than one already numbered (then :meth:`_renumber` puts them in order)."""
        for i, (stamp, values, _) in enumerate(rows):
            owner = values[_V["artifact_id"]]
            self._seq[owner] += 1
            values[_V["seq"]] = self._seq[owner]
            order = self._order[owner]
            key = (stamp, number, i)
            if order and key < order[-1][0]:
                self._disordered.add(owner)
            order.append((key, values[0]))

    def _renumber(self, conn: sqlite3.Connection) -> None:
        for owner in self._disordered:  # out of the way first: (document, number) is unique
            conn.execute("UPDATE artifact_versions SET seq = -seq WHERE artifact_id = ?",
                         (owner,))
            conn.executemany("UPDATE artifact_versions SET seq = ? WHERE id = ?",
                             [(n, version_id) for n, (_, version_id)
                              in enumerate(sorted(self._order[owner]), start=1)])

    def abandon(self) -> None:
        """Undo every part taken so far: the snapshot is merged instead."""
        if self._begun:
            self.ws.conn.execute(f"ROLLBACK TO {_SAVEPOINT}")
            self.ws.conn.execute(f"RELEASE {_SAVEPOINT}")
            self._begun = False
        self.ok = False
        self.parts = []

    def rows_done(self) -> bool:
        """Finish the synced rows: removals, orphans, the versions' order. False (nothing
        changed) if the snapshot must be merged instead."""
        if not self._going() or not self.parts:
            return False
        conn = self.ws.conn
        removed = [r for part in self.parts for r in part.removed]
        set_applying(conn, True)
        try:
            conn.executemany("INSERT INTO sync_rows (tbl, row_id, clocks) VALUES (?, ?, ?)",
                             [(r["t"], r["id"], json.dumps({"-": f"{r['x'][0]} {r['x'][1]}"}))
                              for r in removed])
            self._renumber(conn)
        except sqlite3.IntegrityError:
            set_applying(conn, False)
            self.abandon()
            return False
        set_applying(conn, False)
        return True

    def release(self) -> None:
        """Keep what was taken (the caller's transaction commits it)."""
        if self._begun:
            self.ws.conn.execute(f"RELEASE {_SAVEPOINT}")
            self._begun = False
