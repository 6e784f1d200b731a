"""Splitting a document into the chunks that are embedded: one per heading section, with the
section's breadcrumb ("Note › Section › Subsection") in front, long sections split so that no
chunk exceeds the model's 256 word pieces.

The engine has no tokenizer (it runs in Pyodide; the tokenizer lives in the embedding worker),
so the length of a piece of text in word pieces is estimated, on the safe side: a word of up
to six letters is one piece, a longer one a piece per four letters, digits a piece per two,
a word mixing letters and digits (hashes, codes) nearly a piece per character, every other
character one, and a sixth more on top (``tests/pylib/test_semantic_chunks.py`` checks the
estimate against the real tokenizer). The worker truncates at 256 all the same, so an estimate that falls short loses a
few words from a chunk's end, never more.

Memory stays bounded for a large document: :func:`chunk_spans` is a generator over offsets
into the text (no copy of the text per section), and a chunk's text is built only when asked.

Only prose is embedded. A span whose letters and digits are mostly in tokens no language has
as a word (letters mixed with digits, or a run of more than 24 letters: base64, hex dumps,
hashes, minified data) means nothing a person would search for by meaning, and a pasted blob
of it would cost thousands of embeddings (1.8 MB of base64 is about 7,800 chunks): such spans
are left out. Words search still finds what is in them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

MODEL_ID = "all-MiniLM-L6-v2-int8"
MAX_PIECES = 256
# [CLS] and [SEP], and a margin for the joint between breadcrumb and text.
RESERVED_PIECES = 4
SEPARATOR = " › "
MAX_BREADCRUMB_CHARS = 200
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_TOKEN = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]")
MARGIN = 7 / 6
_SENTENCE_END = frozenset(".!?;:\n")
# A span is prose unless more than half of its letters and digits are in non-words (see the
# module's docstring); one with fewer than this many is too short to tell and goes with the
# span before it in its section (the tail of a pasted blob is not prose either).
PROSE_MIN_CHARS = 64
LONGEST_WORD = 24


@dataclass(frozen=True)
class Chunk:
    """One chunk: its number in the document, its breadcrumb and where its text lies."""

    number: int
    section: str
    start: int
    end: int

    def text(self, content: str) -> str:
        """What is embedded: the breadcrumb, a newline, the section's text in this span."""
        body = content[self.start:self.end].strip()
        return f"{self.section}\n{body}" if body else self.section


def chunk_id(text: str, model: str = MODEL_ID) -> str:
    """A chunk's identity: the same text under the same model is never embedded twice."""
    return hashlib.sha256(f"{model}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def estimate_pieces(text: str) -> int:
    """Word pieces of ``text`` by the estimate above (at least the real count, nearly always)."""
    return int(sum(_pieces(m.group()) for m in _TOKEN.finditer(text)) + 0.999)


@lru_cache(maxsize=1 << 16)  # words repeat: a large document is mostly cache hits
def _pieces(token: str) -> float:
    if not token[0].isascii() or not token[0].isalnum():
        return MARGIN
    if token.isalpha():
        return MARGIN * (1 if len(token) <= 6 else len(token) / 4)
    if token.isdigit():
        return MARGIN * max(1, len(token) / 2)
    return MARGIN * 0.85 * len(token)


def note_title(name: str) -> str:
    """A document's name without its extension: the breadcrumb's first part."""
    stem, dot, ext = name.rpartition(".")
    return stem if dot and stem and len(ext) <= 8 else name


def _sections(content: str) -> Iterator[tuple[list[str], int, int]]:
    """``(heading path, start, end)`` of each section; headings inside code fences are text."""
    path: list[tuple[int, str]] = []
    start, fenced, pos = 0, False, 0
    for line in content.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            found = _HEADING.match(line.rstrip("\r\n"))
            if found:
                yield [h for _, h in path], start, pos
                level = len(found.group(1))
                path = [p for p in path if p[0] < level] + [(level, found.group(2))]
                start = pos + len(line)
        pos += len(line)
    yield [h for _, h in path], start, len(content)


def _breadcrumb(title: str, headings: list[str]) -> str:
    if headings and headings[0].strip().casefold() == title.strip().casefold():
        headings = headings[1:]  # "# Refund policy" in "Refund policy.md" says it once
    crumb = SEPARATOR.join([title, *headings])
    return crumb if len(crumb) <= MAX_BREADCRUMB_CHARS else crumb[:MAX_BREADCRUMB_CHARS - 1] + "…"


def _non_word(token: str) -> int:
    """The length of ``token`` if it is letters and digits that make no word, else 0."""
    if not token.isascii() or not token.isalnum() or token.isdigit():
        return 0
    return len(token) if not token.isalpha() or len(token) > LONGEST_WORD else 0


def _is_prose(chars: int, non_word: int, before: bool) -> bool:
    return before if chars < PROSE_MIN_CHARS else 2 * non_word <= chars


def _split(content: str, start: int, end: int, budget: float) -> Iterator[tuple[int, int, bool]]:
    """Spans of ``content[start:end]`` within ``budget`` pieces each, cut after a sentence
    when one ends in the second half of the span, else between words; each with whether it
    is prose."""
    span_start, used, last_stop = start, 0, None
    chars = odd = 0  # letters and digits in the span so far, and of them in non-words
    at_stop = (0, 0)  # the same, up to last_stop
    prose = True  # the span before
    for m in _TOKEN.finditer(content, start, end):
        token = m.group()
        cost = _pieces(token)
        if used + cost > budget and used:
            cut = last_stop if last_stop is not None else m.start()
            kept = at_stop if last_stop is not None else (chars, odd)
            prose = _is_prose(*kept, prose)
            yield span_start, cut, prose
            chars, odd = chars - kept[0], odd - kept[1]
            span_start, last_stop = cut, None
            used = sum(_pieces(t.group()) for t in _TOKEN.finditer(content, cut, m.start()))
        used += cost
        if token[0].isalnum():
            chars += len(token)
            odd += _non_word(token)
        if token in _SENTENCE_END and used > budget // 2:
            last_stop = m.end()
            at_stop = (chars, odd)
    if content[span_start:end].strip():
        yield span_start, end, _is_prose(chars, odd, prose)


def chunk_spans(name: str, content: str) -> Iterator[Chunk]:
    """The chunks of one document's prose, in order (numbered from 0). A document with no
    text, or none that is prose, gives one chunk holding its name, so it can still be found
    by meaning."""
    title = note_title(name)
    number = 0
    for headings, start, end in _sections(content):
        if not content[start:end].strip():
            continue
        section = _breadcrumb(title, headings)
        budget = MAX_PIECES - RESERVED_PIECES - estimate_pieces(section)
        for span_start, span_end, prose in _split(content, start, end, max(budget, 32.0)):
            if prose:
                yield Chunk(number, section, span_start, span_end)
                number += 1
    if number == 0:
        yield Chunk(0, _breadcrumb(title, []), 0, 0)
