"""Run order for the whole suite.

`make test` spreads the test files over two workers (pytest-xdist, `--dist loadfile
--no-loadscope-reorder`), which take files in collection order. The few files that run for
minutes (the engine suite inside Pyodide, the browser tests) go first and the thousands of short
engine and server tests last, so that both workers finish at about the same time instead of one
waiting on a long file at the end.
Run in one process, the order is pytest's own (the Pyodide suite then runs beside tests/pylib:
tests/pyodide/conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FIRST = ["pyodide", "e2e", "relevance", "web", "proxy", "pylib"]


def _rank(item: pytest.Item) -> int:
    try:
        top = Path(item.path).relative_to(TESTS).parts[0]
    except ValueError:
        return len(FIRST)
    return FIRST.index(top) if top in FIRST else len(FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=_rank)  # stable: each folder keeps its own order
