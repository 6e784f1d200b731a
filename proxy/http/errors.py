"""One JSON error shape for every HTTP response: {"error": {"code", "message"}}."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

disconnect_log = logging.getLogger("quire.disconnect")

# Auth failures never say why: the same message whether the token is forged, expired or unknown.
GENERIC_AUTH_MESSAGE = "could not validate credentials"


class ApiError(Exception):
    """A domain error that becomes an HTTP response at the edge."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", GENERIC_AUTH_MESSAGE)


def error_response(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


async def handle_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message)


_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "invalid_request", 429: "rate_limited",
}


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))


def incomplete_body() -> JSONResponse:
    """What a client that stopped sending its body mid-way gets (if it still listens at all)."""
    return error_response(400, "incomplete_body", "the request body ended early", headers={"Connection": "close"})


def log_disconnect(method: object, path: object) -> None:
    # A client going away is its own business, not a server error: one short line, no traceback.
    disconnect_log.info("client disconnected before sending its whole request: %s %s", method, path)


async def handle_client_disconnect(request: Request, exc: Exception) -> JSONResponse:
    log_disconnect(request.method, request.url.path)
    return incomplete_body()


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    return error_response(500, "internal_error", "internal error")


EXCEPTION_HANDLERS = {
    ApiError: handle_api_error,
    HTTPException: handle_http_exception,
    ClientDisconnect: handle_client_disconnect,
    Exception: handle_unexpected,
}
