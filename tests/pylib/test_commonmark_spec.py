"""The CommonMark spec's own examples (0.31.2) against the preview's renderer.

``commonmark/spec.json`` is vendored from the ``commonmark-spec`` npm package (its
``tests`` export, with the spec's ``→`` turned back into tabs; CC-BY-SA-4.0, see the
LICENSE beside it). Examples that involve raw HTML are left out: the preview shows raw HTML as
text on purpose. Quire's own additions are normalised away before comparing (``data-line``,
heading ids, ``<img data-src>``), so this measures the parser, plugins and link allow-list.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pylib.markdown import render_markdown

SPEC = json.loads((Path(__file__).parent / "commonmark" / "spec.json").read_text(encoding="utf-8"))
RAW_HTML_SECTIONS = {"HTML blocks", "Raw HTML"}
# An HTML tag, comment, processing instruction or declaration (an autolink has a ":" or "@").
_RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|<!|<\?", re.MULTILINE)
TARGET = 0.99


def involves_raw_html(example: dict) -> bool:
    """True for examples about raw HTML, or whose source or expected output carry some."""
    if example["section"] in RAW_HTML_SECTIONS or _RAW_HTML.search(example["markdown"]):
        return True
    return False


def normalise(html: str) -> str:
    """Quire's additions removed, and void tags written one way."""
    html = re.sub(r' data-line="\d+"', "", html)
    html = re.sub(r'(<h[1-6]) id="[^"]*"', r"\1", html)
    html = html.replace("<img data-src=", "<img src=")
    html = re.sub(r"<(br|hr|img[^>]*?|input[^>]*?)\s*/?>", r"<\1>", html)
    # As the spec's own normaliser: line breaks between tags do not count (text never holds
    # a raw "<", so this cannot touch code).
    return re.sub(r">\n+<", "><", html).strip()


CHECKED = [e for e in SPEC if not involves_raw_html(e)]


def spec_failures() -> list[int]:
    return [e["example"] for e in CHECKED
            if normalise(render_markdown(e["markdown"])) != normalise(e["html"])]


def test_spec_examples_pass():
    failures = spec_failures()
    passed = len(CHECKED) - len(failures)
    share = passed / len(CHECKED)
    print(f"\nCommonMark 0.31.2: {passed} of {len(CHECKED)} examples without raw HTML pass "
          f"({share:.1%}); failing: {failures}")
    assert len(SPEC) == 652 and len(CHECKED) > 500
    assert share >= TARGET, failures


@pytest.mark.parametrize("number", [1, 42, 192, 196, 205, 281, 353, 481, 568, 594])
def test_spot_examples(number):
    example = SPEC[number - 1]
    assert normalise(render_markdown(example["markdown"])) == normalise(example["html"])
