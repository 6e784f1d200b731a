"""Two and three devices through the memory store: what each kind of concurrent change
becomes once everyone has synced."""

from __future__ import annotations

import time

import pytest

from pylib import activity, artifacts, folders, history, platform, trash, versions
from pylib.care import integrity, retention, settings
from pylib.care import service as care_service

from sync_devices import check_invariants, drive, settle, synced_state

pytestmark = pytest.mark.skipif(platform.IN_BROWSER, reason="WebCrypto waits: tests/pyodide")


def _same_everywhere(devices):
    drive(settle(devices))
    states = [synced_state(d.ws) for d in devices]
    for device in devices:
        check_invariants(device.ws)
    assert all(s == states[0] for s in states)
    return states[0]


def _texts(ws, artifact_id):
    return [versions.get(ws, v["id"]).text for v in versions.list_versions(ws, artifact_id)]


def test_an_edit_on_one_device_reaches_the_others(devices):
    a, b, c = devices
    doc = artifacts.create(a.ws, "/notes/plan.md", "# Plan\n")
    _same_everywhere(devices)
    artifacts.update(b.ws, doc.id, "# Plan\nship it\n")
    _same_everywhere(devices)
    assert artifacts.get(c.ws, doc.id).text == "# Plan\nship it\n"
    assert artifacts.list_tree(c.ws)["folders"] == ["/notes"]


def test_edits_of_different_lines_merge_and_keep_both(devices):
    a, b, _ = devices
    doc = artifacts.create(a.ws, "/n.md", "one\ntwo\nthree\nfour\nfive\n")
    _same_everywhere(devices)
    artifacts.update(a.ws, doc.id, "ONE\ntwo\nthree\nfour\nfive\n")
    artifacts.update(b.ws, doc.id, "one\ntwo\nthree\nfour\nFIVE\n")
    _same_everywhere(devices)
    assert artifacts.get(b.ws, doc.id).text == "ONE\ntwo\nthree\nfour\nFIVE\n"


def test_edits_of_the_same_line_keep_one_current_and_the_other_as_a_conflict_version(devices):
    a, b, c = devices
    doc = artifacts.create(a.ws, "/n.md", "title\n")
    _same_everywhere(devices)
    artifacts.update(a.ws, doc.id, "title by A\n")
    artifacts.update(b.ws, doc.id, "title by B\n")
    _same_everywhere(devices)
    current = artifacts.get(c.ws, doc.id).text
    assert current in ("title by A\n", "title by B\n")
    other = ({"title by A\n", "title by B\n"} - {current}).pop()
    marked = [v for v in versions.list_versions(c.ws, doc.id) if v["reason"] == "conflict"]
    assert [versions.get(c.ws, v["id"]).text for v in marked] == [other]
    notices = [x for x in activity.list_actions(c.ws).items if x.action_type == "SYNC_CONFLICT"]
    assert len(notices) == 1 and notices[0].payload["artifact_id"] == doc.id
    # A conflict version newer than the current text is no problem for the workspace check.
    for device in devices:
        assert integrity.check(device.ws)["problems"] == []


def test_retention_keeps_the_current_version_and_an_unseen_conflict_version(devices):
    a, b, c = devices
    doc = artifacts.create(a.ws, "/n.md", "title\n")
    _same_everywhere(devices)
    for i in range(3):
        artifacts.update(a.ws, doc.id, f"title {i}\n")
    _same_everywhere(devices)
    artifacts.update(a.ws, doc.id, "title by A\n")
    artifacts.update(b.ws, doc.id, "title by B\n")
    _same_everywhere(devices)
    current = artifacts.get(c.ws, doc.id)
    [other] = [v for v in versions.list_versions(c.ws, doc.id) if v["reason"] == "conflict"]
    settings.set_retention(c.ws, {"versions": "last", "keep_last": 1})
    for step in range(2):  # before the conflict is seen, and after
        cursor = ""
        while not (done := retention.cleanup_step(c.ws, cursor))["done"]:
            cursor = done["cursor"]
        left = versions.list_versions(c.ws, doc.id)
        # The version holding the current text stays, whatever newer conflict version there is.
        assert [v["hash"] for v in left if v["current"]] == [current.hash]
        if step == 0:  # unseen: every version of either side's text stays, nothing older
            assert {v["hash"] for v in left} == {current.hash, other["hash"]}
            assert "title 2\n" not in {versions.get(c.ws, v["id"]).text for v in left}
            care_service.conflict_seen(c.ws, doc.id)
        else:  # seen: the newest (the conflict version) and the current one
            assert [v["id"] for v in left] == [other["id"], *(v["id"] for v in left if v["current"])]
    assert artifacts.get(c.ws, doc.id).text == current.text


def test_history_lists_versions_by_when_they_were_saved_alike_on_every_device(devices):
    a, b, c = devices
    doc = artifacts.create(a.ws, "/n.md", "one\ntwo\nthree\n")
    _same_everywhere(devices)
    for device, text in ((a, "ONE\ntwo\nthree\n"), (b, "one\ntwo\nTHREE\n"),
                         (b, "one\ntwo\nTHREE!\n"), (a, "ONE!\ntwo\nthree\n")):
        time.sleep(0.003)  # each saved at a time of its own
        artifacts.update(device.ws, doc.id, text)
    _same_everywhere(devices)
    listings = [versions.list_versions(d.ws, doc.id) for d in devices]
    order = [v["id"] for v in listings[0]]
    assert all([v["id"] for v in listing] == order for listing in listings)
    saved = [v["created_at"] for v in listings[0]]
    assert saved == sorted(saved, reverse=True)
    assert all([v["number"] for v in listing] == [6, 5, 4, 3, 2, 1] for listing in listings)
    for device, listing in zip(devices, listings):  # "#3" names one version everywhere
        assert [versions.by_number(device.ws, doc.id, v["number"]) for v in listing] == order
        assert [versions.number_of(device.ws, v["id"]) for v in listing] == [6, 5, 4, 3, 2, 1]
    assert versions.by_number(b.ws, doc.id, 7) is None and versions.by_number(b.ws, doc.id, 0) is None
    # Each device recorded the other's edits after its own: its seq is not history's order.
    assert any([v["seq"] for v in listing] != sorted((v["seq"] for v in listing), reverse=True)
               for listing in listings)
    for device, listing in zip(devices, listings):
        assert artifacts.get(device.ws, doc.id).text == "ONE!\ntwo\nTHREE!\n"
        assert [v["reason"] for v in listing if v["current"]] == ["merge"]
        assert listing[0]["current"] and listing[0]["hash"] == artifacts.get(device.ws, doc.id).hash
        assert versions.get(device.ws, listing[0]["id"]).current
        # "What this save changed" is against the version listed after it.
        assert [history.diff(device.ws, v["id"])["base_id"] for v in listing] == order[1:] + [None]
    paged, before = [], None
    while True:  # pages of two, each after the last of the one before
        page = versions.list_versions(b.ws, doc.id, limit=2, before=before)
        paged += page
        if len(page) < 2:
            break
        before = page[-1]["seq"]
    assert [v["id"] for v in paged] == order


def test_an_edit_wins_over_a_concurrent_trash(devices):
    a, b, _ = devices
    doc = artifacts.create(a.ws, "/d/n.md", "text\n")
    _same_everywhere(devices)
    trash.trash_folder(a.ws, "/d")
    artifacts.update(b.ws, doc.id, "text\nmore\n")
    _same_everywhere(devices)
    alive = artifacts.get(a.ws, doc.id)
    assert alive.text == "text\nmore\n" and alive.path == "/d/n.md"


def test_a_trash_that_saw_the_edit_stands(devices):
    a, b, _ = devices
    doc = artifacts.create(a.ws, "/n.md", "x\n")
    _same_everywhere(devices)
    artifacts.update(b.ws, doc.id, "y\n")
    _same_everywhere(devices)
    trash.trash_artifact(a.ws, doc.id)
    _same_everywhere(devices)
    assert [i.path for i in trash.list_items(b.ws)] == ["/n.md"]


def test_two_documents_made_at_one_path_both_live_one_renamed(devices):
    a, b, _ = devices
    first = artifacts.create(a.ws, "/ideas.md", "from A\n")
    second = artifacts.create(b.ws, "/ideas.md", "from B\n")
    _same_everywhere(devices)
    paths = {artifacts.get(a.ws, first.id).path, artifacts.get(a.ws, second.id).path}
    assert paths == {"/ideas.md", "/ideas (conflict).md"}


def test_rename_on_one_device_and_edit_on_another_merge_by_field(devices):
    a, b, _ = devices
    doc = artifacts.create(a.ws, "/old.md", "v1\n")
    _same_everywhere(devices)
    artifacts.rename(a.ws, doc.id, "new.md")
    artifacts.update(b.ws, doc.id, "v2\n")
    _same_everywhere(devices)
    got = artifacts.get(b.ws, doc.id)
    assert (got.path, got.text) == ("/new.md", "v2\n")


def test_a_folder_renamed_there_while_filled_here_keeps_every_document(devices):
    a, b, _ = devices
    folders.create(a.ws, "/box")
    _same_everywhere(devices)
    folders.rename(a.ws, "/box", "crate")
    fresh = artifacts.create(b.ws, "/box/new.md", "inside\n")
    _same_everywhere(devices)
    got = artifacts.get(a.ws, fresh.id)
    assert got.text == "inside\n"
    assert "/crate" in folders.list_paths(a.ws)


def test_swapped_names_between_two_pushes_land_as_made(devices):
    a, b, _ = devices
    x = artifacts.create(a.ws, "/x.md", "x")
    y = artifacts.create(a.ws, "/y.md", "y")
    _same_everywhere(devices)
    artifacts.rename(a.ws, x.id, "tmp.md")
    artifacts.rename(a.ws, y.id, "x.md")
    artifacts.rename(a.ws, x.id, "y.md")
    _same_everywhere(devices)
    assert artifacts.get(b.ws, x.id).path == "/y.md" and artifacts.get(b.ws, y.id).path == "/x.md"


def test_a_restore_on_one_device_and_an_edit_elsewhere(devices):
    a, b, c = devices
    doc = artifacts.create(a.ws, "/r.md", "1\n")
    trash.trash_artifact(a.ws, doc.id)
    _same_everywhere(devices)
    unit = trash.list_items(b.ws)[0].id
    trash.restore(b.ws, unit)
    _same_everywhere(devices)
    artifacts.update(c.ws, doc.id, "2\n")
    _same_everywhere(devices)
    assert artifacts.get(a.ws, doc.id).text == "2\n" and trash.list_items(a.ws) == []


def test_search_and_links_follow_pulled_changes(devices):
    from pylib.links import queries
    from pylib.search import keyword

    a, b, _ = devices
    target = artifacts.create(a.ws, "/target.md", "the zebra note\n")
    source = artifacts.create(a.ws, "/source.md", "see [[target]]\n")
    _same_everywhere(devices)
    assert [x["source"]["id"] for x in queries.backlinks(b.ws.conn, target.id)] == [source.id]
    hits = keyword.search(b.ws, "zebra")
    assert [h["id"] for h in hits["hits"]] == [target.id]


def test_a_big_push_is_cut_into_segments_committed_at_once(devices):
    a, b, _ = devices
    a.engine.segment_bytes = 2_000
    made = [artifacts.create(a.ws, f"/many/n{i}.md", f"note {i}\n" * 40).id for i in range(12)]
    drive(a.engine.push())
    segments = [k for k in a.engine.store.objects if k.startswith("sync/segments/")]
    assert len(segments) > 5
    drive(b.engine.pull())
    assert sorted(x["id"] for x in artifacts.list_tree(b.ws)["artifacts"]) == sorted(made)


LONG = "".join(f"line {i} of a longer note, stored packed since it compresses well\n" for i in range(40))


def _texts(ws, artifact_id):
    return [versions.get(ws, v["id"]).text for v in versions.list_versions(ws, artifact_id, limit=50)]


@pytest.mark.parametrize("compact", [False, True])
def test_a_packed_text_removed_for_good_comes_back_as_its_text(devices, compact):
    a, b, c = devices
    doc = artifacts.create(a.ws, "/long.md", LONG)
    drive(settle(devices))
    artifacts.update(a.ws, doc.id, LONG + "the last words typed on a\n")
    assert a.ws.conn.execute("SELECT content_codec FROM artifacts WHERE id = ?",
                             (doc.id,)).fetchone()[0] is not None  # stored packed
    trash.trash_artifact(a.ws, doc.id)
    trash.empty(a.ws)
    artifacts.update(b.ws, doc.id, LONG + "an edit on b\n")  # offline meanwhile
    if compact:  # the removal reaches c, which folds everything into a snapshot
        drive(a.engine.sync())
        drive(c.engine.sync())
        assert drive(c.engine.compact())
    _same_everywhere(devices)
    for device in devices:
        assert artifacts.get(device.ws, doc.id).text == LONG + "an edit on b\n"
        assert LONG + "the last words typed on a\n" in _texts(device.ws, doc.id)


def test_an_edit_sent_before_a_removal_that_never_saw_it_wins(devices):
    a, b, _ = devices
    doc = artifacts.create(a.ws, "/n.md", "one\n")
    drive(settle(devices))
    artifacts.update(b.ws, doc.id, "one\nedit on b\n")
    drive(b.engine.sync())  # on the server before a removes the note
    trash.trash_artifact(a.ws, doc.id)
    trash.empty(a.ws)  # without having seen the edit
    _same_everywhere(devices)
    for device in devices:
        assert artifacts.get(device.ws, doc.id).text == "one\nedit on b\n"
        assert set(_texts(device.ws, doc.id)) == {"one\n", "one\nedit on b\n"}
