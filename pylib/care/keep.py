"""What retention must never remove, and which versions a policy would remove.

Never removed, whatever the policy: the newest version of each document, the one that
holds its current content (a conflict version may be newer), the one recorded last on this
device (a version synced from elsewhere may be older than this device's own), a conflict
version the user has not looked at yet (an ``IMPORT_CONFLICT`` or ``SYNC_CONFLICT`` action
with no later ``CONFLICT_SEEN`` for that document), and anything not yet uploaded (trash
holding a file in ``pending_uploads``, under a local name or in the device store's upload
queue; activity not yet synced once sync is in use).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any, Iterable

from pylib import jsondata, versions
from pylib.care.settings import DAILY_KEEPER_DAYS, DAY_MS, Retention
from pylib.db import Workspace

# Actions that protect something else: removing them would unprotect it.
KEPT_ACTIONS = ("IMPORT_CONFLICT", "SYNC_CONFLICT", "CONFLICT_SEEN")
CONFLICTS = ("IMPORT_CONFLICT", "SYNC_CONFLICT")  # their payloads name both sides' hashes


def unseen_conflicts(ws: Workspace) -> dict[str, set[str]]:
    """``{artifact_id: {hash, ...}}`` of both sides of every conflict not yet looked at."""
    seen: dict[str, int] = {}
    for ts, payload in ws.conn.execute(
            "SELECT timestamp, payload FROM action_log WHERE action_type = 'CONFLICT_SEEN'"):
        artifact_id = jsondata.load(payload, default={}).get("artifact_id")
        if isinstance(artifact_id, str):
            seen[artifact_id] = max(ts, seen.get(artifact_id, 0))
    found: dict[str, set[str]] = {}
    for ts, payload in ws.conn.execute(
            f"SELECT timestamp, payload FROM action_log WHERE action_type IN"
            f" ({', '.join('?' * len(CONFLICTS))})", CONFLICTS):
        body = jsondata.load(payload, default={})
        artifact_id = body.get("artifact_id") if isinstance(body, dict) else None
        if not isinstance(artifact_id, str) or seen.get(artifact_id, -1) >= ts:
            continue
        hashes = {h for h in (body.get("kept_hash"), body.get("other_hash")) if isinstance(h, str)}
        found.setdefault(artifact_id, set()).update(hashes)
    return found


def sync_in_use(ws: Workspace) -> bool:
    """Whether this workspace syncs (then unsynced activity must wait for its upload)."""
    return ws.conn.execute("SELECT EXISTS (SELECT 1 FROM sync_state)").fetchone()[0] == 1


# One row per version, each document's newest first as history lists them
# (pylib.versions.newest_first): (id, artifact_id, hash, bytes, created_at, seq, holds the
# current text). One document's rows come in the order of the (artifact_id, created_at, id)
# index; all of them, by document, each one's sorted as it comes. length() reads a BLOB's
# size from the record header, not the BLOB. Add a WHERE (on ``v.``) before ORDER BY with
# :func:`version_rows`.
def version_rows(where: str = "") -> str:
    """The statement listing versions for :func:`removable_versions` (``where``: a filter)."""
    return ("SELECT v.id, v.artifact_id, v.hash, length(v.content), v.created_at, v.seq,"
            f" {versions.holds_current()} FROM artifact_versions v JOIN artifacts a"
            f" ON a.id = v.artifact_id {where} ORDER BY v.artifact_id, {versions.newest_first('v')}")


def _ranked(rows: Iterable[tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
    """Each row with its rank in its document (1 = newest), its rank in its UTC day, and
    whether it must stay: the newest, the newest holding the current text (a conflict version
    may be newer), and the one recorded last on this device (what a save re-encodes next)."""
    for _, group in groupby(rows, key=lambda row: row[1]):
        doc = list(group)
        last = max(row[5] for row in doc)
        days: set[int] = set()
        current_seen = False
        for rank, (vid, artifact_id, hash_, size, created, seq, holds_current) in enumerate(doc, 1):
            day = created // DAY_MS
            day_rank = 2 if day in days else 1
            days.add(day)
            stays = rank == 1 or seq == last or (bool(holds_current) and not current_seen)
            current_seen = current_seen or bool(holds_current)
            yield vid, artifact_id, hash_, size, rank, day_rank, created, stays


def removable_versions(rows: Iterable[tuple[Any, ...]], policy: Retention, now: int,
                       protected: dict[str, set[str]]) -> list[tuple[str, str, int]]:
    """``(version_id, artifact_id, bytes)`` of the rows (:func:`version_rows`) the policy
    removes."""
    if policy.versions == "all":
        return []
    out = []
    fresh_after = now - policy.keep_days * DAY_MS
    daily_after = fresh_after - DAILY_KEEPER_DAYS * DAY_MS
    for vid, artifact_id, hash_, size, rank, day_rank, created, stays in _ranked(rows):
        if stays or hash_ in protected.get(artifact_id, ()):
            continue
        if policy.versions == "last":
            remove = rank > policy.keep_last
        else:
            remove = created < fresh_after and not (day_rank == 1 and created >= daily_after)
        if remove:
            out.append((vid, artifact_id, size or 0))
    return out


def removable_trash(ws: Workspace, policy: Retention, now: int) -> list[str]:
    """Trash units old enough to go, except those holding a file not yet uploaded (waiting in
    the SQLite file, under a local name, or queued in the device store)."""
    if policy.trash_days is None:
        return []
    cutoff = now - policy.trash_days * DAY_MS
    return [i for (i,) in ws.conn.execute(
        "SELECT t.id FROM trash t WHERE t.deleted_at < ? AND NOT EXISTS ("
        " SELECT 1 FROM artifacts a JOIN pending_uploads p ON p.artifact_id = a.id"
        " WHERE a.trash_id = t.id) AND NOT EXISTS (SELECT 1 FROM artifacts a JOIN local_files l"
        " ON l.sha256 = a.hash AND l.size_bytes = a.size_bytes WHERE a.trash_id = t.id)"
        " AND NOT EXISTS (SELECT 1 FROM artifacts a JOIN blobs b ON b.sha256 = a.hash"
        " AND b.size_bytes = a.size_bytes AND b.state = 'waiting' WHERE a.trash_id = t.id AND a.content IS NULL)"
        " ORDER BY t.deleted_at", (cutoff,))]


def activity_filter(ws: Workspace, policy: Retention, now: int) -> tuple[str, tuple] | None:
    """``(where, args)`` selecting the activity entries the policy removes, or ``None``."""
    if policy.activity_days is None:
        return None
    where = (f"timestamp < ? AND action_type NOT IN ({', '.join('?' for _ in KEPT_ACTIONS)})")
    if sync_in_use(ws):
        where += " AND synced = 1"
    return where, (now - policy.activity_days * DAY_MS, *KEPT_ACTIONS)
