"""The search box's syntax, translated into a safe FTS5 ``MATCH`` expression.

People type words (all must match), ``"exact phrases"``, ``prefix*``, ``-excluded`` words or
phrases and ``OR`` between two terms. Anything else — an unbalanced quote, a lone ``-``, FTS5's
own operators (``NEAR(``, ``name:``, ``^``, ``+``, parentheses) — is searched as plain words:
every term reaches FTS5 as a double-quoted string, the only FTS5 token that cannot be an
operator, so no input can change the expression's structure or make it fail to parse.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 1000
# More terms than anyone types; a bound keeps a pasted essay from building a huge expression.
MAX_TERMS = 32


@dataclass(frozen=True)
class Term:
    """One word or phrase; ``prefix`` when it ended with ``*``."""

    text: str
    prefix: bool = False
    phrase: bool = False

    def fts(self) -> str:
        """This term as an FTS5 string: quoted (``"`` doubled), ``*`` outside the quotes."""
        return '"' + self.text.replace('"', '""') + '"' + ("*" if self.prefix else "")


@dataclass
class Parsed:
    """A query as terms: ``groups`` are AND-ed, the terms of one group OR-ed."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def terms(self) -> list[Term]:
        """Every positive term, in order (what the page highlights in an opened document)."""
        return [t for g in self.groups for t in g]


def _is_token_char(ch: str) -> bool:
    """What the unicode61 tokenizer keeps: letters, numbers, marks (diacritics, removed by
    the index) and private use; everything else separates tokens."""
    category = unicodedata.category(ch)
    return category[0] in "LNM" or category == "Co"


def _has_token(text: str) -> bool:
    """True if the tokenizer would find a token here. A term without one would be an empty
    phrase, which FTS5 matches with nothing and which would then empty a whole AND query."""
    return any(_is_token_char(ch) for ch in text)


def _pieces(word: str) -> list[str]:
    """A bare word split where the tokenizer would split it (``NEAR(a`` → ``NEAR``, ``a``)."""
    out, current = [], []
    for ch in word:
        if _is_token_char(ch):
            current.append(ch)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def _lex(query: str) -> list[tuple[str, Term]]:
    """``(role, term)`` pairs, role ``+``, ``-`` or ``OR``; quotes only pair up when balanced."""
    out: list[tuple[str, Term]] = []
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        role = "+"
        if query[i] == "-" and i + 1 < n and not query[i + 1].isspace():
            role, i = "-", i + 1
        if query[i] == '"' and '"' in query[i + 1:]:
            end = query.index('"', i + 1)
            text, i = query[i + 1:end], end + 1
            prefix = i < n and query[i] == "*"
            while i < n and query[i] == "*":
                i += 1
            out.append((role, Term(text, prefix, phrase=True)))
            continue
        start = i
        # An unbalanced quote is a separator, like any other punctuation.
        while i < n and not query[i].isspace() and not (query[i] == '"' and i > start):
            i += 1
        word = query[start:i].lstrip('"')
        if word == "OR" and role == "+":
            out.append(("OR", Term(word)))
            continue
        stem = word.rstrip("*")
        prefix = stem != word and bool(stem) and _is_token_char(stem[-1])
        if role == "-":
            # An excluded word stays whole: "-e-mail" drops the e-mail, not every "e".
            out.append((role, Term(stem, prefix=prefix)))
            continue
        # Bare words are plain words: punctuation inside (an FTS5 operator, a column filter,
        # "e-mail") separates words that must all match, as the index's tokenizer sees them.
        pieces = _pieces(stem)
        out += [(role, Term(piece, prefix=prefix and k == len(pieces) - 1))
                for k, piece in enumerate(pieces)]
    return out


def parse(query: str) -> Parsed:
    """Split a search-box query into terms (never raises on any text)."""
    parsed = Parsed()
    pending_or = False
    kept = 0
    # NUL would end the expression early inside FTS5's parser; it is no token character.
    for role, term in _lex(query[:MAX_QUERY_CHARS].replace("\x00", " ")):
        if role == "OR" and parsed.groups and not pending_or:
            pending_or = True
            continue
        if role == "OR":
            role = "+"
        if not _has_token(term.text) or kept >= MAX_TERMS:
            continue
        kept += 1
        if pending_or and role == "+":
            parsed.groups[-1].append(term)
        elif role == "-":
            parsed.excluded.append(term)
        else:
            parsed.groups.append([term])
        if pending_or and role == "-":
            # "a OR -b": OR joins positive terms only, so here it was the word "or".
            parsed.groups.append([Term("OR")])
        pending_or = False
    # A trailing OR is a query still being typed ("cats OR"): it adds nothing yet.
    return parsed


def to_match(parsed: Parsed) -> str | None:
    """The FTS5 expression for ``parsed``, or ``None`` when nothing positive is left to find
    (FTS5 cannot search for "everything except")."""
    if not parsed.groups:
        return None
    positive = " AND ".join(
        "(" + " OR ".join(t.fts() for t in group) + ")" for group in parsed.groups)
    if not parsed.excluded:
        return positive
    return f"({positive}) NOT ({' OR '.join(t.fts() for t in parsed.excluded)})"


def translate(query: str) -> str | None:
    """:func:`parse` then :func:`to_match`."""
    return to_match(parse(query))
