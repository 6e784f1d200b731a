"""Fixtures for the blob engine against the real proxy (live uvicorn) and real SeaweedFS.

- `remote`: a signed-in user of a live proxy: `(base_url, auth headers, uid)`.
- `make_blob_store(remote, data_key=None)`: a BlobStore on the CPython platform for that user.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from auth_fixtures import add_user, bearer
from pylib.blobs import BlobStore
from pylib.keys import derive_keys, new_data_key
from pylib.platform.cpython import CPythonPlatform
from pylib.s3client import Retry, S3Client


async def _no_wait(_seconds: float) -> None:
    return None


@pytest.fixture
def remote(quire_app, live_server):
    account = add_user(quire_app, "alice")
    return live_server(quire_app), bearer(quire_app, account), account.uid


@pytest.fixture
def make_blob_store() -> Callable[..., object]:
    async def build(remote, data_key: bytes | None = None) -> BlobStore:
        pl = CPythonPlatform()
        base_url, headers, _ = remote
        client = S3Client(pl, base_url, headers=headers, retry=Retry(attempts=3, sleep=_no_wait))
        # Parts of 2 segments (8 MiB), so multipart cases stay small.
        return BlobStore(pl, client, await derive_keys(pl, data_key or new_data_key(pl)), part_segments=2)
    return build
