"""Python's cycle collector held off while a bulk of acyclic objects is made and used.

A sync pull decodes tens of thousands of dicts and lists (records, rows, clocks) that live
until its transaction commits. Every few hundred new objects the cycle collector runs and
walks the young ones again, and once enough of them have survived, a full collection walks
every object the engine holds: in one pull of a 50 MB snapshot that full collection alone
took 60-75 ms, a quarter of the pull, and the young collections 9-14 ms in every pull. None
of these objects form cycles, so reference counting frees them all the same while the
collector waits. Nested and concurrent holds (several engines in one process) share one: the
collector runs again as soon as the last ends, if it was running before the first began.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_holds = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """The cycle collector off for the ``with`` block (async code inside it may await)."""
    global _holds, _was_enabled
    if _holds == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _holds += 1
    try:
        yield
    finally:
        _holds -= 1
        if _holds == 0 and _was_enabled:
            gc.enable()
