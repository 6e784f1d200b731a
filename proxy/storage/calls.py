"""What every S3 route shares: the service, the 503, and calling S3 under a deadline."""

from __future__ import annotations

import asyncio
import sqlite3

from botocore.exceptions import BotoCoreError, ClientError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from proxy.http.errors import ApiError
from proxy.storage.service import S3Service, StorageUnavailable


def service_of(request: Request) -> S3Service:
    return request.app.state.s3


def unavailable() -> ApiError:
    return ApiError(503, "storage_unavailable", "storage is unavailable, try again later")


async def call_s3(service: S3Service, function, *args):
    """Run a service call in the thread pool under a deadline; S3 failures become the 503.

    botocore's own timeouts bound each attempt; the deadline here bounds the whole call (a
    listing is several requests), so no request waits on S3 for longer than this.
    """
    settings = service.settings
    deadline = settings.s3_timeout_seconds * settings.s3_max_attempts
    try:
        return await asyncio.wait_for(run_in_threadpool(function, *args), deadline)
    except (BotoCoreError, ClientError, StorageUnavailable, TimeoutError, sqlite3.OperationalError):
        raise unavailable() from None


