"""Where the space goes: per top-level folder and per part of the workspace.

Sizes are the bytes SQLite stores for each value (``length()`` of content, deltas, payloads),
read from record headers, not by loading the values; the file also holds B-tree overhead and
free pages, so the parts add up to a little less than the file (the view shows both).
"""

from __future__ import annotations

from typing import Any

from pylib.db import Workspace

# The top-level folder of a path ('/' for items at the root).
_TOP = ("CASE WHEN instr(substr(a.path, 2), '/') > 0"
        " THEN substr(a.path, 1, instr(substr(a.path, 2), '/')) ELSE '/' END")

_BY_FOLDER = f"""
SELECT folder, count(*), sum(doc_bytes), sum(file_bytes), sum(ver_count), sum(ver_bytes)
FROM (SELECT {_TOP} AS folder,
             CASE WHEN a.kind IN ('markdown', 'text', 'code') THEN coalesce(length(a.content), 0)
                  ELSE 0 END AS doc_bytes,
             CASE WHEN a.kind IN ('markdown', 'text', 'code') THEN coalesce(length(p.data), 0)
                  ELSE coalesce(length(a.content), 0) + coalesce(length(p.data), 0)
             END AS file_bytes,
             (SELECT count(*) FROM artifact_versions v WHERE v.artifact_id = a.id) AS ver_count,
             (SELECT coalesce(sum(length(v.content)), 0) FROM artifact_versions v
               WHERE v.artifact_id = a.id) AS ver_bytes
      FROM artifacts a LEFT JOIN pending_uploads p ON p.artifact_id = a.id
      WHERE a.deleted_at IS NULL)
GROUP BY folder ORDER BY folder
"""


def _one(ws: Workspace, sql: str) -> tuple[int, int]:
    count, size = ws.conn.execute(sql).fetchone()
    return int(count or 0), int(size or 0)


def breakdown(ws: Workspace) -> dict[str, Any]:
    """``{file_bytes, free_bytes, parts: [{part, count, bytes}], folders: [{folder, items,
    documents, files, versions, version_bytes}]}``."""
    folders = [{"folder": f, "items": n, "documents": d or 0, "files": fb or 0,
                "versions": vc or 0, "version_bytes": vb or 0}
               for f, n, d, fb, vc, vb in ws.conn.execute(_BY_FOLDER)]
    parts = {
        "documents": sum(f["documents"] for f in folders),
        "files": sum(f["files"] for f in folders),
        "versions": sum(f["version_bytes"] for f in folders),
    }
    docs, items = ws.conn.execute(
        "SELECT count(*) FILTER (WHERE kind IN ('markdown', 'text', 'code')), count(*)"
        " FROM artifacts WHERE deleted_at IS NULL").fetchone()
    counts = {"documents": docs, "files": items - docs,
              "versions": sum(f["versions"] for f in folders)}
    counts["trash"], parts["trash"] = _one(ws, (
        "SELECT count(*), sum(coalesce(length(a.content), 0) + coalesce(length(p.data), 0)"
        " + (SELECT coalesce(sum(length(v.content)), 0) FROM artifact_versions v"
        " WHERE v.artifact_id = a.id)) FROM artifacts a"
        " LEFT JOIN pending_uploads p ON p.artifact_id = a.id WHERE a.deleted_at IS NOT NULL"))
    counts["search_index"], parts["search_index"] = _one(ws, (
        "SELECT (SELECT count(*) FROM search_map),"
        " (SELECT coalesce(sum(length(block)), 0) FROM search_data)"
        " + (SELECT coalesce(sum(length(sz)), 0) FROM search_docsize)"
        " + (SELECT count(*) * 16 FROM search_idx)"))
    counts["activity"], parts["activity"] = _one(ws, (
        "SELECT count(*), sum(length(payload) + length(id) + length(action_type) + 16)"
        " FROM action_log"))
    page_size = ws.conn.execute("PRAGMA page_size").fetchone()[0]
    return {
        "file_bytes": page_size * ws.conn.execute("PRAGMA page_count").fetchone()[0],
        "free_bytes": page_size * ws.conn.execute("PRAGMA freelist_count").fetchone()[0],
        "parts": [{"part": k, "count": counts[k], "bytes": v} for k, v in parts.items()],
        "folders": folders,
    }
