"""The engine's own test suite, run again inside real Pyodide (Node) with the browser's wheels.

The run itself happens in the background beside tests/pylib (see conftest.py); this test
reads its result."""

import re

import pytest


@pytest.mark.timeout(600)
def test_pylib_suite_passes_inside_pyodide(pyodide_suite) -> None:
    code, output, seconds = pyodide_suite.result()
    assert code == 0, output[-6000:]
    assert "Python 3.14" in output or "pyodide 314" in output
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) >= 20, output[-3000:]
    print(f"the engine suite ran {seconds:.0f} s in Pyodide: {output[-400:]}")
