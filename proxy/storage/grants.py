"""Upload grants: the quota counts what presigned PUTs may still write, not only what is stored.

A presigned PUT is a promise: until it expires, its holder may store `size` bytes at its key,
as often as they like. So a quota check that looks at stored bytes alone lets a user collect
many grants first and upload them all afterwards. The ledger records every unexpired grant in
SQLite in the data directory; a reservation is one `BEGIN IMMEDIATE` transaction (checked and
recorded together), which serialises it across threads and worker processes sharing the data
directory.

What a user may end up storing is, per key, the larger of what is stored there now and the
largest grant still outstanding for it (one object per key: a later upload replaces an earlier
one). The quota holds over the sum of that across keys.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

LEDGER_NAME = "upload-grants.sqlite"

# An upload that starts just before its URL expires is still accepted by S3 and may take a while
# to finish: keep counting its grant for this long after the URL's expiry.
IN_FLIGHT_GRACE_SECONDS = 120

_SCHEMA = """
CREATE TABLE IF NOT EXISTS grants (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL,
    key TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS grants_by_user ON grants (uid, expires_at);
"""


class QuotaExceeded(Exception):
    """Raised by `Grants.reserve` when the grant would let the user exceed their quota."""


def worst_case_usage(stored: Mapping[str, int], granted: Iterable[tuple[str, int]]) -> int:
    """Bytes the user could hold: per key, the larger of the stored size and the largest grant."""
    per_key = dict(stored)
    for key, size in granted:
        per_key[key] = max(per_key.get(key, 0), size)
    return sum(per_key.values())


class Grants:
    """The ledger of outstanding upload grants for one data directory."""

    def __init__(self, path: Path, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # One short-lived connection per call: calls come from a thread pool, and a connection
        # costs far less than the S3 listing each reservation already waits for.
        db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def reserve(self, uid: str, key: str, size: int, *, stored: Mapping[str, int], listed_at: float,
                quota: int, expires_at: float) -> None:
        """Record a grant of `size` bytes at `key` unless it would take the user past `quota`.

        `stored` maps the user's keys to their sizes, as listed from S3 at `listed_at` (a
        `time.time()` value taken before the listing began). Grants live at that moment are
        counted, so an upload finishing during the listing is never missed.
        """
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            now = time.time()
            db.execute("DELETE FROM grants WHERE expires_at < ?", (now - IN_FLIGHT_GRACE_SECONDS,))
            rows = db.execute("SELECT key, size FROM grants WHERE uid = ? AND expires_at >= ?",
                              (uid, listed_at - IN_FLIGHT_GRACE_SECONDS)).fetchall()
            if worst_case_usage(stored, [*rows, (key, size)]) > quota:
                db.execute("ROLLBACK")
                raise QuotaExceeded(uid)
            db.execute("INSERT INTO grants (uid, key, size, expires_at) VALUES (?, ?, ?, ?)",
                       (uid, key, size, expires_at))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def outstanding(self, uid: str) -> list[tuple[str, int]]:
        """(key, size) of the user's grants that still count."""
        db = self._connect()
        try:
            return db.execute("SELECT key, size FROM grants WHERE uid = ? AND expires_at >= ? ORDER BY id",
                              (uid, time.time() - IN_FLIGHT_GRACE_SECONDS)).fetchall()
        finally:
            db.close()

    def release(self, uid: str, key: str) -> None:
        """Drop the user's grants for ``key`` (an upload that was aborted: nothing will come)."""
        db = self._connect()
        try:
            db.execute("DELETE FROM grants WHERE uid = ? AND key = ?", (uid, key))
        finally:
            db.close()

    def forget_user(self, uid: str) -> None:
        """Drop the user's grants (their account and objects are gone)."""
        db = self._connect()
        try:
            db.execute("DELETE FROM grants WHERE uid = ?", (uid,))
        finally:
            db.close()
