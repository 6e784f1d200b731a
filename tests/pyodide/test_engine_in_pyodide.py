"""The engine's own test suite, run again inside real Pyodide (Node) with the browser's wheels."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(600)
def test_pylib_suite_passes_inside_pyodide() -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed to run Pyodide outside the browser"
    run = subprocess.run(
        [node, str(ROOT / "tests" / "pyodide" / "run_pytest.mjs"), "tests/pylib"],
        cwd=ROOT, capture_output=True, text=True, timeout=580,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert "Python 3.14" in output or "pyodide 314" in output
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) >= 20, output[-3000:]
    print(output[-400:])
