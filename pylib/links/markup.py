"""The parts of a Markdown note that are prose, and its front matter.

:func:`mask_code` blanks fenced code blocks and code spans (characters become spaces,
newlines stay), so every offset into the masked text is an offset into the note. Indented
code blocks are left as prose on purpose: without a full block parser they cannot be told
from the continuation lines of nested list items, where links are common.
"""

from __future__ import annotations

import bisect
import re

_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")
_TICKS = re.compile(r"`+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:^|\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(.*)$")
_ITEM = re.compile(r"^[ \t]*-[ \t]*(.*)$")


def _blank(text: str) -> str:
    """Every character but a newline becomes a space (split and join: no per-character work
    in Python)."""
    return "\n".join(" " * len(line) for line in text.split("\n"))


def _mask_fences(text: str) -> str:
    if "```" not in text and "~~~" not in text:
        return text
    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None:
            if match and not (match.group(1)[0] == "`" and "`" in line[match.end():]):
                fence = match.group(1)
                out.append(_blank(line))
            else:
                out.append(line)
            continue
        out.append(_blank(line))
        if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                and not line[match.end():].strip():
            fence = None
    return "".join(out)


def _mask_spans(text: str) -> str:
    """Blank code spans: a run of N backticks up to the next run of exactly N in the same
    paragraph (an unclosed run stays literal). Linear apart from a bisect per run, so a
    hostile note full of backticks costs no more than a plain one."""
    if "`" not in text:
        return text
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(text)]
    if len(runs) < 2:
        return text
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
    groups: dict[tuple[int, int], list[int]] = {}
    for n, (start, end) in enumerate(runs):
        groups.setdefault((bisect.bisect(breaks, start), end - start), []).append(n)
    out: list[str] = []
    done = i = 0
    while i < len(runs):
        start, end = runs[i]
        same = groups[(bisect.bisect(breaks, start), end - start)]
        at = bisect.bisect(same, i)
        if at == len(same):
            i += 1
            continue
        close = same[at]
        out += (text[done:start], _blank(text[start:runs[close][1]]))
        done = runs[close][1]
        i = close + 1
    out.append(text[done:])
    return "".join(out)


def front_matter_end(text: str) -> int:
    """Where the front matter (``---`` ... ``---`` at the very start) ends, or 0."""
    match = _FRONT.match(text)
    return match.end() if match else 0


def mask_code(text: str) -> str:
    """``text`` with fenced code and code spans turned into spaces (offsets unchanged)."""
    return _mask_spans(_mask_fences(text))


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def front_matter_list(text: str, keys: tuple[str, ...]) -> list[str]:
    """The values of the first of ``keys`` in the front matter, as a list of strings.

    Reads the forms people write: ``tags: [a, b]``, ``tags: a, b``, ``tags: a b`` and a block
    list (``- a`` lines). A tiny reader on purpose: the engine needs two keys, and PyYAML has
    no pure-Python wheel that micropip could install in the browser.
    """
    match = _FRONT.match(text)
    if not match:
        return []
    lines = match.group(1).splitlines()
    for n, line in enumerate(lines):
        key = _KEY.match(line)
        if not key or key.group(1).lower() not in keys:
            continue
        value = key.group(2).split(" #", 1)[0].strip()
        if value.startswith("[") and value.endswith("]"):
            return [v for v in (_scalar(x) for x in value[1:-1].split(",")) if v]
        if value:
            parts = value.split(",") if "," in value else value.split()
            return [v for v in (_scalar(x) for x in parts) if v]
        items = []
        for follow in lines[n + 1:]:
            item = _ITEM.match(follow)
            if not item:
                if follow.strip():
                    break
                continue
            if item.group(1).strip():
                items.append(_scalar(item.group(1)))
        return items
    return []
