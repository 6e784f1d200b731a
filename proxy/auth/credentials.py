"""One store for every credential: browser sessions, bearer tokens and one-time login links.

Each is a random secret handed to its holder once; only its SHA-256 is stored, with the user
and an expiry. Deleting the row revokes it in every proxy process at once. What differs
between the kinds is data (`Kind`), not code: a token's secret starts with `qt_` so a bearer
header tells it from an OIDC JWT; a login link is spent by its first use.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from proxy.auth.db import AuthDB, hash_secret, now
from proxy.auth.principal import User

MAX_SECRET_CHARS = 128
ID_CHARS = 12  # a credential's public id: the first characters of its hash


@dataclass(frozen=True)
class Kind:
    name: str  # the `kind` column
    prefix: str = ""  # the raw secret starts with this
    one_time: bool = False  # spent by redeem(); never resolved by resolve()


SESSION = Kind("session")
TOKEN = Kind("token", prefix="qt_")
LINK = Kind("link", one_time=True)


@dataclass(frozen=True)
class CredentialInfo:
    """What is stored about a credential (never the secret)."""

    id: str
    kind: str
    uid: str
    created_at: float
    expires_at: float | None


def _plausible(kind: Kind, raw: object) -> bool:
    return isinstance(raw, str) and raw.startswith(kind.prefix) and 0 < len(raw) <= MAX_SECRET_CHARS


class CredentialStore:
    """Issue, resolve, redeem, list and revoke credentials of every kind."""

    def __init__(self, db: AuthDB) -> None:
        self.db = db

    def issue(self, kind: Kind, uid: str, ttl_seconds: int | None) -> tuple[str, CredentialInfo]:
        """A new credential for `uid`: the secret (shown once, never stored) and what is stored."""
        raw = kind.prefix + secrets.token_urlsafe(32)
        digest = hash_secret(raw)
        created = now()
        expires = created + ttl_seconds if ttl_seconds else None
        with self.db.transaction() as conn:
            # Expired rows of this kind go first, so the table does not grow with old sign-ins.
            conn.execute("DELETE FROM credentials WHERE kind = ? AND expires_at <= ?", (kind.name, created))
            conn.execute(
                "INSERT INTO credentials (secret_hash, kind, uid, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (digest, kind.name, uid, created, expires),
            )
        return raw, CredentialInfo(digest[:ID_CHARS], kind.name, uid, created, expires)

    def resolve(self, kind: Kind, raw: str) -> User | None:
        """The user a live credential belongs to, or None (unknown, expired, revoked, one-time)."""
        if kind.one_time or not _plausible(kind, raw):
            return None
        row = self.db.execute(
            "SELECT u.uid, u.name FROM credentials c JOIN users u ON u.uid = c.uid "
            "WHERE c.secret_hash = ? AND c.kind = ? AND (c.expires_at IS NULL OR c.expires_at > ?)",
            (hash_secret(raw), kind.name, now()),
        ).fetchone()
        return User(uid=row[0], name=row[1], via=kind.name) if row else None

    def redeem(self, kind: Kind, raw: str) -> str | None:
        """Spend a one-time credential: the uid it was made for, or None. Spent either way."""
        if not kind.one_time or not _plausible(kind, raw):
            return None
        digest = hash_secret(raw)
        # DELETE ... RETURNING in one write transaction: two processes cannot both redeem it.
        with self.db.transaction() as conn:
            row = conn.execute(
                "DELETE FROM credentials WHERE secret_hash = ? AND kind = ? RETURNING uid, expires_at",
                (digest, kind.name),
            ).fetchone()
        if row is None or (row[1] is not None and row[1] <= now()):
            return None
        return row[0]

    def list(self, kind: Kind, uid: str | None = None) -> list[CredentialInfo]:
        sql = "SELECT secret_hash, kind, uid, created_at, expires_at FROM credentials WHERE kind = ?"
        params: tuple = (kind.name,)
        if uid is not None:
            sql, params = sql + " AND uid = ?", (*params, uid)
        rows = self.db.execute(sql + " ORDER BY created_at", params).fetchall()
        return [CredentialInfo(r[0][:ID_CHARS], r[1], r[2], r[3], r[4]) for r in rows]

    def revoke(self, kind: Kind, secret_or_id: str) -> int:
        """Revoke by the secret itself or by its public id (as `quire token list` shows it)."""
        if len(secret_or_id) == ID_CHARS and all(c in "0123456789abcdef" for c in secret_or_id):
            where, arg = f"substr(secret_hash, 1, {ID_CHARS}) = ?", secret_or_id
        elif _plausible(kind, secret_or_id):
            where, arg = "secret_hash = ?", hash_secret(secret_or_id)
        else:
            return 0
        with self.db.transaction() as conn:
            return conn.execute(f"DELETE FROM credentials WHERE kind = ? AND {where}", (kind.name, arg)).rowcount

    def revoke_all(self, kind: Kind, uid: str | None = None) -> int:
        """Revoke every credential of this kind (of one user, if given)."""
        with self.db.transaction() as conn:
            if uid is None:
                return conn.execute("DELETE FROM credentials WHERE kind = ?", (kind.name,)).rowcount
            return conn.execute("DELETE FROM credentials WHERE kind = ? AND uid = ?", (kind.name, uid)).rowcount
