"""Numbered schema migrations, tracked with ``PRAGMA user_version``.

Steps live next to this file as ``NNNN_name.sql`` (statements) or ``NNNN_name.py`` (a module
with ``apply(conn)``). They are found with :mod:`importlib.resources`, so they work from a
source tree, an installed wheel and inside Pyodide alike. Steps are never edited or renamed
once released; a change is a new step. Numbers increase but may skip one (two steps written
at the same time can land in either order); a step must never be numbered below one that
has already been released, since a workspace past that number would never run it.

Each step runs in one transaction together with its ``user_version`` bump. Before the first
pending step, a copy of the database is taken (:meth:`sqlite3.Connection.backup`, in memory or
into a file); if any step fails, the copy is written back so the file is exactly as it was.
A database newer than the code is refused before anything is written.
"""

from __future__ import annotations

import importlib
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from typing import Callable

from pylib.errors import MigrationFailed, NotAWorkspace, SchemaTooNew

# Python steps may ship as bytecode only (.pyc), as they do in the browser's wheel.
_STEP_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sql|py|pyc)$")


@dataclass(frozen=True)
class Migration:
    """One numbered step: either SQL text or a callable taking the connection."""

    version: int
    name: str
    sql: str | None = None
    apply: Callable[[sqlite3.Connection], None] | None = None


@dataclass(frozen=True)
class MigrationReport:
    """What :func:`migrate` did: the version before, the version after, the steps applied."""

    from_version: int
    to_version: int
    applied: tuple[str, ...]


def load_steps() -> list[Migration]:
    """All migration steps shipped with the engine, in version order."""
    steps: list[Migration] = []
    for entry in resources.files(__name__).iterdir():
        match = _STEP_NAME.match(entry.name)
        if not match:
            continue
        number, name, ext = match.groups()
        label = f"{number}_{name}"
        if ext == "sql":
            steps.append(Migration(int(number), label, sql=entry.read_text(encoding="utf-8")))
        else:
            module = importlib.import_module(f"{__name__}.{label}")
            steps.append(Migration(int(number), label, apply=module.apply))
    steps.sort(key=lambda s: s.version)
    _check_numbering(steps)
    return steps


def _check_numbering(steps: list[Migration]) -> None:
    previous = 0
    for step in steps:
        if step.version <= previous:
            raise RuntimeError(f"two migration steps share number {step.version}: {step.name}")
        previous = step.version


STEPS: list[Migration] = load_steps()
LATEST_VERSION: int = STEPS[-1].version


def steps_to(version: int) -> list[Migration]:
    """The steps that bring an empty database to schema ``version`` (numbers may skip one,
    so this is not ``STEPS[:version]``)."""
    return [step for step in STEPS if step.version <= version]


def schema_version(conn: sqlite3.Connection) -> int:
    """The database's ``PRAGMA user_version``."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_version(conn: sqlite3.Connection, latest: int = LATEST_VERSION) -> int:
    """Return the schema version, or raise if the file is unusable by this code.

    Raises :class:`SchemaTooNew` for a newer schema and :class:`NotAWorkspace` for a
    non-empty database that never had a Quire schema. Reads only.
    """
    try:
        version = schema_version(conn)
        has_tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise NotAWorkspace(f"That file is not a SQLite database ({exc}).") from exc
    if version > latest:
        raise SchemaTooNew(
            f"This workspace has schema version {version}; this Quire understands up to "
            f"{latest}. Update Quire to open it. The file was not changed.",
            schema_version=version,
            supported=latest,
        )
    if version == 0 and has_tables:
        raise NotAWorkspace("That SQLite file is not a Quire workspace (no schema version).")
    return version


def migrate(
    conn: sqlite3.Connection,
    *,
    steps: list[Migration] | None = None,
    backup_path: str | None = None,
) -> MigrationReport:
    """Bring ``conn`` up to the latest version, all or nothing.

    ``conn`` must be in autocommit mode (``isolation_level=None``) with no open transaction.
    ``backup_path``: where to keep the pre-migration copy (a file that is left in place as a
    safety net); by default the copy lives in memory only. Raises :class:`SchemaTooNew`,
    :class:`NotAWorkspace` or :class:`MigrationFailed` (after restoring the copy).
    """
    steps = STEPS if steps is None else steps
    latest = steps[-1].version if steps else 0
    current = check_version(conn, latest)
    pending = [s for s in steps if s.version > current]
    if not pending:
        return MigrationReport(current, current, ())
    copy = sqlite3.connect(backup_path or ":memory:")
    try:
        conn.backup(copy)
        applied: list[str] = []
        try:
            for step in pending:
                _apply_step(conn, step)
                applied.append(step.name)
        except Exception as exc:
            copy.backup(conn)
            raise MigrationFailed(
                f"Upgrading the workspace failed at step {step.name} ({exc}); "
                f"it was restored to schema version {current}.",
                step=step.name,
            ) from exc
    finally:
        copy.close()
    return MigrationReport(current, pending[-1].version, tuple(applied))


def _apply_step(conn: sqlite3.Connection, step: Migration) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        if step.sql is not None:
            for statement in split_statements(step.sql):
                conn.execute(statement)
        if step.apply is not None:
            step.apply(conn)
        # PRAGMA takes no parameters; the version is an int from our own step list.
        conn.execute(f"PRAGMA user_version = {int(step.version)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def split_statements(sql: str) -> list[str]:
    """Split a script into complete statements (so they run inside our own transaction;
    ``executescript`` would commit first)."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    leftover = "\n".join(
        ln for ln in buffer.splitlines() if ln.strip() and not ln.strip().startswith("--")
    )
    if leftover:
        raise ValueError(f"incomplete SQL statement at end of migration: {leftover[:80]!r}")
    return statements


def create_fresh(path: str = ":memory:") -> sqlite3.Connection:
    """A new database at the latest schema version (autocommit mode, foreign keys on).

    Import validation compares foreign files against this reference.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    migrate(conn)
    return conn


def schema_objects(conn: sqlite3.Connection) -> dict[tuple[str, str], str | None]:
    """The schema as ``{(type, name): sql}`` for every table, index, trigger and view."""
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return {(t, n): s for t, n, s in rows}
