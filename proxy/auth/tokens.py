"""Bearer tokens for scripts and tests (`quire token create NAME`), stored hashed with an expiry."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from proxy.auth.db import AuthDB, hash_secret, now
from proxy.auth.principal import User

PREFIX = "qt_"
ID_CHARS = 12  # a token's public id: the first characters of its hash


@dataclass(frozen=True)
class TokenInfo:
    id: str
    uid: str
    created_at: float
    expires_at: float | None


class Tokens:
    """Issue, resolve, list and revoke bearer tokens."""

    def __init__(self, db: AuthDB) -> None:
        self.db = db

    def create(self, uid: str, ttl_seconds: int | None = None) -> tuple[str, TokenInfo]:
        """A new token for `uid`: the secret (shown once) and what is stored about it."""
        raw = PREFIX + secrets.token_urlsafe(32)
        digest = hash_secret(raw)
        created = now()
        expires = created + ttl_seconds if ttl_seconds else None
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO tokens (secret_hash, uid, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (digest, uid, created, expires),
            )
        return raw, TokenInfo(digest[:ID_CHARS], uid, created, expires)

    def resolve(self, raw: str) -> User | None:
        if not raw.startswith(PREFIX) or len(raw) > 128:
            return None
        row = self.db.execute(
            "SELECT u.uid, u.name FROM tokens t JOIN users u ON u.uid = t.uid "
            "WHERE t.secret_hash = ? AND (t.expires_at IS NULL OR t.expires_at > ?)",
            (hash_secret(raw), now()),
        ).fetchone()
        return User(uid=row[0], name=row[1], via="token") if row else None

    def list(self, uid: str | None = None) -> list[TokenInfo]:
        sql = "SELECT secret_hash, uid, created_at, expires_at FROM tokens"
        rows = self.db.execute(sql + " WHERE uid = ? ORDER BY created_at" if uid else sql + " ORDER BY created_at",
                               (uid,) if uid else ()).fetchall()
        return [TokenInfo(r[0][:ID_CHARS], r[1], r[2], r[3]) for r in rows]

    def revoke(self, token_or_id: str) -> int:
        """Revoke by the token itself or by its id (as `quire token list` shows it)."""
        if token_or_id.startswith(PREFIX):
            where, arg = "secret_hash = ?", hash_secret(token_or_id)
        elif len(token_or_id) == ID_CHARS and all(c in "0123456789abcdef" for c in token_or_id):
            where, arg = "substr(secret_hash, 1, 12) = ?", token_or_id
        else:
            return 0
        with self.db.transaction() as conn:
            return conn.execute(f"DELETE FROM tokens WHERE {where}", (arg,)).rowcount

    def revoke_user(self, uid: str) -> int:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM tokens WHERE uid = ?", (uid,)).rowcount
