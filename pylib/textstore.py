"""A document's current text, stored compressed when that pays; every reader sees plain bytes.

``artifacts.content_codec`` says how ``artifacts.content`` holds the bytes:

* ``NULL`` — as they are (binary files, short texts, texts zstd does not shrink by a tenth);
* ``0`` — one zstd frame (:mod:`pylib.compress`);
* ``n > 0`` — one zstd frame made with the trained dictionary ``n`` of ``text_dicts`` (the id
  is zstd's own dictionary id, derived from the dictionary's bytes, so a merged file's
  dictionaries never clash). Dictionaries are only added, never changed: a row written with an
  older one stays readable (:func:`train` adds a newer one for new writes).

Readers in Python call :func:`plain` (or :func:`read`); SQL the engine runs uses
:func:`column`, which calls the function ``quire_text(content, codec)`` that
:func:`register` adds to each connection (``NULL`` for a damaged value, so one damaged text
never breaks a listing). SQLite runs no application function from the schema itself
(``trusted_schema = OFF``): no view or trigger reads the text; the search index is given the
text by the engine (:mod:`pylib.search.indexer`). In an exported file, ``quire cat FILE PATH``
prints any document (docs/recovery.md).
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from typing import Any

from pylib import compress
from pylib.content import DOCUMENT_KINDS, as_text, digest, to_bytes
from pylib.errors import TextDamaged

ZSTD = 0
# Shorter texts are kept as they are: a zstd frame's own header would eat the gain.
MIN_BYTES = 96
# Texts up to this size are packed with the workspace's dictionary (a dictionary helps what
# is too short to build up its own history; beyond this, it makes no difference).
DICT_MAX_BYTES = 32 * 1024
# Compressed bytes are kept only when they save at least a tenth.
KEEP_SHARE = 0.9
# Training: the dictionary's size, and how many small texts it needs to be worth training.
DICT_BYTES = 16 * 1024
MIN_SAMPLES = 24
MAX_SAMPLES = 2000

# Loaded dictionaries by id; the id is derived from the bytes, so connections can share them.
_DICTS: dict[int, compress.Dictionary] = {}
# Recently unpacked texts by their SHA-256 (the artifact's ``hash``: the same hash is the same
# text, so an entry can never be stale): a document being edited is read back after every
# save, and the one open is read again and again. Bounded in bytes; large texts skip it.
_RECENT: OrderedDict[str, bytes] = OrderedDict()
RECENT_BYTES = 16 * 1024 * 1024
RECENT_ITEM_BYTES = 2 * 1024 * 1024
_recent_size = 0


def _dictionary(conn: sqlite3.Connection, dict_id: int) -> compress.Dictionary:
    loaded = _DICTS.get(dict_id)
    if loaded is None:
        row = conn.execute("SELECT dict FROM text_dicts WHERE id = ?", (dict_id,)).fetchone()
        if row is None:
            raise compress.CompressedDataError(f"dictionary {dict_id} is missing")
        loaded = compress.load_dictionary(to_bytes(row[0]))
        if loaded.dict_id != dict_id:
            raise compress.CompressedDataError(f"dictionary {dict_id} is damaged")
        _DICTS[dict_id] = loaded
    return loaded


def unpack(conn: sqlite3.Connection, content: Any, codec: int | None) -> bytes | None:
    """The plain bytes of a stored ``content``; raises :class:`compress.CompressedDataError`."""
    if content is None or codec is None:
        return None if content is None else to_bytes(content)
    zstd_dict = _dictionary(conn, int(codec)) if codec else None
    return compress.unpack(to_bytes(content), zstd_dict=zstd_dict)


def plain(conn: sqlite3.Connection, content: Any, codec: int | None,
          path: str | None = None) -> bytes | None:
    """:func:`unpack`, raising :class:`TextDamaged` (naming ``path``) for a damaged value."""
    try:
        return unpack(conn, content, codec)
    except compress.CompressedDataError as exc:
        where = f" of {path}" if path else ""
        raise TextDamaged(f"The stored text{where} is damaged and cannot be read ({exc}).",
                          path=path) from exc


def remember(hash_: str, data: bytes) -> None:
    """Keep a text just written (packed) for the reads that follow it."""
    global _recent_size
    if len(data) > RECENT_ITEM_BYTES or hash_ in _RECENT:
        return
    _RECENT[hash_] = data
    _recent_size += len(data)
    while _recent_size > RECENT_BYTES:
        _recent_size -= len(_RECENT.popitem(last=False)[1])


def forget_recent() -> None:
    """Empty the cache of unpacked texts (benchmarks measure reads without it)."""
    global _recent_size
    _RECENT.clear()
    _recent_size = 0


def plain_of(conn: sqlite3.Connection, content: Any, codec: int | None, hash_: str | None,
             path: str | None = None) -> bytes | None:
    """:func:`plain` for an artifact row whose ``hash`` is known: a text unpacked recently
    is taken from memory (checked by its hash when it is first unpacked)."""
    if codec is None or content is None or hash_ is None:
        return plain(conn, content, codec, path)
    found = _RECENT.get(hash_)
    if found is not None:
        _RECENT.move_to_end(hash_)
        return found
    data = plain(conn, content, codec, path)
    if data is not None and digest(data) == hash_:
        remember(hash_, data)
    return data


def read(conn: sqlite3.Connection, artifact_id: str) -> bytes | None:
    """An artifact's inline content as plain bytes (``None`` if it keeps none inline)."""
    row = conn.execute("SELECT content, content_codec, path FROM artifacts WHERE id = ?",
                       (artifact_id,)).fetchone()
    return None if row is None else plain(conn, row[0], row[1], row[2])


def _current_dict(conn: sqlite3.Connection) -> tuple[int, compress.Dictionary] | None:
    row = conn.execute("SELECT id FROM text_dicts ORDER BY created_at DESC, rowid DESC"
                       " LIMIT 1").fetchone()
    if row is None:
        return None
    try:
        return row[0], _dictionary(conn, row[0])
    except compress.CompressedDataError:
        return None  # a damaged dictionary is not used for new writes


def encode(conn: sqlite3.Connection, data: bytes, kind: str | None) -> tuple[bytes, int | None]:
    """``(stored bytes, codec)`` for inline content: a text of a document kind is packed when
    that saves at least a tenth, with the workspace's newest dictionary if it is short."""
    if kind not in DOCUMENT_KINDS or len(data) < MIN_BYTES or as_text(data) is None:
        return data, None
    best, codec = compress.pack(data), ZSTD
    if len(data) <= DICT_MAX_BYTES:
        current = _current_dict(conn)
        if current is not None:
            packed = compress.pack(data, zstd_dict=current[1])
            if len(packed) < len(best):
                best, codec = packed, current[0]
    if len(best) > KEEP_SHARE * len(data):
        return data, None
    return best, codec


def column(alias: str = "") -> str:
    """SQL for the plain content of ``artifacts`` (``alias`` e.g. ``"a."``): the column itself
    when it is stored as is (no function call), else ``quire_text``."""
    return (f"(CASE WHEN {alias}content_codec IS NULL THEN {alias}content"
            f" ELSE quire_text({alias}content, {alias}content_codec) END)")


def register(conn: sqlite3.Connection) -> None:
    """Add ``quire_text(content, codec)`` to ``conn`` (``NULL`` for a damaged value)."""

    def _text(content: Any, codec: Any) -> bytes | None:
        try:
            return unpack(conn, content, codec)
        except compress.CompressedDataError:
            return None

    conn.create_function("quire_text", 2, _text, deterministic=True)
