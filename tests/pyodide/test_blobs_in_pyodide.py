"""The blob format inside real Pyodide under Node (WebCrypto) gives exactly CPython's bytes
and refusals: the same names, the same ciphertext, the same tampering refused."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "pylib"))

from aio import run as run_async  # noqa: E402
from blob_vectors import compute  # noqa: E402

from pylib.platform.cpython import CPythonPlatform  # noqa: E402


@pytest.mark.timeout(300)
def test_pyodide_blob_format_matches_cpython():
    node = shutil.which("node")
    assert node, "Node.js is needed to run Pyodide outside the browser"
    run = subprocess.run([node, str(ROOT / "tests" / "pyodide" / "run_blobs.mjs")],
                         cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stderr[-4000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    native = run_async(compute(CPythonPlatform()))
    assert report["platform"] == "pyodide"
    assert report["results"] == native
    assert native["round_trip"] is True and native["unwrap"] == [True, "wrong_secret"]
    assert native["refused"] == {"flip": "blob_corrupt:altered", "swap": "blob_corrupt:altered",
                                 "drop_last": "blob_corrupt:truncated", "other_key": "blob_corrupt:wrong_key"}
    assert native["assembly"]["short_last"].startswith("blob_corrupt: truncated: The stored copy is incomplete")
