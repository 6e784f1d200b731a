"""The encrypted object format of large files: fixed-size AES-256-GCM segments.

An object is the concatenation of its segments; segment ``i`` is
``AES-256-GCM(file_key, nonce=i, plaintext[i*SEGMENT : (i+1)*SEGMENT], aad)`` with its 16-byte
tag. ``aad`` binds each segment to its place: the format version, the object's name, the
segment number and a "last" flag. So a segment moved to another position, taken from another
object or dropped from the end (the new last segment lacks the flag) fails its tag.

The file key is derived from the blobs subkey and the object name, and the object name is a
keyed hash of the content (:func:`object_name`): one key only ever encrypts one content, so the
counter nonce never meets two plaintexts, and encryption is deterministic — an upload that
stopped half way can be resumed by re-encrypting the missing parts, byte for byte the same.

Segments are the unit of multipart upload too: a part is a whole number of segments
(:data:`SEGMENTS_PER_PART` unless the uploader chose another), so any part can be rebuilt
from the plaintext alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from pylib.blobs import refusal
from pylib.blobs.refusal import Evidence
from pylib.errors import DecryptFailed
from pylib.platform.base import Assembly, Platform

from pylib.blobs.layout import (  # noqa: F401  (re-exported: the format's layout is read as format.*)
    PART_SIZE, SEALED_SEGMENT, SEGMENT_SIZE, SEGMENTS_PER_PART, TAG_SIZE, VERSION, aad, file_key, nonce,
    object_name, part_count, sealed_size, segment_count,
)


async def seal_segments(platform: Platform, key: bytes, name: str, data: bytes,
                        first: int = 0, count: int | None = None) -> bytes:
    """Segments ``first .. first+count-1`` of the object for ``data`` (all when count is None)."""
    total = segment_count(len(data))
    end = total if count is None else min(total, first + count)
    out = []
    for index in range(first, end):
        chunk = data[index * SEGMENT_SIZE:(index + 1) * SEGMENT_SIZE]
        out.append(await platform.aes_gcm_encrypt(key, nonce(index), chunk, aad(name, index, index == total - 1)))
    return b"".join(out)


async def seal_part(platform: Platform, key: bytes, name: str, data: bytes, number: int,
                    per_part: int = SEGMENTS_PER_PART) -> bytes:
    """Multipart part ``number`` (1-based, ``per_part`` segments each) of the object for ``data``."""
    return await seal_segments(platform, key, name, data, (number - 1) * per_part, per_part)


def _plain_size(sealed: int) -> int:
    count = max(1, -(-sealed // SEALED_SEGMENT))
    size = sealed - TAG_SIZE * count
    if size < 0 or sealed_size(size) != sealed:  # a last segment too short for its tag: cut short
        raise refusal.truncated()
    return size


async def _explain(platform: Platform, key: bytes | None, name: str, piece: Any, index: int, total: int,
                   evidence: Evidence | None) -> Exception:
    return await refusal.explain(platform, key, name, bytes(piece), index, total, evidence)


async def open_segments(platform: Platform, key: bytes, name: str, sealed: bytes,
                        total_size: int | None = None, evidence: Evidence | None = None) -> AsyncIterator[bytes]:
    """The plaintext segments of ``sealed`` in order, each checked against its tag.

    ``total_size`` is the plaintext size the pointer recorded; a copy cut short or too long, a
    wrong key or any altered, moved, foreign or missing segment raises
    :class:`~pylib.errors.BlobCorrupt` (its ``reason``: :mod:`pylib.blobs.refusal`, told apart
    with ``evidence``) before any byte of that segment is returned.
    """
    if total_size is not None and len(sealed) != sealed_size(total_size):
        raise refusal.wrong_length(len(sealed), sealed_size(total_size))
    size = _plain_size(len(sealed))
    total = segment_count(size)
    for index in range(total):
        piece = sealed[index * SEALED_SEGMENT:(index + 1) * SEALED_SEGMENT]
        try:
            yield await platform.aes_gcm_decrypt(key, nonce(index), piece, aad(name, index, index == total - 1))
        except DecryptFailed:
            raise await _explain(platform, key, name, piece, index, total, evidence) from None


async def open_run(platform: Platform, key: bytes, name: str, sealed_run: bytes, first: int, total: int) -> bytes:
    """The plaintext of whole segments ``first, first+1, ...`` of an object of ``total``
    segments (a ranged download), each checked against its tag; BlobCorrupt if one fails."""
    return b"".join(await open_pieces(platform, key, name, sealed_run, first, total))


async def open_pieces(platform: Platform, key: bytes, name: str, sealed_run: bytes, first: int,
                      total: int) -> list[bytes]:
    """:func:`open_run` as one plaintext piece per segment (the caller places them: no join)."""
    out = []
    view = memoryview(sealed_run)  # slices without copies; each segment is copied once, into AES
    for offset in range(0, len(sealed_run), SEALED_SEGMENT):
        index = first + offset // SEALED_SEGMENT
        piece = view[offset:offset + SEALED_SEGMENT]
        if index >= total:
            raise refusal.too_long()
        try:
            out.append(await platform.aes_gcm_decrypt(key, nonce(index), piece, aad(name, index, index == total - 1)))
        except DecryptFailed:
            raise await _explain(platform, key, name, piece, index, total, None) from None
    return out


async def open_into(platform: Platform, key: bytes, name: str, sealed_run: bytes, first: int, total: int,
                    out: memoryview) -> int:
    """:func:`open_run` decrypted straight into ``out`` (from its start: segment ``first``'s
    place); the plaintext bytes written. BlobCorrupt if a segment fails or would not fit."""
    view, at = memoryview(sealed_run), 0
    for offset in range(0, len(sealed_run), SEALED_SEGMENT):
        index = first + offset // SEALED_SEGMENT
        piece = view[offset:offset + SEALED_SEGMENT]
        size = len(piece) - TAG_SIZE
        if index >= total or size < 0 or at + size > len(out):
            raise refusal.too_long()
        try:
            await platform.aes_gcm_decrypt_into(key, nonce(index), piece, out[at:at + size],
                                                aad(name, index, index == total - 1))
        except DecryptFailed:
            raise await _explain(platform, key, name, piece, index, total, None) from None
        at += size
    return at


async def open_run_into(assembly: Assembly, name: str, sealed_run: Any, first: int, total: int,
                        evidence: Evidence | None = None) -> int:
    """Whole segments ``first, first+1, ...`` of an object of ``total`` segments (a ranged
    download's body: ``bytes`` or a host buffer) checked and decrypted into ``assembly``, each
    at its own place; the plaintext bytes written. BlobCorrupt if one fails (told apart with
    ``evidence``, whose ``key`` is the object's) or would not fit: a segment shorter than the
    file's size makes it is a copy cut short."""
    written, length = 0, len(sealed_run)
    for offset in range(0, length, SEALED_SEGMENT):
        index = first + offset // SEALED_SEGMENT
        end = min(length, offset + SEALED_SEGMENT)
        if index >= total:
            raise refusal.too_long()
        want = min(SEGMENT_SIZE, max(0, assembly.size - index * SEGMENT_SIZE)) + TAG_SIZE
        if end - offset != want:
            raise refusal.wrong_length(end - offset, want)
        try:
            written += await assembly.open(sealed_run, offset, end, index * SEGMENT_SIZE, nonce(index),
                                           aad(name, index, index == total - 1))
        except DecryptFailed:
            piece = bytes(assembly.platform.to_py(sealed_run))[offset:end]  # the failure path alone copies
            raise await _explain(assembly.platform, None, name, piece, index, total, evidence) from None
        except ValueError:
            raise refusal.too_long() from None
    return written


async def finish_assembly(assembly: Assembly, sha256: bytes) -> Any:
    """The plaintext of a download once every segment was opened into ``assembly`` and the
    whole matches ``sha256``; BlobCorrupt (nothing returned) if it does not."""
    try:
        plain, digest = await assembly.finish()
    except ValueError:
        raise refusal.truncated() from None
    if digest != sha256:
        raise refusal.hash_mismatch()
    return plain


async def assemble(platform: Platform, key: bytes, name: str, runs: list[tuple[int, Any]], size: int,
                   sha256: bytes, evidence: Evidence | None = None) -> Any:
    """A download without the network: ``runs`` of ``(offset in the object, sealed bytes)`` in
    any order, opened into one assembly of a ``size``-byte plaintext and checked against
    ``sha256`` (the path :meth:`~pylib.blobs.store.BlobStore.download` takes, for the tests)."""
    have = sum(len(body) for _, body in runs)
    if sealed_size(size) != have:
        raise refusal.wrong_length(have, sealed_size(size))
    assembly, total = platform.assembly(key, size), segment_count(size)
    evidence = replace(evidence or Evidence(), key=key)
    for offset, body in runs:
        await open_run_into(assembly, name, body, offset // SEALED_SEGMENT, total, evidence)
    return await finish_assembly(assembly, sha256)


async def open_object(platform: Platform, key: bytes, name: str, sealed: bytes, sha256: bytes,
                      total_size: int | None = None, evidence: Evidence | None = None) -> bytes:
    """The plaintext of ``sealed``, verified segment by segment and against its SHA-256."""
    plain = b"".join([chunk async for chunk in open_segments(platform, key, name, sealed, total_size, evidence)])
    if await platform.sha256(plain) != sha256:
        raise refusal.hash_mismatch()
    return plain
