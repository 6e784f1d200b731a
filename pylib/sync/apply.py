"""Applying remote records to the workspace: last writer wins per group, in a fixed order.

Records are applied in ``(clock, device)`` order, each group only if its write is later than
the one this row holds (``sync_rows``). A group this device changed and has not pushed keeps
the local value (it is stamped anew afterwards, so it wins on every device); for an artifact's
content the two are merged instead (:mod:`pylib.sync.resolve`). Runs with capture switched
off (``sync_clock.applying``): what arrives is not sent back. A live path that an incoming row
cannot take yet is parked on a temporary path and placed when every record is in
(:func:`pylib.sync.resolve.place`), so swaps and chains of moves land as they were made.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from pylib import textstore
from pylib.content import to_bytes
from pylib.clock import now_ms
from pylib.sync import kept, outbox
from pylib.sync.clock import Stamp, later
from pylib.sync.tables import TABLES

PARKED = "\x00"  # a parked path is "<path>\x00<id>": never a real path, unique per row


@dataclass
class Plan:
    """What applying left for the resolution step, in the order it was met."""

    pending: dict[tuple[str, str], dict[str, str | None]]
    parked: list[tuple[str, str, str]] = field(default_factory=list)  # (table, id, path)
    merges: list[tuple[str, list[Any], str | None]] = field(default_factory=list)
    keep_alive: list[tuple[str, str | None]] = field(default_factory=list)  # (id, trash unit)
    revive: list[tuple[str, str]] = field(default_factory=list)  # removed here, edited there
    content: list[str] = field(default_factory=list)  # artifacts whose text was replaced
    inserted: list[tuple[str, str]] = field(default_factory=list)
    back: set[str] = field(default_factory=set)  # documents removed here that come back
    lost: list[tuple[str, Any]] = field(default_factory=list)  # (id, last text removed there)
    unseen: set[str] = field(default_factory=set)  # removed there without seeing the text here
    latest: str = ""
    applied: int = 0


def stamp_of(record: dict[str, Any]) -> Stamp:
    """The latest write of a record: the order records are applied in."""
    if "x" in record:
        return tuple(record["x"])  # type: ignore[return-value]
    return max((v[0], v[1]) for v in record["f"].values())


def set_applying(conn: sqlite3.Connection, on: bool) -> None:
    conn.execute("UPDATE sync_clock SET applying = ?", (int(on),))


def _exists(conn: sqlite3.Connection, tbl: str, row_id: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {tbl} WHERE id = ?", (row_id,)).fetchone() is not None


def _write(conn: sqlite3.Connection, plan: Plan, tbl: str, row_id: str,
           values: dict[str, Any], insert: bool) -> None:
    """INSERT or UPDATE one row; a live path that is taken is parked (see module doc)."""
    if tbl == "artifacts" and "content" in values:
        values = _packed(conn, row_id, values)
    for attempt in (0, 1):
        cols = list(values)
        try:
            if insert:
                conn.execute(f"INSERT INTO {tbl} ({', '.join(cols)}) VALUES"
                             f" ({', '.join('?' * len(cols))})", [values[c] for c in cols])
            else:
                conn.execute(f"UPDATE {tbl} SET {', '.join(c + ' = ?' for c in cols)}"
                             " WHERE id = ?", [*(values[c] for c in cols), row_id])
            return
        except sqlite3.IntegrityError as exc:
            if attempt or "UNIQUE" not in str(exc) or tbl not in ("artifacts", "folders"):
                raise
        path = values.get("path")
        if path is None:
            path = conn.execute(f"SELECT path FROM {tbl} WHERE id = ?", (row_id,)).fetchone()[0]
        plan.parked.append((tbl, row_id, path))
        values = {**values, "path": f"{path}{PARKED}{row_id}"}


def _packed(conn: sqlite3.Connection, row_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Synced text travels plain; it is stored as the engine stores it (pylib.textstore)."""
    kind = values.get("kind")
    if kind is None:
        row = conn.execute("SELECT kind FROM artifacts WHERE id = ?", (row_id,)).fetchone()
        kind = row[0] if row else None
    content, codec = values["content"], None
    if content is not None:
        content, codec = textstore.encode(conn, to_bytes(content), kind)
    return {**values, "content": content, "content_codec": codec}


def _insert_version(conn: sqlite3.Connection, values: dict[str, Any], row_id: str) -> None:
    seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM artifact_versions"
                       " WHERE artifact_id = ?", (values["artifact_id"],)).fetchone()[0]
    cols = ["id", "seq", "storage", *values]
    conn.execute(f"INSERT INTO artifact_versions ({', '.join(cols)}) VALUES"
                 f" ({', '.join('?' * len(cols))})", [row_id, seq, "full", *values.values()])


def _remove(conn: sqlite3.Connection, plan: Plan, record: dict[str, Any]) -> None:
    key = (record["t"], record["id"])
    mine = plan.pending.get(key)
    of = record.get("of") if isinstance(record.get("of"), str) else None
    owner = None
    if record["t"] == "artifact_versions":  # the history of a document kept alive stays
        owner = conn.execute("SELECT artifact_id FROM artifact_versions WHERE id = ?",
                             (record["id"],)).fetchone()
        of = owner[0] if owner else of
        mine = plan.pending.get(("artifacts", of)) if of else None
    # Changed here while removed there, or holding a text the removal never saw: the edit wins.
    if (mine and "-" not in mine) or (of or record["id"]) in plan.unseen:
        if "last" in record:  # and the text removed there comes back as a version
            plan.lost.append((of or record["id"], record["last"]))
        if record["t"] != "artifact_versions" or owner:
            plan.revive.append(key)
            if record["t"] == "artifacts":  # sent again whole, with its history: the remover
                plan.revive += [("artifact_versions", v) for (v,) in conn.execute(  # dropped it
                    "SELECT id FROM artifact_versions WHERE artifact_id = ?", (record["id"],))]
            return  # (a version never sent before is not here to keep: only its text)
    conn.execute(f"DELETE FROM {record['t']} WHERE id = ?", (record["id"],))
    outbox.tombstone(conn, record["t"], record["id"], record["x"])
    if record["t"] in outbox.KEPT_TABLES and "last" in record and not mine:  # a bystander
        kept.remember(conn, record["id"], record["last"], now_ms(), of)


def _current_hash(conn: sqlite3.Connection, row_id: str) -> str | None:
    row = conn.execute("SELECT hash FROM artifacts WHERE id = ?", (row_id,)).fetchone()
    return row[0] if row else None


def _unseen(conn: sqlite3.Connection, record: dict[str, Any]) -> bool:
    """Whether ``record`` holds a write later than what this row last held here."""
    held = outbox.clocks(conn, record["t"], record["id"])
    for group, (hlc, device, _, _) in record["f"].items():
        seen = held.get(group)
        if later((hlc, device), tuple(seen.split(" ")) if seen else None):
            return True
    return False


def _removed_here(conn: sqlite3.Connection, plan: Plan, record: dict[str, Any],
                  values: dict[str, Any]) -> bool:
    """True if this device removed the row since every write ``record`` holds (not yet
    pushed): a snapshot lists rows as they were, and must not bring back what was removed
    here since. A version follows its document: it comes back if the document does."""
    if record["t"] == "artifact_versions" and \
            "-" in plan.pending.get(("artifacts", values["artifact_id"]), {}):
        return values["artifact_id"] not in plan.back
    if "-" not in plan.pending.get((record["t"], record["id"]), {}):
        return False
    return not _unseen(conn, record)


def _insert(conn: sqlite3.Connection, plan: Plan, record: dict[str, Any]) -> None:
    tbl, row_id = record["t"], record["id"]
    table = TABLES[tbl]
    if set(record["f"]) != set(table.groups):
        return  # a change to a row this device removed (or never had): nothing to change
    values: dict[str, Any] = {}
    for group, cols in table.groups.items():
        values.update(zip(cols, record["f"][group][2]))
    if _removed_here(conn, plan, record, values):
        return
    if tbl == "artifact_versions":
        _insert_version(conn, values, row_id)
    else:
        _write(conn, plan, tbl, row_id, {"id": row_id, **values}, insert=True)
    clocks = {g: f"{v[0]} {v[1]}" for g, v in record["f"].items()}
    if tbl == "artifacts" and record["f"]["trash"][3] is not None:
        clocks["trash@base"] = record["f"]["trash"][3]
    outbox.set_clocks(conn, tbl, row_id, clocks)
    plan.inserted.append((tbl, row_id))


def _update(conn: sqlite3.Connection, plan: Plan, record: dict[str, Any]) -> None:
    tbl, row_id = record["t"], record["id"]
    table = TABLES[tbl]
    if table.write_once:
        return
    mine = plan.pending.get((tbl, row_id), {})
    clocks = outbox.clocks(conn, tbl, row_id)
    changed: dict[str, str] = {}
    for group in table.groups:
        if group not in record["f"]:
            continue
        hlc, device, values, base = record["f"][group]
        if group in mine:
            if tbl == "artifacts" and group == "content":
                plan.merges.append((row_id, values, base))
            continue
        held = clocks.get(group)
        if not later((hlc, device), tuple(held.split(" ")) if held else None):
            continue
        if (tbl == "artifacts" and group == "trash" and values[0] is not None
                and base is not None and base != _current_hash(conn, row_id)):
            plan.keep_alive.append((row_id, values[1]))  # trashed unseen text: edit wins
            continue
        _write(conn, plan, tbl, row_id, dict(zip(table.groups[group], values)), insert=False)
        changed[group] = f"{hlc} {device}"
        if tbl == "artifacts" and group == "trash":
            changed["trash@base"] = base or ""
        if tbl == "artifacts" and group == "content":
            plan.content.append(row_id)
    if changed:
        outbox.set_clocks(conn, tbl, row_id, changed)


def _unseen_removals(conn: sqlite3.Connection, plan: Plan,
                     records: list[dict[str, Any]]) -> set[str]:
    """Documents removed for good elsewhere whose removal names a last text other than the one
    here: the removing device never saw this text (an edit sent before the removal arrived
    there), so the edit wins and the document stays, with its history."""
    found = set()
    for record in records:
        last = record.get("last")
        if record["t"] != "artifacts" or "x" not in record or not kept.valid(last) \
                or last[0] is None:
            continue
        if "-" in plan.pending.get(("artifacts", record["id"]), {}):
            continue  # removed here too
        here = _current_hash(conn, record["id"])
        if here is not None and here != last[0]:
            found.add(record["id"])
    return found


def apply_records(conn: sqlite3.Connection, plan: Plan, records: list[dict[str, Any]]) -> None:
    """Apply ``records`` (capture must be off); leaves the rest to the resolution step."""
    full = set(TABLES["artifacts"].groups)
    plan.back = {r["id"] for r in records if r["t"] == "artifacts" and "f" in r
                 and set(r["f"]) == full and "-" in plan.pending.get(("artifacts", r["id"]), {})
                 and _unseen(conn, r)}  # removed here, changed there since: it comes back
    plan.unseen = _unseen_removals(conn, plan, records)
    for record in sorted(records, key=stamp_of):
        stamp = stamp_of(record)
        plan.latest = max(plan.latest, stamp[0])
        if record["t"] not in TABLES:
            continue
        if "x" in record:
            _remove(conn, plan, record)
        elif _exists(conn, record["t"], record["id"]):
            _update(conn, plan, record)
        else:
            _insert(conn, plan, record)
        plan.applied += 1
