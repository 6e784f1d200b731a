"""The workspace key's wrapped copies in S3: create, unlock, recover, change the passphrase.

One JSON object per workspace, ``keys/<workspace>.json`` under the user's folder, holds the data
key twice: wrapped under a key derived from the passphrase (Argon2id; salt and costs stored with
it) and under a key derived from the 256-bit recovery secret the page shows once as 24 BIP39
words. Neither the passphrase, the words nor the data key ever reach the server. Creation is
create-only (a second device never replaces the first one's key) and a passphrase change
replaces the object only if it is still the version that was read (``If-Match``), re-wrapping
the same data key: no file is re-encrypted. A wrong passphrase raises ``wrong_secret`` and
writes nothing. Lose both the passphrase and the words and nobody can read the files — Quire
included.

Argon2id itself is the host's (``kdf``): argon2-cffi on CPython, hash-wasm in the browser.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pylib.errors import Conflict, InvalidParams, KeyUnavailable, StorageError
from pylib.keys import new_data_key, unwrap_key, wrap_key
from pylib.platform.base import Platform
from pylib.s3client import S3Client

# OWASP's first Argon2id profile is 19 MiB/t=2; Quire asks for more (64 MiB, t=3, p=1), about
# 0.3 s in Chromium on this kind of machine. Stored costs above the caps are refused, so a
# forged key object cannot make a device derive for minutes.
ARGON2 = {"memory_kib": 64 * 1024, "iterations": 3, "parallelism": 1}
ARGON2_CAPS = {"memory_kib": 1024 * 1024, "iterations": 10, "parallelism": 4}
MIN_PASSPHRASE = 10
RECOVERY_BYTES = 32  # 24 BIP39 words

Kdf = Callable[[str, bytes, dict[str, int]], Awaitable[bytes]]


async def cpython_argon2id(passphrase: str, salt: bytes, costs: dict[str, int]) -> bytes:
    """Argon2id with argon2-cffi (32-byte output)."""
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(passphrase.encode(), salt, costs["iterations"], costs["memory_kib"],
                           costs["parallelism"], 32, Type.ID)


@dataclass(frozen=True, repr=False)
class Unlocked:
    """The data key, and (right after creation only) the recovery secret to show once."""

    data_key: bytes
    recovery: bytes | None = None

    def __repr__(self) -> str:
        return "Unlocked(<hidden>)"


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidParams(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters.")


class Keyring:
    """The wrapped keys of one workspace for one signed-in user."""

    def __init__(self, platform: Platform, client: S3Client, workspace: str = "default", *,
                 kdf: Kdf = cpython_argon2id, costs: dict[str, int] | None = None) -> None:
        self.platform, self.client, self.kdf = platform, client, kdf
        self.key = f"keys/{workspace}.json"
        self.costs = dict(costs or ARGON2)

    async def _recovery_kek(self, secret: bytes) -> bytes:
        if len(secret) != RECOVERY_BYTES:
            raise InvalidParams("Recovery words encode 32 bytes (24 words).")
        return await self.platform.hkdf_sha256(secret, salt=b"quire recovery v1", info=b"kek", length=32)

    async def _passphrase_envelope(self, passphrase: str, data_key: bytes) -> dict[str, Any]:
        salt = self.platform.random_bytes(16)
        kek = await self.kdf(passphrase, salt, self.costs)
        return await wrap_key(self.platform, kek, data_key, kind="passphrase",
                              params={"kdf": "argon2id", "salt": base64.b64encode(salt).decode(), **self.costs})

    async def _read(self) -> tuple[dict[str, Any], str | None]:
        try:
            body = await self.client.get(self.key)
        except StorageError as error:
            if error.code == "not_found":
                raise KeyUnavailable("This workspace has no key in the cloud yet.") from None
            raise
        head = await self.client.head(self.key)
        try:
            document = json.loads(body)
            envelopes = document["envelopes"]
            assert isinstance(envelopes["passphrase"], dict) and isinstance(envelopes["recovery"], dict)
        except (ValueError, KeyError, TypeError, AssertionError):
            raise InvalidParams("The stored key object is malformed.") from None
        return document, (head or {}).get("etag")

    async def exists(self) -> bool:
        return await self.client.head(self.key) is not None

    async def create(self, passphrase: str) -> Unlocked:
        """A new data key, wrapped twice and stored create-only; Conflict if one exists."""
        check_passphrase(passphrase)
        data_key, recovery = new_data_key(self.platform), self.platform.random_bytes(RECOVERY_BYTES)
        document = {"v": 1, "check": await self._check_value(data_key), "envelopes": {
            "passphrase": await self._passphrase_envelope(passphrase, data_key),
            "recovery": await wrap_key(self.platform, await self._recovery_kek(recovery), data_key, kind="recovery"),
        }}
        result = await self.client.put(self.key, json.dumps(document).encode(), create_only=True,
                                       content_type="application/json")
        if not result.created:
            raise Conflict("This workspace already has a key: unlock it with its passphrase or recovery words.")
        return Unlocked(data_key, recovery)

    async def _passphrase_kek(self, passphrase: str, envelope: dict[str, Any]) -> bytes:
        params = envelope.get("params") or {}
        try:
            costs = {name: int(params[name]) for name in ARGON2}
            salt = base64.b64decode(params["salt"], validate=True)
        except (KeyError, TypeError, ValueError):
            raise InvalidParams("The stored key object is malformed.") from None
        if any(not 1 <= costs[n] <= ARGON2_CAPS[n] for n in costs) or params.get("kdf") != "argon2id":
            raise InvalidParams("The stored key object asks for key derivation Quire does not allow.")
        return await self.kdf(passphrase, salt, costs)

    async def unlock(self, passphrase: str) -> Unlocked:
        """The data key from the passphrase; WrongSecret if it is not the right one."""
        document, _ = await self._read()
        envelope = document["envelopes"]["passphrase"]
        return Unlocked(await unwrap_key(self.platform, await self._passphrase_kek(passphrase, envelope), envelope))

    async def recover(self, secret: bytes) -> Unlocked:
        """The data key from the recovery secret (the 24 words' entropy)."""
        document, _ = await self._read()
        envelope = document["envelopes"]["recovery"]
        return Unlocked(await unwrap_key(self.platform, await self._recovery_kek(secret), envelope))

    async def change_passphrase(self, data_key: bytes, new_passphrase: str) -> None:
        """Re-wrap the (unlocked) data key under a new passphrase; the recovery copy stays.
        Refused, nothing written, if ``data_key`` is not this workspace's key or the key object
        changed on another device since it was read."""
        check_passphrase(new_passphrase)
        document, etag = await self._read()
        if document.get("check") != await self._check_value(data_key):
            raise InvalidParams("That is not this workspace's key. Nothing was changed.")
        if not etag:  # without the version read, a replace could undo another device's change
            raise StorageError("Cloud storage did not say which version of the key it holds; nothing was changed.",
                               code="refused")
        document["envelopes"]["passphrase"] = await self._passphrase_envelope(new_passphrase, data_key)
        try:
            await self.client.put(self.key, json.dumps(document).encode(), if_match=etag,
                                  content_type="application/json")
        except StorageError as error:
            if error.code == "precondition_failed":
                raise Conflict("The key changed on another device meanwhile; unlock again and retry.") from None
            raise

    async def _check_value(self, data_key: bytes) -> str:
        """A key check value: tells a right data key from a wrong one, reveals nothing of it."""
        return (await self.platform.hmac_sha256(data_key, b"quire key check v1")).hex()[:32]
