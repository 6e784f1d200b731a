"""Local accounts: names, stable uids and argon2 password hashes."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from proxy.auth.db import AuthDB, now

OWNER_NAME = "owner"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MAX_PASSWORD_CHARS = 1024

# argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes).
hasher = PasswordHasher()
_dummy_hashes: dict[int, str] = {}


def _dummy_hash() -> str:
    """Verified when the name is unknown, so a wrong name costs as long as a wrong password."""
    key = id(hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[key]


class AccountError(Exception):
    """A refused account operation; `code` is stable, the message is for the CLI user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Account:
    uid: str
    name: str
    created_at: float


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(
            "invalid_name", "a user name is 1-64 characters: letters, digits and . _ @ - (not first)"
        )
    return name


def check_password(password: str) -> str:
    if not 8 <= len(password) <= MAX_PASSWORD_CHARS:
        raise AccountError("invalid_password", f"a password is 8 to {MAX_PASSWORD_CHARS} characters")
    return password


class Accounts:
    """The user store. Each account's uid is random and never changes, even if renamed."""

    def __init__(self, db: AuthDB) -> None:
        self.db = db

    def add(self, name: str, password: str) -> Account:
        check_name(name)
        check_password(password)
        account = Account(uid=secrets.token_hex(16), name=name, created_at=now())
        digest = hasher.hash(password)
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError("name_taken", f"a user named {name!r} already exists")
            conn.execute(
                "INSERT INTO users (uid, name, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (account.uid, account.name, digest, account.created_at),
            )
        return account

    def ensure_owner(self) -> Account:
        """The local owner account, created with a random password nobody knows.

        The owner signs in through one-time login links printed by `quire serve`.
        """
        existing = self.by_name(OWNER_NAME)
        if existing:
            return existing
        try:
            return self.add(OWNER_NAME, secrets.token_urlsafe(32))
        except AccountError:
            # Another process created it between our read and our write.
            found = self.by_name(OWNER_NAME)
            if found is None:
                raise
            return found

    def by_name(self, name: str) -> Account | None:
        row = self.db.execute("SELECT uid, name, created_at FROM users WHERE name = ?", (name,)).fetchone()
        return Account(*row) if row else None

    def by_uid(self, uid: str) -> Account | None:
        row = self.db.execute("SELECT uid, name, created_at FROM users WHERE uid = ?", (uid,)).fetchone()
        return Account(*row) if row else None

    def list(self) -> list[Account]:
        rows = self.db.execute("SELECT uid, name, created_at FROM users ORDER BY name").fetchall()
        return [Account(*row) for row in rows]

    def remove(self, uid: str) -> bool:
        """Delete an account; its sessions, tokens and login links go with it (cascade)."""
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM users WHERE uid = ?", (uid,)).rowcount > 0

    def verify(self, name: str, password: str) -> Account | None:
        """The account if the password matches; None otherwise, in about the same time."""
        if len(password) > MAX_PASSWORD_CHARS or len(name) > 256:
            return None
        row = self.db.execute(
            "SELECT uid, name, created_at, password_hash FROM users WHERE name = ?", (name,)
        ).fetchone()
        digest = row[3] if row else _dummy_hash()
        try:
            hasher.verify(digest, password)
        except (VerificationError, InvalidHashError):
            return None
        return Account(*row[:3]) if row else None

    def set_password(self, uid: str, password: str) -> None:
        check_password(password)
        with self.db.transaction() as conn:
            conn.execute("UPDATE users SET password_hash = ? WHERE uid = ?", (hasher.hash(password), uid))
