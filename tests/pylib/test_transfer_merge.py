"""Import in merge mode: artifacts by id, both contents kept on conflict, no duplicates."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import badfiles  # noqa: E402

from pylib import artifacts, folders, tasks, trash, versions  # noqa: E402
from pylib.content import digest  # noqa: E402
from pylib.errors import QuireError  # noqa: E402
from pylib.transfer import export_workspace, import_workspace  # noqa: E402


def _pair(tmp_path):
    """Two workspaces that share a history: `theirs` starts as a copy of `ours`."""
    ours = badfiles.make_workspace(tmp_path, "ours.sqlite")
    theirs = badfiles.make_workspace(tmp_path, "theirs.sqlite")
    return ours, theirs


def _doc_id(ws, path="/notes/live-ideas.md"):
    return ws.conn.execute("SELECT id FROM artifacts WHERE path = ?", (path,)).fetchone()[0]


def _history(ws, artifact_id):
    return [v["hash"] for v in reversed(versions.list_versions(ws, artifact_id))]


def _actions(ws, action_type):
    return [json.loads(p) for (p,) in ws.conn.execute(
        "SELECT payload FROM action_log WHERE action_type = ?", (action_type,))]


def test_merge_adds_new_rows_and_unions_folders(tmp_path):
    ours = badfiles.make_workspace(tmp_path, "ours.sqlite", tag="ours")
    theirs = badfiles.make_workspace(tmp_path, "theirs.sqlite", tag="theirs")
    before = badfiles.table_contents(ours.conn)

    result = import_workspace(ours, export_workspace(theirs), "merge")

    assert result.mode == "merge" and result.backup is None and result.conflicts == []
    assert result.merged.artifacts_added == 3
    after = badfiles.table_contents(ours.conn)
    theirs_rows = badfiles.table_contents(theirs.conn)
    for table in ("artifacts", "artifact_versions", "citations", "agent_tasks", "trash",
                  "sync_state"):
        assert set(after[table]) == set(before[table]) | set(theirs_rows[table]), table
    assert set(theirs_rows["action_log"]) < set(after["action_log"])
    # Folders: /notes and /code exist on both sides and stay single; the empty ones are united.
    paths = folders.list_paths(ours)
    assert paths == sorted(set(paths))
    assert {"/notes", "/code", "/empty-ours", "/empty-theirs"} <= set(paths)
    assert len(_actions(ours, "WORKSPACE_IMPORT")) == 1
    assert ours.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_merging_the_same_file_twice_adds_nothing_the_second_time(tmp_path):
    ours = badfiles.make_workspace(tmp_path, "ours.sqlite", tag="ours")
    data = export_workspace(badfiles.make_workspace(tmp_path, "theirs.sqlite", tag="theirs"))
    import_workspace(ours, data, "merge")
    once = badfiles.table_contents(ours.conn)

    second = import_workspace(ours, data, "merge")

    twice = badfiles.table_contents(ours.conn)
    assert second.merged.artifacts_added == 0 and second.merged.versions_added == 0
    once.pop("action_log"), twice.pop("action_log")
    assert twice == once


def test_only_the_file_changed_takes_the_file(tmp_path):
    ours, theirs = _pair(tmp_path)
    doc = _doc_id(ours)
    artifacts.update(theirs, doc, "edited elsewhere")

    result = import_workspace(ours, export_workspace(theirs), "merge")

    assert result.conflicts == [] and result.merged.artifacts_updated == 1
    assert artifacts.get(ours, doc).text == "edited elsewhere"
    assert _history(ours, doc) == _history(theirs, doc)


def test_only_the_workspace_changed_keeps_the_workspace(tmp_path):
    ours, theirs = _pair(tmp_path)
    doc = _doc_id(ours)
    artifacts.update(ours, doc, "edited here")
    history = _history(ours, doc)

    result = import_workspace(ours, export_workspace(theirs), "merge")

    assert result.conflicts == []
    assert artifacts.get(ours, doc).text == "edited here"
    assert _history(ours, doc) == history


def test_conflict_keeps_both_contents(tmp_path):
    ours, theirs = _pair(tmp_path)
    doc = _doc_id(ours)
    artifacts.update(theirs, doc, "their edit")
    artifacts.update(ours, doc, "our later edit")  # later: ours stays current

    result = import_workspace(ours, export_workspace(theirs), "merge")

    [conflict] = result.conflicts
    assert conflict.artifact_id == doc and conflict.winner == "workspace"
    assert conflict.kept_hash == digest(b"our later edit")
    assert conflict.other_hash == digest(b"their edit")
    assert artifacts.get(ours, doc).text == "our later edit"
    history = _history(ours, doc)
    assert digest(b"their edit") in history
    assert history[-1] == digest(b"our later edit")  # the newest version is the current content
    texts = {versions.get(ours, v["id"]).text for v in versions.list_versions(ours, doc)}
    assert {"their edit", "our later edit"} <= texts
    [logged] = _actions(ours, "IMPORT_CONFLICT")
    assert logged["artifact_id"] == doc and logged["winner"] == "workspace"


def test_conflict_where_the_file_is_newer_makes_it_current(tmp_path):
    ours, theirs = _pair(tmp_path)
    doc = _doc_id(ours)
    artifacts.update(ours, doc, "our edit")
    theirs.clock = lambda: 4_000_000_000_000  # the file's edit is clearly later
    artifacts.update(theirs, doc, "their later edit")

    result = import_workspace(ours, export_workspace(theirs), "merge")

    assert [c.winner for c in result.conflicts] == ["file"]
    assert artifacts.get(ours, doc).text == "their later edit"
    history = _history(ours, doc)
    assert digest(b"our edit") in history and history[-1] == digest(b"their later edit")
    seqs = [v["seq"] for v in versions.list_versions(ours, doc)]
    assert len(seqs) == len(set(seqs))


def test_imported_artifact_on_a_taken_path_is_renamed(tmp_path):
    ours = badfiles.make_workspace(tmp_path, "ours.sqlite", tag="ours")
    theirs = badfiles.make_workspace(tmp_path, "theirs.sqlite", tag="theirs")
    mine = artifacts.create(ours, "/shared/plan.md", "mine")
    other = artifacts.create(theirs, "/shared/plan.md", "theirs")

    result = import_workspace(ours, export_workspace(theirs), "merge")

    assert result.merged.artifacts_renamed == 1
    assert artifacts.get(ours, mine.id).path == "/shared/plan.md"
    renamed = artifacts.get(ours, other.id)
    assert renamed.path == "/shared/plan (imported).md" and renamed.text == "theirs"


def test_failed_merge_leaves_the_workspace_byte_for_byte(tmp_path):
    """A document where the file needs a folder makes the merge fail; nothing is kept."""
    ours = badfiles.make_workspace(tmp_path, "ours.sqlite", tag="ours")
    theirs = badfiles.make_workspace(tmp_path, "theirs.sqlite", tag="theirs")
    artifacts.create(ours, "/blocked", "a document where the file has a folder")
    artifacts.create(theirs, "/blocked/inside.md", "needs the folder")
    before, commits = export_workspace(ours), ours.commits

    with pytest.raises(QuireError):
        import_workspace(ours, export_workspace(theirs), "merge")

    assert export_workspace(ours) == before
    assert ours.commits == commits


def test_merged_trash_and_pending_uploads_stay_usable(tmp_path):
    ours = badfiles.make_workspace(tmp_path, "ours.sqlite", tag="ours")
    theirs = badfiles.make_workspace(tmp_path, "theirs.sqlite", tag="theirs")
    big = bytes(range(256)) * 5000  # over the 1 MB inline limit: kept as a pending upload
    upload = artifacts.upload(theirs, "/files/big.bin", big)

    import_workspace(ours, export_workspace(theirs), "merge")

    assert artifacts.download(ours, upload.id)["data"] == big
    assert artifacts.get(ours, upload.id).pending_upload
    [unit] = [item for item in trash.list_items(ours) if item.path == "/theirs-scratch.txt"]
    assert trash.restore(ours, unit.id)["restored"] == 1
    assert artifacts.get(ours, _doc_id(ours, "/theirs-scratch.txt")).text == "scratch"


def test_task_completed_in_the_file_is_taken(tmp_path):
    ours, theirs = _pair(tmp_path)
    [task] = tasks.list_tasks(theirs)
    tasks.claim(theirs)
    tasks.complete(theirs, task.id, {"summary": "done"})

    result = import_workspace(ours, export_workspace(theirs), "merge")

    assert result.merged.rows_added["agent_tasks"] == 1
    assert tasks.get(ours, task.id).status == "COMPLETED"
    # Merging our older state back into theirs does not undo the completion.
    import_workspace(theirs, export_workspace(ours), "merge")
    assert tasks.get(theirs, task.id).status == "COMPLETED"
