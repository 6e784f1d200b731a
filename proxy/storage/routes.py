"""The S3 HTTP routes: presign, list and usage, each for the signed-in user only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from proxy.http.bodies import read_model, validate
from proxy.http.openapi import document
from proxy.auth.principal import require_user
from proxy.storage.models import ListQuery, ObjectPage, PresignRequest, PresignResponse, Usage
from proxy.storage import multipart_routes
from proxy.storage.calls import call_s3, service_of, unavailable
from proxy.storage.service import StorageUnavailable


@document("Presign one S3 operation on one of your objects", request=PresignRequest, response=PresignResponse,
          errors=(400, 413, 415, 422, 503))
async def presign(request: Request) -> JSONResponse:
    user = require_user(request)
    body = await read_model(request, PresignRequest)
    service = service_of(request)
    if body.op == "put" and service.grants is not None:
        result = await call_s3(service, service.presign, user.uid, body)
    else:
        try:
            result = service.presign(user.uid, body)  # pure signing, no I/O
        except StorageUnavailable:
            raise unavailable() from None
    return JSONResponse(result.model_dump())


@document("List your objects (keys relative to your folder), one page at a time", response=ObjectPage,
          errors=(400, 422, 503), query={"prefix": {"type": "string"}, "cursor": {"type": "string"},
                                         "limit": {"type": "integer", "minimum": 1, "maximum": 1000}})
async def list_objects(request: Request) -> JSONResponse:
    user = require_user(request)
    query = validate(ListQuery, dict(request.query_params))
    service = service_of(request)
    return JSONResponse(await call_s3(service, service.list_objects, user.uid, query.prefix, query.cursor, query.limit))


@document("Bytes and objects you store, and your quota", response=Usage, errors=(503,))
async def usage(request: Request) -> JSONResponse:
    user = require_user(request)
    service = service_of(request)
    return JSONResponse(await call_s3(service, service.usage, user.uid))


def routes() -> list[BaseRoute]:
    """The S3 API: presign, list, usage and multipart. Every handler reads the user from require_user."""
    return [
        Route("/api/s3/presign", presign, methods=["POST"], name="s3_presign"),
        Route("/api/s3/objects", list_objects, methods=["GET"], name="s3_objects"),
        Route("/api/s3/usage", usage, methods=["GET"], name="s3_usage"),
        *multipart_routes.routes(),
    ]
