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
from typing import Any

from pylib.errors import BlobCorrupt, DecryptFailed
from pylib.platform.base import Assembly, Platform

VERSION = b"quire-blob-v1"
SEGMENT_SIZE = 4 * 1024 * 1024
TAG_SIZE = 16
SEALED_SEGMENT = SEGMENT_SIZE + TAG_SIZE
SEGMENTS_PER_PART = 4  # 16 MiB parts (S3's minimum, 5 MiB, needs at least 2)
PART_SIZE = SEGMENTS_PER_PART * SEALED_SEGMENT


async def object_name(platform: Platform, names_key: bytes, sha256: bytes) -> str:
    """The object's name: HMAC of the plaintext's SHA-256 under the names subkey (hex).

    Equal files get one name (dedupe); without the key nobody can tell which file a name is.
    """
    return (await platform.hmac_sha256(names_key, VERSION + b"\0" + sha256)).hex()


async def file_key(platform: Platform, blobs_key: bytes, name: str) -> bytes:
    """The AES-256 key of one object."""
    return await platform.hkdf_sha256(blobs_key, salt=VERSION, info=b"object " + name.encode(), length=32)


def segment_count(size: int) -> int:
    """Segments of a plaintext of ``size`` bytes (an empty file is one empty, last segment)."""
    return max(1, -(-size // SEGMENT_SIZE))


def sealed_size(size: int) -> int:
    """Bytes of the object that holds ``size`` bytes of plaintext."""
    return size + TAG_SIZE * segment_count(size)


def part_count(size: int, per_part: int = SEGMENTS_PER_PART) -> int:
    """Multipart parts of ``per_part`` segments for a plaintext of ``size`` bytes."""
    return -(-segment_count(size) // per_part)


def _aad(name: str, index: int, last: bool) -> bytes:
    return VERSION + b"\0" + name.encode() + b"\0" + index.to_bytes(8, "big") + (b"\1" if last else b"\0")


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


async def seal_segments(platform: Platform, key: bytes, name: str, data: bytes,
                        first: int = 0, count: int | None = None) -> bytes:
    """Segments ``first .. first+count-1`` of the object for ``data`` (all when count is None)."""
    total = segment_count(len(data))
    end = total if count is None else min(total, first + count)
    out = []
    for index in range(first, end):
        chunk = data[index * SEGMENT_SIZE:(index + 1) * SEGMENT_SIZE]
        out.append(await platform.aes_gcm_encrypt(key, _nonce(index), chunk, _aad(name, index, index == total - 1)))
    return b"".join(out)


async def seal_part(platform: Platform, key: bytes, name: str, data: bytes, number: int,
                    per_part: int = SEGMENTS_PER_PART) -> bytes:
    """Multipart part ``number`` (1-based, ``per_part`` segments each) of the object for ``data``."""
    return await seal_segments(platform, key, name, data, (number - 1) * per_part, per_part)


def _plain_size(sealed: int) -> int:
    count = max(1, -(-sealed // SEALED_SEGMENT))
    size = sealed - TAG_SIZE * count
    if size < 0 or sealed_size(size) != sealed:
        raise BlobCorrupt("The file's stored copy has the wrong length: it is truncated or damaged.")
    return size


async def open_segments(platform: Platform, key: bytes, name: str, sealed: bytes,
                        total_size: int | None = None) -> AsyncIterator[bytes]:
    """The plaintext segments of ``sealed`` in order, each checked against its tag.

    ``total_size`` is the plaintext size the pointer recorded; a mismatch, a wrong key or any
    altered, moved, foreign or missing segment raises :class:`~pylib.errors.BlobCorrupt`
    before any byte of that segment is returned.
    """
    size = _plain_size(len(sealed))
    if total_size is not None and size != total_size:
        raise BlobCorrupt("The file's stored copy has the wrong length: it is truncated or damaged.")
    total = segment_count(size)
    for index in range(total):
        piece = sealed[index * SEALED_SEGMENT:(index + 1) * SEALED_SEGMENT]
        try:
            yield await platform.aes_gcm_decrypt(key, _nonce(index), piece, _aad(name, index, index == total - 1))
        except DecryptFailed:
            raise BlobCorrupt(f"Segment {index + 1} of {total} failed its check: the stored copy was altered,"
                              " belongs to another file or needs another key.", segment=index) from None


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
            raise BlobCorrupt("The file's stored copy is longer than expected.")
        try:
            out.append(await platform.aes_gcm_decrypt(key, _nonce(index), piece, _aad(name, index, index == total - 1)))
        except DecryptFailed:
            raise BlobCorrupt(f"Segment {index + 1} of {total} failed its check: the stored copy was altered,"
                              " belongs to another file or needs another key.", segment=index) from None
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
            raise BlobCorrupt("The file's stored copy is longer than expected.")
        try:
            await platform.aes_gcm_decrypt_into(key, _nonce(index), piece, out[at:at + size],
                                                _aad(name, index, index == total - 1))
        except DecryptFailed:
            raise BlobCorrupt(f"Segment {index + 1} of {total} failed its check: the stored copy was altered,"
                              " belongs to another file or needs another key.", segment=index) from None
        at += size
    return at


def _failed(index: int, total: int) -> BlobCorrupt:
    return BlobCorrupt(f"Segment {index + 1} of {total} failed its check: the stored copy was altered,"
                       " belongs to another file or needs another key.", segment=index)


async def open_run_into(assembly: Assembly, name: str, sealed_run: Any, first: int, total: int) -> int:
    """Whole segments ``first, first+1, ...`` of an object of ``total`` segments (a ranged
    download's body: ``bytes`` or a host buffer) checked and decrypted into ``assembly``, each
    at its own place; the plaintext bytes written. BlobCorrupt if one fails or would not fit."""
    written, length = 0, len(sealed_run)
    for offset in range(0, length, SEALED_SEGMENT):
        index = first + offset // SEALED_SEGMENT
        end = min(length, offset + SEALED_SEGMENT)
        if index >= total:
            raise BlobCorrupt("The file's stored copy is longer than expected.")
        try:
            written += await assembly.open(sealed_run, offset, end, index * SEGMENT_SIZE, _nonce(index),
                                           _aad(name, index, index == total - 1))
        except DecryptFailed:
            raise _failed(index, total) from None
        except ValueError:
            raise BlobCorrupt("The file's stored copy has the wrong length: it is truncated or damaged.") from None
    return written


async def finish_assembly(assembly: Assembly, sha256: bytes) -> Any:
    """The plaintext of a download once every segment was opened into ``assembly`` and the
    whole matches ``sha256``; BlobCorrupt (nothing returned) if it does not."""
    try:
        plain, digest = await assembly.finish()
    except ValueError:
        raise BlobCorrupt("The file's stored copy is truncated; it was not opened.") from None
    if digest != sha256:
        raise BlobCorrupt("The file's content does not match its recorded hash; it was not opened.")
    return plain


async def assemble(platform: Platform, key: bytes, name: str, runs: list[tuple[int, Any]], size: int,
                   sha256: bytes) -> Any:
    """A download without the network: ``runs`` of ``(offset in the object, sealed bytes)`` in
    any order, opened into one assembly of a ``size``-byte plaintext and checked against
    ``sha256`` (the path :meth:`~pylib.blobs.store.BlobStore.download` takes, for the tests)."""
    if sealed_size(size) != sum(len(body) for _, body in runs):
        raise BlobCorrupt("The file's stored copy has the wrong length: it is truncated or damaged.")
    assembly, total = platform.assembly(key, size), segment_count(size)
    for offset, body in runs:
        await open_run_into(assembly, name, body, offset // SEALED_SEGMENT, total)
    return await finish_assembly(assembly, sha256)


async def open_object(platform: Platform, key: bytes, name: str, sealed: bytes, sha256: bytes,
                      total_size: int | None = None) -> bytes:
    """The plaintext of ``sealed``, verified segment by segment and against its SHA-256."""
    plain = b"".join([chunk async for chunk in open_segments(platform, key, name, sealed, total_size)])
    if await platform.sha256(plain) != sha256:
        raise BlobCorrupt("The file's content does not match its recorded hash; it was not opened.")
    return plain
