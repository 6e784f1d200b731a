"""A Qdrant server or cluster through qdrant-client (or its in-memory local mode, for tests).

Local mode ignores payload indexes, so it is for checking request shapes, not for serving.
"""

from __future__ import annotations

import warnings
from typing import Any

from qdrant_client import QdrantClient, models

from proxy.vectors.base import DIMENSION, USER_KEY, Clause, HasIds, Match, Range, VectorStore, VectorStoreError


def to_client_filter(clause: Clause) -> models.Filter:
    """Translate the neutral filter tree into qdrant-client's models."""
    def convert(items: tuple) -> list | None:
        return [to_client_condition(item) for item in items] or None
    return models.Filter(must=convert(clause.must), should=convert(clause.should), must_not=convert(clause.must_not))


def to_client_condition(condition: Any) -> Any:
    if isinstance(condition, Clause):
        return to_client_filter(condition)
    if isinstance(condition, Match):
        match = (models.MatchAny(any=list(condition.any)) if condition.any is not None
                 else models.MatchValue(value=condition.value))
        return models.FieldCondition(key=condition.key, match=match)
    if isinstance(condition, Range):
        bounds = models.Range(gt=condition.gt, gte=condition.gte, lt=condition.lt, lte=condition.lte)
        return models.FieldCondition(key=condition.key, range=bounds)
    if isinstance(condition, HasIds):
        return models.HasIdCondition(has_id=list(condition.ids))
    raise TypeError(f"unknown condition {condition!r}")


class ClientStore(VectorStore):
    """VectorStore on one collection of a Qdrant server (`url`) or of local mode (`location`)."""

    def __init__(self, url: str | None = None, api_key: str | None = None, *, location: str | None = None,
                 collection: str = "artifacts", timeout: int = 10) -> None:
        if (url is None) == (location is None):
            raise ValueError("give either url or location")
        self.collection = collection
        if url is not None:
            self.client = QdrantClient(url=url, api_key=api_key, timeout=timeout)
        else:
            self.client = QdrantClient(location=location)
        self._closed = False
        self._run(self._ensure_collection)

    def _ensure_collection(self) -> None:
        if self.client.collection_exists(self.collection):
            return
        self.client.create_collection(
            self.collection, vectors_config=models.VectorParams(size=DIMENSION, distance=models.Distance.COSINE))
        with warnings.catch_warnings():
            # Local mode warns that it ignores indexes; the requests are still the server's.
            warnings.simplefilter("ignore", UserWarning)
            self.client.create_payload_index(self.collection, USER_KEY, models.KeywordIndexParams(
                type=models.KeywordIndexType.KEYWORD, is_tenant=True))
            self.client.create_payload_index(self.collection, "artifact_id", models.PayloadSchemaType.KEYWORD)

    def _run(self, action, *args, **kwargs):
        if self._closed:
            raise VectorStoreError("the vector store is closed")
        try:
            return action(*args, **kwargs)
        except Exception as error:  # httpx, grpc and qdrant errors share no base class
            raise VectorStoreError(f"qdrant: {error}") from error

    def _upsert(self, rows: list[tuple[str, list[float], dict[str, Any]]]) -> None:
        points = [models.PointStruct(id=pid, vector=vector, payload=payload) for pid, vector, payload in rows]
        self._run(self.client.upsert, self.collection, points=points, wait=True)

    def _query(self, vector: list[float], where: Clause, limit: int) -> list[tuple[float, dict[str, Any]]]:
        response = self._run(self.client.query_points, self.collection, query=vector,
                             query_filter=to_client_filter(where), limit=limit, with_payload=True, with_vectors=False)
        return [(point.score, point.payload or {}) for point in response.points]

    def _delete(self, where: Clause) -> None:
        selector = models.FilterSelector(filter=to_client_filter(where))
        self._run(self.client.delete, self.collection, points_selector=selector, wait=True)

    def _count(self, where: Clause) -> int:
        return self._run(self.client.count, self.collection, count_filter=to_client_filter(where), exact=True).count

    def ready(self) -> bool:
        try:
            self._run(self.client.get_collection, self.collection)
        except VectorStoreError:
            return False
        return True

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.client.close()
