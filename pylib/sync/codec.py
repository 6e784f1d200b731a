"""Objects in the bucket: records serialised, compressed, padded and sealed.

Every object (segment, snapshot part, manifest, lease) is ``QSY1``, a 2-byte header length,
the header (JSON: kind, workspace tag, device, number, schema version — readable, so a device
can tell an object it must hold from one it can apply, but authenticated), a 12-byte nonce and
AES-256-GCM ciphertext under the sync key with the object key and header as associated data:
an object moved to another key, or with its header edited, does not open. Inside: a 4-byte
length, the zstd-compressed body, zero padding to a size bucket (sizes leak little).

A body is JSON with byte values lifted out: ``{"$b": i}`` stands for the i-th blob, stored
after the JSON; equal blobs (a document's text and its version) are stored once. A snapshot
part of format 2 (:mod:`.snapshot`) may also hold ``{"$z": i}``: a text carried as the zstd
frame it is stored as (:class:`Packed`), so a new device stores it as it is.
"""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any

from pylib import compress, platform
from pylib.errors import DecryptFailed
from pylib.sync.errors import Refused

MAGIC = b"QSY1"
MAX_OBJECT_BYTES = 64 * 1024 * 1024
MAX_BODY_BYTES = 256 * 1024 * 1024
_AAD_PREFIX = b"quire-sync/1\x00"


def pad_size(n: int) -> int:
    """The bucket a plaintext of ``n`` bytes is padded to: at least 512, else the next of
    2^k, 1.25·2^k, 1.5·2^k, 1.75·2^k (at most 25% more)."""
    if n <= 512:
        return 512
    k = n.bit_length() - 1
    for step in (4, 5, 6, 7, 8):
        size = (step << k) >> 2
        if size >= n:
            return size
    return 1 << (k + 1)


class Packed:
    """A text carried as one zstd frame without a dictionary (``content_codec`` 0 of
    :mod:`pylib.textstore`, storage ``zstd`` of :mod:`pylib.version_store`): not ``bytes``,
    so nothing can take the frame for the text by mistake."""

    __slots__ = ("frame",)

    def __init__(self, frame: bytes) -> None:
        self.frame = frame

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Packed) and other.frame == self.frame

    def __hash__(self) -> int:
        return hash(self.frame)

    def __repr__(self) -> str:
        return f"Packed({len(self.frame)} bytes)"

    def plain(self) -> bytes | None:
        """The text, or ``None`` if the frame does not unpack (as ``quire_text`` reads a
        damaged stored text on the device that sent it)."""
        try:
            return compress.unpack(self.frame, MAX_BODY_BYTES)
        except compress.CompressedDataError:
            return None


def _blob(data: bytes, blobs: list[bytes], index: dict[bytes, int]) -> int:
    digest = hashlib.sha256(data).digest()
    if digest not in index:
        index[digest] = len(blobs)
        blobs.append(data)
    return index[digest]


def _lift(value: Any, blobs: list[bytes], index: dict[bytes, int]) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b": _blob(bytes(value), blobs, index)}
    if isinstance(value, Packed):
        return {"$z": _blob(value.frame, blobs, index)}
    if isinstance(value, dict):
        return {k: _lift(v, blobs, index) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lift(v, blobs, index) for v in value]
    return value


def _blob_hook(blobs: list[bytes], packed: bool) -> Any:
    """A ``json.loads`` object hook putting each ``{"$b": i}`` back as the i-th blob (called
    by the parser per object, which is far cheaper than walking the body after it), and with
    ``packed`` each ``{"$z": i}`` as :class:`Packed`."""

    def hook(value: dict[str, Any]) -> Any:
        if len(value) == 1:
            if "$b" in value:
                return blobs[_index(value["$b"], blobs)]
            if packed and "$z" in value:
                return Packed(blobs[_index(value["$z"], blobs)])
        return value

    return hook


def _index(i: Any, blobs: list[bytes]) -> int:
    if not isinstance(i, int) or not 0 <= i < len(blobs):
        raise Refused("A sync object refers to data it does not hold.")
    return i


def encode_body(body: Any) -> bytes:
    """JSON with blobs after it: u32 JSON length, JSON, then each blob's u32 length + bytes."""
    blobs: list[bytes] = []
    text = json.dumps(_lift(body, blobs, {}), separators=(",", ":"), sort_keys=True,
                      allow_nan=False).encode("utf-8")
    parts = [struct.pack(">II", len(text), len(blobs)), text]
    for blob in blobs:
        parts += [struct.pack(">I", len(blob)), blob]
    return b"".join(parts)


def decode_body(data: bytes, packed: bool = False) -> Any:
    """The body :func:`encode_body` made; ``packed``: ``{"$z": i}`` is read as
    :class:`Packed` (snapshot parts of format 2), else it is an object like any other."""
    try:
        size, count = struct.unpack_from(">II", data, 0)
        text = data[8:8 + size].decode("utf-8")
        pos = 8 + size
        blobs = []
        for _ in range(count):
            (n,) = struct.unpack_from(">I", data, pos)
            blobs.append(data[pos + 4:pos + 4 + n])
            if len(blobs[-1]) != n:
                raise ValueError("truncated blob")
            pos += 4 + n
        if pos != len(data):
            raise Refused("A sync object has trailing data.")
        return json.loads(text, object_hook=_blob_hook(blobs, packed))
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise Refused(f"A sync object is malformed ({exc}).") from exc


def _aad(key: str, header: bytes) -> bytes:
    return _AAD_PREFIX + key.encode("utf-8") + b"\x00" + header


async def seal(sync_key: bytes, key: str, header: dict[str, Any], body: Any) -> bytes:
    """The bytes to store at ``key``: ``header`` readable, ``body`` encrypted."""
    head = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    packed = compress.pack(encode_body(body))
    plain = struct.pack(">I", len(packed)) + packed
    plain += bytes(pad_size(len(plain)) - len(plain))
    pl = platform.current
    nonce = pl.random_bytes(12)
    sealed = await pl.aes_gcm_encrypt(sync_key, nonce, plain, _aad(key, head))
    return MAGIC + struct.pack(">H", len(head)) + head + nonce + sealed


def read_header(data: bytes) -> tuple[dict[str, Any], bytes, int]:
    """``(header, header bytes, where the nonce starts)``; raises :class:`Refused`."""
    if len(data) < 6 or data[:4] != MAGIC or len(data) > MAX_OBJECT_BYTES:
        raise Refused("That is not a Quire sync object.")
    (size,) = struct.unpack_from(">H", data, 4)
    head = data[6:6 + size]
    try:
        header = json.loads(head.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refused("A sync object's header is damaged.") from exc
    if not isinstance(header, dict) or len(data) < 6 + size + 12 + 16:
        raise Refused("A sync object is truncated.")
    return header, head, 6 + size


async def open_sealed(sync_key: bytes, key: str, data: bytes, expect: dict[str, Any],
                      packed: bool = False) -> tuple[dict[str, Any], Any]:
    """``(header, body)`` of an object read from ``key``; every field of ``expect`` must
    match the header (``packed``: see :func:`decode_body`). Raises :class:`Refused`
    (tampered, truncated, foreign, misplaced)."""
    header, head, start = read_header(data)
    for name, value in expect.items():
        if header.get(name) != value:
            raise Refused(f"A sync object is not the one expected ({name}).", key=key)
    nonce, sealed = data[start:start + 12], data[start + 12:]
    try:
        plain = await platform.current.aes_gcm_decrypt(sync_key, nonce, sealed, _aad(key, head))
    except DecryptFailed:
        raise Refused("A sync object failed its integrity check (tampered, truncated, or "
                      "of another workspace).", key=key) from None
    try:
        (size,) = struct.unpack_from(">I", plain, 0)
        # zstd lets go of the GIL: in a thread, the next parts keep arriving meanwhile.
        body = await platform.current.off_loop(size, compress.unpack,
                                               memoryview(plain)[4:4 + size], MAX_BODY_BYTES)
    except (struct.error, compress.CompressedDataError) as exc:
        raise Refused(f"A sync object does not unpack ({exc}).", key=key) from exc
    return header, decode_body(body, packed)
