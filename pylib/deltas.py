"""Byte deltas between two versions of a document, and applying chains of them.

A delta rebuilds a *target* from a *base* with two kinds of operation: copy a range of the
base, or insert literal bytes. Encoding is pure Python over C-speed primitives (slice
comparison, ``bytes.split``, dict lookups), so it runs the same in CPython and Pyodide with
no dependency: first the common prefix and suffix are cut off (a typing session changes one
place between saves), then the middle is matched line by line (several edits in one save,
moved paragraphs) and what is left is inserted literally. The result is zlib-compressed when
that makes it smaller.

Wire format (before the optional zlib layer): ``b"QD1"``, a flag byte (0 raw, 1 zlib for
the rest), then varint target length and a list of operations: ``varint(n << 1)`` +
``varint(offset)`` copies ``n`` base bytes from ``offset``; ``varint(n << 1 | 1)`` + ``n``
bytes inserts them.

A chain ``d_k, d_k+1, ... d_j`` (each against the next) is applied by :func:`apply_chain`
without rebuilding every intermediate text: the operations are composed on a list of pieces
that point into the anchor or into literals, joined only when the list grows long and once
at the end.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right

MAGIC = b"QD1"
_RAW, _ZLIB = 0, 1
# A middle region smaller than this is inserted as it is: matching it would cost more than
# it saves.
_MATCH_MIN = 256
# Lines shorter than this are not used as anchors (blank lines, "---", "- [ ]" repeat too
# often to say where a run of text came from).
_ANCHOR_MIN = 8
_CHUNK = 64 * 1024
# Composing touches every piece once per delta; past this many pieces one join (a memcpy of
# the text) is cheaper than carrying them through the rest of the chain.
_FLATTEN_AT = 8


class DeltaError(ValueError):
    """The delta is not well formed or does not fit its base."""


Op = tuple[int, int, bytes]  # (offset, length, b"") for a copy; (-1, 0, literal) for an insert


def _prefix_len(a: bytes, b: bytes) -> int:
    limit = min(len(a), len(b))
    start = 0
    while start < limit:  # skip equal chunks, then bisect inside the first unequal one
        end = min(start + _CHUNK, limit)
        if a[start:end] == b[start:end]:
            start = end
            continue
        lo, hi = start, end
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if a[start:mid] == b[start:mid]:
                lo = mid
            else:
                hi = mid - 1
        return lo
    return limit


def _suffix_len(a: bytes, b: bytes, limit: int) -> int:
    done = 0
    while done < limit:
        step = min(_CHUNK, limit - done)
        la, lb = len(a) - done, len(b) - done
        if a[la - step:la] == b[lb - step:lb]:
            done += step
            continue
        lo, hi = 0, step
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if a[la - mid:la] == b[lb - mid:lb]:
                lo = mid
            else:
                hi = mid - 1
        return done + lo
    return limit


def _match_lines(base: bytes, lo: int, hi: int, target: bytes) -> list[Op]:
    """Operations building ``target`` from ``base[lo:hi]`` (offsets into the whole base)."""
    where: dict[bytes, int] = {}
    pos = lo
    for line in base[lo:hi].splitlines(keepends=True):
        if len(line) >= _ANCHOR_MIN:
            where.setdefault(line, pos)
        pos += len(line)
    ops: list[Op] = []
    for line in target.splitlines(keepends=True):
        n = len(line)
        if ops and ops[-1][0] >= 0:  # extend the current copy if the base goes on the same way
            off, length, _ = ops[-1]
            end = off + length
            if end + n <= hi and base.startswith(line, end):
                ops[-1] = (off, length + n, b"")
                continue
        found = where.get(line) if n >= _ANCHOR_MIN else None
        if found is not None:
            ops.append((found, n, b""))
        elif ops and ops[-1][0] < 0:
            ops[-1] = (-1, 0, ops[-1][2] + line)
        else:
            ops.append((-1, 0, line))
    return ops


def diff(base: bytes, target: bytes) -> list[Op]:
    """Operations that rebuild ``target`` from ``base``."""
    p = _prefix_len(base, target)
    s = _suffix_len(base, target, min(len(base), len(target)) - p)
    mid_lo, mid_hi = p, len(base) - s
    middle = target[p:len(target) - s]
    ops: list[Op] = [(0, p, b"")] if p else []
    if middle:
        if len(middle) >= _MATCH_MIN and mid_hi - mid_lo >= _MATCH_MIN:
            ops.extend(_match_lines(base, mid_lo, mid_hi, middle))
        else:
            ops.append((-1, 0, middle))
    if s:
        ops.append((mid_hi, s, b""))
    return ops


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def encode(base: bytes, target: bytes) -> bytes:
    """A delta that rebuilds ``target`` from ``base`` (see the module docstring)."""
    body = bytearray()
    _varint(len(target), body)
    for off, length, lit in diff(base, target):
        if off >= 0:
            _varint(length << 1, body)
            _varint(off, body)
        else:
            _varint(len(lit) << 1 | 1, body)
            body += lit
    packed = zlib.compress(bytes(body), 6)
    if len(packed) < len(body):
        return MAGIC + bytes([_ZLIB]) + packed
    return MAGIC + bytes([_RAW]) + bytes(body)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise DeltaError("truncated delta")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def decode(delta: bytes) -> tuple[int, list[Op]]:
    """``(target length, operations)`` of a delta; raises :class:`DeltaError`."""
    if delta[:3] != MAGIC or len(delta) < 4 or delta[3] not in (_RAW, _ZLIB):
        raise DeltaError("not a Quire delta")
    body = delta[4:]
    if delta[3] == _ZLIB:
        try:
            body = zlib.decompress(body)
        except zlib.error as exc:
            raise DeltaError(f"damaged delta ({exc})") from exc
    size, pos = _read_varint(body, 0)
    ops: list[Op] = []
    while pos < len(body):
        head, pos = _read_varint(body, pos)
        n = head >> 1
        if head & 1:
            if pos + n > len(body):
                raise DeltaError("truncated delta")
            ops.append((-1, 0, body[pos:pos + n]))
            pos += n
        else:
            off, pos = _read_varint(body, pos)
            ops.append((off, n, b""))
    if sum(len(lit) if off < 0 else n for off, n, lit in ops) != size:
        raise DeltaError("delta length does not add up")
    return size, ops


# A piece of a text being rebuilt: (source, start, end) where source is the anchor or a literal.
Piece = tuple[bytes, int, int]


def _compose(pieces: list[Piece], starts: list[int], total: int, ops: list[Op]) -> list[Piece]:
    out: list[Piece] = []
    for off, n, lit in ops:
        if off < 0:
            if lit:
                out.append((lit, 0, len(lit)))
            continue
        if off + n > total:
            raise DeltaError("delta copies past the end of its base")
        i = bisect_right(starts, off) - 1
        while n > 0:
            src, s, e = pieces[i]
            skip = off - starts[i]
            take = min(n, e - s - skip)
            out.append((src, s + skip, s + skip + take))
            off += take
            n -= take
            i += 1
    return out


def apply_chain(anchor: bytes, deltas: list[bytes]) -> bytes:
    """Apply ``deltas`` in order, each to the result of the one before, starting from
    ``anchor``; the text is joined only once at the end."""
    pieces: list[Piece] = [(anchor, 0, len(anchor))] if anchor else []
    total = len(anchor)
    for delta in deltas:
        starts, pos = [], 0
        for _, s, e in pieces:
            starts.append(pos)
            pos += e - s
        size, ops = decode(delta)
        pieces = _compose(pieces, starts, total, ops)
        total = size
        if len(pieces) > _FLATTEN_AT:
            flat = _join(pieces)
            pieces = [(flat, 0, len(flat))]
    return _join(pieces)


def _join(pieces: list[Piece]) -> bytes:
    return b"".join(memoryview(src)[s:e] for src, s, e in pieces)


def apply(base: bytes, delta: bytes) -> bytes:
    """The target a delta rebuilds from ``base``."""
    return apply_chain(base, [delta])
