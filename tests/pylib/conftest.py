"""Fixtures shared by the engine's tests."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from pylib.sync.store import MemoryStore


@pytest.fixture
def devices(tmp_path) -> Iterator[list[Any]]:
    """Three simulated devices, each with its own workspace file, sharing one memory store."""
    # Imported here: under --import-mode=importlib (the Pyodide runner) this folder is on
    # sys.path only once a test module of it has been imported.
    from sync_devices import make_devices

    made = make_devices(tmp_path, MemoryStore(), 3)
    yield made
    for device in made:
        device.close()
