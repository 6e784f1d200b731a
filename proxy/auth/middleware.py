"""The auth middleware: who is calling, and whether a state-changing request may ride on it.

It sets `scope["user"]` from exactly one source: the `Authorization` header when present (a
`quire token` or an OIDC JWT), otherwise the session cookie. Routes read the result with
`proxy.auth.principal.require_user`. Every state-changing request that is not authenticated by a
bearer header must come from the app's own page (origin.py); the sign-in and sign-out forms
are refused with a page of their own, everything else with the JSON 403.
"""

from __future__ import annotations

from starlette.authentication import UnauthenticatedUser
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from proxy.auth.service import AuthService
from proxy.http.errors import error_response

# Form posts whose routes answer a refused origin with a page a person can read.
FORM_PATHS = frozenset({"/signin", "/signout"})
CROSS_SITE_MESSAGE = "this request did not come from the app's own page"


class AuthMiddleware:
    """Resolves the caller and refuses cross-site writes that would use their session."""

    def __init__(self, app: ASGIApp, auth: AuthService) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        authorization = headers.get("authorization")
        user, session_id = None, None
        if authorization is not None:
            user = await self.auth.bearer(authorization)
        else:
            raw = self.auth.session_cookie(headers)
            user = self.auth.session_user(raw) if raw else None
            session_id = raw if user is not None else None
        scope["user"] = user if user is not None else UnauthenticatedUser()
        scope["quire.session_id"] = session_id
        scope["quire.bearer"] = authorization is not None
        # A bearer header is never attached by a browser on its own, so it needs no origin proof.
        same_origin = authorization is not None or self.auth.origins.allows(
            scope["method"], headers, cookie=session_id is not None)
        scope["quire.same_origin"] = same_origin
        if not same_origin and scope["path"] not in FORM_PATHS:
            response = error_response(403, "csrf_failed", CROSS_SITE_MESSAGE)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def session_id_of(scope: Scope) -> str | None:
    """The raw session id the request came with, if it was authenticated by cookie."""
    return scope.get("quire.session_id")


def came_from_app(scope: Scope) -> bool:
    """Whether the middleware judged this request to come from the app's own page."""
    return bool(scope.get("quire.same_origin"))


def presented_bearer(scope: Scope) -> bool:
    return bool(scope.get("quire.bearer"))
