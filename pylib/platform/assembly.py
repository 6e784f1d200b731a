"""A download's plaintext put together segment by segment (:class:`Assembly`), and its default
implementation: a buffer of the engine's own memory (:class:`BufferAssembly`).

Each segment is decrypted straight into its place (:meth:`Platform.aes_gcm_decrypt_into`) and,
where the host hashes incrementally, hashed as soon as every segment before it is, so little
is left to do once the last one arrives (CPython: hashlib and OpenSSL in threads, the event
loop receiving the next ranges meanwhile).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any

TAG_SIZE = 16


class Assembly(ABC):
    """One file's plaintext put together from AES-GCM segments as their ciphertext arrives, in
    the host's own memory: in the browser a JS buffer, so neither the ciphertext nor the
    plaintext of a download ever enters the engine's heap. Segments may come in any order;
    each lands at its plaintext offset. What to open with which nonce and associated data,
    and what the hash must be, is the caller's (:mod:`pylib.blobs.format`)."""

    platform: Any  # the Platform whose crypto opens the segments
    size: int
    _ready: dict[int, int]  # decrypted, not hashed yet: start -> end
    _hashed: int  # every byte before it was hashed, in file order

    def _fits(self, ciphertext: Any, start: int, end: int, at: int) -> int:
        """The plaintext size of ``ciphertext[start:end]`` if it lands inside the file at ``at``;
        ValueError if not (a segment too short for its tag, or past either end)."""
        size = end - start - TAG_SIZE
        if size < 0 or at < 0 or at + size > self.size or end > len(ciphertext):
            raise ValueError("the segment does not fit the file")
        return size

    def _landed(self, at: int, size: int) -> list[tuple[int, int]]:
        """Record the plaintext ``[at, at + size)`` as written; the spans that can now be hashed
        in file order (this one and any after it that landed earlier), marked hashed. The
        caller hashes them before another segment's spans (a lock, or no await between)."""
        self._ready[at] = at + size
        spans = []
        while self._hashed in self._ready:
            stop = self._ready.pop(self._hashed)
            spans.append((self._hashed, stop))
            self._hashed = stop
        return spans

    @abstractmethod
    async def open(self, ciphertext: Any, start: int, end: int, at: int, nonce: bytes, aad: bytes) -> int:
        """Check ``ciphertext[start:end]`` (one sealed segment, its tag last) and decrypt it into
        place ``at``; the plaintext bytes written. ``ciphertext`` is ``bytes`` or a host buffer
        (:meth:`Platform.fetch`'s ``host_body``). DecryptFailed if its tag fails; ValueError
        if it would not fit."""

    @abstractmethod
    async def finish(self) -> tuple[Any, bytes]:
        """``(plaintext, its SHA-256)`` once every byte was written (ValueError if not). The
        plaintext is a ``bytearray``, or a host buffer that :meth:`Platform.to_py` turns into
        ``bytes`` and :meth:`Platform.to_js` hands on as it is."""


class BufferAssembly(Assembly):
    """A plaintext in a ``bytearray``; :meth:`finish` returns that very buffer."""

    def __init__(self, platform: Any, key: bytes, size: int) -> None:  # a Platform (which imports this module)
        self.platform, self.key, self.size = platform, key, size
        # Every byte is written by a segment's decryption before it is hashed or returned
        # (finish checks the count), so the buffer need not be zeroed first.
        self.plain = platform.new_buffer(size)
        self.written = 0
        self._hasher = platform.sha256_stream()
        self._order = asyncio.Lock()
        self._ready: dict[int, int] = {}  # decrypted, not hashed yet: start -> end
        self._hashed = 0

    async def open(self, ciphertext: Any, start: int, end: int, at: int, nonce: bytes, aad: bytes) -> int:
        size = self._fits(ciphertext, start, end, at)
        with memoryview(ciphertext) as body, memoryview(self.plain) as out:
            await self.platform.aes_gcm_decrypt_into(self.key, nonce, body[start:end], out[at:at + size], aad)
        self.written += size
        if self._hasher is not None:
            async with self._order:  # in file order, whatever order the segments came in
                for begin, stop in self._landed(at, size):
                    with memoryview(self.plain) as out:
                        await self._hasher.update(out[begin:stop])
        return size

    async def finish(self) -> tuple[Any, bytes]:
        if self.written != self.size:
            raise ValueError("some of the file was never written")
        if self._hasher is not None and self._hashed == self.size:
            return self.plain, await self._hasher.digest()
        return self.plain, await self.platform.sha256(self.plain)
