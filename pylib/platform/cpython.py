"""The platform on CPython: the disk, ``fsync``, httpx, the ``cryptography`` package.

This is the twin the tests run the engine's network and crypto logic on (against a real
proxy and a real SeaweedFS); results match the browser's byte for byte.
"""

from __future__ import annotations

import asyncio
import copy
import ctypes
import os
import secrets
import weakref
from typing import Any

from pylib.errors import DecryptFailed, NetworkError
from pylib.platform.base import Channel, DeviceFiles, Hasher, Listener, Platform, Response, Store, check_aes_inputs
from pylib.platform.cpython_files import DirectoryFiles, FileStore

DATA_DIR_ENV = "QUIRE_DATA_DIR"
# Hashing or encrypting more than this runs in a thread: hashlib and OpenSSL let go of the GIL,
# so the event loop keeps receiving (a download's next ranges) on the other core meanwhile.
_OFF_LOOP_BYTES = 1 << 20

__all__ = ["CPythonPlatform", "DirectoryFiles", "FileStore", "HashlibHasher", "LocalChannel"]


_new_bytearray = ctypes.pythonapi.PyByteArray_FromStringAndSize
_new_bytearray.restype, _new_bytearray.argtypes = ctypes.py_object, (ctypes.c_void_p, ctypes.c_ssize_t)


async def _off_loop(size: int, work: Any, *args: Any) -> Any:
    return await asyncio.to_thread(work, *args) if size >= _OFF_LOOP_BYTES else work(*args)


class HashlibHasher(Hasher):
    """hashlib's incremental SHA-256 (large parts hashed in a thread)."""

    def __init__(self) -> None:
        import hashlib

        self._hash = hashlib.sha256()

    async def update(self, data: bytes | memoryview) -> None:
        await _off_loop(len(data), self._hash.update, data)

    async def digest(self) -> bytes:
        return self._hash.digest()


class LocalChannel(Channel):
    """Channels of one process: a message is deep-copied (like a structured clone) and
    delivered on the event loop's next turn, or at once when no loop runs."""

    _open: dict[str, list["LocalChannel"]] = {}

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Listener] = []
        self._open.setdefault(name, []).append(self)

    def post(self, message: Any) -> None:
        if self not in self._open.get(self.name, []):
            raise ValueError("This channel is closed.")
        for other in self._open.get(self.name, []):
            if other is not self:
                other._deliver(copy.deepcopy(message))

    def _deliver(self, message: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for listener in list(self._listeners):
            if loop is None:
                listener(message)
            else:
                loop.call_soon(listener, message)

    def listen(self, callback: Listener) -> None:
        self._listeners.append(callback)

    def close(self) -> None:
        ends = self._open.get(self.name, [])
        if self in ends:
            ends.remove(self)
        self._listeners.clear()


class CPythonPlatform(Platform):
    """The engine outside the browser."""

    name = "cpython"
    journal_mode = None

    def workspace_path(self, workspace: str = "default") -> str:
        base = os.environ.get(DATA_DIR_ENV) or os.path.join(
            os.path.expanduser("~"), ".local", "share", "quire")
        return os.path.join(base, workspace, "workspace.sqlite")

    async def open_store(self, workspace: str, path: str, **options: Any) -> Store:
        return FileStore(path)

    async def open_device_files(self, workspace: str, **options: Any) -> DeviceFiles:
        folder = options.get("folder") or os.path.join(os.path.dirname(self.workspace_path(workspace)), "files")
        return DirectoryFiles(folder)

    def to_py(self, value: Any) -> Any:
        if isinstance(value, (bytearray, memoryview)):
            return bytes(value)
        if isinstance(value, dict):
            return {key: self.to_py(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.to_py(item) for item in value]
        return value

    def to_js(self, value: Any) -> Any:
        return self.to_py(value)

    def _client(self) -> Any:
        """One HTTP client per event loop: making one loads the CA bundle and parses the proxy
        settings (about 0.1 s each), which dominated a ranged download's many requests."""
        import httpx  # only CPython has it, and only network code needs it

        loop = asyncio.get_running_loop()
        clients = self.__dict__.setdefault("_clients", weakref.WeakKeyDictionary())
        if loop not in clients:
            clients[loop] = httpx.AsyncClient(follow_redirects=True)
        return clients[loop]

    async def fetch(self, url, *, method="GET", headers=None, body=None, host_body=False) -> Response:
        import httpx

        try:
            reply = await self._client().request(method, url, headers=headers, content=body)
        except httpx.HTTPError as exc:
            raise NetworkError(f"The server could not be reached ({type(exc).__name__}).",
                               url=url) from exc
        return Response(reply.status_code, {k.lower(): v for k, v in reply.headers.items()},
                        reply.content)

    async def fetch_pieces(self, url, *, headers=None, piece, each) -> Response:
        import httpx

        try:
            async with self._client().stream("GET", url, headers=headers) as reply:
                names = {k.lower(): v for k, v in reply.headers.items()}
                if not 200 <= reply.status_code < 300:
                    return Response(reply.status_code, names, await reply.aread())
                kept = bytearray()
                async for chunk in reply.aiter_bytes():
                    kept += chunk
                    while len(kept) >= piece:
                        await each(bytes(kept[:piece]))
                        del kept[:piece]
                if kept:
                    await each(bytes(kept))
        except httpx.HTTPError as exc:
            raise NetworkError(f"The server could not be reached ({type(exc).__name__}).", url=url) from exc
        return Response(reply.status_code, names, b"")

    async def sha256(self, data: bytes) -> bytes:
        import hashlib

        return await _off_loop(len(data), lambda: hashlib.sha256(data).digest())

    def sha256_stream(self) -> Hasher:
        return HashlibHasher()

    async def hmac_sha256(self, key: bytes, data: bytes) -> bytes:
        import hmac

        return hmac.digest(key, data, "sha256")

    async def hkdf_sha256(self, ikm: bytes, *, salt: bytes, info: bytes, length: int) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)

    async def off_loop(self, size, work, *args):
        return await _off_loop(size, work, *args)

    async def aes_gcm_encrypt(self, key, nonce, plaintext, aad=b"") -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        check_aes_inputs(key, nonce)
        return await _off_loop(len(plaintext), AESGCM(key).encrypt, nonce, plaintext, aad or None)

    async def aes_gcm_decrypt(self, key, nonce, ciphertext, aad=b"") -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        check_aes_inputs(key, nonce)
        try:
            return await _off_loop(len(ciphertext), AESGCM(key).decrypt, nonce, ciphertext, aad or None)
        except InvalidTag:
            raise DecryptFailed() from None

    async def aes_gcm_decrypt_into(self, key, nonce, ciphertext, out, aad=b"") -> None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        check_aes_inputs(key, nonce)
        if len(out) != len(ciphertext) - 16:
            raise ValueError("the output does not have the plaintext's length")
        try:  # straight into the caller's buffer: no plaintext object, no copy
            await _off_loop(len(ciphertext), AESGCM(key).decrypt_into, nonce, ciphertext, aad or None, out)
        except InvalidTag:
            raise DecryptFailed() from None

    def new_buffer(self, size: int) -> bytearray:
        # bytearray(size) zeroes every byte at once, on the calling thread and holding the GIL:
        # for a 100 MB download ~0.07 s of page faults on the event loop before the first range
        # is even asked for. Made uninitialised (CPython's own constructor, without the memset),
        # a large buffer is fresh pages that are first touched by the decryption that fills
        # them, in the worker threads, while the next ranges arrive.
        return _new_bytearray(None, size)

    def random_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)

    def channel(self, name: str) -> Channel:
        return LocalChannel(name)
