"""Vector routes: upsert, query and delete, each confined to the signed-in user's points.

The request models are the allow-list: exactly 384 finite floats, a fixed set of payload fields
with size limits, and a small filter grammar (must/should/must_not over match/range conditions
on artifact_id, path and chunk; bounded depth and size). Anything else is a 4xx before the
store is touched. The store (proxy.vectorstore) adds the user scope. Retrieve-by-id, recommend,
lookups, shard keys and collection management are deliberately absent.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from proxy.bodies import read_model
from proxy.errors import ApiError
from proxy.openapi import document
from proxy.auth.principal import require_user
from proxy.vectorstore import DIMENSION, Clause, Match, NewPoint, Range, VectorStore, VectorStoreError

MAX_FILTER_DEPTH = 3
MAX_FILTER_CONDITIONS = 32
HARD_MAX_BATCH = 1024  # the settings may lower these, never raise them past this
HARD_MAX_LIMIT = 1000


# Lone surrogates (from JSON "\\ud800" escapes) need no check here: pydantic refuses them in str.
def _identifier(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters")
    return value


def _nonzero(vector: list[float]) -> list[float]:
    # Cosine distance divides by the norm: a zero (or vanishing) vector has no direction.
    # hypot is one C call; a Python loop over 384 floats costs more than the engine's query.
    if math.hypot(*vector) < 1e-6:
        raise ValueError("vector must not be zero")
    return vector


Component = Annotated[float, Field(allow_inf_nan=False, ge=-1e6, le=1e6)]
Vector = Annotated[list[Component], Field(min_length=DIMENSION, max_length=DIMENSION), AfterValidator(_nonzero)]
ClientId = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_identifier)]
ArtifactId = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_identifier)]
Scalar = Union[Annotated[str, Field(max_length=1024)],
               Annotated[int, Field(ge=-(2**53), le=2**53)]]
Bound = Annotated[float, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Payload(_Strict):
    artifact_id: ArtifactId
    path: Annotated[str, Field(max_length=1024)] = ""
    content_preview: Annotated[str, Field(max_length=2000)] = ""
    chunk: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class PointIn(_Strict):
    id: ClientId
    vector: Vector
    payload: Payload


class MatchValueIn(_Strict):
    value: Scalar


class MatchAnyIn(_Strict):
    any: Annotated[list[Scalar], Field(min_length=1, max_length=64)]


class RangeIn(_Strict):
    gt: Bound | None = None
    gte: Bound | None = None
    lt: Bound | None = None
    lte: Bound | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> "RangeIn":
        if all(getattr(self, name) is None for name in ("gt", "gte", "lt", "lte")):
            raise ValueError("range needs at least one of gt, gte, lt, lte")
        return self


class FieldConditionIn(_Strict):
    """A condition on one allow-listed payload key (never user_id)."""

    key: Literal["artifact_id", "path", "chunk"]
    match: MatchValueIn | MatchAnyIn | None = None
    range: RangeIn | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "FieldConditionIn":
        if (self.match is None) == (self.range is None):
            raise ValueError("a condition has exactly one of match or range")
        return self

    def to_condition(self) -> Match | Range:
        if self.range is not None:
            return Range(self.key, gt=self.range.gt, gte=self.range.gte, lt=self.range.lt, lte=self.range.lte)
        if isinstance(self.match, MatchAnyIn):
            return Match(self.key, any=tuple(self.match.any))
        return Match(self.key, value=self.match.value)


ConditionList = Annotated[list[Union[FieldConditionIn, "FilterIn"]], Field(min_length=1, max_length=16)]


class FilterIn(_Strict):
    """A client filter. The server always wraps it: must: [user_id == uid, <this filter>]."""

    must: ConditionList | None = None
    should: ConditionList | None = None
    must_not: ConditionList | None = None

    def _children(self) -> list:
        return [*(self.must or ()), *(self.should or ()), *(self.must_not or ())]

    def _measure(self) -> tuple[int, int]:
        depth, count = 1, 0
        for child in self._children():
            if isinstance(child, FilterIn):
                child_depth, child_count = child._measure()
                depth, count = max(depth, child_depth + 1), count + child_count
            else:
                count += 1
        return depth, count

    @model_validator(mode="after")
    def _bounded(self) -> "FilterIn":
        if not self._children():
            raise ValueError("a filter needs at least one of must, should, must_not")
        depth, count = self._measure()
        if depth > MAX_FILTER_DEPTH:
            raise ValueError(f"filters nest at most {MAX_FILTER_DEPTH} levels")
        if count > MAX_FILTER_CONDITIONS:
            raise ValueError(f"filters hold at most {MAX_FILTER_CONDITIONS} conditions")
        return self

    def to_clause(self) -> Clause:
        def convert(items: list | None) -> tuple:
            return tuple(item.to_clause() if isinstance(item, FilterIn) else item.to_condition() for item in items or ())
        return Clause(must=convert(self.must), should=convert(self.should), must_not=convert(self.must_not))


class UpsertRequest(_Strict):
    points: Annotated[list[PointIn], Field(min_length=1, max_length=HARD_MAX_BATCH)]

    @model_validator(mode="after")
    def _unique_ids(self) -> "UpsertRequest":
        if len({point.id for point in self.points}) != len(self.points):
            raise ValueError("point ids must be unique within a request")
        return self


class QueryRequest(_Strict):
    vector: Vector
    filter: FilterIn | None = None
    limit: Annotated[int, Field(ge=1, le=HARD_MAX_LIMIT)] = 10


class DeleteRequest(_Strict):
    ids: Annotated[list[ClientId], Field(min_length=1, max_length=HARD_MAX_BATCH)] | None = None
    artifact_id: ArtifactId | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "DeleteRequest":
        if (self.ids is None) == (self.artifact_id is None):
            raise ValueError("give exactly one of ids or artifact_id")
        return self


class Upserted(BaseModel):
    upserted: int


class Result(BaseModel):
    id: str
    score: float
    payload: dict


class Results(BaseModel):
    results: list[Result]


class Deleted(BaseModel):
    deleted: bool


# --- HTTP routes ----------------------------------------------------------------------------

def _store(request: Request) -> VectorStore:
    return request.app.state.vectors


def _limits(request: Request) -> tuple[int, int]:
    settings = getattr(request.app.state, "settings", None)
    batch = min(getattr(settings, "vector_max_batch", 256), HARD_MAX_BATCH)
    limit = min(getattr(settings, "vector_max_limit", 100), HARD_MAX_LIMIT)
    return batch, limit


async def _call(function, *args, inline: bool = False):
    try:
        if inline:
            return function(*args)
        return await run_in_threadpool(function, *args)
    except VectorStoreError:
        raise ApiError(503, "vector_store_unavailable", "search is unavailable, try again later") from None


@document("Insert or replace your points", request=UpsertRequest, response=Upserted, errors=(400, 413, 415, 422, 503))
async def upsert(request: Request) -> JSONResponse:
    user = require_user(request)
    body = await read_model(request, UpsertRequest)
    max_batch, _ = _limits(request)
    if len(body.points) > max_batch:
        raise ApiError(413, "batch_too_large", f"send at most {max_batch} points per request")
    points = [NewPoint(p.id, p.vector, p.payload.model_dump()) for p in body.points]
    written = await _call(_store(request).upsert, user.uid, points)
    return JSONResponse({"upserted": written})


@document("Your nearest points to a vector, optionally filtered", request=QueryRequest, response=Results,
          errors=(400, 415, 422, 503))
async def query(request: Request) -> JSONResponse:
    user = require_user(request)
    body = await read_model(request, QueryRequest)
    _, max_limit = _limits(request)
    limit = body.limit if "limit" in body.model_fields_set else min(body.limit, max_limit)
    if limit > max_limit:
        raise ApiError(422, "invalid_request", f"limit: at most {max_limit}")
    where = body.filter.to_clause() if body.filter else None
    store = _store(request)
    # An in-process engine answers a bounded query in well under a millisecond: handing it to a
    # worker thread would cost more than the query. A remote engine waits on the network.
    hits = await _call(store.query, user.uid, body.vector, where, limit,
                       inline=getattr(store, "in_process", False))
    return JSONResponse({"results": [{"id": h.id, "score": h.score, "payload": h.payload} for h in hits]})


@document("Delete your points by id or by artifact", request=DeleteRequest, response=Deleted,
          errors=(400, 413, 415, 422, 503))
async def delete(request: Request) -> JSONResponse:
    user = require_user(request)
    body = await read_model(request, DeleteRequest)
    store = _store(request)
    if body.ids is not None:
        max_batch, _ = _limits(request)
        if len(body.ids) > max_batch:
            raise ApiError(413, "batch_too_large", f"send at most {max_batch} ids per request")
        await _call(store.delete_ids, user.uid, list(dict.fromkeys(body.ids)))
    else:
        await _call(store.delete_artifact, user.uid, body.artifact_id)
    return JSONResponse({"deleted": True})


def routes() -> list[BaseRoute]:
    """The vector API. Every handler reads the user from require_user."""
    return [
        Route("/api/vectors/upsert", upsert, methods=["POST"], name="vectors_upsert"),
        Route("/api/vectors/query", query, methods=["POST"], name="vectors_query"),
        Route("/api/vectors/delete", delete, methods=["POST"], name="vectors_delete"),
    ]
