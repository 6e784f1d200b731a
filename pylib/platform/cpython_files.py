"""The disk stores of the CPython platform: the workspace file, and the device's large files.

:class:`FileStore` is the workspace file's (``fsync`` on flush); :class:`DirectoryFiles` keeps
one file per object beside it, the twin of the browser's IndexedDB store
(web/engine/devicefiles.mjs). Both are reached through :mod:`pylib.platform.cpython`.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from pylib.errors import SaveFailed
from pylib.platform.base import DeviceFiles, Store

_OBJECT_NAME = re.compile(r"(?:local-)?[0-9a-f]{64}")  # an object name, or a local one (pylib.blobs.local)


def write_atomically(path: str | Path, data: Any, temporary: str | Path) -> None:
    """``data`` in ``path`` whole or not at all: written to ``temporary``, ``fsync``ed, renamed
    over ``path``. Whatever stops it (the disk, bad data, a cancellation) removes the temporary
    file and is raised as it is."""
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)  # gone after the rename; left only by a failure


class FileStore(Store):
    """The workspace file on disk: a flush ``fsync``s it when it changed since the last one."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.generation = 0
        self._seen: tuple[int, int] | None = None
        self._closed = False

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return st.st_size, st.st_mtime_ns

    async def restore(self) -> int:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._seen = self._stamp()
        return self._seen[0] if self._seen else 0

    async def flush(self, schema_version: int) -> dict[str, Any] | None:
        if self._closed:
            raise SaveFailed("This workspace is no longer open here.", code="closed")
        stamp = self._stamp()
        if stamp is None or stamp == self._seen:
            return None
        started = time.perf_counter()
        try:
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise SaveFailed(f"The workspace file could not be saved: {exc.strerror}.") from exc
        self._seen = stamp
        self.generation += 1
        return {"generation": self.generation, "ms": (time.perf_counter() - started) * 1000,
                "bytes": stamp[0]}

    async def close(self) -> None:
        self._closed = True


class DirectoryFiles(DeviceFiles):
    """One file per object in ``folder``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        if not _OBJECT_NAME.fullmatch(name):
            raise ValueError("not an object name")
        return self.folder / name

    async def put(self, name: str, data: Any) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):  # a host buffer (Pyodide's tests use this store)
            data = data.to_bytes()
        path = self._path(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            write_atomically(path, data, path.with_suffix(".part"))
        except OSError as exc:
            code = "quota_exceeded" if exc.errno == 28 else None  # ENOSPC
            raise SaveFailed(f"The file could not be kept on this device: {exc.strerror}.", code=code) from exc

    async def get(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    async def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    async def rename(self, name: str, new_name: str) -> bool:
        try:
            os.replace(self._path(name), self._path(new_name))
        except FileNotFoundError:
            return False
        try:  # the rename itself is durable once the folder is synced (where a folder can be)
            fd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            pass
        return True
