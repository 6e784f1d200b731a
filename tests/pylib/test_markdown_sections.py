"""Rendering in sections gives what rendering the whole note gives, and an edit re-renders
only its section."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pylib.markdown import render_markdown
from pylib.markdown.sections import SectionRenderer, split_sections


def joined(sections: list[tuple[int, str]]) -> str:
    """The sections as one HTML, with their lines made absolute and heading ids left out
    (ids are unique within a section only)."""
    out = "".join(re.sub(r'data-line="(\d+)"', lambda m: f'data-line="{int(m.group(1)) + start}"', html)
                  for start, html in sections)
    return _same(out)


def _same(html: str) -> str:
    # Line breaks between tags do not show; a section may end with one more or one less.
    return re.sub(r">\n+<", "><", re.sub(r' id="[^"]*"', "", html)).strip()


def whole(text: str) -> str:
    return _same(render_markdown(text))


DOCS = {
    # "===" under a list item's or quote's text is a lazy line of it, so a definition after it
    # is text too; indented, it underlines a heading inside the item.
    "lazy_underline_in_list": "1. one\n===\n[ref]: /u\n\n# B\n[ref]\n",
    "lazy_underline_in_quote": "> q\n===\n[ref]: /u\n[ref]\n",
    "underline_inside_item": "1. one\n   ===\n[ref]: /u\n\n# B\n[ref]\n",
    "lazy_after_indented_item_text": "1. one\n\n   two\n===\n[ref]: /u\n[ref]\n",
    # An indented line in an item may be its text (then a definition after it is a lazy line).
    "item_text_after_heading": "- [ ] task\n   ### three\n    indented\n[ref]: /u\n# B\n[ref]\n",
    "item_text_after_break": "- [ ] task\n   ### three\n\n    indented\n[ref]: /u\n# B\n[ref]\n",
    # Definitions are handed on unindented: indented, one would join the list item before it.
    "indented_definition_after_item": "   [ref]: /u\n- [ ] task\n",
    # Every definition counts for the whole note, one inside a quote too (the first wins).
    "definition_in_quote": "[REF]: /w\n# H\n[ref]\n> [ref]: /u\n",
    # A tab indents code, which does not end at "===" (a paragraph's text does not follow).
    "tab_code_then_equals": "\tcode\n===\n   [ref]: /u\n# B\n[ref]\n",
    # Defined twice: the first counts, though a later section holds its own.
    "defined_twice": "[REF]: /w\n# H\n   [ref]: /u\n[ref]\n",
    # The same definition again in a later section (a note that repeats them): nothing changes.
    "defined_again_alike": "# A\n[ref]: /u \"T\"\n[ref]\n# B\n[ref]: /u \"T\"\n[Ref]\n",
    # A heading in a quote ends its paragraph: an unquoted definition after it counts.
    "definition_after_quoted_heading": "[ref]\n# H\n> # qh\n[ref]: /u\n",
    # An empty list item opens no paragraph: a definition may follow it.
    "empty_item_then_definition": "- \n[ref]: /u\n# H\n[Ref]\n",
    "headings": "# A\n\npara *one*\n\n## B\n\n- x\n- y\n\n### C\ntext\n",
    "fence_with_hashes": "# A\n\n```\n# not a heading\n```\n\n~~~~\n## nor this\n~~~\n~~~~\n# B\n",
    "references_across": "# A\n\nsee [the site][site] and [Site]\n\n# B\n\n[site]: https://x.example/ \"T\"\n",
    "front_matter": "---\ntitle: x\n---\n# A\n\ntext\n# B\n",
    # Inside front matter a "#" line is YAML (a comment), not a heading to cut at.
    # A table's rows go on after a "===" row: a definition-like row is a row.
    "table_row_like_a_definition": "|---|---|\n|---|---|\n===\n[REF]: /w\n\n# B\n[ref]\n",
    "front_matter_with_hashes": "---\n# H\n```\n  - [ref]: /u\n```\n---\n# A\n[ref]\n",
    "front_matter_closed_by_dots": "---\ntitle: x\n# H\n...\n# A\n[ref]: /u\n# B\n[ref]\n",
    "front_matter_never_closed": "---\ntitle: x\n# H\ntext\n# B\n",
    # The parser closes it at "   ----" (indented less than code, as many dashes or more).
    "front_matter_indented_close": "---\ntitle: x\n# H\n    ---\n   ----\n# A\n---\n# B\n",
    "quote_then_heading": "> quoted\n# Heading\n> again\n",
    "indented_hash": "para\n    # code\n# real\n",
    "no_headings": "just\n\ntext\n",
    "tasks": "# T\n\n- [ ] a\n- [x] b\n\n# U\n\n- [ ] c\n",
}


@pytest.mark.parametrize("name", sorted(DOCS))
def test_sections_render_as_the_whole(name):
    text = DOCS[name]
    assert joined(SectionRenderer().render(text)) == whole(text)


def test_sections_start_at_headings_outside_code():
    starts = [start for start, _ in split_sections(DOCS["fence_with_hashes"])]
    assert starts == [0, 10]
    assert "".join(chunk for _, chunk in split_sections(DOCS["headings"])) == DOCS["headings"]


def test_footnotes_render_the_note_whole():
    text = "# A\n\nx[^1]\n\n# B\n\n[^1]: note\n"
    sections = SectionRenderer().render(text)
    assert len(sections) == 1 and 'class="footnotes"' in sections[0][1]


def test_an_edit_renders_only_its_section():
    renderer = SectionRenderer()
    text = "".join(f"# Part {n}\n\nSome text of part {n}.\n\n" for n in range(50))
    renderer.render(text)
    assert len(renderer.cache) == 50
    edited = text.replace("text of part 20.", "text of part 20, edited.")
    sections = renderer.render(edited)
    assert len(renderer.cache) == 51 and len(sections) == 50
    assert "edited" in sections[20][1] and sections[20][0] == 80


LINES = st.sampled_from([
    "# H", "## Sub", "   ### three", "    # code", "text", "*em* and `code`", "", "", "```", "~~~",
    "````", "- item", "  - nested", "> quote", "| a | b |", "|---|---|", "[ref]", "[ref]: /u",
    "Setext", "===", "---", "1. one", "title: x", "   ----", "...", "---\f", "[^n] x",
    "    indented", "- [ ] task", "[[Wiki]]",
    "   [ref]: /u", "> [ref]: /u", "\tcode", "-", "> ", "[REF]: /w", "  - [ref]: /u",
])


def test_a_definition_repeated_alike_keeps_the_note_in_sections():
    # Whole, every keystroke would render all of it again (a 100 KB note: 418 ms against 50).
    text = "".join(f"# S{i}\nsee [the roadmap][roadmap]\n\n[roadmap]: https://x.example/r\n\n"
                   for i in range(5))
    assert len(SectionRenderer().render(text)) == 5
    other = text.replace("x.example/r\n\n# S4", "x.example/q\n\n# S4")  # defined otherwise
    assert len(SectionRenderer().render(other)) == 1


@settings(max_examples=int(os.environ.get("QUIRE_SECTION_EXAMPLES", "300")), deadline=None)
@given(st.lists(LINES, max_size=40).map("\n".join))
def test_any_note_renders_in_sections_as_whole(text):
    assert joined(SectionRenderer().render(text)) == whole(text)
