"""Nothing in a document can become active HTML: XSS payloads and fuzzing against an allow-list.

The checker parses the output with the standard library's HTML parser (which decodes
character references in attribute values the way a browser does) and accepts only the tags
and attributes the renderer documents, with safe values.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from pylib.markdown import render_markdown

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # Pyodide's test environment ships pytest only
    given = None

# Written out here, apart from the renderer's own policy.json, so a loosened policy fails.
ALLOWED: dict[str, set[str]] = {
    **{f"h{n}": {"id"} for n in range(1, 7)},
    **{tag: set() for tag in ("p", "br", "hr", "em", "strong", "del", "pre", "blockquote", "code",
                              "ul", "table", "thead", "tbody", "tr", "th", "td", "sup", "section",
                              "details", "summary")},
    "ol": {"start"}, "li": {"id"}, "input": {"type", "checked"},
    "a": {"href", "title", "id", "data-wiki", "data-heading"},
    "img": {"data-src", "data-wiki", "alt", "title"},
}
EVERYWHERE = {"class", "data-line"}
_CLASSES = {"contains-task-list", "task-list-item", "task-list-item-checkbox", "enabled",
            "footnote-ref", "footnote-backref", "footnotes", "footnotes-sep", "footnotes-list",
            "footnote-item", "wikilink", "front-matter", "preview-truncated",
            "align-left", "align-center", "align-right"}
_SAFE_SCHEMES = {"http", "https", "mailto"}


def _url_is_safe(url: str) -> bool:
    # Independent of the renderer's own check: drop everything a browser might ignore (and
    # more), then a leading scheme (ASCII letter, then letters, digits, "+.-", up to ":") must
    # be an allowed one; anything else is a relative reference to a browser.
    compact = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    compact = compact.replace("\u200b", "").replace("\u200e", "").replace("\u200f", "")
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", compact)
    return match is None or match.group(1).lower() in _SAFE_SCHEMES


class AllowListChecker(HTMLParser):
    """Collects every violation of the allow-list in the parsed output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED:
            self.problems.append(f"tag <{tag}>")
            return
        for name, value in attrs:
            if name not in ALLOWED[tag] | EVERYWHERE:
                self.problems.append(f"attribute {name} on <{tag}>")
            elif not self._value_ok(tag, name, value):
                self.problems.append(f"value {name}={value!r} on <{tag}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in ALLOWED:
            self.problems.append(f"end tag </{tag}>")

    def handle_comment(self, data):
        self.problems.append("comment")

    def handle_decl(self, decl):
        self.problems.append("declaration")

    def handle_pi(self, data):
        self.problems.append("processing instruction")

    def unknown_decl(self, data):
        self.problems.append("unknown declaration")

    @staticmethod
    def _value_ok(tag: str, name: str, value: str | None) -> bool:
        if name in ("href", "data-src"):
            return value is not None and _url_is_safe(value)
        if name == "class":
            return all(c in _CLASSES or re.fullmatch(r"language-\S{1,60}", c)
                       for c in (value or "").split())
        if name == "type":
            return value == "checkbox"
        if name == "checked":
            return value == "checked"
        if name in ("start", "data-line"):
            return (value or "").isdigit()
        if name == "id":
            return bool(value) and not any(ch.isspace() for ch in value)
        return name in ("title", "alt", "data-wiki", "data-heading")  # free text, escaped


def problems_in(html: str) -> list[str]:
    checker = AllowListChecker()
    checker.feed(html)
    checker.close()
    # Every "<" that starts markup must be one of ours; escaped text never contains "<".
    for match in re.finditer(r"<(/?)([a-zA-Z0-9]*)", html):
        if match.group(2).lower() not in ALLOWED:
            checker.problems.append(f"stray {match.group()!r}")
    return checker.problems


def test_checker_catches_what_it_should():
    assert problems_in('<p onclick="x">a</p>') == ["attribute onclick on <p>"]
    assert problems_in('<a href="jav&#x61;script:alert(1)" rel="noopener noreferrer">')
    assert problems_in("<script>alert(1)</script>")
    assert problems_in('<img src="data:image/png;base64,AAAA" alt="">')
    assert problems_in('<img data-src="javascript:alert(1)" alt="">')
    assert problems_in('<td style="text-align: left">')
    assert problems_in("<!-- c -->")


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml-stylesheet href='javascript:alert(1)'?>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](<java\tscript:alert(1)>)",
    "[x](java&#115;cript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    "[x](&#0000106avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](jav&Tab;ascript:alert(1))",
    "[x](\x00javascript:alert(1))",
    "[x](\u200bjavascript:alert(1))",
    "[x](java\u200bscript:alert(1))",
    "[x](\u202ejavascript:alert(1))",
    "[x](javascript\\:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml,<svg/onload=alert(1)>)",
    "![x](<data:image/png;base64,AAAA>)",
    "[![x](javascript:alert(1))](javascript:alert(2))",
    '[x](https://ok.example/"onmouseover="alert(1))',
    "[x](https://ok.example/'onmouseover='alert(1))",
    '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")',
    '[x](https://ok.example "a&quot; onmouseover=&quot;alert(1)")',
    '![a" onerror="alert(1)](https://ok.example/i.png)',
    "![a' onerror='alert(1)](https://ok.example/i.png 'b\\' onerror=\\'alert(2)')",
    '<https://ok.example/"onmouseover="alert(1)>',
    "<javascript:alert(1)>",
    "<mailto:x@y.z?body=<script>>",
    "https://ok.example/\"><script>alert(1)</script>",
    '```"><script>alert(1)</script>\ncode\n```',
    "``` onclick=alert(1)\ncode\n```",
    "`<script>alert(1)</script>`",
    "# <b onmouseover=alert(1)>x</b>",
    "- [x] <img src=x onerror=alert(1)>",
    "| <script>alert(1)</script> |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <script>alert(1)</script>",
    "*<script>*alert(1)*</script>*",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<a href='x' onclick='alert(1)'>[link](https://ok.example)</a>",
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    "[x](https://ok.example)<!--",
    "<details open ontoggle=alert(1)>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_is_inert(payload):
    html = render_markdown(payload)
    assert problems_in(html) == [], html
    lowered = html.lower()
    assert "<script" not in lowered and "<img src" not in lowered
    for attr in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert _url_is_safe(attr.replace("&amp;", "&")), html


def test_unsafe_link_stays_text():
    assert (render_markdown("[click me](javascript:alert(1))")
            == '<p data-line="0">[click me](javascript:alert(1))</p>\n')
    assert (render_markdown("![alt text](data:image/png;base64,AAAA)")
            == '<p data-line="0">![alt text](data:image/png;base64,AAAA)</p>\n')


def test_raw_html_shows_as_text():
    html = render_markdown('<div onclick="x">hi</div>')
    assert html == '<p data-line="0">&lt;div onclick=&quot;x&quot;&gt;hi&lt;/div&gt;</p>\n'


def test_checked_renderer_output_matches_the_shared_policy():
    """The page's sanitiser reads policy.json: it must allow at least what is checked here."""
    from pylib.markdown.policy import attribute_allowed, class_allowed, policy

    for tag, attrs in ALLOWED.items():
        for attr in attrs | EVERYWHERE:
            assert attribute_allowed(tag, attr), (tag, attr)
    assert set(policy()["tags"]) == set(ALLOWED)
    assert all(class_allowed(c) for c in _CLASSES) and class_allowed("language-python")
    assert not class_allowed("btn") and set(policy()["schemes"]) == _SAFE_SCHEMES


MARKDOWN_ALPHABET = "*_~`[]()!<>&#;:/\\|-+=.\"' \n\tahjsvcript1xX" + "\u200b\u202e\x00"
MARKDOWN_FRAGMENTS = [
    "javascript:", "data:", "<script>", "](", "![", "```", "> ", "- [ ] ", "1. ", "| a |",
    "|---|", "&#x6A;", "&colon;", "http://", "onerror=", '"', "\n\n", "    ", "**", "~~",
]

URL_PIECES = ["javascript", "JAVA", "script", "vbscript", "data", ":", "&#x6A;", "&#58;",
              "&colon;", "&Tab;", "\t", " ", "\\", "<", ">", "alert(1)", "(", ")", "%0a",
              "\u200b", "\x00", "http", "https", "//", "#", "?", "/", "mailto", '"', "'"]

if given is not None:
    link = st.builds(
        lambda bang, label, dest, title: f"{bang}[{label}]({dest}{title})",
        st.sampled_from(["", "!"]),
        st.text(alphabet=MARKDOWN_ALPHABET, max_size=6),
        st.lists(st.sampled_from(URL_PIECES), max_size=8).map("".join),
        st.sampled_from(["", ' "t"', " 'a\" b'", ' (x"y)']),
    )
    autolink = st.lists(st.sampled_from(URL_PIECES), max_size=6).map(lambda p: f"<{''.join(p)}>")
    markdown_text = st.lists(
        st.one_of(st.text(alphabet=MARKDOWN_ALPHABET, max_size=12),
                  st.sampled_from(MARKDOWN_FRAGMENTS),
                  link, autolink,
                  st.text(max_size=6)),
        max_size=30,
    ).map("".join)

    @settings(max_examples=400, deadline=None)
    @given(markdown_text)
    def test_fuzzed_documents_only_produce_allowed_markup(text):
        assert problems_in(render_markdown(text)) == []

    @settings(max_examples=150, deadline=None)
    @given(st.text(max_size=300))
    def test_any_text_only_produces_allowed_markup(text):
        html = render_markdown(text)
        assert problems_in(html) == []
        assert isinstance(html, str)
