"""Property checks of delta-stored versions: any edit history rebuilds byte for byte."""

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

from pylib import artifacts, db, deltas, versions  # noqa: E402

# One edit: where (a fraction of the length), what (insert, delete, replace, duplicate a
# slice elsewhere), how much, and the bytes typed.
_edit = st.tuples(
    st.floats(0, 1), st.sampled_from(["insert", "delete", "replace", "copy"]),
    st.integers(0, 300), st.binary(max_size=40) | st.text(max_size=40).map(str.encode),
)


def _apply(data: bytes, edit) -> bytes:
    where, op, size, typed = edit
    at = int(where * len(data))
    if op == "insert":
        return data[:at] + typed + data[at:]
    if op == "delete":
        return data[:at] + data[at + size:]
    if op == "replace":
        return data[:at] + typed + data[at + len(typed):]
    return data[:at] + data[: size] + data[at:]


_base = st.sampled_from([
    b"",
    b"line of text\n" * 200,
    bytes(range(256)) * 8,
    ("# Notes\n\n" + "".join(f"- item {i} with words\n" for i in range(300))).encode(),
])


@settings(max_examples=300, deadline=None)
@given(_base, st.lists(_edit, max_size=6))
def test_any_pair_round_trips(base, edits):
    target = base
    for edit in edits:
        target = _apply(target, edit)
    assert deltas.apply(base, deltas.encode(base, target)) == target
    assert deltas.apply(target, deltas.encode(target, base)) == base


@settings(max_examples=60, deadline=None)
@given(_base, st.lists(_edit, min_size=1, max_size=25), st.booleans())
def test_every_version_of_any_history_restores_exactly(base, edits, binary):
    ws = db.open_workspace(":memory:")
    try:
        if binary:
            art = artifacts.upload(ws, "/f.bin", b"\x00" + base)
        else:
            art = artifacts.create(ws, "/n.txt", base.decode("utf-8", "replace"))
        texts = [artifacts.download(ws, art.id)["data"]]
        for edit in edits:
            data = _apply(texts[-1], edit)
            if binary:
                data = b"\x00" + data  # stays a binary file whatever was typed
            artifacts.set_content(ws, art.id, data)
            if data != texts[-1]:
                texts.append(data)
        history = list(reversed(versions.list_versions(ws, art.id, limit=500)))
        assert len(history) == len(texts)
        for v, expected in zip(history, texts):
            assert versions.get(ws, v["id"]).hash == v["hash"]
            rebuilt = artifacts.download(ws, artifacts.restore_version(ws, v["id"]).id)["data"]
            assert rebuilt == expected
    finally:
        ws.close()
