"""Renaming or moving notes and folders rewrites the links that point to them."""

import pytest

from pylib import activity, api, artifacts, db, folders, versions
from pylib.links import queries, rewrite


@pytest.fixture
def ws():
    workspace = db.open_workspace(":memory:")
    yield workspace
    workspace.close()


def _text(ws, art):
    return artifacts.get(ws, art.id).text


def test_rename_rewrites_every_form_and_keeps_headings_and_labels(ws):
    plan = artifacts.create(ws, "/work/Plan.md", "# Plan")
    src = artifacts.create(ws, "/notes/A.md",
                           "We follow [[Plan]], [[plan#Goals|goals]], [[work/Plan]], "
                           "[[Plan.md]], [p](../work/Plan.md#x) and [q](<../work/Plan.md>). "
                           "`[[Plan]]` stays.")
    _, counts = rewrite.relocate(ws, [plan.id], lambda: artifacts.rename(ws, plan.id, "Road map.md"))
    assert _text(ws, src) == (
        "We follow [[Road map]], [[Road map#Goals|goals]], [[work/Road map]], "
        "[[Road map.md]], [p](../work/Road%20map.md#x) and [q](<../work/Road map.md>). "
        "`[[Plan]]` stays.")
    assert counts == {"notes": 1, "links": 6}
    assert [b["source"]["id"] for b in queries.backlinks(ws.conn, plan.id)] == [src.id]


def test_the_rewrite_is_an_edit_with_a_version_and_activity(ws):
    plan = artifacts.create(ws, "/Plan.md", "x")
    src = artifacts.create(ws, "/a.md", "see [[Plan]]")
    commits = ws.commits
    rewrite.relocate(ws, [plan.id], lambda: artifacts.rename(ws, plan.id, "Goal.md"))
    assert ws.commits == commits + 1  # one transaction
    history = versions.list_versions(ws, src.id)
    assert [versions.get(ws, v["id"]).text for v in history] == ["see [[Goal]]", "see [[Plan]]"]
    kinds = [a.action_type for a in activity.list_actions(ws, 5).items]
    assert kinds[:3] == ["LINKS_UPDATE", "ARTIFACT_UPDATE", "ARTIFACT_RENAME"]


def test_a_name_that_would_reach_another_note_becomes_a_path(ws):
    plan = artifacts.create(ws, "/deep/er/Plan.md", "x")
    artifacts.create(ws, "/Goal.md", "the other goal")
    src = artifacts.create(ws, "/a.md", "[[Plan]]")
    rewrite.relocate(ws, [plan.id], lambda: artifacts.rename(ws, plan.id, "Goal.md"))
    assert _text(ws, src) == "[[deep/er/Goal]]"
    assert queries.outgoing(ws.conn, src.id)[0]["note"]["id"] == plan.id


def test_moving_a_note_rewrites_relative_links_both_ways(ws):
    folders.create(ws, "/archive/old")
    plan = artifacts.create(ws, "/work/Plan.md", "see [a](../notes/A.md) and [[A]]")
    src = artifacts.create(ws, "/notes/A.md", "[p](../work/Plan.md) [[Plan]]")
    rewrite.relocate(ws, [plan.id], lambda: artifacts.move(ws, plan.id, "/archive/old"))
    assert _text(ws, src) == "[p](../archive/old/Plan.md) [[Plan]]"
    assert _text(ws, plan) == "see [a](../../notes/A.md) and [[A]]"
    assert queries.outgoing(ws.conn, plan.id)[0]["note"]["id"] == src.id


def test_a_folder_rename_through_the_api_updates_paths_into_it(tmp_path):
    api.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    try:
        plan = api.dispatch("artifacts.create", {"path": "/work/Plan.md", "content": "x"})
        src = api.dispatch("artifacts.create", {
            "path": "/a.md", "content": "[[Plan]] [[work/Plan]] [p](work/Plan.md)"})
        api.dispatch("folders.rename", {"path": "/work", "name": "done", "update_links": True})
        assert api.dispatch("artifacts.get", {"id": src["id"]})["text"] == (
            "[[Plan]] [[done/Plan]] [p](done/Plan.md)")
        api.dispatch("artifacts.rename", {"id": plan["id"], "name": "Goal.md"})  # not asked
        assert api.dispatch("artifacts.get", {"id": src["id"]})["text"].startswith("[[Plan]]")
        assert api.dispatch("links.backlinks", {"id": plan["id"]})["linked"] == []
        out = api.dispatch("links.outgoing", {"id": src["id"]})
        assert [o["resolved"] for o in out] == [False, False, False]
    finally:
        api.close_workspace()


def test_a_failing_rename_changes_no_link(ws):
    plan = artifacts.create(ws, "/Plan.md", "x")
    artifacts.create(ws, "/Taken.md", "y")
    src = artifacts.create(ws, "/a.md", "[[Plan]]")
    with pytest.raises(Exception):
        rewrite.relocate(ws, [plan.id], lambda: artifacts.rename(ws, plan.id, "Taken.md"))
    assert _text(ws, src) == "[[Plan]]"
    assert queries.outgoing(ws.conn, src.id)[0]["note"]["id"] == plan.id
