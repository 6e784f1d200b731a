"""The browser's side of :mod:`pylib.blobs.service`: the device key store and Argon2id of
web/engine/devicekey.mjs, IndexedDB device files (web/engine/devicefiles.mjs), the same-origin
proxy. Only the data worker imports this module (it needs Pyodide's ``js``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from pylib.blobs.service import FileService, Host, KeyCache, configure
from pylib.platform.base import Platform


class BrowserKeyCache(KeyCache):
    def __init__(self, module: Any, platform: Platform) -> None:
        self._module, self._platform = module, platform

    async def load(self, workspace: str) -> tuple[str, bytes] | None:
        kept = self._platform.to_py(await self._module.load(workspace))
        return (str(kept["account"]), bytes(kept["dataKey"])) if kept else None

    async def save(self, workspace: str, account: str, data_key: bytes) -> None:
        await self._module.save(workspace, account, self._platform.to_js(bytes(data_key)))

    async def forget(self, workspace: str) -> None:
        await self._module.forget(workspace)


async def start(platform: Platform, workspace: str, engine_url: str, persist: Any = None) -> FileService:
    """Configure this worker's service; ``engine_url``: any URL in web/engine/ (the page store's);
    ``persist()``: flush the page store now (the rpc server's ``persist``)."""
    import js  # type: ignore[import-not-found]

    module = await js.eval(f"import({urljoin(engine_url, 'devicekey.mjs')!r})")
    # No incremental hasher (platform.sha256_factory): hash-wasm's SHA-256 runs on this
    # worker's one thread and slowed the download's reading more than WebCrypto's digest of the
    # whole costs after it (40 MB, load 3.5-4.8: 0.32x and 0.35x of a plain fetch with it,
    # 0.41x without; bench/browser_blob_download.py).
    platform.read_pieces = (await js.eval(f"import({urljoin(engine_url, 'streams.mjs')!r})")).readPieces

    async def argon2id(passphrase: str, salt: bytes, costs: dict[str, int]) -> bytes:
        out = await module.deriveArgon2id(passphrase, platform.to_js(bytes(salt)), platform.to_js(costs))
        return bytes(platform.to_py(out))

    async def device_files() -> Any:
        return await platform.open_device_files(workspace, module_url=urljoin(engine_url, "devicefiles.mjs"))

    # The worker may run from a blob: URL, where a path alone is no URL: name the origin.
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(engine_url))
    return configure(Host(platform, BrowserKeyCache(module, platform), device_files, base_url=origin,
                          kdf=argon2id, workspace=workspace, persist=persist))
