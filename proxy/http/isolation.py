"""Headers every response carries, API and errors included.

Cross-origin isolation (COOP + COEP) is what lets Pyodide workers use SharedArrayBuffer and
PyScript workers reach the DOM; CORP keeps our responses out of other sites' pages. The rest
are cheap hardening: no MIME sniffing, no framing, and no referrer to other origins (a one-time
login link must not leak). `same-origin`, not `no-referrer`: with `no-referrer` Chromium sends
`Origin: null` on the app's own form posts, and the cross-site check must then refuse them.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class IsolationHeadersMiddleware:
    """Adds HEADERS to every HTTP response start, unless a route set its own value."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
