"""`/healthz` (the process answers) and `/readyz` (S3 and Qdrant answer too)."""

from __future__ import annotations

import asyncio
import inspect
import logging

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from proxy.http.errors import error_response
from proxy.http.openapi import document

CHECK_TIMEOUT_SECONDS = 5.0
log = logging.getLogger("quire.health")


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    checks: dict[str, bool]


async def _probe(check) -> bool:
    """Run one store's ready() (sync or async) with a timeout; any failure counts as not ready."""
    try:
        if inspect.iscoroutinefunction(check):
            result = await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
        else:
            result = await asyncio.wait_for(run_in_threadpool(check), CHECK_TIMEOUT_SECONDS)
    except Exception as error:  # a readiness probe reports failure, whatever its cause
        log.warning("readiness check failed: %s", type(error).__name__)
        return False
    return result is not False


@document("Liveness: the process is up", response=Health, auth=False)
async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@document("Readiness: S3 and Qdrant are reachable", response=Ready, auth=False, errors=(503,))
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    s3_ok, qdrant_ok = await asyncio.gather(_probe(state.s3.ready), _probe(state.vectors.ready))
    checks = {"s3": s3_ok, "qdrant": qdrant_ok}
    if all(checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    failing = ", ".join(name for name, ok in checks.items() if not ok)
    return error_response(503, "not_ready", f"not reachable: {failing}")


def routes() -> list[BaseRoute]:
    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
