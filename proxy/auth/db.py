"""The auth database: one SQLite file in the data directory, shared by every proxy process.

It holds accounts, the hashes of every credential (sessions, bearer tokens, one-time login
links), recent sign-in attempts and the addresses each account signed in from. Nothing else in
the proxy keeps state, so several processes can share one data directory.

The schema grows by numbered migrations; each runs in one transaction together with the
`user_version` that records it, so a crash leaves the file at the old version or the new one.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MIGRATIONS: list[tuple[str, list[str]]] = [
    ("0001_initial", [
        """CREATE TABLE IF NOT EXISTS users (
            uid TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            created_at REAL NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS sessions (
            id_hash TEXT PRIMARY KEY,
            uid TEXT NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
            created_at REAL NOT NULL, expires_at REAL NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS tokens (
            secret_hash TEXT PRIMARY KEY,
            uid TEXT NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
            created_at REAL NOT NULL, expires_at REAL)""",
        """CREATE TABLE IF NOT EXISTS login_links (
            secret_hash TEXT PRIMARY KEY,
            uid TEXT NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
            expires_at REAL NOT NULL)""",
        "CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at REAL NOT NULL)",
    ]),
    # One store for every "hashed secret + user + expiry"; attempts are reserved before the
    # password is checked (see ratelimit.py). Sessions and tokens carry over; unused login
    # links do not (a restart revokes them anyway).
    ("0002_credentials", [
        """CREATE TABLE credentials (
            secret_hash TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('session', 'token', 'link')),
            uid TEXT NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
            created_at REAL NOT NULL,
            expires_at REAL)""",
        "CREATE INDEX credentials_uid ON credentials(uid, kind)",
        "CREATE INDEX credentials_kind ON credentials(kind, expires_at)",
        """INSERT INTO credentials (secret_hash, kind, uid, created_at, expires_at)
            SELECT id_hash, 'session', uid, created_at, expires_at FROM sessions""",
        """INSERT INTO credentials (secret_hash, kind, uid, created_at, expires_at)
            SELECT secret_hash, 'token', uid, created_at, expires_at FROM tokens""",
        "DROP TABLE sessions",
        "DROP TABLE tokens",
        "DROP TABLE login_links",
        "DROP TABLE login_failures",
        """CREATE TABLE login_attempts (
            client TEXT NOT NULL, account TEXT NOT NULL, at REAL NOT NULL)""",
        "CREATE INDEX login_attempts_client ON login_attempts(client, at)",
        "CREATE INDEX login_attempts_account ON login_attempts(account, at)",
        "CREATE INDEX login_attempts_at ON login_attempts(at)",
        """CREATE TABLE known_clients (
            account TEXT NOT NULL, client TEXT NOT NULL, last_success REAL NOT NULL,
            PRIMARY KEY (account, client))""",
    ]),
]
SCHEMA_VERSION = len(MIGRATIONS)


def hash_secret(secret: str) -> str:
    """Stored form of a random secret (session id, token, login link).

    The secrets carry 256 random bits, so a fast hash is enough: a stolen database does not
    yield usable credentials, and lookups stay cheap on every request.
    """
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def now() -> float:
    return time.time()


class AuthDB:
    """Thread-local SQLite connections to the auth file (WAL, so readers never block)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.migrate()

    def migrate(self) -> None:
        """Apply the migrations this file has not had yet (processes starting at once queue)."""
        with self.transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{self.path} is from a newer Quire (schema {version} > {SCHEMA_VERSION})")
            for number, (_name, statements) in enumerate(MIGRATIONS, start=1):
                if number > version:
                    for statement in statements:
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # Each connection is used by the thread that opened it; close() runs at shutdown.
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front, so concurrent processes queue instead of failing."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        return self.connection().execute(sql, params)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
