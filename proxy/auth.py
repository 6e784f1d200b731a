"""Who is calling: the auth service (sessions, tokens, OIDC, sign-in) and its ASGI middleware.

The middleware sets `scope["user"]` from exactly one source: the `Authorization: Bearer`
header when present (a `quire token` or an OIDC JWT), otherwise the session cookie. It also
enforces CSRF on state-changing requests that ride on the cookie. Routes read the result with
`proxy.principal.require_user`.
"""

from __future__ import annotations

from dataclasses import dataclass
from starlette.authentication import UnauthenticatedUser
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from proxy import csrf
from proxy.accounts import Account, Accounts
from proxy.authdb import AuthDB
from proxy.http.errors import error_response, unauthorized
from proxy.oidc import JwksSource, OidcVerifier, looks_like_jwt
from proxy.principal import User
from proxy.ratelimit import LoginLimiter
from proxy.sessions import LoginLinks, Sessions
from proxy.settings import Settings
from proxy.tokens import Tokens

AUTH_DB_NAME = "auth.sqlite"
# Paths that start a session: they have no CSRF token yet and check Origin themselves.
CSRF_EXEMPT_PATHS = frozenset({"/api/auth/login", "/signin"})


@dataclass
class Credentials:
    user: User | None
    session_id: str | None = None  # the raw cookie value, when the user came from a session


class AuthService:
    """Everything the proxy knows about identity, built once per app from Settings."""

    def __init__(self, settings: Settings) -> None:
        if settings.secret_key is None:
            raise ValueError("QUIRE_SECRET_KEY is not set (quire serve generates one in development)")
        self.settings = settings
        self.secret = settings.secret_key.get_secret_value().encode("utf-8")
        self.db = AuthDB(settings.data_dir / AUTH_DB_NAME)
        self.accounts = Accounts(self.db)
        self.sessions = Sessions(self.db, settings.session_ttl_seconds)
        self.tokens = Tokens(self.db)
        self.login_links = LoginLinks(self.db, settings.login_link_ttl_seconds)
        self.limiter = LoginLimiter(self.db, settings.login_attempts_per_minute)
        self.oidc = self._oidc(settings)
        self.cookie_secure = bool(settings.public_url and settings.public_url.lower().startswith("https://"))
        # The __Host- prefix makes browsers refuse the cookie unless Secure, Path=/ and host-only.
        self.cookie_name = "__Host-quire_session" if self.cookie_secure else "quire_session"

    @staticmethod
    def _oidc(settings: Settings) -> OidcVerifier | None:
        if not settings.oidc_issuer:
            return None
        if not settings.oidc_audience:
            raise ValueError("QUIRE_OIDC_AUDIENCE is required with QUIRE_OIDC_ISSUER")
        jwks = JwksSource(file=settings.oidc_jwks_file, url=settings.oidc_jwks_url)
        return OidcVerifier(settings.oidc_issuer, settings.oidc_audience, settings.oidc_algorithms, jwks)

    def close(self) -> None:
        self.db.close()

    async def authenticate(self, headers: Headers) -> Credentials:
        authorization = headers.get("authorization")
        if authorization is not None:
            return Credentials(await self._bearer(authorization))
        raw = cookie_parser(headers.get("cookie", "")).get(self.cookie_name)
        if raw:
            user = self.sessions.resolve(raw)
            if user is not None:
                return Credentials(user, raw)
        return Credentials(None)

    async def _bearer(self, authorization: str) -> User | None:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        if looks_like_jwt(token):
            return await self.oidc.verify(token) if self.oidc else None
        return self.tokens.resolve(token)

    async def login(self, name: str, password: str, client_ip: str) -> tuple[Account, str]:
        """Check a name and password; returns the account and a new raw session id.

        Raises 429 (with Retry-After) while the address or the account is over the limit,
        and the generic 401 for any wrong name or password.
        """
        keys = self.limiter.keys(client_ip, name)
        wait = self.limiter.retry_after(keys)
        if wait is not None:
            raise HTTPException(429, "too many sign-in attempts; try again later", {"Retry-After": str(wait)})
        account = await run_in_threadpool(self.accounts.verify, name, password)
        if account is None:
            self.limiter.record_failure(keys)
            raise unauthorized()
        self.limiter.clear_account(name)
        return account, self.sessions.create(account.uid)

    def csrf_token(self, session_id: str) -> str:
        return csrf.csrf_token(self.secret, session_id)

    def expected_origin(self, scope: Scope) -> str | None:
        host = Headers(scope=scope).get("host")
        return csrf.expected_origin(self.settings.public_url, scope.get("scheme", "http"), host)

    def set_session_cookie(self, response: Response, session_id: str) -> None:
        response.set_cookie(
            self.cookie_name, session_id, max_age=self.settings.session_ttl_seconds, path="/",
            secure=self.cookie_secure, httponly=True, samesite="strict",
        )

    def clear_session_cookie(self, response: Response) -> None:
        response.delete_cookie(self.cookie_name, path="/", secure=self.cookie_secure, httponly=True, samesite="strict")

    def delete_account(self, uid: str) -> None:
        """Remove the account; sessions, tokens and login links are removed with it."""
        self.sessions.revoke_user(uid)
        self.tokens.revoke_user(uid)
        self.accounts.remove(uid)


class AuthMiddleware:
    """Resolves the caller and refuses cookie-authenticated writes without CSRF proof."""

    def __init__(self, app: ASGIApp, auth: AuthService) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        creds = await self.auth.authenticate(headers)
        scope["user"] = creds.user if creds.user is not None else UnauthenticatedUser()
        scope["quire.session_id"] = creds.session_id
        if creds.session_id and not self._csrf_ok(scope, headers, creds.session_id):
            response = error_response(403, "csrf_failed", "missing or invalid CSRF token or origin")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _csrf_ok(self, scope: Scope, headers: Headers, session_id: str) -> bool:
        if scope["method"] in csrf.SAFE_METHODS or scope["path"] in CSRF_EXEMPT_PATHS:
            return True
        origin_ok = csrf.origin_allowed(headers.get("origin"), self.auth.expected_origin(scope), required=True)
        return origin_ok and csrf.token_matches(self.auth.secret, session_id, headers.get(csrf.HEADER))


def session_id_of(scope: Scope) -> str | None:
    """The raw session id the request came with, if it was authenticated by cookie."""
    return scope.get("quire.session_id")

