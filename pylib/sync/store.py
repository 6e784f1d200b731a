"""Where sync keeps its objects: a small interface with conditional reads and writes.

Two implementations answer exactly alike (``tests/proxy/test_sync_store_conformance.py``
runs one suite against both): :class:`MemoryStore`, for fast tests, and
:class:`pylib.sync.proxystore.ProxyStore`, presigned S3 through the proxy. ETags are opaque
quoted strings; what matters is that a write changes them and a conditional write with a
stale one fails with :class:`~pylib.sync.errors.PreconditionFailed`.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass

from pylib.sync.errors import PreconditionFailed


@dataclass(frozen=True)
class Blob:
    """An object read from the store."""

    body: bytes
    etag: str


class NotModified(Exception):
    """A read with ``if_none_match`` found the object unchanged (HTTP 304)."""


class ObjectStore(ABC):
    """The objects of one workspace, keys relative to the user's folder."""

    @abstractmethod
    async def get(self, key: str, *, if_none_match: str | None = None) -> Blob | None:
        """The object, ``None`` if there is none; raises :class:`NotModified` when its ETag
        equals ``if_none_match``."""

    @abstractmethod
    async def put(self, key: str, body: bytes, *, if_match: str | None = None,
                  create_only: bool = False) -> str:
        """Write and return the new ETag. ``create_only``: only if no object exists
        (``If-None-Match: *``); ``if_match``: only if the object has that ETag. Raises
        :class:`PreconditionFailed` when the condition does not hold."""

    @abstractmethod
    async def list(self, prefix: str) -> list[tuple[str, int]]:
        """``[(key, size)]`` of every object whose key starts with ``prefix``, sorted."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the object (no error if it is already gone)."""


def etag_of(body: bytes) -> str:
    """S3's ETag of a single-part upload: the MD5 of the body, quoted."""
    return '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'


class MemoryStore(ObjectStore):
    """Objects in a dict (tests, benchmarks): the same answers as S3, no network."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.bytes_written = 0
        self.puts = 0

    async def get(self, key, *, if_none_match=None):
        body = self.objects.get(key)
        if body is None:
            return None
        etag = etag_of(body)
        if if_none_match is not None and if_none_match == etag:
            raise NotModified()
        return Blob(body, etag)

    async def put(self, key, body, *, if_match=None, create_only=False):
        current = self.objects.get(key)
        if create_only and current is not None:
            raise PreconditionFailed(key=key)
        if if_match is not None and (current is None or etag_of(current) != if_match):
            raise PreconditionFailed(key=key)
        self.objects[key] = bytes(body)
        self.bytes_written += len(body)
        self.puts += 1
        return etag_of(body)

    async def list(self, prefix):
        return sorted((k, len(v)) for k, v in self.objects.items() if k.startswith(prefix))

    async def delete(self, key):
        self.objects.pop(key, None)
