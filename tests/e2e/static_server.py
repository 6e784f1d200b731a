"""A static server for browser pages, run in this process: folders mounted at paths, served by
the proxy's own static-file class (MIME types, cache headers) behind the proxy's isolation
headers (COOP/COEP, which SharedArrayBuffer and the Pyodide worker need), on 127.0.0.1 and a
free port, in a thread of its own.

The browser tests (`e2e_helpers.pages_server`) and the browser benchmarks
(`bench/browser_harness.bench_server`) both serve their pages with it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_app(mounts: dict[str, Path], extra_routes: list | None = None):
    """A Starlette app serving each folder of `mounts` at its path ("/tests": folder, ...;
    give "/" last), after `extra_routes`, with the proxy's isolation headers on every answer."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Mount

    from proxy.http.isolation import IsolationHeadersMiddleware
    from proxy.http.static import WebFiles

    routes = [*(extra_routes or []), *(Mount(path, app=WebFiles(folder)) for path, folder in mounts.items())]
    return Starlette(routes=routes, middleware=[Middleware(IsolationHeadersMiddleware)])


@contextmanager
def serve_in_thread(app, name: str = "static server", start_timeout: float = 20) -> Iterator[str]:
    """Serve the ASGI `app` with uvicorn on 127.0.0.1 in a daemon thread; yields its URL
    (no trailing slash) once it listens, and stops it on exit. Another process may take the
    free port before uvicorn binds it: then a new one is picked."""
    for _ in range(3):
        server, thread = _start(app, name, start_timeout)
        if server is not None:
            break
    else:
        raise RuntimeError(f"the {name} did not start")
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _start(app, name: str, timeout: float):
    """(server, thread) once listening; (None, None) when its thread ended first (a port taken)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning",
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            return None, None
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the {name} did not start within {timeout} s")
        time.sleep(0.05)
    return server, thread
