"""The hybrid logical clock of this device (``sync_clock``, advanced by the capture triggers).

A clock value is text, ``WWWWWWWWWWWWW-CCCCC`` (wall ms, counter), so values sort as text;
writes are ordered by ``(clock, device)``. Seeing a remote write moves the clock past it, so a
write made after seeing another always sorts after it, whatever the two devices' wall clocks.
"""

from __future__ import annotations

import sqlite3

from pylib.clock import now_ms

Stamp = tuple[str, str]  # (clock, device)


def format_hlc(wall: int, counter: int) -> str:
    return f"{wall:013d}-{counter:05d}"


def parse_hlc(value: str) -> tuple[int, int]:
    wall, _, counter = value.partition("-")
    return int(wall), int(counter)


def device_id(conn: sqlite3.Connection) -> str:
    """This file's device id (made when sync's schema was added; an imported copy gets its own)."""
    return conn.execute("SELECT device FROM sync_clock").fetchone()[0]


def observe(conn: sqlite3.Connection, latest: str) -> None:
    """Move the clock to at least ``latest`` (a remote write just seen)."""
    wall, counter = parse_hlc(latest)
    conn.execute(
        "UPDATE sync_clock SET counter = CASE WHEN ? > wall THEN ? WHEN ? = wall"
        " THEN max(counter, ?) ELSE counter END, wall = max(wall, ?)",
        (wall, counter, wall, counter, wall))


def tick(conn: sqlite3.Connection) -> str:
    """A new clock value, later than every one made or seen so far."""
    now = now_ms()
    conn.execute(
        "UPDATE sync_clock SET counter = CASE WHEN ? > wall THEN 0 ELSE counter + 1 END,"
        " wall = max(wall, ?)", (now, now))
    wall, counter = conn.execute("SELECT wall, counter FROM sync_clock").fetchone()
    return format_hlc(wall, counter)


def later(a: Stamp | None, b: Stamp | None) -> bool:
    """True if write ``a`` wins over write ``b`` (``None``: never written)."""
    if a is None:
        return False
    return b is None or a > b
