"""The S3 HTTP routes: presign, list and usage, each for the signed-in user only."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from proxy.http.bodies import read_model, validate
from proxy.http.errors import ApiError
from proxy.http.openapi import document
from proxy.principal import require_user
from proxy.storage.models import ListQuery, ObjectPage, PresignRequest, PresignResponse, Usage
from proxy.storage.service import S3Service


def _service(request: Request) -> S3Service:
    return request.app.state.s3


def _unavailable() -> ApiError:
    return ApiError(503, "storage_unavailable", "storage is unavailable, try again later")


@document("Presign one S3 operation on one of your objects", request=PresignRequest, response=PresignResponse,
          errors=(400, 413, 415, 422, 503))
async def presign(request: Request) -> JSONResponse:
    user = require_user(request)
    body = await read_model(request, PresignRequest)
    service = _service(request)
    try:
        if body.op == "put" and service.settings.user_quota_bytes is not None:
            result = await run_in_threadpool(service.presign, user.uid, body)
        else:
            result = service.presign(user.uid, body)  # pure signing, no I/O
    except (BotoCoreError, ClientError):
        raise _unavailable() from None
    return JSONResponse(result.model_dump())


@document("List your objects (keys relative to your folder), one page at a time", response=ObjectPage,
          errors=(400, 422, 503), query={"prefix": {"type": "string"}, "cursor": {"type": "string"},
                                         "limit": {"type": "integer", "minimum": 1, "maximum": 1000}})
async def list_objects(request: Request) -> JSONResponse:
    user = require_user(request)
    query = validate(ListQuery, dict(request.query_params))
    try:
        page = await run_in_threadpool(_service(request).list_objects, user.uid, query.prefix, query.cursor, query.limit)
    except (BotoCoreError, ClientError):
        raise _unavailable() from None
    return JSONResponse(page)


@document("Bytes and objects you store, and your quota", response=Usage, errors=(503,))
async def usage(request: Request) -> JSONResponse:
    user = require_user(request)
    try:
        return JSONResponse(await run_in_threadpool(_service(request).usage, user.uid))
    except (BotoCoreError, ClientError):
        raise _unavailable() from None


def routes() -> list[BaseRoute]:
    """The S3 API: presign, list and usage. Every handler reads the user from require_user."""
    return [
        Route("/api/s3/presign", presign, methods=["POST"], name="s3_presign"),
        Route("/api/s3/objects", list_objects, methods=["GET"], name="s3_objects"),
        Route("/api/s3/usage", usage, methods=["GET"], name="s3_usage"),
    ]
