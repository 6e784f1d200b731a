"""The multipart routes: start, sign a part, list parts, complete, abort (the user's own only)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from proxy.auth.principal import require_user
from proxy.http.bodies import read_model
from proxy.http.errors import ApiError
from proxy.http.openapi import document
from proxy.storage.models import PresignResponse
from proxy.storage.multipart import Multipart
from proxy.storage.calls import call_s3, service_of, unavailable


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    key: str = Field(max_length=4096)


class StartRequest(_Body):
    size: int = Field(ge=1)
    part_size: int = Field(ge=1)


class UploadRequest(_Body):
    upload_id: str = Field(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9._~-]+$")


class PartRequest(UploadRequest):
    part_number: int = Field(ge=1, le=10_000)
    sha256: str | None = Field(None, max_length=64, description="hex or base64 SHA-256 of the part")


class StartResponse(BaseModel):
    upload_id: str
    parts: int
    part_size: int


class PartInfo(BaseModel):
    part_number: int
    size: int
    etag: str


class PartsResponse(BaseModel):
    parts: list[PartInfo]
    size: int
    part_size: int


class CompleteResponse(BaseModel):
    etag: str | None
    created: bool


def _multipart(request: Request) -> Multipart:
    service = service_of(request)
    if service is None:
        raise unavailable()
    cached = getattr(request.app.state, "multipart", None)
    if cached is None or cached.service is not service:
        cached = request.app.state.multipart = Multipart(service, service.settings.data_dir)
    return cached


async def _run(request: Request, model: type[BaseModel], method: str):
    user = require_user(request)
    body = await read_model(request, model)
    multipart = _multipart(request)
    fields = body.model_dump()
    return await call_s3(multipart.service, getattr(multipart, method), user.uid, *fields.values())


@document("Start a multipart upload of one of your objects (the quota is reserved for its size)",
          request=StartRequest, response=StartResponse, errors=(400, 413, 422, 503))
async def start(request: Request) -> JSONResponse:
    return JSONResponse(await _run(request, StartRequest, "start"))


@document("Presign one part of your multipart upload, for exactly that part's length",
          request=PartRequest, response=PresignResponse, errors=(400, 404, 422, 503))
async def part(request: Request) -> JSONResponse:
    return JSONResponse((await _run(request, PartRequest, "sign_part")).model_dump())


@document("The parts S3 holds for your multipart upload", request=UploadRequest, response=PartsResponse,
          errors=(400, 404, 422, 503))
async def parts(request: Request) -> JSONResponse:
    return JSONResponse(await _run(request, UploadRequest, "parts"))


@document("Complete your multipart upload once every part is stored (create-only)",
          request=UploadRequest, response=CompleteResponse, errors=(400, 404, 409, 422, 503))
async def complete(request: Request) -> JSONResponse:
    return JSONResponse(await _run(request, UploadRequest, "complete"))


@document("Abort your multipart upload and drop its parts", request=UploadRequest, errors=(400, 404, 422, 503))
async def abort(request: Request) -> JSONResponse:
    return JSONResponse(await _run(request, UploadRequest, "abort"))


def routes() -> list[BaseRoute]:
    """The multipart API; every handler reads the user from require_user."""
    return [
        Route("/api/s3/multipart/start", start, methods=["POST"], name="s3_multipart_start"),
        Route("/api/s3/multipart/part", part, methods=["POST"], name="s3_multipart_part"),
        Route("/api/s3/multipart/parts", parts, methods=["POST"], name="s3_multipart_parts"),
        Route("/api/s3/multipart/complete", complete, methods=["POST"], name="s3_multipart_complete"),
        Route("/api/s3/multipart/abort", abort, methods=["POST"], name="s3_multipart_abort"),
    ]
