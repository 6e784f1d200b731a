"""Reading JSON request bodies into pydantic models, with 4xx errors that never echo input."""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from proxy.http.errors import ApiError

M = TypeVar("M", bound=BaseModel)


def describe(error: ValidationError) -> str:
    """Where and what, without the offending values (they may be passwords)."""
    parts = []
    for item in error.errors(include_input=False, include_url=False)[:5]:
        where = ".".join(str(p) for p in item.get("loc", ())) or "body"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts)


def validate(model: type[M], data: object) -> M:
    """`data` (a decoded body, query parameters) as `model`, or a 422 that names fields, not values."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, "invalid_request", describe(error)) from None


async def read_model(request: Request, model: type[M]) -> M:
    """The body as `model`: 415 unless JSON, 400 if malformed, 422 if it does not validate."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    raw = await request.body()
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "the body is not valid JSON") from None
    return validate(model, data)


def _refuse_constant(name: str) -> float:
    # Python's json accepts NaN and Infinity; JSON does not.
    raise ValueError(f"{name} is not JSON")
