"""Validating an imported file without trusting it and without touching the workspace.

Order matters: the raw header is checked first (so garbage never reaches SQLite), then the
bytes are deserialized into a private in-memory connection with ``trusted_schema=OFF``,
``query_only=1`` and ``cell_size_check=ON``; ``sqlite_master`` is compared with our own schema
before any table is read, and only then does ``integrity_check`` run and rows get counted.
Nothing the file defines (trigger, view, virtual table, default) is ever executed. Every entry
point that takes a file — import (replace, merge), ``transfer.validate``, ``quire check``,
``quire migrate`` — starts with :func:`inspect` and goes on to
:func:`pylib.transfer.copy.rebuild`, which holds every row to :mod:`pylib.rows` as it copies it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pylib import migrations
from pylib.errors import InvalidImport, QuireError, SchemaTooNew
from pylib.transfer.header import Header, read_header
from pylib.transfer.models import ImportSummary
from pylib.transfer.schema import Reference, check_schema

DEFAULT_MAX_BYTES = 1 << 30  # 1 GiB
_INTEGRITY_MESSAGES = 5


@dataclass
class Inspected:
    """A validated file, open privately: its connection, header, schema reference, summary."""

    conn: sqlite3.Connection
    header: Header
    reference: Reference
    summary: ImportSummary


def _schema_version(data: bytes) -> int:
    """``user_version`` straight from the header (offset 60), so a refusal opens nothing."""
    version = int.from_bytes(data[60:64], "big", signed=True)
    latest = migrations.LATEST_VERSION
    if version > latest:
        raise SchemaTooNew(
            f"This file has schema version {version}; this Quire understands up to {latest}. "
            f"Update Quire to import it. Your workspace was not changed.",
            schema_version=version, supported=latest)
    if version <= 0:
        raise InvalidImport("That SQLite file is not a Quire workspace (it has no schema "
                            "version).", reason="not_a_workspace")
    return version


def open_private(data: bytes) -> sqlite3.Connection:
    """Deserialize ``data`` into a new in-memory connection that cannot write or trust it."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        # Connection-level switches, set before the file's schema is ever parsed.
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA cell_size_check = ON")
        conn.deserialize(data)
        conn.execute("PRAGMA query_only = 1")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise InvalidImport(f"SQLite cannot open the file ({exc}).", reason="corrupt") from exc
    return conn


def _check_integrity(conn: sqlite3.Connection) -> None:
    problems = [row[0] for row in conn.execute(f"PRAGMA integrity_check({_INTEGRITY_MESSAGES})")]
    if problems != ["ok"]:
        raise InvalidImport("The file is damaged (integrity check failed: "
                            f"{'; '.join(problems[:3])}).", reason="corrupt")
    dangling = conn.execute("SELECT count(*) FROM pragma_foreign_key_check").fetchone()[0]
    if dangling:
        raise InvalidImport(f"The file is inconsistent: {dangling} rows refer to rows that are "
                            "not in it.", reason="dangling_references")


def _summary(conn: sqlite3.Connection, header: Header, ref: Reference, size: int) -> ImportSummary:
    # Table names come from our own reference schema, never from the file.
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ref.tables}
    return ImportSummary(
        schema_version=ref.version, latest_version=migrations.LATEST_VERSION,
        migrated=ref.version < migrations.LATEST_VERSION, size_bytes=size,
        page_size=header.page_size, tables=counts)


@contextmanager
def inspect(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Inspected]:
    """Validate ``data`` and yield it open privately (closed on exit). See :func:`validate_import`."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidImport("The import needs the file's bytes.", reason="not_bytes")
    data = bytes(data)
    header = read_header(data, max_bytes)
    version = _schema_version(data)
    conn = open_private(data)
    try:
        try:
            ref = check_schema(conn, version)
            _check_integrity(conn)
            summary = _summary(conn, header, ref, len(data))
        except QuireError:
            raise
        except sqlite3.DatabaseError as exc:
            raise InvalidImport(f"The file is damaged ({exc}).", reason="corrupt") from exc
        yield Inspected(conn, header, ref, summary)
    finally:
        conn.close()
