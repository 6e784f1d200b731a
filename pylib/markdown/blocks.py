"""Block-level Markdown: headings, paragraphs, code, quotes, lists, tables, rules.

A small line-oriented parser in the spirit of CommonMark + GFM, not a full implementation:
it covers what people write in notes and stays linear in the size of the document. Container
blocks (quotes, list items) re-parse their de-indented lines; nesting is capped so a hostile
document cannot exhaust the (small, in the browser) stack.
"""

from __future__ import annotations

import html
import re

from .inline import render_inline
from .lines import (
    ATX, BLOCK_HINT, FENCE, HR, QUOTE, blank, indent_of, interrupts_paragraph, item_marker,
)
from .lists import parse_list
from .tables import is_table_start, parse_table

MAX_DEPTH = 24

_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_TASK = re.compile(r"^\[([ xX])\](?:[ \t]+|$)")
_LANGUAGE = re.compile(r"^[A-Za-z0-9_+#.\-]{1,40}$")


def parse_blocks(lines: list[str], depth: int = 0) -> tuple[list[str], bool]:
    """Render `lines` as a list of block HTML strings.

    Also returns whether a blank line separated two blocks, which makes a list item "loose".
    """
    out: list[str] = []
    i, gap, pending_gap = 0, False, False
    while i < len(lines):
        if blank(lines[i]):
            pending_gap = bool(out)
            i += 1
            continue
        gap = gap or pending_gap
        pending_gap = False
        block, i = _parse_block(lines, i, depth)
        out.append(block)
    return out, gap


def _parse_block(lines: list[str], i: int, depth: int) -> tuple[str, int]:
    line = lines[i]
    if indent_of(line) >= 4:
        return _indented_code(lines, i)
    if not BLOCK_HINT.match(line):  # the common case: a line of plain text
        if i + 1 < len(lines) and is_table_start(line, lines[i + 1]):
            return parse_table(lines, i)
        return _paragraph(lines, i)
    if FENCE.match(line):
        return _fenced_code(lines, i)
    heading = ATX.match(line)
    if heading:
        content = re.sub(r"(?:^|[ \t]+)#+[ \t]*$", "", heading.group(2).strip())
        level = len(heading.group(1))
        return f"<h{level}>{render_inline(content)}</h{level}>", i + 1
    if HR.match(line):
        return "<hr>", i + 1
    if depth < MAX_DEPTH and QUOTE.match(line):
        return _blockquote(lines, i, depth)
    if depth < MAX_DEPTH and item_marker(line):
        # List items re-enter parse_blocks: it is handed over, so lists never imports blocks.
        return parse_list(lines, i, depth, parse_blocks)
    if i + 1 < len(lines) and is_table_start(lines[i], lines[i + 1]):
        return parse_table(lines, i)
    return _paragraph(lines, i)


def _fenced_code(lines: list[str], i: int) -> tuple[str, int]:
    opening = FENCE.match(lines[i])
    indent, fence, info = len(opening.group(1)), opening.group(2), opening.group(3).strip()
    if fence[0] == "`" and "`" in info:
        return _paragraph(lines, i)
    closing = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
    body, j = [], i + 1
    while j < len(lines) and not closing.match(lines[j]):
        body.append(lines[j][min(indent, indent_of(lines[j])):])
        j += 1
    language = info.split()[0] if info else ""
    cls = f' class="language-{language}"' if _LANGUAGE.match(language) else ""
    code = html.escape("\n".join(body) + ("\n" if body else ""))
    return f"<pre><code{cls}>{code}</code></pre>", j + 1


def _indented_code(lines: list[str], i: int) -> tuple[str, int]:
    body, j = [], i
    while j < len(lines) and (blank(lines[j]) or indent_of(lines[j]) >= 4):
        body.append(lines[j][4:])
        j += 1
    while body and blank(body[-1]):
        body.pop()
    return f"<pre><code>{html.escape(chr(10).join(body) + chr(10))}</code></pre>", j


def _blockquote(lines: list[str], i: int, depth: int) -> tuple[str, int]:
    inner: list[str] = []
    j = i
    while j < len(lines):
        quoted = QUOTE.match(lines[j])
        if quoted:
            inner.append(quoted.group(1))
        elif inner and not blank(inner[-1]) and not interrupts_paragraph(lines[j]):
            inner.append(lines[j])  # lazy continuation of a quoted paragraph
        else:
            break
        j += 1
    blocks, _ = parse_blocks(inner, depth + 1)
    return "\n".join(["<blockquote>", *blocks, "</blockquote>"]), j


def _paragraph(lines: list[str], i: int) -> tuple[str, int]:
    para, j = [lines[i].lstrip()], i + 1
    while j < len(lines):
        line = lines[j]
        if not BLOCK_HINT.match(line) and "|" not in line and line.strip():
            para.append(line.lstrip())  # plain continuation: nothing can start here
            j += 1
            continue
        setext = _SETEXT.match(line)
        if setext:
            level = 1 if setext.group(1)[0] == "=" else 2
            return f"<h{level}>{render_inline(chr(10).join(para).rstrip())}</h{level}>", j + 1
        if interrupts_paragraph(line):
            break
        if j + 1 < len(lines) and is_table_start(line, lines[j + 1]):
            break
        para.append(line.lstrip())
        j += 1
    body = render_inline("\n".join(para).rstrip())
    return f"<p>{body}</p>", j
