"""Markdown rendering for the editor preview: what each construct turns into."""

from __future__ import annotations

import time

import pytest

from pylib.markdown import render_markdown

CASES = {
    "heading": ("# Title *one*", "<h1>Title <em>one</em></h1>"),
    "heading_closing_hashes": ("### Three ###", "<h3>Three</h3>"),
    "setext": ("Big\n===\n\nSmall\n---", "<h1>Big</h1>\n<h2>Small</h2>"),
    "not_a_heading": ("#hashtag", "<p>#hashtag</p>"),
    "paragraphs": ("one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>"),
    "emphasis": ("*em* _em_ **strong** __strong__ ***both***",
                 "<p><em>em</em> <em>em</em> <strong>strong</strong> <strong>strong</strong> "
                 "<em><strong>both</strong></em></p>"),
    "nested_emphasis": ("**a *b* c**", "<p><strong>a <em>b</em> c</strong></p>"),
    "intraword_underscore": ("snake_case_name", "<p>snake_case_name</p>"),
    "strikethrough": ("~~gone~~ ~also~", "<p><del>gone</del> <del>also</del></p>"),
    "inline_code": ("use `a < b` here", "<p>use <code>a &lt; b</code> here</p>"),
    "code_with_backticks": ("`` a`b ``", "<p><code>a`b</code></p>"),
    "fenced_code": ("```python\nif a < b:\n    pass\n```",
                    '<pre><code class="language-python">if a &lt; b:\n    pass\n</code></pre>'),
    "tilde_fence": ("~~~\n*not em*\n~~~", "<pre><code>*not em*\n</code></pre>"),
    "indented_code": ("    x = 1", "<pre><code>x = 1\n</code></pre>"),
    "blockquote": ("> quoted\n> **text**", "<blockquote>\n<p>quoted\n<strong>text</strong></p>\n"
                   "</blockquote>"),
    "nested_quote": ("> a\n>> b", "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n</blockquote>\n"
                     "</blockquote>"),
    "bullets": ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    "ordered": ("3. c\n4. d", '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>'),
    "nested_lists": ("- a\n  1. b\n     - c", "<ul>\n<li>a\n<ol>\n<li>b\n<ul>\n<li>c</li>\n</ul>"
                     "</li>\n</ol></li>\n</ul>"),
    "loose_list": ("- a\n\n- b", "<ul>\n<li><p>a</p></li>\n<li><p>b</p></li>\n</ul>"),
    "task_list": ("- [ ] todo\n- [x] done",
                  '<ul class="contains-task-list">\n'
                  '<li class="task-list-item"><input type="checkbox" disabled> todo</li>\n'
                  '<li class="task-list-item"><input type="checkbox" checked disabled> done</li>\n'
                  "</ul>"),
    "link": ('[site](https://example.com "Home")',
             '<p><a href="https://example.com" title="Home" rel="noopener noreferrer">site</a></p>'),
    "relative_and_fragment": ("[a](../x.md) [b](#top) [c](mailto:me@example.com)",
                              '<p><a href="../x.md" rel="noopener noreferrer">a</a> '
                              '<a href="#top" rel="noopener noreferrer">b</a> '
                              '<a href="mailto:me@example.com" rel="noopener noreferrer">c</a></p>'),
    "image": ("![a *cat*](/cat.png)",
              '<p><img src="/cat.png" alt="a cat" loading="lazy"></p>'),
    "autolink": ("<https://example.com>",
                 '<p><a href="https://example.com" rel="noopener noreferrer">'
                 "https://example.com</a></p>"),
    "bare_url": ("see https://example.com/a.",
                 '<p>see <a href="https://example.com/a" rel="noopener noreferrer">'
                 "https://example.com/a</a>.</p>"),
    "hr": ("a\n\n***\n\n- - -", "<p>a</p>\n<hr>\n<hr>"),
    "hard_breaks": ("a  \nb\\\nc", "<p>a<br>\nb<br>\nc</p>"),
    "table": ("| a | b | c |\n|:--|:-:|--:|\n| 1 | **2** | 3 |",
              "<table>\n<thead>\n<tr><th style=\"text-align: left\">a</th>"
              "<th style=\"text-align: center\">b</th><th style=\"text-align: right\">c</th></tr>\n"
              "</thead>\n<tbody>\n<tr><td style=\"text-align: left\">1</td>"
              "<td style=\"text-align: center\"><strong>2</strong></td>"
              "<td style=\"text-align: right\">3</td></tr>\n</tbody>\n</table>"),
    "escapes": ("\\*not em\\* \\# \\[x\\]", "<p>*not em* # [x]</p>"),
    "entities": ("&copy; &#65; &unknown; AT&T", "<p>© A &amp;unknown; AT&amp;T</p>"),
    "raw_html_is_text": ("<b>bold</b>", "<p>&lt;b&gt;bold&lt;/b&gt;</p>"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_renders(name):
    source, expected = CASES[name]
    assert render_markdown(source) == expected + "\n"


def test_empty_document():
    assert render_markdown("") == ""
    assert render_markdown("\n\n  \n") == ""


def test_windows_newlines_and_tabs():
    assert render_markdown("- a\r\n\t- b\r\n") == render_markdown("- a\n    - b\n")


def test_language_class_only_takes_safe_names():
    assert 'class="language-c++"' in render_markdown("```c++\nx\n```")
    assert "class" not in render_markdown('```a"b\nx\n```')


def _sample_document(size: int) -> str:
    block = (
        "## Meeting notes\n\nSome **bold** and _emphasis_, `code`, a [link](https://example.com)"
        " and ~~old~~ text with an ![image](/img.png).\n\n- item one\n- item two\n  - nested\n"
        "- [ ] task\n\n> a quote\n> over lines\n\n```python\nprint('hi')\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n1. first\n2. second\n\n---\n\n"
    )
    return (block * (size // len(block) + 1))[:size]


def test_fifty_kilobytes_render_quickly():
    """A guard against super-linear behaviour, not a benchmark.

    This very dense sample (a block every ~20 characters) takes ~25 ms of CPU in CPython on a
    laptop and ~90 ms on a loaded 2-core CI machine; Pyodide is a few times slower again.
    """
    text = _sample_document(50_000)
    render_markdown(text)  # warm up regexes
    started = time.process_time()
    html = render_markdown(text)
    elapsed = time.process_time() - started
    assert html.count("<h2>") > 100
    assert elapsed < 1.5, elapsed


# Inputs that make naive parsers quadratic or blow the stack. At 10 KB a quadratic parser
# needs seconds; a linear one a few milliseconds.
@pytest.mark.parametrize("text", [
    "[" * 10_000, "]" * 10_000, "[a](" * 2_500, "*a" * 5_000, "_" * 10_000, ">" * 10_000,
    "`" * 10_000, "".join("`" * i + "a" for i in range(1, 140)), "- " * 5_000,
    "".join("  " * i + "- x\n" for i in range(200)), "![a](" * 2_000, "<" * 10_000,
    "&#" * 5_000, "~~a" * 3_000, "**_" * 3_000, "|a" * 5_000 + "\n|-|\n",
    "> - " * 2_500, "1. " * 3_000, "[a](<" * 2_000, '[a](b "' * 2_000,
])
def test_hostile_inputs_stay_fast(text):
    started = time.perf_counter()
    html = render_markdown(text)
    assert time.perf_counter() - started < 2.0
    assert "<script" not in html
