"""Reading the link index: backlinks with their sentences, unlinked mentions, outgoing
links, and names for ``[[`` completion.

Backlinks read the index alone (``links.target_id``, indexed): each link row carries the
sentences around its occurrences (:mod:`.sentences`, migration 0022), so no linking note is
parsed again. Unlinked mentions still read the candidate notes' text.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from pylib import textstore
from pylib.links.index import Resolver, _text
from pylib.links.markup import mask_code
from pylib.links.parse import name_key
from pylib.links.sentences import CONTEXT_CHARS, context  # noqa: F401 (part of this API)
from pylib.errors import NotFound


def _note(row: tuple[Any, ...]) -> dict[str, Any]:
    return {"id": row[0], "path": row[1], "name": row[2]}


def _live(conn: sqlite3.Connection, artifact_id: str) -> tuple[Any, ...]:
    row = conn.execute("SELECT id, path, name FROM artifacts WHERE id = ?"
                       " AND deleted_at IS NULL", (artifact_id,)).fetchone()
    if row is None:
        raise NotFound("No such document.", id=artifact_id)
    return row


def backlinks_json(conn: sqlite3.Connection, artifact_id: str, limit: int = 100) -> str:
    """:func:`backlinks` as JSON text, joined from the stored text of each link's sentences
    (``{text, line, column, start, end, kind, heading}`` each, in the note's order): only a
    note that links here in more than one way has its sentences parsed, to merge them."""
    _live(conn, artifact_id)
    sources: list[tuple[str, str, list[str]]] = []
    for source, path, stored in conn.execute(
            "SELECT l.source_id, n.path, l.contexts FROM links l"
            " JOIN link_names n ON n.artifact_id = l.source_id WHERE l.target_id = ?"
            " AND l.source_id != ? ORDER BY n.path_key, l.source_id", (artifact_id, artifact_id)):
        if not sources or sources[-1][0] != source:
            if len(sources) >= limit:
                break
            sources.append((source, path, []))
        sources[-1][2].append(stored)
    parts = []
    for source, path, stored in sources:
        if len(stored) == 1:
            contexts = stored[0]
        else:
            merged = [c for text in stored for c in json.loads(text)]
            merged.sort(key=lambda c: (c["line"], c["column"]))
            contexts = json.dumps(merged, ensure_ascii=False, separators=(",", ":"))
        note = json.dumps({"id": source, "path": path, "name": path.rsplit("/", 1)[-1]},
                          ensure_ascii=False, separators=(",", ":"))
        parts.append(f'{{"source":{note},"contexts":{contexts}}}')
    return "[" + ",".join(parts) + "]"


def backlinks(conn: sqlite3.Connection, artifact_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The notes linking to ``artifact_id``, by path (case-insensitively): ``{source,
    contexts: [...]}``, the contexts in the order of the note. The index alone answers: the
    sentences are stored with each link and the linking notes' paths in ``link_names``
    (migration 0022), so no linking note's row is read."""
    return json.loads(backlinks_json(conn, artifact_id, limit))


def _mention_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])" + re.escape(name) + r"(?![\w])", re.IGNORECASE)


def _ascii_run(name: str) -> str:
    runs = re.findall(r"[\x20-\x7e]+", name)
    return max(runs, key=len) if runs else ""


def mentions(conn: sqlite3.Connection, artifact_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """Notes that name ``artifact_id`` in plain text (whole words, any case) without linking
    it there: ``{source, contexts}``, at most ``limit`` notes.

    SQLite picks the candidates (``LIKE`` on the longest ASCII run of the name: case-folding
    beyond ASCII is left to Python), Python checks each: outside code and outside links."""
    row = _live(conn, artifact_id)
    title = row[2][:-3] if row[2].lower().endswith(".md") and len(row[2]) > 3 else row[2]
    probe = _ascii_run(title)
    sql = (f"SELECT id, path, name, {textstore.column()} FROM artifacts WHERE deleted_at IS NULL"
           " AND kind = 'markdown' AND id != ?")
    args: list[Any] = [artifact_id]
    if len(probe) >= 3:
        sql += f" AND CAST({textstore.column()} AS TEXT) LIKE ? ESCAPE '\\'"
        args.append("%" + re.sub(r"([%_\\])", r"\\\1", probe) + "%")
    pattern = _mention_pattern(title)
    out = []
    for source in conn.execute(sql + " ORDER BY path", args):
        text = _text(source[3]) or ""
        masked = mask_code(text)
        hits = list(pattern.finditer(masked))
        if not hits:
            continue
        spans = [(m.start(), m.end()) for m in _link_spans(masked)]
        contexts = [context(text, m.start(), m.end()) for m in hits
                    if not any(s <= m.start() < e for s, e in spans)]
        if contexts:
            out.append({"source": _note(source), "contexts": contexts})
            if len(out) >= limit:
                break
    return out


def _link_spans(masked: str) -> list[re.Match[str]]:
    """Whole links (``[[...]]``, ``[...](...)``) as matches, so mentions inside them are not
    counted as unlinked."""
    return list(re.finditer(r"!?\[\[[^\[\]\n]*\]\]|!?\[[^\[\]\n]*\]\([^()\n]*\)", masked))


def outgoing(conn: sqlite3.Connection, artifact_id: str) -> list[dict[str, Any]]:
    """The links of one note as the index has them: ``{kind, target, heading, resolved,
    note}`` (``note`` is ``null`` while unresolved)."""
    _live(conn, artifact_id)
    rows = conn.execute(
        "SELECT l.kind, l.target, l.heading, a.id, a.path, a.name FROM links l"
        " LEFT JOIN artifacts a ON a.id = l.target_id WHERE l.source_id = ?"
        " ORDER BY l.target, l.heading", (artifact_id,)).fetchall()
    return [{"kind": k, "target": t, "heading": h, "resolved": i is not None,
             "note": _note((i, p, n)) if i is not None else None} for k, t, h, i, p, n in rows]


def link_text(conn: sqlite3.Connection, artifact_id: str, path: str, name: str) -> str:
    """What ``[[...]]`` should say to reach this note: its name (without ``.md``) when that
    resolves to it, else its path from the root."""
    bare = name[:-3] if name.lower().endswith(".md") and len(name) > 3 else name
    if Resolver(conn).resolve(name_key(name), "name", None) == artifact_id:
        return bare
    return path.lstrip("/")[:-3] if path.lower().endswith(".md") else path.lstrip("/")


def _score(key: str, query: str) -> int | None:
    """Lower is better: exact, prefix, word prefix, substring, then letters in order."""
    if key == query:
        return 0
    if key.startswith(query):
        return 1
    at = key.find(query)
    if at > 0:
        return 2 if not key[at - 1].isalnum() else 3
    pos = 0
    for ch in query:
        pos = key.find(ch, pos) + 1
        if not pos:
            return None
    return 4 if key[:1] == query[:1] else 5


def complete(conn: sqlite3.Connection, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Names for ``[[`` completion: ``{id, name, path, link}`` ranked by how well the name
    matches ``query`` (exact, prefix, word, substring, fuzzy), then shorter names first.

    Prefix matches come from the name index; only when there are fewer than ``limit`` are
    all names scored (a few milliseconds at 10,000 notes)."""
    q = name_key(query.strip()) if query.strip() else ""
    sql = "SELECT artifact_id, name_key, path_key FROM link_names"
    pool = conn.execute(sql + " WHERE name_key >= ? AND name_key < ?",
                        (q, q + "\U0010ffff")).fetchall() if q else []
    if len(pool) < limit:
        pool = conn.execute(sql).fetchall()
    ranked = []
    for artifact_id, key, key_path in pool:
        score = _score(key, q) if q else 0
        if score is not None:
            ranked.append((score, len(key), key_path, artifact_id))
    ranked.sort()
    ids = [item[3] for item in ranked[:limit]]
    rows = {row[0]: row for row in conn.execute(
        "SELECT id, path, name FROM artifacts WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),))}
    return [{**_note(rows[i]), "link": link_text(conn, i, rows[i][1], rows[i][2])}
            for i in ids if i in rows]


def incoming(conn: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
    """How many other live notes link to any of ``ids``, and with how many distinct links:
    ``{notes, links}`` — what renaming or moving them would offer to rewrite."""
    notes, links = conn.execute(
        "SELECT count(DISTINCT l.source_id), count(*) FROM links l JOIN artifacts a"
        " ON a.id = l.source_id AND a.deleted_at IS NULL"
        " WHERE l.target_id IN (SELECT value FROM json_each(?))"
        " AND l.source_id NOT IN (SELECT value FROM json_each(?))",
        (json.dumps(ids), json.dumps(ids))).fetchone()
    return {"notes": notes, "links": links}


def link_rows(conn: sqlite3.Connection, ids: list[str]) -> list[tuple[Any, ...]]:
    """``(source_id, kind, target, heading, target_id)`` of links to any of ``ids``."""
    return conn.execute(
        "SELECT source_id, kind, target, heading, target_id FROM links"
        " WHERE target_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)).fetchall()
