"""Known-answer checks of the platform layer, run on every host the engine runs on.

``await compute(platform, base_url)`` exercises one :class:`~pylib.platform.base.Platform`
and returns plain JSON-compatible results (bytes as hex). The CPython test, the Pyodide run
under Node and the Chromium harness all compare them with :data:`EXPECTED` (published test
vectors) and with each other. ``base_url`` names an echo server (:mod:`echo_server`); the
fetch checks are skipped without one.
"""

from __future__ import annotations

import asyncio
from typing import Any

H = bytes.fromhex

# FIPS 180-2 (SHA-256 "abc"), RFC 4231 test case 2 (HMAC), RFC 5869 test case 1 (HKDF),
# the GCM specification's test cases 3, 4 (AAD) and 13 (256-bit key, empty message).
GCM_KEY = H("feffe9928665731c6d6a8f9467308308")
GCM_IV = H("cafebabefacedbaddecaf888")
GCM_PLAIN = H(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255")
GCM_AAD = H("feedfacedeadbeeffeedfacedeadbeefabaddad2")

EXPECTED = {
    "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "hmac_sha256": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    "hkdf_sha256": "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                   "34007208d5b887185865",
    "aes_gcm_3": "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                 "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
                 "4d5c2af327cd64a62cf35abd2ba6fab4",
    "aes_gcm_4": "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                 "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
                 "5bc94fbc3221a5db94fae95ae7121a47",
    "aes_gcm_13": "530f8afbc74536b9a963b4f1c4cb738b",
    "aes_gcm_4_decrypted": GCM_PLAIN[:60].hex(),
    "tampered": "decrypt_failed",
    "wrong_aad": "decrypt_failed",
    "random": [32, 70000, True],
    "channel": [[{"n": 1, "data": "0001", "text": "é"}], []],
}


async def _crypto(pl) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["sha256"] = (await pl.sha256(b"abc")).hex()
    out["hmac_sha256"] = (await pl.hmac_sha256(b"Jefe", b"what do ya want for nothing?")).hex()
    out["hkdf_sha256"] = (await pl.hkdf_sha256(
        b"\x0b" * 22, salt=H("000102030405060708090a0b0c"), info=H("f0f1f2f3f4f5f6f7f8f9"),
        length=42)).hex()
    out["aes_gcm_3"] = (await pl.aes_gcm_encrypt(GCM_KEY, GCM_IV, GCM_PLAIN)).hex()
    sealed = await pl.aes_gcm_encrypt(GCM_KEY, GCM_IV, GCM_PLAIN[:60], GCM_AAD)
    out["aes_gcm_4"] = sealed.hex()
    out["aes_gcm_13"] = (await pl.aes_gcm_encrypt(bytes(32), bytes(12), b"")).hex()
    out["aes_gcm_4_decrypted"] = (await pl.aes_gcm_decrypt(
        GCM_KEY, GCM_IV, sealed, GCM_AAD)).hex()
    for name, data, aad in (("tampered", sealed[:-1] + bytes([sealed[-1] ^ 1]), GCM_AAD),
                            ("wrong_aad", sealed, b"other")):
        try:
            await pl.aes_gcm_decrypt(GCM_KEY, GCM_IV, data, aad)
            out[name] = "decrypted"
        except Exception as exc:  # the code says which error; anything else fails the check
            out[name] = getattr(exc, "code", type(exc).__name__)
    a, b = pl.random_bytes(32), pl.random_bytes(70000)  # past getRandomValues' 64 KiB limit
    out["random"] = [len(a), len(b), a != pl.random_bytes(32) and len(set(b)) > 200]
    return out


async def _channel(pl) -> list[Any]:
    sender, receiver = pl.channel("quire-platform-check"), pl.channel("quire-platform-check")
    got: list[Any] = []
    echoed: list[Any] = []
    receiver.listen(got.append)
    sender.listen(echoed.append)
    sender.post({"n": 1, "data": b"\x00\x01", "text": "é"})
    for _ in range(200):
        if got:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # a message to the sender itself would have arrived by now
    sender.close()
    receiver.close()
    return [[{**m, "data": m["data"].hex()} for m in got], echoed]


async def fetch_checks(pl, base_url: str, refused: bool = True) -> dict[str, Any]:
    """Status, headers and bodies the echo server sends back, as the platform saw them.

    ``refused``: also fetch from a closed port (not in the browser tests, which fail on any
    request that leaves the page's origin).
    """
    out: dict[str, Any] = {}
    got = await pl.fetch(base_url + "/hello")
    out["get"] = [got.status, got.ok, got.text(), got.headers.get("content-type")]
    body = bytes(range(256)) * 4
    echo = await pl.fetch(base_url + "/echo?x=1", method="POST",
                          headers={"X-Quire-Check": "yes", "Content-Type": "application/octet-stream"},
                          body=body)
    reply = echo.json()
    out["post"] = [echo.status, reply["method"], reply["path"], reply["check"],
                   reply["length"], reply["sha256"] == (await pl.sha256(body)).hex()]
    missing = await pl.fetch(base_url + "/missing")
    out["missing"] = [missing.status, missing.ok, missing.text()]
    if not refused:
        return out
    try:
        await pl.fetch(base_url.rsplit(":", 1)[0] + ":9/unreachable")
        out["refused"] = "answered"
    except Exception as exc:
        out["refused"] = getattr(exc, "code", type(exc).__name__)
    return out


async def compute(pl, base_url: str | None = None, refused: bool = True) -> dict[str, Any]:
    """Every check on one platform; plain data, comparable across hosts."""
    out = await _crypto(pl)
    out["channel"] = await _channel(pl)
    if base_url:
        out["fetch"] = await fetch_checks(pl, base_url, refused)
    return out


FETCH_EXPECTED = {
    "get": [200, True, "hello from the echo server", "text/plain; charset=utf-8"],
    "post": [200, "POST", "/echo?x=1", "yes", 1024, True],
    "missing": [404, False, "no such page"],
    "refused": "network_error",
}
