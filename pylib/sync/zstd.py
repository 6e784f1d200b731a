"""zstd from the standard library (``compression.zstd``, Python 3.14: Pyodide has it) or,
on older CPython hosts, from ``backports.zstd``, which has the same API."""

from __future__ import annotations

try:
    from compression import zstd as _zstd  # type: ignore[import-not-found]
except ImportError:  # CPython before 3.14
    from backports import zstd as _zstd  # type: ignore[no-redef]

LEVEL = 3
ZstdError = _zstd.ZstdError


def compress(data: bytes, level: int = LEVEL) -> bytes:
    return _zstd.compress(data, level=level)


def decompress(data: bytes, max_size: int) -> bytes:
    """Decompress, refusing output beyond ``max_size`` (a small object must not unpack into
    gigabytes)."""
    decomp = _zstd.ZstdDecompressor()
    out = decomp.decompress(data, max_length=max_size + 1)
    if len(out) > max_size or not decomp.eof:
        raise ZstdError("the data is larger than allowed or truncated")
    return out
