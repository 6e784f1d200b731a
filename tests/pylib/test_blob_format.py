"""The encrypted object format: round trips, and every kind of tampering refused.

Runs on the platform's crypto (CPython here, WebCrypto in Pyodide), no network. Segments are
4 MiB, so a few of the cases build multi-segment objects of ~9 MiB.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from pylib import platform
from pylib.blobs import format as fmt
from pylib.errors import BlobCorrupt, WrongSecret
from pylib.keys import derive_keys, new_data_key, unwrap_key, wrap_key

sys.path.insert(0, str(Path(__file__).parent))
from aio import run  # noqa: E402

# Pyodide cannot block on WebCrypto from a test: the same checks run there through
# tests/pyodide/test_blobs_in_pyodide.py (blob_vectors.py), compared with CPython's.
pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="async crypto: tests/pyodide")
pl = platform.current
SEG = fmt.SEGMENT_SIZE


def make(data: bytes, data_key: bytes | None = None):
    async def go():
        keys = await derive_keys(pl, data_key or new_data_key(pl))
        digest = await pl.sha256(data)
        name = await fmt.object_name(pl, keys.names, digest)
        key = await fmt.file_key(pl, keys.blobs, name)
        return name, key, await fmt.seal_segments(pl, key, name, data), digest
    return run(go())


def opened(key, name, sealed, digest, size=None):
    return run(fmt.open_object(pl, key, name, sealed, digest, size))


def refused(key, name, sealed, digest, size=None) -> str:
    with pytest.raises(BlobCorrupt) as caught:
        opened(key, name, sealed, digest, size)
    return caught.value.message


DATA = bytes(range(256)) * (2 * SEG // 256) + b"tail of the file" * 1000  # 3 segments


@pytest.mark.parametrize("size", [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG])
def test_round_trip_at_segment_edges(size):
    data = (b"quire" * (size // 5 + 1))[:size]
    name, key, sealed, digest = make(data)
    assert len(sealed) == fmt.sealed_size(size) == size + 16 * fmt.segment_count(size)
    assert opened(key, name, sealed, digest, size) == data


def test_the_name_is_keyed_and_the_ciphertext_deterministic():
    data_key = new_data_key(pl)
    name, _, sealed, digest = make(b"same bytes", data_key)
    again, _, sealed_again, _ = make(b"same bytes", data_key)
    other, _, sealed_other, _ = make(b"same bytes")
    assert name == again and sealed == sealed_again  # resumable, dedupable
    assert name != other and sealed != sealed_other  # another workspace key: unrelated
    assert name != digest.hex() and name != hashlib.sha256(b"same bytes").hexdigest()
    assert b"same bytes" not in sealed


def test_flipping_any_sampled_byte_is_refused():
    name, key, sealed, digest = make(DATA)
    step = max(1, len(sealed) // 97)
    positions = sorted({*range(0, len(sealed), step), len(sealed) - 1, fmt.SEALED_SEGMENT - 1, fmt.SEALED_SEGMENT})
    for pos in positions:
        bad = bytearray(sealed)
        bad[pos] ^= 0x01
        assert "failed its check" in refused(key, name, bytes(bad), digest)


def test_every_byte_of_a_small_object_is_covered():
    name, key, sealed, digest = make(b"small secret file")
    for pos in range(len(sealed)):
        bad = bytearray(sealed)
        bad[pos] ^= 0x80
        refused(key, name, bytes(bad), digest)


def test_reordered_segments_are_refused():
    name, key, sealed, digest = make(DATA)
    s = fmt.SEALED_SEGMENT
    swapped = sealed[s:2 * s] + sealed[:s] + sealed[2 * s:]
    assert "Segment 1 of 3" in refused(key, name, swapped, digest)


def test_a_dropped_last_segment_is_refused():
    name, key, sealed, digest = make(DATA)
    truncated = sealed[:2 * fmt.SEALED_SEGMENT]  # a whole number of segments, none marked last
    assert "Segment 2 of 2" in refused(key, name, truncated, digest)
    assert "wrong length" in refused(key, name, truncated, digest, len(DATA))
    refused(key, name, sealed[:-5], digest)  # a shorter last segment fails its tag
    assert "wrong length" in refused(key, name, sealed[:-5], digest, len(DATA))


def test_a_dropped_middle_segment_is_refused():
    name, key, sealed, digest = make(DATA)
    s = fmt.SEALED_SEGMENT
    refused(key, name, sealed[:s] + sealed[2 * s:], digest)


def test_a_segment_from_another_file_is_refused():
    data_key = new_data_key(pl)
    name, key, sealed, digest = make(DATA, data_key)
    _, _, other, _ = make(DATA[:-1] + b"!", data_key)
    s = fmt.SEALED_SEGMENT
    assert "Segment 1 of 3" in refused(key, name, other[:s] + sealed[s:], digest)


def test_another_key_or_name_is_refused():
    name, key, sealed, digest = make(DATA)
    other_name, other_key, _, _ = make(DATA)
    refused(other_key, name, sealed, digest)
    refused(key, other_name, sealed, digest)


def test_a_recorded_hash_that_does_not_match_is_refused():
    name, key, sealed, _ = make(b"content")
    assert "recorded hash" in refused(key, name, sealed, hashlib.sha256(b"other").digest())


def test_parts_concatenate_to_the_object():
    name, key, sealed, _ = make(DATA + DATA)  # 5 segments, 3 parts
    count = fmt.part_count(len(DATA) * 2, 2)
    parts = [run(fmt.seal_part(pl, key, name, DATA + DATA, n, 2)) for n in range(1, count + 1)]
    assert len(parts) == 3 and b"".join(parts) == sealed
    assert all(len(p) == 2 * fmt.SEALED_SEGMENT for p in parts[:-1])


def test_subkeys_differ_and_unwrap_needs_the_right_secret():
    data_key = new_data_key(pl)
    keys = run(derive_keys(pl, data_key))
    assert len({keys.blobs, keys.sync, keys.names, data_key}) == 4
    assert "hidden" in repr(keys) and keys.blobs.hex() not in repr(keys)
    kek, other = pl.random_bytes(32), pl.random_bytes(32)
    envelope = run(wrap_key(pl, kek, data_key, kind="passphrase", params={"salt": "c2FsdA=="}))
    assert data_key.hex() not in str(envelope)
    assert run(unwrap_key(pl, kek, envelope)) == data_key
    with pytest.raises(WrongSecret):
        run(unwrap_key(pl, other, envelope))
    with pytest.raises(WrongSecret):  # the kind is bound: a passphrase envelope is not a recovery one
        run(unwrap_key(pl, kek, {**envelope, "kind": "recovery"}))


def test_a_download_assembly_opens_ranges_in_any_order_and_refuses_every_fault():
    from blob_vectors import assembly_outcomes

    data = bytes(i % 249 for i in range(2 * SEG + 777))

    async def go():
        keys = await derive_keys(pl, new_data_key(pl))
        digest = await pl.sha256(data)
        name = await fmt.object_name(pl, keys.names, digest)
        key = await fmt.file_key(pl, keys.blobs, name)
        return await assembly_outcomes(pl, keys, data, digest, name, key, await fmt.seal_segments(pl, key, name, data))

    out = run(go())
    assert out["in_order"] == out["reversed"] == "opened"
    for label, segment in (("flip", 2), ("swap", 1), ("foreign", 2), ("other_key", 1)):
        assert out[label] == f"blob_corrupt: Segment {segment} of 3 failed its check: the stored copy was altered," \
                             " belongs to another file or needs another key.", label
    assert out["drop_last"].startswith("blob_corrupt: The file's stored copy has the wrong length")
    assert out["short_last"].startswith("blob_corrupt: The file's stored copy has the wrong length")
    assert out["wrong_hash"] == "blob_corrupt: The file's content does not match its recorded hash; it was not opened."
