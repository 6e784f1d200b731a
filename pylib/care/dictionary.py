"""Training the workspace's zstd dictionary for short texts, and repacking texts with it.

Short notes are too short for zstd to find much to reuse inside one of them; a dictionary
trained on the workspace's own notes gives it what they share (headings, words, markup).
Training runs in the background when it is due (:func:`due`): when enough short texts exist
and there is no dictionary yet, or twice as many texts as the newest one was trained on. A
new dictionary is added (never replacing one: rows packed with an older one stay readable),
and the short texts are repacked with it when that makes them smaller, all in one
transaction.
"""

from __future__ import annotations

from typing import Any

from pylib import compress, textstore
from pylib.content import DOCUMENT_KINDS
from pylib.db import Workspace

_KINDS = ", ".join(f"'{k}'" for k in sorted(DOCUMENT_KINDS))
_SHORT = (f"FROM artifacts WHERE content IS NOT NULL AND kind IN ({_KINDS})"
          f" AND size_bytes BETWEEN {textstore.MIN_BYTES} AND {textstore.DICT_MAX_BYTES}")


def _short_count(ws: Workspace) -> int:
    return ws.conn.execute(f"SELECT count(*) {_SHORT}").fetchone()[0]


def _trained_on(ws: Workspace) -> int | None:
    row = ws.conn.execute("SELECT samples FROM text_dicts ORDER BY created_at DESC, rowid DESC"
                          " LIMIT 1").fetchone()
    return None if row is None else row[0]


def due(ws: Workspace) -> bool:
    """Whether training would pay now (see the module docstring)."""
    count = _short_count(ws)
    last = _trained_on(ws)
    return count >= textstore.MIN_SAMPLES and (last is None or count >= 2 * last)


def _samples(ws: Workspace) -> list[bytes]:
    rows = ws.conn.execute(
        f"SELECT {textstore.column()} {_SHORT} ORDER BY updated_at DESC LIMIT ?",
        (textstore.MAX_SAMPLES,))
    return [bytes(r[0]) for r in rows if r[0] is not None]


def _repack(ws: Workspace) -> tuple[int, int]:
    """Repack every short text with the newest dictionary where that is smaller; returns
    ``(texts repacked, bytes saved)``. The text, its hash and the search index stay as they
    are (nothing a reader or sync sees changes)."""
    repacked = saved = 0
    rows = ws.conn.execute(
        f"SELECT id, kind, length(content), {textstore.column()} {_SHORT}").fetchall()
    for artifact_id, kind, stored, data in rows:
        if data is None:
            continue  # damaged: left as it is, for the check to report
        packed, codec = textstore.encode(ws.conn, bytes(data), kind)
        if len(packed) < stored:
            ws.conn.execute("UPDATE artifacts SET content = ?, content_codec = ? WHERE id = ?",
                            (packed, codec, artifact_id))
            repacked += 1
            saved += stored - len(packed)
    return repacked, saved


def train(ws: Workspace, *, force: bool = False) -> dict[str, Any]:
    """Train a dictionary on the short texts and repack them (when :func:`due`, or always with
    ``force`` if there are enough texts). Returns ``{trained, dict_id, samples, dict_bytes,
    repacked, saved_bytes}``."""
    result: dict[str, Any] = {"trained": False, "dict_id": None, "samples": 0,
                              "dict_bytes": 0, "repacked": 0, "saved_bytes": 0}
    if not (due(ws) or (force and _short_count(ws) >= textstore.MIN_SAMPLES)):
        return result
    with ws.transaction():
        samples = _samples(ws)
        try:
            trained = compress.train(samples, textstore.DICT_BYTES)
        except ValueError:
            return result  # too few or too alike: nothing to gain
        raw = trained.dict_content
        ws.conn.execute(
            "INSERT INTO text_dicts (id, dict, samples, created_at) VALUES (?, ?, ?, ?)"
            # The same id is the same bytes (zstd derives it from them): only the record of
            # when and on how many texts it was trained moves on.
            " ON CONFLICT(id) DO UPDATE SET samples = excluded.samples,"
            " created_at = excluded.created_at", (trained.dict_id, raw, len(samples), ws.clock()))
        repacked, saved = _repack(ws)
    return {"trained": True, "dict_id": trained.dict_id, "samples": len(samples),
            "dict_bytes": len(raw), "repacked": repacked, "saved_bytes": saved}
