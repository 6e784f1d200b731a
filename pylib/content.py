"""Artifact content: bytes, hashes, size limits, and text/HTML views of it."""

from __future__ import annotations

import hashlib

from pylib.errors import TooLarge

# Content up to this size lives in `artifacts.content`; larger uploads wait in
# `pending_uploads` until a sync moves them to S3.
INLINE_LIMIT = 1024 * 1024
# A hard cap for one file kept in the browser's database.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def to_bytes(content: str | bytes | bytearray | memoryview | None) -> bytes:
    """Text is stored as UTF-8; ``None`` is empty content."""
    if content is None:
        return b""
    if isinstance(content, str):
        return content.encode("utf-8")
    return bytes(content)


def check_size(data: bytes, limit: int = MAX_UPLOAD_BYTES) -> None:
    if len(data) > limit:
        raise TooLarge(
            f"That file is {len(data):,} bytes; the limit is {limit:,} bytes.",
            size_bytes=len(data),
            limit=limit,
        )


def digest(data: bytes) -> str:
    """SHA-256 hex digest, the change-detection hash of the schema."""
    return hashlib.sha256(data).hexdigest()


def as_text(data: bytes | str | None) -> str | None:
    """The content as text if it is UTF-8 without NUL bytes, else ``None``."""
    if data is None:
        return None
    if isinstance(data, str):
        return data
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def render_html(text: str | None, kind: str) -> str | None:
    """Safe HTML for Markdown, via :mod:`pylib.markdown` when it is installed."""
    if text is None or kind != "markdown":
        return None
    try:
        from pylib.markdown import render_markdown
    except ImportError:
        return None
    return render_markdown(text)
