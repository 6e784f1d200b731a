"""What this device holds survives a replace-import: the ``blobs`` and ``local_files`` rows.

A replace-import (:mod:`pylib.transfer.importer`) rebuilds the workspace from a file, and the
two tables are device state an import never copies from one. But they describe this device's
store and the objects in S3 under the same workspace key, which a replace does not change, so
:func:`carry` copies them from the replaced workspace into the new one, in the same single
step. Then:

- an imported artifact or version that refers to an object this device holds — a file exported
  without its files, a backup re-imported — finds it by its name or hash: it opens from here,
  and uploads if it still waits;
- an object only the replaced workspace referred to is marked ``for_backup``: the backup the
  replace hands out (pointers only) refers to it, so it is never dropped before it is in S3
  (:func:`pylib.blobs.queue.drop_unreferenced` and :func:`pylib.blobs.local.drop_unused`
  leave it) and garbage collection never deletes it; once it is uploaded, :func:`release`
  forgets it on this device — row and copy — and S3 keeps it for the backup, which opens it
  by its ``s3_key`` (as it does any file of the replaced workspace already uploaded). Bytes
  nothing refers to at all (the trash emptied before the replace) are dropped as before.

``care.repair`` carries the rows the same way when they are readable (the damaged file it hands
out is that backup).
"""

from __future__ import annotations

import sqlite3

from pylib.blobs import ledger
from pylib.blobs.device import DeviceFiles
from pylib.blobs.ledger import referenced
from pylib.db import Workspace

_TABLES = {"blobs": ("b", referenced("b")), "local_files": ("l", referenced("l"))}


def _copy(old: sqlite3.Connection, fresh: sqlite3.Connection, table: str, alias: str, users: str) -> None:
    cursor = old.execute(f"SELECT *, for_backup OR {users} AS held FROM {table} AS {alias}")
    names = [d[0] for d in cursor.description][:-1]
    cols, marks = ", ".join(names), ", ".join("?" for _ in names)
    at = names.index("for_backup")
    for *values, held in cursor.fetchall():
        values[at] = int(bool(held))
        fresh.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", values)
    # What the new workspace refers to is an ordinary row again.
    fresh.execute(f"UPDATE {table} AS {alias} SET for_backup = 0 WHERE for_backup = 1 AND {users}")


# A file exported while its bytes had no name yet (kept under a local name) has no s3_key; the
# object named since is its object.
_NAMED = """UPDATE artifacts AS a SET s3_key = 'blobs/' || (SELECT min(name) FROM blobs b WHERE b.sha256 = a.hash
                                                      AND b.size_bytes = a.size_bytes)
    WHERE a.content IS NULL AND a.s3_key IS NULL AND a.hash IS NOT NULL
      AND a.id NOT IN (SELECT artifact_id FROM pending_uploads)
      AND NOT EXISTS (SELECT 1 FROM local_files l WHERE l.sha256 = a.hash AND l.size_bytes = a.size_bytes)
      AND EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = a.hash AND b.size_bytes = a.size_bytes)"""


def carry(old: sqlite3.Connection, fresh: sqlite3.Connection) -> None:
    """Copy this device's ``blobs`` and ``local_files`` rows from the replaced workspace
    ``old`` into ``fresh`` (inside the caller's transaction), marking ``for_backup`` what only
    the replaced workspace (or an earlier one's backup) refers to; an imported file that
    refers by hash alone to an object named since gets its ``s3_key``."""
    for table, (alias, users) in _TABLES.items():
        _copy(old, fresh, table, alias, users)
    fresh.execute(_NAMED)


async def release(ws: Workspace, files: DeviceFiles) -> list[str]:
    """Forget the ``for_backup`` objects that are in S3 now and that nothing in the workspace
    refers to (their copy here is dropped; S3 keeps them for the backup); one the workspace
    refers to again is an ordinary row from now on. The names forgotten."""
    with ws.transaction():
        ws.conn.execute(f"UPDATE blobs AS b SET for_backup = 0 WHERE for_backup = 1 AND {referenced('b')}")
    released = []
    for (name,) in ws.conn.execute("SELECT name FROM blobs WHERE for_backup = 1 AND state = 'uploaded'"
                                   " ORDER BY name").fetchall():
        with ws.transaction():
            if ledger.is_referenced(ws, name):  # regained one meanwhile
                continue
            ledger.forget(ws, name)
        await files.delete(name)  # after the commit: a crash leaves bytes, never a dangling row
        released.append(name)
    return released
