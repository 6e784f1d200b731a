"""Which link and image targets the preview may point at.

The rule is an allow-list: http, https and mailto URLs, `#fragments` and relative references.
Everything else (`javascript:`, `data:`, `vbscript:`, `file:`, unknown schemes) is refused, and
the caller renders the label as plain text instead of a link.
"""

from __future__ import annotations

import html
import re

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

# Browsers drop ASCII tab and newline anywhere in a URL and trim C0 controls and spaces at the
# ends, so "java\tscript:" is still javascript. We remove every control and whitespace character
# before looking for a scheme, which is stricter than any browser.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5"
                        r"\u180b-\u180f\U0001d173-\U0001d17a\u200b-\u200f\u202a-\u202e\u2028\u2029"
                        r"\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def decode_destination(raw: str) -> str:
    """Turn a Markdown link destination into the URL it means.

    Backslash escapes and character references are decoded first, exactly as a Markdown reader
    would, so that the safety check sees the same URL the browser would follow.
    """
    return html.unescape(_BACKSLASH_ESCAPE.sub(r"\1", raw))


def is_safe_url(url: str) -> bool:
    """True when `url` (already decoded) is an allowed scheme, a fragment or a relative reference.

    Invisible characters are removed first (stricter than any browser), then a leading
    `scheme:` must name an allowed scheme; without one the browser reads a relative reference.
    """
    compact = _INVISIBLE.sub("", url)
    # The scheme pattern cannot cross a colon, so a match always ends at the first colon. With
    # no scheme (also "foo):", whose head is not a scheme's syntax) a browser reads a relative
    # reference; "\\host" and "//host" are protocol-relative and inherit http(s) from the page.
    match = _SCHEME.match(compact)
    return match is None or match.group(1).lower() in ALLOWED_SCHEMES


def escape_attr(value: str) -> str:
    """Escape a value for a double-quoted HTML attribute (also escapes `'`, `<`, `>`, `&`)."""
    return html.escape(value, quote=True)
