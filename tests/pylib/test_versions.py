"""Versions: every content change is kept; restore adds a version, nothing is lost."""

import pytest

from pylib import activity, artifacts, db, versions
from pylib.content import INLINE_LIMIT
from pylib.errors import InvalidParams, NotFound, VersionUnavailable
from pylib.models import VersionSummary


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def _doc_with_history(ws, n):
    art = artifacts.create(ws, "/doc.md", "v1")
    for i in range(2, n + 1):
        artifacts.update(ws, art.id, f"v{i}")
    return art


def test_list_newest_first_with_paging(tmp_path):
    ws = _ws(tmp_path)
    art = _doc_with_history(ws, 7)
    page = versions.list_versions(ws, art.id, limit=3)
    assert [v["seq"] for v in page] == [7, 6, 5]
    nxt = versions.list_versions(ws, art.id, limit=3, before=page[-1]["seq"])
    assert [v["seq"] for v in nxt] == [4, 3, 2]
    assert [v["seq"] for v in versions.list_versions(ws, art.id, before=2)] == [1]
    for v in page:
        VersionSummary.model_validate(v)
    assert page[0]["reason"] == "update" and nxt[-1]["reason"] == "update"
    assert versions.list_versions(ws, art.id, before=1) == []
    with pytest.raises(InvalidParams):
        versions.list_versions(ws, art.id, limit=0)
    with pytest.raises(NotFound):
        versions.list_versions(ws, "missing")


def test_get_returns_text_of_that_version(tmp_path):
    ws = _ws(tmp_path)
    art = _doc_with_history(ws, 3)
    oldest = versions.list_versions(ws, art.id)[-1]
    got = versions.get(ws, oldest["id"])
    assert got.text == "v1" and got.seq == 1 and got.reason == "create"
    with pytest.raises(NotFound):
        versions.get(ws, "missing")


def test_restore_is_a_new_version_and_keeps_everything(tmp_path):
    ws = _ws(tmp_path)
    art = _doc_with_history(ws, 3)
    first = versions.list_versions(ws, art.id)[-1]
    restored = artifacts.restore_version(ws, first["id"])
    assert restored.text == "v1" and restored.version_count == 4
    history = versions.list_versions(ws, art.id)
    assert [v["seq"] for v in history] == [4, 3, 2, 1]
    assert history[0]["reason"] == "restore" and history[0]["restored_from"] == first["id"]
    assert [versions.get(ws, v["id"]).text for v in history] == ["v1", "v3", "v2", "v1"]
    assert activity.list_actions(ws).items[0].action_type == "VERSION_RESTORE"
    # Restoring what is already current changes nothing.
    commits = ws.commits
    artifacts.restore_version(ws, history[0]["id"])
    assert ws.commits == commits and versions.count(ws, art.id) == 4


def test_large_binary_content_is_not_kept_in_history(tmp_path):
    ws = _ws(tmp_path)
    art = artifacts.upload(ws, "/blob.bin", b"small")
    artifacts.update(ws, art.id, b"\x00" * (INLINE_LIMIT + 1))
    newest = versions.list_versions(ws, art.id)[0]
    assert newest["has_content"] is False and newest["size_bytes"] == INLINE_LIMIT + 1
    with pytest.raises(VersionUnavailable):
        artifacts.restore_version(ws, newest["id"])
    back = artifacts.restore_version(ws, versions.list_versions(ws, art.id)[-1]["id"])
    assert back.text == "small" and not back.pending_upload


def test_version_listing_uses_the_index(tmp_path):
    ws = _ws(tmp_path)
    plan = ws.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id, seq FROM artifact_versions WHERE artifact_id = ?"
        " ORDER BY seq DESC LIMIT 50", ("x",)).fetchall()
    detail = " ".join(row[-1] for row in plan)
    assert "idx_versions_artifact_seq" in detail and "TEMP B-TREE" not in detail
