"""Keyword search over the FTS5 index: ranked hits, one per document, with safe snippets.

A hit is shaped for the search panel and for fusing with semantic hits later: ``id`` (the
artifact), ``name``, ``path``, ``folder``, ``kind``, ``mime_type``, ``updated_at``,
``size_bytes``, ``score`` (higher is better: ``-bm25``; ``None`` when not ranked by bm25),
``rank`` (1-based, across pages), ``name_html`` and ``snippet_html`` (HTML-escaped text with
``<mark>`` around the matched words), ``source`` (``"keyword"``), and ``chunk``/``section``
(``None`` here; chunked semantic hits fill them).

Cost: bm25 costs about a microsecond per matching document, so a query that matches a large
share of the workspace (more than :data:`RANKED_MATCHES` documents) is not ranked by bm25:
documents whose name matches come first, then the rest, each newest first — for such a query
the words say little about which document is meant, and FTS5 lists newest matches first
without looking at the others (docids follow the order documents were last indexed).
"""

from __future__ import annotations

import html
import json
import secrets
from typing import Any, Literal

from pylib.db import Workspace
from pylib.paths import ROOT, normalize_folder, parent_of
from pylib.search import indexer
from pylib.search.query import Parsed, parse, to_match

# bm25 column weights (name, body): a word in the name counts as much as five in the text.
NAME_WEIGHT, BODY_WEIGHT = 5.0, 1.0
RANKED_MATCHES = 1_000
SNIPPET_TOKENS = 16
ELLIPSIS = "…"
Sort = Literal["relevance", "date"]

_JOIN = (" FROM search JOIN search_map m ON m.docid = search.rowid"
         " JOIN artifacts a ON a.id = m.artifact_id"
         " WHERE search MATCH ? AND a.deleted_at IS NULL")
# Live artifacts newest first, each tested against the set of matching docids (built once;
# `+` keeps SQLite from probing the map once per matching docid for every artifact).
_BY_DATE = (" FROM artifacts a INDEXED BY idx_artifacts_recent"
            " JOIN search_map m ON m.artifact_id = a.id"
            " WHERE a.deleted_at IS NULL"
            " AND +m.docid IN (SELECT rowid FROM search WHERE search MATCH ?)")
_NEWEST = " ORDER BY a.updated_at DESC, a.id DESC"


def _filters(folder: str, kinds: list[str] | None) -> tuple[str, list[Any]]:
    sql, args = "", []
    if folder != ROOT:
        # Below `folder`: paths in [folder + "/", folder + "0") ("0" follows "/"), as in folders.
        sql += " AND a.path > ? || '/' AND a.path < ? || '0'"
        args += [folder, folder]
    if kinds:
        sql += f" AND a.kind IN ({', '.join('?' for _ in kinds)})"
        args += kinds
    return sql, args


def _many_matches(ws: Workspace, match: str) -> bool:
    """True if more than :data:`RANKED_MATCHES` documents match (live or not): FTS5 walks
    rowids only, no ranking, and stops there."""
    return ws.conn.execute(
        "SELECT 1 FROM search WHERE search MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (match, RANKED_MATCHES)).fetchone() is not None


def _newest(ws: Workspace, match: str, where: tuple[str, list[Any]], limit: int,
            offset: int) -> list[tuple[Any, ...]]:
    """Matches newest first: FTS5 hands rowids over in order, so only the rows up to the
    page are joined to their artifacts."""
    sql, args = where
    return ws.conn.execute(
        "SELECT m.docid, a.id, NULL" + _JOIN + sql + " ORDER BY search.rowid DESC LIMIT ? OFFSET ?",
        (match, *args, limit, offset)).fetchall()


def _by_name_then_newest(ws: Workspace, parsed: Parsed, match: str,
                         where: tuple[str, list[Any]], limit: int,
                         offset: int) -> list[tuple[Any, ...]]:
    """Two tiers, each newest first: matches whose name holds the positive terms, then the
    others. The first tier is only counted as far as the page needs."""
    in_name = f"{{name}} : ({to_match(Parsed(parsed.groups))})"
    named = _newest(ws, f"({match}) AND ({in_name})", where, limit, offset)
    if len(named) == limit:
        return named
    before = offset + len(named) if named else len(
        _newest(ws, f"({match}) AND ({in_name})", where, offset, 0))
    rest = _newest(ws, f"({match}) NOT ({in_name})", where, limit - len(named),
                   max(0, offset - before))
    return named + rest


def _page(ws: Workspace, parsed: Parsed, match: str, sort: Sort, where: tuple[str, list[Any]],
          limit: int, offset: int) -> list[tuple[Any, ...]]:
    """``(docid, artifact_id, score)`` rows of one page (plus one, to tell if more follow)."""
    sql, args = where
    tail = " LIMIT ? OFFSET ?"
    many = _many_matches(ws, match)
    if sort == "date":
        # Few matches: join them and sort. Many: walk by date until the page is full.
        return ws.conn.execute(
            "SELECT m.docid, a.id, NULL" + (_BY_DATE if many else _JOIN) + sql + _NEWEST + tail,
            (match, *args, limit + 1, offset)).fetchall()
    if many:
        return _by_name_then_newest(ws, parsed, match, where, limit + 1, offset)
    return _ranked(ws, match, where, limit + 1, offset)


_BM25 = f"-bm25(search, {NAME_WEIGHT}, {BODY_WEIGHT}) AS score"


def _ranked(ws: Workspace, match: str, where: tuple[str, list[Any]], limit: int,
            offset: int) -> list[tuple[Any, ...]]:
    """Matches by bm25. Without filters, FTS5 ranks alone and only the top rows are joined
    to their artifacts (to drop trashed ones); if too many of those were trashed, or with
    filters, every match is joined first."""
    sql, args = where
    if not sql:
        cap = offset + limit + 20
        top = ws.conn.execute(
            f"SELECT rowid, {_BM25} FROM search WHERE search MATCH ?"
            " ORDER BY score DESC, rowid DESC LIMIT ?", (match, cap)).fetchall()
        live = dict(ws.conn.execute(
            "SELECT m.docid, a.id FROM search_map m JOIN artifacts a ON a.id = m.artifact_id"
            " WHERE m.docid IN (SELECT value FROM json_each(?)) AND a.deleted_at IS NULL",
            (json.dumps([r[0] for r in top]),)))
        kept = [(docid, live[docid], score) for docid, score in top if docid in live]
        if len(kept) >= offset + limit or len(top) < cap:
            return kept[offset:offset + limit]
    return ws.conn.execute(
        f"SELECT m.docid, a.id, {_BM25}" + _JOIN + sql
        + " ORDER BY score DESC, search.rowid DESC LIMIT ? OFFSET ?",
        (match, *args, limit, offset)).fetchall()


def _marked(text: str | None, open_mark: str, close_mark: str) -> str:
    """Escape first, then turn the (unguessable) markers into ``<mark>`` tags: whatever the
    document holds, the only markup in the result is ours."""
    escaped = html.escape(text or "", quote=True)
    return escaped.replace(open_mark, "<mark>").replace(close_mark, "</mark>")


def _marks(ws: Workspace, parsed: Parsed, match: str,
           docids: list[int]) -> dict[int, tuple[str, str]]:
    """``docid -> (name_html, snippet_html)`` for one page of hits."""
    nonce = secrets.token_hex(8)
    open_mark, close_mark = f"\x02{nonce}\x03", f"\x03{nonce}\x02"
    # The hits' own small index: the text may be stored packed, which FTS5 would read
    # through the view (pylib.search.indexer.page_table).
    page = indexer.page_table(ws.conn, docids)
    rows = ws.conn.execute(
        f"SELECT rowid, highlight({page}, 0, ?, ?),"
        f" snippet({page}, 1, ?, ?, ?, {SNIPPET_TOKENS})"
        f" FROM temp.{page} WHERE {page} MATCH ?",
        (open_mark, close_mark, open_mark, close_mark, ELLIPSIS, match)).fetchall()
    return {docid: (_marked(name, open_mark, close_mark), _marked(snip, open_mark, close_mark))
            for docid, name, snip in rows}


def _details(ws: Workspace, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    marks = ", ".join("?" for _ in ids)
    rows = ws.conn.execute(
        "SELECT id, name, path, kind, mime_type, updated_at, coalesce(size_bytes, 0)"
        f" FROM artifacts WHERE id IN ({marks})", ids)
    return {r[0]: r[1:] for r in rows}


def search(
    ws: Workspace,
    query: str,
    *,
    folder: str | None = None,
    kinds: list[str] | None = None,
    sort: Sort = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> dict[str, Any]:
    """Live documents matching ``query`` (see :mod:`pylib.search.query` for the syntax).

    ``folder``: only documents in it or below; ``kinds``: only these kinds; ``sort``:
    ``relevance`` (bm25, the name weighted above the text; see the module's note on very
    common words) or ``date`` (newest first). Returns ``{query, terms, hits, next_offset}``;
    ``next_offset`` is ``None`` on the last page. Any text is a valid query: a malformed one
    is searched as plain words, and one with nothing left to find gives no hits.
    """
    parsed = parse(query)
    match = to_match(parsed)
    result: dict[str, Any] = {"query": query, "terms": [t.text for t in parsed.terms],
                              "hits": [], "next_offset": None}
    if match is None:
        return result
    where = _filters(normalize_folder(folder) if folder else ROOT, kinds)
    rows = _page(ws, parsed, match, sort, where, limit, offset)
    if len(rows) > limit:
        rows = rows[:limit]
        result["next_offset"] = offset + limit
    if not rows:
        return result
    marks = _marks(ws, parsed, match, [r[0] for r in rows])
    details = _details(ws, [r[1] for r in rows])
    for i, (docid, art_id, score) in enumerate(rows):
        name, path, kind, mime, updated, size = details[art_id]
        name_html, snippet_html = marks.get(docid, (html.escape(name), ""))
        result["hits"].append({
            "id": art_id, "name": name, "path": path, "folder": parent_of(path),
            "kind": kind, "mime_type": mime, "updated_at": updated, "size_bytes": size,
            "score": score, "rank": offset + i + 1, "name_html": name_html,
            "snippet_html": snippet_html, "source": "keyword", "chunk": None, "section": None,
        })
    return result
