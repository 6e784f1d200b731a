"""SQLite edits for the PageStore browser tests (run in Pyodide by pagestore_worker.mjs).

Plain sqlite3 on the in-memory FS, committed the way the engine commits (journal in memory):
rows with bodies from a few bytes to a few hundred KiB, so edits touch scattered pages, grow
the file, and (after deletes and VACUUM) shrink it.
"""

from __future__ import annotations

import os
import random
import sqlite3

_conn: sqlite3.Connection | None = None
SIZES = (16, 700, 3_000, 9_000, 40_000, 300_000)


def open_db(path: str) -> None:
    global _conn
    if _conn is not None:
        _conn.close()
    _conn = sqlite3.connect(path, isolation_level=None)
    _conn.execute("PRAGMA journal_mode=MEMORY")
    _conn.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, tag TEXT, body BLOB)")
    _conn.execute("CREATE INDEX IF NOT EXISTS items_tag ON items(tag)")


def _ids(conn: sqlite3.Connection) -> list[int]:
    return [row[0] for row in conn.execute("SELECT id FROM items")]


def edit(seed: int) -> int:
    """One committed transaction of random inserts, updates and deletes; returns the file size."""
    rng = random.Random(seed)
    conn = _conn
    conn.execute("BEGIN")
    ids = _ids(conn)
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        if op < 0.5 or not ids:
            conn.execute("INSERT INTO items (tag, body) VALUES (?, ?)",
                         (f"t{rng.randint(0, 50)}", rng.randbytes(rng.choice(SIZES))))
        elif op < 0.85:
            conn.execute("UPDATE items SET tag = ?, body = ? WHERE id = ?",
                         (f"t{rng.randint(0, 50)}", rng.randbytes(rng.choice(SIZES)), rng.choice(ids)))
        else:
            conn.execute("DELETE FROM items WHERE id = ?", (rng.choice(ids),))
    conn.execute("COMMIT")
    return size()


def small_edit(seed: int) -> int:
    """What a typed note costs: one row updated, one small row added, in one transaction."""
    rng = random.Random(seed)
    conn = _conn
    conn.execute("BEGIN")
    conn.execute("UPDATE items SET tag = ? WHERE id = (SELECT max(id) FROM items WHERE tag LIKE 'small%')",
                 (f"small {seed}",))
    conn.execute("INSERT INTO items (tag, body) VALUES (?, ?)", ("small", rng.randbytes(500)))
    conn.execute("COMMIT")
    return size()


def grow(target: int, seed: int = 1) -> int:
    """Insert rows in one transaction until the file holds at least ``target`` bytes."""
    rng = random.Random(seed)
    conn = _conn
    conn.execute("BEGIN")
    while True:
        conn.execute("INSERT INTO items (tag, body) VALUES (?, ?)", ("grown", rng.randbytes(60_000)))
        if _page_count(conn) * _page_size(conn) >= target:
            break
    conn.execute("COMMIT")
    return size()


def shrink(keep: int = 3) -> int:
    """Delete all but ``keep`` rows and VACUUM: SQLite truncates the file."""
    conn = _conn
    conn.execute("DELETE FROM items WHERE id NOT IN (SELECT id FROM items ORDER BY id LIMIT ?)", (keep,))
    conn.execute("VACUUM")
    return size()


def integrity(path: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _page_count(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA page_count").fetchone()[0]


def _page_size(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA page_size").fetchone()[0]


def size() -> int:
    return os.path.getsize(_conn.execute("PRAGMA database_list").fetchone()[2])
