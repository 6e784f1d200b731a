"""The Pyodide platform (WebCrypto, fetch, BroadcastChannel) inside real Pyodide under Node
gives exactly the CPython platform's results: the published test vectors, and the same
responses from the same real HTTP server."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "pylib"))

from aio import run as run_async  # noqa: E402
from echo_server import echo_server  # noqa: E402
from platform_vectors import EXPECTED, FETCH_EXPECTED, compute  # noqa: E402

from pylib.platform.cpython import CPythonPlatform  # noqa: E402


@pytest.mark.timeout(300)
def test_pyodide_platform_matches_cpython():
    node = shutil.which("node")
    assert node, "Node.js is needed to run Pyodide outside the browser"
    with echo_server() as url:
        run = subprocess.run([node, str(ROOT / "tests" / "pyodide" / "run_platform.mjs"), url],
                             cwd=ROOT, capture_output=True, text=True, timeout=280)
        assert run.returncode == 0, run.stderr[-4000:]
        native = run_async(compute(CPythonPlatform(), url))
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["platform"] == "pyodide"
    assert report["results"] == native
    assert report["results"]["fetch"] == FETCH_EXPECTED
    assert {k: v for k, v in report["results"].items() if k != "fetch"} == EXPECTED
