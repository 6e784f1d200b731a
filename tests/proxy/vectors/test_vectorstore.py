"""VectorStore: the same behaviour on qdrant-edge and qdrant-client, users always apart."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from proxy.vectors import (
    DIMENSION, Clause, ClientStore, EdgeStore, Match, NewPoint, Range, VectorStore, VectorStoreError,
    from_settings, point_id, scoped,
)
from proxy.vectors.client import to_client_filter
from proxy.vectors.edge import to_edge_filter
from proxy.settings import Settings


def unit(seed: int) -> list[float]:
    rng = random.Random(seed)
    vector = [rng.uniform(-1, 1) for _ in range(DIMENSION)]
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


def point(cid: str, seed: int, artifact: str = "art", chunk: int = 0, path: str = "doc.md") -> NewPoint:
    return NewPoint(cid, unit(seed), {"artifact_id": artifact, "path": path, "content_preview": f"text {cid}",
                                      "chunk": chunk})


def test_upsert_and_query_return_client_ids_and_clean_payloads(vector_store: VectorStore):
    assert vector_store.upsert("alice", [point("p1", 1), point("p2", 2)]) == 2
    hits = vector_store.query("alice", unit(1), limit=5)
    assert [h.id for h in hits][0] == "p1"
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert hits[0].payload == {"artifact_id": "art", "path": "doc.md", "content_preview": "text p1", "chunk": 0}
    assert {h.id for h in hits} == {"p1", "p2"}


def test_users_never_see_each_other(vector_store: VectorStore):
    vector_store.upsert("alice", [point("a", 1)])
    vector_store.upsert("bob", [point("b", 1)])
    assert [h.id for h in vector_store.query("alice", unit(1), limit=10)] == ["a"]
    assert [h.id for h in vector_store.query("bob", unit(1), limit=10)] == ["b"]
    assert vector_store.query("carol", unit(1), limit=10) == []


def test_same_client_id_is_two_points_for_two_users(vector_store: VectorStore):
    vector_store.upsert("alice", [point("same", 1, artifact="alice-art")])
    vector_store.upsert("bob", [point("same", 2, artifact="bob-art")])
    alice = vector_store.query("alice", unit(1), limit=10)
    assert [(h.id, h.payload["artifact_id"]) for h in alice] == [("same", "alice-art")]
    assert alice[0].score == pytest.approx(1.0, abs=1e-4)
    assert vector_store.count("alice") == 1 and vector_store.count("bob") == 1


def test_upsert_replaces_own_point(vector_store: VectorStore):
    vector_store.upsert("alice", [point("p", 1, chunk=1)])
    vector_store.upsert("alice", [point("p", 2, chunk=2)])
    assert vector_store.count("alice") == 1
    assert vector_store.query("alice", unit(2), limit=1)[0].payload["chunk"] == 2


def test_delete_ids_only_touches_own_points(vector_store: VectorStore):
    vector_store.upsert("alice", [point("x", 1), point("y", 2)])
    vector_store.upsert("bob", [point("x", 3)])
    vector_store.delete_ids("bob", ["x", "y"])
    assert vector_store.count("alice") == 2 and vector_store.count("bob") == 0
    vector_store.delete_ids("alice", ["x"])
    assert [h.id for h in vector_store.query("alice", unit(2), limit=10)] == ["y"]


def test_delete_artifact(vector_store: VectorStore):
    vector_store.upsert("alice", [point("1", 1, artifact="a1"), point("2", 2, artifact="a1"), point("3", 3, "a2")])
    vector_store.upsert("bob", [point("1", 1, artifact="a1")])
    vector_store.delete_artifact("alice", "a1")
    assert [h.id for h in vector_store.query("alice", unit(1), limit=10)] == ["3"]
    assert vector_store.count("bob") == 1


def test_delete_user(vector_store: VectorStore):
    vector_store.upsert("alice", [point(str(i), i) for i in range(20)])
    vector_store.upsert("bob", [point("b", 1)])
    vector_store.delete_user("alice")
    assert vector_store.count("alice") == 0 and vector_store.count("bob") == 1


def test_client_filters_stay_inside_the_user(vector_store: VectorStore):
    vector_store.upsert("alice", [point("a1", 1, artifact="A", chunk=1), point("a2", 2, artifact="B", chunk=5)])
    vector_store.upsert("bob", [point("b1", 3, artifact="A", chunk=1), point("b2", 4, artifact="Z", chunk=9)])
    def ids(where: Clause) -> set[str]:
        return {h.id for h in vector_store.query("alice", unit(1), where, limit=10)}
    assert ids(Clause(must=(Match("artifact_id", value="A"),))) == {"a1"}
    assert ids(Clause(should=(Match("artifact_id", value="Z"), Match("artifact_id", value="A")))) == {"a1"}
    assert ids(Clause(must_not=(Match("artifact_id", value="nothing"),))) == {"a1", "a2"}
    assert ids(Clause(must=(Range("chunk", gte=0, lte=100),))) == {"a1", "a2"}
    assert ids(Clause(must=(Match("artifact_id", any=("A", "B", "Z")),))) == {"a1", "a2"}
    assert ids(Clause(must_not=(Clause(should=(Match("artifact_id", value="A"),)),))) == {"a2"}


def test_point_ids_are_derived_per_user():
    assert point_id("alice", "p") == point_id("alice", "p")
    assert point_id("alice", "p") != point_id("bob", "p")
    assert point_id("a", "b/c") != point_id("a/b", "c")
    assert point_id("a", '","') != point_id('a","', "")


def test_scope_wraps_the_client_filter():
    client = Clause(should=(Match("path", value="x"),))
    assert scoped("alice", client) == Clause(must=(Match("user_id", value="alice"), client))
    assert scoped("alice") == Clause(must=(Match("user_id", value="alice"),))


def test_engine_filters_have_the_user_first():
    where = scoped("alice", Clause(should=(Match("path", value="x"),)))
    shape = to_client_filter(where).model_dump(exclude_none=True)
    assert shape["must"][0] == {"key": "user_id", "match": {"value": "alice"}}
    assert shape["must"][1]["should"][0]["key"] == "path"
    edge = to_edge_filter(where)
    assert edge.must[0].key == "user_id" and edge.must[0].match.value == "alice"


def test_ready_and_close(vector_store: VectorStore):
    assert vector_store.ready() is True
    vector_store.close()
    vector_store.close()
    assert vector_store.ready() is False
    with pytest.raises(VectorStoreError):
        vector_store.query("alice", unit(1))


def test_edge_persists_across_restarts(tmp_path: Path):
    store = EdgeStore(tmp_path / "shard")
    store.upsert("alice", [point("kept", 1)])
    store.close()
    again = EdgeStore(tmp_path / "shard")
    try:
        assert [h.id for h in again.query("alice", unit(1))] == ["kept"]
        schema = again.shard.info().payload_schema
        assert "user_id" in schema and schema["user_id"].params.is_tenant is True
    finally:
        again.close()


def test_edge_shard_serves_one_owner(edge_store: EdgeStore):
    with pytest.raises(VectorStoreError, match="QUIRE_QDRANT_URL"):
        EdgeStore(edge_store.path)


def test_from_settings_picks_the_adapter(tmp_path: Path):
    store = from_settings(Settings(_env_file=None, data_dir=tmp_path))
    try:
        assert isinstance(store, EdgeStore) and store.path == tmp_path / "qdrant" / "artifacts"
    finally:
        store.close()


@pytest.mark.filterwarnings("ignore:Failed to obtain server version")
def test_client_store_reports_an_unreachable_server():
    with pytest.raises(VectorStoreError):
        ClientStore("http://127.0.0.1:9", timeout=1)
