"""The object store through the proxy: presigned S3 URLs, fetched with the platform layer.

Each operation asks the proxy (``POST /api/s3/presign``, same origin, the session's cookie or
a bearer token) for a URL good for one method on one key under the user's folder, with its
conditions signed in (``If-Match``, ``If-None-Match``, the length and SHA-256 of a body), then
sends it to S3. A URL S3 refuses as expired or unsigned (403) is presigned once more (the
device may have slept between the two). Answers become the store's outcomes and errors.

A signed GET is kept for a few seconds and used again for the same read (the manifest poll
asks for the same key with the same ``If-None-Match`` until something changes): most polls
are then one request to S3, not two, and the proxy signs far less. A sign-out shows once the
store asks the proxy again (within :data:`REUSE_S`).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlencode

from pylib import platform as platforms
from pylib.errors import NetworkError
from pylib.platform.base import Platform, Response
from pylib.sync.errors import (
    PreconditionFailed, QuotaExceeded, SignedOut, StoreUnavailable, SyncError,
)
from pylib.sync.store import Blob, NotModified, ObjectStore

CONTENT_TYPE = "application/octet-stream"
TIMEOUT_S = 60.0  # one request; a snapshot part is at most a few MiB
# How long a signed GET is used again: S3 alone answers it, so a session that ended (or an
# account removed) shows in the status only once the store signs again — within this time.
REUSE_S = 10.0
REUSE_KEPT = 8  # signed GETs kept at most


class ProxyStore(ObjectStore):
    """``base_url``: the proxy's origin (``""`` in the page: same origin); ``headers``: what
    authenticates these requests outside a browser (e.g. a bearer token)."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None,
                 host: Platform | None = None, timeout: float = TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.host = host or platforms.current
        self.timeout = timeout
        self._signed: dict[tuple[str, str | None], tuple[float, dict[str, Any]]] = {}

    async def _fetch(self, url: str, **kwargs: Any) -> Response:
        try:
            # A request that never answers must not hold sync (and its status) up for good.
            return await asyncio.wait_for(self.host.fetch(url, **kwargs), self.timeout)
        except (NetworkError, TimeoutError) as exc:
            raise StoreUnavailable() from exc

    def _api_error(self, reply: Response) -> SyncError:
        if reply.status == 401:
            return SignedOut()
        try:
            code = reply.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = ""
        if code == "quota_exceeded":
            return QuotaExceeded()
        if reply.status >= 500:
            return StoreUnavailable()
        return SyncError(f"The server refused a sync request ({reply.status} {code}).")

    async def _presign(self, **fields: Any) -> dict[str, Any]:
        body = json.dumps({k: v for k, v in fields.items() if v is not None}).encode()
        reply = await self._fetch(f"{self.base_url}/api/s3/presign", method="POST", body=body,
                                  headers={**self.headers, "content-type": "application/json"})
        if reply.status != 200:
            raise self._api_error(reply)
        return reply.json()

    async def _signed_get(self, key: str, if_none_match: str | None,
                          fresh: bool) -> dict[str, Any]:
        """A signed GET of ``key``: one kept from a moment ago, else a new one."""
        kept = self._signed.get((key, if_none_match))
        if not fresh and kept is not None and time.monotonic() - kept[0] < REUSE_S:
            return kept[1]
        signed = await self._presign(op="get", key=key, if_none_match=if_none_match)
        if len(self._signed) >= REUSE_KEPT:
            self._signed.pop(min(self._signed, key=lambda k: self._signed[k][0]))
        self._signed[(key, if_none_match)] = (time.monotonic(), signed)
        return signed

    async def _send(self, body: bytes | None = None, **fields: Any) -> Response:
        for attempt in (0, 1):
            if fields["op"] == "get":
                signed = await self._signed_get(fields["key"], fields.get("if_none_match"),
                                                fresh=bool(attempt))
            else:
                signed = await self._presign(**fields)
            reply = await self._fetch(signed["url"], method=signed["method"],
                                      headers=signed["headers"], body=body)
            if reply.status != 403 or attempt:
                break  # 403: expired or refused signature; a fresh URL is tried once
        if reply.status >= 500:
            raise StoreUnavailable()
        return reply

    async def get(self, key, *, if_none_match=None):
        reply = await self._send(op="get", key=key, if_none_match=if_none_match)
        if reply.status == 304:
            raise NotModified()
        if reply.status == 404:
            return None
        if reply.status != 200:
            raise SyncError(f"Reading a sync object failed ({reply.status}).", key=key)
        return Blob(reply.body, reply.headers.get("etag", ""))

    async def put(self, key, body, *, if_match=None, create_only=False):
        digest = (await self.host.sha256(body)).hex()
        reply = await self._send(body, op="put", key=key, size=len(body), sha256=digest,
                                 content_type=CONTENT_TYPE, if_match=if_match,
                                 if_none_match="*" if create_only else None)
        if reply.status in (409, 412):  # 409: S3's answer to two conditional writes at once
            raise PreconditionFailed(key=key)
        if reply.status != 200:
            raise SyncError(f"Writing a sync object failed ({reply.status}).", key=key)
        return reply.headers.get("etag", "")

    async def list(self, prefix):
        found: list[tuple[str, int]] = []
        cursor = None
        while True:
            query = {"prefix": prefix, "limit": 1000, **({"cursor": cursor} if cursor else {})}
            reply = await self._fetch(f"{self.base_url}/api/s3/objects?{urlencode(query)}",
                                      headers=self.headers)
            if reply.status != 200:
                raise self._api_error(reply)
            page = reply.json()
            found += [(o["key"], o["size"]) for o in page["objects"]]
            cursor = page.get("next_cursor")
            if not cursor:
                return sorted(found)

    async def delete(self, key):
        reply = await self._send(op="delete", key=key)
        if reply.status not in (200, 204, 404):
            raise SyncError(f"Deleting a sync object failed ({reply.status}).", key=key)
