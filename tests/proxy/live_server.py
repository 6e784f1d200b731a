"""A real uvicorn, configured exactly as `quire serve` configures it, in a thread on a free port.

`running(app, settings)` yields the base URL and stops the server after the block. Tests that
need what only a socket shows (disconnects, slow clients, deadlines) use it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette

from proxy.serve import uvicorn_config
from proxy.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running(app: Starlette, settings: Settings, **extra) -> Iterator[str]:
    port = free_port()
    config = uvicorn_config(app, settings.model_copy(update={"host": "127.0.0.1", "port": port}),
                            lifespan="off", **extra)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def connect(base_url: str, timeout: float = 10.0) -> socket.socket:
    host, port = base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed its end (EOF or reset), False if it is still open."""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except (TimeoutError, BlockingIOError):
        return False
