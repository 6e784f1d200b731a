"""Zstandard for stored history, the same code in Pyodide and in CPython.

Pyodide 314 (Python 3.14) has ``compression.zstd`` in its standard library (PEP 784); the
CPython 3.11 host gets the same API from the ``backports.zstd`` package. Everything else in
the engine calls :func:`pack` / :func:`unpack` here and never imports either directly.

Used for version keyframes (``artifact_versions.storage = 'zstd'``, :mod:`pylib.version_store`),
a document's current text (:mod:`pylib.textstore`, with a trained dictionary for small texts)
and sync's segments (:mod:`pylib.sync.codec`). Any stored text is printed by ``quire cat FILE
PATH [--version N]`` (docs/recovery.md), and :func:`register_sql` gives a Python ``sqlite3``
connection the SQL function ``quire_unzstd(blob)``.
"""

from __future__ import annotations

import sqlite3

try:  # Python 3.14+: the standard library
    from compression import zstd as _zstd
except ImportError:  # CPython < 3.14: the backport of the same module
    from backports import zstd as _zstd

# Level 3 (zstd's default): ~0.3 s for 51 MB in Pyodide, where zlib-6 takes ~3 s.
LEVEL = 3


class CompressedDataError(ValueError):
    """A stored compressed value that cannot be decompressed (damaged)."""


Dictionary = _zstd.ZstdDict


def pack(data: bytes, level: int = LEVEL, zstd_dict: Dictionary | None = None) -> bytes:
    """``data`` compressed as one zstd frame (made with ``zstd_dict`` if given)."""
    return _zstd.compress(data, level, zstd_dict=zstd_dict)


def unpack(data: bytes, max_size: int | None = None,
           zstd_dict: Dictionary | None = None) -> bytes:
    """The bytes of one zstd frame; raises :class:`CompressedDataError` if it is damaged, or if
    it would unpack beyond ``max_size`` bytes (a small object must not unpack into gigabytes)."""
    try:
        decomp = _zstd.ZstdDecompressor(zstd_dict=zstd_dict)
        if max_size is None:
            out = decomp.decompress(data)
        else:
            out = decomp.decompress(data, max_length=max_size + 1)
    except _zstd.ZstdError as exc:
        raise CompressedDataError(str(exc)) from exc
    # A frame cut short unpacks to a prefix without an error: only the frame's end proves it
    # whole (the same in Pyodide's compression.zstd and the CPython backport).
    if max_size is not None and len(out) > max_size:
        raise CompressedDataError("the data is larger than allowed")
    if not decomp.eof:
        raise CompressedDataError("the data is truncated")
    return out


def train(samples: list[bytes], size: int) -> Dictionary:
    """A dictionary of at most ``size`` bytes trained on ``samples`` (zstd's own trainer);
    raises :class:`ValueError` when the samples are too few or too alike to train on."""
    try:
        return _zstd.train_dict(samples, size)
    except _zstd.ZstdError as exc:
        raise ValueError(f"cannot train a dictionary on these samples ({exc})") from exc


def load_dictionary(raw: bytes) -> Dictionary:
    """A stored dictionary (its bytes, as :func:`train` made them) ready to use."""
    try:
        return _zstd.ZstdDict(raw)
    except (_zstd.ZstdError, ValueError, TypeError) as exc:
        raise CompressedDataError(f"a stored dictionary is damaged ({exc})") from exc


def register_sql(conn: sqlite3.Connection) -> None:
    """Add ``quire_unzstd(blob)`` to ``conn``: the text of a ``zstd`` version row, e.g.
    ``SELECT CAST(quire_unzstd(content) AS TEXT) FROM artifact_versions WHERE storage = 'zstd'``
    (``NULL`` for a damaged value)."""

    def _unzstd(value: bytes | None) -> bytes | None:
        if value is None:
            return None
        try:
            return unpack(bytes(value))
        except CompressedDataError:
            return None

    conn.create_function("quire_unzstd", 1, _unzstd, deterministic=True)
