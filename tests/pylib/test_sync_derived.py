"""A snapshot carries the keyword and link indexes (pylib/sync/derived.py): a new device takes
them as they are, and ends with exactly what a rebuild from its synced rows gives; where they
cannot be trusted (another schema, an index that does not cover the rows, none sent) it builds
them itself; parts that hold them are refused whole when damaged or foreign."""

from __future__ import annotations

import os

import pytest

from pylib import artifacts, platform, search, trash
from pylib.links import index as link_index
from pylib.search import indexer
from pylib.sync import adopt, codec, derived, snapshot
from pylib.sync.errors import Refused

from sync_devices import check_invariants, drive, synced_state

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")


def _workspace(ws):
    """Links, tags, an unresolved link, a heading link, a trashed note, a binary file."""
    plan = artifacts.create(ws, "/work/plan.md",
                            "# Plan\nship the [[Notes]] and [[Missing]] #release #team/a\n")
    notes = artifacts.create(ws, "/work/deep/Notes.md", "zebras and [[plan#Plan]] #team/b\n")
    artifacts.create(ws, "/data.bin", bytes(range(256)) * 4)
    binned = artifacts.create(ws, "/binned.md", "in the bin [[Notes]] #gone\n")
    trash.trash_artifact(ws, binned.id)
    for i in range(30):
        artifacts.create(ws, f"/many/n{i}.md", f"note {i} about [[Notes]] with words{i} #n{i % 3}\n")
    return plan, notes


def _derived_state(ws) -> dict[str, list]:
    """The keyword index by artifact (term, column, offset: docids differ from a rebuild's)
    and every link table's rows."""
    conn = ws.conn
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, search,"
                 " instance)")
    out = {"search": sorted(conn.execute(
        "SELECT m.artifact_id, v.term, v.col, v.offset FROM temp.vocab v"
        " JOIN search_map m ON m.docid = v.doc").fetchall()),
        "search_map": sorted(conn.execute("SELECT artifact_id, has_body FROM search_map"))}
    for table in derived.LINKS:
        out[table] = sorted(conn.execute(f"SELECT * FROM {table}").fetchall())
    return out


def _rebuilt(ws) -> dict[str, list]:
    with ws.transaction():
        indexer.rebuild(ws)
        link_index.rebuild(ws.conn)
    return _derived_state(ws)


def _compact(a) -> None:
    drive(a.engine.sync())
    assert drive(a.engine.compact(part_bytes=4096))  # several parts


def test_a_new_device_takes_the_indexes_and_they_equal_a_rebuild(devices):
    a, b, c = devices
    plan, notes = _workspace(a.ws)
    _compact(a)
    drive(b.engine.pull())
    assert not adopt.links_due(b.ws.conn)  # nothing left to build
    taken = _derived_state(b.ws)
    assert taken["search"] and taken["links"]
    assert taken == _rebuilt(b.ws)
    check_invariants(b.ws)
    # The index goes on in step: a later change on top, then a segment merged on top.
    artifacts.update(b.ws, plan.id, "# Plan\nnow about giraffes [[Notes]] #later\n")
    artifacts.create(a.ws, "/work/after.md", "okapis after the snapshot [[plan]]\n")
    drive(a.engine.sync())
    drive(c.engine.pull())
    assert [h["id"] for h in search.search(b.ws, "giraffes")["hits"]] == [plan.id]
    assert search.search(b.ws, "zebras")["hits"][0]["id"] == notes.id
    assert [h["path"] for h in search.search(c.ws, "okapis")["hits"]] == ["/work/after.md"]
    for device in (b, c):
        assert _derived_state(device.ws) == _rebuilt(device.ws)
        check_invariants(device.ws)
    assert synced_state(c.ws) == synced_state(a.ws)


def test_indexes_of_another_schema_are_built_here(devices, monkeypatch):
    a, b, _ = devices
    _workspace(a.ws)
    real = derived.fingerprint
    monkeypatch.setattr(derived, "fingerprint", lambda conn: "another tokenizer")
    _compact(a)
    monkeypatch.setattr(derived, "fingerprint", real)
    drive(b.engine.pull())
    assert adopt.links_due(b.ws.conn) and b.engine.finish() is True  # built here, just after
    assert not adopt.links_due(b.ws.conn)
    assert _derived_state(b.ws) == _rebuilt(b.ws) == _derived_state(a.ws) | {
        "search_map": _derived_state(b.ws)["search_map"]}
    check_invariants(b.ws)


def test_a_snapshot_without_indexes_still_loads(devices):
    """A snapshot written before the indexes travelled: both are built here."""
    a, b, _ = devices
    plan, notes = _workspace(a.ws)
    drive(a.engine.sync())
    records = [r for r, _ in snapshot.records(a.ws) if r["t"] != derived.KIND]
    with b.ws.transaction():
        assert adopt.adopt(b.ws, records) is True
    assert indexer.check(b.ws) == []
    assert [h["id"] for h in search.search(b.ws, "zebras")["hits"]] == [notes.id]
    assert adopt.links_due(b.ws.conn) and adopt.build_links(b.ws) is True
    assert _derived_state(b.ws) == _rebuilt(b.ws)
    assert synced_state(b.ws) == synced_state(a.ws)


def test_an_index_that_does_not_cover_the_rows_is_built_here(devices):
    a, b, _ = devices
    _, notes = _workspace(a.ws)
    drive(a.engine.sync())
    records = [r for r, _ in snapshot.records(a.ws)]
    for record in records:  # one document missing from both indexes
        if record["t"] == derived.KIND:
            fp, table, cols, rows = record["f"]["rows"][2]
            key = cols.index("artifact_id") if "artifact_id" in cols else None
            if key is not None:
                rows[:] = [r for r in rows if r[key] != notes.id]
    with b.ws.transaction():
        assert adopt.adopt(b.ws, records) is True
    assert [h["id"] for h in search.search(b.ws, "zebras")["hits"]] == [notes.id]
    assert adopt.links_due(b.ws.conn) and adopt.build_links(b.ws) is True
    assert _derived_state(b.ws) == _rebuilt(b.ws)


def test_a_device_whose_link_index_is_due_sends_only_the_keyword_index(devices):
    a, b, c = devices
    _workspace(a.ws)
    _compact(a)
    drive(b.engine.pull())
    with b.ws.transaction():  # as after a whole take that left the link index for later
        derived.meta.put(b.ws.conn, derived.LINKS_DUE, True)
    sent = {r["id"].split("/")[0] for r, _ in snapshot.records(b.ws) if r["t"] == derived.KIND}
    assert sent == set(derived.SEARCH)


def test_a_device_with_a_pending_upload_sends_no_indexes(devices):
    """Its index holds the upload's text, which a new device does not get with the rows."""
    a, _, _ = devices
    _workspace(a.ws)
    assert [r for r, _ in snapshot.records(a.ws) if r["t"] == derived.KIND]
    with a.ws.transaction():
        a.ws.conn.execute("INSERT INTO pending_uploads (artifact_id, data, size_bytes, hash,"
                          " created_at) SELECT id, X'00', 1, 'h', 0 FROM artifacts"
                          " WHERE path = '/data.bin'")
    assert not [r for r, _ in snapshot.records(a.ws) if r["t"] == derived.KIND]


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign"])
def test_a_damaged_or_foreign_part_is_refused_with_nothing_applied(devices, damage):
    a, b, _ = devices
    _workspace(a.ws)
    _compact(a)
    manifest = drive(a.engine.read_manifest())
    last = snapshot.part_key(manifest.snapshot["id"], manifest.snapshot["parts"] - 1)
    store = a.engine.store
    body = store.objects[last]
    _, opened = drive(codec.open_sealed(a.key, last, body, {}))
    assert any(r["t"] == derived.KIND for r in opened["rows"])  # it holds the indexes
    if damage == "flip":
        body = body[:-40] + bytes([body[-40] ^ 1]) + body[-39:]
    elif damage == "truncate":
        body = body[: len(body) // 2]
    else:  # a part sealed under another workspace's key, put in its place
        header = codec.read_header(body)[0]
        body = drive(codec.seal(os.urandom(32), last, header, {"records": []}))
    drive(store.put(last, body))
    with pytest.raises(Refused):
        drive(b.engine.pull())
    assert artifacts.list_tree(b.ws)["artifacts"] == []
    assert b.ws.conn.execute("SELECT count(*) FROM search_map").fetchone()[0] == 0
    assert b.ws.conn.execute("SELECT count(*) FROM link_names").fetchone()[0] == 0


def test_a_document_and_its_version_of_the_same_text_travel_once(devices):
    """Each document is followed by its versions, so equal bytes share one blob of a part."""
    a, _, _ = devices
    text = os.urandom(30_000).hex()
    doc = artifacts.create(a.ws, "/big.md", text)
    artifacts.create(a.ws, "/other.md", "another note")
    order = [(r["t"], r["id"]) for r, _ in snapshot.records(a.ws) if r["t"] != derived.KIND]
    at = order.index(("artifacts", doc.id))
    assert order[at + 1][0] == "artifact_versions"
    assert sorted(order) == sorted(set(order))  # every row once
    (part,) = list(snapshot.parts(a.ws))
    synced = [r for r in part if r["t"] != derived.KIND]
    assert len(codec.encode_body({"records": synced})) < 1.2 * len(text)


def test_a_device_that_searched_before_its_first_pull_sees_the_index_it_took(devices):
    """FTS5 keeps an index's structure in memory per connection: the one read before the
    take must not hide the index taken, nor break the next write."""
    a, b, _ = devices
    _, notes = _workspace(a.ws)
    _compact(a)
    assert search.search(b.ws, "zebras")["hits"] == []  # read while still empty
    drive(b.engine.pull())
    assert [h["id"] for h in search.search(b.ws, "zebras")["hits"]] == [notes.id]
    new = artifacts.create(b.ws, "/okapi.md", "an okapi written here")
    assert [h["id"] for h in search.search(b.ws, "okapi")["hits"]] == [new.id]
    assert indexer.check(b.ws) == []
    assert _derived_state(b.ws) == _rebuilt(b.ws)
