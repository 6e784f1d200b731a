"""The platform interface: everything the engine needs from where it runs.

Two implementations, one chosen at import by :mod:`pylib.platform`: the browser's
(:mod:`.pyodide`: Emscripten's file system, the IndexedDB page store, ``fetch``, WebCrypto,
``BroadcastChannel``) and CPython's (:mod:`.cpython`: the disk, ``fsync``, httpx, the
``cryptography`` package, an in-process channel). The engine's logic is written against this
class only, so it runs, and is tested, the same way in both.

Byte conventions are WebCrypto's: AES-GCM takes a 12-byte nonce and returns the ciphertext
with its 16-byte tag appended; HKDF and HMAC use SHA-256.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from pylib.platform.assembly import Assembly, BufferAssembly  # Assembly is re-exported

Listener = Callable[[Any], None]


@dataclass(frozen=True)
class Response:
    """An HTTP response, read to the end. ``body`` is ``bytes``, or a host buffer (with a
    length) when the request asked for one (:meth:`Platform.fetch`'s ``host_body``)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    body: Any = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


class Store(ABC):
    """Where the workspace file is made durable after each committed call."""

    generation: int = 0

    @abstractmethod
    async def restore(self) -> int:
        """Put the saved workspace file in place; returns the bytes restored (0: new)."""

    @abstractmethod
    async def flush(self, schema_version: int) -> dict[str, Any] | None:
        """Make every change so far durable: ``{generation, ms, ...}``, or None if none.

        Raises :class:`~pylib.errors.SaveFailed` (with the store's own code, e.g.
        ``quota_exceeded``); nothing already saved is lost and the next flush retries.
        """

    @abstractmethod
    async def close(self) -> None:
        """Stop writing (another owner takes over); the store cannot be used afterwards."""


class Channel(ABC):
    """A named channel to the other workers of this origin (``BroadcastChannel`` semantics:
    a message reaches every other channel of the same name, never the sender itself)."""

    @abstractmethod
    def post(self, message: Any) -> None:
        """Send a JSON-compatible message (bytes allowed) to the other ends."""

    @abstractmethod
    def listen(self, callback: Listener) -> None:
        """Call ``callback(message)`` for every message from another end."""

    @abstractmethod
    def close(self) -> None:
        """Stop sending and receiving."""


class DeviceFiles(ABC):
    """Large files kept on this device outside the SQLite file, by object name; a put is
    durable when it returns (the engine records the file only afterwards)."""

    @abstractmethod
    async def put(self, name: str, data: bytes) -> None:
        """Keep ``data`` under ``name``. SaveFailed (e.g. ``quota_exceeded``) if there is no
        room: nothing is half written."""

    @abstractmethod
    async def get(self, name: str) -> bytes | None:
        """The bytes kept under ``name``, or None."""

    @abstractmethod
    async def delete(self, name: str) -> None:
        """Drop ``name`` (no error if absent)."""

    def hold(self, data: Any) -> Any:
        """What :meth:`put` can keep later, made now: ``data`` may be handed on (in the browser,
        transferred to the page) before the put. By default ``data`` itself."""
        return data

    async def rename(self, name: str, new_name: str) -> bool:
        """Keep the bytes of ``name`` under ``new_name`` instead (replacing what it held), in
        one step where the store allows; False (nothing changed) if ``name`` holds nothing.
        This default copies; the stores override it with a move."""
        data = await self.get(name)
        if data is None:
            return False
        await self.put(new_name, data)
        await self.delete(name)
        return True


class Hasher(ABC):
    """An incremental SHA-256: parts in order, then the digest."""

    @abstractmethod
    async def update(self, data: bytes | memoryview) -> None:
        """Hash ``data`` next (it may be changed again once this returns)."""

    @abstractmethod
    async def digest(self) -> bytes:
        """The SHA-256 of everything so far (32 bytes)."""


class Platform(ABC):
    """The one interface to the host: files, page store, JS values, network, crypto, workers."""

    name: str
    journal_mode: str | None = None  # the SQLite journal mode the host's file system suits
    download_concurrency: int = 3  # ranged GETs of one download in flight at once
    # A download as one GET read as it streams in (fetch_pieces), not ranged GETs in parallel.
    download_streamed: bool = False

    @abstractmethod
    def workspace_path(self, workspace: str = "default") -> str:
        """Where the workspace's SQLite file lives on this host's file system."""

    @abstractmethod
    async def open_store(self, workspace: str, path: str, **options: Any) -> Store:
        """The store that makes ``path`` durable (``options``: host-specific tuning)."""

    @abstractmethod
    async def open_device_files(self, workspace: str, **options: Any) -> DeviceFiles:
        """The device store of large files for ``workspace`` (``options``: host-specific)."""

    @abstractmethod
    def to_py(self, value: Any) -> Any:
        """A host value as plain Python: dicts, lists, str, numbers, None and bytes."""

    @abstractmethod
    def to_js(self, value: Any) -> Any:
        """Plain Python as a host value (objects, arrays, Uint8Array in the browser)."""

    @abstractmethod
    async def fetch(
        self, url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
        body: bytes | None = None, host_body: bool = False,
    ) -> Response:
        """One HTTP request. Raises :class:`~pylib.errors.NetworkError` when no response came
        (an HTTP error status is a response, not an exception). ``host_body``: the body may stay
        a host buffer (for an :class:`Assembly`) instead of becoming ``bytes``."""

    async def fetch_pieces(self, url: str, *, headers: dict[str, str] | None = None, piece: int,
                           each: Callable[[Any], Awaitable[Any]]) -> Response:
        """One GET whose body, on a 2xx answer, is handed to ``each(chunk)`` in pieces of
        ``piece`` bytes as it arrives (the last may be shorter; host buffers where the host has
        them) and not kept: the response's body is then empty. NetworkError if no answer came
        or the body stopped early (the pieces handed on so far stay handed on). By default the
        whole body is read first, then cut."""
        reply = await self.fetch(url, headers=headers, host_body=True)
        if not reply.ok:
            return Response(reply.status, reply.headers, self.to_py(reply.body))
        for at in range(0, len(reply.body), piece):
            await each(reply.body[at:at + piece] if isinstance(reply.body, (bytes, bytearray))
                       else reply.body.subarray(at, at + piece))
        return Response(reply.status, reply.headers, b"")

    @abstractmethod
    async def sha256(self, data: bytes) -> bytes:
        """SHA-256 digest (32 bytes)."""

    def sha256_stream(self) -> Hasher | None:
        """An incremental SHA-256, where the host has one that costs no more than hashing the
        whole at once (a download hashes what arrived while the rest is coming); None: hash
        the whole with :meth:`sha256`."""
        return None

    @abstractmethod
    async def hmac_sha256(self, key: bytes, data: bytes) -> bytes:
        """HMAC-SHA-256 of ``data`` under ``key`` (32 bytes)."""

    @abstractmethod
    async def hkdf_sha256(self, ikm: bytes, *, salt: bytes, info: bytes, length: int) -> bytes:
        """HKDF (RFC 5869) with SHA-256: ``length`` bytes of key material from ``ikm``."""

    @abstractmethod
    async def aes_gcm_encrypt(
        self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes = b""
    ) -> bytes:
        """AES-GCM (128- or 256-bit key, 12-byte nonce): ciphertext followed by the tag."""

    @abstractmethod
    async def aes_gcm_decrypt(
        self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes = b""
    ) -> bytes:
        """The plaintext; raises :class:`~pylib.errors.DecryptFailed` if the tag is wrong."""

    async def aes_gcm_decrypt_into(self, key: bytes, nonce: bytes, ciphertext: bytes | memoryview,
                                   out: memoryview, aad: bytes = b"") -> None:
        """:meth:`aes_gcm_decrypt` written into ``out`` (exactly the plaintext's length), so a
        large download is assembled without copies where the host can; by default decrypted,
        then copied."""
        plain = await self.aes_gcm_decrypt(key, nonce, bytes(ciphertext), aad)
        if len(plain) != len(out):
            raise ValueError("the output does not have the plaintext's length")
        out[:] = plain

    async def off_loop(self, size: int, work: Any, *args: Any) -> Any:
        """``work(*args)``: in a thread where the host has threads and ``size`` bytes make it
        worth one (work that lets go of the GIL, as zstd does, then runs beside the event
        loop); by default at once."""
        return work(*args)

    def assembly(self, key: bytes, size: int) -> Assembly:
        """An :class:`Assembly` of a ``size``-byte plaintext sealed under the AES-GCM ``key``.
        By default a buffer of :meth:`new_buffer` filled by :meth:`aes_gcm_decrypt_into` and
        hashed in order as it fills (:meth:`sha256_stream`)."""
        check_aes_inputs(key, bytes(12))
        return BufferAssembly(self, key, size)

    def new_buffer(self, size: int) -> bytearray:
        """A writable buffer of ``size`` bytes that the caller overwrites whole before anyone
        reads it (a download's plaintext): its contents are unspecified, so a host may skip
        zeroing it. By default a zeroed ``bytearray``."""
        return bytearray(size)

    @abstractmethod
    def random_bytes(self, n: int) -> bytes:
        """``n`` bytes from the host's cryptographically secure generator."""

    @abstractmethod
    def channel(self, name: str) -> Channel:
        """A channel to the other workers listening on ``name``."""


def check_aes_inputs(key: bytes, nonce: bytes) -> None:
    """Refuse what WebCrypto would refuse, the same way on both hosts."""
    if len(key) not in (16, 32):
        raise ValueError("AES-GCM keys are 16 or 32 bytes")
    if len(nonce) != 12:
        raise ValueError("AES-GCM nonces are 12 bytes")
