"""The link and tag index (migrations 0013 and 0022), kept current in the transaction of each write.

Every write path makes one call here after changing rows: :func:`refresh` with the ids it
touched (created, saved, renamed, moved, trashed, restored, merged). It re-reads those rows
and brings ``link_names``, ``links`` and ``note_tags`` in step; a save whose links and tags
did not change writes nothing here (typing prose away from links dirties no index pages;
an edit of a sentence that holds a link rewrites that link's stored sentences). Names that appeared
or went away are then resolved again, so ``[[Plan]]`` finds a note created after the link,
and a link to a trashed note waits, unresolved, for its return.

Resolution, as Obsidian does it: a link that names a path (``[[folder/Note]]``, a Markdown
link) takes the note at that exact path; ``[[folder/Note]]`` then any path that ends so; a
link by name (``[[Note]]``, ``[x](Note.md)``) any note of that name, with or without ``.md``,
case-insensitively; among several, the shortest path wins (then the first in path order).

Functions take the connection (the caller holds the transaction) so that this module
depends on nothing but the parser and :mod:`pylib.rows` (which lists the derived tables):
``pylib.db`` calls :func:`ensure_built` when it opens a workspace, and the import's rebuild
calls :func:`rebuild`.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable

from pylib import rows, textstore
from pylib.links.markup import mask_code
from pylib.links.parse import link_keys, name_key, parse_links, parse_tags, path_key, tag_rows
from pylib.links.sentences import context

# Tables holding only what the notes' text implies: never copied from an imported file.
# Listed in pylib.rows with the other derived tables.
DERIVED_TABLES = rows.LINK_TABLES
_NOTE_KIND = "markdown"

Candidates = list[tuple[str, str]]


def _text(content: Any) -> str | None:
    if content is None:
        return None
    try:
        return content if isinstance(content, str) else bytes(content).decode("utf-8")
    except UnicodeDecodeError:
        return None


def pick(candidates: Candidates, mode: str, key_path: str | None) -> str | None:
    """The note a link resolves to among ``candidates`` (``(id, path_key)`` of the notes with
    its name, shortest path first)."""
    if key_path is not None:
        for artifact_id, candidate in candidates:
            if candidate == key_path:
                return artifact_id
        if mode == "suffix":
            for artifact_id, candidate in candidates:
                if candidate.endswith(key_path):
                    return artifact_id
    if mode == "name" and candidates:
        return candidates[0][0]
    return None


class Resolver:
    """Candidates by name key, read once per key within one call."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[str, Candidates] = {}

    def candidates(self, key: str) -> Candidates:
        if key not in self.cache:
            self.cache[key] = self.conn.execute(
                "SELECT artifact_id, path_key FROM link_names WHERE name_key = ?"
                " ORDER BY length(path_key), path_key", (key,)).fetchall()
        return self.cache[key]

    def resolve(self, key: str, mode: str, key_path: str | None) -> str | None:
        return pick(self.candidates(key), mode, key_path)


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def _index_text(conn: sqlite3.Connection, resolver: Resolver, artifact_id: str, path: str,
                text: str | None, counts: bool = True) -> None:
    """Bring one note's rows in ``links`` and ``note_tags`` in step with its text."""
    wanted: dict[tuple[str, str, str], tuple[str, str, str | None, str]] = {}
    tags: dict[str, tuple[str, int]] = {}
    if text is not None:
        masked = mask_code(text)
        found: dict[tuple[str, str, str], tuple[str, str, str | None, list[Any]]] = {}
        for link in parse_links(text, _folder(path), masked):
            key, key_path = link_keys(link)
            row = found.setdefault((link.kind, link.target, link.heading),
                                   (link.mode, key, key_path, []))
            # Stored as the backlinks panel reads it, so answering is joining stored text.
            row[3].append(dict(context(text, link.start, link.end), kind=link.kind,
                               heading=link.heading))
        wanted = {k: (m, n, p, json.dumps(c, ensure_ascii=False, separators=(",", ":")))
                  for k, (m, n, p, c) in found.items()}
        tags = tag_rows(parse_tags(text, masked))
    # What the index holds for the note, links and tags in one statement (a save's cost).
    have: dict[tuple[str, str, str], tuple[str, str, str | None, str]] = {}
    have_tags: dict[str, tuple[str, int]] = {}
    for table, k, t, h, m, n, p, c in conn.execute(
            "SELECT 'l', kind, target, heading, mode, name_key, path_key, contexts FROM links"
            " WHERE source_id = ? UNION ALL SELECT 't', tag_key, tag, direct, '', '', '', ''"
            " FROM note_tags WHERE artifact_id = ?", (artifact_id, artifact_id)):
        if table == "l":
            have[(k, t, h)] = (m, n, p, c)
        else:
            have_tags[k] = (t, h)
    for gone in have.keys() - wanted.keys():
        conn.execute("DELETE FROM links WHERE source_id = ? AND kind = ? AND target = ?"
                     " AND heading = ?", (artifact_id, *gone))
    for row, (mode, key, key_path, contexts) in wanted.items():
        old = have.get(row)
        if old == (mode, key, key_path, contexts):
            continue
        if old is not None and old[:3] == (mode, key, key_path):
            # Only the sentence around it changed: the link resolves as before.
            conn.execute("UPDATE links SET contexts = ? WHERE source_id = ? AND kind = ?"
                         " AND target = ? AND heading = ?", (contexts, artifact_id, *row))
            continue
        conn.execute(
            "INSERT OR REPLACE INTO links (source_id, kind, target, heading, mode, name_key,"
            " path_key, target_id, contexts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (artifact_id, *row, mode, key, key_path, resolver.resolve(key, mode, key_path),
             contexts))
    if have_tags != tags:
        conn.execute("DELETE FROM note_tags WHERE artifact_id = ?", (artifact_id,))
        conn.executemany(
            "INSERT INTO note_tags (artifact_id, tag_key, tag, direct) VALUES (?, ?, ?, ?)",
            [(artifact_id, k, t, d) for k, (t, d) in tags.items()])
        if counts:
            recount(conn, {k for k in have_tags.keys() | tags.keys()
                           if have_tags.get(k) != tags.get(k)})


def recount(conn: sqlite3.Connection, keys: Iterable[str]) -> None:
    """Bring ``tag_counts`` in step with ``note_tags`` for ``keys``."""
    for key in keys:
        conn.execute("DELETE FROM tag_counts WHERE tag_key = ?", (key,))
        conn.execute("INSERT INTO tag_counts (tag_key, tag, notes, direct) SELECT tag_key,"
                     " min(tag), count(*), sum(direct) FROM note_tags WHERE tag_key = ?"
                     " GROUP BY tag_key", (key,))


def _forget(conn: sqlite3.Connection, artifact_id: str) -> None:
    conn.execute("DELETE FROM link_names WHERE artifact_id = ?", (artifact_id,))
    conn.execute("DELETE FROM links WHERE source_id = ?", (artifact_id,))
    keys = [k for (k,) in conn.execute(
        "DELETE FROM note_tags WHERE artifact_id = ? RETURNING tag_key", (artifact_id,))]
    recount(conn, keys)


def resolve_again(conn: sqlite3.Connection, keys: Iterable[str]) -> int:
    """Resolve every link whose name is one of ``keys`` again; returns the links changed."""
    resolver = Resolver(conn)
    changed = 0
    for key in set(keys):
        rows = conn.execute(
            "SELECT source_id, kind, target, heading, mode, path_key, target_id FROM links"
            " WHERE name_key = ?", (key,)).fetchall()
        for source_id, kind, target, heading, mode, key_path, target_id in rows:
            now = resolver.resolve(key, mode, key_path)
            if now != target_id:
                conn.execute("UPDATE links SET target_id = ? WHERE source_id = ? AND kind = ?"
                             " AND target = ? AND heading = ?",
                             (now, source_id, kind, target, heading))
                changed += 1
    return changed


def refresh(conn: sqlite3.Connection, ids: Iterable[str]) -> None:
    """Bring the index in step with the artifacts ``ids`` after a write (inside its
    transaction). Ids that are gone or trashed leave the index; links to them wait."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return
    rows = conn.execute(
        "SELECT a.id, a.path, a.name, a.kind, a.deleted_at, n.name_key, n.path_key, n.path,"
        f" CASE WHEN a.kind = ? AND a.deleted_at IS NULL THEN {textstore.column('a.')} END"
        " FROM json_each(?) j JOIN artifacts a ON a.id = j.value"
        " LEFT JOIN link_names n ON n.artifact_id = a.id", (_NOTE_KIND, json.dumps(ids))).fetchall()
    found = {row[0] for row in rows}
    affected: set[str] = set()
    reread: list[tuple[str, str, Any]] = []
    for missing in set(ids) - found:
        old = conn.execute("SELECT name_key FROM link_names WHERE artifact_id = ?",
                           (missing,)).fetchone()
        affected.update(old or ())
        _forget(conn, missing)
    for artifact_id, path, name, kind, deleted, old_key, old_path, shown, content in rows:
        if deleted is not None:
            affected.update([old_key] if old_key is not None else [])
            _forget(conn, artifact_id)
            continue
        key, key_path = name_key(name), path_key(path)
        moved = (key, key_path) != (old_key, old_path)
        if moved:  # a plain save keeps its names: nothing to resolve again
            affected.update([key] if old_key is None else [key, old_key])
        if moved or shown != path:  # a rename that changes only case changes no key
            conn.execute("INSERT OR REPLACE INTO link_names (artifact_id, name_key, path_key,"
                         " path) VALUES (?, ?, ?, ?)", (artifact_id, key, key_path, path))
        # Callers refresh what they changed; writes happen below only where links differ.
        reread.append((artifact_id, path, _text(content)))
    resolver = Resolver(conn)
    for artifact_id, path, text in reread:
        _index_text(conn, resolver, artifact_id, path, text)
    resolve_again(conn, affected)


def refresh_below(conn: sqlite3.Connection, folder: str) -> None:
    """:func:`refresh` every live artifact at or below ``folder`` (after a folder rename or
    move, or a restore from the trash)."""
    refresh(conn, [i for (i,) in conn.execute(
        "SELECT id FROM artifacts WHERE deleted_at IS NULL AND (path = ? OR"
        " (path > ? || '/' AND path < ? || '0'))", (folder, folder, folder))])


def refresh_unit(conn: sqlite3.Connection, trash_id: str | None = None,
                 ids: Iterable[str] = ()) -> None:
    """:func:`refresh` the artifacts of one trash unit (after trashing a folder), plus ``ids``."""
    unit = [i for (i,) in conn.execute("SELECT id FROM artifacts WHERE trash_id = ?",
                                       (trash_id,))] if trash_id else []
    refresh(conn, [*unit, *ids])


def rebuild(conn: sqlite3.Connection) -> None:
    """Empty the index and build it again from every live artifact (import, migration)."""
    textstore.register(conn)  # a bare connection (an import's) may lack it
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        for table in sorted(DERIVED_TABLES):
            conn.execute(f"DELETE FROM {table}")
        rows = conn.execute("SELECT id, path, name, kind FROM artifacts"
                            " WHERE deleted_at IS NULL").fetchall()
        conn.executemany(
            "INSERT INTO link_names (artifact_id, name_key, path_key, path) VALUES (?, ?, ?, ?)",
            [(i, name_key(n), path_key(p), p) for i, p, n, _ in rows])
        resolver = Resolver(conn)
        for artifact_id, path, _, kind in rows:
            if kind == _NOTE_KIND:
                content = conn.execute(f"SELECT {textstore.column()} FROM artifacts"
                                       " WHERE id = ?", (artifact_id,)).fetchone()[0]
                _index_text(conn, resolver, artifact_id, path, _text(content), counts=False)
        conn.execute("INSERT INTO tag_counts (tag_key, tag, notes, direct) SELECT tag_key,"
                     " min(tag), count(*), sum(direct) FROM note_tags GROUP BY tag_key")
        if own:
            conn.execute("COMMIT")
    except BaseException:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def ensure_built(conn: sqlite3.Connection) -> bool:
    """Build the index if it is empty while live artifacts exist (the first open after
    migration 0013, or after a step that emptied it). Returns whether it built."""
    empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM link_names)").fetchone()[0]
    if empty and conn.execute(
            "SELECT EXISTS (SELECT 1 FROM artifacts WHERE deleted_at IS NULL)").fetchone()[0]:
        rebuild(conn)
        return True
    return False
