"""Links between notes: parsing, resolution, and the index kept current by every write."""

import pytest

from pylib import artifacts, db, folders, trash, versions
from pylib.links import queries
from pylib.links.markup import front_matter_list, mask_code
from pylib.links.parse import Link, link_keys, parse_links


@pytest.fixture
def ws():
    workspace = db.open_workspace(":memory:")
    yield workspace
    workspace.close()


def _targets(text, folder="/"):
    return [(link.kind, link.target, link.heading, link.label) for link in parse_links(text, folder)]


def test_wiki_link_forms():
    text = "[[Note]] [[Note|label]] [[Note#Heading]] [[folder/Note]] ![[pic.png]] [[ Spaced ]]"
    assert _targets(text) == [
        ("wiki", "Note", "", ""), ("wiki", "Note", "", "label"), ("wiki", "Note", "Heading", ""),
        ("wiki", "folder/Note", "", ""), ("embed", "pic.png", "", ""), ("wiki", "Spaced", "", "")]


def test_a_wiki_links_span_is_the_target_as_written():
    text = "see [[ Plan #Goals|the goals]] now"
    [link] = parse_links(text)
    assert text[link.start:link.end] == "Plan"
    assert link.heading == "Goals" and link.label == "the goals"


def test_markdown_links_to_notes_and_not_urls():
    text = ("[a](../Plan.md) [b](Plan.md#heading) [c](<My Note.md>) [d](Other%20Note.md) "
            "[e](http://x.com/a.md) [f](#local) [g](mailto:x@y) [h](//host/x.md) ![i](pic.png)")
    links = parse_links(text, "/work/sub")
    assert [(l.target, l.path, l.heading) for l in links] == [
        ("../Plan.md", "/work/Plan.md", ""), ("Plan.md", "/work/sub/Plan.md", "heading"),
        ("My Note.md", "/work/sub/My Note.md", ""), ("Other Note.md", "/work/sub/Other Note.md", ""),
        ("pic.png", "/work/sub/pic.png", "")]
    assert text[links[3].start:links[3].end] == "Other%20Note.md"


def test_links_that_climb_above_the_root_are_not_links():
    assert parse_links("[x](../../../Plan.md)", "/a") == []


def test_nothing_inside_code_counts():
    text = ("`[[inline]]` and ``[[double `tick`]]`` but [[real]]\n"
            "```\n[[fenced]] [x](f.md)\n```\n"
            "~~~~python\n[[tilde]]\n~~~~\n"
            "> ```\n> [[quoted fence]]\n> ```\n"
            "an unclosed ` tick [[counts]]\n")
    assert [t for _, t, _, _ in _targets(text)] == ["real", "counts"]


def test_masking_keeps_offsets():
    text = "a `code` b\n```\nx\n```\nc"
    masked = mask_code(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    assert "code" not in masked and masked.endswith("c")


def test_keys_fold_case_and_md():
    link = Link("wiki", "Folder/Ünïcode Note.md", "", "", 0, 0)
    assert link_keys(link) == ("ünïcode note", "/folder/ünïcode note")
    assert link.mode == "suffix"


def test_front_matter_forms():
    for body in ("tags: [a, b]", "tags: a, b", "tags: a b", "tags:\n  - a\n  - b",
                 "tags: ['a', \"b\"]", "Tags: [a, b]"):
        assert front_matter_list(f"---\n{body}\n---\ntext", ("tags",)) == ["a", "b"], body
    assert front_matter_list("no front matter\ntags: [a]", ("tags",)) == []


def _ids(rows):
    return [row["source"]["path"] for row in rows]


def test_resolution_by_path_then_name_shortest_path_wins(ws):
    deep = artifacts.create(ws, "/a/b/Plan.md", "deep")
    shallow = artifacts.create(ws, "/z/Plan.md", "shallow")
    src = artifacts.create(ws, "/src.md",
                           "[[Plan]] [[plan.md]] [[a/b/Plan]] [[b/Plan]] [x](a/b/Plan.md) [[PLAN]]")
    out = {(o["target"]): o["note"]["id"] for o in queries.outgoing(ws.conn, src.id)}
    assert out == {"Plan": shallow.id, "plan.md": shallow.id, "a/b/Plan": deep.id,
                   "b/Plan": deep.id, "a/b/Plan.md": deep.id, "PLAN": shallow.id}


def test_unresolved_links_resolve_when_the_note_appears(ws):
    src = artifacts.create(ws, "/src.md", "Waiting for [[Later]].")
    assert queries.outgoing(ws.conn, src.id)[0]["resolved"] is False
    later = artifacts.create(ws, "/x/later.md", "here")
    [out] = queries.outgoing(ws.conn, src.id)
    assert out["note"]["id"] == later.id
    artifacts.rename(ws, later.id, "Sooner.md")
    assert queries.outgoing(ws.conn, src.id)[0]["resolved"] is False
    artifacts.rename(ws, later.id, "Later.md")
    assert queries.outgoing(ws.conn, src.id)[0]["note"]["id"] == later.id


def test_backlinks_carry_the_sentence_around_each_link(ws):
    plan = artifacts.create(ws, "/Plan.md", "# Plan")
    artifacts.create(ws, "/a.md", "Intro here. We follow [[Plan]] closely! Next one.\n"
                                  "Second line with [[Plan#Goals|goals]].")
    artifacts.create(ws, "/b.md", "Nothing about it.")
    [row] = queries.backlinks(ws.conn, plan.id)
    assert row["source"]["path"] == "/a.md"
    texts = [(c["text"], c["line"], c["heading"]) for c in row["contexts"]]
    assert texts == [("We follow [[Plan]] closely!", 1, ""),
                     ("Second line with [[Plan#Goals|goals]].", 2, "Goals")]
    first = row["contexts"][0]
    assert first["text"][first["start"]:first["end"]] == "Plan"


def test_unlinked_mentions(ws):
    plan = artifacts.create(ws, "/Road Map.md", "x")
    artifacts.create(ws, "/a.md", "The road map is late. [[Road Map]] is linked.")
    artifacts.create(ws, "/b.md", "`Road Map` in code, roadmaps are not it, [the Road Map](Road%20Map.md)")
    artifacts.create(ws, "/c.md", "Ask about the ROAD MAP.")
    found = queries.mentions(ws.conn, plan.id)
    assert _ids(found) == ["/a.md", "/c.md"]
    assert [c["text"] for c in found[0]["contexts"]] == ["The road map is late."]


def test_the_index_follows_every_write(ws):
    plan = artifacts.create(ws, "/Plan.md", "# Plan")
    src = artifacts.create(ws, "/notes/src.md", "no links yet")
    assert queries.backlinks(ws.conn, plan.id) == []
    artifacts.update(ws, src.id, "now [[Plan]]")
    assert _ids(queries.backlinks(ws.conn, plan.id)) == ["/notes/src.md"]
    folders.create(ws, "/elsewhere")
    artifacts.move(ws, src.id, "/elsewhere")
    assert _ids(queries.backlinks(ws.conn, plan.id)) == ["/elsewhere/src.md"]
    folders.rename(ws, "/elsewhere", "moved")
    assert _ids(queries.backlinks(ws.conn, plan.id)) == ["/moved/src.md"]
    trash.trash_artifact(ws, src.id)
    assert queries.backlinks(ws.conn, plan.id) == []
    [unit] = trash.list_items(ws)
    trash.restore(ws, unit.id)
    assert _ids(queries.backlinks(ws.conn, plan.id)) == ["/moved/src.md"]
    trash.trash_folder(ws, "/moved")
    assert queries.backlinks(ws.conn, plan.id) == []
    [unit] = trash.list_items(ws)
    trash.restore(ws, unit.id)
    assert _ids(queries.backlinks(ws.conn, plan.id)) == ["/moved/src.md"]
    first = versions.list_versions(ws, src.id)[-1]
    artifacts.restore_version(ws, first["id"])
    assert queries.backlinks(ws.conn, plan.id) == []
    artifacts.update(ws, src.id, "[[Plan]] again")
    trash.trash_artifact(ws, src.id)
    trash.empty(ws)
    assert ws.conn.execute("SELECT count(*) FROM links").fetchone()[0] == 0


def test_a_relative_link_follows_its_note_when_the_target_moves_only_by_rewrite(ws):
    plan = artifacts.create(ws, "/work/Plan.md", "x")
    src = artifacts.create(ws, "/notes/src.md", "[p](../work/Plan.md)")
    folders.create(ws, "/archive")
    artifacts.move(ws, plan.id, "/archive")  # without update_links: the path no longer exists
    assert queries.outgoing(ws.conn, src.id)[0]["resolved"] is False
    artifacts.move(ws, plan.id, "/work")
    assert queries.outgoing(ws.conn, src.id)[0]["note"]["id"] == plan.id


def test_trashing_the_target_leaves_the_link_waiting(ws):
    plan = artifacts.create(ws, "/Plan.md", "x")
    src = artifacts.create(ws, "/src.md", "[[Plan]]")
    other = artifacts.create(ws, "/deep/er/Plan.md", "the other")
    trash.trash_artifact(ws, plan.id)
    assert queries.outgoing(ws.conn, src.id)[0]["note"]["id"] == other.id
    trash.restore(ws, trash.list_items(ws)[0].id)
    assert queries.outgoing(ws.conn, src.id)[0]["note"]["id"] == plan.id


def test_completion_ranks_prefix_before_fuzzy_and_says_what_to_write(ws):
    for path in ("/Plan.md", "/x/Planning.md", "/y/Airplane.md", "/z/Pl an.md", "/q/Plan.md"):
        artifacts.create(ws, path, "x")
    got = queries.complete(ws.conn, "pla", limit=10)
    assert [g["path"] for g in got][:3] == ["/Plan.md", "/q/Plan.md", "/x/Planning.md"]
    assert {g["path"]: g["link"] for g in got}["/q/Plan.md"] == "q/Plan"
    assert {g["path"]: g["link"] for g in got}["/Plan.md"] == "Plan"
    assert [g["path"] for g in queries.complete(ws.conn, "pln")] == [
        "/Plan.md", "/q/Plan.md", "/z/Pl an.md", "/x/Planning.md", "/y/Airplane.md"]
    assert queries.complete(ws.conn, "qqq") == []


def _index_writes(ws):
    ws.conn.execute("CREATE TEMP TABLE IF NOT EXISTS hits (t TEXT)")
    for table in ("links", "note_tags", "link_names"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            ws.conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS hit_{table}_{event} AFTER {event}"
                            f" ON main.{table} BEGIN INSERT INTO hits VALUES ('{table}'); END")
    return lambda: [t for (t,) in ws.conn.execute("DELETE FROM hits RETURNING t")]


def test_a_save_that_keeps_its_links_writes_nothing_to_the_index(ws):
    artifacts.create(ws, "/Plan.md", "x")
    src = artifacts.create(ws, "/src.md", "a [[Plan]] #tag\n\nProse.")
    writes = _index_writes(ws)
    artifacts.update(ws, src.id, "a [[Plan]] #tag\n\nProse typed on, away from any link.")
    assert writes() == []
    # An edit of the sentence that holds the link rewrites its stored sentence, only that.
    artifacts.update(ws, src.id, "more text before a [[Plan]] #tag\n\nProse.")
    assert writes() == ["links"]
    [row] = queries.backlinks(ws.conn, ws.conn.execute(
        "SELECT id FROM artifacts WHERE path = '/Plan.md'").fetchone()[0])
    assert row["contexts"][0]["text"] == "more text before a [[Plan]] #tag"
    artifacts.update(ws, src.id, "now [[Plan]] and [[Other]] #tag")
    assert sorted(writes()) == ["links", "links"]
    artifacts.update(ws, src.id, "now [[Plan]] and [[Other]] #tag #new")
    assert sorted(set(writes())) == ["links", "note_tags"]
