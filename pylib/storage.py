"""Storage statistics: how big the workspace file is and what takes the space.

Browser-only figures (persistent storage granted, quota left) are added by the page; the
engine reports what the database knows.
"""

from __future__ import annotations

from pylib import migrations
from pylib.db import Workspace
from pylib.kinds import KINDS
from pylib.models import KindUsage, StorageStats, Usage, WorkspaceInfo


def _pragma(ws: Workspace, name: str) -> int:
    return int(ws.conn.execute(f"PRAGMA {name}").fetchone()[0])


def _usage(ws: Workspace, sql: str) -> Usage:
    count, size = ws.conn.execute(sql).fetchone()
    return Usage(count=count, bytes=size or 0)


def stats(ws: Workspace) -> StorageStats:
    """Database size (``page_count * page_size``) and a breakdown of what it holds."""
    page_size = _pragma(ws, "page_size")
    page_count = _pragma(ws, "page_count")
    by_kind = {
        kind: (count, size or 0)
        for kind, count, size in ws.conn.execute(
            "SELECT kind, count(*), sum(size_bytes) FROM artifacts"
            " WHERE deleted_at IS NULL GROUP BY kind"
        )
    }
    by_type = [
        KindUsage(kind=k, count=by_kind.get(k, (0, 0))[0], bytes=by_kind.get(k, (0, 0))[1])
        for k in KINDS
    ]
    # Anything a foreign or older file filed under an unknown kind still counts as "other".
    for kind, (count, size) in by_kind.items():
        if kind not in KINDS:
            by_type[-1].count += count
            by_type[-1].bytes += size
    return StorageStats(
        size_bytes=page_size * page_count,
        page_size=page_size,
        page_count=page_count,
        free_bytes=page_size * _pragma(ws, "freelist_count"),
        artifacts=Usage(count=sum(u.count for u in by_type), bytes=sum(u.bytes for u in by_type)),
        by_type=by_type,
        # What versions take on disk: deltas count their own size, not the text's.
        versions=_usage(ws, "SELECT count(*), sum(length(content)) FROM artifact_versions"),
        trashed=_usage(ws, "SELECT count(*), sum(size_bytes) FROM artifacts"
                           " WHERE trash_id IS NOT NULL"),
        trash_units=ws.conn.execute("SELECT count(*) FROM trash").fetchone()[0],
        pending_uploads=_usage(ws, "SELECT count(*), sum(size_bytes) FROM pending_uploads"),
        actions=ws.conn.execute("SELECT count(*) FROM action_log").fetchone()[0],
    )


def info(ws: Workspace) -> WorkspaceInfo:
    """A short summary for the page header: schema version, size, counts."""
    return WorkspaceInfo(
        schema_version=ws.schema_version(),
        latest_version=migrations.LATEST_VERSION,
        size_bytes=_pragma(ws, "page_size") * _pragma(ws, "page_count"),
        artifact_count=ws.conn.execute(
            "SELECT count(*) FROM artifacts WHERE deleted_at IS NULL").fetchone()[0],
        folder_count=ws.conn.execute(
            "SELECT count(*) FROM folders WHERE deleted_at IS NULL").fetchone()[0],
        commits=ws.commits,
    )
