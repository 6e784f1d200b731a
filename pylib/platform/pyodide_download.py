"""A download's bytes in the browser's data worker (:mod:`pylib.platform.pyodide`): a fetched
body read as it streams in, and the plaintext assembled in a JS buffer. No byte of a
download enters the wasm heap; Python holds proxies and decides what goes where.
"""

from __future__ import annotations

import asyncio
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, JsProxy, create_proxy  # type: ignore

from pylib.errors import DecryptFailed
from pylib.platform.base import Assembly


async def pieces(body: Any, piece: int, each: Any, read_pieces: Any = None) -> None:
    """The fetched ``body`` (a ReadableStream) to ``each`` in JS buffers of ``piece`` bytes
    (the last shorter), in order: by the host's JS loop (``read_pieces``, web/engine/streams.mjs)
    or, without one, by this one (a Python round trip per chunk). A refusal from ``each``
    cancels the stream; a JsException means the body stopped early."""
    if read_pieces is not None:
        refused: list[BaseException] = []

        async def guarded(chunk: Any) -> None:
            try:
                await each(chunk)
            except BaseException as error:  # it comes back from JS as a JsException: keep it
                refused.append(error)
                raise

        callback = create_proxy(guarded)
        try:
            await read_pieces(body, piece, callback)
        except JsException:
            if refused:  # each() refused a piece (the stream is cancelled): its own error
                raise refused[0] from None
            raise  # the body broke off
        finally:
            callback.destroy()
        return
    reader = body.getReader()
    try:
        await _read(reader, piece, each)
    except BaseException:
        reader.cancel()  # the caller refused a piece (or the body broke off): stop the transfer
        raise


async def _read(reader: Any, piece: int, each: Any) -> None:
    buffer, filled = None, 0
    while True:
        chunk = await reader.read()
        if chunk.done:
            break
        value = chunk.value
        at, length = 0, int(value.length)
        while at < length:
            if filled == 0 and length - at >= piece:
                await each(value.subarray(at, at + piece))
                at += piece
                continue
            if buffer is None:
                buffer, filled = js.Uint8Array.new(piece), 0
            n = min(piece - filled, length - at)
            buffer.set(value.subarray(at, at + n), filled)
            filled, at = filled + n, at + n
            if filled == piece:
                await each(buffer)
                buffer, filled = None, 0
    if buffer is not None and filled:
        await each(buffer.subarray(0, filled))


async def _started(factory: Any) -> Any:
    hasher = await factory()
    hasher.init()
    return hasher


class JsAssembly(Assembly):
    """A download's plaintext in a JS ``Uint8Array``: each segment's ciphertext (a fetched body,
    also left in JS) goes to WebCrypto as a view and its plaintext is copied into place by JS.

    Once the last byte is in, WebCrypto hashes the whole on its own thread while this one copies
    it into one Blob for the device store (``DeviceFiles.hold``, property :attr:`HELD` of the
    plaintext). A Blob of each segment as it landed cost this thread more (48 ms per 40 MB,
    against 20 for one of the whole) while it still had the rest to read; 40 MB downloads took
    295-334 ms this way against 335-357 with a Blob per segment (bench/browser_blob_download.py,
    three runs each). Where the
    host gave an incremental SHA-256 (``hasher()``, hash-wasm's), segments are hashed in file
    order as they land instead."""

    HELD = "quireHeld"

    def __init__(self, platform: Any, key: bytes, size: int, hasher: Any = None) -> None:
        """``hasher``: an async JS factory of incremental SHA-256 hashers (hash-wasm's
        ``createSHA256``), or None."""
        self.platform, self.size = platform, size
        self.out = js.Uint8Array.new(size)
        self.written = 0
        self._key = asyncio.ensure_future(platform._key(key, "AES-GCM", ["decrypt"]))  # one import for all
        self._hasher = asyncio.ensure_future(_started(hasher)) if hasher is not None else None
        self._ready: dict[int, int] = {}  # decrypted, not hashed yet: start -> end
        self._hashed = 0

    async def open(self, ciphertext: Any, start: int, end: int, at: int, nonce: bytes, aad: bytes) -> int:
        size = self._fits(ciphertext, start, end, at)
        body = ciphertext if isinstance(ciphertext, JsProxy) else self.platform.to_js(memoryview(ciphertext))
        try:
            plain = await js.crypto.subtle.decrypt(self.platform._gcm(nonce, aad), await self._key,
                                                   body.subarray(start, end))
        except JsException:  # OperationError: the tag does not match
            raise DecryptFailed() from None
        self.out.set(js.Uint8Array.new(plain), at)
        self.written += size
        if self._hasher is not None:
            hasher = await self._hasher
            for begin, stop in self._landed(at, size):  # no await in between: in file order
                hasher.update(self.out.subarray(begin, stop))
        return size

    async def finish(self) -> tuple[Any, bytes]:
        if self.written != self.size:
            raise ValueError("some of the file was never written")
        if self._hasher is not None and self._hashed == self.size:
            setattr(self.out, self.HELD, js.Blob.new(js.Array.of(self.out)))
            return self.out, (await self._hasher).digest("binary").to_bytes()
        digest = js.crypto.subtle.digest("SHA-256", self.out)  # runs on WebCrypto's thread from here
        setattr(self.out, self.HELD, js.Blob.new(js.Array.of(self.out)))  # meanwhile, on this one
        return self.out, (await digest).to_bytes()
