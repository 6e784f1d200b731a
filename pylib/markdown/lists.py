"""Ordered, bullet and task lists, nested by indentation.

An item's body is every following line indented at least as far as the item's content (or a
lazy paragraph continuation); the body is de-indented and parsed as blocks again. A list is
"loose" (paragraphs keep their `<p>`) when blank lines separate its items or their blocks.
"""

from __future__ import annotations

import re

from typing import Callable

from .lines import blank, indent_of, interrupts_paragraph, item_marker

# parse_blocks(lines, depth) -> (rendered blocks, blank line between blocks)
ParseBlocks = Callable[[list[str], int], tuple[list[str], bool]]

_TASK = re.compile(r"^\[([ xX])\](?:[ \t]+|$)")


def _kind(match) -> tuple[bool, str]:
    ordered = match.group(3) is not None
    return ordered, match.group(4) if ordered else match.group(2)


def _first_line(match) -> tuple[int, str]:
    """Return (content column, first line of the body) for an item marker match."""
    lead, marker, spaces, content = len(match.group(1)), match.group(2), match.group(5), match.group(6)
    if not spaces or not content.strip():
        return lead + len(marker) + 1, ""
    if len(spaces) > 4:  # the content is an indented code block: the marker takes one space
        return lead + len(marker) + 1, " " * (len(spaces) - 1) + content
    return lead + len(marker) + len(spaces), content


def _item_body(lines: list[str], j: int, width: int, body: list[str]) -> int:
    """Append the item's continuation lines to `body`; return the index after them."""
    while j < len(lines):
        line = lines[j]
        if blank(line):
            body.append("")
        elif indent_of(line) >= width:
            body.append(line[width:])
        elif body[-1] == "" or item_marker(line) or interrupts_paragraph(line):
            break
        else:
            body.append(line)  # lazy continuation of the item's paragraph
        j += 1
    return j


def _collect_items(lines: list[str], i: int) -> tuple[list[list[str]], bool, int]:
    """Split the list starting at `i` into item bodies; return (items, blank between, end)."""
    kind = _kind(item_marker(lines[i]))
    items: list[list[str]] = []
    separated, j = False, i
    while j < len(lines):
        match = item_marker(lines[j])
        if match is None or _kind(match) != kind:
            break
        width, first = _first_line(match)
        body = [first]
        j = _item_body(lines, j + 1, width, body)
        trailing = 0
        while len(body) > 1 and blank(body[-1]):
            body.pop()
            trailing += 1
        items.append(body)
        if trailing:
            following = item_marker(lines[j]) if j < len(lines) else None
            if following is None or _kind(following) != kind:
                j -= trailing  # the blank lines belong to whatever follows the list
                break
            separated = True
    return items, separated, j


def _parse_item(
    body: list[str], depth: int, parse_blocks: ParseBlocks
) -> tuple[list[str], str | None, bool]:
    """Parse an item body once; return (blocks, task state or None, blank between blocks)."""
    task = _TASK.match(body[0]) if body else None
    if task:
        body = [body[0][task.end():], *body[1:]]
    parsed, gap = parse_blocks(body, depth + 1)
    return parsed, (task.group(1) if task else None), gap


def _render_item(parsed: list[str], task: str | None, loose: bool) -> str:
    if not loose:
        parsed = [b[3:-4] if b.startswith("<p>") and b.endswith("</p>") else b for b in parsed]
    inner = "\n".join(parsed)
    if task is None:
        return f"<li>{inner}</li>"
    box = '<input type="checkbox" checked disabled> ' if task in "xX" else '<input type="checkbox" disabled> '
    inner = "<p>" + box + inner[3:] if inner.startswith("<p>") else box + inner
    return f'<li class="task-list-item">{inner}</li>'


def parse_list(
    lines: list[str], i: int, depth: int, parse_blocks: ParseBlocks
) -> tuple[str, int]:
    """Render the list starting at line `i`; return (html, index of the first line after it).

    ``parse_blocks`` renders an item's body (the block parser, passed in by its caller).
    """
    first = item_marker(lines[i])
    ordered, _ = _kind(first)
    bodies, loose, end = _collect_items(lines, i)
    items = [_parse_item(body, depth, parse_blocks) for body in bodies]
    # An item whose own blocks are separated by blank lines makes the whole list loose.
    loose = loose or any(gap for _, _, gap in items)
    rendered = [_render_item(parsed, task, loose) for parsed, task, _ in items]
    if ordered:
        start = int(first.group(3))
        open_tag = f'<ol start="{start}">' if start != 1 else "<ol>"
        close_tag = "</ol>"
    else:
        has_tasks = any(task is not None for _, task, _ in items)
        open_tag = '<ul class="contains-task-list">' if has_tasks else "<ul>"
        close_tag = "</ul>"
    return "\n".join([open_tag, *rendered, close_tag]), end
