"""The sentence around a link, as the backlinks panel shows it.

Computed when a note is indexed (:mod:`pylib.links.index`) and stored with the link
(migration 0022), so reading a note's backlinks reads rows and parses no note again.
"""

from __future__ import annotations

import re
from typing import Any

CONTEXT_CHARS = 240
_SENTENCE_END = re.compile(r"[.!?。](?=\s)|\n")


def context(text: str, start: int, end: int) -> dict[str, Any]:
    """The sentence around ``text[start:end]`` (within its line, at most about
    :data:`CONTEXT_CHARS`), its 1-based line and 0-based column (which orders the links of a
    line, and changes with typing only on that line), and where the link sits in it."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    begin = line_start
    for match in _SENTENCE_END.finditer(text, line_start, start):
        begin = match.end()
    stop = line_end
    match = _SENTENCE_END.search(text, end, line_end)
    if match:
        stop = match.end()
    begin = max(begin, start - CONTEXT_CHARS // 2)
    stop = min(stop, end + CONTEXT_CHARS // 2)
    raw = text[begin:stop]
    lead = len(raw) - len(raw.lstrip())
    snippet = raw.strip()
    return {"text": snippet, "line": text.count("\n", 0, start) + 1, "column": start - line_start,
            "start": start - begin - lead, "end": end - begin - lead}
