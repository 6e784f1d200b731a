"""Sign-in rate limits that hold under any concurrency, in every process sharing the data directory.

An attempt is *reserved* before the password is checked: one `BEGIN IMMEDIATE` transaction in
the auth database counts the attempts of the last minute and, if there is room, records this
one. Parallel attempts (threads or processes) queue on that lock, so at most the limit are ever
checked. A reservation counts as a failure unless the sign-in succeeds (a crash mid-check
counts too).

Two limits, per-client first, as large providers do:
- per client address (an IPv6 client is its /64: one host gets a whole /64 to pick from):
  `login_attempts_per_minute` attempts across all accounts;
- per account, from all addresses together: `login_account_attempts_per_minute`, a higher
  bound against attacks spread over many addresses. An address that signed in to this account
  successfully in the last 30 days is exempt from it, so an attack from elsewhere does not lock
  the real user out.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from proxy.auth.db import AuthDB, hash_secret, now

WINDOW_SECONDS = 60.0
KNOWN_CLIENT_SECONDS = 30 * 24 * 3600.0


def client_key(address: str) -> str:
    """The unit a client is limited by: an IPv4 address, an IPv6 /64, or the raw name."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"name:{address[:256]}"  # not an IP (a unix socket, a test client)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def account_key(name: str) -> str:
    """Account names compare case-insensitively (the users table is COLLATE NOCASE)."""
    return name.strip().lower()[:256]


@dataclass(frozen=True)
class Reservation:
    rowid: int
    client: str
    account: str


@dataclass(frozen=True)
class Limited:
    retry_after: int  # whole seconds, at least 1


class LoginLimiter:
    """`reserve()` before checking a password, `succeeded()` after a correct one."""

    def __init__(self, db: AuthDB, per_client: int, per_account: int) -> None:
        self.db = db
        self.per_client = per_client
        self.per_account = per_account

    def reserve(self, address: str, name: str) -> Reservation | Limited:
        client, account = client_key(address), account_key(name)
        at = now()
        since = at - WINDOW_SECONDS
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_attempts WHERE at <= ?", (since,))
            wait = self._wait(conn, "client", client, self.per_client, at)
            if not self._known(conn, account, client, at):
                wait = max(wait, self._wait(conn, "account", account, self.per_account, at))
            if wait > 0:
                return Limited(max(1, math.ceil(wait)))
            rowid = conn.execute("INSERT INTO login_attempts (client, account, at) VALUES (?, ?, ?)",
                                 (client, account, at)).lastrowid
        return Reservation(rowid, client, account)

    @staticmethod
    def _wait(conn, column: str, value: str, limit: int, at: float) -> float:
        """Seconds until one of the last `limit` attempts leaves the window (0: there is room)."""
        rows = conn.execute(
            f"SELECT at FROM login_attempts WHERE {column} = ? AND at > ? ORDER BY at DESC LIMIT ?",
            (value, at - WINDOW_SECONDS, limit),
        ).fetchall()
        return rows[-1][0] + WINDOW_SECONDS - at if len(rows) >= limit else 0.0

    @staticmethod
    def _known(conn, account: str, client: str, at: float) -> bool:
        row = conn.execute("SELECT last_success FROM known_clients WHERE account = ? AND client = ?",
                           (hash_secret(account), hash_secret(client))).fetchone()
        return row is not None and row[0] > at - KNOWN_CLIENT_SECONDS

    def succeeded(self, reservation: Reservation) -> None:
        """A correct password: this address's attempts on this account no longer count, and the
        address becomes known for the account. Other addresses' attempts still count."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_attempts WHERE client = ? AND account = ?",
                         (reservation.client, reservation.account))
            # Stored hashed: the file need not list where each person signs in from.
            conn.execute("DELETE FROM known_clients WHERE last_success <= ?", (now() - KNOWN_CLIENT_SECONDS,))
            conn.execute(
                "INSERT INTO known_clients (account, client, last_success) VALUES (?, ?, ?) "
                "ON CONFLICT (account, client) DO UPDATE SET last_success = excluded.last_success",
                (hash_secret(reservation.account), hash_secret(reservation.client), now()),
            )
