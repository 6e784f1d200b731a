"""Inline link syntax: the `(destination "title")` part after a link's label.

Limits keep a hostile document linear: a destination is at most 4 KiB and nests parentheses
at most 32 deep.
"""

from __future__ import annotations

import re

from .urls import decode_destination

_LINK_TITLE = re.compile(r'[ \t\n]+("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|\((?:[^()\\]|\\.)*\))',
                         re.DOTALL)
_DEST_CHUNK = re.compile(r"(?:[^\s()\\\x00-\x1f]|\\.)+")
_MAX_DESTINATION = 4096
_MAX_PAREN_DEPTH = 32


def parse_destination(text: str, pos: int) -> tuple[str, int] | None:
    """Parse `<dest>` or a raw destination with balanced parentheses starting at `pos`."""
    if pos < len(text) and text[pos] == "<":
        end = pos + 1
        while end < len(text) and text[end] not in "<>\n":
            end += 2 if text[end] == "\\" else 1
        if end >= len(text) or text[end] != ">":
            return None
        return text[pos + 1:end], end + 1
    depth, end, limit = 0, pos, min(len(text), pos + _MAX_DESTINATION)
    while end < limit:
        ch = text[end]
        if ch == "(":
            depth += 1
            if depth > _MAX_PAREN_DEPTH:
                return None
            end += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
            end += 1
        else:
            chunk = _DEST_CHUNK.match(text, end, limit)
            if chunk is None:
                break
            end = chunk.end()
    if depth:
        return None
    return text[pos:end], end


def parse_link_tail(text: str, pos: int) -> tuple[str, str | None, int] | None:
    """Parse `(destination "title")` right after a `]`; return (url, title, end) or None."""
    if pos >= len(text) or text[pos] != "(":
        return None
    i = pos + 1
    while i < len(text) and text[i] in " \t\n":
        i += 1
    dest = parse_destination(text, i)
    if dest is None:
        return None
    raw, i = dest
    title = None
    match = _LINK_TITLE.match(text, i)
    if match:
        title, i = decode_destination(match.group(1)[1:-1]), match.end()
    while i < len(text) and text[i] in " \t\n":
        i += 1
    if i >= len(text) or text[i] != ")":
        return None
    return decode_destination(raw), title, i + 1
