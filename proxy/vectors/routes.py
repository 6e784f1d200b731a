"""Vector routes: upsert, query, delete and a summary, each confined to the signed-in user's points.

The request models (proxy.vectors.models) are the allow-list; the store adds the user scope.
"""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from proxy.http.bodies import read_model
from proxy.http.errors import ApiError
from proxy.http.openapi import document
from proxy.auth.principal import require_user
from proxy.vectors.base import NewPoint, VectorStore, VectorStoreError
from proxy.vectors.models import (
    HARD_MAX_BATCH, HARD_MAX_LIMIT, DeleteRequest, Deleted, QueryRequest, Results, Summary, Upserted, UpsertRequest,
)


def _store(request: Request) -> VectorStore:
    return request.app.state.vectors


def _limits(request: Request) -> tuple[int, int]:
    settings = getattr(request.app.state, "settings", None)
    batch = min(getattr(settings, "vector_max_batch", 256), HARD_MAX_BATCH)
    limit = min(getattr(settings, "vector_max_limit", 100), HARD_MAX_LIMIT)
    return batch, limit


async def _call(request: Request, function, *args, inline: bool = False):
    """Call the store; its failures, and a remote engine that misses its deadline, become a 503."""
    try:
        if inline:
            return function(*args)
        settings = getattr(request.app.state, "settings", None)
        deadline = getattr(settings, "qdrant_timeout_seconds", 10) + 1  # the client's own timeout fires first
        return await asyncio.wait_for(run_in_threadpool(function, *args), deadline)
    except (VectorStoreError, TimeoutError):
        raise ApiError(503, "vector_store_unavailable", "search is unavailable, try again later") from None


@document("Insert or replace your points", request=UpsertRequest, response=Upserted, errors=(400, 413, 415, 422, 503))
async def upsert(request: Request) -> JSONResponse:
    user = require_user(request)
    body = await read_model(request, UpsertRequest)
    max_batch, _ = _limits(request)
    if len(body.points) > max_batch:
        raise ApiError(413, "batch_too_large", f"send at most {max_batch} points per request")
    points = [NewPoint(p.id, p.vector, p.payload.model_dump()) for p in body.points]
    written = await _call(request, _store(request).upsert, user.uid, points)
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
    hits = await _call(request, store.query, user.uid, body.vector, where, limit,
                       inline=getattr(store, "in_process", False))
    return JSONResponse({"results": [{"id": h.id, "score": h.score, "payload": h.payload} for h in hits]})


@document("Delete your points by id, by artifact, or all of them", request=DeleteRequest, response=Deleted,
          errors=(400, 413, 415, 422, 503))
async def delete(request: Request) -> JSONResponse:
    user = require_user(request)
    body = await read_model(request, DeleteRequest)
    store = _store(request)
    if body.ids is not None:
        max_batch, _ = _limits(request)
        if len(body.ids) > max_batch:
            raise ApiError(413, "batch_too_large", f"send at most {max_batch} ids per request")
        await _call(request, store.delete_ids, user.uid, list(dict.fromkeys(body.ids)))
    elif body.all:
        await _call(request, store.delete_user, user.uid)
    else:
        await _call(request, store.delete_artifact, user.uid, body.artifact_id)
    return JSONResponse({"deleted": True})


@document("How many points you hold", response=Summary, errors=(503,))
async def summary(request: Request) -> JSONResponse:
    user = require_user(request)
    return JSONResponse({"points": await _call(request, _store(request).count, user.uid)})


def routes() -> list[BaseRoute]:
    """The vector API. Every handler reads the user from require_user."""
    return [
        Route("/api/vectors/upsert", upsert, methods=["POST"], name="vectors_upsert"),
        Route("/api/vectors/query", query, methods=["POST"], name="vectors_query"),
        Route("/api/vectors/delete", delete, methods=["POST"], name="vectors_delete"),
        Route("/api/vectors/summary", summary, methods=["GET"], name="vectors_summary"),
    ]
