"""Artifact content: bytes, hashes, size limits, and text/HTML views of it.

The size limits live here and only here. Two kinds of content are told apart:

* a **document** — text (UTF-8 without NUL) of a text kind (``markdown``, ``text``,
  ``code``). It always lives in ``artifacts.content``, stays editable and is versioned at any
  size up to :data:`DOCUMENT_TEXT_LIMIT`; a save beyond that is refused (nothing is turned
  into a read-only file behind the user's back);
* a **file** — anything else (images, PDFs, archives, binary uploads). Up to
  :data:`FILE_INLINE_LIMIT` (the documented 1 MB inline limit) it lives in
  ``artifacts.content``; larger files wait in ``pending_uploads`` until a sync moves them to
  S3. Files are capped at :data:`MAX_UPLOAD_BYTES`.

Use :func:`is_document` / :func:`keeps_inline` rather than comparing sizes by hand.
"""

from __future__ import annotations

import hashlib
import re

from pylib.errors import TooLarge

MIB = 1024 * 1024
# A binary file up to this size lives in `artifacts.content`; larger ones wait in
# `pending_uploads` until a sync moves them to S3.
FILE_INLINE_LIMIT = 1 * MIB
# The name older code and docs use for the file limit.
INLINE_LIMIT = FILE_INLINE_LIMIT
# The largest editable document. 16 MiB is five times "War and Peace" and far above real
# notes, yet bounded by what one save costs: the text crosses from the page to the data
# worker, is hashed and diffed, and the document row and its newest version are both
# rewritten into the page store (about 32 MiB of pages at this size), all in wasm memory.
DOCUMENT_TEXT_LIMIT = 16 * MIB
# A hard cap for one file kept in the browser's database.
MAX_UPLOAD_BYTES = 200 * MIB
# Kinds whose text content makes an artifact a document.
DOCUMENT_KINDS = frozenset({"markdown", "text", "code"})
# Markdown above this size is not rendered along with every read of the document (a save
# returns the document): rendering runs in the data worker, ahead of the next save, so only a
# short note (a few ms) gets its HTML here; the page's preview worker renders the rest.
RENDER_WITH_READ_LIMIT = 32 * 1024


def is_document(kind: str | None, data: bytes) -> bool:
    """Whether content of this kind is an editable document (see the module docstring)."""
    return kind in DOCUMENT_KINDS and len(data) <= DOCUMENT_TEXT_LIMIT and as_text(data) is not None


def keeps_inline(kind: str | None, data: bytes) -> bool:
    """Whether the content lives in ``artifacts.content`` (and so in version history)."""
    return len(data) <= FILE_INLINE_LIMIT or is_document(kind, data)


def check_document_size(kind: str | None, data: bytes) -> None:
    """Refuse a save that would make a document too large to stay editable."""
    if kind in DOCUMENT_KINDS and len(data) > DOCUMENT_TEXT_LIMIT and as_text(data) is not None:
        raise TooLarge(
            f"That document is {len(data):,} bytes; documents can be up to "
            f"{DOCUMENT_TEXT_LIMIT:,} bytes. Split it, or upload it as a file.",
            size_bytes=len(data),
            limit=DOCUMENT_TEXT_LIMIT,
        )


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


# C0 control characters other than tab, the line breaks and form feed, and DEL: text people
# read has none of them, a binary file of a few bytes may decode as UTF-8 all the same.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def text_of_kind(data: bytes | str | None, kind: str | None) -> str | None:
    """The content shown and edited as text: :func:`as_text` for a document kind (Markdown,
    text, code: it stays editable whatever it holds); for a file of any other kind only
    text without control characters (a ``LICENSE`` with no extension reads as text, three
    control bytes uploaded as ``application/octet-stream`` do not)."""
    text = as_text(data)
    if text is None or kind in DOCUMENT_KINDS:
        return text
    return None if _CONTROL.search(text) else text


def render_html(text: str | None, kind: str) -> str | None:
    """Safe HTML for Markdown, via :mod:`pylib.markdown` when it is installed."""
    if text is None or kind != "markdown" or len(text) > RENDER_WITH_READ_LIMIT:
        return None
    try:
        from pylib.markdown import render_markdown
    except ImportError:
        return None
    return render_markdown(text)
