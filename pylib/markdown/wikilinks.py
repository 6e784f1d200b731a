"""``[[Note]]``, ``[[Note#Heading]]``, ``[[Note|label]]`` and ``![[image.png]]`` for markdown-it.

The same syntax as :mod:`pylib.links.parse` (at most 1000 characters, no brackets or newlines
inside). A link becomes ``<a href="#" class="wikilink" data-wiki="Note" data-heading="…">``:
the page resolves the note by name, as the engine's link index does, and opens it in the app.
An embedded image becomes ``<img data-wiki="image.png">``, which the page loads from the
workspace; other embeds show as links.
"""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.rules_inline import StateInline

MAX_TARGET = 1000
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".bmp", ".svg")


def _parse(state: StateInline, start: int, silent: bool, embed: bool) -> bool:
    src = state.src
    if not src.startswith("[[", start):
        return False
    end = src.find("]]", start + 2, start + 4 + MAX_TARGET)
    # `[[[x]]]` is brackets around a link label, not a wiki link.
    if end < 0 or src.startswith("]", end + 2) or (start and src[start - 1] == "["):
        return False
    inner = src[start + 2:end]
    if not inner.strip() or any(ch in inner for ch in "[]\n"):
        return False
    # `[[label]]` around a defined reference `[label]: url` stays CommonMark's link.
    if normalizeReference(inner) in state.env.get("references", {}):
        return False
    if not silent:
        target, _, label = inner.partition("|")
        note, _, heading = target.partition("#")
        token = state.push("wikilink", "a", 0)
        token.meta = {"note": note.strip(), "heading": heading.strip(),
                      "label": label.strip() or target.strip(), "embed": embed}
    state.pos = end + 2
    return True


def _wikilink(state: StateInline, silent: bool) -> bool:
    return _parse(state, state.pos, silent, embed=False)


def _embed(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "!":
        return False
    return _parse(state, state.pos + 1, silent, embed=True)


def _render(self, tokens, idx, options, env) -> str:  # noqa: ANN001 (markdown-it's signature)
    meta = tokens[idx].meta
    note, label = escape(meta["note"]), escape(meta["label"])
    if meta["embed"] and meta["note"].lower().endswith(IMAGE_EXTENSIONS):
        return f'<img data-wiki="{note}" alt="{label}">'
    heading = f' data-heading="{escape(meta["heading"])}"' if meta["heading"] else ""
    return f'<a href="#" class="wikilink" data-wiki="{note}"{heading}>{label}</a>'


def wikilinks_plugin(md: MarkdownIt) -> None:
    """Add wiki links and embeds, tried before CommonMark's links and images."""
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.inline.ruler.before("image", "wikilink_embed", _embed)
    md.add_render_rule("wikilink", _render)
