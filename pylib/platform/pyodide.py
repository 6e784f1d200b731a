"""The platform in the browser (Pyodide): Emscripten's FS, the IndexedDB page store
(web/engine/pagestore.mjs), JS values, ``fetch``, WebCrypto and ``BroadcastChannel``.

Every call into JS goes through here. The same code also runs in Pyodide under Node (the
engine's test suite), where ``fetch``, ``crypto.subtle`` and ``BroadcastChannel`` exist too.
"""

from __future__ import annotations

from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, JsProxy, create_proxy, to_js  # type: ignore

try:  # Pyodide ≥ 0.28 turns JS null into `jsnull`, not None
    from pyodide.ffi import jsnull  # type: ignore
except ImportError:  # pragma: no cover - older Pyodide converts null to None itself
    jsnull = None

from pylib.errors import DecryptFailed, NetworkError, SaveFailed
from pylib.platform.base import (Assembly, Channel, DeviceFiles, Listener, Platform, Response, Store,
                                 check_aes_inputs)
from pylib.platform.pyodide_download import JsAssembly, pieces

DB_PATH = "/workspace/workspace.sqlite"
_RANDOM_CHUNK = 65536  # crypto.getRandomValues fills at most this many bytes per call


def _js_error(exc: BaseException) -> tuple[str | None, str]:
    """(code, message) of a JS error raised through the FFI."""
    err = getattr(exc, "js_error", None) or exc
    code = getattr(err, "code", None)
    message = getattr(err, "message", None) or str(exc)
    return (str(code) if code else None), str(message)


class IndexedDBFiles(DeviceFiles):
    """web/engine/devicefiles.mjs: one Blob per object in an IndexedDB database of its own."""

    def __init__(self, files: Any, platform: "PyodidePlatform") -> None:
        self._files = files
        self._platform = platform

    async def put(self, name: str, data: Any) -> None:
        # A JS buffer (a download's JsAssembly) goes as it is; bytes in one copy, out of wasm.
        value = data if isinstance(data, JsProxy) else self._platform.to_js(memoryview(data))
        try:
            await self._files.put(name, value)
        except JsException as exc:
            code, message = _js_error(exc)
            quota = "quota" in f"{code} {message}".lower() or getattr(getattr(exc, "js_error", None), "name", "") \
                == "QuotaExceededError"
            raise SaveFailed(f"The file could not be kept on this device: {message}.",
                             code="quota_exceeded" if quota else None) from None

    async def get(self, name: str) -> bytes | None:
        return self._platform.to_py(await self._files.get(name))

    def hold(self, data: Any) -> Any:
        # A Blob holds its own copy, made now: the buffer may be transferred to the page next.
        # A download's was made segment by segment while it came in (JsAssembly.held).
        held = getattr(data, JsAssembly.HELD, None) if isinstance(data, JsProxy) else None
        if held is not None:
            return held
        return js.Blob.new(js.Array.of(data if isinstance(data, JsProxy) else self._platform.to_js(memoryview(data))))

    async def delete(self, name: str) -> None:
        await self._files.delete(name)

    async def rename(self, name: str, new_name: str) -> bool:
        return bool(await self._files.rename(name, new_name))


class PageStore(Store):
    """web/engine/pagestore.mjs: dirty 4 KiB pages to IndexedDB, one strict transaction."""

    def __init__(self, store: Any, platform: "PyodidePlatform") -> None:
        self._store = store
        self._platform = platform

    @property
    def generation(self) -> int:  # type: ignore[override]
        return int(self._store.generation)

    async def restore(self) -> int:
        restored = await self._store.restore()
        self._store.track()
        return int(restored or 0)

    async def flush(self, schema_version: int) -> dict[str, Any] | None:
        try:
            saved = await self._store.flush(schema_version)
        except JsException as exc:  # a PersistError (quota, storage gone, closed)
            code, message = _js_error(exc)
            raise SaveFailed(message, code=code) from None
        return self._platform.to_py(saved) if saved else None

    async def close(self) -> None:
        await self._store.close()


class BrowserChannel(Channel):
    def __init__(self, name: str, platform: "PyodidePlatform") -> None:
        self._channel = js.BroadcastChannel.new(name)
        self._platform = platform
        self._proxies: list[Any] = []

    def post(self, message: Any) -> None:
        self._channel.postMessage(self._platform.to_js(message))

    def listen(self, callback: Listener) -> None:
        proxy = create_proxy(lambda event: callback(self._platform.to_py(event.data)))
        self._proxies.append(proxy)
        self._channel.addEventListener("message", proxy)

    def close(self) -> None:
        self._channel.close()
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies.clear()


class PyodidePlatform(Platform):
    """The engine in the browser's data worker."""

    name = "pyodide"
    # The file lives in memory and IndexedDB makes it durable: a journal on disk buys nothing.
    journal_mode = "MEMORY"
    # One GET read as it streams in beat ranged GETs of 4 MiB here (bench/browser_blob_download.py:
    # ranged GETs of one object from SeaweedFS took ~30% longer than one GET of all of it).
    download_streamed = True
    # An async JS factory of incremental SHA-256 hashers the host may give (hash-wasm's
    # createSHA256: pylib/blobs/browser.py), so a download is hashed while it comes in.
    sha256_factory: Any = None
    # web/engine/streams.mjs's readPieces, where the host gave it (pylib/blobs/browser.py): a
    # fetched body read in JS, Python called once per piece; else read from Python.
    read_pieces: Any = None

    def workspace_path(self, workspace: str = "default") -> str:
        return DB_PATH  # one workspace per worker; the page store keys it by name

    async def open_store(self, workspace: str, path: str, **options: Any) -> Store:
        import pyodide_js  # type: ignore[import-not-found]

        module = await js.eval(f"import({str(options['module_url'])!r})")
        store = await module.PageStore.open(pyodide_js.FS, self.to_js(
            {"workspace": workspace, "path": path, "chunkSize": options.get("chunk_size")}))
        return PageStore(store, self)

    async def open_device_files(self, workspace: str, **options: Any) -> DeviceFiles:
        module = await js.eval(f"import({str(options['module_url'])!r})")
        return IndexedDBFiles(await module.DeviceFiles.open(workspace), self)

    def to_py(self, value: Any) -> Any:
        """Objects become dicts, arrays lists, typed arrays and ArrayBuffers bytes, null None."""
        if value is jsnull:
            return None
        if isinstance(value, JsProxy):
            if getattr(value, "byteLength", None) is not None and not hasattr(value, "length") \
                    or str(getattr(value, "BYTES_PER_ELEMENT", "")) == "1":
                return value.to_bytes()
            value = value.to_py()
        if isinstance(value, (memoryview, bytearray)):
            return bytes(value)
        if isinstance(value, dict):
            return {key: self.to_py(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.to_py(item) for item in value]
        return value

    def to_js(self, value: Any) -> Any:
        """dicts become plain objects (not Maps), bytes Uint8Arrays; no proxies are left."""
        return to_js(value, dict_converter=js.Object.fromEntries, create_pyproxies=False)

    async def fetch(self, url, *, method="GET", headers=None, body=None, host_body=False) -> Response:
        init: dict[str, Any] = {"method": method, "headers": dict(headers or {})}
        if body is not None:
            init["body"] = bytes(body)
        try:
            reply = await js.fetch(url, self.to_js(init))
            buffer = await reply.arrayBuffer()
            data = js.Uint8Array.new(buffer) if host_body else buffer.to_bytes()
        except JsException as exc:
            raise NetworkError(f"The server could not be reached ({_js_error(exc)[1]}).",
                               url=url) from None
        names = {str(pair[0]).lower(): str(pair[1]) for pair in reply.headers.entries()}
        return Response(int(reply.status), names, data)

    async def fetch_pieces(self, url, *, headers=None, piece, each) -> Response:
        try:
            reply = await js.fetch(url, self.to_js({"method": "GET", "headers": dict(headers or {})}))
        except JsException as exc:
            raise NetworkError(f"The server could not be reached ({_js_error(exc)[1]}).", url=url) from None
        names = {str(pair[0]).lower(): str(pair[1]) for pair in reply.headers.entries()}
        if not reply.ok or reply.body is jsnull or reply.body is None:
            try:
                data = (await reply.arrayBuffer()).to_bytes()
            except JsException as exc:
                raise NetworkError(f"The server could not be reached ({_js_error(exc)[1]}).", url=url) from None
            return Response(int(reply.status), names, data)
        try:
            await pieces(reply.body, piece, each, self.read_pieces)
        except JsException as exc:  # the connection dropped mid-body
            raise NetworkError(f"The download stopped ({_js_error(exc)[1]}).", url=url) from None
        return Response(int(reply.status), names, b"")

    async def _key(self, raw: bytes, algorithm: Any, usages: list[str]) -> Any:
        return await js.crypto.subtle.importKey(
            "raw", self.to_js(bytes(raw)), self.to_js(algorithm), False, self.to_js(usages))

    async def sha256(self, data: bytes) -> bytes:
        # A view goes out of wasm memory in one copy (bytes() of a downloaded buffer made two).
        return (await js.crypto.subtle.digest("SHA-256", self.to_js(memoryview(data)))).to_bytes()

    async def hmac_sha256(self, key: bytes, data: bytes) -> bytes:
        k = await self._key(key, {"name": "HMAC", "hash": "SHA-256"}, ["sign"])
        return (await js.crypto.subtle.sign("HMAC", k, self.to_js(bytes(data)))).to_bytes()

    async def hkdf_sha256(self, ikm: bytes, *, salt: bytes, info: bytes, length: int) -> bytes:
        k = await self._key(ikm, "HKDF", ["deriveBits"])
        algorithm = {"name": "HKDF", "hash": "SHA-256", "salt": bytes(salt), "info": bytes(info)}
        bits = await js.crypto.subtle.deriveBits(self.to_js(algorithm), k, length * 8)
        return bits.to_bytes()

    def _gcm(self, nonce: bytes, aad: bytes) -> Any:
        return self.to_js({"name": "AES-GCM", "iv": bytes(nonce), "additionalData": bytes(aad),
                           "tagLength": 128})

    async def aes_gcm_encrypt(self, key, nonce, plaintext, aad=b"") -> bytes:
        check_aes_inputs(key, nonce)
        k = await self._key(key, "AES-GCM", ["encrypt"])
        out = await js.crypto.subtle.encrypt(self._gcm(nonce, aad), k, self.to_js(memoryview(plaintext)))
        return out.to_bytes()

    async def aes_gcm_decrypt(self, key, nonce, ciphertext, aad=b"") -> bytes:
        check_aes_inputs(key, nonce)
        k = await self._key(key, "AES-GCM", ["decrypt"])
        try:
            out = await js.crypto.subtle.decrypt(
                self._gcm(nonce, aad), k, self.to_js(bytes(ciphertext)))
        except JsException:  # OperationError: the tag does not match
            raise DecryptFailed() from None
        return out.to_bytes()

    async def aes_gcm_decrypt_into(self, key, nonce, ciphertext, out, aad=b"") -> None:
        check_aes_inputs(key, nonce)
        if len(out) != len(ciphertext) - 16:
            raise ValueError("the output does not have the plaintext's length")
        k = await self._key(key, "AES-GCM", ["decrypt"])
        try:  # the view goes to WebCrypto as it is, the plaintext straight into `out`: no copies in wasm
            plain = await js.crypto.subtle.decrypt(self._gcm(nonce, aad), k, self.to_js(ciphertext))
        except JsException:  # OperationError: the tag does not match
            raise DecryptFailed() from None
        js.Uint8Array.new(plain).assign_to(out)

    def assembly(self, key: bytes, size: int) -> Assembly:
        check_aes_inputs(key, bytes(12))
        return JsAssembly(self, key, size, self.sha256_factory)

    def random_bytes(self, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            chunk = js.Uint8Array.new(min(_RANDOM_CHUNK, n - len(out)))
            js.crypto.getRandomValues(chunk)
            out += chunk.to_bytes()
        return bytes(out)

    def channel(self, name: str) -> Channel:
        return BrowserChannel(name, self)
