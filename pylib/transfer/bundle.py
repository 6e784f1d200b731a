"""Export with files: one ``.zip`` of ``workspace.sqlite`` and the decrypted large files.

The workspace file keeps large files as pointers (hash and size; the bytes are on the device
or in S3, encrypted); the bundle carries their plaintext as ``files/<sha256>``, so it can be
opened anywhere, without the workspace key. The import takes nothing on trust: the archive's
entries are limited in number, names and size (declared sizes are enforced while reading, and
an entry that inflates more than :data:`MAX_RATIO` times is a zip bomb), the workspace file goes
through every check of a plain import, and every pointer in it must have its file in the
archive with exactly its SHA-256 and size. Any failure is an ``invalid_import`` with a
``reason`` (``not_a_zip``, ``zip_bomb``, ``too_large``, ``unexpected_entry``, ``missing_file``,
``hash_mismatch``, or the plain import's) and nothing is changed.
"""

from __future__ import annotations

import hashlib
import io
import re
import sqlite3
import zipfile
from collections.abc import Awaitable, Callable

from pylib.blobs import ledger
from pylib.blobs.device import DeviceFiles
from pylib.blobs.store import BlobStore
from pylib.db import Workspace
from pylib.errors import InvalidImport
from pylib.transfer.export import export_workspace
from pylib.transfer.importer import checked, import_workspace
from pylib.transfer.models import ImportResult
from pylib.transfer.validate import DEFAULT_MAX_BYTES

SQLITE_ENTRY = "workspace.sqlite"
_FILE_ENTRY = re.compile(r"files/([0-9a-f]{64})")
MAX_ENTRIES = 100_000
# Deflate tops out near 1030:1; real files (even a mostly empty SQLite file) stay far below
# this once they are large, so a large entry past it is a bomb. The size cap holds regardless.
MAX_RATIO = 500
RATIO_FROM_BYTES = 32 << 20
_READ = 1 << 20

# Large files the workspace file holds as pointers only (their bytes are not inside it; bytes
# waiting in pending_uploads under another hash are a version's, not the current content).
_POINTERS = ("SELECT DISTINCT hash, size_bytes FROM artifacts WHERE content IS NULL AND size_bytes > 0"
             " AND hash IS NOT NULL AND id NOT IN (SELECT artifact_id FROM pending_uploads p"
             " WHERE p.hash = artifacts.hash AND p.size_bytes = artifacts.size_bytes)")

ReadFile = Callable[[str, int], Awaitable[bytes]]  # (sha256 hex, size) -> plaintext


def is_bundle(data: bytes) -> bool:
    """Whether ``data`` looks like a zip (the import then expects a bundle)."""
    return data[:4] == b"PK\x03\x04"


def pointers(conn: sqlite3.Connection) -> dict[str, int]:
    """``{sha256: size}`` of the large files ``conn``'s workspace refers to but does not hold."""
    return {sha: size for sha, size in conn.execute(_POINTERS)}


async def export_bundle(ws: Workspace, read_file: ReadFile) -> bytes:
    """The bundle: the workspace file (deflated) and each pointed-to file (stored as is)."""
    sqlite = export_workspace(ws)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        archive.writestr(SQLITE_ENTRY, sqlite, compress_type=zipfile.ZIP_DEFLATED)
        for sha, size in sorted(pointers(ws.conn).items()):
            data = await read_file(sha, size)
            if len(data) != size or hashlib.sha256(data).hexdigest() != sha:
                raise InvalidImport("A file's bytes do not match the workspace's record; nothing was exported.",
                                    reason="hash_mismatch")
            archive.writestr(f"files/{sha}", data, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def _refuse(message: str, reason: str, **details) -> InvalidImport:
    return InvalidImport(f"{message} Your workspace was not changed.", reason=reason, **details)


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The entry's bytes, never more than it declares (a lying header is a zip bomb)."""
    chunks, seen = [], 0
    with archive.open(info) as handle:
        while chunk := handle.read(_READ):
            seen += len(chunk)
            if seen > info.file_size:
                raise _refuse("The archive's entries are larger than they declare.", "zip_bomb")
            chunks.append(chunk)
    return b"".join(chunks)


def read_bundle(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, dict[str, bytes]]:
    """The workspace file and ``{sha256: bytes}`` of a bundle, every entry checked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse("That file is not a readable .zip.", "not_a_zip") from None
    if len(entries) > MAX_ENTRIES:
        raise _refuse("The archive has too many entries.", "zip_bomb")
    if sum(info.file_size for info in entries) > max_bytes:
        raise _refuse("The archive unpacks to more than the import allows.", "too_large")
    sqlite, files = None, {}
    try:
        for info in entries:
            if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _refuse("The archive is a zip bomb (an entry inflates too far).", "zip_bomb")
            match = _FILE_ENTRY.fullmatch(info.filename)
            if info.filename == SQLITE_ENTRY and sqlite is None:
                sqlite = _read_entry(archive, info)
            elif match and match.group(1) not in files:
                files[match.group(1)] = _read_entry(archive, info)
            else:
                raise _refuse(f"The archive holds an unexpected entry ({info.filename[:80]!r}).", "unexpected_entry")
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise _refuse(f"The archive is damaged ({type(exc).__name__}).", "not_a_zip") from None
    if sqlite is None:
        raise _refuse(f"The archive has no {SQLITE_ENTRY}.", "missing_file")
    return sqlite, files


def check_bundle(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, dict[str, bytes]]:
    """:func:`read_bundle`, the plain import's checks on the workspace file, and every pointer
    matched with its file (present, same size, same SHA-256)."""
    sqlite, files = read_bundle(data, max_bytes)
    with checked(sqlite, max_bytes) as found:
        wanted = pointers(found.conn)
    for sha, size in wanted.items():
        body = files.get(sha)
        if body is None:
            raise _refuse(f"The archive lacks the file with SHA-256 {sha[:12]}…", "missing_file", sha256=sha)
        if len(body) != size or hashlib.sha256(body).hexdigest() != sha:
            raise _refuse(f"The file {sha[:12]}… in the archive does not match its hash.", "hash_mismatch", sha256=sha)
    for sha, body in files.items():
        if hashlib.sha256(body).hexdigest() != sha:
            raise _refuse(f"The file {sha[:12]}… in the archive does not match its hash.", "hash_mismatch", sha256=sha)
    return sqlite, {sha: files[sha] for sha in wanted}


async def import_bundle(ws: Workspace, data: bytes, mode: str, store: BlobStore, files: DeviceFiles,
                        *, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportResult:
    """Check everything, keep each file durably on this device, import the workspace file,
    then queue the files for upload (the import rebuilds the tables, so the queue's rows come
    after it). A refusal changes nothing."""
    sqlite, bodies = check_bundle(data, max_bytes)
    refs = []
    for body in bodies.values():
        ref = await store.ref_for(body)
        await files.put(ref.name, body)
        refs.append(ref)
    result = import_workspace(ws, sqlite, mode)
    with ws.transaction():
        for ref in refs:
            ledger.record(ws, ref)
            ledger.set_on_device(ws, ref.name, True)
    return result
