"""Login rate limiting: failed attempts per client address and per account, in a sliding minute.

Failures are recorded in the auth database, so the limit holds across every proxy process
sharing the data directory.
"""

from __future__ import annotations

import math

from proxy.auth.db import AuthDB, now

WINDOW_SECONDS = 60.0


class LoginLimiter:
    """`retry_after(keys)` says how long to wait before another attempt, or None to go ahead."""

    def __init__(self, db: AuthDB, attempts_per_minute: int) -> None:
        self.db = db
        self.limit = attempts_per_minute

    @staticmethod
    def keys(client_ip: str, account_name: str) -> list[str]:
        return [f"ip:{client_ip}", f"name:{account_name.strip().lower()[:256]}"]

    def retry_after(self, keys: list[str]) -> int | None:
        since = now() - WINDOW_SECONDS
        wait = 0.0
        for key in keys:
            rows = self.db.execute(
                "SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?",
                (key, since, self.limit),
            ).fetchall()
            if len(rows) >= self.limit:
                # Blocked until the oldest of the last `limit` failures leaves the window.
                wait = max(wait, rows[-1][0] + WINDOW_SECONDS - now())
        return max(1, math.ceil(wait)) if wait > 0 else None

    def record_failure(self, keys: list[str]) -> None:
        at = now()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE at <= ?", (at - WINDOW_SECONDS,))
            conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(k, at) for k in keys])

    def clear_account(self, account_name: str) -> None:
        """After a successful sign-in the account's count starts over; the address's does not."""
        key = f"name:{account_name.strip().lower()[:256]}"
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE key = ?", (key,))
