"""Export: a consistent, single-file snapshot of the live workspace."""

from __future__ import annotations

import datetime as dt
import sqlite3

from pylib.db import Workspace
from pylib.errors import InvalidState

# Bytes 18 and 19 of the header: file format write/read version; 1 = rollback journal, 2 = WAL.
_FORMAT_VERSION_OFFSETS = (18, 19)


def _connection(target: Workspace | sqlite3.Connection) -> sqlite3.Connection:
    return target.conn if isinstance(target, Workspace) else target


def export_workspace(target: Workspace | sqlite3.Connection) -> bytes:
    """The whole workspace as the bytes of a standalone ``.sqlite`` file.

    Uses SQLite's backup API into a private in-memory database, so the copy is one consistent
    snapshot of committed data. Refused (:class:`InvalidState`) while ``target`` has a
    transaction open: SQLite's backup would wait for it forever. The result is in rollback-journal mode (never WAL), so the single file opens
    in the ``sqlite3`` shell with every table and passes ``PRAGMA integrity_check``.
    """
    conn = _connection(target)
    if conn.in_transaction:
        raise InvalidState("The workspace cannot be exported in the middle of a transaction.")
    snapshot = sqlite3.connect(":memory:")
    try:
        conn.backup(snapshot)
        data = bytearray(snapshot.serialize())
    finally:
        snapshot.close()
    # The backup copies page 1 verbatim, so a WAL workspace yields a WAL header; the snapshot
    # holds every committed page itself, so marking it rollback-journal is exact.
    for offset in _FORMAT_VERSION_OFFSETS:
        if len(data) > offset and data[offset] == 2:
            data[offset] = 1
    return bytes(data)


def export_filename(now: dt.datetime | dt.date | int | float | None = None) -> str:
    """``workspace-YYYY-MM-DD.sqlite`` for ``now`` (a date/datetime, or Unix milliseconds in UTC;
    default: today in local time)."""
    if now is None:
        day = dt.date.today()
    elif isinstance(now, (int, float)):
        day = dt.datetime.fromtimestamp(now / 1000, tz=dt.timezone.utc).date()
    elif isinstance(now, dt.datetime):
        day = now.date()
    else:
        day = now
    return f"workspace-{day.isoformat()}.sqlite"
