"""Large files and the workspace key in the page's data worker: what ``keys.*`` and ``files.*``
(:mod:`pylib.blobs.api_methods`) work on.

One :class:`FileService` per worker (:func:`current`), set up by the host at boot with
:func:`configure` (web/engine/engine.py: same-origin proxy, hash-wasm's Argon2id, the device key
store web/engine/devicekey.mjs; the tests: a live proxy, argon2-cffi, :class:`MemoryKeyCache`).

The unlocked data key is kept on this device only wrapped under a non-extractable WebCrypto key
(:class:`KeyCache`), per workspace and signed-in account, so a reload does not ask again; the
sync engine reads the same key through :meth:`FileService.workspace_keys`.

The upload queue runs in the background (:meth:`FileService.kick`), never inside one call: a
call starts it and returns, the page polls ``files.status`` for progress (each poll also saves
what the queue committed meanwhile; a multipart upload's id is saved at once, through
``Host.persist``). Downloads on demand report their progress there too (``downloads``).
Offline or signed out it stops; the ledger's backoff, the page's ``online`` event and, when the
server could not be reached, the page seeing it answer again bring it back.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from pylib.blobs.device import DeviceFiles
from pylib.blobs.store import BlobStore
from pylib.errors import KeyUnavailable, NetworkError, QuireError
from pylib.keyring import Kdf, Keyring, cpython_argon2id
from pylib.keys import WorkspaceKeys, derive_keys
from pylib.platform.base import Platform
from pylib.s3client import S3Client


class KeyCache(ABC):
    """Where this device keeps an unlocked workspace key between sessions."""

    @abstractmethod
    async def load(self, workspace: str) -> tuple[str, bytes] | None:
        """``(account, data_key)`` kept for ``workspace``, or None."""

    @abstractmethod
    async def save(self, workspace: str, account: str, data_key: bytes) -> None:
        """Keep ``data_key`` for ``workspace`` and ``account`` (replacing any other)."""

    @abstractmethod
    async def forget(self, workspace: str) -> None:
        """Drop what is kept for ``workspace``."""


class MemoryKeyCache(KeyCache):
    """A key cache that lasts as long as the process (CPython and tests)."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[str, bytes]] = {}

    async def load(self, workspace: str) -> tuple[str, bytes] | None:
        return self.kept.get(workspace)

    async def save(self, workspace: str, account: str, data_key: bytes) -> None:
        self.kept[workspace] = (account, bytes(data_key))

    async def forget(self, workspace: str) -> None:
        self.kept.pop(workspace, None)


@dataclass
class Host:
    """What the service needs from where it runs."""

    platform: Platform
    key_cache: KeyCache
    device_files: Any  # async () -> DeviceFiles
    base_url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    kdf: Kdf = cpython_argon2id
    workspace: str = "default"
    costs: dict[str, int] | None = None  # Argon2id costs for new envelopes (tests: cheap)
    # Makes what the workspace committed durable now (the browser's page store flushes only
    # after a call); None where a commit is durable by itself (CPython's file).
    persist: Any = None  # async () -> Any


@dataclass
class Progress:
    """What the page shows while the queue runs."""

    running: bool = False
    name: str | None = None
    done: int = 0
    total: int = 0
    overall_done: int = 0
    overall_total: int = 0
    stopped: str | None = None  # why the last run ended early (network_error, not_signed_in, locked)
    failed: dict[str, str] = field(default_factory=dict)


class FileService:
    """Keys and large files of the worker's workspace for its signed-in user."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.client = S3Client(host.platform, host.base_url, headers=host.headers)
        self.keyring = Keyring(host.platform, self.client, host.workspace, kdf=host.kdf, costs=host.costs)
        self.progress = Progress()
        # Files being downloaded on demand: {artifact id: {"done", "total"}} (plaintext bytes).
        self.downloads: dict[str, dict[str, int]] = {}
        # Names whose bytes on this device were hashed already this session (queue.kept_copy).
        self.verified: set[str] = set()
        # Downloads being kept in the device cache after their answer: {name: task}.
        self.keeping: dict[str, asyncio.Task] = {}
        self._keys: WorkspaceKeys | None = None
        self._data_key: bytes | None = None
        self._files: DeviceFiles | None = None
        self._task: asyncio.Task | None = None

    # --- the account and the key ------------------------------------------------------------

    async def account(self) -> str | None:
        """The signed-in user's id; None when signed out. NetworkError when offline."""
        reply = await self.host.platform.fetch(self.client.base_url + "/api/auth/me",
                                               headers={"accept": "application/json", **self.host.headers})
        if reply.status == 401:
            return None
        body = reply.json() if reply.ok else {}
        return str(body["uid"]) if body.get("signed_in") and body.get("uid") else None

    async def data_key(self) -> bytes | None:
        """The unlocked data key (this session's, or the one kept on this device)."""
        if self._data_key is None:
            kept = await self.host.key_cache.load(self.host.workspace)
            if kept is not None:
                self._data_key = kept[1]
        return self._data_key

    async def workspace_keys(self) -> WorkspaceKeys | None:
        """The subkeys (blobs, sync, names) if the key is unlocked on this device, else None."""
        if self._keys is None:
            data_key = await self.data_key()
            if data_key is not None:
                self._keys = await derive_keys(self.host.platform, data_key)
        return self._keys

    async def keep(self, account: str, data_key: bytes) -> None:
        """Use ``data_key`` from now on, and keep it on this device."""
        await self.host.key_cache.save(self.host.workspace, account, data_key)
        self._data_key, self._keys = data_key, None

    async def check_account(self) -> tuple[str | None, bool]:
        """``(account, online)``: the signed-in account when the server answers (a kept key of
        another account is forgotten), else the account the kept key belongs to."""
        kept = await self.host.key_cache.load(self.host.workspace)
        try:
            account = await self.account()
        except NetworkError:
            return (kept[0] if kept else None), False
        if kept is not None and kept[0] != account:
            await self.forget()
        return account, True

    async def forget(self) -> None:
        """Lock: drop the key from this session and this device (the cloud copy stays)."""
        await self.host.key_cache.forget(self.host.workspace)
        self._data_key = self._keys = None

    # --- files ------------------------------------------------------------------------------

    async def files(self) -> DeviceFiles:
        if self._files is None:
            self._files = await self.host.device_files()
        return self._files

    async def store(self) -> BlobStore:
        """The blob store under the unlocked key; KeyUnavailable while locked."""
        keys = await self.workspace_keys()
        if keys is None:
            raise KeyUnavailable("Set up or unlock encryption first: large files are encrypted with the workspace key.")
        return BlobStore(self.host.platform, self.client, keys)

    def keep_later(self, ws: Any, ref: Any, held: Any) -> None:
        """Keep a verified download in the device cache in the background (the page has its
        bytes already): the device store's write, then the ledger's row, then made durable.
        A copy that cannot be kept (a full disk) is only not cached: S3 holds the file."""
        from pylib.blobs.queue import keep_download

        async def keep() -> None:
            try:
                await keep_download(ws, await self.files(), ref, held, self.verified)
                if self.host.persist is not None:
                    await self.host.persist()
            except QuireError:
                pass
            finally:
                self.keeping.pop(ref.name, None)

        self.keeping[ref.name] = asyncio.ensure_future(keep())

    async def settle(self, name: str | None = None) -> None:
        """Until the download of ``name`` (None: every one) is kept in the device cache."""
        tasks = list(self.keeping.values()) if name is None else [self.keeping[name]] if name in self.keeping else []
        if tasks:
            await asyncio.gather(*(asyncio.shield(task) for task in tasks), return_exceptions=True)

    def kick(self, ws: Any) -> bool:
        """Start a queue run in the background unless one is running; True if one started."""
        if self._task is not None and not self._task.done():
            return False
        self._task = asyncio.ensure_future(self._run(ws))
        return True

    async def wait(self) -> None:
        """Until the current queue run (if any) ends."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _run(self, ws: Any) -> None:
        from pylib.blobs.local import name_local
        from pylib.blobs.queue import UploadQueue, drop_unreferenced, offload_pending
        from pylib.blobs.replaced import release

        state = self.progress
        state.running = True
        try:
            store = await self.store()
            if state.stopped == "locked":
                state.stopped = None
            files = await self.files()
            await offload_pending(ws, store, files)
            await name_local(ws, store, files, self.host.persist)  # what was added while locked
            await drop_unreferenced(ws, files, store)  # gone for good before it went up: nothing to send
            report = await UploadQueue(ws, store, files, progress=self._moved, durable=self.host.persist).run()
            await release(ws, files)  # a replaced workspace's files in S3 now: S3 keeps them for its backup
            if report.uploaded or report.deduplicated or report.failed:  # a run with nothing due keeps the last word
                state.stopped, state.failed = report.stopped, dict(report.failed)
        except KeyUnavailable:
            state.stopped = "locked"
        except QuireError as error:
            state.stopped = error.code
        finally:
            state.running, state.name = False, None

    def _moved(self, news: dict[str, Any]) -> None:
        for name in ("name", "done", "total", "overall_done", "overall_total"):
            setattr(self.progress, name, news[name])


_current: FileService | None = None


def configure(host: Host) -> FileService:
    """Set up this worker's service (the host calls it once at boot)."""
    global _current
    _current = FileService(host)
    return _current


def configured() -> FileService | None:
    """This worker's service, or None where the host set none up (the CLI, most tests)."""
    return _current


def current() -> FileService:
    """This worker's service; KeyUnavailable if the host set none up."""
    if _current is None:
        raise KeyUnavailable("Encrypted files are not available here.")
    return _current
