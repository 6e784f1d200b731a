"""The engine's S3 client's fault handling against the real proxy and SeaweedFS: a refusal is
not retried, an unavailable store is retried with backoff, an expired URL is signed again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, live_server, make_quire_app, make_quire_settings, quire_app,
    quire_settings,
)
from pylib.errors import StorageError
from pylib.platform.cpython import CPythonPlatform
from pylib.s3client import Retry, S3Client, Signed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Spoiled(S3Client):
    """Hands out URLs with a broken signature the first ``spoil`` times (an expired URL)."""

    def __init__(self, *args, spoil: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.spoil, self.signed = spoil, 0

    async def presign(self, op, key, **fields) -> Signed:
        signed = await super().presign(op, key, **fields)
        self.signed += 1
        if self.signed <= self.spoil:
            return Signed(signed.url.replace("X-Amz-Signature=", "X-Amz-Signature=00"), signed.method, signed.headers)
        return signed


def test_not_signed_in_is_refused_at_once(quire_app, live_server):
    sleeps = Sleeps()
    client = S3Client(CPythonPlatform(), live_server(quire_app), retry=Retry(sleep=sleeps))
    with pytest.raises(StorageError) as refused:
        run(client.put("blobs/a", b"x"))
    assert refused.value.code == "not_signed_in" and sleeps.delays == []


def test_an_unavailable_store_is_retried_with_backoff(quire_app, live_server, monkeypatch):
    account, sleeps = add_user(quire_app, "dora"), Sleeps()
    monkeypatch.setattr(quire_app.state.s3, "available", lambda: False)
    client = S3Client(CPythonPlatform(), live_server(quire_app), headers=bearer(quire_app, account),
                      retry=Retry(attempts=4, backoff=0.5, sleep=sleeps))
    with pytest.raises(StorageError) as down:
        run(client.put("blobs/a", b"x"))
    assert down.value.code == "unavailable" and sleeps.delays == [0.5, 1.0, 2.0]


def test_an_expired_url_is_signed_again_once(quire_app, live_server, s3_service):
    account = add_user(quire_app, "erin")
    base, headers = live_server(quire_app), bearer(quire_app, account)
    once = Spoiled(CPythonPlatform(), base, headers=headers, spoil=1)
    assert run(once.put("blobs/a", b"body")).created
    assert run(once.get("blobs/a")) == b"body" and once.signed == 3
    always = Spoiled(CPythonPlatform(), base, headers=headers, spoil=10)
    with pytest.raises(StorageError) as refused:
        run(always.get("blobs/a"))
    assert refused.value.code == "forbidden" and always.signed == 2
