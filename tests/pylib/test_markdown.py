"""Markdown rendering for the editor preview: what each construct turns into."""

from __future__ import annotations

import re
import time

import pytest

from pylib.markdown import MAX_RENDER_CHARS, render_markdown


def plain(html: str) -> str:
    """The output without the source-line marks (tested on their own below)."""
    return re.sub(r' data-line="\d+"', "", html)


CASES = {
    "heading": ('# Title *one*',
               '<h1 id="title-one">Title <em>one</em></h1>'),
    "heading_closing_hashes": ('### Three ###',
                              '<h3 id="three">Three</h3>'),
    "setext": ('Big\n===\n\nSmall\n---',
              '<h1 id="big">Big</h1>\n<h2 id="small">Small</h2>'),
    "not_a_heading": ("#hashtag", "<p>#hashtag</p>"),
    "paragraphs": ("one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>"),
    "emphasis": ("*em* _em_ **strong** __strong__ ***both***",
                 "<p><em>em</em> <em>em</em> <strong>strong</strong> <strong>strong</strong> "
                 "<em><strong>both</strong></em></p>"),
    "nested_emphasis": ("**a *b* c**", "<p><strong>a <em>b</em> c</strong></p>"),
    "intraword_underscore": ("snake_case_name", "<p>snake_case_name</p>"),
    "strikethrough": ('~~gone~~ ~also~',
                     '<p><del>gone</del> ~also~</p>'),
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
    "nested_lists": ('- a\n  1. b\n     - c',
                    '<ul>\n<li>a\n<ol>\n<li>b\n<ul>\n<li>c</li>\n</ul>\n</li>\n</ol>\n</li>\n</ul>'),
    "loose_list": ('- a\n\n- b',
                  '<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>'),
    "task_list": ('- [ ] todo\n- [x] done',
                 '<ul class="contains-task-list">\n<li class="task-list-item enabled"><input class="task-list-item-checkbox"  type="checkbox"> todo</li>\n<li class="task-list-item enabled"><input class="task-list-item-checkbox" checked="checked"  type="checkbox"> done</li>\n</ul>'),
    "link": ('[site](https://example.com "Home")',
            '<p><a href="https://example.com" title="Home">site</a></p>'),
    "relative_and_fragment": ('[a](../x.md) [b](#top) [c](mailto:me@example.com)',
                             '<p><a href="../x.md">a</a> <a href="#top">b</a> <a href="mailto:me@example.com">c</a></p>'),
    "image": ('![a *cat*](/cat.png)',
             '<p><img data-src="/cat.png" alt="a cat"></p>'),
    "autolink": ('<https://example.com>',
                '<p><a href="https://example.com">https://example.com</a></p>'),
    "bare_url": ('see https://example.com/a.',
                '<p>see https://example.com/a.</p>'),
    "hr": ("a\n\n***\n\n- - -", "<p>a</p>\n<hr>\n<hr>"),
    "hard_breaks": ("a  \nb\\\nc", "<p>a<br>\nb<br>\nc</p>"),
    "table": ('| a | b | c |\n|:--|:-:|--:|\n| 1 | **2** | 3 |',
             '<table>\n<thead>\n<tr>\n<th class="align-left">a</th>\n<th class="align-center">b</th>\n<th class="align-right">c</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td class="align-left">1</td>\n<td class="align-center"><strong>2</strong></td>\n<td class="align-right">3</td>\n</tr>\n</tbody>\n</table>'),
    "escapes": ("\\*not em\\* \\# \\[x\\]", "<p>*not em* # [x]</p>"),
    "entities": ("&copy; &#65; &unknown; AT&T", "<p>© A &amp;unknown; AT&amp;T</p>"),
    "raw_html_is_text": ("<b>bold</b>", "<p>&lt;b&gt;bold&lt;/b&gt;</p>"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_renders(name):
    source, expected = CASES[name]
    assert plain(render_markdown(source)) == expected + "\n"


def test_empty_document():
    assert render_markdown("") == ""
    assert render_markdown("\n\n  \n") == ""


FEATURES = {
    "footnote": ("a[^1]\n\n[^1]: the note",
                 ['<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>',
                  '<li id="fn1" class="footnote-item"><p data-line="2">the note <a href="#fnref1"']),
    "reference_link": ("[a][ref] and [ref]\n\n[ref]: https://x.example/ \"T\"",
                       ['<a href="https://x.example/" title="T">a</a> and '
                        '<a href="https://x.example/" title="T">ref</a>']),
    "email_autolink": ("<me@x.com>", ['<a href="mailto:me@x.com">me@x.com</a>']),
    "wiki_link": ("[[Plan]] [[Plan#Goals|the goals]] [[a/b]]",
                  ['<a href="#" class="wikilink" data-wiki="Plan">Plan</a>',
                   '<a href="#" class="wikilink" data-wiki="Plan" data-heading="Goals">the goals</a>',
                   'data-wiki="a/b">a/b</a>']),
    "wiki_embed": ("![[pic.png]] ![[Note]]",
                   ['<img data-wiki="pic.png" alt="pic.png">', 'data-wiki="Note">Note</a>']),
    "wiki_text_escaped": ('[[a"b<c>]]', ['data-wiki="a&quot;b&lt;c&gt;">a&quot;b&lt;c&gt;</a>']),
    "front_matter": ("---\ntitle: T\n---\n# H",
                     ['<details class="front-matter" data-line="0"><summary>Properties</summary>'
                      "<pre><code>title: T</code></pre></details>", '<h1 id="h" data-line="3">']),
    "not_front_matter": ("---\nFoo\n---\n", ["<hr", '<h2 id="foo"']),
    "heading_ids_unique": ("# A\n# A", ['<h1 id="a"', '<h1 id="a-1"']),
    "image_title": ('![x](a%20b.png "t")', ['<img data-src="a%20b.png" alt="x" title="t">']),
}


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_features(name):
    source, fragments = FEATURES[name]
    html = render_markdown(source)
    for fragment in fragments:
        assert fragment in html, html


def test_blocks_carry_their_source_line():
    html = render_markdown("# T\n\npara\n\n- [ ] one\n- [x] two\n\n```\ncode\n```\n")
    assert '<h1 id="t" data-line="0">' in html and '<p data-line="2">' in html
    assert '<li class="task-list-item enabled" data-line="4">' in html
    assert '<li class="task-list-item enabled" data-line="5">' in html
    assert '<code data-line="7">' in html


def test_long_documents_are_rendered_up_to_the_limit():
    text = ("word " * 19 + "\n") * (MAX_RENDER_CHARS // 90)
    html = render_markdown(text)
    assert html.endswith("characters of this document.</p>\n")
    assert html.count("word") < text.count("word")


def test_windows_newlines_and_tabs():
    assert render_markdown("- a\r\n\t- b\r\n") == render_markdown("- a\n    - b\n")


def test_language_class_only_takes_safe_names():
    assert 'class="language-c++"' in render_markdown("```c++\nx\n```")
    assert 'class="language-a&quot;b"' in render_markdown('```a"b\nx\n```')
    assert "onclick" not in render_markdown("``` onclick=alert(1)\nx\n```").replace(
        "language-onclick=alert(1)", "")


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
    assert html.count("<h2 ") > 100
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
    # Processor time, not wall time: a quadratic parser still needs seconds of it, and other
    # work on a shared machine does not count against this one.
    started = time.process_time()
    html = render_markdown(text)
    assert time.process_time() - started < 2.0
    assert "<script" not in html


def test_a_long_line_of_bare_urls_is_linear():
    """30,000 URLs on one line took 9–15 s in the old renderer (quadratic); linkify is off."""
    def cpu(n: int) -> float:
        text = " ".join(f"https://example.com/p{i}" for i in range(n))
        started = time.process_time()
        render_markdown(text)
        return time.process_time() - started

    small, large = cpu(3_000), cpu(30_000)
    assert large < 2.0 and large < 40 * max(small, 0.001), (small, large)
