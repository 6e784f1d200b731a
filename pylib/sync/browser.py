"""Sync's browser half (Pyodide only): the app's origin and the device's one workspace key (the
encryption screens' ``keys.*``), handed to :func:`pylib.sync.api_methods.configure` at boot.
Sync derives no passphrase key in the page: the encryption screens do that."""

from __future__ import annotations

import js  # type: ignore[import-not-found]

from pylib.errors import KeyUnavailable
from pylib.sync import api_methods


class BrowserKeys:
    """The one workspace key of this device: the one the encryption screens set up or unlock
    (``keys.*``, :mod:`pylib.blobs.service`), kept sealed in this browser's IndexedDB."""

    async def load(self) -> bytes | None:
        from pylib.blobs.service import current
        from pylib.errors import QuireError

        try:
            return await current().data_key()
        except QuireError:  # no files service in this worker: no key
            return None

    async def save(self, data_key: bytes) -> None:
        raise KeyUnavailable("Set up or unlock encryption with the keys.* methods.")


def configure(workspace: str = "default") -> None:
    """Set the sync service up for this worker: the app's origin, the device's key."""
    # The app's own origin: this worker may run from a blob: URL, against which "/api/..." does
    # not resolve; a blob: URL's origin is still the page's.
    origin = str(js.self.location.origin)
    api_methods.configure(keys=BrowserKeys(), workspace=workspace, base_url=origin)
