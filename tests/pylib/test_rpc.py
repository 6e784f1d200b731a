"""pylib.rpc: the one envelope, coded errors with details, saving before the reply.

The Server tests run on the CPython platform (its store is the file on disk, fsync'd) in
CPython and inside Pyodide alike: its coroutines never wait on anything, so ``run`` drives
them to the end without an event loop (Pyodide's loop is already running under pytest).
"""

import json

import pytest

from pylib import api, errors, rpc
from pylib.platform.cpython import CPythonPlatform


def run(coro):
    """Drive a coroutine that never suspends; fail loudly if it does."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise AssertionError("the coroutine waited on something")


class Here(CPythonPlatform):
    """The CPython platform with its data directory in the test's tmp_path."""

    def __init__(self, root):
        self.root = root

    def workspace_path(self, workspace="default"):
        return str(self.root / workspace / "workspace.sqlite")


@pytest.fixture()
def server(tmp_path):
    srv = rpc.Server(Here(tmp_path))
    steps = []
    opened = run(srv.open("w", progress=lambda *step: steps.append(step[0])))
    assert steps == ["restore", "migrate"]
    assert opened["schema_version"] >= 1 and opened["restored_bytes"] == 0
    assert opened["saved"]["generation"] == 1  # the new, migrated file is durable at once
    yield srv
    run(srv.close())


def test_success_envelopes(server):
    created = run(server.call({"id": 1, "method": "artifacts.create",
                               "params": {"path": "/n/a.md", "content": "# A"}}))
    assert created["id"] == 1 and created["ok"] is True
    assert created["result"]["text"] == "# A"
    assert created["saved"]["generation"] == 2 and "save_error" not in created
    listed = run(server.call({"id": "t", "method": "tree.list"}))
    assert set(listed) == {"id", "ok", "result_json"}  # a read saves nothing
    assert json.loads(listed["result_json"]) == api.dispatch("tree.list")


def test_errors_carry_code_message_and_details(server):
    bad = run(server.call({"id": 2, "method": "artifacts.get", "params": {"id": 5}}))
    assert bad["ok"] is False and bad["id"] == 2 and set(bad) == {"id", "ok", "error"}
    assert bad["error"]["code"] == "invalid_params"
    assert bad["error"]["details"]["problems"][0]["field"] == "id"
    missing = run(server.call({"id": 3, "method": "trash.restore", "params": {"id": "nope"}}))
    assert missing["error"]["code"] == "not_found" and isinstance(missing["error"]["details"], dict)
    unknown = run(server.call({"id": 4, "method": "no.such"}))
    assert unknown["error"] == {"code": "unknown_method", "message": "Unknown method 'no.such'.",
                                "details": {}}
    for message in ({"id": 5}, "nonsense", None, {"id": 6, "method": "tree.list", "params": []}):
        reply = run(server.call(message))
        assert reply["ok"] is False and reply["error"]["code"] == "invalid_params", message


def test_a_non_quire_error_becomes_internal_with_details(server):
    original = api.METHODS["workspace.info"]

    def explode(ws, q):
        raise KeyError("boom")

    api.METHODS["workspace.info"] = api.Method(api.p.NoParams, explode, original.result)
    try:
        reply = run(server.call({"id": 7, "method": "workspace.info"}))
    finally:
        api.METHODS["workspace.info"] = original
    assert reply["ok"] is False and reply["error"]["code"] == "internal"
    assert reply["error"]["details"] == {"type": "KeyError"}
    assert "boom" in reply["error"]["message"]
    # error_body maps any exception, and keeps details JSON-compatible.
    body = rpc.error_body(errors.Conflict("taken", hash=b"\x00", at={1, 2}))
    assert body["code"] == "conflict" and json.dumps(body)
    assert rpc.error_body(MemoryError())["details"] == {"type": "MemoryError"}


def test_a_save_error_follows_a_committed_change(server):
    run(server.store.close())  # another owner took over: nothing may be written from here
    reply = run(server.call({"id": 8, "method": "folders.create", "params": {"path": "/f"}}))
    assert reply["ok"] is True and reply["result"] == {"path": "/f"}
    assert reply["save_error"]["code"] == "closed" and "saved" not in reply
    assert reply["save_error"]["details"] == {}


class FullDisk(Here):
    """A store that refuses its first save, as a browser with no room left does."""

    async def open_store(self, workspace, path, **options):
        store = await super().open_store(workspace, path, **options)
        real, refused = store.flush, []

        async def flush(schema_version):
            if not refused:
                refused.append(schema_version)
                raise errors.QuotaExceeded()
            return await real(schema_version)

        store.flush = flush
        return store


def test_a_refused_first_save_still_opens_the_workspace(tmp_path):
    srv = rpc.Server(FullDisk(tmp_path))
    opened = run(srv.open("w"))
    assert opened["saved"] is None and opened["save_error"]["code"] == "quota_exceeded"
    created = run(srv.call({"id": 1, "method": "artifacts.create",
                            "params": {"path": "/kept.md", "content": "kept"}}))
    assert created["ok"] is True and created["saved"] and "save_error" not in created
    run(srv.close())
    again = rpc.Server(Here(tmp_path))
    run(again.open("w"))
    paths = [a["path"] for a in api.dispatch("tree.list")["artifacts"]]
    assert paths == ["/kept.md"]
    run(again.close())


def test_calls_before_the_workspace_is_open_are_refused(tmp_path):
    reply = run(rpc.Server(Here(tmp_path)).call({"id": 1, "method": "tree.list"}))
    assert reply == {"id": 1, "ok": False, "error": {
        "code": "not_ready", "message": "The workspace is still opening.", "details": {}}}
    api.close_workspace()
    assert rpc.answer({"id": 2, "method": "tree.list"})["error"]["code"] == "no_workspace"


def test_host_values_in_and_out(server):
    reply = run(server.call_js({"id": 9, "method": "artifacts.upload",
                                "params": {"path": "/b.bin", "data": memoryview(b"\x00\x01")}}))
    assert reply["ok"] is True and reply["result"]["size_bytes"] == 2
    down = run(server.call_js({"id": 10, "method": "artifacts.download",
                               "params": {"id": reply["result"]["id"]}}))
    assert down["result"]["data"] == b"\x00\x01"


def test_reopening_restores_and_close_reports(tmp_path):
    srv = rpc.Server(Here(tmp_path))
    run(srv.open("w"))
    run(srv.call({"id": 1, "method": "artifacts.create", "params": {"path": "/k.md"}}))
    assert run(srv.close()) == {"closed": True, "save_error": None}
    again = rpc.Server(Here(tmp_path))
    opened = run(again.open("w"))
    assert opened["restored_bytes"] > 0
    paths = [a["path"] for a in run(again.call({"id": 2, "method": "tree.list"}))
             and api.dispatch("tree.list")["artifacts"]]
    assert paths == ["/k.md"]
    run(again.close())
