"""Rebuilding every version of a document: the integrity check's and the repair's walk.

A document's versions are walked newest first. Each version is rebuilt from its keyframe or
by applying its delta to the bytes of the version it is stored against, and checked against
its SHA-256 ``hash``. Rebuilt bytes are kept only while a version still to come is stored
against them (nearly always just the next one), so a walk holds about one text at a time
and reads each row once. A version that cannot be rebuilt is reported in words, naming the
document and the version; the versions stored against it are reported as depending on it.

A version of a file over the inline limit keeps only its size and hash by design (its bytes
are an object in S3, checked by the ``blobs`` check): the walk passes over it, neither
reported nor rebuilt, so the check does not flag it and the repair does not drop it.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from pylib import deltas
from pylib.content import FILE_INLINE_LIMIT, digest, to_bytes
from pylib.errors import VersionCorrupt
from pylib.version_store import anchor

# A damaged file's base links may loop; no real chain is longer than this.
_MAX_STEPS = 4096


@dataclass(frozen=True)
class Rebuilt:
    """One version after the walk: ``data`` is its bytes, or ``None`` with ``reason``."""

    version_id: str
    number: int            # as History shows it: 1 for the document's oldest version kept
    created_at: int
    data: bytes | None
    reason: str = ""


class _Broken(Exception):
    pass


def _when(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ms / 1000))


def describe(path: str, version: Rebuilt) -> str:
    """The problem with one version, for people: which document, which version, what."""
    return (f"Version {version.number} of {path} (saved {_when(version.created_at)})"
            f" {version.reason}.")


class _Walk:
    def __init__(self, conn: sqlite3.Connection, artifact_id: str) -> None:
        self.conn = conn
        # length() is read from the record header: the content itself is not loaded.
        rows = conn.execute(
            "SELECT id, seq, storage, base_id, hash, created_at, length(content) IS NULL"
            " AND storage = 'full' AND size_bytes > ? FROM artifact_versions"
            " WHERE artifact_id = ? ORDER BY seq", (FILE_INLINE_LIMIT, artifact_id)).fetchall()
        self.meta = {r[0]: r[1:6] for r in rows}
        # Named as History numbers them: by when each was saved (pylib.versions).
        self.numbers = {r[0]: i + 1 for i, r in enumerate(sorted(rows, key=lambda r: (r[5], r[0])))}
        self.order = [r[0] for r in reversed(rows) if not r[6]]
        self.refs = Counter(r[3] for r in rows if r[2] == "delta" and r[3] is not None)
        self.done: dict[str, bytes | _Broken] = {}
        self.yielded: set[str] = set()

    def _release(self, version_id: str) -> None:
        """Free a text once it is reported and nothing left is stored against it."""
        if (version_id in self.yielded and self.refs[version_id] <= 0
                and not isinstance(self.done.get(version_id), _Broken)):
            self.done[version_id] = b""

    def _content(self, version_id: str) -> bytes | None:
        row = self.conn.execute("SELECT content FROM artifact_versions WHERE id = ?",
                                (version_id,)).fetchone()
        return None if row is None or row[0] is None else to_bytes(row[0])

    def _one(self, version_id: str, base: bytes | None) -> bytes:
        _, storage, _, hash_, _ = self.meta[version_id]
        content = self._content(version_id)
        if content is None:
            raise _Broken("has no stored content")
        if storage == "delta":
            try:
                data = deltas.apply(base, content)
            except deltas.DeltaError:
                raise _Broken("cannot be rebuilt: its stored changes are damaged") from None
        else:
            try:
                data = anchor(storage, content)
            except VersionCorrupt:
                raise _Broken("cannot be read: its stored copy is damaged") from None
        if hash_ is not None and digest(data) != hash_:
            raise _Broken("was rebuilt but does not match its recorded hash")
        return data

    def _base_of(self, version_id: str) -> bytes | None:
        _, storage, base_id, _, _ = self.meta[version_id]
        if storage != "delta":
            return None
        if base_id is None or base_id not in self.meta:
            raise _Broken("cannot be rebuilt: the version it is stored against is missing")
        if base_id not in self.done:
            self._rebuild(base_id)
        base = self.done[base_id]
        self.refs[base_id] -= 1
        self._release(base_id)
        if isinstance(base, _Broken):
            raise _Broken(f"cannot be rebuilt: it is stored against version"
                          f" {self.numbers[base_id]}, which cannot be rebuilt")
        return base

    def _rebuild(self, version_id: str) -> None:
        # Bases are newer and so rebuilt first; a link elsewhere (a merge) is followed
        # iteratively, never recursively, with a bound against loops.
        pending = [version_id]
        while pending:
            if len(pending) > _MAX_STEPS:
                raise _Broken("cannot be rebuilt: its chain of changes loops")
            vid = pending[-1]
            _, storage, base_id, _, _ = self.meta[vid]
            if (storage == "delta" and base_id in self.meta and base_id not in self.done
                    and base_id not in pending):
                pending.append(base_id)
                continue
            pending.pop()
            try:
                self.done[vid] = self._one(vid, self._base_of(vid))
            except _Broken as exc:
                self.done[vid] = exc

    def __iter__(self) -> Iterator[Rebuilt]:
        for vid in self.order:
            if vid not in self.done:
                try:
                    self._rebuild(vid)
                except _Broken as exc:
                    self.done[vid] = exc
            result = self.done[vid]
            _, _, _, _, created = self.meta[vid]
            self.yielded.add(vid)
            if isinstance(result, _Broken):
                yield Rebuilt(vid, self.numbers[vid], created, None, str(result))
            else:
                yield Rebuilt(vid, self.numbers[vid], created, result)
                self._release(vid)


def rebuild_all(conn: sqlite3.Connection, artifact_id: str) -> Iterator[Rebuilt]:
    """Every version of one document, newest first, each rebuilt and checked."""
    return iter(_Walk(conn, artifact_id))


def documents(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """``(artifact_id, path)`` of every document with versions (a path of ``?`` for
    versions whose document is gone: the check reports those as orphans)."""
    return conn.execute(
        "SELECT v.artifact_id, coalesce(a.path, '?') FROM (SELECT DISTINCT artifact_id"
        " FROM artifact_versions) v LEFT JOIN artifacts a ON a.id = v.artifact_id"
        " ORDER BY v.artifact_id").fetchall()

