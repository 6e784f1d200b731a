"""Compaction: returning the file's free pages, so the stored image and the export shrink.

A workspace created by this engine uses ``auto_vacuum = INCREMENTAL``: free pages are given
back by ``PRAGMA incremental_vacuum`` in steps, each a committed change of its own (the page
store saves the shorter file and the moved pages in one IndexedDB transaction, so a crash
leaves the last committed workspace). An older workspace (``auto_vacuum = NONE``) is
converted once with ``VACUUM``, which rewrites the file inside SQLite's own transaction: in
the browser the stored image changes only when the call's save lands, all at once.
"""

from __future__ import annotations

import time
from typing import Any

from pylib.care import settings
from pylib.db import Workspace
from pylib.errors import InvalidState

INCREMENTAL = 2
# Pages returned per step: ~4 MB, so a save that waits behind a step waits little.
PAGES_PER_STEP = 1024
# Compact when idle once this share of the file is free pages.
AUTO_SHARE = 0.25


def _pragma(ws: Workspace, name: str) -> int:
    return int(ws.conn.execute(f"PRAGMA {name}").fetchone()[0])


def free_share(ws: Workspace) -> float:
    """The share of the file's pages that are free."""
    pages = _pragma(ws, "page_count")
    return _pragma(ws, "freelist_count") / pages if pages else 0.0


def compact_step(ws: Workspace, pages: int = PAGES_PER_STEP) -> dict[str, Any]:
    """Return up to ``pages`` free pages (converting an old workspace with one VACUUM first).

    Returns ``{done, before_bytes, after_bytes, freed_bytes, free_bytes, ms, vacuumed}``."""
    if ws.in_transaction or ws.conn.in_transaction:
        raise InvalidState("Compaction cannot run inside another transaction.")
    started = time.perf_counter()
    page_size = _pragma(ws, "page_size")
    before = _pragma(ws, "page_count") * page_size
    vacuumed = _pragma(ws, "auto_vacuum") != INCREMENTAL
    if vacuumed:
        ws.conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        ws.conn.execute("VACUUM")
    else:
        # executescript steps the pragma to the end: execute() frees one page per call.
        ws.conn.executescript(f"PRAGMA incremental_vacuum({int(pages)})")
    after = _pragma(ws, "page_count") * page_size
    free = _pragma(ws, "freelist_count") * page_size
    result = {"done": free == 0, "before_bytes": before, "after_bytes": after,
              "freed_bytes": before - after, "free_bytes": free, "vacuumed": vacuumed,
              "ms": round((time.perf_counter() - started) * 1000, 1)}
    if result["done"]:
        settings.write(ws, "last_compact", {"at": ws.clock(), "after_bytes": after})
    return result
