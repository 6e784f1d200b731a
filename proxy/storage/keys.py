"""Object keys: what a client may name, and where it lands in the bucket.

A client names keys relative to its own folder; the server alone adds `users/{uid}/`. Everything
that could make two spellings reach one object, climb out of the folder, or look different from
what it is (traversal, control and format characters, non-NFC text) is refused rather than
cleaned up: silently rewriting a key would make the client and the bucket disagree.
"""

from __future__ import annotations

import re
import unicodedata

from proxy.http.errors import ApiError, unauthorized

MAX_KEY_BYTES = 512
USERS_ROOT = "users/"

# Unicode categories never allowed in a key: controls (Cc), format characters such as bidi
# overrides and zero-width joiners (Cf), surrogates (Cs), private use (Co), unassigned (Cn),
# line/paragraph separators (Zl, Zp).
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}

# A uid comes from the auth layer, not the client; it is still checked because it becomes a path
# segment. Starting with an alphanumeric rules out "." and "..".
_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")


def invalid_key(message: str) -> ApiError:
    return ApiError(400, "invalid_key", message)


def _check_characters(text: str) -> None:
    if unicodedata.normalize("NFC", text) != text:
        raise invalid_key("key must be in Unicode NFC form")
    for char in text:
        if char == "\\":
            raise invalid_key("key must not contain backslashes")
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES or (category == "Zs" and char != " "):
            raise invalid_key("key contains a forbidden character")


def _check_length(text: str) -> None:
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates from JSON "\ud800" escapes
        raise invalid_key("key is not valid UTF-8") from None
    if size > MAX_KEY_BYTES:
        raise invalid_key(f"key is longer than {MAX_KEY_BYTES} bytes")


def validate_key(key: str) -> str:
    """Return `key` unchanged if it is a safe relative object key; raise ApiError(400) if not."""
    if not isinstance(key, str) or not key:
        raise invalid_key("key must be a non-empty string")
    _check_length(key)
    _check_characters(key)
    if key.startswith("/"):
        raise invalid_key("key must be relative")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise invalid_key("key has an empty, '.' or '..' segment")
    return key


def validate_prefix(prefix: str) -> str:
    """Like validate_key, but empty is allowed and a trailing '/' names a folder."""
    if prefix == "":
        return prefix
    validate_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def user_prefix(uid: str) -> str:
    """The folder that holds every object of user `uid`, with a trailing slash."""
    if not isinstance(uid, str) or not _UID.fullmatch(uid):
        # A malformed uid means the auth layer handed over something unexpected: fail closed.
        raise unauthorized()
    return f"{USERS_ROOT}{uid}/"


def object_key(uid: str, key: str) -> str:
    """The bucket key for the user's relative `key`."""
    return user_prefix(uid) + validate_key(key)
