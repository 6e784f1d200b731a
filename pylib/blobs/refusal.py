"""Why a stored copy of a large file was refused: each case its own message and ``reason``.

A segment that fails its AES-GCM tag says only that it is not what this key sealed at this
place. What it is instead is worked out here, on the failure path alone, from what the caller
knows (:class:`Evidence`), so the person is told which of these happened:

- ``truncated`` — the stored copy is incomplete (cut short): fewer bytes than the file's
  segments need, or its last segment missing (the segment now last opens only as a middle one);
- ``wrong_key`` — it needs another key: the key in use did not make the object's name (names
  and contents are keyed from one data key, so a key that did not name it did not seal it);
- ``foreign`` — the segment belongs to another file of this workspace (it opens under another
  object's key the device knows);
- ``altered`` — the key is right and the segment is this file's no longer: changed, moved to
  another place (it opens at another position of this file), or the copy is longer than the
  file's segments;
- ``check_failed`` — a segment failed and nothing was known to tell these apart (no evidence);
- ``hash_mismatch`` — every segment opened, but the whole is not the recorded content.

Every refusal is a :class:`~pylib.errors.BlobCorrupt` (code ``blob_corrupt``) with
``details["reason"]``: nothing of a refused copy is ever returned.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pylib.blobs import layout
from pylib.errors import BlobCorrupt, DecryptFailed
from pylib.platform.base import Platform

# At most this many other positions, and other objects, a failed segment is tried against.
MAX_TRIES = 64

Others = Callable[[], Awaitable[list[tuple[str, bytes, int]]]]  # (name, file key, plaintext size)


@dataclass(frozen=True)
class Evidence:
    """What a failed segment may be tested against. ``key``: the object's file key (for a
    download's assembly, which keeps it to itself); ``names_key`` and ``sha256``: the names
    subkey in use and the content's hash, to tell whether this key made the name; ``others``:
    other objects of the workspace (``(name, file key, size)``), to find a segment's file."""

    key: bytes | None = None
    names_key: bytes | None = None
    sha256: bytes | None = None
    others: Others | None = None


def truncated(what: str = "it has fewer bytes than the file's segments need") -> BlobCorrupt:
    return BlobCorrupt(f"The stored copy is incomplete (cut short): {what}; it was not opened.", reason="truncated")


def too_long() -> BlobCorrupt:
    return BlobCorrupt("The stored copy is longer than the file's segments: it was altered; it was not opened.",
                       reason="altered")


def hash_mismatch() -> BlobCorrupt:
    return BlobCorrupt("The file's content does not match its recorded hash; it was not opened.",
                       reason="hash_mismatch")


def wrong_length(have: int, want: int) -> BlobCorrupt:
    """A stored copy of ``have`` bytes where the file's segments make ``want``."""
    return truncated() if have < want else too_long()


async def _opens(platform: Platform, key: bytes, name: str, piece: bytes, index: int, last: bool) -> bool:
    try:
        await platform.aes_gcm_decrypt(key, layout.nonce(index), piece, layout.aad(name, index, last))
    except DecryptFailed:
        return False
    return True


async def explain(platform: Platform, key: bytes | None, name: str, piece: bytes, index: int, total: int,
                  evidence: Evidence | None = None) -> BlobCorrupt:
    """The refusal of segment ``index`` (of ``total``) of object ``name``, whose sealed bytes
    ``piece`` failed their tag under ``key`` (None: ``evidence.key``)."""
    evidence = evidence or Evidence()
    key = key if key is not None else evidence.key
    where = f"Segment {index + 1} of {total}"
    if evidence.names_key is not None and evidence.sha256 is not None:
        if await layout.object_name(platform, evidence.names_key, evidence.sha256) != name:
            return BlobCorrupt("The stored copy was encrypted with another key, not this workspace's: it was not"
                               " opened.", segment=index, reason="wrong_key")
    if key is None:
        return _unexplained(where, index)
    if index == total - 1 and await _opens(platform, key, name, piece, index, last=False):
        return truncated("its last segment is missing")
    for other in range(min(total, MAX_TRIES)):
        if other != index and await _opens(platform, key, name, piece, other, other == total - 1):
            return BlobCorrupt(f"{where} is segment {other + 1} of this file, moved: the stored copy was altered;"
                               " it was not opened.", segment=index, reason="altered")
    for other_name, other_key, size in (await evidence.others() if evidence.others else [])[:MAX_TRIES]:
        count = layout.segment_count(size)
        if other_name != name and index < count and await _opens(platform, other_key, other_name, piece, index,
                                                                 index == count - 1):
            return BlobCorrupt(f"{where} belongs to another file: the stored copy was put together from another"
                               " file's pieces; it was not opened.", segment=index, reason="foreign")
    if evidence.names_key is None:
        return _unexplained(where, index)
    return BlobCorrupt(f"{where} was altered: it fails its check, so the stored copy was changed after it was made;"
                       " it was not opened.", segment=index, reason="altered")


def _unexplained(where: str, index: int) -> BlobCorrupt:
    return BlobCorrupt(f"{where} failed its check: the stored copy was altered, belongs to another file or needs"
                       " another key; it was not opened.", segment=index, reason="check_failed")
