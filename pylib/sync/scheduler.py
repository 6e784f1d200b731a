"""When the owning tab syncs, and what its status says.

One :class:`SyncScheduler` runs in the worker of the tab that owns the workspace (other tabs
follow that tab's saves as they do today and never sync themselves). It is plain logic on a
clock, driven by the worker's events, so it is tested without a browser:

- after a commit, a sync is due once the edits pause (debounced);
- on focus and on coming online, at once;
- while the page is visible, the manifest is polled (a conditional read: a 304 costs almost
  nothing, and pulls only when another device pushed);
- after a failure, retries back off (doubling, capped) until something succeeds.

:meth:`status` is what the status area shows: "Synced", "Syncing…", "Offline — 12 changes
waiting", or what is wrong (signed out, key missing, storage full, a newer Quire elsewhere,
an object that failed its checks) — never silently stale.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from pylib.sync import errors

# A save is already the end of a pause in typing (the editor saves when typing stops), so
# the round follows it closely; a burst of saves still makes one round.
DEBOUNCE_MS = 300
# The manifest poll while the page is visible: a conditional GET, 304 when nothing changed
# (two small requests: the presign and S3's answer), so another device's edit shows within
# about a second and a half plus a pull.
POLL_MS = 1_500
RETRY_MS = (2_000, 60_000)  # first retry, longest wait between retries


def _monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000


@dataclass(frozen=True)
class Status:
    """``state``: synced | syncing | waiting | offline | signed_out | key_missing | quota |
    update_required | refused | failed; ``waiting``: changes a person made not yet pushed
    (documents and folders, :func:`pylib.sync.outbox.count_changes`); ``text``: for people."""

    state: str
    waiting: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "waiting": self.waiting, "text": self.text}


_PROBLEMS = {
    errors.StoreUnavailable: ("offline", "Offline"),
    errors.SignedOut: ("signed_out", "Signed out: sign in to sync"),
    errors.QuotaExceeded: ("quota", "Storage full"),
    errors.UpdateRequired: ("update_required", "A newer Quire wrote changes: update Quire"),
    errors.Refused: ("refused", "Sync stopped: an object on the server failed its checks"),
}


def _changes(n: int) -> str:
    return f"{n:,} change{'s' if n != 1 else ''} waiting"


def describe(state: str, waiting: int, problem: str = "") -> Status:
    if state == "synced" and waiting:
        state = "waiting"
    text = {"synced": "Synced", "syncing": "Syncing…", "waiting": _changes(waiting),
            "key_missing": "Key missing: enter your passphrase to sync"}.get(state)
    if text is None:
        text = f"{problem} — {_changes(waiting)}" if waiting else problem
    return Status(state, waiting, text)


class SyncScheduler:
    """``engine``: a :class:`~pylib.sync.engine.SyncEngine`, or ``None`` while the workspace
    key is not unlocked (status "key missing"). ``clock``: milliseconds, monotonic."""

    def __init__(self, engine: Any, *, clock: Callable[[], int] = _monotonic_ms,
                 debounce_ms: int = DEBOUNCE_MS, poll_ms: int = POLL_MS) -> None:
        self.engine, self.clock = engine, clock
        self.debounce_ms, self.poll_ms = debounce_ms, poll_ms
        self.visible, self.online = True, True
        self._due: int | None = clock()  # sync once at start
        self._last_poll = clock()
        self._retry = 0
        self._state, self._problem = "synced", ""

    # --- events from the page --------------------------------------------------------

    def committed(self, *_: Any) -> None:
        """After a local commit (an ``on_commit`` hook): sync once the edits pause. Sync's
        own commits are not edits (what is typed meanwhile is seen when the sync ends)."""
        if self._state == "syncing":
            return
        at = self.clock() + self.debounce_ms
        if self._retry == 0:
            self._due = at if self._due is None else max(self._due, at)

    def focused(self) -> None:
        self._due, self._retry = self.clock(), 0

    def went_online(self) -> None:
        self.online = True
        self.focused()

    def went_offline(self) -> None:
        self.online = False

    def visibility(self, visible: bool) -> None:
        self.visible = visible
        if visible:
            self.focused()

    # --- running ---------------------------------------------------------------------

    def next_wake(self) -> int | None:
        """When :meth:`tick` has something to do (ms on the clock), or ``None``."""
        polling = self.visible and not self._retry  # no polling while backing off
        wakes = [w for w in (self._due, self._last_poll + self.poll_ms if polling else None)
                 if w is not None]
        return min(wakes) if wakes and self.engine is not None and self.online else None

    async def tick(self) -> str | None:
        """Do what is due: ``"sync"``, ``"poll"`` or ``None``."""
        now = self.clock()
        if self.engine is None or not self.online:
            return None
        if self._due is not None and now >= self._due:
            self._due = None
            await self._run(self.engine.sync)
            return "sync"
        if self.visible and not self._retry and now >= self._last_poll + self.poll_ms:
            self._last_poll = now
            await self._run(self.engine.pull)  # a 304 when nothing changed
            if self.engine.waiting():
                self._due = now
            return "poll"
        return None

    async def _run(self, call: Callable[[], Any]) -> None:
        self._state = "syncing"
        try:
            await call()
        except errors.SyncError as exc:
            state, text = next(((s, t) for kind, (s, t) in _PROBLEMS.items()
                                if isinstance(exc, kind)), ("failed", exc.message))
            self._state, self._problem = state, text
            first, longest = RETRY_MS
            self._retry = first if not self._retry else min(longest, self._retry * 2)
            self._due = self.clock() + self._retry
            return
        self._state, self._problem, self._retry = "synced", "", 0
        if self.engine.waiting():  # edits made while it ran
            self.committed()

    def status(self) -> Status:
        """What the status area says now."""
        waiting = self.engine.changes_waiting() if self.engine is not None else 0
        if self.engine is None:
            return describe("key_missing", waiting)
        if not self.online:
            return describe("offline", waiting, "Offline")
        return describe(self._state, waiting, self._problem)
