"""Bearer JWTs from an OpenID Connect provider.

Only asymmetric algorithms from the configured list are accepted, the key must come from the
provider's JWKS (a file, or a URL fetched and cached), the key type must fit the algorithm,
and issuer, audience, expiry and not-before are all checked. The Quire uid is a stable hash of
issuer and subject, so two providers cannot collide and the raw subject never appears in
storage keys.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path

import httpx
import jwt
from jwt import PyJWK, PyJWKSet

from proxy.auth.principal import User

ASYMMETRIC = {
    "RS256": "RSA", "RS384": "RSA", "RS512": "RSA",
    "PS256": "RSA", "PS384": "RSA", "PS512": "RSA",
    "ES256": "EC", "ES384": "EC", "ES512": "EC",
    "EdDSA": "OKP",
}
JWKS_CACHE_SECONDS = 300
JWKS_REFRESH_MIN_SECONDS = 30  # an unknown kid refetches at most this often
JWKS_RETRY_SECONDS = 5  # after a failed fetch, requests fail fast instead of each refetching
LEEWAY_SECONDS = 10
MAX_TOKEN_CHARS = 16 * 1024


class OidcConfigError(ValueError):
    """The OIDC settings cannot work (an algorithm that is not asymmetric, no key source)."""


class OidcUnavailable(RuntimeError):
    """The provider's keys could not be fetched (requests are refused, never let through)."""


def oidc_uid(issuer: str, subject: str) -> str:
    return hashlib.sha256(f"{issuer}\n{subject}".encode("utf-8")).hexdigest()[:32]


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


class JwksSource:
    """Keys by id, from a file (read once) or a URL (cached, refetched on expiry or unknown kid)."""

    def __init__(self, *, file: Path | None = None, url: str | None = None) -> None:
        if not file and not url:
            raise OidcConfigError("OIDC needs QUIRE_OIDC_JWKS_FILE or QUIRE_OIDC_JWKS_URL")
        self.file = file
        self.url = url
        self._keys: dict[str | None, PyJWK] = {}
        self._fetched_at = 0.0
        self._failed_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0
        if file:
            self._keys = self._parse(json.loads(Path(file).read_text()))

    @staticmethod
    def _parse(document: dict) -> dict[str | None, PyJWK]:
        keys: dict[str | None, PyJWK] = {}
        for jwk in PyJWKSet.from_dict(document).keys:
            if jwk.public_key_use in (None, "sig"):
                keys[jwk.key_id] = jwk
        return keys

    async def _refresh(self) -> None:
        if time.monotonic() - self._failed_at < JWKS_RETRY_SECONDS:
            raise OidcUnavailable("the JWKS fetch failed moments ago")
        self.fetches += 1
        try:
            async with httpx.AsyncClient(timeout=5.0, follow_redirects=False) as client:
                response = await client.get(self.url)
                response.raise_for_status()
                self._keys = self._parse(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError):
            self._failed_at = time.monotonic()
            raise
        self._fetched_at = time.monotonic()

    async def key(self, kid: str | None) -> PyJWK | None:
        if self.url:
            age = time.monotonic() - self._fetched_at
            stale = age > JWKS_CACHE_SECONDS or (kid not in self._keys and age > JWKS_REFRESH_MIN_SECONDS)
            if stale or not self._fetched_at:
                async with self._lock:
                    age = time.monotonic() - self._fetched_at
                    if not self._fetched_at or age > JWKS_REFRESH_MIN_SECONDS:
                        await self._refresh()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)


class OidcVerifier:
    """Turns a provider's JWT into a User, or None for anything not fully valid."""

    def __init__(self, issuer: str, audience: str, algorithms: list[str], jwks: JwksSource) -> None:
        bad = [alg for alg in algorithms if alg not in ASYMMETRIC]
        if bad or not algorithms:
            raise OidcConfigError(f"OIDC algorithms must be asymmetric (RS*, PS*, ES*, EdDSA); refused: {bad}")
        self.issuer = issuer
        self.audience = audience
        self.algorithms = list(algorithms)
        self.jwks = jwks

    async def verify(self, token: str) -> User | None:
        if len(token) > MAX_TOKEN_CHARS:
            return None
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        alg = header.get("alg")
        if alg not in self.algorithms:
            return None
        try:
            jwk = await self.jwks.key(header.get("kid"))
        except (httpx.HTTPError, ValueError, jwt.PyJWTError, OidcUnavailable):
            return None
        if jwk is None or jwk.key_type != ASYMMETRIC[alg]:
            return None
        try:
            claims = jwt.decode(
                token, jwk.key, algorithms=[alg], audience=self.audience, issuer=self.issuer,
                leeway=LEEWAY_SECONDS, options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError:
            return None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            return None
        name = claims.get("preferred_username") or claims.get("email") or subject
        return User(uid=oidc_uid(self.issuer, subject), name=str(name)[:128], via="oidc")
