"""Links and tags in a note's text, as Obsidian users write them.

Links: ``[[Note]]``, ``[[Note|label]]``, ``[[Note#Heading]]``, ``[[folder/Note]]``, embeds
``![[Note]]``, and Markdown links to other notes (``[x](../Plan.md)``, ``[x](Plan.md#h)``,
``[x](<My Note.md>)``, ``%20`` decoded); URLs (any ``scheme:``), ``//host`` and same-note
``#anchors`` are not links to notes. Tags: ``#tag`` and ``#area/sub`` after a space or at the
start of a line (so ``# Title``, ``a#b`` and URL fragments are not tags), at least one
character that is not a digit (``#123`` is not a tag), and front-matter ``tags:``/``tag:``.
Nothing inside code spans or fenced code counts. Keys (:func:`name_key`, :func:`path_key`)
are case-folded and NFC-normalised, without a trailing ``.md``: that is how links match notes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

from pylib.links.markup import front_matter_end, front_matter_list, mask_code

# No optional "!" in front: a pattern that starts with a literal is searched for much faster;
# an embed's "!" is looked up before the match instead.
_WIKI = re.compile(r"\[\[([^\[\]\n]{1,1000})\]\]")
_MD = re.compile(
    r"\[([^\[\]\n]*(?:\[[^\[\]\n]*\][^\[\]\n]*)*)\]\([ \t]*"
    r"(<[^<>\n]{0,2000}>|[^\s()<>]{1,2000})"
    r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*\)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# A tag: after the start of a line or whitespace; letters, digits, _ - / and non-ASCII.
# (What comes before the "#" is checked by hand: a pattern that starts with a lookbehind is
# tried at every position, one that starts with "#" is searched for.)
_TAG = re.compile(r"#([\w/\-]+)")
_TAG_CHARS = re.compile(r"^[\w/\-]+$")
MAX_LINKS = 5000
MAX_TAGS = 1000


@dataclass(frozen=True)
class Link:
    """One link as written. ``kind``: ``wiki``, ``embed`` (``![[...]]``) or ``markdown``.

    ``target`` is the note part as written (decoded for Markdown links), ``start``/``end``
    its span in the text (what a rename rewrites), ``path`` the absolute path a Markdown
    link names (relative to the note's folder) — ``None`` for wiki links.
    """

    kind: str
    target: str
    heading: str
    label: str
    start: int
    end: int
    path: str | None = None

    @property
    def mode(self) -> str:
        """How it resolves: ``name`` (by name), ``suffix`` (``[[folder/Note]]``: a path that
        ends so), or ``exact`` (a Markdown link with folders: that path only)."""
        if self.kind == "markdown":
            return "name" if "/" not in self.target else "exact"
        return "suffix" if "/" in self.target else "name"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def name_key(name: str) -> str:
    """How a name is matched: case-folded, NFC, without a trailing ``.md``."""
    key = _nfc(name).casefold()
    return key[:-3] if key.endswith(".md") and len(key) > 3 else key


def path_key(path: str) -> str:
    """How a path is matched: ``/`` + case-folded segments, the last without ``.md``."""
    head, _, last = _nfc(path).strip("/").rpartition("/")
    return "/" + (head.casefold() + "/" if head else "") + name_key(last)


def link_keys(link: Link) -> tuple[str, str | None]:
    """``(name_key, path_key)`` of a link: its last segment, and the path it names (absolute
    for Markdown links, ``/`` + the target for ``[[folder/Note]]``, else ``None``)."""
    last = link.target.rstrip("/").rsplit("/", 1)[-1]
    if link.path is not None:
        return name_key(last), path_key(link.path)
    return name_key(last), path_key(link.target) if "/" in link.target else None


def _wiki(match: re.Match[str], text: str) -> Link | None:
    inner = match.group(1)
    target, bar, label = inner.partition("|")
    target = target.rstrip("\\")  # [[Note\|label]] inside a table
    target, _, heading = target.partition("#")
    start = match.start(1)
    stripped = target.strip()
    if not stripped:
        return None  # [[#Heading]]: a heading of the same note
    start += len(target) - len(target.lstrip())
    embed = match.start() > 0 and text[match.start() - 1] == "!"
    return Link("embed" if embed else "wiki", stripped, heading.strip(),
                label.strip() if bar else "", start, start + len(stripped))


def _join(folder: str, relative: str) -> str | None:
    """``relative`` from ``folder`` as an absolute path, or ``None`` if it climbs above the
    root or names no file."""
    parts = [] if relative.startswith("/") else [p for p in folder.split("/") if p]
    for part in relative.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part and part != ".":
            parts.append(part)
    if not parts or relative.endswith("/"):
        return None
    return "/" + "/".join(parts)


def _markdown(match: re.Match[str], folder: str) -> Link | None:
    raw = match.group(2)
    start = match.start(2)
    if raw.startswith("<"):
        raw, start = raw[1:-1], start + 1
    dest, _, heading = raw.partition("#")
    dest = dest.partition("?")[0]
    if not dest or _SCHEME.match(dest) or dest.startswith("//"):
        return None
    decoded = unquote(dest)
    joined = _join(folder, decoded)
    if joined is None:
        return None
    # An image ![x](pic.png) links to its file like any Markdown link.
    return Link("markdown", decoded, unquote(heading),
                match.group(1), start, start + len(dest), joined)


def parse_links(text: str, folder: str = "/", masked: str | None = None) -> list[Link]:
    """Every link of a note in ``folder``, in order (at most :data:`MAX_LINKS`)."""
    masked = mask_code(text) if masked is None else masked
    found: list[Link] = []
    for match in _WIKI.finditer(masked) if "[[" in masked else ():
        link = _wiki(match, masked)
        if link is not None:
            found.append(link)
    taken = [(link.start, link.end) for link in found]
    for match in _MD.finditer(masked) if "](" in masked else ():
        if any(s <= match.start() < e for s, e in taken):
            continue
        link = _markdown(match, folder)
        if link is not None:
            found.append(link)
    found.sort(key=lambda link: link.start)
    return found[:MAX_LINKS]


def _clean_tag(raw: str) -> str | None:
    tag = raw.strip().lstrip("#").strip("/")
    if not tag or not _TAG_CHARS.match(tag) or tag.replace("/", "").isdigit():
        return None
    if any(not part for part in tag.split("/")):
        return None
    return _nfc(tag)


def parse_tags(text: str, masked: str | None = None) -> list[str]:
    """Tags of a note as written (first spelling of each, case-insensitively), in order:
    front-matter ``tags:`` first, then ``#tags`` of the body."""
    masked = mask_code(text) if masked is None else masked
    body_from = front_matter_end(text)
    raw = [*front_matter_list(text, ("tags", "tag"))]
    raw += [m.group(1) for m in _TAG.finditer(masked, body_from)
            if m.start() == 0 or masked[m.start() - 1].isspace()]
    seen: dict[str, str] = {}
    for item in raw:
        tag = _clean_tag(item)
        if tag is not None and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
            if len(seen) >= MAX_TAGS:
                break
    return list(seen.values())


def tag_rows(tags: list[str]) -> dict[str, tuple[str, int]]:
    """``{key: (spelling, direct)}`` for tags and every parent of a nested one: ``area/sub``
    also files the note under ``area`` (``direct`` 0), as the sidebar's counts need."""
    rows: dict[str, tuple[str, int]] = {}
    for tag in tags:
        parts = tag.split("/")
        for depth in range(1, len(parts) + 1):
            spelling = "/".join(parts[:depth])
            key = spelling.casefold()
            old = rows.get(key)
            rows[key] = (old[0] if old else spelling, max(int(depth == len(parts)),
                                                          old[1] if old else 0))
    return rows
