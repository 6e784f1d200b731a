"""CSRF protection for requests authenticated by the session cookie.

Two independent checks on every state-changing request: the `Origin` header must be this
app's origin, and `X-CSRF-Token` must be the token derived from the session (given out by
`GET /api/auth/me`). The token is an HMAC of the session id, so any proxy process holding the
secret key can check it without shared state. Bearer-token requests are exempt: a browser
never attaches a bearer token to a cross-site request on its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADER = "x-csrf-token"


def csrf_token(secret: bytes, session_id: str) -> str:
    mac = hmac.new(secret, b"csrf\0" + session_id.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def token_matches(secret: bytes, session_id: str, presented: str | None) -> bool:
    if not presented or len(presented) > 128:
        return False
    return hmac.compare_digest(csrf_token(secret, session_id), presented)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def expected_origin(public_url: str | None, scheme: str, host: str | None) -> str | None:
    """The app's origin: the configured public URL, else what the browser addressed (Host)."""
    if public_url:
        return origin_of(public_url)
    if not host:
        return None
    return f"{scheme}://{host}".lower()


def origin_allowed(origin: str | None, expected: str | None, *, required: bool) -> bool:
    """An absent Origin passes only when not required (sign-in forms from old browsers)."""
    if origin is None:
        return not required
    return expected is not None and origin.lower() == expected
