"""Applying the retention policy: a preview of what it frees, and cleanup in atomic steps.

A cleanup runs as resumable steps (:func:`cleanup_step`), each one transaction: old trash,
then old activity, then versions document by document (the documents after a cursor). A step
that fails leaves the workspace as it was before that step, and every step leaves a
consistent workspace, so the page runs them one after another while the user keeps typing
(its saves go in between) and can stop at any time.

Removing a version that another version is stored against (a reverse delta's base) first
re-encodes that version against the next version kept (:func:`pylib.version_store.rebase`). A
document whose versions cannot all be rebuilt is left untouched and reported.
"""

from __future__ import annotations

from typing import Any

from pylib import activity, trash, version_store, versions
from pylib.activity_text import format_bytes
from pylib.care import keep, settings
from pylib.care.settings import Retention
from pylib.db import Workspace
from pylib.errors import QuireError
from pylib.paths import normalize_folder

# Documents handled per step, and activity entries removed per step: a step takes well under
# a second on a slow machine, so a save waiting behind it waits little.
DOCS_PER_STEP = 50
ACTIONS_PER_STEP = 5000
# ... and a step stops after the document that takes its removals past this many versions.
VERSIONS_PER_STEP = 1000


def preview(ws: Workspace, policy: Retention | None = None,
            now: int | None = None) -> dict[str, Any]:
    """What a cleanup under ``policy`` (default: the stored one) would remove and free."""
    policy = policy or settings.retention(ws)
    now = ws.clock() if now is None else now
    protected = keep.unseen_conflicts(ws)
    gone = keep.removable_versions(ws.conn.execute(keep.version_rows()), policy, now, protected)
    version_bytes = sum(size for _, _, size in gone)
    units = keep.removable_trash(ws, policy, now)
    trash_bytes = _trash_bytes(ws, units)
    act = keep.activity_filter(ws, policy, now)
    act_count, act_bytes = (0, 0) if act is None else ws.conn.execute(
        f"SELECT count(*), coalesce(sum(length(payload)) + 40 * count(*), 0) FROM action_log"
        f" WHERE {act[0]}", act[1]).fetchone()
    total = version_bytes + trash_bytes + act_bytes
    documents = len({a for _, a, _ in gone})
    parts = [f"{_count(len(gone), 'version')} of {_count(documents, 'document')}",
             _count(len(units), "trashed item"), _count(act_count, "activity entry", "activity entries")]
    return {
        "frees_bytes": total, "versions": len(gone), "documents": documents,
        "version_bytes": version_bytes, "trash_items": len(units), "trash_bytes": trash_bytes,
        "activity": act_count, "activity_bytes": act_bytes, "policy": policy.describe(),
        "message": f"This frees {format_bytes(total)}: " + ", ".join(parts) + ".",
    }


def _count(n: int, one: str, many: str | None = None) -> str:
    """``1 version``, ``2 versions`` (``many``: an irregular plural)."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _trash_bytes(ws: Workspace, units: list[str]) -> int:
    total = 0
    for unit in units:
        total += ws.conn.execute(
            "SELECT coalesce(sum(coalesce(length(a.content), 0)"
            " + (SELECT coalesce(sum(length(v.content)), 0) FROM artifact_versions v"
            "    WHERE v.artifact_id = a.id)), 0) FROM artifacts a WHERE a.trash_id = ?",
            (unit,)).fetchone()[0]
    return total


def cleanup_step(ws: Workspace, cursor: str = "", *, policy: Retention | None = None,
                 docs: int = DOCS_PER_STEP, folder: str | None = None) -> dict[str, Any]:
    """One atomic step of a cleanup; pass the returned ``cursor`` back until ``done``.

    ``cursor`` "" starts a run with trash and activity ("a:" goes on with them); "v:<id>"
    goes on with the documents after ``<id>``. ``folder``: only the versions of documents in
    this folder (and below). Returns ``{done, cursor, progress, removed: {versions,
    trash_items, activity}, skipped: [{artifact_id, message}]}`` for this step; the last step
    writes one activity entry for the whole run and records ``last_cleanup``.
    """
    policy = policy or settings.retention(ws)
    now = ws.clock()
    removed = {"versions": 0, "trash_items": 0, "activity": 0}
    skipped: list[dict[str, str]] = []
    with ws.transaction():
        run = _run_totals(ws, cursor, folder)
        if cursor in ("", "a:") and folder is None:
            removed["trash_items"], more = _trash_and_activity(ws, policy, now, removed, run)
            if more:
                _add_to_run(ws, run, removed, skipped)
                return _result(ws, False, "a:", removed, skipped)
        after = cursor[2:] if cursor.startswith("v:") else ""
        ids = _documents_after(ws, after, docs, folder)
        last = ids[-1] if ids else after
        if ids and policy.versions != "all":
            removed["versions"], last = _prune_versions(ws, ids, policy, now, skipped, run)
        done = policy.versions == "all" or (len(ids) < docs and last == (ids[-1] if ids else after))
        next_cursor = "" if done else "v:" + last
        _add_to_run(ws, run, removed, skipped)
        if done:
            _finish_run(ws, run, folder, now)
    return _result(ws, done, next_cursor, removed, skipped)


def _run_totals(ws: Workspace, cursor: str, folder: str | None) -> dict[str, Any]:
    """What the steps of this run removed so far (a new run starts at cursor "")."""
    run = None if cursor == "" else settings.read(ws, "cleanup_run")
    if not isinstance(run, dict) or run.get("folder") != folder:
        run = {"folder": folder, "versions": 0, "trash_items": 0, "activity": 0,
               "freed_bytes": 0, "skipped": 0}
    return run


def _add_to_run(ws: Workspace, run: dict[str, Any], removed: dict[str, int],
                skipped: list[dict[str, str]]) -> None:
    for key, count in removed.items():
        run[key] = int(run.get(key, 0)) + count
    run["skipped"] = int(run.get("skipped", 0)) + len(skipped)
    settings.write(ws, "cleanup_run", run)


def _finish_run(ws: Workspace, run: dict[str, Any], folder: str | None, now: int) -> None:
    """One activity entry for the whole run (when it removed anything), not one per step."""
    settings.write(ws, "cleanup_run", None)
    if run["versions"] or run["trash_items"] or run["activity"]:
        activity.log(ws, "RETENTION_CLEANUP", {k: v for k, v in run.items() if v is not None})
    if folder is None:
        settings.write(ws, "last_cleanup", {"at": now})


def _documents_after(ws: Workspace, after: str, docs: int, folder: str | None) -> list[str]:
    if folder is None:
        return [i for (i,) in ws.conn.execute(
            "SELECT DISTINCT artifact_id FROM artifact_versions WHERE artifact_id > ?"
            " ORDER BY artifact_id LIMIT ?", (after, docs))]
    prefix = normalize_folder(folder).rstrip("/") + "/"
    return [i for (i,) in ws.conn.execute(
        "SELECT id FROM artifacts WHERE id > ? AND substr(path, 1, ?) = ? ORDER BY id LIMIT ?",
        (after, len(prefix), prefix, docs))]


def _result(ws: Workspace, done: bool, cursor: str, removed: dict[str, int],
            skipped: list[dict[str, str]]) -> dict[str, Any]:
    after = cursor[2:] if cursor.startswith("v:") else None
    if done:
        progress = 1.0
    elif after is None:
        progress = 0.0
    else:
        # Counted over the documents (a few thousand rows), not the versions (maybe 100,000).
        total, before = ws.conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE id <= ?) FROM artifacts", (after,)).fetchone()
        progress = before / total if total else 1.0
    return {"done": done, "cursor": cursor, "progress": round(progress, 4),
            "removed": removed, "skipped": skipped}


def _trash_and_activity(ws: Workspace, policy: Retention, now: int,
                        removed: dict[str, int], run: dict[str, Any]) -> tuple[int, bool]:
    units = keep.removable_trash(ws, policy, now)
    if units:
        run["freed_bytes"] += _trash_bytes(ws, units)
        trash.purge_units(ws, units)
    act = keep.activity_filter(ws, policy, now)
    more = False
    if act is not None:
        run["freed_bytes"] += ws.conn.execute(
            f"SELECT coalesce(sum(length(payload)) + 40 * count(*), 0) FROM (SELECT payload"
            f" FROM action_log WHERE {act[0]} LIMIT ?)", (*act[1], ACTIONS_PER_STEP)).fetchone()[0]
        removed["activity"] = ws.conn.execute(
            f"DELETE FROM action_log WHERE rowid IN (SELECT rowid FROM action_log"
            f" WHERE {act[0]} LIMIT ?)", (*act[1], ACTIONS_PER_STEP)).rowcount
        more = removed["activity"] == ACTIONS_PER_STEP
    return len(units), more


def _prune_versions(ws: Workspace, ids: list[str], policy: Retention, now: int,
                    skipped: list[dict[str, str]], run: dict[str, Any]) -> tuple[int, str]:
    """Prune the documents ``ids`` in order until :data:`VERSIONS_PER_STEP` versions are
    removed; returns ``(removed, the last document handled)``. Each document's versions are
    read by the (artifact_id, created_at, id) index when its turn comes, so no row is read
    twice."""
    protected = keep.unseen_conflicts(ws)
    sql = keep.version_rows("WHERE v.artifact_id = ?")
    count = 0
    for artifact_id in ids:
        remove = {vid for vid, _, _ in keep.removable_versions(
            ws.conn.execute(sql, (artifact_id,)), policy, now, protected)}
        if remove:
            try:
                before = _version_bytes(ws, artifact_id)
                count += prune_document(ws, artifact_id, remove)
                run["freed_bytes"] += before - _version_bytes(ws, artifact_id)
            except QuireError as exc:
                skipped.append({"artifact_id": artifact_id, "message": exc.message})
        if count >= VERSIONS_PER_STEP:
            return count, artifact_id
    return count, ids[-1]


def prune_document(ws: Workspace, artifact_id: str, remove: set[str]) -> int:
    """Remove these versions of one document (never its newest), re-encoding every kept
    version that was stored against a removed one. All rebuilding happens before anything
    is written, so a damaged version raises and leaves the document as it was."""
    rows = ws.conn.execute(
        "SELECT id, storage, base_id FROM artifact_versions WHERE artifact_id = ?"
        " ORDER BY seq", (artifact_id,)).fetchall()
    if not rows or rows[-1][0] in remove:
        remove = remove - {rows[-1][0]} if rows else remove
    kept = [r for r in rows if r[0] not in remove]
    plan = []
    for i, (vid, storage, base_id) in enumerate(kept):
        if storage == "delta" and base_id in remove:
            new_base = kept[i + 1][0] if i + 1 < len(kept) else None
            plan.append((vid, new_base))
    content = {}
    for vid, new_base in plan:
        for wanted in (vid, new_base):
            if wanted is not None and wanted not in content:
                content[wanted] = _bytes_of(ws, wanted)
    for vid, new_base in plan:
        version_store.rebase(ws, vid, content[vid], new_base,
                             content.get(new_base) if new_base else None)
    ws.conn.executemany("DELETE FROM artifact_versions WHERE id = ?", [(v,) for v in remove])
    return len(remove)


def _version_bytes(ws: Workspace, artifact_id: str) -> int:
    return ws.conn.execute("SELECT coalesce(sum(length(content)), 0) FROM artifact_versions"
                           " WHERE artifact_id = ?", (artifact_id,)).fetchone()[0]


def _bytes_of(ws: Workspace, version_id: str) -> bytes | None:
    try:
        return versions.content_of(ws, version_id)[1]
    except QuireError as exc:
        if exc.code == "version_unavailable":
            return None
        raise
