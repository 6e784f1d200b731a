"""Fixtures shared by the engine's tests."""

from __future__ import annotations

from typing import Iterator

import pytest

from pylib.sync.store import MemoryStore

from sync_devices import Device, make_devices


@pytest.fixture
def devices(tmp_path) -> Iterator[list[Device]]:
    """Three simulated devices, each with its own workspace file, sharing one memory store."""
    made = make_devices(tmp_path, MemoryStore(), 3)
    yield made
    for device in made:
        device.close()
