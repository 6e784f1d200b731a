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


# Extensions that name a kind of text document: renaming to one of them is an explicit choice.
_DOCUMENT_EXTS = frozenset(
    {".md", ".markdown", ".txt", ".csv", ".html", ".css", ".sh", ".c", ".h"}
    | {ext for ext in _OVERRIDES if not _OVERRIDES[ext].startswith("image/")}
    | _CODE_EXTS
)
_NOTE_MIME = "text/markdown"


def document_mime(name: str, given: str | None, is_text: bool) -> str:
    """The media type of a new document named ``name``.

    A document is a note unless its name says otherwise: with no type given (or the generic
    ``text/plain`` the page sends for names it does not recognise), a name whose last dot
    does not start a known extension ("Meeting 2024.05.01", "Release v1.2", "Keys") is
    Markdown, not ``application/octet-stream``.
    """
    guessed = guess_mime(name)
    if given and not (given == "text/plain" and guessed == "application/octet-stream"):
        return given
    if is_text and classify(guessed, name) == "other":
        return _NOTE_MIME
    return guessed


def mime_on_rename(old_name: str, new_name: str, mime: str | None, is_text: bool) -> str | None:
    """The media type after a rename: the document keeps its own, unless its content is
    text and the new name ends in a different, known text extension (``notes.txt`` →
    ``notes.md``) — an explicit change of kind. ``Keys.md`` → ``Keys`` stays Markdown; a
    binary file keeps its type whatever it is called."""
    new_ext = split_ext(new_name)[1].lower()
    if not is_text or new_ext not in _DOCUMENT_EXTS:
        return mime
    if new_ext == split_ext(old_name)[1].lower():
        return mime
    return guess_mime(new_name)
