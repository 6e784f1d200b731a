"""User-scoped vectors: the HTTP routes and models, and one store interface (VectorStore) with two engines.

- EdgeStore: qdrant-edge in this process, a shard under `<data_dir>/qdrant/<collection>`
  (the embedded default; one process per data directory).
- ClientStore: a Qdrant server or cluster through qdrant-client (`QUIRE_QDRANT_URL`).
"""

from __future__ import annotations

from proxy.settings import Settings
from proxy.vectors.base import (
    CLIENT_ID_KEY, DIMENSION, FILTER_KEYS, PAYLOAD_KEYS, USER_KEY, Clause, HasIds, Hit, Match, NewPoint, Range,
    VectorStore, VectorStoreError, point_id, scoped,
)
from proxy.vectors.edge import EdgeStore

__all__ = [
    "CLIENT_ID_KEY", "DIMENSION", "FILTER_KEYS", "PAYLOAD_KEYS", "USER_KEY", "Clause", "ClientStore", "EdgeStore",
    "HasIds", "Hit", "Match", "NewPoint", "Range", "VectorStore", "VectorStoreError", "from_settings", "point_id",
    "scoped",
]


def __getattr__(name: str):
    # qdrant-client takes seconds to import; only a server deployment (a Qdrant URL) needs it.
    if name == "ClientStore":
        from proxy.vectors.client import ClientStore

        return ClientStore
    raise AttributeError(name)


def from_settings(settings: Settings) -> VectorStore:
    """The store the settings ask for: a Qdrant URL means ClientStore, otherwise the edge shard."""
    if settings.qdrant_url:
        from proxy.vectors.client import ClientStore

        api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return ClientStore(settings.qdrant_url, api_key, collection=settings.qdrant_collection,
                           timeout=settings.qdrant_timeout_seconds)
    return EdgeStore(settings.data_dir / "qdrant" / settings.qdrant_collection)
