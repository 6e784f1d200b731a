"""Inline Markdown: code spans, emphasis, strikethrough, links, images, breaks.

Text is scanned once, jumping from one special character to the next. Output is built as a list
of pieces: strings that are already safe HTML, and delimiter runs (`*`, `_`, `~`) whose tags are
decided afterwards with CommonMark's delimiter algorithm. Every character taken from the source
goes through `html.escape`; the only tags in the output are the ones written in this module.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata

from .links import parse_link_tail
from .urls import escape_attr, is_safe_url

# A plain character class makes `search` fast; `_TOKEN` then says what was found.
_SPECIAL = re.compile(r"[\\`*_~\[\]!<&\n]")
_TOKEN = re.compile(r"(?P<delim>\*+|_+|~+)|(?P<open>!?\[)|(?P<close>\])|(?P<tick>`+)|[\\<&\n]")
_ESCAPED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
_ESCAPABLE = frozenset(string.punctuation)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^\s<>\x00-\x1f]*)>", re.IGNORECASE)
# GFM "extended autolinks": a bare http(s) URL in text becomes a link.
_BARE_URL = re.compile(r"(?<![\w/])https?://[^\s<>`\[\]\x00-\x1f]+", re.IGNORECASE)
_URL_TRAILING = "?!.,:;*_~'\""
_BACKTICKS = re.compile(r"`+")
_TAGS = {"*": ("em", "strong"), "_": ("em", "strong"), "~": ("del", "del")}


class _Delim:
    """A run of `*`, `_` or `~` that may open and/or close emphasis."""

    __slots__ = ("char", "count", "can_open", "can_close", "open_tags", "close_tags", "length")

    def __init__(self, char: str, count: int, can_open: bool, can_close: bool) -> None:
        self.char, self.count, self.length = char, count, count
        self.can_open, self.can_close = can_open, can_close
        self.open_tags: list[str] = []
        self.close_tags: list[str] = []

    def render(self) -> str:
        if not self.open_tags and not self.close_tags:
            return self.char * self.count
        closing = "".join(f"</{tag}>" for tag in self.close_tags)
        opening = "".join(f"<{tag}>" for tag in reversed(self.open_tags))
        return closing + self.char * self.count + opening


class _Anchor:
    """An autolink; inside another link's label it degrades to its text (no nested anchors)."""

    __slots__ = ("html", "text")

    def __init__(self, html_: str, text: str) -> None:
        self.html, self.text = html_, text


class _Bracket:
    """An unmatched `[` or `![`, remembered until its `]` turns up."""

    __slots__ = ("piece", "delims", "image", "active")

    def __init__(self, piece: int, delims: int, image: bool) -> None:
        self.piece, self.delims, self.image, self.active = piece, delims, image, True


def _is_punct(ch: str) -> bool:
    if ch < "\x80":
        return ch in _ESCAPABLE
    return unicodedata.category(ch)[0] in "PS"


def _render(pieces: list, nested: bool = False) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif isinstance(piece, _Delim):
            out.append(piece.render())
        else:
            out.append(piece.text if nested else piece.html)
    return "".join(out)


def _process_emphasis(delims: list[_Delim]) -> None:
    """Pair delimiter runs into <em>, <strong> and <del> (CommonMark's algorithm, with GFM ~)."""
    openers: list[_Delim] = []
    bottoms: dict[tuple, int] = {}
    for closer in delims:
        while closer.can_close and closer.count:
            key = (closer.char, closer.can_open, closer.length % 3)
            found = -1
            for k in range(len(openers) - 1, bottoms.get(key, 0) - 1, -1):
                if _can_pair(openers[k], closer):
                    found = k
                    break
            if found < 0:
                bottoms[key] = len(openers)
                break
            opener = openers[found]
            used = 2 if opener.count >= 2 and closer.count >= 2 else 1
            tag = _TAGS[closer.char][used - 1]
            opener.open_tags.append(tag)
            closer.close_tags.append(tag)
            opener.count -= used
            closer.count -= used
            del openers[found + (1 if opener.count else 0):]
            for other in bottoms:
                bottoms[other] = min(bottoms[other], len(openers))
        if closer.can_open and closer.count:
            openers.append(closer)


def _can_pair(opener: _Delim, closer: _Delim) -> bool:
    if opener.char != closer.char or not opener.count:
        return False
    if closer.char == "~":
        # GFM: ~text~ and ~~text~~ only, with runs of equal length.
        return opener.count == closer.count and opener.count <= 2
    if (opener.can_close or closer.can_open) and (opener.length + closer.length) % 3 == 0:
        return opener.length % 3 == 0 and closer.length % 3 == 0
    return True


def _close_bracket(text: str, pos: int, pieces: list, delims: list, brackets: list) -> int:
    """Handle `]` at `pos`; return the position to continue scanning from."""
    opener = brackets.pop() if brackets else None
    tail = parse_link_tail(text, pos + 1) if opener and opener.active else None
    if opener is None or tail is None:
        pieces.append("]")
        return pos + 1
    url, title, end = tail
    _process_emphasis(delims[opener.delims:])
    del delims[opener.delims:]
    inner = _render(pieces[opener.piece + 1:], nested=True)
    del pieces[opener.piece:]
    title_attr = f' title="{escape_attr(title)}"' if title else ""
    if opener.image:
        alt = re.sub(r"<[^>]*>", "", inner)
        if is_safe_url(url):
            pieces.append(f'<img src="{escape_attr(url)}" alt="{alt}"{title_attr} loading="lazy">')
        else:
            pieces.append(alt)
    else:
        for earlier in brackets:
            if not earlier.image:
                earlier.active = False
        if is_safe_url(url):
            pieces.append(f'<a href="{escape_attr(url)}"{title_attr} rel="noopener noreferrer">'
                          f"{inner}</a>")
        else:
            pieces.append(inner)
    return end


def _code_span(text: str, pos: int, misses: dict[int, int]) -> tuple[str, int]:
    """A backtick run at `pos`: a code span if a run of the same length closes it, else text."""
    run = _BACKTICKS.match(text, pos).group()
    start = pos + len(run)
    if misses.get(len(run), len(text) + 1) <= start:
        return html.escape(run), start
    for match in _BACKTICKS.finditer(text, start):
        if len(match.group()) == len(run):
            code = text[start:match.start()].replace("\n", " ")
            if code.startswith(" ") and code.endswith(" ") and code.strip(" "):
                code = code[1:-1]
            return f"<code>{html.escape(code)}</code>", match.end()
    misses[len(run)] = start  # no closer of this length anywhere after `start`
    return html.escape(run), start


def _line_break(pieces: list) -> str:
    if pieces and isinstance(pieces[-1], str) and pieces[-1].endswith("  "):
        pieces[-1] = pieces[-1].rstrip(" ")
        return "<br>\n"
    if pieces and isinstance(pieces[-1], str):
        pieces[-1] = pieces[-1].rstrip(" ")
    return "\n"


def render_inline(text: str) -> str:
    """Render one block's inline content (already without block markers) to safe HTML."""
    if not _SPECIAL.search(text) and "://" not in text:
        return html.escape(text)
    pieces: list = []
    delims: list[_Delim] = []
    brackets: list[_Bracket] = []
    misses: dict[int, int] = {}
    pos, size = 0, len(text)
    search, token = _SPECIAL.search, _TOKEN.match
    urls = list(_BARE_URL.finditer(text)) if "://" in text else []
    next_url = 0
    while pos < size:
        found = search(text, pos)
        start = found.start() if found else size
        while next_url < len(urls) and urls[next_url].start() < pos:
            next_url += 1  # inside a code span or link destination already consumed
        if next_url < len(urls) and urls[next_url].start() < start:
            pos = _bare_url(text, pos, urls[next_url], pieces)
            next_url += 1
            continue
        if start > pos:
            pieces.append(html.escape(text[pos:start]))
        if found is None:
            break
        match = token(text, start)
        kind = match.lastgroup if match else "bang"
        if kind == "bang":  # a "!" that does not start an image
            pieces.append("!")
            pos = start + 1
        elif kind == "delim":
            pos = match.end()
            delim = _delimiter(text, start, pos)
            delims.append(delim)
            pieces.append(delim)
        elif kind == "open":
            brackets.append(_Bracket(len(pieces), len(delims), len(match.group()) == 2))
            pieces.append(match.group())
            pos = match.end()
        elif kind == "close":
            pos = _close_bracket(text, start, pieces, delims, brackets)
        elif kind == "tick":
            code, pos = _code_span(text, start, misses)
            pieces.append(code)
        else:
            pos = _other(text, start, pieces)
    _process_emphasis(delims)
    return _render(pieces)


def _bare_url(text: str, pos: int, url: re.Match, pieces: list) -> int:
    """Emit the text before a bare URL and the URL as a link; return where scanning resumes."""
    link = url.group()
    while link and (link[-1] in _URL_TRAILING or (link[-1] == ")" and
                                                   link.count(")") > link.count("("))):
        link = link[:-1]
    if url.start() > pos:
        pieces.append(html.escape(text[pos:url.start()]))
    label = html.escape(link)
    if "://" in link[:8] and len(link) > link.index("://") + 3 and is_safe_url(link):
        pieces.append(_Anchor(f'<a href="{escape_attr(link)}" rel="noopener noreferrer">{label}'
                              "</a>", label))
    else:
        pieces.append(label)
    return url.start() + len(link)


def _delimiter(text: str, start: int, end: int) -> _Delim:
    """Classify a run of `*`, `_` or `~` as opener and/or closer (CommonMark flanking rules)."""
    ch = text[start]
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    before_space, after_space = before.isspace(), after.isspace()
    before_punct, after_punct = _is_punct(before), _is_punct(after)
    left = not after_space and (not after_punct or before_space or before_punct)
    right = not before_space and (not before_punct or after_space or after_punct)
    if ch == "_":
        return _Delim(ch, end - start, left and (not right or before_punct),
                      right and (not left or after_punct))
    return _Delim(ch, end - start, left, right)


def _other(text: str, pos: int, pieces: list) -> int:
    """Consume a backslash, `<`, `&` or newline at `pos`; return where scanning resumes."""
    ch = text[pos]
    if ch == "\\":
        nxt = text[pos + 1:pos + 2]
        if nxt == "\n":
            pieces.append("<br>\n")
            return pos + 2
        if nxt and nxt in _ESCAPABLE:
            pieces.append(_ESCAPED.get(nxt, nxt))
            return pos + 2
        pieces.append("\\")
        return pos + 1
    if ch == "<":
        auto = _AUTOLINK.match(text, pos)
        if auto and is_safe_url(auto.group(1)):
            label = html.escape(auto.group(1))
            href = escape_attr(auto.group(1))
            pieces.append(_Anchor(f'<a href="{href}" rel="noopener noreferrer">{label}</a>', label))
            return auto.end()
        pieces.append("&lt;")
        return pos + 1
    if ch == "&":
        entity = _ENTITY.match(text, pos)
        if entity:
            pieces.append(html.escape(html.unescape(entity.group())))
            return entity.end()
        pieces.append("&amp;")
        return pos + 1
    pieces.append(_line_break(pieces))  # "\n"
    return pos + 1
