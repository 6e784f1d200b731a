"""The S3 HTTP routes: presign, list and usage, each for the signed-in user only."""

from __future__ import annotations

import asyncio
import sqlite3

from botocore.exceptions import BotoCoreError, ClientError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from proxy.http.bodies import read_model, validate
from proxy.http.errors import ApiError
from proxy.http.openapi import document
from proxy.auth.principal import require_user
from proxy.storage.models import ListQuery, ObjectPage, PresignRequest, PresignResponse, Usage
from proxy.storage.service import S3Service, StorageUnavailable


def _service(request: Request) -> S3Service:
    return request.app.state.s3


def _unavailable() -> ApiError:
    return ApiError(503, "storage_unavailable", "storage is unavailable, try again later")


async def _call(service: S3Service, function, *args):
    """Run a service call in the thread pool under a deadline; S3 failures become the 503.

    botocore's own timeouts bound each attempt; the deadline here bounds the whole call (a
    listing is several requests), so no request waits on S3 for longer than this.
    """
    settings = service.settings
    deadline = settings.s3_timeout_seconds * settings.s3_max_attempts
    try:
        return await asyncio.wait_for(run_in_threadpool(function, *args), deadline)
    except (BotoCoreError, ClientError, StorageUnavailable, TimeoutError, sqlite3.OperationalError):
        raise _unavailable() from None


@document("Presign one S3 operation on one of your objects", request=PresignRequest, response=PresignResponse,
          errors=(400, 413, 415, 422, 503))
async def presign(request: Request) -> JSONResponse:
    user = require_user(request)
    body = await read_model(request, PresignRequest)
    service = _service(request)
    if body.op == "put" and service.grants is not None:
        result = await _call(service, service.presign, user.uid, body)
    else:
        try:
            result = service.presign(user.uid, body)  # pure signing, no I/O
        except StorageUnavailable:
            raise _unavailable() from None
    return JSONResponse(result.model_dump())


@document("List your objects (keys relative to your folder), one page at a time", response=ObjectPage,
          errors=(400, 422, 503), query={"prefix": {"type": "string"}, "cursor": {"type": "string"},
                                         "limit": {"type": "integer", "minimum": 1, "maximum": 1000}})
async def list_objects(request: Request) -> JSONResponse:
    user = require_user(request)
    query = validate(ListQuery, dict(request.query_params))
    service = _service(request)
    return JSONResponse(await _call(service, service.list_objects, user.uid, query.prefix, query.cursor, query.limit))


@document("Bytes and objects you store, and your quota", response=Usage, errors=(503,))
async def usage(request: Request) -> JSONResponse:
    user = require_user(request)
    service = _service(request)
    return JSONResponse(await _call(service, service.usage, user.uid))


def routes() -> list[BaseRoute]:
    """The S3 API: presign, list and usage. Every handler reads the user from require_user."""
    return [
        Route("/api/s3/presign", presign, methods=["POST"], name="s3_presign"),
        Route("/api/s3/objects", list_objects, methods=["GET"], name="s3_objects"),
        Route("/api/s3/usage", usage, methods=["GET"], name="s3_usage"),
    ]
