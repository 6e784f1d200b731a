"""GFM pipe tables: a header row, a delimiter row (`|:--|:-:|--:|`), then body rows."""

from __future__ import annotations

import re

from .inline import render_inline

_DELIM_ROW = re.compile(r"^ {0,3}\|?(?:[ \t]*:?-+:?[ \t]*\|)*[ \t]*:?-+:?[ \t]*\|?[ \t]*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
# Alignment comes from our own fixed strings, never from the document.
_ALIGN = {"left": ' style="text-align: left"', "center": ' style="text-align: center"',
          "right": ' style="text-align: right"', "": ""}


def split_row(line: str) -> list[str]:
    """Split a pipe-table row into stripped cells (an escaped `\\|` stays inside its cell)."""
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.strip() for cell in _CELL_SPLIT.split(row)]


def is_table_start(header: str, delimiter: str) -> bool:
    """True when `header` followed by `delimiter` opens a table with matching column counts."""
    if "|" not in header or not _DELIM_ROW.match(delimiter):
        return False
    return len(split_row(header)) == len(split_row(delimiter))


def _alignment(cell: str) -> str:
    if cell.startswith(":") and cell.endswith(":"):
        return "center"
    if cell.endswith(":"):
        return "right"
    return "left" if cell.startswith(":") else ""


def _row(cells: list[str], aligns: list[str], tag: str) -> str:
    cells = (cells + [""] * len(aligns))[:len(aligns)]
    inner = "".join(f"<{tag}{_ALIGN[align]}>{render_inline(cell)}</{tag}>"
                    for cell, align in zip(cells, aligns))
    return f"<tr>{inner}</tr>"


def parse_table(lines: list[str], i: int) -> tuple[str, int]:
    """Render the table starting at line `i`; body rows run until a blank or pipe-less line."""
    aligns = [_alignment(cell) for cell in split_row(lines[i + 1])]
    out = ["<table>", "<thead>", _row(split_row(lines[i]), aligns, "th"), "</thead>"]
    j = i + 2
    body = []
    while j < len(lines) and lines[j].strip() and "|" in lines[j]:
        body.append(_row(split_row(lines[j]), aligns, "td"))
        j += 1
    if body:
        out += ["<tbody>", *body, "</tbody>"]
    out.append("</table>")
    return "\n".join(out), j
