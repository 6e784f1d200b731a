"""What changed between two versions of a document, for the history panel.

:func:`diff` compares a version with the one saved before it, or with the document's
current text, line by line (:mod:`difflib`, the standard library's matcher, in both
runtimes). Unchanged runs are cut down to a few lines of context around each change, so the
answer stays small for a long note with a one-line edit.
"""

from __future__ import annotations

import difflib
from typing import Any, Literal

from pylib import textstore, versions
from pylib.content import as_text
from pylib.db import Workspace
from pylib.errors import NotFound, VersionUnavailable

CONTEXT_LINES = 3
MAX_LINES = 2000  # lines shown; a bigger change says how many more there were


def _previous(ws: Workspace, version_id: str) -> str | None:
    """The version listed just after ``version_id`` in history (saved before it)."""
    row = ws.conn.execute(
        "SELECT p.id FROM artifact_versions v JOIN artifact_versions p"
        " ON p.artifact_id = v.artifact_id AND (p.created_at, p.id) < (v.created_at, v.id)"
        f" WHERE v.id = ? ORDER BY {versions.newest_first('p')} LIMIT 1", (version_id,)).fetchone()
    return row[0] if row else None


def _text_of(ws: Workspace, version_id: str) -> str | None:
    """The version's text, or None when it is binary or not kept."""
    try:
        return as_text(versions.content_of(ws, version_id)[1])
    except VersionUnavailable:
        return None


def _hunks(old: list[str], new: list[str]) -> tuple[list[dict[str, Any]], int, int, int]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    hunks: list[dict[str, Any]] = []
    added = removed = shown = cut = 0
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        lines: list[dict[str, Any]] = []
        for tag, i1, i2, j1, j2 in group:
            if tag in ("replace", "delete"):
                removed += i2 - i1
            if tag in ("replace", "insert"):
                added += j2 - j1
            parts = ([("same", old[i1:i2])] if tag == "equal" else
                     [("removed", old[i1:i2]), ("added", new[j1:j2])])
            for op, chunk in parts:
                for text in chunk:
                    if shown >= MAX_LINES:
                        cut += 1
                        continue
                    lines.append({"op": op, "text": text})
                    shown += 1
        if lines:
            hunks.append({"old_start": group[0][1] + 1, "new_start": group[0][3] + 1,
                          "lines": lines})
    return hunks, added, removed, cut


def diff(ws: Workspace, version_id: str,
         against: Literal["previous", "current"] = "previous") -> dict[str, Any]:
    """How ``version_id`` differs from the version before it (``against="previous"``: the
    changes that save made) or from the current text (``"current"``: what restoring it would
    change). ``{base_id, hunks: [{old_start, new_start, lines: [{op, text}]}], added,
    removed, cut, binary}``; ``op`` is ``same``, ``added`` or ``removed``, read from the base
    to the version (for ``current``: from the current text to the version)."""
    row = ws.conn.execute("SELECT artifact_id FROM artifact_versions WHERE id = ?",
                          (version_id,)).fetchone()
    if row is None:
        raise NotFound("No such version.", id=version_id)
    if against == "previous":
        base_id = _previous(ws, version_id)
        base = "" if base_id is None else _text_of(ws, base_id)
    else:
        current = textstore.read(ws.conn, row[0])
        base_id = None
        base = as_text(current) if current is not None else None
    text = _text_of(ws, version_id)
    if text is None or base is None:
        return {"base_id": base_id, "hunks": [], "added": 0, "removed": 0, "cut": 0,
                "binary": True}
    hunks, added, removed, cut = _hunks(base.splitlines(), text.splitlines())
    return {"base_id": base_id, "hunks": hunks, "added": added, "removed": removed,
            "cut": cut, "binary": False}
