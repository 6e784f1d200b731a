"""The vector store interface: user scoping lives here, once, for every engine.

Adapters only translate a neutral filter tree (`Clause`, `Match`, `Range`, `HasIds`) into their
engine's types and run five primitive operations. Everything that keeps users apart is done by
this base class before an adapter sees a request:
- point ids are derived from (uid, client id), so no user can name another user's point;
- `user_id` (and the client id) are written into the payload by the server;
- every query, delete and count is wrapped as `must: [user_id == uid, <client filter>]`;
- results are checked again and stripped of `user_id` before they leave.
"""

from __future__ import annotations

import json
import math
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Sequence, Union

DIMENSION = 384
USER_KEY = "user_id"
CLIENT_ID_KEY = "client_id"
# Payload keys a client may write, and the subset it may filter on.
PAYLOAD_KEYS = ("artifact_id", "path", "content_preview", "chunk")
FILTER_KEYS = ("artifact_id", "path", "chunk")
# Fixed forever: changing it would orphan every stored point.
_POINT_NAMESPACE = uuid.UUID("3bbc7137-566a-5d30-9ca1-60ebb8677722")


class VectorStoreError(RuntimeError):
    """The engine failed or is unavailable (not the client's fault)."""

    code = "vector_store_unavailable"


@dataclass(frozen=True)
class Match:
    """`key` equals `value`, or (with `any`) equals one of the values."""

    key: str
    value: str | int | None = None
    any: tuple[str | int, ...] | None = None


@dataclass(frozen=True)
class Range:
    key: str
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None


@dataclass(frozen=True)
class HasIds:
    """The point id is one of `ids` (internal ids; never built from client input directly)."""

    ids: tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    must: tuple["Condition", ...] = ()
    should: tuple["Condition", ...] = ()
    must_not: tuple["Condition", ...] = ()


Condition = Union[Match, Range, HasIds, Clause]


@dataclass(frozen=True)
class NewPoint:
    """A point as a client sends it: its own id, the vector, the allow-listed payload."""

    client_id: str
    vector: Sequence[float]
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """A query result as a client sees it: its own id, the score, the payload without user_id."""

    id: str
    score: float
    payload: dict[str, Any]


def point_id(uid: str, client_id: str) -> str:
    """The engine's id for a user's point: UUIDv5 of the unambiguous pair (uid, client_id)."""
    return str(uuid.uuid5(_POINT_NAMESPACE, json.dumps([uid, client_id], ensure_ascii=False)))


def owned_by(uid: str) -> Match:
    return Match(USER_KEY, value=uid)


def scoped(uid: str, client_filter: Clause | None = None) -> Clause:
    """`must: [user_id == uid, <client filter>]` — the only shape that reaches an engine."""
    return Clause(must=(owned_by(uid),) if client_filter is None else (owned_by(uid), client_filter))


class VectorStore(ABC):
    """Nearest-neighbour search over users' points, each user confined to their own."""

    # True when queries run in this process without I/O waits (callers may skip a thread hop).
    in_process: bool = False

    # --- the public API, user-scoped -------------------------------------------------------

    def upsert(self, uid: str, points: Sequence[NewPoint]) -> int:
        """Insert or replace the user's points; returns how many were written."""
        rows = []
        for point in points:
            payload = {k: v for k, v in point.payload.items() if k in PAYLOAD_KEYS}
            payload[CLIENT_ID_KEY] = point.client_id
            payload[USER_KEY] = uid
            rows.append((point_id(uid, point.client_id), list(point.vector), payload))
        if rows:
            self._upsert(rows)
        return len(rows)

    def query(self, uid: str, vector: Sequence[float], where: Clause | None = None, limit: int = 10) -> list[Hit]:
        """The user's `limit` nearest points to `vector` that also match `where`."""
        hits = []
        for score, payload in self._query(list(vector), scoped(uid, where), limit):
            if payload.get(USER_KEY) != uid:  # never expected; refuse to leak if an engine misbehaves
                continue
            visible = {k: v for k, v in payload.items() if k in PAYLOAD_KEYS}
            hits.append(Hit(id=str(payload.get(CLIENT_ID_KEY, "")), score=_finite(score), payload=visible))
        return hits

    def delete_ids(self, uid: str, client_ids: Sequence[str]) -> None:
        """Delete the user's points with these client ids (others' points cannot be named)."""
        if client_ids:
            ids = tuple(point_id(uid, cid) for cid in client_ids)
            self._delete(scoped(uid, Clause(must=(HasIds(ids),))))

    def delete_artifact(self, uid: str, artifact_id: str) -> None:
        """Delete all of the user's points whose payload has this artifact_id."""
        self._delete(scoped(uid, Clause(must=(Match("artifact_id", value=artifact_id),))))

    def delete_user(self, uid: str) -> None:
        """Delete every point of the user (account deletion)."""
        self._delete(scoped(uid))

    def count(self, uid: str, where: Clause | None = None) -> int:
        """How many points the user has (matching `where`)."""
        return self._count(scoped(uid, where))

    # --- what an adapter implements --------------------------------------------------------

    @abstractmethod
    def _upsert(self, rows: list[tuple[str, list[float], dict[str, Any]]]) -> None: ...

    @abstractmethod
    def _query(self, vector: list[float], where: Clause, limit: int) -> list[tuple[float, dict[str, Any]]]:
        """(score, payload) of the nearest points matching `where`, best first."""

    @abstractmethod
    def _delete(self, where: Clause) -> None: ...

    @abstractmethod
    def _count(self, where: Clause) -> int: ...

    @abstractmethod
    def ready(self) -> bool:
        """True if the engine answers."""

    @abstractmethod
    def close(self) -> None:
        """Release the engine (flush to disk where that applies). Idempotent."""


def _finite(score: float) -> float:
    score = float(score)
    return score if math.isfinite(score) else 0.0
