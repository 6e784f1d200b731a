"""The Pyodide platform's JS conversions and the envelope with real JS values.

Runs inside Pyodide (``node tests/pyodide/run_pytest.mjs``); in CPython there is no JS, and
test_platform.py covers the CPython twin.
"""

import pytest

from pylib import platform, rpc

pytestmark = pytest.mark.skipif(not platform.IN_BROWSER, reason="needs Pyodide's JS runtime")


def _js(expr):
    import js

    return js.eval(f"({expr})")


def test_js_values_become_plain_python():
    pl = platform.current
    value = _js('{id: 7, method: "artifacts.upload", params: {path: "/a.bin",'
                ' data: new Uint8Array([0, 1, 255]), list: [1, "x", null],'
                ' buf: new Uint8Array([9]).buffer, nested: {deep: [new Uint8Array([5])]}}}')
    got = pl.to_py(value)
    assert got == {"id": 7, "method": "artifacts.upload", "params": {
        "path": "/a.bin", "data": b"\x00\x01\xff", "list": [1, "x", None], "buf": b"\x09",
        "nested": {"deep": [b"\x05"]}}}


def test_python_values_become_plain_js():
    import js

    pl = platform.current
    out = pl.to_js({"ok": True, "result": {"data": b"\x01\x02", "items": [{"a": 1}]}})
    assert js.Object.prototype.toString.call(out) == "[object Object]"  # not a Map
    assert js.JSON.stringify(out.result.items) == '[{"a":1}]'
    assert out.result.data.constructor.name == "Uint8Array" and out.result.data.length == 2
    assert pl.to_py(out) == {"ok": True, "result": {"data": b"\x01\x02", "items": [{"a": 1}]}}


class _DiskHost(type(platform.current)):
    """The Pyodide platform with the CPython file store: calls that never wait on JS."""

    def __init__(self, root):
        self.root = root

    def workspace_path(self, workspace="default"):
        return str(self.root / "workspace.sqlite")

    async def open_store(self, workspace, path, **options):
        from pylib.platform.cpython import FileStore

        return FileStore(path)


def _run(coro):
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the coroutine waited on something")


def test_the_envelope_between_js_values(tmp_path):
    server = rpc.Server(_DiskHost(tmp_path))
    _run(server.open("w"))
    try:
        created = _run(server.call_js(_js(
            '{id: 1, method: "artifacts.upload", params: {path: "/b.bin",'
            ' data: new Uint8Array([1, 2, 3])}}')))
        assert created.ok is True and created.id == 1 and created.result.size_bytes == 3
        assert created.saved.generation >= 2
        down = _run(server.call_js(_js(
            f'{{id: 2, method: "artifacts.download", params: {{id: "{created.result.id}"}}}}')))
        assert down.result.data.constructor.name == "Uint8Array"
        assert bytes(down.result.data.to_py()) == b"\x01\x02\x03"
        bad = _run(server.call_js(_js('{id: 3, method: "artifacts.get", params: {id: 5}}')))
        assert bad.ok is False and bad.error.code == "invalid_params"
        assert bad.error.details.problems[0].field == "id"
        listed = _run(server.call_js(_js('{id: 4, method: "tree.list", params: {}}')))
        assert "/b.bin" in listed.result_json
    finally:
        _run(server.close())
