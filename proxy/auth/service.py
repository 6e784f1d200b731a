"""The auth service: everything the proxy knows about identity, built once per app from Settings.

It owns the auth database, the accounts, the one credential store (sessions, bearer tokens,
login links), the sign-in rate limits, the OIDC verifier, the origin check and the session
cookie. The middleware (middleware.py) and the routes (routes.py, signin.py) use it.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.responses import Response

from proxy.auth.accounts import Account, Accounts
from proxy.auth.credentials import LINK, SESSION, TOKEN, CredentialInfo, CredentialStore
from proxy.auth.db import AuthDB
from proxy.auth.oidc import JwksSource, OidcVerifier, looks_like_jwt
from proxy.auth.origin import OriginCheck, allowed_origins
from proxy.auth.principal import User
from proxy.auth.ratelimit import Limited, LoginLimiter
from proxy.http.errors import unauthorized
from proxy.settings import Settings

AUTH_DB_NAME = "auth.sqlite"


class AuthService:
    """Accounts, credentials, limits and cookies for one app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = AuthDB(settings.data_dir / AUTH_DB_NAME)
        self.accounts = Accounts(self.db)
        self.credentials = CredentialStore(self.db)
        self.limiter = LoginLimiter(self.db, settings.login_attempts_per_minute,
                                    settings.login_account_attempts_per_minute)
        self.oidc = self._oidc(settings)
        self.origins = OriginCheck(allowed_origins(settings.public_url, settings.host, settings.port))
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

    def session_cookie(self, headers: Headers) -> str | None:
        return cookie_parser(headers.get("cookie", "")).get(self.cookie_name) or None

    async def bearer(self, authorization: str) -> User | None:
        """The user of an `Authorization: Bearer` header (a `quire token` or an OIDC JWT)."""
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        if looks_like_jwt(token):
            return await self.oidc.verify(token) if self.oidc else None
        return self.credentials.resolve(TOKEN, token)

    def session_user(self, raw: str) -> User | None:
        return self.credentials.resolve(SESSION, raw)

    async def login(self, name: str, password: str, client_ip: str) -> tuple[Account, str]:
        """Check a name and password; returns the account and a new raw session id.

        The attempt is reserved before the (deliberately slow) password check, so parallel
        attempts cannot all slip under the limit. Raises 429 (with Retry-After) while the
        address or the account is over its limit, and the generic 401 for any wrong name or
        password.
        """
        reservation = await run_in_threadpool(self.limiter.reserve, client_ip, name)
        if isinstance(reservation, Limited):
            raise HTTPException(429, "too many sign-in attempts; try again later",
                                {"Retry-After": str(reservation.retry_after)})
        account = await run_in_threadpool(self.accounts.verify, name, password)
        if account is None:
            raise unauthorized()
        await run_in_threadpool(self.limiter.succeeded, reservation)
        return account, self.start_session(account.uid)

    def start_session(self, uid: str) -> str:
        raw, _ = self.credentials.issue(SESSION, uid, self.settings.session_ttl_seconds)
        return raw

    def end_session(self, raw: str | None) -> None:
        if raw:
            self.credentials.revoke(SESSION, raw)

    def create_token(self, uid: str, ttl_seconds: int | None = None) -> tuple[str, CredentialInfo]:
        """A bearer token (`quire token create`): the secret, shown once, and its stored record."""
        return self.credentials.issue(TOKEN, uid, ttl_seconds)

    def create_login_link(self, uid: str) -> str:
        raw, _ = self.credentials.issue(LINK, uid, self.settings.login_link_ttl_seconds)
        return raw

    def redeem_login_link(self, raw: str) -> str | None:
        """The uid of a live one-time link (now spent), or None."""
        return self.credentials.redeem(LINK, raw)

    def set_session_cookie(self, response: Response, session_id: str) -> None:
        response.set_cookie(
            self.cookie_name, session_id, max_age=self.settings.session_ttl_seconds, path="/",
            secure=self.cookie_secure, httponly=True, samesite="strict",
        )

    def clear_session_cookie(self, response: Response) -> None:
        response.delete_cookie(self.cookie_name, path="/", secure=self.cookie_secure, httponly=True, samesite="strict")

    def delete_account(self, uid: str) -> None:
        """Remove the account; its sessions, tokens and login links go with it (cascade)."""
        self.accounts.remove(uid)
