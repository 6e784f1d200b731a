"""Safe Markdown for the editor preview.

`render_markdown(text)` turns a document into HTML built only from an allow-list of tags and
attributes. Every character of the document is escaped: raw HTML shows as text, never as markup,
and links or images may only point at http(s), mailto, `#fragments` or relative URLs.

Tags:  h1-h6 p br hr em strong del code pre blockquote ul ol li input table thead tbody tr th td
       a img
Attrs: a[href rel title] img[src alt title loading] code[class=language-*] ol[start]
       ul[class] li[class] input[type checked disabled] th/td[style=text-align]
"""

from __future__ import annotations

from .blocks import parse_blocks

__all__ = ["render_markdown"]


def _lines(text: str) -> list[str]:
    # NUL is replaced as CommonMark asks; tabs in indentation count as four columns.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if "\t" in line:
            body = line.lstrip(" \t")
            lines[n] = line[:len(line) - len(body)].expandtabs(4) + body
    return lines


def render_markdown(text: str) -> str:
    """Render Markdown `text` to safe HTML (a string of block elements separated by newlines)."""
    blocks, _ = parse_blocks(_lines(text))
    return "\n".join(blocks) + ("\n" if blocks else "")
