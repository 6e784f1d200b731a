"""The 100-byte SQLite file header, checked before SQLite ever sees an imported file.

Everything here is plain byte arithmetic on the documented format
(https://www.sqlite.org/fileformat2.html#the_database_header), so an empty, truncated, padded,
WAL-mode or absurdly sized file is refused with a clear message and nothing is opened.
"""

from __future__ import annotations

from dataclasses import dataclass

from pylib.errors import InvalidImport

MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
LEGACY, WAL = 1, 2


@dataclass(frozen=True)
class Header:
    """The header fields the import relies on."""

    page_size: int
    page_count: int
    reserved: int
    text_encoding: int


def _u16(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset:offset + 2], "big")


def _u32(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset:offset + 4], "big")


def _page_size(data: bytes) -> int:
    raw = _u16(data, 16)
    size = 65536 if raw == 1 else raw
    if size < 512 or size > 65536 or size & (size - 1):
        raise InvalidImport(f"The file's header names an impossible page size ({raw}).",
                            reason="bad_page_size")
    return size


def _check_versions(data: bytes) -> None:
    write_version, read_version = data[18], data[19]
    if WAL in (write_version, read_version):
        raise InvalidImport(
            "The file is in WAL mode, so part of its data may live in a separate -wal file. "
            "Open it in the sqlite3 shell, run PRAGMA journal_mode=DELETE, and import it again.",
            reason="wal_mode",
        )
    if write_version != LEGACY or read_version != LEGACY:
        raise InvalidImport("The file uses an unknown SQLite file format version.",
                            reason="bad_format_version")
    # Payload fractions are fixed at 64/32/32 by the format; anything else is garbage.
    if data[21:24] != b"\x40\x20\x20":
        raise InvalidImport("The file's header is damaged.", reason="bad_header")


def read_header(data: bytes, max_bytes: int) -> Header:
    """Check the raw bytes of an imported file and return its header.

    Raises :class:`InvalidImport` with a ``reason`` detail: empty, not_sqlite, too_large (more
    than ``max_bytes``, or a header that claims so), truncated, wal_mode, bad_page_size, ...
    """
    if not data:
        raise InvalidImport("The file is empty.", reason="empty")
    if len(data) > max_bytes:
        raise InvalidImport(f"The file is {len(data):,} bytes; imports are limited to "
                            f"{max_bytes:,} bytes.", reason="too_large", limit=max_bytes)
    if len(data) < HEADER_SIZE or not data.startswith(MAGIC):
        raise InvalidImport("That file is not a SQLite database.", reason="not_sqlite")
    page_size = _page_size(data)
    _check_versions(data)
    reserved = data[20]
    if page_size - reserved < 480:
        raise InvalidImport("The file's header is damaged.", reason="bad_header")
    claimed = _u32(data, 28)
    # The in-header size is only trusted when "version-valid-for" matches the change counter.
    header_valid = claimed > 0 and _u32(data, 92) == _u32(data, 24)
    if header_valid and claimed * page_size > max_bytes:
        raise InvalidImport(f"The file's header claims {claimed:,} pages of {page_size} bytes, "
                            f"more than the {max_bytes:,}-byte import limit.", reason="too_large")
    if len(data) % page_size:
        raise InvalidImport("The file is truncated (its size is not a whole number of pages).",
                            reason="truncated")
    pages = len(data) // page_size
    if header_valid and claimed > pages:
        raise InvalidImport(f"The file is truncated: its header says {claimed:,} pages but "
                            f"only {pages:,} are there.", reason="truncated")
    encoding = _u32(data, 56)
    if encoding not in (0, 1, 2, 3):
        raise InvalidImport("The file's header names an unknown text encoding.",
                            reason="bad_header")
    return Header(page_size, claimed if header_valid else pages, reserved, encoding)
