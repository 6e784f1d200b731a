"""A small S3 client for the engine: presigned through the proxy, over ``platform.fetch``.

The proxy signs; the bytes go straight to S3. Every upload carries its SHA-256 (signed into the
URL, so S3 refuses any other body) and may carry a condition (``If-None-Match: *`` to create
only, ``If-Match`` to replace one version). Files bigger than one PUT go as multipart uploads
through presigned part URLs; the proxy remembers each upload's key and size, and its part list
is the truth a resumed upload starts from.

Faults are sorted once, here: a dropped connection, a 5xx or the proxy's 503 is retried with
exponential backoff; an expired URL (403 from S3) is signed again once; a refusal (401, 413
quota, 412, 403 twice) raises :class:`~pylib.errors.StorageError` with a stable ``code`` at
once. Keys are relative to the user's folder; the proxy adds ``users/{uid}/``.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pylib.errors import NetworkError, StorageError
from pylib.platform.base import Platform, Response

_API_CODES = {401: "not_signed_in", 403: "forbidden", 404: "not_found", 413: "quota_exceeded"}


@dataclass(frozen=True)
class Signed:
    """One presigned request: where, how, and the headers that were signed with it."""

    url: str
    method: str
    headers: dict[str, str]


@dataclass(frozen=True)
class PutResult:
    """``created`` is False when a create-only PUT found the object already there."""

    created: bool
    etag: str | None


@dataclass
class Retry:
    """How often and how patiently transient faults are retried."""

    attempts: int = 5
    backoff: float = 0.5  # seconds before the second attempt; doubles each time
    max_delay: float = 8.0
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep


class S3Client:
    """S3 for one signed-in user. ``base_url`` is the proxy's origin ("" in the page: same
    origin); ``headers`` go with every proxy call (a bearer token outside the browser)."""

    def __init__(self, platform: Platform, base_url: str = "", *, headers: dict[str, str] | None = None,
                 retry: Retry | None = None) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.retry = retry or Retry()

    # --- the proxy ------------------------------------------------------------------------

    async def _retrying(self, attempt: Callable[[], Awaitable[Response]], what: str,
                        transient: tuple[int, ...] = (409,)) -> Response:
        """``attempt()`` until it answers with neither a 5xx nor a ``transient`` status (S3's 409
        is a conditional write racing another: try again); StorageError ``unavailable`` after
        the last attempt."""
        delay = self.retry.backoff
        for number in range(1, self.retry.attempts + 1):
            try:
                response = await attempt()
            except NetworkError:
                response = None
            if response is not None and response.status < 500 and response.status not in transient:
                return response
            if number == self.retry.attempts:
                raise StorageError(f"Cloud storage is unavailable ({what}); it will be tried again later.",
                                   code="unavailable", status=response.status if response else None)
            await self.retry.sleep(delay)
            delay = min(delay * 2, self.retry.max_delay)
        raise AssertionError("unreachable")

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` as JSON to the proxy route ``path``; its JSON reply or StorageError."""
        headers = {**self.headers, "content-type": "application/json"}
        data = json.dumps(body).encode()
        response = await self._retrying(  # the proxy's 409s are answers (an incomplete upload), not races
            lambda: self.platform.fetch(self.base_url + path, method="POST", headers=headers, body=data), path, ())
        if response.ok:
            return response.json()
        try:
            error = response.json()["error"]
            code, message = error["code"], error["message"]
        except (ValueError, KeyError, TypeError):
            code, message = _API_CODES.get(response.status, "refused"), f"HTTP {response.status}"
        if response.status == 401:
            code = "not_signed_in"
        raise StorageError(f"Cloud storage refused the request: {message}", code=code, status=response.status)

    async def presign(self, op: str, key: str, **fields: Any) -> Signed:
        """A presigned URL for ``op`` ("get", "put", "head", "delete") on ``key``."""
        body = {"op": op, "key": key, **{k: v for k, v in fields.items() if v is not None}}
        return _signed(await self.call("/api/s3/presign", body))

    # --- S3 itself --------------------------------------------------------------------------

    async def _send(self, sign: Callable[[], Awaitable[Signed]], body: bytes | None = None,
                    extra: dict[str, str] | None = None) -> Response:
        """Sign, send, and sign once more if S3 says the URL is no longer good (403)."""
        for fresh in (True, False):
            signed = await sign()
            headers = {**signed.headers, **(extra or {})}
            response = await self._retrying(
                lambda: self.platform.fetch(signed.url, method=signed.method, headers=headers, body=body), signed.method)
            if response.status != 403 or not fresh:
                break
        if response.status == 403:
            raise StorageError("Cloud storage refused the signed request.", code="forbidden", status=403)
        return response

    async def put(self, key: str, body: bytes, *, create_only: bool = False, if_match: str | None = None,
                  content_type: str | None = None) -> PutResult:
        """Upload ``body`` to ``key`` with its SHA-256 signed in. ``create_only``: if the object
        exists already, nothing is written and ``created`` is False."""
        sha = base64.b64encode(await self.platform.sha256(body)).decode()
        response = await self._send(lambda: self.presign(
            "put", key, size=len(body), sha256=sha, content_type=content_type,
            if_none_match="*" if create_only else None, if_match=if_match), body)
        if response.status == 412 and create_only:
            return PutResult(False, None)
        _check(response, "upload")
        return PutResult(True, response.headers.get("etag"))

    async def get(self, key: str, *, start: int | None = None, end: int | None = None) -> bytes:
        """The object's bytes (``start``..``end`` inclusive when given); StorageError not_found."""
        extra = {"range": f"bytes={start}-{end}"} if start is not None else None
        response = await self._send(lambda: self.presign("get", key), extra=extra)
        _check(response, "download")
        return response.body

    async def get_chunks(self, key: str, size: int, chunk: int, progress: Callable[[int], None] | None = None,
                         *, concurrency: int = 1, each: Callable[[int, Any], Awaitable[Any]] | None = None,
                         host_body: bool = False) -> list[Any]:
        """The object of ``size`` bytes as ranged GETs of ``chunk`` bytes (``concurrency`` at
        once) under one signature, signed again if it expires; each range retried on its own.
        ``each(offset, body)``, when given, turns each range as it arrives (decrypts it while
        the next ones are still coming) and its results are returned instead. When one range
        fails, the others are cancelled and awaited before its error is raised. ``host_body``:
        each range's body may stay a host buffer (:meth:`Platform.fetch`), for ``each``."""
        signed = [await self.presign("get", key)]
        ranges = [(at, min(size, at + chunk) - 1) for at in range(0, size, chunk)]
        done, gate = 0, asyncio.Semaphore(concurrency)

        async def fetch(start: int, end: int) -> bytes:
            nonlocal done
            async with gate:
                for fresh in (True, False):
                    current = signed[0]
                    headers = {**current.headers, "range": f"bytes={start}-{end}"}
                    response = await self._retrying(lambda: self.platform.fetch(
                        current.url, method="GET", headers=headers, host_body=host_body), "GET")
                    if response.status != 403 or not fresh:
                        break
                    signed[0] = await self.presign("get", key)
            if response.status == 416 or (response.ok and len(response.body) != end - start + 1):
                raise StorageError("The stored object is shorter than expected.", code="truncated")
            if response.status == 403:
                raise StorageError("Cloud storage refused the signed request.", code="forbidden", status=403)
            _check(response, "download")
            done += len(response.body)
            if progress:
                progress(done)
            return await each(start, response.body) if each else response.body

        tasks = [asyncio.ensure_future(fetch(a, b)) for a, b in ranges]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            # One range failed (or the caller gave up): stop the others and wait until they
            # have, so none goes on fetching (or decrypting into the caller's buffer) after.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def get_streamed(self, key: str, size: int, piece: int, each: Callable[[int, Any], Awaitable[Any]],
                           progress: Callable[[int], None] | None = None) -> None:
        """The object of ``size`` bytes as one GET, its body handed to ``each(offset, chunk)``
        in pieces of ``piece`` bytes as it arrives (:meth:`Platform.fetch_pieces`). A dropped
        connection or a 5xx resumes from the first byte not handed on yet (a ranged GET), with
        :class:`Retry`'s backoff; an expired URL is signed again once. StorageError
        ``truncated`` if the object is shorter than ``size``."""
        signed, resigned, failures, delay = await self.presign("get", key), False, 0, self.retry.backoff
        done = 0

        async def take(chunk: Any) -> None:
            nonlocal done
            at, done = done, done + len(chunk)
            if progress:
                progress(done)
            await each(at, chunk)

        while True:
            headers = {**signed.headers, **({"range": f"bytes={done}-{size - 1}"} if done else {})}
            try:
                response = await self.platform.fetch_pieces(signed.url, headers=headers, piece=piece, each=take)
            except NetworkError:
                response = None
            if response is not None and response.status == 403 and not resigned:
                resigned, signed = True, await self.presign("get", key)
                continue
            if response is not None and response.status < 500:
                break
            failures += 1
            if failures == self.retry.attempts:
                raise StorageError("Cloud storage is unavailable (GET); it will be tried again later.",
                                   code="unavailable", status=response.status if response else None)
            await self.retry.sleep(delay)
            delay = min(delay * 2, self.retry.max_delay)
        if response.status == 416 or (response.ok and done != size):
            raise StorageError("The stored object is shorter than expected.", code="truncated")
        if response.status == 403:
            raise StorageError("Cloud storage refused the signed request.", code="forbidden", status=403)
        _check(response, "download")

    async def head(self, key: str) -> dict[str, str] | None:
        """The object's headers, or None if there is none."""
        response = await self._send(lambda: self.presign("head", key))
        if response.status == 404:
            return None
        _check(response, "look-up")
        return response.headers

    async def delete(self, key: str) -> None:
        """Remove the object (no error if it is already gone)."""
        response = await self._send(lambda: self.presign("delete", key))
        if response.status != 404:
            _check(response, "delete")

    # --- multipart ----------------------------------------------------------------------------

    async def start_multipart(self, key: str, size: int, part_size: int) -> str:
        """Begin a multipart upload of ``size`` bytes in parts of ``part_size``; its upload id."""
        reply = await self.call("/api/s3/multipart/start", {"key": key, "size": size, "part_size": part_size})
        return reply["upload_id"]

    async def list_parts(self, key: str, upload_id: str) -> dict[int, int]:
        """The parts S3 holds for the upload: ``{part number: size}``."""
        reply = await self.call("/api/s3/multipart/parts", {"key": key, "upload_id": upload_id})
        return {part["part_number"]: part["size"] for part in reply["parts"]}

    async def put_part(self, key: str, upload_id: str, number: int, body: bytes) -> None:
        """Upload part ``number`` (1-based) with its SHA-256 signed in."""
        sha = base64.b64encode(await self.platform.sha256(body)).decode()
        response = await self._send(lambda: self._sign_part(key, upload_id, number, sha), body)
        _check(response, f"part {number}")

    async def _sign_part(self, key: str, upload_id: str, number: int, sha: str) -> Signed:
        return _signed(await self.call("/api/s3/multipart/part", {
            "key": key, "upload_id": upload_id, "part_number": number, "sha256": sha}))

    async def complete_multipart(self, key: str, upload_id: str) -> PutResult:
        """Join the parts into the object (create-only: ``created`` is False, and the parts are
        dropped, when the object was there already)."""
        reply = await self.call("/api/s3/multipart/complete", {"key": key, "upload_id": upload_id})
        return PutResult(bool(reply.get("created")), reply.get("etag"))

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        """Drop the upload and whatever parts it has."""
        await self.call("/api/s3/multipart/abort", {"key": key, "upload_id": upload_id})


def _signed(reply: dict[str, Any]) -> Signed:
    return Signed(reply["url"], reply["method"], dict(reply.get("headers") or {}))


def _check(response: Response, what: str) -> None:
    if response.ok:
        return
    codes = {404: "not_found", 412: "precondition_failed", 400: "refused", 413: "too_large"}
    raise StorageError(f"Cloud storage refused the {what} (HTTP {response.status}).",
                       code=codes.get(response.status, "refused"), status=response.status)
