"""The S3 API's request and response bodies (pydantic models at the HTTP boundary)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_MIME = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,127}"
                   r"(; ?charset=[A-Za-z0-9_-]{1,40})?")
_ETAG = re.compile(r'"?([A-Za-z0-9-]{1,128})"?')


class PresignRequest(BaseModel):
    """Body of POST /api/s3/presign. `size` is required for `put`: it is signed, and it is what
    the upload limit and the quota are checked against."""

    model_config = ConfigDict(extra="forbid", strict=True)

    op: Literal["get", "put", "head", "delete"]
    key: str = Field(max_length=4096)
    content_type: str | None = Field(None, max_length=255)
    sha256: str | None = Field(None, max_length=64, description="hex or base64 SHA-256 of the body")
    size: int | None = Field(None, ge=0)
    if_match: str | None = Field(None, max_length=130)
    if_none_match: str | None = Field(
        None, max_length=130,
        description="'*' with op 'put' (create only); an ETag with op 'get' (304 if unchanged)")

    @field_validator("content_type")
    @classmethod
    def _mime(cls, value: str | None) -> str | None:
        if value is not None and not _MIME.fullmatch(value):
            raise ValueError("not a media type")
        return value

    @field_validator("if_none_match")
    @classmethod
    def _etag_or_star(cls, value: str | None) -> str | None:
        if value is None or value == "*":
            return value
        return cls._etag(value)

    @field_validator("if_match")
    @classmethod
    def _etag(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = _ETAG.fullmatch(value)
        if not match:
            raise ValueError("not an ETag")
        return f'"{match.group(1)}"'


class PresignResponse(BaseModel):
    url: str
    method: str
    headers: dict[str, str]
    expires_at: str


class ObjectInfo(BaseModel):
    key: str
    size: int
    etag: str
    last_modified: str


class ObjectPage(BaseModel):
    objects: list[ObjectInfo]
    next_cursor: str | None


class Usage(BaseModel):
    bytes: int
    objects: int
    quota: int | None


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prefix: str = Field("", max_length=4096)
    cursor: str | None = Field(None, max_length=4096)
    limit: int = Field(100, ge=1, le=1000)
