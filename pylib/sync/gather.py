"""Small helpers of the sync engine: reading a few objects at a time, and the workspace's tag."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Any, Awaitable, Callable

FETCH_AT_ONCE = 4  # objects of one pull read at the same time (the network overlaps the opening)


async def gather_few(calls: list[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Await ``calls`` a few at a time, results in order; the first failure cancels the rest.
    Outside a task of a running event loop (tests drive the engine by hand, sometimes while
    another library's loop runs in the same thread) one after another."""
    try:
        in_task = asyncio.current_task() is not None
    except RuntimeError:  # no running loop
        in_task = False
    if not in_task:
        return [await call() for call in calls]
    gate = asyncio.Semaphore(FETCH_AT_ONCE)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await call()

    tasks = [asyncio.ensure_future(one(call)) for call in calls]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def workspace_tag(sync_key: bytes) -> str:
    """A name for the workspace in object headers, derived from its key (objects of another
    workspace carry another tag and do not open under this key anyway)."""
    return hmac.new(sync_key, b"quire-sync-workspace", hashlib.sha256).hexdigest()[:32]
