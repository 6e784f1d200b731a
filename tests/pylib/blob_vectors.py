"""The blob format's checks as one coroutine, so CPython and Pyodide can be compared result
for result (tests/pyodide/test_blobs_in_pyodide.py): fixed keys and data give fixed bytes."""

from __future__ import annotations

from pylib.blobs import format as fmt
from pylib.blobs.refusal import Evidence
from pylib.errors import BlobCorrupt, WrongSecret
from pylib.keys import derive_keys, unwrap_key, wrap_key


# Another workspace's data key: its subkeys did not make this workspace's names.
OTHER_DATA_KEY = bytes([7]) * 32


async def _outcome(platform, key, name, sealed, digest, evidence=None) -> str:
    try:
        await fmt.open_object(platform, key, name, sealed, digest, None, evidence)
    except BlobCorrupt as error:
        return f"{error.code}:{error.details['reason']}"
    return "opened"


async def _assembled(platform, key, name, runs, size, digest, data, evidence) -> str:
    """How a download's assembly (the platform's, on host buffers) takes ``runs``."""
    try:
        plain = await fmt.assemble(platform, key, name, [(at, platform.to_js(body)) for at, body in runs], size,
                                   digest, evidence)
    except BlobCorrupt as error:
        return f"{error.code}: {error.details['reason']}: {error.message}"
    return "opened" if platform.to_py(plain) == data else "garbled"


async def assembly_outcomes(platform, keys, data, digest, name, key, sealed) -> dict:
    """A three-segment download opened range by range into the platform's assembly: in any
    order it opens; a copy cut short, an altered or swapped segment, another file's segment, a
    wrong key or a wrong hash is refused, each with its own reason."""
    seg = fmt.SEALED_SEGMENT
    parts = [(at, sealed[at:at + seg]) for at in range(0, len(sealed), seg)]
    flipped = bytearray(parts[1][1])
    flipped[100] ^= 1
    other_name = await fmt.object_name(platform, keys.names, bytes(32))
    other_key = await fmt.file_key(platform, keys.blobs, other_name)
    foreign = await fmt.seal_segments(platform, other_key, other_name, data)

    async def known():  # the other objects this device knows
        return [(other_name, other_key, len(data))]

    evidence = Evidence(names_key=keys.names, sha256=digest, others=known)
    cases = {
        "in_order": parts, "reversed": parts[::-1],
        "flip": [parts[0], (seg, bytes(flipped)), parts[2]],
        "swap": [(0, parts[1][1]), (seg, parts[0][1]), parts[2]],
        "drop_last": parts[:2],
        "short_last": [parts[0], parts[1], (2 * seg, parts[2][1][:-1])],
        "foreign": [parts[0], (seg, foreign[seg:2 * seg]), parts[2]],
    }
    out = {label: await _assembled(platform, key, name, runs, len(data), digest, data, evidence)
           for label, runs in cases.items()}
    out["unexplained"] = await _assembled(platform, key, name, cases["foreign"], len(data), digest, data, None)
    others = await derive_keys(platform, OTHER_DATA_KEY)
    out["other_key"] = await _assembled(platform, await fmt.file_key(platform, others.blobs, name), name, parts,
                                        len(data), digest, data, Evidence(names_key=others.names, sha256=digest))
    out["wrong_hash"] = await _assembled(platform, key, name, parts, len(data), bytes(32), data, evidence)
    return out


async def compute(platform, hashing=None) -> dict:
    """Names, ciphertext digests and refusals for a fixed data key and a two-segment file.
    ``hashing``: an incremental SHA-256 the host can give its downloads (Pyodide: hash-wasm's
    createSHA256, as the data worker has); the assembly's outcomes are taken again with it."""
    keys = await derive_keys(platform, bytes(range(32)))
    data = bytes(i % 251 for i in range(fmt.SEGMENT_SIZE + 1000))
    digest = await platform.sha256(data)
    name = await fmt.object_name(platform, keys.names, digest)
    key = await fmt.file_key(platform, keys.blobs, name)
    sealed = await fmt.seal_segments(platform, key, name, data)
    seg = fmt.SEALED_SEGMENT
    flipped = bytearray(sealed)
    flipped[seg + 7] ^= 1
    others = await derive_keys(platform, OTHER_DATA_KEY)
    other_key = await fmt.file_key(platform, others.blobs, name)
    mine, theirs = Evidence(names_key=keys.names, sha256=digest), Evidence(names_key=others.names, sha256=digest)
    tampered = {
        "flip": (key, bytes(flipped), mine), "swap": (key, sealed[seg:] + sealed[:seg], mine),
        "drop_last": (key, sealed[:seg], mine), "other_key": (other_key, sealed, theirs),
    }
    envelope = await wrap_key(platform, bytes(32), bytes(range(32)), kind="passphrase")
    try:
        await unwrap_key(platform, bytes([1]) * 32, envelope)
        wrong = "opened"
    except WrongSecret as error:
        wrong = error.code
    three = bytes(i % 249 for i in range(2 * fmt.SEGMENT_SIZE + 777))
    three_digest = await platform.sha256(three)
    three_name = await fmt.object_name(platform, keys.names, three_digest)
    three_key = await fmt.file_key(platform, keys.blobs, three_name)
    three_sealed = await fmt.seal_segments(platform, three_key, three_name, three)
    assembly = await assembly_outcomes(platform, keys, three, three_digest, three_name, three_key, three_sealed)
    if hashing is not None:
        platform.sha256_factory = hashing
    try:
        hashed = await assembly_outcomes(platform, keys, three, three_digest, three_name, three_key, three_sealed)
    finally:
        if hashing is not None:
            platform.sha256_factory = None
    return {
        "assembly": assembly, "assembly_hashed": hashed,
        "subkeys": [keys.blobs.hex(), keys.sync.hex(), keys.names.hex()],
        "name": name,
        "sealed": [len(sealed), (await platform.sha256(sealed)).hex()],
        "round_trip": (await fmt.open_object(platform, key, name, sealed, digest)) == data,
        "refused": {label: await _outcome(platform, k, name, body, digest, ev)
                    for label, (k, body, ev) in tampered.items()},
        "unwrap": [(await unwrap_key(platform, bytes(32), envelope)) == bytes(range(32)), wrong],
    }
