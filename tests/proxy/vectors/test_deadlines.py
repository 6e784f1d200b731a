"""A Qdrant server that accepts connections and never answers (stopped, or a black hole) costs a
call at most its deadline (QUIRE_QDRANT_TIMEOUT_SECONDS), then a VectorStoreError, which the
routes answer with a 503; it never hangs the proxy."""

from __future__ import annotations

import socket
import time

import pytest

from proxy.vectors import VectorStoreError
from proxy.vectors.client import ClientStore


@pytest.fixture
def black_hole():
    """A listening socket nobody ever reads from: the kernel completes the handshakes."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(128)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.mark.parametrize("timeout", [1, 2])
def test_a_silent_qdrant_fails_within_its_deadline(black_hole: str, timeout: int):
    started = time.monotonic()
    with pytest.raises(VectorStoreError):
        ClientStore(black_hole, None, timeout=timeout)
    assert time.monotonic() - started < timeout * 2 + 1
