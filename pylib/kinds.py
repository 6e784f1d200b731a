"""Media types and the coarse kind used by the storage breakdown.

Guesses use a private :class:`mimetypes.MimeTypes` (the built-in table only) so that CPython
and Pyodide agree regardless of the host's ``/etc/mime.types``.
"""

from __future__ import annotations

import mimetypes

from pylib.paths import split_ext

KINDS = ("markdown", "text", "code", "image", "other")

_TYPES = mimetypes.MimeTypes(filenames=())
_OVERRIDES = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
    ".py": "text/x-python",
    ".js": "text/javascript",
    ".ts": "text/x-typescript",
    ".json": "application/json",
    ".toml": "application/toml",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".rs": "text/x-rust",
    ".go": "text/x-go",
    ".sql": "application/sql",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
_CODE_EXTS = {
    ".py", ".js", ".ts", ".json", ".html", ".css", ".sql", ".sh", ".toml", ".yaml", ".yml",
    ".rs", ".go", ".c", ".h",
}
_CODE_MIMES = {
    "application/json", "application/javascript", "text/x-python", "text/javascript",
    "text/css", "text/html",
}


def guess_mime(name: str) -> str:
    """The media type for a file name; ``application/octet-stream`` when unknown."""
    ext = split_ext(name)[1].lower()
    if ext in _OVERRIDES:
        return _OVERRIDES[ext]
    guessed, _ = _TYPES.guess_type("x" + ext, strict=False) if ext else (None, None)
    return guessed or "application/octet-stream"


def classify(mime_type: str | None, name: str) -> str:
    """One of :data:`KINDS` (same rules as migration 0007 used for existing rows)."""
    ext = split_ext(name)[1].lower()
    mime = (mime_type or "").lower()
    if mime == "text/markdown" or ext in (".md", ".markdown"):
        return "markdown"
    if mime.startswith("image/"):
        return "image"
    if ext in _CODE_EXTS or mime in _CODE_MIMES:
        return "code"
    if mime.startswith("text/") or ext == ".txt":
        return "text"
    return "other"
