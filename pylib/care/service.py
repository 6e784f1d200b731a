"""The workspace-care calls the API serves (``care.*``), as plain functions of the workspace.

The page's idle scheduler asks :func:`status` what is ``due`` and runs it in steps: a cleanup
at most every :data:`CLEANUP_EVERY_MS` when the policy removes anything, a check every
:data:`~pylib.care.integrity.CHECK_EVERY_MS`, a compaction once a quarter of the file is free,
and training the short texts' zstd dictionary when enough of them exist
(:func:`pylib.care.dictionary.due`).
"""

from __future__ import annotations

import sqlite3

from typing import Any

from pylib import activity
from pylib.care import compact, dictionary, integrity, keep, retention, settings
from pylib.care.models import CleanupParams, RetentionChange
from pylib.care.settings import Retention
from pylib.db import Workspace
from pylib.errors import NotFound

CLEANUP_EVERY_MS = 6 * 3_600_000


def _changes(q: RetentionChange) -> dict[str, Any]:
    return q.model_dump(exclude_unset=True)


def get_settings(ws: Workspace) -> dict[str, Any]:
    policy = settings.retention(ws)
    return {"retention": policy, "description": policy.describe()}


def set_settings(ws: Workspace, q: RetentionChange) -> dict[str, Any]:
    policy = settings.set_retention(ws, _changes(q))
    return {"retention": policy, "description": policy.describe()}


def preview(ws: Workspace, q: RetentionChange) -> dict[str, Any]:
    """What the stored policy, or the stored one with ``q``'s changes, would free."""
    changes = _changes(q)
    policy = None
    if changes:
        policy = settings.validated({**settings.retention(ws).model_dump(), **changes})
    return retention.preview(ws, policy)


def _due(ws: Workspace, policy: Retention) -> list[str]:
    now = ws.clock()
    due = []
    last_check = settings.read(ws, "last_check") or {}
    if now - int(last_check.get("at", 0) or 0) >= integrity.CHECK_EVERY_MS:
        due.append("check")
    last_cleanup = settings.read(ws, "last_cleanup") or {}
    removes = policy.versions != "all" or policy.trash_days or policy.activity_days
    if removes and now - int(last_cleanup.get("at", 0) or 0) >= CLEANUP_EVERY_MS:
        due.append("cleanup")
    try:
        if dictionary.due(ws):
            due.append("dictionary")
    except sqlite3.DatabaseError:  # a damaged file: the check says so; the status still shows
        pass
    if compact.free_share(ws) >= compact.AUTO_SHARE:
        due.append("compact")
    return due


def status(ws: Workspace) -> dict[str, Any]:
    policy = settings.retention(ws)
    return {"retention": policy, "description": policy.describe(),
            "last_check": integrity.last(ws), "last_cleanup": settings.read(ws, "last_cleanup"),
            "last_compact": settings.read(ws, "last_compact"),
            "free_share": round(compact.free_share(ws), 4), "due": _due(ws, policy)}


def conflict_seen(ws: Workspace, artifact_id: str) -> dict[str, bool]:
    """The user looked at this document's conflict versions: retention may now remove them."""
    exists = ws.conn.execute("SELECT 1 FROM artifacts WHERE id = ?", (artifact_id,)).fetchone()
    if exists is None:
        raise NotFound("No such document.", id=artifact_id)
    if artifact_id not in keep.unseen_conflicts(ws):
        return {"seen": False}
    with ws.transaction():
        activity.log(ws, "CONFLICT_SEEN", {"artifact_id": artifact_id})
    return {"seen": True}


def cleanup(ws: Workspace, q: CleanupParams) -> dict[str, Any]:
    """One step of a cleanup under the stored policy, or of a folder's prune."""
    policy = None
    if q.keep_last is not None:
        policy = settings.retention(ws).model_copy(
            update={"versions": "last", "keep_last": q.keep_last})
    return retention.cleanup_step(ws, q.cursor, policy=policy, folder=q.folder)
