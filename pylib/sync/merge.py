"""One pull's records into the workspace, in one transaction: apply, then resolve.

Derived tables are kept in step in the same transaction (the keyword index around the raw
writes, the link index after), so a pulled change is searchable and linked like a local one.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Callable

from pylib.db import Workspace
from pylib.links import index as link_index
from pylib.search import indexer as search_index
from pylib.sync import kept, outbox, resolve
from pylib.sync.apply import Plan, apply_records, set_applying
from pylib.sync.clock import observe


def merge_records(ws: Workspace, records: list[dict[str, Any]],
                  after: Callable[[sqlite3.Connection], None] | None = None) -> Plan:
    """Apply ``records`` from other devices and resolve what they meet here; ``after`` runs
    in the same transaction (sync's cursors advance with what they describe)."""
    with ws.transaction():
        conn = ws.conn
        plan = Plan(pending=outbox.pending_groups(conn))
        art_ids = {r["id"] for r in records if r["t"] == "artifacts"}
        conn.execute("PRAGMA defer_foreign_keys = ON")
        try:
            with search_index.reindexing(ws, sorted(art_ids)):
                set_applying(conn, True)
                apply_records(conn, plan, records)
                resolve.drop_orphans(conn, plan)
                set_applying(conn, False)
                resolve.place(ws, plan, art_ids)
        finally:
            set_applying(conn, False)
        for artifact_id, values, base in plan.merges:
            resolve.merge_text(ws, plan, artifact_id, values, base)
        resolve.edits_beat_deletes(ws, plan, set())
        # A document removed for good on one side and edited on the other came back: the
        # remover's last text is kept as a conflict version (pylib/sync/kept.py).
        for artifact_id, last in plan.lost:
            kept.keep_as_conflict(ws, artifact_id, last)
        for artifact_id in sorted(plan.back):
            for last in kept.kept_for(conn, artifact_id):  # its last text, its unsent versions'
                kept.keep_as_conflict(ws, artifact_id, last)
        live = {(r["t"], r["id"]) for r in records if r["t"] in ("artifacts", "folders")}
        live |= {(t, i) for t, i, _ in plan.parked}
        resolve.ensure_parents(ws, live, set())
        if plan.latest:
            observe(conn, plan.latest)
        outbox.restamp(conn)
        touched = {i for (i,) in conn.execute(
            "SELECT row_id FROM sync_changes WHERE tbl = 'artifacts'")}
        link_index.refresh(conn, sorted(art_ids | touched))
        if after is not None:
            after(conn)
    return plan
