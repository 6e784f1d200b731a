"""`create_app`: the proxy as plain data — a list of routes and a list of middleware.

Outermost first, every request passes: isolation headers (on every response, errors too),
the request log (which also turns an unexpected exception into the JSON 500), the body size
limit, and authentication (+ the cross-site check). Routes then read `request.app.state`: `settings`, `auth`,
`s3`, `vectors` and `web`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Receive, Scope, Send

from proxy.auth import routes as auth_routes
from proxy.auth import signin
from proxy import vectors as vectors_module
from proxy.auth.middleware import AuthMiddleware
from proxy.auth.service import AuthService
from proxy.http import health
from proxy.http.bodylimit import BodyLimitMiddleware
from proxy.http.errors import EXCEPTION_HANDLERS
from proxy.http.isolation import IsolationHeadersMiddleware
from proxy.http.logs import RequestLogMiddleware
from proxy.http.openapi import Operation, openapi_endpoint
from proxy.http.static import WebFiles
from proxy.settings import Settings
from proxy.storage import routes as storage_routes
from proxy.storage.service import S3Service
from proxy.vectors import routes as vector_routes


async def api_not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """Unknown /api/* paths answer a JSON 404 (not the page's files); a known path with the wrong
    method answers 405, as it would had this catch-all not matched first."""
    allowed: set[str] = set()
    outer = {**scope, "root_path": scope.get("app_root_path", "")}  # match as the router did, not the mount
    for route in scope["app"].router.routes:
        if isinstance(route, Route) and route.matches(outer)[0] == Match.PARTIAL:
            allowed |= route.methods or set()
    if allowed:
        raise HTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})
    raise HTTPException(404, "no such API route")


WebFiles.__openapi__ = Operation(  # type: ignore[attr-defined]
    summary="A file of the web app", auth=False, response_media="application/octet-stream", errors=(404, 405),
)


def service_routes() -> list[BaseRoute]:
    """The S3 and vector routes (each module exposes `routes()`)."""
    return [*storage_routes.routes(), *vector_routes.routes()]


def build_routes(web: WebFiles) -> list[BaseRoute]:
    return [
        *health.routes(),
        *auth_routes.routes(),
        *service_routes(),
        Route("/api/openapi.json", openapi_endpoint, methods=["GET"]),
        Mount("/api", app=api_not_found),
        *signin.routes(),
        Mount("/", app=web),
    ]


def create_app(settings: Settings, *, s3=None, vectors=None) -> Starlette:
    """The proxy for these settings. `s3` and `vectors` default to what the settings describe;
    stores passed in stay the caller's to close, stores built here close with the app."""
    auth = AuthService(settings)
    if s3 is None:
        s3 = S3Service.from_settings(settings)
    owned_vectors = None
    if vectors is None:
        vectors = owned_vectors = vectors_module.from_settings(settings)
    web = WebFiles(settings.web_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owned_vectors is not None:
                owned_vectors.close()
            auth.close()

    middleware = [
        Middleware(IsolationHeadersMiddleware),
        Middleware(RequestLogMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(AuthMiddleware, auth=auth),
    ]
    app = Starlette(routes=build_routes(web), middleware=middleware,
                    exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan)
    app.state.settings = settings
    app.state.auth = auth
    app.state.s3 = s3
    app.state.vectors = vectors
    app.state.web = web
    return app


def create_app_from_env() -> Starlette:
    """Factory for `uvicorn --factory` and multi-worker `quire serve`: settings from the environment."""
    return create_app(Settings())
