"""Files kept on this device, outside the SQLite file: the upload queue's source, the cache.

A large file is written here (durably) before its row is committed, so the workspace never
points at bytes the device does not have; later it is the local cache downloads fill. Names are
object names (:mod:`pylib.blobs.format`), so equal files are kept once.

:class:`DirectoryFiles` is the CPython implementation (one file per object, written to a
temporary name, ``fsync``ed, then renamed into place). The browser's implementation keeps the
same interface on an IndexedDB object store of its own.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from pathlib import Path

from pylib.errors import SaveFailed

_NAME = re.compile(r"[0-9a-f]{64}")


class DeviceFiles(ABC):
    """Bytes by object name, durable once :meth:`put` returns."""

    @abstractmethod
    async def put(self, name: str, data: bytes) -> None:
        """Keep ``data`` under ``name``; durable on return. SaveFailed (e.g. ``quota_exceeded``)
        if the device has no room: nothing is half written."""

    @abstractmethod
    async def get(self, name: str) -> bytes | None:
        """The bytes kept under ``name``, or None."""

    @abstractmethod
    async def delete(self, name: str) -> None:
        """Drop ``name`` (no error if absent)."""


class DirectoryFiles(DeviceFiles):
    """One file per object in ``folder``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        if not _NAME.fullmatch(name):
            raise ValueError("not an object name")
        return self.folder / name

    async def put(self, name: str, data: bytes) -> None:
        path = self._path(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            code = "quota_exceeded" if exc.errno == 28 else None  # ENOSPC
            raise SaveFailed(f"The file could not be kept on this device: {exc.strerror}.", code=code) from exc

    async def get(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    async def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)
