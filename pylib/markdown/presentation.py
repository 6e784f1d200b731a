"""What the preview adds to markdown-it's output, as core rules and render rules.

- ``data-line`` on blocks: the source line each starts at (split view scrolls by it, and a
  task checkbox knows which line to edit);
- table alignment as ``class="align-…"`` rather than ``style`` (no inline CSS passes the
  sanitiser: CSS can fetch URLs);
- images as ``<img data-src>``: the page turns a workspace path into a ``blob:`` URL and
  refuses remote images, so nothing rendered can make the browser fetch anything by itself;
- a fence's language class only for plain language names; ``<del>`` for strikethrough (GFM);
- front matter shown as a collapsed "Properties" block.
"""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_LINE_TYPES = frozenset({
    "paragraph_open", "heading_open", "list_item_open", "blockquote_open", "table_open",
    "tr_open", "fence", "code_block", "hr", "bullet_list_open", "ordered_list_open",
})
_ALIGN = re.compile(r"text-align:(left|center|right)")
_LANGUAGE = re.compile(r"\S{1,60}")


def _annotate(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in _LINE_TYPES and token.map:
            token.attrSet("data-line", str(token.map[0]))
        if token.type == "heading_open" and token.attrs.get("id") == "":
            del token.attrs["id"]  # an empty heading has no anchor
        elif token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            match = _ALIGN.fullmatch(str(style or ""))
            if match:
                token.attrSet("class", f"align-{match.group(1)}")
        elif token.type == "fence":
            language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
            token.info = language if _LANGUAGE.fullmatch(language) else ""


def _image(self, tokens, idx, options, env) -> str:  # noqa: ANN001 (markdown-it's signature)
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    title = token.attrGet("title")
    title_attr = f' title="{escape(str(title))}"' if title else ""
    return f'<img data-src="{escape(str(token.attrGet("src") or ""))}" alt="{escape(alt)}"{title_attr}>'


def _front_matter(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    return ('<details class="front-matter" data-line="0"><summary>Properties</summary>'
            f"<pre><code>{escape(tokens[idx].content)}</code></pre></details>\n")


def presentation_plugin(md: MarkdownIt) -> None:
    """Install the rules above (after block parsing, so every block token has its map)."""
    md.core.ruler.push("quire_annotate", _annotate)
    md.add_render_rule("image", _image)
    md.add_render_rule("front_matter", _front_matter)
    md.add_render_rule("s_open", lambda *_: "<del>")
    md.add_render_rule("s_close", lambda *_: "</del>")
