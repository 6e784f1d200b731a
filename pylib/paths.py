"""Virtual paths: ``/notes/ideas.md``.

A path is absolute, uses ``/`` as separator, has no empty, ``.`` or ``..`` segments, no
control or bidirectional-override characters, no backslashes, and stays within sane lengths.
Names are NFC-normalised so that visually identical names compare equal. The root folder is
``/``; it is implicit and never stored.

What the engine is given (by the UI, the API) is normalised; what it is handed as stored rows
(an import, a merge, a migration, later a sync) must already be in that normal form — a
stored path is never rewritten on the way in, so two rows can never silently become one.
:func:`stored_path_problem` is that one check.
"""

from __future__ import annotations

import unicodedata
from typing import Callable

from pylib.errors import InvalidPath

ROOT = "/"
MAX_PATH_CHARS = 1024
MAX_NAME_CHARS = 255
MAX_DEPTH = 32
# Characters that can make a name display differently from what it is.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}


def validate_name(name: str) -> str:
    """Check one path segment and return it NFC-normalised."""
    if not isinstance(name, str):
        raise InvalidPath("A name must be text.")
    name = unicodedata.normalize("NFC", name)
    if not name:
        raise InvalidPath("A name cannot be empty.")
    if name in (".", ".."):
        raise InvalidPath(f"{name!r} is not allowed as a name.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidPath(f"A name can have at most {MAX_NAME_CHARS} characters.")
    if name != name.strip():
        raise InvalidPath("A name cannot start or end with a space.")
    for ch in name:
        if ch in "/\\":
            raise InvalidPath("A name cannot contain '/' or '\\'.")
        if ch in _BIDI or unicodedata.category(ch) == "Cc":
            raise InvalidPath("A name cannot contain control characters.")
    return name


def _segments(path: str) -> list[str]:
    if not isinstance(path, str):
        raise InvalidPath("A path must be text.")
    if not path.startswith("/"):
        raise InvalidPath(f"A path must start with '/': {path[:80]!r}.")
    if len(path) > MAX_PATH_CHARS:
        raise InvalidPath(f"A path can have at most {MAX_PATH_CHARS} characters.")
    parts = path[1:].split("/")
    if len(parts) > MAX_DEPTH:
        raise InvalidPath(f"A path can be at most {MAX_DEPTH} levels deep.")
    return [validate_name(p) for p in parts]


def normalize_path(path: str) -> str:
    """Validate an artifact path (not the root, no trailing slash) and return it normalised."""
    if path == ROOT:
        raise InvalidPath("The root folder is not a document path.")
    return "/" + "/".join(_segments(path))


def normalize_folder(path: str) -> str:
    """Validate a folder path; ``/`` is the root and one trailing slash is tolerated."""
    if path == ROOT:
        return ROOT
    if isinstance(path, str) and path.endswith("/") and len(path) > 1:
        path = path[:-1]
    return "/" + "/".join(_segments(path))


def stored_path_problem(path: object) -> str | None:
    """Why ``path`` cannot be a stored path (of an artifact, folder or trash unit), or ``None``.

    A stored path passes :func:`normalize_path` and is already its own normal form (NFC,
    no trailing slash); the root is never stored.
    """
    try:
        if path == ROOT:
            raise InvalidPath("The root folder is implicit and never stored.")
        normal = normalize_path(path)  # type: ignore[arg-type]
    except InvalidPath as exc:
        return exc.message
    if normal != path:
        return "A stored path must already be in normal form (NFC)."
    return None


def parent_of(path: str) -> str:
    """The folder that holds ``path`` (``/`` for top-level items)."""
    head = path.rsplit("/", 1)[0]
    return head or ROOT


def name_of(path: str) -> str:
    """The last segment of ``path``."""
    return path.rsplit("/", 1)[1]


def join(folder: str, name: str) -> str:
    """``folder`` + ``/`` + ``name``, without a double slash at the root."""
    return (folder.rstrip("/") or "") + "/" + name


def is_within(path: str, folder: str) -> bool:
    """True if ``path`` is ``folder`` itself or lies below it."""
    return folder == ROOT or path == folder or path.startswith(folder + "/")


def ancestors(path: str) -> list[str]:
    """Folders above ``path``, outermost first, without the root: ``/a/b/c`` → ``/a, /a/b``."""
    parts = path.split("/")[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def split_ext(name: str) -> tuple[str, str]:
    """``ideas.md`` → (``ideas``, ``.md``); a leading dot is not an extension."""
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:]


def free_name(name: str, is_taken: Callable[[str], bool], label: str = "restored") -> str:
    """``name`` if free, else ``ideas (restored).md``, ``ideas (restored 2).md``, ..."""
    if not is_taken(name):
        return name
    stem, ext = split_ext(name)
    n = 1
    while True:
        suffix = f" ({label})" if n == 1 else f" ({label} {n})"
        candidate = f"{stem[: MAX_NAME_CHARS - len(suffix) - len(ext)]}{suffix}{ext}"
        if not is_taken(candidate):
            return candidate
        n += 1
