"""Cross-site request protection without tokens: `Sec-Fetch-Site` and `Origin`.

What Go 1.25's CrossOriginProtection and Datasette do, made stricter where Quire can afford it.
A state-changing request that is not authenticated by a bearer header must

- carry `Sec-Fetch-Site: same-origin` when it carries `Sec-Fetch-Site` at all (browsers set it;
  pages cannot). `same-site` is refused too: the embedded S3 on another port of the same host is
  the same site, and it serves what users upload.
- carry an `Origin` that is one of the app's own origins: the configured public URL and the
  addresses `quire serve` bound. Never the request's own `Host`, which whoever sends the request
  chooses (and a DNS-rebinding page gets a matching Host and Origin for free). `Origin: null`
  never matches.

A request with neither header does not come from a browser; it passes only when it rides on
no cookie (a script signing in with curl). The app's pages send `Referrer-Policy: same-origin`,
so Chromium sends the real Origin with the app's own form posts (with `no-referrer` a form
POST carries `Origin: null`).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# Binding these means "every interface", loopback included; other interfaces' addresses cannot be
# known reliably, so people reaching the server by a LAN name or address set QUIRE_PUBLIC_URL.
ALL_INTERFACES = ("", "0.0.0.0", "::")


def origin_of(url: str) -> str:
    """The origin of `url` as a browser serialises it: lower case, IDNA host, no default port."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname.encode("idna").decode("ascii") if not parts.hostname.isascii() else parts.hostname
    host = f"[{host}]" if ":" in host else host
    port = parts.port
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


def bound_origins(host: str, port: int) -> list[str]:
    """The origins a browser uses to reach a server listening on host:port over plain http."""
    if host in ALL_INTERFACES or host in ("127.0.0.1", "localhost", "::1"):
        names: Iterable[str] = LOOPBACK_NAMES
    else:
        names = [f"[{host}]" if ":" in host else host]
    return [origin_of(f"http://{name}:{port}") for name in names]


def allowed_origins(public_url: str | None, host: str, port: int) -> list[str]:
    """The app's own origins: the public URL first, then the addresses bound (host, port)."""
    origins = [origin_of(public_url)] if public_url else []
    if port:  # 0 until `quire serve` has bound its socket
        origins += [o for o in bound_origins(host, port) if o not in origins]
    return origins


class OriginCheck:
    """Decides whether a request comes from one of the app's own pages."""

    def __init__(self, origins: Iterable[str]) -> None:
        self.origins = frozenset(origins)

    def same_origin(self, headers: Headers, *, cookie: bool) -> bool:
        """True if the request comes from the app's own page, or from no browser and rides on no
        cookie (`cookie`: a session cookie authenticated it)."""
        site = headers.get("sec-fetch-site")
        origin = headers.get("origin")
        if site is not None and site.strip().lower() != "same-origin":
            return False
        if origin is None:
            return site is None and not cookie
        return origin.strip().lower() in self.origins

    def allows(self, method: str, headers: Headers, *, cookie: bool) -> bool:
        """Safe methods always pass; other methods need `same_origin`."""
        return method in SAFE_METHODS or self.same_origin(headers, cookie=cookie)
