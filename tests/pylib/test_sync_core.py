"""Sync's synchronous core, the same in CPython and in Pyodide: records handed from one
workspace to another (no store, no crypto) merge as they do through the engine; zstd (the
standard library's in Pyodide, the backport in CPython), the body encoding and padding."""

from __future__ import annotations

import pytest

from pylib import artifacts, compress, db, versions
from pylib.sync import codec, outbox
from pylib.sync.errors import Refused
from pylib.sync.merge import merge_records


@pytest.fixture
def pair(tmp_path):
    a = db.open_workspace(str(tmp_path / "a.sqlite"))
    b = db.open_workspace(str(tmp_path / "b.sqlite"))
    yield a, b
    a.close()
    b.close()


def _hand_over(src, dst):
    """What a push from ``src`` and a pull into ``dst`` amount to."""
    records, upto = outbox.pending(src)
    outbox.mark_pushed(src.conn, upto, records)
    merge_records(dst, codec.decode_body(codec.encode_body({"records": records}))["records"])


def test_records_handed_over_merge_both_sides_edits(pair):
    a, b = pair
    doc = artifacts.create(a, "/n.md", "one\ntwo\nthree\nfour\n")
    _hand_over(a, b)
    artifacts.update(a, doc.id, "ONE\ntwo\nthree\nfour\n")
    artifacts.update(b, doc.id, "one\ntwo\nthree\nFOUR\n")
    _hand_over(a, b)   # b merges a's edit into its own, not yet sent
    _hand_over(b, a)   # a takes b's merge: b's change was stamped after a's
    assert artifacts.get(a, doc.id).text == artifacts.get(b, doc.id).text == (
        "ONE\ntwo\nthree\nFOUR\n")
    assert "merge" in {v["reason"] for v in versions.list_versions(b, doc.id)}
    assert outbox.count(a.conn) == 0 and outbox.count(b.conn) == 0


def test_applied_records_are_not_captured_again(pair):
    a, b = pair
    artifacts.create(a, "/x/y.md", "text")
    _hand_over(a, b)
    assert outbox.count(b.conn) == 0
    assert [x["path"] for x in artifacts.list_tree(b)["artifacts"]] == ["/x/y.md"]


def test_zstd_round_trips_and_refuses_a_bomb():
    data = b"quire " * 100_000
    packed = compress.pack(data)
    assert len(packed) < len(data) // 100 and compress.unpack(packed, len(data)) == data
    with pytest.raises(compress.CompressedDataError):
        compress.unpack(packed, len(data) - 1)


def test_bodies_keep_bytes_and_store_equal_blobs_once():
    blob = bytes(range(256)) * 8
    body = {"records": [{"v": blob}, {"v": blob}, {"v": "text", "n": 1.5}]}
    encoded = codec.encode_body(body)
    assert codec.decode_body(encoded) == body and len(encoded) < 2 * len(blob)


@pytest.mark.parametrize("body", [b'{"r":{"$b":1}}', b'{"r":{"$b":"0"}}', b'{"r":[{"$b":-1}]}',
                                  b'{"r":', b'{"r":1}x'])
def test_a_body_with_a_blob_it_does_not_hold_or_bad_json_is_refused(body):
    import struct

    data = struct.pack(">II", len(body), 1) + body + struct.pack(">I", 2) + b"ab"
    with pytest.raises(Refused):
        codec.decode_body(data)
    with pytest.raises(Refused):  # trailing bytes after the blobs
        codec.decode_body(struct.pack(">II", 2, 0) + b"{}" + b"z")


@pytest.mark.parametrize("n", [0, 1, 512, 513, 1000, 5000, 70_000])
def test_padding_buckets_grow_by_at_most_a_quarter(n):
    size = codec.pad_size(n)
    assert size >= n and (n <= 512 or size <= n * 1.25 + 1)
