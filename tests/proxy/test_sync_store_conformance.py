"""One suite, two stores: the memory store the property tests use answers exactly like the
real thing — the proxy's presign routes in a live server in front of real SeaweedFS — for
every operation sync relies on (conditional writes, conditional reads, listing, deletion)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pylib.sync.errors import PreconditionFailed
from pylib.sync.proxystore import ProxyStore
from pylib.sync.store import MemoryStore, NotModified, etag_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402
from live_server import running  # noqa: E402


@pytest.fixture(scope="module")
def proxy_url(weed, tmp_path_factory):
    from proxy.settings import Settings
    from proxy.storage.service import S3Service
    from starlette.applications import Starlette
    from starlette.middleware import Middleware

    from proxy.http.errors import EXCEPTION_HANDLERS
    from proxy.storage import routes as s3_routes
    from tests.proxy.conftest import HeaderUserMiddleware

    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("data"),
                        environment="development", **weed.endpoint.settings_update())
    app = Starlette(routes=s3_routes.routes(), middleware=[Middleware(HeaderUserMiddleware)],
                    exception_handlers=EXCEPTION_HANDLERS)
    app.state.settings, app.state.s3 = settings, S3Service.from_settings(settings)
    with running(app, settings) as url:
        yield url


@pytest.fixture(params=["memory", "proxy"])
def store(request, new_uid):
    if request.param == "memory":
        return MemoryStore()
    return ProxyStore(request.getfixturevalue("proxy_url"), {"x-test-user": new_uid("sync")})


async def _outcome(call):
    try:
        result = await call
    except PreconditionFailed:
        return "412"
    except NotModified:
        return "304"
    return result


def test_conditional_writes_and_reads(store):
    async def scenario():
        seen = [await store.get("sync/manifest")]
        first = await store.put("sync/manifest", b"one", create_only=True)
        seen += [first, await _outcome(store.put("sync/manifest", b"two", create_only=True))]
        seen += [await _outcome(store.put("sync/manifest", b"two", if_match=etag_of(b"x")))]
        second = await store.put("sync/manifest", b"two", if_match=first)
        seen += [second, await _outcome(store.put("sync/manifest", b"3", if_match=first))]
        seen += [await _outcome(store.get("sync/manifest", if_none_match=second))]
        got = await store.get("sync/manifest", if_none_match=first)
        seen += [(got.body, got.etag)]
        seen += [await _outcome(store.put("sync/absent", b"x", if_match=first))]
        return seen

    assert run(scenario()) == [
        None, etag_of(b"one"), "412", "412", etag_of(b"two"), "412", "304",
        (b"two", etag_of(b"two")), "412"]


def test_listing_deleting_and_large_bodies(store):
    big = bytes(range(256)) * 4096  # 1 MiB

    async def scenario():
        for key in ("sync/segments/b/0000000002", "sync/segments/a/0000000001", "other/x"):
            await store.put(key, b"k" + key.encode(), create_only=True)
        await store.put("sync/big", big, create_only=True)
        listed = await store.list("sync/segments/")
        await store.delete("sync/segments/a/0000000001")
        await store.delete("sync/segments/a/0000000001")  # already gone: no error
        after = await store.list("sync/")
        got = await store.get("sync/big")
        return listed, after, got.body == big, await store.get("sync/segments/a/0000000001")

    listed, after, same, gone = run(scenario())
    assert listed == [("sync/segments/a/0000000001", 27), ("sync/segments/b/0000000002", 27)]
    assert after == [("sync/big", len(big)), ("sync/segments/b/0000000002", 27)]
    assert same and gone is None
