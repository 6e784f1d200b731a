"""The encrypted object format: round trips, and every kind of tampering refused — each with its
own reason (pylib.blobs.refusal): a copy cut short, an altered or moved segment, a segment of
another file, another key.

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
from pylib.blobs.refusal import Evidence
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


def opened(key, name, sealed, digest, size=None, evidence=None):
    return run(fmt.open_object(pl, key, name, sealed, digest, size, evidence))


def refused(key, name, sealed, digest, size=None, evidence=None) -> str:
    return refusal(key, name, sealed, digest, size, evidence)[1]


def refusal(key, name, sealed, digest, size=None, evidence=None) -> tuple[str, str]:
    """``(reason, message)`` of the refusal."""
    with pytest.raises(BlobCorrupt) as caught:
        opened(key, name, sealed, digest, size, evidence)
    assert caught.value.code == "blob_corrupt"
    return caught.value.details["reason"], caught.value.message


def keyed(data: bytes, data_key: bytes):
    """``(name, key, sealed, digest, evidence)`` under ``data_key``, with the evidence its device has."""
    async def go():
        keys = await derive_keys(pl, data_key)
        digest = await pl.sha256(data)
        name = await fmt.object_name(pl, keys.names, digest)
        key = await fmt.file_key(pl, keys.blobs, name)
        return name, key, await fmt.seal_segments(pl, key, name, data), digest, Evidence(names_key=keys.names,
                                                                                          sha256=digest)
    return run(go())


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


def test_flipping_any_sampled_byte_is_refused_as_altered():
    name, key, sealed, digest, evidence = keyed(DATA, new_data_key(pl))
    step = max(1, len(sealed) // 97)
    positions = sorted({*range(0, len(sealed), step), len(sealed) - 1, fmt.SEALED_SEGMENT - 1, fmt.SEALED_SEGMENT})
    for pos in positions:
        bad = bytearray(sealed)
        bad[pos] ^= 0x01
        assert "failed its check" in refused(key, name, bytes(bad), digest)  # no evidence: it cannot say which
        reason, message = refusal(key, name, bytes(bad), digest, len(DATA), evidence)
        assert reason == "altered" and message == (
            f"Segment {pos // fmt.SEALED_SEGMENT + 1} of 3 was altered: it fails its check, so the stored copy was"
            " changed after it was made; it was not opened."), pos


def test_every_byte_of_a_small_object_is_covered():
    name, key, sealed, digest = make(b"small secret file")
    for pos in range(len(sealed)):
        bad = bytearray(sealed)
        bad[pos] ^= 0x80
        refused(key, name, bytes(bad), digest)


def test_reordered_segments_are_refused_as_altered():
    name, key, sealed, digest, evidence = keyed(DATA, new_data_key(pl))
    s = fmt.SEALED_SEGMENT
    swapped = sealed[s:2 * s] + sealed[:s] + sealed[2 * s:]
    assert "Segment 1 of 3" in refused(key, name, swapped, digest)
    assert refusal(key, name, swapped, digest, len(DATA), evidence) == (
        "altered", "Segment 1 of 3 is segment 2 of this file, moved: the stored copy was altered; it was not opened.")


CUT_SHORT = "The stored copy is incomplete (cut short): it has fewer bytes than the file's segments need;" \
            " it was not opened."


def test_a_copy_cut_short_is_incomplete_not_altered():
    name, key, sealed, digest, evidence = keyed(DATA, new_data_key(pl))
    s = fmt.SEALED_SEGMENT
    dropped_last = sealed[:2 * s]  # a whole number of segments, none marked last
    # Without the recorded size, the segment now last opens only as a middle one: its last is missing.
    assert refusal(key, name, dropped_last, digest) == (
        "truncated", "The stored copy is incomplete (cut short): its last segment is missing; it was not opened.")
    for short in (dropped_last, sealed[:-5], sealed[:-17], sealed[:s + 100], sealed[:s] + sealed[2 * s:], b""):
        assert refusal(key, name, short, digest, len(DATA), evidence) == ("truncated", CUT_SHORT), len(short)
    assert refusal(key, name, sealed[:10], digest) == ("truncated", CUT_SHORT)  # too short for one tag
    assert refusal(key, name, sealed + b"x", digest, len(DATA), evidence)[0] == "altered"  # longer: not cut short


def test_a_segment_from_another_file_is_refused_as_foreign():
    data_key = new_data_key(pl)
    name, key, sealed, digest, evidence = keyed(DATA, data_key)
    other_name, other_key, other, _, _ = keyed(DATA[:-1] + b"!", data_key)
    s = fmt.SEALED_SEGMENT
    spliced = other[:s] + sealed[s:]

    async def known():
        return [(other_name, other_key, len(DATA))]

    assert "Segment 1 of 3" in refused(key, name, spliced, digest)
    with_others = Evidence(names_key=evidence.names_key, sha256=digest, others=known)
    assert refusal(key, name, spliced, digest, len(DATA), with_others) == (
        "foreign", "Segment 1 of 3 belongs to another file: the stored copy was put together from another file's"
                   " pieces; it was not opened.")
    # Not a device's object: altered is all that can be said.
    assert refusal(key, name, spliced, digest, len(DATA), evidence)[0] == "altered"


WRONG_KEY = "The stored copy was encrypted with another key, not this workspace's: it was not opened."


def test_another_key_is_refused_as_needing_another_key():
    name, key, sealed, digest, _ = keyed(DATA, new_data_key(pl))
    other_key_bytes = new_data_key(pl)
    other_name, other_key, _, _, other_evidence = keyed(DATA, other_key_bytes)
    # The device's key (another workspace's) did not make this name, so it did not seal the copy.
    other_file_key = run(fmt.file_key(pl, run(derive_keys(pl, other_key_bytes)).blobs, name))
    assert refusal(other_file_key, name, sealed, digest, len(DATA), other_evidence) == ("wrong_key", WRONG_KEY)
    small_name, small_key, small, small_digest, _ = keyed(b"one segment", new_data_key(pl))
    wrong = run(fmt.file_key(pl, run(derive_keys(pl, other_key_bytes)).blobs, small_name))
    assert refusal(wrong, small_name, small, small_digest, 11, Evidence(names_key=other_evidence.names_key,
                                                                          sha256=small_digest))[0] == "wrong_key"
    refused(key, other_name, sealed, digest)  # the right key, another name: refused all the same


def test_a_recorded_hash_that_does_not_match_is_refused():
    name, key, sealed, _ = make(b"content")
    assert refusal(key, name, sealed, hashlib.sha256(b"other").digest()) == (
        "hash_mismatch", "The file's content does not match its recorded hash; it was not opened.")


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
    assert out["flip"] == "blob_corrupt: altered: Segment 2 of 3 was altered: it fails its check, so the stored copy" \
                          " was changed after it was made; it was not opened."
    assert out["swap"] == "blob_corrupt: altered: Segment 1 of 3 is segment 2 of this file, moved: the stored copy" \
                          " was altered; it was not opened."
    assert out["foreign"] == "blob_corrupt: foreign: Segment 2 of 3 belongs to another file: the stored copy was put" \
                             " together from another file's pieces; it was not opened."
    assert out["unexplained"] == "blob_corrupt: check_failed: Segment 2 of 3 failed its check: the stored copy was" \
                                 " altered, belongs to another file or needs another key; it was not opened."
    assert out["other_key"] == f"blob_corrupt: wrong_key: {WRONG_KEY}"
    assert out["drop_last"] == out["short_last"] == f"blob_corrupt: truncated: {CUT_SHORT}"
    assert out["wrong_hash"] == "blob_corrupt: hash_mismatch: The file's content does not match its recorded hash;" \
                                " it was not opened."
