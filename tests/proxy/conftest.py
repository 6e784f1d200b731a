"""Shared fixtures for the proxy tests: real SeaweedFS, real qdrant-edge, tiny apps.

Servers
- `weed` (session): one real `weed mini` (proxy.storage.seaweed.EmbeddedS3) on free loopback ports, with
  signature checking on and CORS for TEST_ORIGIN. Stopped by PID at the end of the session.
  Tests share its bucket and stay apart by using fresh user ids (the `new_uid` fixture).
  `app_origin` is the web origin its CORS rules allow.
- `s3_settings` / `make_settings(**overrides)`: Settings pointing at that server.
- `s3_service`: an S3Service for those settings.

Vectors
- `edge_store`: an EdgeStore in a fresh temp dir (closed after the test).
- `client_store`: a ClientStore on qdrant-client's in-memory local mode.
- `vector_store`: parametrized over both, so one test runs against each adapter.

Apps
- `make_app(s3=..., vectors=..., settings=...)`: a minimal Starlette app with the S3 and vector
  routes, the body size limit and a test-only authentication middleware: the header `X-Test-User: <uid>` signs in as
  that uid. Use it for route tests that do not need the real auth stack.
"""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from proxy.http.bodylimit import BodyLimitMiddleware
from proxy.http.errors import EXCEPTION_HANDLERS
from proxy.auth.principal import User
from proxy.storage.service import S3Service
from proxy.storage.seaweed import EmbeddedS3
from proxy.settings import Settings

TEST_ORIGIN = "http://127.0.0.1:8765"
TEST_USER_HEADER = "x-test-user"
_uids = itertools.count()


def _new_uid(label: str = "user") -> str:
    return f"{label}-{os.getpid()}-{next(_uids)}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def new_uid() -> Callable[..., str]:
    """`new_uid(label)` makes a user id no other test uses (the bucket outlives single tests)."""
    return _new_uid


@pytest.fixture(scope="session")
def app_origin() -> str:
    """The web origin the session's weed allows in CORS."""
    return TEST_ORIGIN


@pytest.fixture(scope="session")
def weed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedS3]:
    """A real `weed mini` for the whole test session (signature checking on)."""
    server = EmbeddedS3(tmp_path_factory.mktemp("weed"), TEST_ORIGIN)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_settings(weed: EmbeddedS3, tmp_path: Path) -> Callable[..., Settings]:
    """Build Settings for the session's weed, with any field overridden."""
    def build(**overrides) -> Settings:
        values = {"data_dir": tmp_path / "data", "environment": "development", **weed.endpoint.settings_update()}
        values.update(overrides)
        return Settings(_env_file=None, **values)
    return build


@pytest.fixture
def s3_settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def s3_service(s3_settings: Settings) -> S3Service:
    return S3Service.from_settings(s3_settings)


@pytest.fixture
def edge_store(tmp_path: Path):
    from proxy.vectors import EdgeStore

    store = EdgeStore(tmp_path / "qdrant")
    yield store
    store.close()


@pytest.fixture
def client_store():
    from proxy.vectors import ClientStore

    store = ClientStore(location=":memory:")
    yield store
    store.close()


@pytest.fixture(params=["edge", "client"])
def vector_store(request: pytest.FixtureRequest):
    """Each test using this runs once against qdrant-edge and once against qdrant-client."""
    return request.getfixturevalue(f"{request.param}_store")


class HeaderUserMiddleware:
    """Test-only authentication: `X-Test-User: <uid>` signs the request in as that uid."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name.decode("latin-1") == TEST_USER_HEADER:
                    uid = value.decode("latin-1")
                    scope["user"] = User(uid=uid, name=uid, via="token")
        await self.app(scope, receive, send)


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Starlette]:
    """A minimal app with the S3 and vector routes behind HeaderUserMiddleware."""
    def build(*, s3: S3Service | None = None, vectors=None, settings: Settings | None = None) -> Starlette:
        from proxy.storage import routes as s3_routes
        from proxy.vectors import routes as vector_routes

        settings = settings or (s3.settings if s3 else Settings(_env_file=None, data_dir=tmp_path))
        app = Starlette(routes=[*s3_routes.routes(), *vector_routes.routes()],
                        middleware=[Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
                                    Middleware(HeaderUserMiddleware)],
                        exception_handlers=EXCEPTION_HANDLERS)
        app.state.settings = settings
        app.state.s3 = s3
        app.state.vectors = vectors
        return app
    return build
