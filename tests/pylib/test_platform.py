"""The CPython platform: known-answer crypto, fetch against a real local HTTP server,
channels, conversions, the file store. (The Pyodide platform runs the same checks in
tests/pyodide/test_platform_in_pyodide.py and in Chromium, tests/e2e/test_platform_browser.py.)
"""

import sys
from pathlib import Path

import pytest

from pylib import platform
from pylib.platform.cpython import CPythonPlatform, FileStore

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules next to this file

from aio import run as run_async  # noqa: E402
from echo_server import echo_server  # noqa: E402
from platform_vectors import EXPECTED, FETCH_EXPECTED, compute  # noqa: E402

pytestmark = pytest.mark.skipif(
    platform.IN_BROWSER, reason="async checks of the Pyodide platform: tests/pyodide")


def test_the_platform_is_chosen_once_for_this_host():
    assert isinstance(platform.current, CPythonPlatform) and platform.current.name == "cpython"


def test_known_answers_channels_and_fetch():
    with echo_server() as url:
        got = run_async(compute(CPythonPlatform(), url))
    assert got.pop("fetch") == FETCH_EXPECTED
    assert got == EXPECTED


def test_aes_inputs_are_checked_like_webcrypto():
    pl = CPythonPlatform()
    with pytest.raises(ValueError):
        run_async(pl.aes_gcm_encrypt(bytes(15), bytes(12), b"x"))
    with pytest.raises(ValueError):
        run_async(pl.aes_gcm_encrypt(bytes(16), bytes(8), b"x"))


def test_conversions_make_plain_data():
    pl = CPythonPlatform()
    value = {"a": memoryview(b"\x01"), "b": [bytearray(b"\x02"), (1, "x")], "c": None}
    assert pl.to_py(value) == {"a": b"\x01", "b": [b"\x02", [1, "x"]], "c": None}
    assert pl.to_js({"d": b"\x03"}) == {"d": b"\x03"}


def test_the_file_store_saves_only_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIRE_DATA_DIR", str(tmp_path))
    path = CPythonPlatform().workspace_path("w")
    assert path == str(tmp_path / "w" / "workspace.sqlite")
    store = FileStore(path)
    assert run_async(store.restore()) == 0
    assert run_async(store.flush(1)) is None  # no file yet: nothing to save
    with open(path, "wb") as fh:
        fh.write(b"x" * 4096)
    saved = run_async(store.flush(1))
    assert saved["generation"] == 1 and saved["bytes"] == 4096
    assert run_async(store.flush(1)) is None
    run_async(store.close())
    with pytest.raises(Exception) as info:
        run_async(store.flush(1))
    assert info.value.code == "closed"


def test_checks_run_while_this_thread_already_runs_an_event_loop():
    """As in the full suite, where Playwright's sync API keeps a loop running in the main thread
    (the loop here runs in a thread of its own, so this test is the same in either case)."""
    import asyncio
    import threading

    async def seven():
        return 7

    async def inside_a_running_loop():
        return run_async(seven())

    got = []
    thread = threading.Thread(target=lambda: got.append(asyncio.run(inside_a_running_loop())))
    thread.start()
    thread.join(10)
    assert got == [7]


@pytest.mark.parametrize("bad", ["released view", "host buffer of text"])
def test_a_device_file_that_fails_to_write_leaves_no_part_file(tmp_path, bad):
    """Any failure while a file is written (not only the disk's) removes its temporary file,
    and the copy already kept under that name stays as it was."""
    from pylib.platform.cpython import DirectoryFiles

    files, name = DirectoryFiles(tmp_path / "files"), "a" * 64
    run_async(files.put(name, b"kept"))
    if bad == "released view":
        data = memoryview(bytearray(b"new bytes"))
        data.release()
        expected = ValueError
    else:
        class HostBuffer:  # what Pyodide hands over: converted with to_bytes()
            def to_bytes(self):
                return "not bytes"
        data, expected = HostBuffer(), TypeError
    with pytest.raises(expected):
        run_async(files.put(name, data))
    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == [name]
    assert run_async(files.get(name)) == b"kept"
