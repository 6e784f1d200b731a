"""Large files in S3: encrypt, name, upload (single or multipart, resumable), download, verify.

The bytes never leave the device unencrypted and the object's name says nothing about the
file (:mod:`pylib.blobs.format`). Uploads are create-only, so a retry, a second device or a
second copy of the same file never stores a second object; a multipart upload that stopped
(a closed tab, a lost connection) is resumed from S3's own part list, re-sending only what is
missing — the encryption is deterministic, so a re-made part is the same bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pylib.blobs import format as fmt
from pylib.blobs import refusal
from pylib.blobs.ledger import BlobRef
from pylib.errors import StorageError
from pylib.keys import WorkspaceKeys
from pylib.platform.base import Platform
from pylib.s3client import S3Client

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)
# Parts in flight at once: enough to keep the connection busy while the next part is sealed.
CONCURRENCY = 3
# Ranged GETs of one segment each, CONCURRENCY at once: each is decrypted (and hashed) as soon as
# it is in, while the next are still coming, so what is left after the last byte arrives is at
# most CONCURRENCY segments' work (ranges of 8 segments left it all to the end: the three in
# flight finish together). bench/engine_blobs.py measures it.
DOWNLOAD_CHUNK = fmt.SEALED_SEGMENT


@dataclass(frozen=True)
class UploadReport:
    """``created``: False when S3 already held the object; ``parts_sent``: parts this call sent."""

    ref: BlobRef
    created: bool
    parts_sent: int


class BlobStore:
    """The encrypted objects of one workspace, for one signed-in user."""

    def __init__(self, platform: Platform, client: S3Client, keys: WorkspaceKeys, *,
                 part_segments: int = fmt.SEGMENTS_PER_PART) -> None:
        if part_segments < 2:
            raise ValueError("a part is at least 2 segments (S3's 5 MiB minimum)")
        self.platform = platform
        self.client = client
        self.keys = keys
        self.part_segments = part_segments  # also the most one single PUT carries
        self.part_size = part_segments * fmt.SEALED_SEGMENT

    async def ref_for(self, data: bytes) -> BlobRef:
        """The object that holds ``data``: name, SHA-256, size (nothing is sent)."""
        digest = await self.platform.sha256(data)
        return BlobRef(await fmt.object_name(self.platform, self.keys.names, digest), digest.hex(), len(data))

    async def _key_for(self, ref: BlobRef) -> bytes:
        return await fmt.file_key(self.platform, self.keys.blobs, ref.name)

    async def upload(self, data: bytes, ref: BlobRef | None = None, *, upload_id: str | None = None,
                     on_upload_id: Callable[[str], Awaitable[None]] | None = None,
                     progress: Progress | None = None) -> UploadReport:
        """Store ``data`` as its object. ``upload_id`` resumes a multipart upload;
        ``on_upload_id`` is awaited with a new one before any part is sent (so it can be kept
        durably and a later call can resume it)."""
        ref = ref or await self.ref_for(data)
        if ref.name.startswith("local-"):  # pylib.blobs.local: named by the plaintext's hash, never sent
            raise ValueError("a file not named yet is never uploaded")
        if ref.size != len(data):
            raise ValueError("the reference does not describe these bytes")
        key = await self._key_for(ref)
        total = fmt.sealed_size(ref.size)
        if fmt.segment_count(ref.size) <= self.part_segments:
            sealed = await fmt.seal_segments(self.platform, key, ref.name, data)
            result = await self.client.put(ref.key, sealed, create_only=True)
            if progress:
                progress(total, total)
            return UploadReport(ref, result.created, 1)
        if await self.client.head(ref.key) is not None:
            return UploadReport(ref, False, 0)  # already there: dedupe without sending a byte
        return await self._multipart(data, ref, key, upload_id, on_upload_id, progress)

    async def _multipart(self, data: bytes, ref: BlobRef, key: bytes, upload_id: str | None,
                         on_upload_id, progress: Progress | None) -> UploadReport:
        total, parts = fmt.sealed_size(ref.size), fmt.part_count(ref.size, self.part_segments)
        held: dict[int, int] = {}
        if upload_id is not None:
            try:
                held = await self.client.list_parts(ref.key, upload_id)
            except StorageError as error:
                if error.code != "not_found":
                    raise
                upload_id = None  # expired or completed elsewhere: start afresh
        if upload_id is None:
            upload_id = await self.client.start_multipart(ref.key, total, self.part_size)
            if on_upload_id:
                await on_upload_id(upload_id)
        size = self.part_size
        lengths = {n: min(size, total - (n - 1) * size) for n in range(1, parts + 1)}
        missing = [n for n in lengths if held.get(n) != lengths[n]]
        done = total - sum(lengths[n] for n in missing)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def send(number: int) -> None:
            nonlocal done
            async with gate:
                body = await fmt.seal_part(self.platform, key, ref.name, data, number, self.part_segments)
                await self.client.put_part(ref.key, upload_id, number, body)
            done += lengths[number]
            if progress:
                progress(done, total)

        await asyncio.gather(*(send(n) for n in missing))
        sent = len(missing)
        result = await self.client.complete_multipart(ref.key, upload_id)
        return UploadReport(ref, result.created, sent)

    async def download(self, ref: BlobRef, progress: Progress | None = None,
                       others: Callable[[], list[tuple[str, int]]] | None = None) -> Any:
        """The file's bytes, every segment's tag and the SHA-256 checked; BlobCorrupt if not,
        with its reason (:mod:`pylib.blobs.refusal`: cut short, altered, another file's segment
        — ``others()``: ``(name, size)`` of other objects to test a failed segment against —
        or another key).

        Segments are decrypted as they arrive, straight into one buffer of the platform's
        (:meth:`Platform.assembly`: a ``bytearray`` here, a JS buffer in the browser, where no
        byte of the download enters the engine's heap); that buffer is returned. The object
        comes as ranged GETs in parallel, or as one GET read as it streams in where the
        platform does better so (``download_streamed``: the browser)."""
        key = await self._key_for(ref)
        total, segments = fmt.sealed_size(ref.size), fmt.segment_count(ref.size)
        assembly = self.platform.assembly(key, ref.size)
        moved = (lambda done: progress(done, total)) if progress else None
        opening: list[asyncio.Future] = []
        evidence = self._evidence(ref, key, others)

        async def opened(offset: int, body: Any) -> bytes:
            await fmt.open_run_into(assembly, ref.name, body, offset // fmt.SEALED_SEGMENT, segments, evidence)
            return b""

        async def streamed(offset: int, body: Any) -> None:  # decrypted while the next bytes come
            failed = next((task for task in opening if task.done() and task.exception()), None)
            if failed is not None:
                raise failed.exception()
            opening.append(asyncio.ensure_future(opened(offset, body)))

        try:
            if self.platform.download_streamed:
                try:
                    await self.client.get_streamed(ref.key, total, fmt.SEALED_SEGMENT, streamed, moved)
                finally:  # every decryption ends before this does (none writes into the buffer after)
                    outcomes = await asyncio.gather(*opening, return_exceptions=True)
                    failed = next((o for o in outcomes if isinstance(o, BaseException)), None)
                    if failed is not None:  # a segment's refusal says more than a lost connection
                        raise failed
            else:
                await self.client.get_chunks(ref.key, total, DOWNLOAD_CHUNK, moved,
                                             concurrency=self.platform.download_concurrency, each=opened,
                                             host_body=True)
        except StorageError as error:
            if error.code != "truncated":
                raise
            raise refusal.truncated() from None
        return await fmt.finish_assembly(assembly, bytes.fromhex(ref.sha256))

    def _evidence(self, ref: BlobRef, key: bytes, others: Callable[[], list[tuple[str, int]]] | None
                  ) -> refusal.Evidence:
        """What a failed segment of ``ref`` is tested against: this key's names subkey and the
        content's hash (another key?), and the other objects' keys (another file's segment?)."""
        async def other_keys() -> list[tuple[str, bytes, int]]:
            listed = others()[:refusal.MAX_TRIES] if others else []
            return [(name, await fmt.file_key(self.platform, self.keys.blobs, name), size) for name, size in listed]

        return refusal.Evidence(key=key, names_key=self.keys.names, sha256=bytes.fromhex(ref.sha256),
                                others=other_keys)

    async def delete(self, ref: BlobRef) -> None:
        """Remove the object from S3 (garbage collection decides when)."""
        await self.client.delete(ref.key)
