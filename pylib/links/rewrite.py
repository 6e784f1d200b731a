"""Renaming or moving notes rewrites the links that point to them, in the same transaction.

:func:`relocate` wraps a rename or move: it notes which links resolve to the moved notes
(and the moved notes' own relative Markdown links) before the move, runs it, and then saves
each linking note with its links rewritten — through :func:`pylib.artifacts.set_content`, so
each save records a version and an activity entry like any edit. What a link says afterwards:

- ``[[Name]]`` → the new name when that resolves to the note, else its path from the root;
  ``[[folder/Name]]`` → the new path from the root; ``.md`` kept or left out as written;
  ``#heading`` and ``|label`` stay as they are;
- ``[x](../Name.md)`` → the new path relative to the linking note (spaces as ``%20``).

A link that already says the right thing is left alone (a folder move keeps ``[[Name]]``).
"""

from __future__ import annotations

import json
import posixpath
from typing import Any, Callable, TypeVar

from pylib import activity, artifacts, textstore
from pylib.db import Workspace
from pylib.links.index import Resolver, _text
from pylib.links.parse import Link, name_key, parse_links
from pylib.paths import normalize_folder

T = TypeVar("T")
_ESCAPES = (("%", "%25"), (" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"),
            (">", "%3E"), ("#", "%23"), ("?", "%3F"))


def _without_md(text: str, keep: bool) -> str:
    return text if keep or not text.lower().endswith(".md") or len(text) <= 3 else text[:-3]


def _encode(path: str) -> str:
    for raw, escaped in _ESCAPES:
        path = path.replace(raw, escaped)
    return path


def _new_target(resolver: Resolver, link: Link, target: tuple[str, str, str], folder: str,
                angled: bool) -> str:
    """What ``link`` should say to reach ``target`` (``(id, path, name)``) from ``folder``."""
    target_id, path, name = target
    keep_md = link.target.lower().endswith(".md")
    by_name = resolver.resolve(name_key(name), "name", None) == target_id
    if link.kind != "markdown":
        if "/" not in link.target and by_name:
            return _without_md(name, keep_md)
        return _without_md(path.lstrip("/"), keep_md)
    if "/" not in link.target and by_name:
        new = _without_md(name, keep_md)
    else:
        new = _without_md(posixpath.relpath(path, folder), keep_md)
    return new if angled else _encode(new)


def _rewritten(ws: Workspace, resolver: Resolver, source: str, wanted: dict[tuple, str],
               moved: set[str]) -> tuple[str, int] | None:
    row = ws.conn.execute(f"SELECT path, {textstore.column()} FROM artifacts WHERE id = ?"
                          " AND deleted_at IS NULL", (source,)).fetchone()
    text = _text(row[1]) if row else None
    if text is None:
        return None
    folder = row[0].rsplit("/", 1)[0] or "/"
    changed = 0
    for link in reversed(parse_links(text, folder)):
        target_id = wanted.get((link.kind, link.target, link.heading))
        if target_id is None or not (target_id in moved or (
                source in moved and link.kind == "markdown")):
            continue
        target = ws.conn.execute("SELECT id, path, name FROM artifacts WHERE id = ?",
                                 (target_id,)).fetchone()
        if target is None:
            continue
        angled = link.start > 0 and text[link.start - 1] == "<"
        new = _new_target(resolver, link, target, folder, angled)
        if new != text[link.start:link.end]:
            text = text[:link.start] + new + text[link.end:]
            changed += 1
    return (text, changed) if changed else None


def _links_before(ws: Workspace, moved: list[str]) -> dict[str, dict[tuple, str]]:
    ids = json.dumps(moved)
    rows = ws.conn.execute(
        "SELECT source_id, kind, target, heading, target_id FROM links"
        " WHERE target_id IN (SELECT value FROM json_each(?))"
        " OR (source_id IN (SELECT value FROM json_each(?)) AND kind = 'markdown'"
        "     AND target_id IS NOT NULL)", (ids, ids)).fetchall()
    by_source: dict[str, dict[tuple, str]] = {}
    for source, kind, target, heading, target_id in rows:
        by_source.setdefault(source, {})[(kind, target, heading)] = target_id
    return by_source


def relocate(ws: Workspace, moved: list[str] | Callable[[], list[str]],
             action: Callable[[], T]) -> tuple[T, dict[str, Any]]:
    """Run ``action`` (a rename or move of the artifacts ``moved``) and rewrite the links to
    them in one transaction. Returns the action's result and ``{notes, links}`` updated."""
    with ws.transaction():
        ids = moved() if callable(moved) else moved
        before = _links_before(ws, ids)
        result = action()
        resolver = Resolver(ws.conn)
        moved_set = set(ids)
        notes = links = 0
        for source in sorted(before):
            found = _rewritten(ws, resolver, source, before[source], moved_set)
            if found is None:
                continue
            artifacts.set_content(ws, source, found[0].encode("utf-8"))
            notes, links = notes + 1, links + found[1]
        if links:
            activity.log(ws, "LINKS_UPDATE", {"moved": ids[:100], "notes": notes,
                                              "links": links})
    return result, {"notes": notes, "links": links}


def ids_below(ws: Workspace, folder: str) -> Callable[[], list[str]]:
    """The live artifacts in ``folder`` and below, read when :func:`relocate` starts."""
    folder = normalize_folder(folder)
    return lambda: [i for (i,) in ws.conn.execute(
        "SELECT id FROM artifacts WHERE deleted_at IS NULL AND path > ? || '/'"
        " AND path < ? || '0'", (folder, folder))]
