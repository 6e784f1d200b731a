"""Keyword search over the FTS5 index: ranked hits, one per document, with safe snippets.

A hit is shaped for the search panel and for fusing with semantic hits later: ``id`` (the
artifact), ``name``, ``path``, ``folder``, ``kind``, ``mime_type``, ``updated_at``,
``size_bytes``, ``score`` (higher is better; here ``-bm25``), ``rank`` (1-based, across
pages), ``name_html`` and ``snippet_html`` (HTML-escaped text with ``<mark>`` around the
matched words), ``source`` (``"keyword"``), and ``chunk``/``section`` (``None`` here; chunked
semantic hits fill them).
"""

from __future__ import annotations

import html
import secrets
from typing import Any, Literal

from pylib.db import Workspace
from pylib.paths import ROOT, normalize_folder, parent_of
from pylib.search.query import parse, to_match

# bm25 column weights (name, body): a word in the name counts as much as five in the text.
NAME_WEIGHT, BODY_WEIGHT = 5.0, 1.0
SNIPPET_TOKENS = 16
ELLIPSIS = "…"
Sort = Literal["relevance", "date"]

_ORDER = {"relevance": "bm, a.id", "date": "a.updated_at DESC, a.id"}


def _page_sql(sort: Sort, folder: str, kinds: list[str] | None) -> tuple[str, list[Any]]:
    where, args = [], []
    if folder != ROOT:
        # Below `folder`: paths in [folder + "/", folder + "0") ("0" follows "/"), as in folders.
        where.append("a.path > ? || '/' AND a.path < ? || '0'")
        args += [folder, folder]
    if kinds:
        where.append(f"a.kind IN ({', '.join('?' for _ in kinds)})")
        args += kinds
    sql = (
        "SELECT m.docid, a.id, a.name, a.path, a.kind, a.mime_type, a.updated_at,"
        f" coalesce(a.size_bytes, 0), bm25(search, {NAME_WEIGHT}, {BODY_WEIGHT}) AS bm"
        " FROM search JOIN search_map m ON m.docid = search.rowid"
        " JOIN artifacts a ON a.id = m.artifact_id"
        " WHERE search MATCH ? AND a.deleted_at IS NULL"
        + "".join(f" AND {w}" for w in where)
        + f" ORDER BY {_ORDER[sort]} LIMIT ? OFFSET ?")
    return sql, args


def _marked(text: str | None, open_mark: str, close_mark: str) -> str:
    """Escape first, then turn the (unguessable) markers into ``<mark>`` tags: whatever the
    document holds, the only markup in the result is ours."""
    escaped = html.escape(text or "", quote=True)
    return escaped.replace(open_mark, "<mark>").replace(close_mark, "</mark>")


def _marks(ws: Workspace, match: str, docids: list[int]) -> dict[int, tuple[str, str]]:
    """``docid -> (name_html, snippet_html)`` for one page of hits."""
    nonce = secrets.token_hex(8)
    open_mark, close_mark = f"\x02{nonce}\x03", f"\x03{nonce}\x02"
    marks = ", ".join("?" for _ in docids)
    rows = ws.conn.execute(
        "SELECT rowid, highlight(search, 0, ?, ?),"
        f" snippet(search, 1, ?, ?, ?, {SNIPPET_TOKENS})"
        f" FROM search WHERE search MATCH ? AND rowid IN ({marks})",
        (open_mark, close_mark, open_mark, close_mark, ELLIPSIS, match, *docids)).fetchall()
    return {docid: (_marked(name, open_mark, close_mark), _marked(snip, open_mark, close_mark))
            for docid, name, snip in rows}


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
    ``relevance`` (bm25, the name weighted above the text) or ``date`` (newest first).
    Returns ``{query, terms, hits, next_offset}``; ``next_offset`` is ``None`` on the last
    page. Any text is a valid query: a malformed one is searched as plain words, and one
    with nothing left to find gives no hits.
    """
    parsed = parse(query)
    match = to_match(parsed)
    result: dict[str, Any] = {"query": query, "terms": [t.text for t in parsed.terms],
                              "hits": [], "next_offset": None}
    if match is None:
        return result
    base = normalize_folder(folder) if folder else ROOT
    sql, args = _page_sql(sort, base, kinds)
    rows = ws.conn.execute(sql, (match, *args, limit + 1, offset)).fetchall()
    if len(rows) > limit:
        rows = rows[:limit]
        result["next_offset"] = offset + limit
    marks = _marks(ws, match, [r[0] for r in rows]) if rows else {}
    for i, (docid, art_id, name, path, kind, mime, updated, size, bm) in enumerate(rows):
        name_html, snippet_html = marks.get(docid, (html.escape(name), ""))
        result["hits"].append({
            "id": art_id, "name": name, "path": path, "folder": parent_of(path),
            "kind": kind, "mime_type": mime, "updated_at": updated, "size_bytes": size,
            "score": -bm, "rank": offset + i + 1, "name_html": name_html,
            "snippet_html": snippet_html, "source": "keyword", "chunk": None, "section": None,
        })
    return result
