"""Tags: what counts as a tag, front matter, nested counts, and the index following edits."""

import pytest

from pylib import artifacts, db, tags, trash
from pylib.links.parse import parse_tags


@pytest.fixture
def ws():
    workspace = db.open_workspace(":memory:")
    yield workspace
    workspace.close()


def test_what_obsidian_users_expect_to_be_a_tag():
    text = ("# Title\n## Sub heading\n#start of line, mid #word, #area/sub/deep, #émoji-ok\n"
            "not: a#b, #123, http://x.com/#frag, [x](#anchor), (#paren), #_under, #1st\n"
            "`#code` and\n```\n#fenced\n```\n#Start again #trailing/ #a//b")
    assert parse_tags(text) == ["start", "word", "area/sub/deep", "émoji-ok", "_under", "1st",
                                "trailing"]


def test_front_matter_tags_come_first_and_are_not_body_tags():
    text = "---\ntitle: x\ntags: [Project, '#area/sub']\n# a yaml comment\n---\nbody #other #project"
    assert parse_tags(text) == ["Project", "area/sub", "other"]


def test_list_counts_nested_tags_under_their_parents(ws):
    artifacts.create(ws, "/a.md", "#area/sub #Project")
    artifacts.create(ws, "/b.md", "#area #area/sub/deep")
    artifacts.create(ws, "/c.md", "#project")
    listed = tags.list_tags(ws)
    assert [(t["tag"], t["count"], t["direct"]) for t in listed] == [("area", 2, 1), ("Project", 2, 2)]
    [sub] = listed[0]["children"]
    assert (sub["tag"], sub["name"], sub["count"], sub["direct"]) == ("area/sub", "sub", 2, 1)
    assert [(d["tag"], d["count"]) for d in sub["children"]] == [("area/sub/deep", 1)]
    assert [n["path"] for n in tags.notes(ws, "#Area")] == ["/a.md", "/b.md"]
    assert [n["path"] for n in tags.notes(ws, "area", nested=False)] == ["/b.md"]
    assert [n["path"] for n in tags.notes(ws, "area/sub")] == ["/a.md", "/b.md"]


def test_tags_follow_edits_trash_and_restore(ws):
    note = artifacts.create(ws, "/a.md", "#one")
    assert [t["tag"] for t in tags.list_tags(ws)] == ["one"]
    artifacts.update(ws, note.id, "#two")
    assert [t["tag"] for t in tags.list_tags(ws)] == ["two"]
    trash.trash_artifact(ws, note.id)
    assert tags.list_tags(ws) == [] and tags.notes(ws, "two") == []
    trash.restore(ws, trash.list_items(ws)[0].id)
    assert [n["path"] for n in tags.notes(ws, "two")] == ["/a.md"]


def test_only_markdown_notes_have_tags(ws):
    artifacts.create(ws, "/a.txt", "#not-markdown")
    artifacts.upload(ws, "/b.bin", b"#binary\x00")
    assert tags.list_tags(ws) == []
