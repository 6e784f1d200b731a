"""A document's current text stored packed: every reader sees plain text, short texts stay as
they are, a trained dictionary packs short notes tighter and old rows stay readable, and one
damaged text fails alone."""

import random
import sqlite3

import pytest

from pylib import api, artifacts, db, history, migrations, search, textstore, versions
from pylib.care import dictionary, integrity
from pylib.errors import TextDamaged
from pylib.links import queries as link_queries
from pylib.transfer import export_workspace, import_workspace

from oldschema import downgrade

WORDS = ("the", "meeting", "notes", "project", "quire", "design", "review", "budget", "next",
         "steps", "owner", "deadline", "open", "question", "decision", "draft", "alpha")


def _note(rng, lines=30, title="Note"):
    out = [f"# {title}", "", "Tags: #work/plans", ""]
    for i in range(lines):
        out.append("- " + " ".join(rng.choices(WORDS, k=rng.randint(6, 14))) + ".")
    return "\n".join(out) + "\n"


def _ws(tmp_path, name="w.sqlite"):
    return db.open_workspace(str(tmp_path / name), synchronous="OFF")


def _codec(ws, artifact_id):
    return ws.conn.execute("SELECT content_codec, length(content), size_bytes FROM artifacts"
                           " WHERE id = ?", (artifact_id,)).fetchone()


def test_texts_are_packed_when_it_pays_and_every_reader_sees_plain_text(tmp_path):
    ws = _ws(tmp_path)
    rng = random.Random(1)
    text = _note(rng, title="Plan") + "See [[Other]] about the budget.\n"
    doc = artifacts.create(ws, "/notes/plan.md", text)
    other = artifacts.create(ws, "/notes/Other.md", _note(rng, title="Other"))
    tiny = artifacts.create(ws, "/notes/tiny.md", "short")
    png = artifacts.upload(ws, "/p.png", b"\x89PNG" + bytes(2000))
    codec, stored, size = _codec(ws, doc.id)
    assert codec == textstore.ZSTD and stored < 0.6 * size
    assert _codec(ws, tiny.id)[0] is None and _codec(ws, png.id)[0] is None
    assert artifacts.get(ws, doc.id).text == text
    assert artifacts.download(ws, doc.id)["data"] == text.encode()
    hits = search.search(ws, "budget")["hits"]
    assert doc.id in {h["id"] for h in hits}
    hit = next(h for h in hits if h["id"] == doc.id)
    assert "<mark>budget</mark>" in hit["snippet_html"]
    assert [b["source"]["id"] for b in link_queries.backlinks(ws.conn, other.id)] == [doc.id]
    artifacts.update(ws, doc.id, text + "One more line.\n")
    diff = history.diff(ws, versions.list_versions(ws, doc.id)[-1]["id"], "current")
    assert diff["removed"] == 1 and not diff["binary"]  # from the current text to the first
    assert integrity.check(ws, record=False)["ok"]


def test_export_and_import_keep_the_text(tmp_path):
    ws = _ws(tmp_path)
    text = _note(random.Random(2))
    doc = artifacts.create(ws, "/a.md", text)
    data = export_workspace(ws)
    other = _ws(tmp_path, "other.sqlite")
    import_workspace(other, data, "replace")
    assert artifacts.get(other, doc.id).text == text
    third = _ws(tmp_path, "third.sqlite")
    import_workspace(third, data, "merge")
    assert artifacts.get(third, doc.id).text == text
    assert search.search(third, "meeting")["hits"]


def test_the_upgrade_packs_existing_texts_and_keeps_them(tmp_path):
    ws = _ws(tmp_path)
    rng = random.Random(3)
    docs = {artifacts.create(ws, f"/n{i}.md", _note(rng)).id: None for i in range(5)}
    for doc_id in docs:
        docs[doc_id] = artifacts.get(ws, doc_id).text
    downgrade(ws.conn, 22)
    assert "content_codec" not in {r[1] for r in ws.conn.execute("PRAGMA table_info(artifacts)")}
    ws.close()
    ws = _ws(tmp_path)
    assert ws.schema_version() == migrations.LATEST_VERSION
    for doc_id, text in docs.items():
        assert _codec(ws, doc_id)[0] == textstore.ZSTD
        assert artifacts.get(ws, doc_id).text == text
    assert len(search.search(ws, "decision")["hits"]) == 5
    assert integrity.check(ws, record=False)["ok"]


def test_a_dictionary_packs_short_notes_tighter_and_old_rows_stay_readable(tmp_path):
    ws = _ws(tmp_path)
    rng = random.Random(4)
    ids = [artifacts.create(ws, f"/short/{i}.md", _note(rng, lines=6)).id for i in range(60)]
    texts = {i: artifacts.get(ws, i).text for i in ids}
    before = sum(_codec(ws, i)[1] for i in ids)
    assert dictionary.due(ws)
    first = dictionary.train(ws)
    assert first["trained"] and first["repacked"] > 50 and first["saved_bytes"] > 0
    after = sum(_codec(ws, i)[1] for i in ids)
    assert after < 0.7 * before
    assert {_codec(ws, i)[0] for i in ids} == {first["dict_id"]}
    assert not dictionary.due(ws)
    # A newer dictionary is added beside the first: rows packed with the first still read.
    more = [artifacts.create(ws, f"/more/{i}.md", _note(rng, lines=8, title="Other")).id
            for i in range(70)]
    ws.conn.execute("UPDATE artifacts SET content = ?, content_codec = ? WHERE id = ?",
                    (*textstore.encode(ws.conn, texts[ids[0]].encode(), "markdown"), ids[0]))
    assert dictionary.due(ws)
    second = dictionary.train(ws)
    assert second["trained"] and second["dict_id"] != first["dict_id"]
    assert ws.conn.execute("SELECT count(*) FROM text_dicts").fetchone()[0] == 2
    textstore._DICTS.clear()  # read the dictionaries back from the file
    assert all(artifacts.get(ws, i).text == t for i, t in texts.items())
    assert all(artifacts.get(ws, i).text for i in more)
    assert integrity.check(ws, record=False)["ok"]
    # The file carries its dictionaries: a copy reads every text.
    copy = _ws(tmp_path, "copy.sqlite")
    import_workspace(copy, export_workspace(ws), "replace")
    textstore._DICTS.clear()
    assert all(artifacts.get(copy, i).text == t for i, t in texts.items())


def test_a_damaged_text_fails_alone_and_a_save_replaces_it(tmp_path):
    ws = _ws(tmp_path)
    rng = random.Random(5)
    bad = artifacts.create(ws, "/bad.md", _note(rng))
    good = artifacts.create(ws, "/good.md", _note(rng))
    ws.conn.execute("UPDATE artifacts SET content = substr(content, 1, 20) WHERE id = ?",
                    (bad.id,))
    # Until the engine starts again, the text just saved is read from memory (by its hash).
    assert artifacts.get(ws, bad.id).text
    textstore.forget_recent()
    with pytest.raises(TextDamaged) as err:
        artifacts.get(ws, bad.id)
    assert "/bad.md" in err.value.message
    assert {a["id"] for a in artifacts.list_tree(ws)["artifacts"]} == {bad.id, good.id}
    assert artifacts.get(ws, good.id).text
    problems = integrity.check(ws, record=False)["problems"]
    assert [p["artifact_id"] for p in problems if p["check"] == "blobs"] == [bad.id]
    assert artifacts.update(ws, bad.id, "a new text " * 20).text == "a new text " * 20


def test_the_cli_and_the_sql_function_read_packed_text(tmp_path, capsys):
    from pylib import cli

    ws = _ws(tmp_path)
    text = _note(random.Random(6))
    artifacts.create(ws, "/a.md", text)
    path = str(tmp_path / "export.sqlite")
    with open(path, "wb") as fh:
        fh.write(export_workspace(ws))
    assert cli.main(["cat", path, "/a.md"]) == 0
    assert capsys.readouterr().out == text
    conn = sqlite3.connect(path)
    textstore.register(conn)
    got = conn.execute(f"SELECT CAST({textstore.column()} AS TEXT) FROM artifacts"
                       " WHERE path = '/a.md'").fetchone()[0]
    assert got == text


def test_care_status_says_when_a_dictionary_is_due(tmp_path):
    api.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    try:
        rng = random.Random(7)
        for i in range(textstore.MIN_SAMPLES):
            api.dispatch("artifacts.create", {"path": f"/n{i}.md", "content": _note(rng, 5)})
        assert "dictionary" in api.dispatch("care.status", {})["due"]
        result = api.dispatch("care.train_dictionary", {})
        assert result["trained"] and result["repacked"] >= 1
        assert "dictionary" not in api.dispatch("care.status", {})["due"]
    finally:
        api.close_workspace()
