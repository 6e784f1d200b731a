"""The sentence around each link is stored with it (migration 0022): backlinks read the
index alone, a workspace indexed before 0022 gets its sentences when it next opens."""

import sqlite3

import pytest

from pylib import artifacts, db, migrations
from pylib.links import queries


@pytest.fixture
def ws():
    workspace = db.open_workspace(":memory:")
    yield workspace
    workspace.close()


def _id(ws, path):
    return ws.conn.execute("SELECT id FROM artifacts WHERE path = ?", (path,)).fetchone()[0]


def test_backlinks_come_from_the_stored_sentences_not_the_notes_text(ws):
    plan = artifacts.create(ws, "/Plan.md", "# Plan")
    artifacts.create(ws, "/a.md", "Intro. We follow [[Plan]] closely! Then [[Plan#Goals]].")
    # Text changed behind the engine's back: backlinks still show what the index holds,
    # which proves no linking note is read (or parsed) to answer.
    ws.conn.execute("UPDATE artifacts SET content = 'gone' WHERE path = '/a.md'")
    [row] = queries.backlinks(ws.conn, plan.id)
    assert [(c["text"], c["heading"]) for c in row["contexts"]] == [
        ("We follow [[Plan]] closely!", ""), ("Then [[Plan#Goals]].", "Goals")]


def test_every_occurrence_of_a_link_keeps_its_own_sentence_in_note_order(ws):
    plan = artifacts.create(ws, "/Plan.md", "x")
    artifacts.create(ws, "/a.md", "First [[Plan]].\n\nSecond [[Plan]] here.\nThird [[Plan]]!")
    [row] = queries.backlinks(ws.conn, plan.id)
    assert [(c["text"], c["line"]) for c in row["contexts"]] == [
        ("First [[Plan]].", 1), ("Second [[Plan]] here.", 3), ("Third [[Plan]]!", 4)]
    for c in row["contexts"]:
        assert c["text"][c["start"]:c["end"]] == "Plan"


def test_limit_counts_linking_notes_and_skips_the_note_itself(ws):
    plan = artifacts.create(ws, "/Plan.md", "self [[Plan]]")
    for i in range(5):
        artifacts.create(ws, f"/n{i}.md", f"[[Plan]] one. [[Plan#h{i}]] two.")
    got = queries.backlinks(ws.conn, plan.id, limit=3)
    assert [r["source"]["path"] for r in got] == ["/n0.md", "/n1.md", "/n2.md"]
    assert all(len(r["contexts"]) == 2 for r in got)


def test_a_workspace_indexed_before_0022_gets_its_sentences_on_open(tmp_path):
    path = str(tmp_path / "old.sqlite")
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, steps=[s for s in migrations.STEPS if s.version < 22])
    for rid, p, text in (("p", "/Plan.md", "# Plan"), ("a", "/a.md", "See [[Plan]] now.")):
        conn.execute("INSERT INTO artifacts (id, path, name, mime_type, kind, content, size_bytes,"
                     " created_at, updated_at, metadata) VALUES (?, ?, ?, 'text/markdown',"
                     " 'markdown', ?, 1, 1, 1, '{}')", (rid, p, p[1:], text.encode()))
    # The index as the engine kept it before 0022: rows without sentences.
    conn.execute("INSERT INTO link_names VALUES ('p', 'plan', '/plan'), ('a', 'a', '/a')")
    conn.execute("INSERT INTO links VALUES ('a', 'wiki', 'Plan', '', 'name', 'plan', NULL, 'p')")
    conn.close()
    ws = db.open_workspace(path)
    try:
        assert ws.schema_version() == migrations.LATEST_VERSION
        [row] = queries.backlinks(ws.conn, _id(ws, "/Plan.md"))
        assert [c["text"] for c in row["contexts"]] == ["See [[Plan]] now."]
    finally:
        ws.close()


def test_incoming_counts_what_a_rename_or_move_would_rewrite(ws):
    from pylib import api
    from pylib.errors import InvalidParams

    plan = artifacts.create(ws, "/work/Plan.md", "[[Goals]] inside")
    artifacts.create(ws, "/work/Goals.md", "[[Plan]] back")
    artifacts.create(ws, "/a.md", "[[Plan]] and [[Plan#x]] and [[Goals]]")
    artifacts.create(ws, "/b.md", "[[Plan]]")
    assert queries.incoming(ws.conn, [plan.id]) == {"notes": 3, "links": 4}
    folder = [i for (i,) in ws.conn.execute("SELECT id FROM artifacts WHERE path LIKE '/work/%'")]
    # Links between notes that move together are not counted: only the ones from outside.
    assert queries.incoming(ws.conn, folder) == {"notes": 2, "links": 4}
    assert api._incoming(ws, api.p.IncomingLinks(folder="/work")) == {"notes": 2, "links": 4}
    with pytest.raises(InvalidParams):
        api._incoming(ws, api.p.IncomingLinks())


def test_backlinks_show_the_linking_notes_path_after_a_rename_that_changes_only_case(ws):
    plan = artifacts.create(ws, "/Plan.md", "x")
    src = artifacts.create(ws, "/notes/src.md", "See [[Plan]].")
    artifacts.rename(ws, src.id, "Src.md")
    [row] = queries.backlinks(ws.conn, plan.id)
    assert row["source"] == {"id": src.id, "path": "/notes/Src.md", "name": "Src.md"}
