"""Structured request logs: one JSON line per request on stderr, with nothing secret in it.

Logged: time, request id, method, path (never the query string: it can carry a one-time login
token), status, duration, client address and the uid of the caller. Never logged: headers,
cookies, tokens, bodies. An unexpected exception becomes the JSON 500 here (so it still gets
the isolation headers and a log line) and its traceback is logged; a client that disconnects
mid-request is logged in one INFO line, never as an error.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
import time

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from proxy.http.errors import error_response, incomplete_body, log_disconnect

access_log = logging.getLogger("quire.access")
error_log = logging.getLogger("quire.error")


class JsonFormatter(logging.Formatter):
    """Access records are already JSON; other records are wrapped into one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == access_log.name:
            return record.getMessage()
        entry = {"time": round(record.created, 3), "level": record.levelname.lower(),
                 "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: int = logging.INFO) -> None:
    """Send Quire's logs to stderr as JSON lines (called by the CLI, not at import)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("quire", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = secrets.token_hex(8)
        status = 0

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        except ClientDisconnect:
            # Raised outside the routes (a middleware reading the body): still not a server error.
            log_disconnect(scope.get("method"), scope.get("path"))
            if not status:
                status = 400
                await incomplete_body()(scope, receive, send_logged)
        except Exception:
            error_log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if status:
                raise  # the response has started; the server closes the connection
            status = 500
            await error_response(500, "internal_error", "internal error")(scope, receive, send_logged)
        finally:
            self._log(scope, status, start, request_id)

    @staticmethod
    def _log(scope: Scope, status: int, start: float, request_id: str) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        user = scope.get("user")
        client = scope.get("client")
        access_log.info(json.dumps({
            "time": round(time.time(), 3),
            "request_id": request_id,
            "method": scope.get("method"),
            "path": scope.get("path"),
            "status": status,
            "duration_ms": round((time.perf_counter() - start) * 1000, 2),
            "client": client[0] if client else None,
            "uid": getattr(user, "uid", None),
        }))
