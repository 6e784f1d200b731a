"""Configuration, read from the environment (prefix QUIRE_) or a `.env` file when the app is built.

Every field here is documented in docs/team.md ("Running Quire for a team"); a test checks that.
Secrets have no defaults; in production a missing one is a start-up error. The proxy itself
needs no secret key (see proxy/auth/origin.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from proxy.auth.origin import origin_of

ROOT = Path(__file__).resolve().parent.parent


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "quire"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUIRE_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(8000, validation_alias=AliasChoices("QUIRE_PORT", "PORT"))
    workers: int = Field(1, ge=1, le=64)
    # The URL people open (behind a reverse proxy, or a LAN name): the app's origin for the
    # cross-site check, besides the addresses `quire serve` bound; https turns on Secure cookies.
    public_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)
    web_dir: Path = ROOT / "web"

    # Sessions, tokens and login links are random values stored hashed; cross-site writes are
    # refused by Sec-Fetch-Site and Origin. Nothing here needs a server-side secret key.
    session_ttl_seconds: int = Field(14 * 24 * 3600, ge=60)
    login_attempts_per_minute: int = Field(5, ge=1)  # sign-in attempts per client address
    login_account_attempts_per_minute: int = Field(20, ge=1)  # per account, from addresses it never signed in from
    login_link_ttl_seconds: int = Field(900, ge=30, le=24 * 3600)  # the one-time link `quire serve` prints
    forwarded_allow_ips: str | None = None  # proxies trusted for X-Forwarded-For/-Proto (comma-separated)
    max_body_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    # Slow or idle clients: each connection must send its request head within this many seconds
    # (and its body without pausing longer), idle keep-alive connections close, and beyond
    # max_connections new requests get a 503 instead of piling up.
    client_timeout_seconds: float = Field(10.0, gt=0, le=600)
    keep_alive_timeout_seconds: float = Field(5.0, gt=0, le=600)
    max_connections: int = Field(1000, ge=1)

    # External identity (OpenID Connect bearer tokens).
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_file: Path | None = None
    oidc_jwks_url: str | None = None
    oidc_algorithms: list[str] = ["RS256", "ES256"]

    # S3: empty endpoint means the embedded SeaweedFS (`weed mini`) started by `quire serve`.
    s3_endpoint_url: str | None = None
    s3_public_endpoint_url: str | None = None  # what browsers use, if different from the proxy's view
    s3_region: str = "us-east-1"
    s3_bucket: str = "quire"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_addressing_style: Literal["path", "virtual"] = "path"
    presign_expiry_seconds: int = Field(300, ge=10)
    presign_max_expiry_seconds: int = Field(900, ge=10)
    max_upload_bytes: int = Field(5 * 1024**3, ge=1)
    user_quota_bytes: int | None = Field(None, ge=0)  # counts stored bytes and unexpired upload grants
    s3_timeout_seconds: float = Field(10.0, gt=0, le=300)  # connect and read deadline of one S3 call
    s3_max_attempts: int = Field(2, ge=1, le=5)  # tries per S3 call; a request gives up (503) after all
    s3_supervised: bool = False  # set by `quire serve` for the embedded S3: presigning pauses while it restarts

    # Qdrant: empty URL means the embedded qdrant-edge shard in the data directory.
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    qdrant_collection: str = "artifacts"
    qdrant_timeout_seconds: int = Field(10, ge=1, le=300)  # deadline of one call to a Qdrant server
    vector_max_batch: int = Field(256, ge=1)
    vector_max_limit: int = Field(100, ge=1)

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.presign_expiry_seconds > self.presign_max_expiry_seconds:
            raise ValueError("presign_expiry_seconds exceeds presign_max_expiry_seconds")
        if self.workers > 1 and not self.qdrant_url:
            raise ValueError(
                "the embedded qdrant-edge shard serves one process only: "
                "set QUIRE_QDRANT_URL to run more than one worker"
            )
        refused = [alg for alg in self.oidc_algorithms if alg.upper().startswith("HS") or alg.lower() == "none"]
        if refused:
            raise ValueError(f"oidc_algorithms must be asymmetric (RS*, PS*, ES*, EdDSA); refused: {refused}")
        if self.environment == "production":
            missing = []
            if self.s3_endpoint_url and self.s3_secret_access_key is None:
                missing.append("s3_secret_access_key")
            if missing:
                raise ValueError("production needs these settings: " + ", ".join(f"QUIRE_{m.upper()}" for m in missing))
        if self.public_url:
            origin_of(self.public_url)  # raises ValueError for anything but an http(s) URL
        return self

    @property
    def embedded_s3(self) -> bool:
        return not self.s3_endpoint_url

    @property
    def embedded_qdrant(self) -> bool:
        return not self.qdrant_url
