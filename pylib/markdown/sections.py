"""Rendering a note in sections, so an edit re-renders only the section it touched.

A note is cut before each ATX heading (``# …`` with at most three spaces in front) outside
fenced code: a heading always ends the block before it, so each section parses as it would in
the whole note. What is global is handled so: single-line reference definitions are found
once and handed to every section; a note with footnotes or multi-line reference definitions
is rendered whole (their numbering and scope span sections). Each section's HTML numbers its
``data-line`` from the section's first line; the page adds ``start``.

Rendered sections are kept by their text (and the note's definitions), most recent first, so
typing in one section of a long note costs that section's render.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from . import front_matter_close, render_markdown

# Sections start at headings in the first column: one indented could be inside a list item.
_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_ANY_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
# A setext underline ends the paragraph above it as a heading; a definition may follow.
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# A line opening a list item or a block quote: a paragraph begun in one takes an unindented
# "===" as a lazy line of its text, not as a setext underline (CommonMark 5.2, 4.3).
_CONTAINER = re.compile(r" {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)| {0,3}>")
# A list item or quote line with nothing in it opens no paragraph (a definition may follow).
_EMPTY_CONTAINER = re.compile(r" {0,3}(?:[-+*]|\d{1,9}[.)]|>)[ \t]*$")
_DEFINITION = re.compile(r" {0,3}\[(?!\^)([^\]\n]{1,999})\]:[ \t]*\S")
# A definition in a quote or list item, or indented as deep as code: it may be one inside its
# container, and every definition counts for the whole note (only the whole note knows).
_NESTED_DEFINITION = re.compile(r"[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*\[(?!\^)[^\]\n]{1,999}\]:")
# Footnote definitions and reference definitions whose destination is on the next line.
_WHOLE_ONLY = re.compile(r"^ {0,3}\[(?:\^[^\]\n]+|[^\]\n]{1,999})\]:[ \t]*$|^ {0,3}\[\^[^\]\n]+\]:",
                         re.MULTILINE)
# A table's delimiter row (under a line with a "|"): the rows after it, to a blank line, are
# rows, a definition-like one too (a conservative reading: a terminator ends a table sooner).
_TABLE_DELIMITER = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
CACHE_SIZE = 4000
# The first characters of every line a rule above may match (and of a blank line: "").
_MAY_MARK = frozenset(" \t#>-+*_=`~[0123456789|:") | {""}


def _indent(line: str) -> int:
    """How many columns a line is indented (a tab goes to the next multiple of four)."""
    lead = line[:len(line) - len(line.lstrip(" \t"))]
    return len(lead.expandtabs(4))


def _record(definitions: dict[str, str], label: str, line: str) -> bool:
    """Keep a definition by its label, unindented (after a section that ends in a list item,
    an indented line would join the item and make its list loose); True if the label was
    defined before as something else: the first counts, and a later section would hold its
    own. The same line again (a note that repeats its definitions) changes nothing."""
    key = " ".join(label.casefold().split())
    return definitions.setdefault(key, line.lstrip()) != line.lstrip()


def _unsure(line: str, definition: bool, can_define: bool, in_container: bool,
            maybe_text: bool, underline: bool) -> bool:
    """Whether what ``line`` means depends on the list item or quote it may sit in."""
    return bool(
        (definition and maybe_text)  # after an item's indented text: a lazy line of it
        or (not _DEFINITION.match(line) and _NESTED_DEFINITION.match(line))
        # after a heading or rule inside a quote or item: a definition, not lazy text
        or (not can_define and in_container and _DEFINITION.match(line))
        # a lazy line of the item's text, or an underline inside it
        or (underline and in_container and not _RULE.match(line)))


def split_sections(text: str) -> list[tuple[int, str]]:
    """``(first line, text)`` of each section, in order; their texts joined are ``text``."""
    return _scan(text)[0]


def _scan(text: str) -> tuple[list[tuple[int, str]], dict[str, str], bool]:
    """The sections, the note's single-line reference definitions (by label; the first one
    counts) and whether only the whole note renders it right: a fence still open at the end,
    or an underline or a definition whose meaning depends on the list or quote it may sit in."""
    lines = text.split("\n")
    sections, definitions, start, fence = [], {}, 0, None
    can_define = True  # at the start, after a blank line, a heading or a definition
    in_container = unsure = False  # the paragraph under way began in a list item or quote
    table = False  # in a table's rows
    # An indented line in a list item may be code or (indented relative to the item) text,
    # which takes a definition-like line after it as a lazy line: only the whole note knows.
    maybe_text = False
    # Front matter is one block, whatever its lines look like ("# " in YAML is a comment): the
    # first section holds it up to the line that closes it (the front matter plugin closes it
    # there or before), so that section is read as having front matter as the note is. A
    # closing line ending in other white space than spaces and tabs, which the plugin may not
    # take, leaves only the whole note sure.
    front_end = front_matter_close(text)
    if front_end >= 0 and lines[front_end].rstrip(" \t") not in ("---", "..."):
        return [(0, text)], {}, True
    for n, line in enumerate(lines):
        if n <= front_end:
            continue  # can_define stays True: a definition may follow the block
        if line[:1] not in _MAY_MARK:  # most lines: text, which none of the rules below take
            if fence is None and can_define:
                in_container = False  # an unindented paragraph after a break is outside
            can_define = False
            continue
        match = _FENCE.match(line)
        if match:
            mark = match.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not line.strip().strip(mark[0]):
                fence = None
                can_define = True
                continue
        elif fence is None:
            if n > start and _HEADING.match(line):
                sections.append((start, "\n".join(lines[start:n]) + "\n"))
                start = n
            # A definition cannot interrupt a paragraph: only after a blank line, a heading or
            # another definition (outside code).
            definition = _DEFINITION.match(line) if can_define else None
            table = bool(line.strip()) and (table or n > 0 and "|" in lines[n - 1]
                                            and bool(_TABLE_DELIMITER.match(line)))
            if definition:
                unsure = _record(definitions, definition.group(1), line) or table or unsure
            # An indented line outside a paragraph is code, which a definition may follow.
            code = can_define and line[:1] in (" ", "\t") and _indent(line) >= 4
            underline = not can_define and _SETEXT.match(line)
            if underline or "]:" in line:  # else none of _unsure's cases
                unsure = unsure or _unsure(line, bool(definition), can_define, in_container,
                                           maybe_text, bool(underline))
            maybe_text = (code and in_container) or (maybe_text and bool(line.strip()))
            if _CONTAINER.match(line):
                in_container = True
            elif can_define and line.strip() and not line.startswith((" ", "\t")):
                in_container = False  # an unindented paragraph after a break is outside
            empty = _EMPTY_CONTAINER.match(line) and (can_define or line.lstrip()[0] == ">")
            can_define = bool(definition or code or not line.strip() or _ANY_HEADING.match(line)
                              or _RULE.match(line) or underline or empty)
            continue
        can_define = False
    sections.append((start, "\n".join(lines[start:])))
    return sections, definitions, fence is not None or unsure


def _used(definitions: dict[str, str], chunk: str) -> str:
    """The definitions whose label the section may use (its text names the label)."""
    if not definitions:
        return ""
    folded = " ".join(chunk.casefold().split())
    return "\n".join(line for label, line in definitions.items() if label in folded)


class SectionRenderer:
    """Renders notes section by section, keeping what it rendered (see the module's notes).

    Each kept rendering has a number (``key``) that stays the same while it is kept, so the
    page that received its HTML once can be sent the number instead (see :meth:`render_keyed`).
    """

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self.cache: OrderedDict[tuple[str, str], tuple[int, str]] = OrderedDict()
        self.cache_size = cache_size
        self._next_key = 0

    def render(self, text: str) -> list[tuple[int, str]]:
        """``(first line, html)`` per section (one section when the note must be whole)."""
        return [(start, html) for start, _key, html in self.render_keyed(text)]

    def render_keyed(self, text: str, until_line: int | None = None) -> list[tuple[int, int, str | None]]:
        """``(first line, key, html)`` per section. With ``until_line``, sections starting after
        that line are not rendered: they come as ``(first line, -1, None)`` (a first screen
        shows at once, the rest follows)."""
        if _WHOLE_ONLY.search(text):
            return [(0, *self._section(text, "", whole=True))]
        sections, definitions, whole_only = _scan(text)
        if whole_only:  # e.g. definitions added after the last section would land in its code
            return [(0, *self._section(text, "", whole=True))]
        out = []
        for start, chunk in sections:
            if until_line is not None and start > until_line:
                out.append((start, -1, None))
            else:
                out.append((start, *self._section(chunk, _used(definitions, chunk))))
        return out

    def _section(self, chunk: str, definitions: str, whole: bool = False) -> tuple[int, str]:
        key = (definitions, chunk)
        kept = self.cache.get(key)
        if kept is None:
            # The definitions go after the section, where they render nothing.
            html = render_markdown(f"{chunk}\n\n{definitions}\n" if definitions else chunk)
            self._next_key += 1
            kept = (self._next_key, html)
            if not whole:  # a whole note is not kept (it would crowd out its sections)
                self.cache[key] = kept
                if len(self.cache) > self.cache_size:
                    self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(key)
        return kept
