"""Opening a workspace file and running write transactions.

A :class:`Workspace` wraps one ``sqlite3`` connection in autocommit mode; every write goes
through :meth:`Workspace.transaction` (``BEGIN IMMEDIATE`` ... ``COMMIT``). After each
committed transaction that changed rows, the ``on_commit`` callbacks run — the browser layer
uses them to persist the changed pages to IndexedDB — and :attr:`Workspace.commits` grows by
one, so a caller can tell whether a call wrote anything by comparing the counter.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from typing import Callable, Iterator

from pylib import migrations, textstore
from pylib.clock import now_ms
from pylib.errors import NotAWorkspace
from pylib.links import index as link_index

JOURNAL_MODES = frozenset({"DELETE", "TRUNCATE", "PERSIST", "MEMORY", "WAL", "OFF"})
SYNCHRONOUS_MODES = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})
_SQLITE_HEADER = b"SQLite format 3\x00"

CommitHook = Callable[["Workspace"], None]


class Workspace:
    """An open workspace database.

    ``conn`` is public for modules of the engine (and transfer); UI code goes through
    :mod:`pylib.api`. ``clock`` returns Unix milliseconds and can be replaced in tests.
    """

    def __init__(
        self, conn: sqlite3.Connection, path: str, clock: Callable[[], int] = now_ms
    ) -> None:
        self.conn = conn
        self.path = path
        self.clock = clock
        textstore.register(conn)  # whoever opened it: the engine's SQL reads packed text
        self.on_commit: list[CommitHook] = []
        self.commits = 0
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested uses join the outermost one.

        Commits on normal exit, rolls back on any exception. After a commit that changed at
        least one row, bumps :attr:`commits` and runs the ``on_commit`` callbacks in order.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        before = self.conn.total_changes
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._depth = 0
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        if self.conn.total_changes != before:
            self.commits += 1
            for hook in list(self.on_commit):
                hook(self)

    @property
    def in_transaction(self) -> bool:
        """True inside :meth:`transaction` (engine code asserts this before logging)."""
        return self._depth > 0

    def schema_version(self) -> int:
        """The file's ``PRAGMA user_version``."""
        return migrations.schema_version(self.conn)

    def close(self) -> None:
        """Close the connection; the workspace cannot be used afterwards."""
        self.conn.close()


def _check_header(path: str) -> None:
    """Refuse a non-SQLite file before SQLite opens it (its error would be cryptic)."""
    if path == ":memory:" or path.startswith("file:") or not os.path.exists(path):
        return
    with open(path, "rb") as fh:
        head = fh.read(len(_SQLITE_HEADER))
    if head and head != _SQLITE_HEADER:
        raise NotAWorkspace("That file is not a SQLite database.")


def connect(
    path: str, *, journal_mode: str | None = None, synchronous: str | None = None
) -> sqlite3.Connection:
    """Open ``path`` with the engine's pragmas, refusing a schema newer than the code.

    The version check happens before any pragma that could write (``journal_mode``), so a
    refused file is never touched.
    """
    if journal_mode is not None and journal_mode.upper() not in JOURNAL_MODES:
        raise ValueError(f"unknown journal mode {journal_mode!r}")
    if synchronous is not None and synchronous.upper() not in SYNCHRONOUS_MODES:
        raise ValueError(f"unknown synchronous mode {synchronous!r}")
    _check_header(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrations.check_version(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        # A new file gives free pages back in steps (pylib/care/compact.py); only an empty
        # database takes this setting, an existing one keeps its own.
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        # Never run functions from a file's own views/triggers with elevated trust.
        conn.execute("PRAGMA trusted_schema = OFF")
        # The plain text of compressed content, for the engine's own queries (never the
        # schema's: under trusted_schema = OFF no view or trigger may call it).
        textstore.register(conn)
        if journal_mode is not None:
            conn.execute(f"PRAGMA journal_mode = {journal_mode.upper()}").fetchone()
        if synchronous is not None:
            conn.execute(f"PRAGMA synchronous = {synchronous.upper()}")
    except BaseException:
        conn.close()
        raise
    return conn


def open_workspace(
    path: str,
    *,
    journal_mode: str | None = None,
    synchronous: str | None = None,
    backup_path: str | None = None,
    clock: Callable[[], int] = now_ms,
) -> Workspace:
    """Open (creating if missing) and migrate a workspace file.

    ``journal_mode``: e.g. ``"MEMORY"`` in the browser; ``None`` keeps SQLite's default.
    ``synchronous``: e.g. ``"OFF"`` where fsync buys nothing (the browser's in-memory file,
    whose durability comes from IndexedDB; throwaway test files); ``None`` keeps the default.
    ``backup_path``: keep the pre-migration copy in this file instead of in memory.
    Raises :class:`~pylib.errors.NotAWorkspace`, :class:`~pylib.errors.SchemaTooNew` or
    :class:`~pylib.errors.MigrationFailed`.
    """
    conn = connect(path, journal_mode=journal_mode, synchronous=synchronous)
    try:
        migrations.migrate(conn, backup_path=backup_path)
        link_index.ensure_built(conn)
    except BaseException:
        conn.close()
        raise
    return Workspace(conn, path, clock)
