"""api.dispatch: validation, error codes, results (the envelope is tested in test_rpc.py)."""

import json

import pytest

from pylib import api, errors
from pylib.content import INLINE_LIMIT


def _open(tmp_path, **kw):
    return api.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF", **kw)


def _code(method, params=None):
    with pytest.raises(errors.QuireError) as info:
        api.dispatch(method, params)
    assert isinstance(info.value.message, str) and info.value.message
    return info.value.code


def test_round_trip_of_a_document(tmp_path):
    _open(tmp_path)
    try:
        art = api.dispatch("artifacts.create", {"path": "/n/ideas.md", "content": "# Hi"})
        assert art["text"] == "# Hi" and art["kind"] == "markdown"
        api.dispatch("artifacts.update", {"id": art["id"], "content": "# Hi again"})
        hist = api.dispatch("versions.list", {"artifact_id": art["id"]})
        assert [v["seq"] for v in hist] == [2, 1]
        restored = api.dispatch("versions.restore", {"version_id": hist[1]["id"]})
        assert restored["text"] == "# Hi" and restored["version_count"] == 3
        tree = api.dispatch("tree.list")
        assert tree["folders"] == ["/n"] and len(tree["artifacts"]) == 1
        assert api.dispatch("artifacts.delete", {"id": art["id"]}) == {"trashed": 1}
        [item] = api.dispatch("trash.list")
        assert api.dispatch("trash.restore", {"id": item["id"]})["restored"] == 1
        page = api.dispatch("activity.list", {"limit": 2})
        assert len(page["items"]) == 2 and page["next"]
        json.dumps(api.dispatch("storage.stats"))
        json.dumps(api.dispatch("workspace.info"))
    finally:
        api.close_workspace()


def test_binary_params_accept_bytes_like_values(tmp_path):
    _open(tmp_path)
    try:
        art = api.dispatch("artifacts.upload",
                           {"path": "/b.bin", "data": memoryview(b"\x00\x01\x02")})
        assert api.dispatch("artifacts.download", {"id": art["id"]})["data"] == b"\x00\x01\x02"
        big = api.dispatch("artifacts.upload",
                           {"path": "/big.bin", "data": bytearray(INLINE_LIMIT + 1)})
        assert big["pending_upload"] is True
    finally:
        api.close_workspace()


def test_error_codes(tmp_path):
    _open(tmp_path)
    try:
        assert _code("no.such.method") == "unknown_method"
        assert _code(42) == "unknown_method"
        assert _code("artifacts.get", {"id": "missing"}) == "not_found"
        assert _code("artifacts.get", {}) == "invalid_params"
        assert _code("artifacts.get", {"id": 5}) == "invalid_params"
        assert _code("artifacts.get", {"id": "x", "extra": 1}) == "invalid_params"
        assert _code("artifacts.get", ["not", "a", "dict"]) == "invalid_params"
        assert _code("artifacts.create", {"path": "../etc"}) == "invalid_path"
        api.dispatch("artifacts.create", {"path": "/a.md"})
        assert _code("artifacts.create", {"path": "/a.md"}) == "conflict"
        assert _code("versions.list", {"artifact_id": "x", "limit": 0}) == "invalid_params"
        assert _code("activity.list", {"before": "nonsense"}) == "invalid_params"
        assert _code("citations.record", {"source_artifact_id": "x", "citing_run_id": "r",
                                          "weight": 2}) == "invalid_params"
        assert _code("tasks.list", {"status": "DONE"}) == "invalid_params"
        assert _code("transfer.validate", {"data": b"not a database"}) == "invalid_import"
    finally:
        api.close_workspace()


def test_unexpected_exceptions_are_wrapped_as_internal(tmp_path):
    ws = _open(tmp_path)
    original = api.METHODS["workspace.info"]

    def explode(ws, q):
        raise ZeroDivisionError("oops")

    api.METHODS["workspace.info"] = api.Method(api.p.NoParams, explode, original.result)
    try:
        with pytest.raises(errors.InternalError) as info:
            api.dispatch("workspace.info")
        assert info.value.code == "internal"
        assert info.value.details == {"type": "ZeroDivisionError"}
        assert isinstance(info.value.__cause__, ZeroDivisionError)
        assert ws.commits == 0
    finally:
        api.METHODS["workspace.info"] = original
        api.close_workspace()


def test_commits_count_only_writes_that_changed_rows(tmp_path):
    persisted = []
    ws = _open(tmp_path, on_commit=[lambda w: persisted.append(w.commits)])
    try:
        created = api.dispatch("artifacts.create", {"path": "/x.md", "content": "x"})
        api.dispatch("tree.list")
        api.dispatch("artifacts.update", {"id": created["id"], "content": "x"})  # unchanged
        with pytest.raises(errors.Conflict):
            api.dispatch("artifacts.create", {"path": "/x.md"})
        assert persisted == [1] and ws.commits == 1
    finally:
        api.close_workspace()


def test_tasks_and_citations_through_the_api(tmp_path):
    _open(tmp_path)
    try:
        art = api.dispatch("artifacts.create", {"path": "/s.md", "content": "s"})
        task = api.dispatch("tasks.enqueue", {"task_type": "cite", "input": {"a": art["id"]}})
        claimed = api.dispatch("tasks.claim", {})
        assert claimed["id"] == task["id"] and claimed["status"] == "RUNNING"
        cit = api.dispatch("citations.record", {"source_artifact_id": art["id"],
                                                "citing_run_id": task["id"], "weight": 0.5})
        assert api.dispatch("citations.list_by_run", {"citing_run_id": task["id"]}) == [cit]
        assert api.dispatch("citations.list_by_source",
                            {"source_artifact_id": art["id"]}) == [cit]
        done = api.dispatch("tasks.complete", {"id": task["id"], "output": {"ok": True}})
        assert done["status"] == "COMPLETED"
        assert api.dispatch("tasks.list", {"status": "COMPLETED"}) == [done]
        assert api.dispatch("tasks.claim") is None
    finally:
        api.close_workspace()


def test_export_and_reimport_through_the_api(tmp_path):
    _open(tmp_path)
    try:
        api.dispatch("artifacts.create", {"path": "/keep.md", "content": "keep"})
        exported = api.dispatch("transfer.export")
        assert exported["name"].startswith("workspace-") and exported["name"].endswith(".sqlite")
        assert exported["data"][:16] == b"SQLite format 3\x00"
        checked = api.dispatch("transfer.validate", {"data": exported["data"]})
        assert checked["ok"] is True and checked["summary"]["tables"]["artifacts"] == 1
        api.dispatch("artifacts.create", {"path": "/later.md", "content": "later"})
        result = api.dispatch("transfer.import", {"data": exported["data"], "mode": "replace"})
        assert result["mode"] == "replace" and result["backup"][:6] == b"SQLite"
        paths = [a["path"] for a in api.dispatch("tree.list")["artifacts"]]
        assert paths == ["/keep.md"]
    finally:
        api.close_workspace()
