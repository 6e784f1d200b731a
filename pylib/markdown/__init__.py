"""Safe Markdown for the preview, rendered by markdown-it-py.

CommonMark plus GFM tables (alignment kept) and strikethrough, footnotes, task lists, front
matter, heading ids and ``[[wiki links]]`` (mdit-py-plugins and :mod:`.wikilinks`). Raw HTML
is off (it shows as text), ``linkify`` is off (bare URLs stay text: its matcher has a
quadratic case), every link and image target must pass :func:`.urls.is_safe_url`, and a
document longer than :data:`MAX_RENDER_CHARS` is rendered up to that point. What the output
may contain is :mod:`.policy` (``policy.json``), the same file the page's sanitiser reads.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .presentation import presentation_plugin
from .urls import is_safe_url
from .wikilinks import wikilinks_plugin

__all__ = ["MAX_RENDER_CHARS", "build_parser", "render_markdown"]

# About 250 pages of prose; beyond that the preview says it shows the beginning.
MAX_RENDER_CHARS = 1_000_000


# Front matter: YAML between "---" lines at the very start, with at least one "key:" line
# ("---\nFoo\n---" stays a rule and a heading, as CommonMark says).
_YAML_KEY = re.compile(r"[ \t]*[\w\"'-][^:]*:(?:[ \t]|$)")
_FRONT_MATTER_LINES = 200


def front_matter_close(text: str) -> int:
    """The line closing the front matter ``text`` opens with, or -1 (none)."""
    lines = text.split("\n", _FRONT_MATTER_LINES + 1)[:_FRONT_MATTER_LINES]
    if not lines or lines[0].rstrip() != "---":
        return -1
    keys = False
    for n, line in enumerate(lines[1:], 1):
        if line.rstrip() in ("---", "..."):
            return n if keys else -1
        keys = keys or bool(_YAML_KEY.match(line))
    return -1


def has_front_matter(text: str) -> bool:
    """Whether ``text`` opens with front matter (the parser reads it as such only then)."""
    return front_matter_close(text) >= 0


def build_parser(front_matter: bool = True) -> MarkdownIt:
    """A new parser with Quire's options, plugins and link allow-list."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                   "xhtmlOut": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = is_safe_url
    if front_matter:
        md.use(front_matter_plugin)
    md.use(footnote_plugin).use(tasklists_plugin, enabled=True)
    md.use(anchors_plugin, min_level=1, max_level=6).use(wikilinks_plugin)
    md.use(presentation_plugin)
    return md


@cache
def _parser(front_matter: bool) -> MarkdownIt:
    return build_parser(front_matter)


def render_markdown(text: str) -> str:
    """Render Markdown ``text`` to safe HTML (only what :mod:`.policy` allows)."""
    notice = ""
    if len(text) > MAX_RENDER_CHARS:
        cut = text.rfind("\n", 0, MAX_RENDER_CHARS)
        text = text[:cut if cut > 0 else MAX_RENDER_CHARS]
        notice = (f'<p class="preview-truncated">The preview shows the first '
                  f"{len(text):,} characters of this document.</p>\n")
    return _parser(has_front_matter(text)).render(text) + notice
