"""The sync session of the open workspace, as the page's worker runs it: keys, engine, timing.

One :class:`SyncService` lives in the data worker of the tab that owns the workspace. It holds

- the keyring (:mod:`pylib.keyring`): the workspace key is created, unlocked or recovered here
  and the data key kept on this device (:class:`DeviceKeys`); nothing is sent before it is;
- the :class:`~pylib.sync.engine.SyncEngine` over the proxy's presigned S3 (made once a key is
  at hand, under the key's ``sync`` subkey);
- the :class:`~pylib.sync.scheduler.SyncScheduler`, which says when a round is due. The page
  drives it: it reports edits, focus and connectivity, and calls :meth:`tick` when the status
  it got back asks to be woken (``wake_in_ms``).

Every answer is :meth:`status`: what the indicator says, in words, plus what the page needs to
follow a round (``pulled``: rows another device changed; ``conflicts``: notes kept twice).
"""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable, Protocol

from pylib import recovery
from pylib.db import Workspace
from pylib.errors import KeyUnavailable, NetworkError, StorageError
from pylib.keyring import Keyring, cpython_argon2id
from pylib.keys import derive_keys
from pylib.platform.base import Platform
from pylib.s3client import Retry, S3Client
from pylib.sync import adopt, outbox
from pylib.sync.engine import SyncEngine
from pylib.sync.proxystore import ProxyStore
from pylib.sync.scheduler import SyncScheduler, describe
from pylib.sync.store import ObjectStore

KEY_CHECK_MS = 30_000  # while no key is at hand: how often to look whether one was made elsewhere
KEY_LOCAL_MS = 2_000  # ... and whether the encryption screens unlocked one here (a local read)

# What the indicator says while sync cannot start yet, by the key's state.
_KEY_TEXT = {
    "no_keys": "Set up encryption to sync",
    "locked": "Enter your passphrase to sync",
    "signed_out": "Sign in to sync",
    "offline": "Offline",
    "unknown": "Checking sync…",
}


class DeviceKeys(Protocol):
    """Where this device keeps the unlocked data key between sessions (never the server)."""

    async def load(self) -> bytes | None: ...

    async def save(self, data_key: bytes) -> None: ...


class MemoryKeys:
    """The data key in memory only (CPython devices and tests)."""

    def __init__(self) -> None:
        self.data_key: bytes | None = None

    async def load(self) -> bytes | None:
        return self.data_key

    async def save(self, data_key: bytes) -> None:
        self.data_key = bytes(data_key)


def _ms() -> int:
    return int(time.time() * 1000)


class _Counting:
    """The engine as the scheduler sees it, counting what each round pulled."""

    def __init__(self, engine: SyncEngine, service: SyncService) -> None:
        self.engine, self.service = engine, service

    async def sync(self) -> dict[str, int]:
        result = await self.engine.sync()
        self.service.pulled += result["pulled"]
        return result

    async def pull(self) -> int:
        pulled = await self.engine.pull()
        self.service.pulled += pulled
        return pulled

    def waiting(self) -> int:
        return self.engine.waiting()

    def changes_waiting(self) -> int:
        return self.engine.changes_waiting()


class SyncService:
    """Sync of the workspace open in this worker, for one signed-in user.

    ``base_url`` and ``headers`` reach the proxy ("" and the session cookie in the page);
    ``kdf`` derives passphrase keys (Argon2id); ``keys`` keeps the data key on this device;
    ``store`` replaces the proxy's S3 for sync's objects; ``costs``: Argon2id's (tests).
    """

    def __init__(self, platform: Platform, *, base_url: str = "", headers: dict[str, str] | None = None,
                 workspace: str = "default", kdf: Callable[..., Awaitable[bytes]] = cpython_argon2id,
                 keys: DeviceKeys | None = None, store: ObjectStore | None = None,
                 clock: Callable[[], int] | None = None,
                 costs: dict[str, int] | None = None) -> None:
        self.platform = platform
        client = S3Client(platform, base_url, headers=headers, retry=Retry(attempts=2))
        self.keyring = Keyring(platform, client, workspace, kdf=kdf, costs=costs)
        self.store = store or ProxyStore(base_url, headers, platform)
        self.keys = keys or MemoryKeys()
        self.clock = clock
        self.ws: Workspace | None = None
        self.engine: SyncEngine | None = None
        self.scheduler = self._scheduler(None)
        self.key_state = "unknown"
        self.key_checked: int | None = None
        self.key_problem = ""
        self.last_synced: int | None = None
        self.pulled = 0
        self.conflicts: list[dict[str, Any]] = []

    def _scheduler(self, engine: SyncEngine | None) -> SyncScheduler:
        wrapped = _Counting(engine, self) if engine is not None else None
        old = getattr(self, "scheduler", None)
        new = SyncScheduler(wrapped, clock=self.clock) if self.clock else SyncScheduler(wrapped)
        if old is not None:
            new.online, new.visible = old.online, old.visible
        return new

    # --- the workspace and its key -------------------------------------------------

    def attach(self, ws: Workspace) -> None:
        """Serve ``ws`` (the worker's open workspace; again after an import reopened it)."""
        if ws is self.ws:
            return
        self.ws = ws
        ws.on_commit.append(lambda _ws: self.scheduler.committed())
        self.engine = None
        self.scheduler = self._scheduler(None)

    async def _use_key(self, data_key: bytes) -> None:
        assert self.ws is not None
        subkeys = await derive_keys(self.platform, data_key)
        self.engine = SyncEngine(self.ws, self.store, subkeys.sync)
        self.scheduler = self._scheduler(self.engine)
        self.key_state = "ready"

    async def _find_key(self) -> None:
        """No engine yet: the key kept on this device, or whether the workspace has one at all."""
        stored = await self.keys.load()
        if stored is not None:
            await self._use_key(stored)
            return
        now = _ms()
        if self.key_checked is not None and now - self.key_checked < KEY_CHECK_MS:
            return
        self.key_checked = now
        try:
            self.key_state = "locked" if await self.keyring.exists() else "no_keys"
        except StorageError as error:
            codes = {"not_signed_in": "signed_out", "unavailable": "offline"}
            self.key_state = codes.get(error.code, "failed")
            self.key_problem = error.message
        except NetworkError:
            self.key_state = "offline"

    async def create_keys(self, passphrase: str) -> dict[str, Any]:
        """A new workspace key (create-only in S3), kept here; the 24 recovery words to show once."""
        unlocked = await self.keyring.create(passphrase)
        await self.keys.save(unlocked.data_key)
        await self._use_key(unlocked.data_key)
        self.scheduler.focused()
        assert unlocked.recovery is not None
        return {"recovery_words": recovery.to_words(unlocked.recovery), **self.status()}

    async def unlock(self, passphrase: str | None = None, words: str | None = None) -> dict[str, Any]:
        """This workspace's key from its passphrase (or recovery words), kept on this device."""
        if passphrase is None and words is None:
            raise KeyUnavailable("Give the passphrase or the recovery words.")
        unlocked = (await self.keyring.unlock(passphrase) if passphrase is not None
                    else await self.keyring.recover(recovery.from_words(words or "")))
        await self.keys.save(unlocked.data_key)
        await self._use_key(unlocked.data_key)
        self.scheduler.focused()
        return self.status()

    # --- what the page drives ------------------------------------------------------

    def event(self, kind: str) -> None:
        """``focus`` | ``online`` | ``offline`` | ``visible`` | ``hidden`` | ``edit``."""
        s = self.scheduler
        {"focus": s.focused, "online": s.went_online, "offline": s.went_offline,
         "visible": lambda: s.visibility(True), "hidden": lambda: s.visibility(False),
         "edit": s.committed}[kind]()
        if kind in ("focus", "online"):
            self.key_checked = None  # look again now (a key may have been made elsewhere)

    async def tick(self, now: bool = False) -> dict[str, Any]:
        """Run what is due (everything, with ``now``: "Sync now", "Try again") and report."""
        if now:
            self.key_checked = None
        if self.engine is None:
            if self.scheduler.online:
                await self._find_key()
            if self.engine is None:
                return self.status()
        links = self.ws is not None and adopt.links_due(self.ws.conn)
        if self.engine.finish():  # what a new device's first pull left, a piece per tick
            return {**self.status(), "indexed": links}  # its link index: the views follow
        if now:
            self.scheduler.focused()
        self.pulled, self.conflicts = 0, []
        started = self.ws.clock() if self.ws is not None else 0
        done = await self.scheduler.tick()
        if done and self.scheduler.status().state in ("synced", "waiting"):
            self.last_synced = _ms()
        if self.pulled:
            self.conflicts = self._conflicts_since(started)
        report = self.status()
        self.pulled, self.conflicts = 0, []  # reported once: a later status has none
        return report

    def _conflicts_since(self, since: int) -> list[dict[str, Any]]:
        assert self.ws is not None
        rows = self.ws.conn.execute(
            "SELECT json_extract(payload, '$.artifact_id'), json_extract(payload, '$.path')"
            " FROM action_log WHERE action_type = 'SYNC_CONFLICT' AND timestamp >= ?"
            " ORDER BY timestamp", (since,)).fetchall()
        return [{"artifact_id": a, "path": p} for a, p in rows]

    def status(self) -> dict[str, Any]:
        """What the indicator shows: ``{state, text, waiting, last_synced, retry, wake_in_ms,
        pulled, conflicts, key}`` (``wake_in_ms``: when to call :meth:`tick` again, or null)."""
        waiting = outbox.count_changes(self.ws.conn) if self.ws is not None else 0
        s = self.scheduler
        if self.engine is None:
            state = "offline" if not s.online else self.key_state
            text = _KEY_TEXT.get(state) or f"Sync cannot start: {self.key_problem}"
            if waiting and state in ("offline", "signed_out"):
                text = describe("offline", waiting, text).text
            wake = KEY_LOCAL_MS if s.online else None
            body = {"state": "key_missing" if state in ("no_keys", "locked") else state,
                    "text": text, "waiting": waiting, "retry": state == "failed"}
        else:
            current = s.status()
            wake_at = s.next_wake()
            clock = s.clock()
            wake = None if wake_at is None else max(0, wake_at - clock)
            if self.ws is not None and adopt.due(self.ws.conn):
                wake = 0  # the documents are shown: now what was left (engine.finish)
            body = {**current.to_dict(),
                    "retry": current.state not in ("synced", "syncing", "waiting", "offline")}
        return {**body, "last_synced": self.last_synced, "wake_in_ms": wake, "key": self.key_state,
                "pulled": self.pulled, "conflicts": list(self.conflicts), "indexed": False}

