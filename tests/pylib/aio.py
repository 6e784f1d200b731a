"""Run a coroutine to the end from synchronous test code, on CPython.

``asyncio.run`` refuses to start while this thread already runs an event loop, and in the full
suite one does: Playwright's sync API keeps its loop running in the main thread for the whole
browser-test session. A thread of its own always starts clean.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` in a fresh thread; its result, or its exception raised here."""
    with ThreadPoolExecutor(1, thread_name_prefix="quire-test-loop") as pool:
        return pool.submit(asyncio.run, coro).result()
