"""Limits on slow and idle clients, as uvicorn settings plus one deadline uvicorn lacks.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`), caps the size of a request
head (`h11_max_incomplete_event_size`, h11 only) and answers 503 beyond `limit_concurrency`,
but it has no deadline for receiving a request: a client that connects and sends nothing, or
a header line every few seconds, or half a body, holds its connection (and a file descriptor)
forever; and its httptools protocol (the faster one, chosen by default) has no limit on the
size of a request head. The protocols below add both: the request head must arrive within
`client_timeout` of the connection opening (or of the previous response) and within
MAX_REQUEST_HEAD_BYTES, and a body may not pause for longer than the deadline. Time the app
spends on a request is not counted.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from proxy.settings import Settings

MAX_REQUEST_HEAD_BYTES = 16 * 1024
DEFAULT_CLIENT_TIMEOUT = 10.0

_BODY = json.dumps({"error": {"code": "header_too_large", "message": "request head is too large"}}).encode()
HEAD_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
                  b"connection: close\r\ncontent-length: %d\r\n\r\n" % len(_BODY)) + _BODY


class ClientDeadline:
    """Mixin for a uvicorn HTTP protocol: close the connection when the client stalls or its
    request head grows past MAX_REQUEST_HEAD_BYTES."""

    _deadline: asyncio.TimerHandle | None = None
    _deadline_seconds: float = DEFAULT_CLIENT_TIMEOUT
    _head_bytes = 0
    _head_tail = b""

    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)  # type: ignore[call-arg]
        self._deadline_seconds = getattr(config, "client_timeout", DEFAULT_CLIENT_TIMEOUT)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        self._arm_deadline()

    def data_received(self, data: bytes) -> None:
        before = self.cycle  # type: ignore[attr-defined]
        if before is None or before.response_complete:
            # Waiting for a request head: count its bytes before the parser buffers them. The
            # head ends at the first blank line (which may straddle two reads); a body sent
            # along with it is not counted.
            window = self._head_tail + data
            end = window.find(b"\r\n\r\n")
            counted = len(data) if end < 0 else max(0, end + 4 - len(self._head_tail))
            if self._head_bytes + counted > MAX_REQUEST_HEAD_BYTES:
                self._refuse_head()
                return
            self._head_bytes += counted
            self._head_tail = window[-3:]
        super().data_received(data)  # type: ignore[misc]
        cycle = self.cycle  # type: ignore[attr-defined]
        if cycle is not before:
            self._head_bytes, self._head_tail = 0, b""  # a new request head was parsed
        if cycle is None or cycle.response_complete:
            return  # still waiting for a request head: the deadline armed earlier stands
        if cycle.more_body:
            self._arm_deadline()  # a body is arriving: it may not pause for longer than the deadline
        else:
            self._cancel_deadline()  # the request is in; the app's time is its own

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self._arm_deadline()  # the next request head, if any, must come in time too

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)  # type: ignore[misc]

    def _refuse_head(self) -> None:
        transport = self.transport  # type: ignore[attr-defined]
        if not transport.is_closing():
            transport.write(HEAD_TOO_LARGE)
            transport.close()

    def _arm_deadline(self) -> None:
        self._cancel_deadline()
        self._deadline = self.loop.call_later(self._deadline_seconds, self._deadline_passed)  # type: ignore[attr-defined]

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _deadline_passed(self) -> None:
        self._deadline = None
        cycle = self.cycle  # type: ignore[attr-defined]
        if self.flow.read_paused:  # type: ignore[attr-defined]
            self._arm_deadline()  # the app holds back the body, not the client
            return
        if cycle is not None and not cycle.response_complete and not cycle.more_body:
            return  # a request is being answered
        transport = self.transport  # type: ignore[attr-defined]
        if not transport.is_closing():
            transport.close()


class DeadlineH11Protocol(ClientDeadline, H11Protocol):
    """uvicorn's h11 protocol with the client deadline."""


class DeadlineHttpToolsProtocol(ClientDeadline, HttpToolsProtocol):
    """uvicorn's httptools protocol with the client deadline."""


PROTOCOLS = {"h11": DeadlineH11Protocol, "httptools": DeadlineHttpToolsProtocol, "auto": DeadlineHttpToolsProtocol}


def server_limits(settings: Settings, http: str = "auto") -> dict[str, Any]:
    """uvicorn.Config arguments for these settings (apply `client_timeout` with `apply_deadline`)."""
    return {
        "http": PROTOCOLS[http],
        "timeout_keep_alive": settings.keep_alive_timeout_seconds,
        "limit_concurrency": settings.max_connections,
        "h11_max_incomplete_event_size": MAX_REQUEST_HEAD_BYTES,
    }


def apply_deadline(config: Any, settings: Settings) -> Any:
    """Record the client deadline on a uvicorn.Config (pickled to worker processes with it)."""
    config.client_timeout = settings.client_timeout_seconds
    return config
