"""The blob format's checks as one coroutine, so CPython and Pyodide can be compared result
for result (tests/pyodide/test_blobs_in_pyodide.py): fixed keys and data give fixed bytes."""

from __future__ import annotations

from pylib.blobs import format as fmt
from pylib.errors import BlobCorrupt, WrongSecret
from pylib.keys import derive_keys, unwrap_key, wrap_key


async def _outcome(platform, key, name, sealed, digest) -> str:
    try:
        await fmt.open_object(platform, key, name, sealed, digest)
    except BlobCorrupt as error:
        return error.code
    return "opened"


async def compute(platform) -> dict:
    """Names, ciphertext digests and refusals for a fixed data key and a two-segment file."""
    keys = await derive_keys(platform, bytes(range(32)))
    data = bytes(i % 251 for i in range(fmt.SEGMENT_SIZE + 1000))
    digest = await platform.sha256(data)
    name = await fmt.object_name(platform, keys.names, digest)
    key = await fmt.file_key(platform, keys.blobs, name)
    sealed = await fmt.seal_segments(platform, key, name, data)
    seg = fmt.SEALED_SEGMENT
    flipped = bytearray(sealed)
    flipped[seg + 7] ^= 1
    other_key = await fmt.file_key(platform, keys.sync, name)
    tampered = {
        "flip": (key, bytes(flipped)), "swap": (key, sealed[seg:] + sealed[:seg]),
        "drop_last": (key, sealed[:seg]), "other_key": (other_key, sealed),
    }
    envelope = await wrap_key(platform, bytes(32), bytes(range(32)), kind="passphrase")
    try:
        await unwrap_key(platform, bytes([1]) * 32, envelope)
        wrong = "opened"
    except WrongSecret as error:
        wrong = error.code
    return {
        "subkeys": [keys.blobs.hex(), keys.sync.hex(), keys.names.hex()],
        "name": name,
        "sealed": [len(sealed), (await platform.sha256(sealed)).hex()],
        "round_trip": (await fmt.open_object(platform, key, name, sealed, digest)) == data,
        "refused": {label: await _outcome(platform, k, name, body, digest) for label, (k, body) in tampered.items()},
        "unwrap": [(await unwrap_key(platform, bytes(32), envelope)) == bytes(range(32)), wrong],
    }
