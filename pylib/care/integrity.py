"""Checking a workspace: SQLite's ``quick_check`` and the engine's own invariants.

Each check is independent and reports problems instead of raising, so one kind of damage
never hides another (a malformed page makes some queries fail: that failure is a problem
too). The result — ``{ok, at, ms, problems: [{check, message, ...}], checks: [...]}`` — is
stored as ``last_check`` when the file still takes a write, for the storage view.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any, Callable

from pylib import compress, jsondata, textstore, versions
from pylib.care import chains, settings
from pylib.content import digest, to_bytes
from pylib.db import Workspace

MAX_PROBLEMS = 100
# Run in the background when the last check is older than this (the page's idle scheduler).
CHECK_EVERY_MS = 3 * settings.DAY_MS

Problem = dict[str, Any]


def _quick_check(conn: sqlite3.Connection) -> list[Problem]:
    rows = [r[0] for r in conn.execute("PRAGMA quick_check(50)")]
    return [] if rows == ["ok"] else [{"message": r} for r in rows]


def _foreign_keys(conn: sqlite3.Connection) -> list[Problem]:
    return [{"message": f"a row of {t} (rowid {rowid}) refers to a missing row of {parent}",
             "table": t} for t, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")]


def _live_paths(conn: sqlite3.Connection) -> list[Problem]:
    return [{"message": f"{n} live items share the path {path}", "path": path}
            for path, n in conn.execute(
                "SELECT path, count(*) FROM (SELECT path FROM artifacts WHERE deleted_at IS NULL"
                " UNION ALL SELECT path FROM folders WHERE deleted_at IS NULL)"
                " GROUP BY path HAVING count(*) > 1")]


def _version_links(conn: sqlite3.Connection) -> list[Problem]:
    orphans = [{"message": "a version belongs to no document", "version_id": v,
                "artifact_id": a} for v, a in conn.execute(
        "SELECT v.id, v.artifact_id FROM artifact_versions v WHERE NOT EXISTS"
        " (SELECT 1 FROM artifacts a WHERE a.id = v.artifact_id)")]
    bases = [{"message": "a version is stored against a version that is missing",
              "version_id": v, "artifact_id": a} for v, a in conn.execute(
        "SELECT v.id, v.artifact_id FROM artifact_versions v WHERE v.storage = 'delta'"
        " AND NOT EXISTS (SELECT 1 FROM artifact_versions b WHERE b.id = v.base_id"
        " AND b.artifact_id = v.artifact_id)")]
    # The current content is in history: some version other than a conflict version has its
    # hash. Not "the newest": a merge keeps the other side's text as a conflict version after
    # it, and a version synced from elsewhere may be recorded after this device's own.
    current = [{"message": "no version holds the current content",
                "artifact_id": a, "path": p} for a, p in conn.execute(
        "SELECT a.id, a.path FROM artifacts a WHERE a.hash IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM artifact_versions v WHERE v.artifact_id = a.id"
        " AND v.hash IS NOT NULL)"
        " AND NOT EXISTS (SELECT 1 FROM artifact_versions v WHERE v.artifact_id = a.id"
        f" AND {versions.holds_current()})")]
    return orphans + bases + current


def _blobs(conn: sqlite3.Connection) -> list[Problem]:
    """Every artifact's bytes can be found: inline, waiting to upload (inside the file, or on
    this device until the key names it), or in S3; and the bytes kept here match the recorded
    hash."""
    problems = [{"message": "the content of this document cannot be found", "artifact_id": a,
                 "path": p} for a, p in conn.execute(
        "SELECT id, path FROM artifacts a WHERE content IS NULL AND coalesce(size_bytes, 0) > 0"
        " AND s3_key IS NULL AND id NOT IN (SELECT artifact_id FROM pending_uploads p"
        " WHERE p.hash = a.hash AND p.size_bytes = a.size_bytes)"
        " AND NOT EXISTS (SELECT 1 FROM local_files l WHERE l.sha256 = a.hash AND l.size_bytes = a.size_bytes)")]
    for artifact_id, path, content, codec, hash_ in conn.execute(
            "SELECT a.id, a.path, coalesce(a.content, p.data), iif(a.content IS NULL, NULL,"
            " a.content_codec), coalesce(p.hash, a.hash)"
            " FROM artifacts a LEFT JOIN pending_uploads p ON p.artifact_id = a.id"
            " WHERE a.hash IS NOT NULL AND (a.content IS NOT NULL OR p.data IS NOT NULL)"):
        try:
            data = textstore.unpack(conn, content, codec)
        except compress.CompressedDataError as exc:
            problems.append({"message": f"the stored text of this document is damaged ({exc})",
                             "artifact_id": artifact_id, "path": path})
            continue
        if digest(to_bytes(data)) != hash_:
            problems.append({"message": "the content does not match its recorded hash",
                             "artifact_id": artifact_id, "path": path})
    return problems


def _history(conn: sqlite3.Connection) -> list[Problem]:
    """Every version of every document is rebuilt (its chain of deltas applied) and matches
    its recorded hash; each one that does not is named with its document."""
    problems: list[Problem] = []
    for artifact_id, path in chains.documents(conn):
        for version in chains.rebuild_all(conn, artifact_id):
            if version.data is None:
                problems.append({"message": chains.describe(path, version),
                                 "artifact_id": artifact_id, "path": path,
                                 "version_id": version.version_id, "version": version.number})
    return problems


CHECKS: tuple[tuple[str, Callable[[sqlite3.Connection], list[Problem]]], ...] = (
    ("quick_check", _quick_check),
    ("foreign_keys", _foreign_keys),
    ("live_paths", _live_paths),
    ("versions", _version_links),
    ("history", _history),
    ("blobs", _blobs),
)


def run_checks(conn: sqlite3.Connection) -> list[Problem]:
    """Every problem each check finds on ``conn`` (a workspace at the latest schema, with
    ``quire_text`` registered), ``[{check, message, ...}]``; reads only."""
    problems: list[Problem] = []
    for name, run in CHECKS:
        try:
            found = run(conn)
        except sqlite3.DatabaseError as exc:
            found = [{"message": f"the check could not read the file ({exc})"}]
        problems += [{"check": name, **p} for p in found]
    return problems


def check(ws: Workspace, *, record: bool = True) -> dict[str, Any]:
    """Run every check; with ``record``, store the result as ``last_check`` (if the file still
    takes a write: a damaged one may not)."""
    started = time.perf_counter()
    problems = run_checks(ws.conn)
    result = {"ok": not problems, "at": ws.clock(),
              "ms": round((time.perf_counter() - started) * 1000, 1),
              "problems": problems[:MAX_PROBLEMS], "problem_count": len(problems),
              "checks": [name for name, _ in CHECKS]}
    if record:
        try:
            settings.write(ws, "last_check", _stored(result))
        except sqlite3.DatabaseError:
            result["recorded"] = False
    return result


def _stored(result: dict[str, Any]) -> dict[str, Any]:
    """The result, small enough for its settings row (at most 20 problems kept)."""
    kept = {**result, "problems": result["problems"][:20]}
    return jsondata.load(jsondata.dump(kept), default=kept)


def last(ws: Workspace) -> dict[str, Any] | None:
    """The stored result of the last check, or ``None`` if none ever ran."""
    try:
        value = settings.read(ws, "last_check")
    except sqlite3.DatabaseError:
        return None
    return value if isinstance(value, dict) else None
