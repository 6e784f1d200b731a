"""Import: replace the workspace with a file, or merge a file into it — all or nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from pylib import activity
from pylib.blobs.replaced import carry
from pylib.clock import now_ms
from pylib.db import Workspace
from pylib.errors import InvalidImport, InvalidParams, InvalidState, MigrationFailed
from pylib.transfer.copy import rebuild
from pylib.transfer.export import export_filename, export_workspace
from pylib.transfer.merge import merge_into
from pylib.transfer.models import ImportResult, ImportSummary
from pylib.transfer.validate import DEFAULT_MAX_BYTES, Inspected, inspect


def _workspace(target: Workspace | sqlite3.Connection) -> Workspace:
    if isinstance(target, Workspace):
        return target
    return Workspace(target, "")


def _announce_commit(ws: Workspace) -> None:
    """Tell the commit hooks about a write made outside :meth:`Workspace.transaction`.

    The backup API replaces the database in one step of its own, so the hooks that persist
    changed pages (IndexedDB in the browser) are run here, exactly as after a transaction.
    """
    ws.commits += 1
    for hook in list(ws.on_commit):
        hook(ws)


def rebuilt(found: Inspected, page_size: int, now: int) -> sqlite3.Connection:
    """:func:`~pylib.transfer.copy.rebuild`, with a failed upgrade reported as a refused file."""
    try:
        return rebuild(found, page_size, now)
    except MigrationFailed as exc:
        raise InvalidImport(f"Upgrading the file failed ({exc.message}).",
                            reason="migration_failed") from exc
    except sqlite3.DatabaseError as exc:
        raise InvalidImport(f"The file's rows do not fit Quire's schema ({exc}).",
                            reason="rejected_rows") from exc


def _replace(ws: Workspace, found: Inspected) -> ImportResult:
    backup = export_workspace(ws.conn)
    page_size = ws.conn.execute("PRAGMA page_size").fetchone()[0]
    fresh = rebuilt(found, page_size, ws.clock())
    try:
        # The log row is written into the new database so it lands in the same single step.
        staged = Workspace(fresh, ":memory:", clock=ws.clock)
        with staged.transaction():
            activity.log(staged, "WORKSPACE_IMPORT", {
                "mode": "replace", "schema_version": found.summary.schema_version,
                "size_bytes": found.summary.size_bytes, "tables": found.summary.tables,
                "backup_size_bytes": len(backup)})
            carry(ws.conn, fresh)  # what this device holds is not the file's to replace
        # One backup step (all pages) runs in a single write transaction on the workspace:
        # either every page is replaced or, on any error, none is.
        fresh.backup(ws.conn)
    finally:
        fresh.close()
    _announce_commit(ws)
    return ImportResult(mode="replace", summary=found.summary, backup=backup,
                        backup_name=export_filename(ws.clock()).replace(
                            "workspace-", "workspace-backup-"))


def _merge(ws: Workspace, found: Inspected) -> ImportResult:
    fresh = rebuilt(found, 0, ws.clock())
    try:
        counts, conflicts = merge_into(ws, fresh, found.summary)
    finally:
        fresh.close()
    return ImportResult(mode="merge", summary=found.summary, merged=counts, conflicts=conflicts)


def import_workspace(target: Workspace | sqlite3.Connection, data: bytes, mode: str = "replace",
                     *, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportResult:
    """Import a workspace file into ``target`` (a :class:`Workspace` or its connection).

    ``mode="replace"``: the workspace becomes the file's content (upgraded to the latest schema
    by our migrations, rows copied column by column into a database Quire built). An export of
    the workspace as it was is returned in ``result.backup`` for the UI to offer as a download.
    ``mode="merge"``: the file is merged in (see :mod:`pylib.transfer.merge_artifacts` for the
    conflict rule); conflicts are listed in ``result.conflicts``.

    Both modes validate first (the checks of :func:`validate_import`), write one
    ``WORKSPACE_IMPORT`` action, and are all or nothing: on any error the workspace is left
    byte for byte as it was. Raises :class:`InvalidImport`, :class:`SchemaTooNew`,
    :class:`InvalidParams` (unknown mode) or :class:`InvalidState` (inside a transaction).
    """
    if mode not in ("replace", "merge"):
        raise InvalidParams("mode must be 'replace' or 'merge'.", mode=mode)
    ws = _workspace(target)
    if ws.in_transaction or ws.conn.in_transaction:
        raise InvalidState("An import cannot run inside another transaction.")
    with inspect(data, max_bytes) as found:
        if mode == "replace":
            return _replace(ws, found)
        return _merge(ws, found)


def validate_import(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportSummary:
    """Check that ``data`` is a Quire workspace that can be imported; return what is inside.

    Exactly the import's own checks, up to and including rebuilding (and upgrading) the rows
    in a private database — everything but touching the workspace, which it never does. So
    a file passes here if and only if the import accepts it. Raises
    :class:`~pylib.errors.InvalidImport` (code ``invalid_import``; ``details["reason"]`` says
    which check failed: empty, not_sqlite, truncated, too_large, wal_mode, corrupt,
    hostile_trigger, hostile_view, unknown_table, missing_table, altered_table, wrong_columns,
    bad_row (with ``table``, ``row``, ``column``, ``rule``), bad_tree, dangling_references,
    migration_failed, ...) or :class:`~pylib.errors.SchemaTooNew` (code ``schema_too_new``).
    An older schema version is accepted: ``summary.migrated`` is true and the import upgrades
    a copy with Quire's own migrations.
    """
    with checked(data, max_bytes) as found:
        return found.summary


@contextmanager
def checked(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Inspected]:
    """``data`` validated exactly as :func:`validate_import` does, yielded open privately
    (read-only; closed on exit) for callers that report on it, such as ``quire check``."""
    with inspect(data, max_bytes) as found:
        rebuilt(found, 0, now_ms()).close()
        yield found


def describe(summary: ImportSummary) -> str:
    """A one-line, human description of a validated file (for confirmations and the CLI)."""
    rows = ", ".join(f"{n} {t}" for t, n in summary.tables.items() if n)
    upgrade = f", will be upgraded from schema {summary.schema_version}" if summary.migrated else ""
    return f"Quire workspace, {summary.size_bytes:,} bytes{upgrade}: {rows or 'empty'}."
