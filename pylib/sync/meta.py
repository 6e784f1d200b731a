"""This device's sync progress (``sync_meta``): cursors, the manifest last seen."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def get(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else default


def put(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute("INSERT OR REPLACE INTO sync_meta (key, value) VALUES (?, ?)",
                 (key, json.dumps(value, sort_keys=True)))
