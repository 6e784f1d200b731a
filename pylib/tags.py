"""Tags of notes, from the link index (:mod:`pylib.links.index`: ``note_tags``, and
``tag_counts``, so the sidebar's list reads one row per tag, not one per tagged note).

Tags match case-insensitively and are shown as first written. A nested tag ``area/sub``
files its note under ``area`` as well, so a parent's count is the number of notes tagged
with it or anything below it, as in Obsidian's tag pane.
"""

from __future__ import annotations

from typing import Any

from pylib.db import Workspace



def list_tags(ws: Workspace) -> list[dict[str, Any]]:
    """Every tag as a tree: ``{tag, name, count, direct, children}`` sorted by tag, where
    ``count`` is the notes with the tag or one below it and ``direct`` those with exactly it."""
    rows = ws.conn.execute(
        "SELECT tag_key, tag, notes, direct FROM tag_counts ORDER BY tag_key").fetchall()
    nodes: dict[str, dict[str, Any]] = {}
    top: list[dict[str, Any]] = []
    for key, tag, count, direct in rows:
        node = {"tag": tag, "name": tag.rsplit("/", 1)[-1], "count": count,
                "direct": direct, "children": []}
        nodes[key] = node
        parent = nodes.get(key.rsplit("/", 1)[0]) if "/" in key else None
        (parent["children"] if parent is not None else top).append(node)
    return top


def notes(ws: Workspace, tag: str, nested: bool = True, limit: int = 500) -> list[dict[str, Any]]:
    """Live notes with ``tag`` (and, with ``nested``, with a tag below it): ``{id, path,
    name, tag}`` by path, ``tag`` being how the note spells it."""
    key = tag.strip().lstrip("#").strip("/").casefold()
    rows = ws.conn.execute(
        "SELECT a.id, a.path, a.name, t.tag FROM note_tags t JOIN artifacts a"
        " ON a.id = t.artifact_id WHERE t.tag_key = ? AND (t.direct OR ?)"
        " AND a.deleted_at IS NULL ORDER BY a.path LIMIT ?", (key, int(nested), limit))
    return [{"id": i, "path": p, "name": n, "tag": t} for i, p, n, t in rows]
