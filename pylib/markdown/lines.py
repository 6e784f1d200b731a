"""Line classification shared by the block parser and the list parser.

Which kind of block a line may start (fence, heading, rule, quote, list item) and whether it
interrupts a paragraph. Kept apart so that :mod:`.blocks` and :mod:`.lists` both depend on it
and not on each other.
"""

from __future__ import annotations

import re

# Every block start except blank lines begins (after up to 3 spaces) with one of these.
BLOCK_HINT = re.compile(r" {0,3}[`~#*_>+\-=0-9]")
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
ATX = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$")
HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
QUOTE = re.compile(r"^ {0,3}> ?(.*)$")
ITEM = re.compile(r"^( {0,3})([-+*]|(\d{1,9})([.)]))( +|$)(.*)$")


def blank(line: str) -> bool:
    return not line.strip()


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def item_marker(line: str):
    """Match a list item marker; returns the match or None (hr lines are not items)."""
    if HR.match(line):
        return None
    return ITEM.match(line)


def interrupts_paragraph(line: str) -> bool:
    if not BLOCK_HINT.match(line):
        return blank(line)
    if blank(line) or FENCE.match(line) or ATX.match(line) or HR.match(line):
        return True
    if QUOTE.match(line):
        return True
    item = item_marker(line)
    if item is None or blank(item.group(6)):
        return False
    return item.group(3) is None or item.group(3) == "1"
