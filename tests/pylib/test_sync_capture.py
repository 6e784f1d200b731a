"""Change capture (migration 0018): every change to a synced table is recorded in the same
transaction, with fields, device, sequence number, clock and base; nothing else is."""

from __future__ import annotations

import json

import pytest

from pylib import artifacts, db, folders, tags, trash
from pylib.clock import now_ms
from pylib.sync import outbox
from pylib.sync.clock import device_id, parse_hlc


@pytest.fixture
def ws(tmp_path):
    workspace = db.open_workspace(str(tmp_path / "w.sqlite"))
    yield workspace
    workspace.close()


def _changes(ws):
    return ws.conn.execute(
        "SELECT seq, tbl, row_id, fields, base, hlc, device FROM sync_changes ORDER BY seq"
    ).fetchall()


def test_an_edit_records_table_row_fields_device_sequence_clock_and_base(ws):
    doc = artifacts.create(ws, "/notes/a.md", "first")
    before = len(_changes(ws))
    while now_ms() <= doc.updated_at:  # a later millisecond, so updated_at changes too
        pass
    artifacts.update(ws, doc.id, "second")
    new = _changes(ws)[before:]
    edit = [c for c in new if c[1] == "artifacts"]
    assert len(edit) == 1
    seq, _, row_id, fields, base, hlc, device = edit[0]
    assert row_id == doc.id and set(json.loads(fields)) == {"hash", "size_bytes", "updated_at"}
    assert base == doc.hash  # the text it was made on: where a three-way merge starts
    assert device == device_id(ws.conn) and len(device) == 32
    assert {c[1] for c in new} == {"artifacts", "artifact_versions", "action_log"}
    seqs, clocks = [c[0] for c in _changes(ws)], [parse_hlc(c[5]) for c in _changes(ws)]
    assert seqs == sorted(set(seqs)) and clocks == sorted(clocks)  # strictly increasing


def test_derived_tables_are_not_captured_and_a_rollback_leaves_no_change(ws):
    doc = artifacts.create(ws, "/a.md", "see [[b]] #tag")
    tables = {c[1] for c in _changes(ws)}
    assert not tables & {"search_map", "links", "link_names", "note_tags", "tag_counts"}
    assert [t["tag"] for t in tags.list_tags(ws)] == ["tag"]  # the index did fill
    count = len(_changes(ws))
    with pytest.raises(RuntimeError):
        with ws.transaction():
            ws.conn.execute("UPDATE artifacts SET updated_at = 5 WHERE id = ?", (doc.id,))
            raise RuntimeError("crash before commit")
    assert len(_changes(ws)) == count


def test_rename_trash_and_folder_moves_record_only_what_changed(ws):
    doc = artifacts.create(ws, "/f/a.md", "x")
    start = len(_changes(ws))
    while now_ms() <= doc.updated_at:  # a later millisecond, so updated_at changes too
        pass
    folders.rename(ws, "/f", "g")
    trash.trash_artifact(ws, doc.id)
    fields = [(c[1], set(json.loads(c[3]))) for c in _changes(ws)[start:] if c[1] != "action_log"]
    assert ("folders", {"path", "name", "updated_at"}) in fields or (
        ("folders", {"path", "updated_at"}) in fields and ("folders", {"name"}) in fields)
    assert ("artifacts", {"path", "updated_at"}) in fields
    assert ("artifacts", {"deleted_at", "trash_id"}) in fields
    assert ("trash", {"*"}) in fields


def test_pending_records_carry_the_newest_value_once(ws):
    doc = artifacts.create(ws, "/a.md", "1")
    for text in ("2", "3", "4"):
        artifacts.update(ws, doc.id, text)
    records, upto = outbox.pending(ws)
    art = [r for r in records if r["t"] == "artifacts"]
    assert len(art) == 1 and art[0]["f"]["content"][2][0] == b"4"
    assert upto == _changes(ws)[-1][0]
    versions = [r for r in records if r["t"] == "artifact_versions"]
    assert sorted(r["f"]["content"][2][0] for r in versions) == [b"1", b"2", b"3", b"4"]
    outbox.mark_pushed(ws.conn, upto, records)
    assert outbox.pending(ws) == ([], 0) and outbox.count(ws.conn) == 0
