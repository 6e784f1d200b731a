"""The engine's suite inside Pyodide (test_engine_in_pyodide.py) runs in a Node process of its
own, on one core, for about two minutes. So that the whole run does not wait for it, it starts
in the background as soon as CPython's own engine tests (tests/pylib, one core, no browser)
begin, and the test collects its result when pytest reaches it. Run alone (or with tests/pylib
deselected), the test starts it itself. A run that ends early stops it by its PID. With several
workers (pytest-xdist, as `make test` runs) no worker knows which one will get the test, and the
others already keep the cores busy: the test starts it itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE_TEST = "test_engine_in_pyodide.py::test_pylib_suite_passes_inside_pyodide"
# The tests it may run beside: pure CPython, one core, no timing that another process can upset.
BESIDE = ROOT / "tests" / "pylib"
TIMEOUT_S = 580


class PyodideSuite:
    """`node tests/pyodide/run_pytest.mjs tests/pylib`, started once, its output in a file."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.output = tempfile.TemporaryFile(mode="w+", prefix="quire-pyodide-suite-")

    def start(self) -> None:
        if self.process is not None:
            return
        node = shutil.which("node")
        assert node, "Node.js is needed to run Pyodide outside the browser"
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            [node, str(ROOT / "tests" / "pyodide" / "run_pytest.mjs"), "tests/pylib"],
            cwd=ROOT, stdout=self.output, stderr=subprocess.STDOUT, text=True)

    def result(self) -> tuple[int, str, float]:
        """(exit code, output, seconds it ran); starts it first if nothing has."""
        self.start()
        try:
            self.process.wait(timeout=max(1.0, TIMEOUT_S - (time.monotonic() - self.started_at)))
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"the engine suite in Pyodide did not finish in {TIMEOUT_S} s:\n{self.read()[-6000:]}")
        return self.process.returncode, self.read(), time.monotonic() - self.started_at

    def read(self) -> str:
        self.output.seek(0)
        return self.output.read()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


SUITE = pytest.StashKey[PyodideSuite]()


def pytest_collection_finish(session: pytest.Session) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if any(item.nodeid.endswith(ENGINE_TEST) for item in session.items):
        session.config.stash[SUITE] = PyodideSuite()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    suite = item.config.stash.get(SUITE, None)
    if suite is not None and suite.process is None and BESIDE in Path(item.path).parents:
        suite.start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    suite = session.config.stash.get(SUITE, None)
    if suite is not None:
        suite.stop()


@pytest.fixture()
def pyodide_suite(request: pytest.FixtureRequest) -> PyodideSuite:
    """The background run of the engine suite in Pyodide (started now if it has not been)."""
    return request.config.stash.get(SUITE, None) or PyodideSuite()
