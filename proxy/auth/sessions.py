"""Browser sessions and one-time login links, stored hashed in the auth database.

A session id is an opaque random string in an HttpOnly cookie; only its hash is stored, so
signing out (deleting the row) revokes it in every proxy process at once.
"""

from __future__ import annotations

import secrets

from proxy.auth.db import AuthDB, hash_secret, now
from proxy.auth.principal import User


def issue_secret(db: AuthDB, ttl_seconds: int, insert_sql: str, purge_sql: str, uid: str) -> str:
    """Store the hash of a new random secret for `uid` (purging expired rows) and return the secret."""
    raw = secrets.token_urlsafe(32)
    created = now()
    values = {"hash": hash_secret(raw), "uid": uid, "now": created, "expires": created + ttl_seconds}
    with db.transaction() as conn:
        conn.execute(purge_sql, {"now": created})
        conn.execute(insert_sql, values)
    return raw


class Sessions:
    """Create, resolve and revoke sessions."""

    def __init__(self, db: AuthDB, ttl_seconds: int) -> None:
        self.db = db
        self.ttl_seconds = ttl_seconds

    def create(self, uid: str) -> str:
        """A new session for `uid`; returns the raw id for the cookie (never stored)."""
        return issue_secret(
            self.db, self.ttl_seconds,
            "INSERT INTO sessions (id_hash, uid, created_at, expires_at) VALUES (:hash, :uid, :now, :expires)",
            "DELETE FROM sessions WHERE expires_at <= :now", uid,
        )

    def resolve(self, raw: str) -> User | None:
        if not raw or len(raw) > 128:
            return None
        row = self.db.execute(
            "SELECT u.uid, u.name FROM sessions s JOIN users u ON u.uid = s.uid "
            "WHERE s.id_hash = ? AND s.expires_at > ?",
            (hash_secret(raw), now()),
        ).fetchone()
        return User(uid=row[0], name=row[1], via="session") if row else None

    def revoke(self, raw: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE id_hash = ?", (hash_secret(raw),))

    def revoke_user(self, uid: str) -> int:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM sessions WHERE uid = ?", (uid,)).rowcount


class LoginLinks:
    """One-time sign-in tokens (the link `quire serve` prints): usable once, for minutes."""

    def __init__(self, db: AuthDB, ttl_seconds: int) -> None:
        self.db = db
        self.ttl_seconds = ttl_seconds

    def create(self, uid: str) -> str:
        return issue_secret(
            self.db, self.ttl_seconds,
            "INSERT INTO login_links (secret_hash, uid, expires_at) VALUES (:hash, :uid, :expires)",
            "DELETE FROM login_links WHERE expires_at <= :now", uid,
        )

    def consume(self, raw: str) -> str | None:
        """The uid the link was made for, or None; the link is spent either way."""
        if not raw or len(raw) > 128:
            return None
        digest = hash_secret(raw)
        # Read and delete in one write transaction: two processes cannot both redeem it.
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT uid, expires_at FROM login_links WHERE secret_hash = ?", (digest,)
            ).fetchone()
            conn.execute("DELETE FROM login_links WHERE secret_hash = ?", (digest,))
        if row is None or row[1] <= now():
            return None
        return row[0]
