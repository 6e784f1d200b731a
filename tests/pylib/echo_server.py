"""A real HTTP server on 127.0.0.1 for the platform's fetch checks (CPython only).

``GET /hello`` → text; ``POST /echo`` → JSON describing the request; anything else → 404.
Responses allow any origin, so Pyodide's fetch under Node reads them like a browser would.
"""

from __future__ import annotations

import hashlib
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator


class _Handler(BaseHTTPRequestHandler):
    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == "/hello":
            self._send(200, b"hello from the echo server", "text/plain; charset=utf-8")
        else:
            self._send(404, b"no such page", "text/plain; charset=utf-8")

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reply = {"method": "POST", "path": self.path, "check": self.headers.get("X-Quire-Check"),
                 "length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        self._send(200, json.dumps(reply).encode(), "application/json")

    def log_message(self, *args) -> None:
        pass


@contextmanager
def echo_server() -> Iterator[str]:
    """Serve on a free port; yields the base URL, stops the server afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
