"""The embedded engine: a qdrant-edge shard in the data directory, in this process.

A shard is one collection (384-d, cosine) with `user_id` indexed as a tenant keyword. It keeps a
WAL and persists across restarts. Only one process may open a shard: a second one fails on the
WAL lock, which is turned into a clear error here.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from proxy.vectors.base import DIMENSION, USER_KEY, Clause, HasIds, Match, Range, VectorStore, VectorStoreError


def to_edge_filter(clause: Clause) -> qe.Filter:
    """Translate the neutral filter tree into qdrant-edge's types."""
    def convert(items: tuple) -> list | None:
        return [to_edge_condition(item) for item in items] or None
    return qe.Filter(must=convert(clause.must), should=convert(clause.should), must_not=convert(clause.must_not))


def to_edge_condition(condition: Any) -> Any:
    if isinstance(condition, Clause):
        return to_edge_filter(condition)
    if isinstance(condition, Match):
        match = qe.MatchAny(list(condition.any)) if condition.any is not None else qe.MatchValue(condition.value)
        return qe.FieldCondition(key=condition.key, match=match)
    if isinstance(condition, Range):
        bounds = qe.RangeFloat(gt=condition.gt, gte=condition.gte, lt=condition.lt, lte=condition.lte)
        return qe.FieldCondition(key=condition.key, range=bounds)
    if isinstance(condition, HasIds):
        return qe.HasIdCondition(set(condition.ids))
    raise TypeError(f"unknown condition {condition!r}")


class EdgeStore(VectorStore):
    """VectorStore on a qdrant-edge shard at `path` (created on first use)."""

    in_process = True

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()  # guards close() against concurrent use
        self._shard: qe.EdgeShard | None = self._open()

    def _open(self) -> qe.EdgeShard:
        config = qe.EdgeConfig(vectors=qe.EdgeVectorParams(size=DIMENSION, distance=qe.Distance.Cosine))
        try:
            if (self.path / "edge_config.json").exists():
                shard = qe.EdgeShard.load(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                shard = qe.EdgeShard.create(str(self.path), config)
        except Exception as error:  # the binding raises plain Exceptions; WAL lock is the usual one
            raise VectorStoreError(
                f"cannot open the qdrant-edge shard in {self.path}: {error}. A shard serves one process; "
                "set QUIRE_QDRANT_URL to share vectors between processes") from None
        schema = shard.info().payload_schema
        if USER_KEY not in schema:
            shard.update(qe.UpdateOperation.create_field_index(USER_KEY, qe.KeywordIndexParams(is_tenant=True)))
        if "artifact_id" not in schema:
            shard.update(qe.UpdateOperation.create_field_index("artifact_id", qe.PayloadSchemaType.Keyword))
        return shard

    @property
    def shard(self) -> qe.EdgeShard:
        if self._shard is None:
            raise VectorStoreError("the vector store is closed")
        return self._shard

    def _run(self, action):
        try:
            return action(self.shard)
        except VectorStoreError:
            raise
        except Exception as error:  # engine errors carry no stable type across versions
            raise VectorStoreError(f"qdrant-edge: {error}") from error

    def _upsert(self, rows: list[tuple[str, list[float], dict[str, Any]]]) -> None:
        points = [qe.Point(pid, vector, payload) for pid, vector, payload in rows]
        self._run(lambda shard: shard.update(qe.UpdateOperation.upsert_points(points)))

    def _query(self, vector: list[float], where: Clause, limit: int) -> list[tuple[float, dict[str, Any]]]:
        request = qe.QueryRequest(limit=limit, query=qe.Query.Nearest(vector), filter=to_edge_filter(where),
                                  with_payload=True, with_vector=False)
        found = self._run(lambda shard: shard.query(request))
        return [(point.score, point.payload or {}) for point in found]

    def _delete(self, where: Clause) -> None:
        self._run(lambda shard: shard.update(qe.UpdateOperation.delete_points_by_filter(to_edge_filter(where))))

    def _count(self, where: Clause) -> int:
        return self._run(lambda shard: shard.count(qe.CountRequest(filter=to_edge_filter(where), exact=True)))

    def optimize(self) -> bool:
        """Build indexes (HNSW) for segments that have grown; blocks until done."""
        return self._run(lambda shard: shard.optimize())

    def ready(self) -> bool:
        try:
            self.shard.info()
        except Exception:  # any failure means "not ready", which /readyz reports
            return False
        return True

    def close(self) -> None:
        with self._lock:
            shard, self._shard = self._shard, None
        if shard is not None:
            shard.flush()
            shard.close()
