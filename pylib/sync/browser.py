"""Sync's browser half (Pyodide only): Argon2id and the device's kept key, from
web/engine/synchost.mjs, handed to :func:`pylib.sync.api_methods.configure` at boot."""

from __future__ import annotations

from typing import Any

import js  # type: ignore[import-not-found]

from pylib import platform as platforms
from pylib.sync import api_methods


class BrowserKeys:
    """The data key in this browser's IndexedDB (``quire-keys-<workspace>``)."""

    def __init__(self, module: Any, workspace: str) -> None:
        self.module, self.workspace = module, workspace

    async def load(self) -> bytes | None:
        found = await self.module.loadKey(self.workspace)
        return None if found is None else platforms.current.to_py(found)

    async def save(self, data_key: bytes) -> None:
        await self.module.saveKey(self.workspace, platforms.current.to_js(bytes(data_key)))


async def configure(module_url: str, workspace: str = "default") -> None:
    """Load synchost.mjs and set the sync service up to use it."""
    module = await js.eval(f"import({str(module_url)!r})")
    host = platforms.current

    async def argon2id(passphrase: str, salt: bytes, costs: dict[str, int]) -> bytes:
        out = await module.deriveArgon2id(passphrase, host.to_js(bytes(salt)), host.to_js(costs))
        return host.to_py(out)

    # The app's own origin: this worker may run from a blob: URL, against which "/api/..." does
    # not resolve; a blob: URL's origin is still the page's.
    origin = str(js.self.location.origin)
    api_methods.configure(kdf=argon2id, keys=BrowserKeys(module, workspace), workspace=workspace,
                          base_url=origin)
