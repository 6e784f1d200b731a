"""Make artifact rows from a version-1 file consistent, then enforce one live artifact per path.

Version-1 files (the seed schema) may hold rows without hash or size, duplicate paths, and
artifacts whose parent folders have no row. This step fills hash/size from the content,
renames later duplicates to "name (2).ext", creates the missing parent folders and then adds
the unique index the engine relies on. The logic is frozen here on purpose: later changes to
the engine must not change what this step did.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import uuid


def apply(conn: sqlite3.Connection) -> None:
    now = time.time_ns() // 1_000_000
    _fill_hashes(conn)
    _rename_duplicates(conn, now)
    _create_parent_folders(conn, now)
    conn.execute(
        "CREATE UNIQUE INDEX idx_artifacts_live_path ON artifacts(path) WHERE deleted_at IS NULL"
    )


def _fill_hashes(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT id, content FROM artifacts"
        " WHERE content IS NOT NULL AND (hash IS NULL OR size_bytes IS NULL)"
    ).fetchall()
    for artifact_id, content in rows:
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        conn.execute(
            "UPDATE artifacts SET hash = ?, size_bytes = ? WHERE id = ?",
            (hashlib.sha256(data).hexdigest(), len(data), artifact_id),
        )


def _split_name(name: str) -> tuple[str, str]:
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:]


def _rename_duplicates(conn: sqlite3.Connection, now: int) -> None:
    rows = conn.execute(
        "SELECT id, path, name FROM artifacts WHERE deleted_at IS NULL ORDER BY created_at, id"
    ).fetchall()
    taken = {path for _, path, _ in rows}
    seen: set[str] = set()
    # The first free number for a (folder, stem, ext) only grows (`taken` only grows), so the
    # search resumes where it stopped last time: the same names as counting from 2 each time,
    # without the quadratic cost of thousands of duplicates of one path.
    resume: dict[tuple[str, str, str], int] = {}
    for artifact_id, path, name in rows:
        if path not in seen:
            seen.add(path)
            continue
        folder = path[: len(path) - len(name)] if name and path.endswith(name) else path + " "
        stem, ext = _split_name(name or "untitled")
        n = resume.get((folder, stem, ext), 2)
        while f"{folder}{stem} ({n}){ext}" in taken:
            n += 1
        resume[(folder, stem, ext)] = n + 1
        new_name = f"{stem} ({n}){ext}"
        new_path = f"{folder}{new_name}"
        taken.add(new_path)
        seen.add(new_path)
        conn.execute(
            "UPDATE artifacts SET path = ?, name = ?, updated_at = ? WHERE id = ?",
            (new_path, new_name, now, artifact_id),
        )


def _create_parent_folders(conn: sqlite3.Connection, now: int) -> None:
    paths = [p for (p,) in conn.execute("SELECT path FROM artifacts WHERE deleted_at IS NULL")]
    files = set(paths)
    existing = {p for (p,) in conn.execute("SELECT path FROM folders WHERE deleted_at IS NULL")}
    for path in paths:
        if not path.startswith("/"):
            continue  # Not a virtual path the engine could have written; leave it be.
        parts = path.split("/")[1:-1]
        for i in range(1, len(parts) + 1):
            folder = "/" + "/".join(parts[:i])
            if folder in existing or folder in files or not parts[i - 1]:
                continue
            existing.add(folder)
            conn.execute(
                "INSERT INTO folders (id, path, name, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (str(uuid.uuid4()), folder, parts[i - 1], now, now),
            )
