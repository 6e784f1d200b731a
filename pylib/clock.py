"""Time and identifiers.

Timestamps are Unix milliseconds. Ids are time-ordered UUIDs (the UUIDv7 layout: 48 bits of
milliseconds, then a counter, then randomness), so ids made later in this process sort after
earlier ones even within one millisecond; the action log's keyset paging relies on that.
"""

from __future__ import annotations

import os
import time
import uuid

_last_ms = 0
_counter = 0


def now_ms() -> int:
    """Current time in Unix milliseconds, never going backwards within this process."""
    global _last_ms
    ms = time.time_ns() // 1_000_000
    if ms < _last_ms:
        ms = _last_ms
    _last_ms = ms
    return ms


def new_id(ms: int | None = None) -> str:
    """A new time-ordered UUID string (version 7 layout)."""
    global _counter, _last_id_ms
    ms = now_ms() if ms is None else ms
    ms = max(ms, _last_id_ms)
    if ms == _last_id_ms:
        _counter += 1
    else:
        _last_id_ms, _counter = ms, int.from_bytes(os.urandom(1), "big")
    if _counter > 0xFFF:
        # 4,096 ids in one millisecond: borrow the next millisecond to keep the order.
        ms, _counter = ms + 1, 0
        _last_id_ms = ms
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | _counter << 64 | 0b10 << 62 | rand
    return str(uuid.UUID(int=value))


_last_id_ms = -1
