"""The workspace key hierarchy: one random data key, HKDF subkeys, wrapped copies.

Each workspace has one 256-bit data key, made on this device with the platform's secure
generator. Nothing is ever encrypted under it directly: HKDF-SHA-256 derives one subkey per
purpose (``blobs`` for file contents, ``sync`` for sync segments, ``names`` for object names),
so the purposes never share a key and a new purpose never changes the old ones.

The data key leaves the device only wrapped: AES-256-GCM under a key-encryption key (from the
passphrase with Argon2id, or from the 24 recovery words), as a small JSON envelope that can be
stored in S3. Unwrapping with the wrong KEK raises :class:`~pylib.errors.WrongSecret` and
returns nothing; changing the passphrase re-wraps the same data key (no file is re-encrypted).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from pylib.errors import DecryptFailed, InvalidParams, WrongSecret
from pylib.platform.base import Platform

KEY_BYTES = 32
HKDF_SALT = b"quire workspace key v1"
PURPOSES = ("blobs", "sync", "names")
ENVELOPE_VERSION = 1


@dataclass(frozen=True, repr=False)
class WorkspaceKeys:
    """The subkeys of one workspace's data key (``repr`` never shows key bytes)."""

    blobs: bytes
    sync: bytes
    names: bytes

    def __repr__(self) -> str:
        return "WorkspaceKeys(<hidden>)"


def new_data_key(platform: Platform) -> bytes:
    """A fresh random 256-bit data key."""
    return platform.random_bytes(KEY_BYTES)


async def derive_keys(platform: Platform, data_key: bytes) -> WorkspaceKeys:
    """The subkeys for blobs, sync and names (HKDF-SHA-256, one ``info`` per purpose)."""
    if len(data_key) != KEY_BYTES:
        raise InvalidParams("A workspace data key is 32 bytes.")
    derived = {purpose: await platform.hkdf_sha256(data_key, salt=HKDF_SALT, info=b"quire " + purpose.encode(),
                                                   length=KEY_BYTES)
               for purpose in PURPOSES}
    return WorkspaceKeys(**derived)


def _aad(kind: str) -> bytes:
    return f"quire data key v{ENVELOPE_VERSION} wrapped by {kind}".encode()


async def wrap_key(platform: Platform, kek: bytes, data_key: bytes, *, kind: str,
                   params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The data key sealed under ``kek``: ``{v, kind, params, nonce, sealed}`` (base64).

    ``kind`` ("passphrase", "recovery") and ``params`` (the KDF's salt and costs) travel with
    the envelope so another device can derive the same KEK; ``kind`` is bound as associated data.
    """
    nonce = platform.random_bytes(12)
    sealed = await platform.aes_gcm_encrypt(kek, nonce, data_key, _aad(kind))
    return {"v": ENVELOPE_VERSION, "kind": kind, "params": params or {},
            "nonce": base64.b64encode(nonce).decode(), "sealed": base64.b64encode(sealed).decode()}


async def unwrap_key(platform: Platform, kek: bytes, envelope: dict[str, Any]) -> bytes:
    """The data key from ``envelope``; WrongSecret if ``kek`` is not the one it was sealed with."""
    try:
        if envelope.get("v") != ENVELOPE_VERSION:
            raise InvalidParams("This key envelope was written by another version of Quire.")
        nonce = base64.b64decode(envelope["nonce"], validate=True)
        sealed = base64.b64decode(envelope["sealed"], validate=True)
        kind = str(envelope["kind"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidParams("The stored key envelope is malformed.") from exc
    try:
        data_key = await platform.aes_gcm_decrypt(kek, nonce, sealed, _aad(kind))
    except DecryptFailed:
        what = "passphrase" if kind == "passphrase" else "recovery words"
        raise WrongSecret(f"That {what} does not unlock this workspace's files. Nothing was changed.") from None
    if len(data_key) != KEY_BYTES:
        raise InvalidParams("The stored key envelope is malformed.")
    return data_key
