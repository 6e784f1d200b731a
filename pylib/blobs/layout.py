"""The layout of an encrypted object (:mod:`pylib.blobs.format`): its segments' sizes, names,
nonces and associated data — what sealing, opening and explaining a refusal
(:mod:`pylib.blobs.refusal`) all build on."""

from __future__ import annotations

from pylib.platform.base import Platform

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


def aad(name: str, index: int, last: bool) -> bytes:
    """The associated data of segment ``index`` of object ``name`` (``last``: the final one)."""
    return VERSION + b"\0" + name.encode() + b"\0" + index.to_bytes(8, "big") + (b"\1" if last else b"\0")


def nonce(index: int) -> bytes:
    """The nonce of segment ``index``: its number (one key only ever seals one content)."""
    return index.to_bytes(12, "big")
