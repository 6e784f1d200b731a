"""The vector routes over HTTP, on both adapters: shapes, scoping, and 4xx for bad input."""

from __future__ import annotations

import json
import math
import random

import pytest
from starlette.testclient import TestClient

from proxy.settings import Settings
from proxy.vectors import DIMENSION, VectorStore


class CountingStore:
    """Delegates to a real store and counts calls, to show bad requests never reach it."""

    def __init__(self, store: VectorStore) -> None:
        self.store, self.calls = store, 0

    def __getattr__(self, name: str):
        attribute = getattr(self.store, name)
        if callable(attribute):
            def counted(*args, **kwargs):
                self.calls += 1
                return attribute(*args, **kwargs)
            return counted
        return attribute


def unit(seed: int) -> list[float]:
    rng = random.Random(seed)
    vector = [rng.uniform(-1, 1) for _ in range(DIMENSION)]
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


def pt(cid: str, seed: int, artifact: str = "art", chunk: int = 0) -> dict:
    return {"id": cid, "vector": unit(seed),
            "payload": {"artifact_id": artifact, "path": f"{artifact}.md", "content_preview": "hi", "chunk": chunk}}


@pytest.fixture
def store(vector_store: VectorStore) -> CountingStore:
    return CountingStore(vector_store)


@pytest.fixture
def client(make_app, store: CountingStore, tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path, vector_max_batch=8, vector_max_limit=20)
    with TestClient(make_app(vectors=store, settings=settings), raise_server_exceptions=False) as client:
        yield client


def call(client: TestClient, uid: str | None, op: str, body) -> tuple[int, dict]:
    headers = {"content-type": "application/json"}
    if uid:
        headers["x-test-user"] = uid
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    response = client.post(f"/api/vectors/{op}", headers=headers, content=raw)
    return response.status_code, response.json()


def test_upsert_query_delete(client: TestClient):
    assert call(client, "alice", "upsert", {"points": [pt("p1", 1), pt("p2", 2, "other", 3)]}) == (200, {"upserted": 2})
    status, body = call(client, "alice", "query", {"vector": unit(1), "limit": 5})
    assert status == 200
    first = body["results"][0]
    assert first["id"] == "p1" and first["score"] == pytest.approx(1.0, abs=1e-4)
    assert first["payload"] == {"artifact_id": "art", "path": "art.md", "content_preview": "hi", "chunk": 0}
    assert call(client, "alice", "delete", {"ids": ["p1"]}) == (200, {"deleted": True})
    assert [r["id"] for r in call(client, "alice", "query", {"vector": unit(1)})[1]["results"]] == ["p2"]
    assert call(client, "alice", "delete", {"artifact_id": "other"})[0] == 200
    assert call(client, "alice", "query", {"vector": unit(1)})[1]["results"] == []


def summary(client: TestClient, uid: str | None) -> tuple[int, dict]:
    response = client.get("/api/vectors/summary", headers={"x-test-user": uid} if uid else {})
    return response.status_code, response.json()


def test_summary_counts_and_delete_all_touch_only_the_users_own_points(client: TestClient):
    call(client, "alice", "upsert", {"points": [pt("a", 1, "A"), pt("b", 2, "B", 1), pt("c", 3, "C")]})
    call(client, "bob", "upsert", {"points": [pt("a", 1, "A"), pt("z", 4, "Z")]})
    assert summary(client, "alice") == (200, {"points": 3})
    assert summary(client, "bob") == (200, {"points": 2})
    assert call(client, "alice", "delete", {"all": True}) == (200, {"deleted": True})
    assert summary(client, "alice") == (200, {"points": 0})
    assert call(client, "alice", "query", {"vector": unit(1)})[1]["results"] == []
    assert summary(client, "bob") == (200, {"points": 2})
    assert summary(client, None)[0] == 401


def test_query_filter_is_scoped(client: TestClient):
    call(client, "alice", "upsert", {"points": [pt("a", 1, "A", 1), pt("b", 2, "B", 2)]})
    call(client, "bob", "upsert", {"points": [pt("x", 1, "A", 1), pt("y", 2, "Z", 9)]})
    flt = {"should": [{"key": "artifact_id", "match": {"value": "Z"}}, {"key": "chunk", "range": {"gte": 0}}]}
    status, body = call(client, "alice", "query", {"vector": unit(1), "filter": flt, "limit": 20})
    assert status == 200 and {r["id"] for r in body["results"]} == {"a", "b"}
    flt = {"must_not": [{"key": "artifact_id", "match": {"any": ["B"]}}]}
    assert [r["id"] for r in call(client, "alice", "query", {"vector": unit(1), "filter": flt})[1]["results"]] == ["a"]


def test_anonymous_is_refused(client: TestClient, store: CountingStore):
    for op, body in (("upsert", {"points": [pt("p", 1)]}), ("query", {"vector": unit(1)}), ("delete", {"ids": ["p"]})):
        assert call(client, None, op, body)[0] == 401
    assert store.calls == 0


def deep(levels: int) -> dict:
    node: dict = {"key": "path", "match": {"value": "x"}}
    for _ in range(levels):
        node = {"must": [node]}
    return node


VEC = unit(7)
BAD_QUERIES = {
    "short vector": {"vector": VEC[:-1]},
    "long vector": {"vector": VEC + [0.1]},
    "string in vector": {"vector": VEC[:-1] + ["0.1"]},
    "bool in vector": {"vector": VEC[:-1] + [True]},
    "null in vector": {"vector": VEC[:-1] + [None]},
    "huge component": {"vector": VEC[:-1] + [1e300]},
    "overflow to inf": '{"vector": [' + ",".join(["0.1"] * 383) + ', 1e400]}',
    "NaN literal": '{"vector": [' + ",".join(["0.1"] * 383) + ", NaN]}",
    "Infinity literal": '{"vector": [' + ",".join(["0.1"] * 383) + ", Infinity]}",
    "-Infinity literal": '{"vector": [' + ",".join(["0.1"] * 383) + ", -Infinity]}",
    "zero vector": {"vector": [0.0] * DIMENSION},
    "no vector": {"limit": 3},
    "limit zero": {"vector": VEC, "limit": 0},
    "limit over settings": {"vector": VEC, "limit": 21},
    "limit string": {"vector": VEC, "limit": "5"},
    "unknown field": {"vector": VEC, "with_vector": True},
    "lookup_from": {"vector": VEC, "lookup_from": {"collection": "other"}},
    "shard key": {"vector": VEC, "shard_key": "bob"},
    "user_id in filter": {"vector": VEC, "filter": {"must": [{"key": "user_id", "match": {"value": "bob"}}]}},
    "client_id in filter": {"vector": VEC, "filter": {"must": [{"key": "client_id", "match": {"value": "p"}}]}},
    "content_preview in filter": {"vector": VEC, "filter": {"must": [{"key": "content_preview", "match": {"value": "x"}}]}},
    "$ne value": {"vector": VEC, "filter": {"must": [{"key": "path", "match": {"value": {"$ne": "x"}}}]}},
    "$ne operator": {"vector": VEC, "filter": {"must": [{"key": "path", "$ne": "x"}]}},
    "except match": {"vector": VEC, "filter": {"must": [{"key": "path", "match": {"except": ["x"]}}]}},
    "has_id": {"vector": VEC, "filter": {"must": [{"has_id": ["x"]}]}},
    "nested": {"vector": VEC, "filter": {"must": [{"nested": {"key": "a", "filter": {}}}]}},
    "is_empty": {"vector": VEC, "filter": {"must": [{"is_empty": {"key": "user_id"}}]}},
    "min_should": {"vector": VEC, "filter": {"min_should": {"conditions": [], "min_count": 0}}},
    "empty filter": {"vector": VEC, "filter": {}},
    "empty should": {"vector": VEC, "filter": {"should": []}},
    "too deep": {"vector": VEC, "filter": deep(4)},
    "very deep": {"vector": VEC, "filter": deep(200)},
    "too many conditions": {"vector": VEC, "filter": {"should": [
        {"must": [{"key": "chunk", "match": {"value": i}} for i in range(12)]} for _ in range(3)]}},
    "range without bounds": {"vector": VEC, "filter": {"must": [{"key": "chunk", "range": {}}]}},
    "range NaN-ish": {"vector": VEC, "filter": {"must": [{"key": "chunk", "range": {"gte": "NaN"}}]}},
    "match and range": {"vector": VEC, "filter": {"must": [{"key": "chunk", "match": {"value": 1}, "range": {"gte": 1}}]}},
    "geo": {"vector": VEC, "filter": {"must": [{"key": "path", "geo_radius": {"center": {"lon": 0, "lat": 0}, "radius": 1}}]}},
    "filter list": {"vector": VEC, "filter": [{"key": "path", "match": {"value": "x"}}]},
    "malformed json": "{\"vector\": [",
    "not an object": "[]",
}


@pytest.mark.parametrize("body", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_bad_queries_get_4xx_and_never_reach_the_store(client: TestClient, store: CountingStore, body):
    status, error = call(client, "alice", "query", body)
    assert 400 <= status < 500, error
    assert set(error["error"]) == {"code", "message"}
    assert store.calls == 0


BAD_UPSERTS = {
    "no points": {"points": []},
    "over settings batch": {"points": [pt(str(i), i) for i in range(9)]},
    "duplicate ids": {"points": [pt("p", 1), pt("p", 2)]},
    "user_id in payload": {"points": [{**pt("p", 1), "payload": {"artifact_id": "a", "user_id": "bob"}}]},
    "client_id in payload": {"points": [{**pt("p", 1), "payload": {"artifact_id": "a", "client_id": "q"}}]},
    "unknown payload field": {"points": [{**pt("p", 1), "payload": {"artifact_id": "a", "secret": 1}}]},
    "no artifact": {"points": [{**pt("p", 1), "payload": {"path": "x"}}]},
    "preview too long": {"points": [{**pt("p", 1), "payload": {"artifact_id": "a", "content_preview": "x" * 2001}}]},
    "path too long": {"points": [{**pt("p", 1), "payload": {"artifact_id": "a", "path": "x" * 1025}}]},
    "negative chunk": {"points": [{**pt("p", 1), "payload": {"artifact_id": "a", "chunk": -1}}]},
    "id too long": {"points": [pt("x" * 129, 1)]},
    "empty id": {"points": [pt("", 1)]},
    "integer id": {"points": [{**pt("p", 1), "id": 5}]},
    "control char id": {"points": [pt("a\nb", 1)]},
    "short vector": {"points": [{**pt("p", 1), "vector": VEC[:10]}]},
    "vector by id": {"points": [{**pt("p", 1), "vector": "other-point"}]},
    "named vectors": {"points": [{**pt("p", 1), "vector": {"": VEC}}]},
    "extra point field": {"points": [{**pt("p", 1), "shard_key": "x"}]},
    "points not a list": {"points": pt("p", 1)},
}


@pytest.mark.parametrize("body", BAD_UPSERTS.values(), ids=BAD_UPSERTS.keys())
def test_bad_upserts_get_4xx_and_never_reach_the_store(client: TestClient, store: CountingStore, body):
    status, error = call(client, "alice", "upsert", body)
    assert 400 <= status < 500, error
    assert store.calls == 0


BAD_DELETES = {
    "both": {"ids": ["a"], "artifact_id": "x"},
    "neither": {},
    "filter": {"filter": {"must": []}},
    "empty ids": {"ids": []},
    "too many ids": {"ids": [str(i) for i in range(9)]},
    "int ids": {"ids": [1]},
    "user_id": {"ids": ["a"], "user_id": "bob"},
    "empty artifact": {"artifact_id": ""},
    "all false": {"all": False},
    "all and ids": {"all": True, "ids": ["a"]},
    "all as text": {"all": "yes"},
}


@pytest.mark.parametrize("body", BAD_DELETES.values(), ids=BAD_DELETES.keys())
def test_bad_deletes_get_4xx_and_never_reach_the_store(client: TestClient, store: CountingStore, body):
    status, _ = call(client, "alice", "delete", body)
    assert 400 <= status < 500
    assert store.calls == 0


@pytest.mark.parametrize("path", ["/api/vectors/retrieve", "/api/vectors/recommend", "/api/vectors/scroll",
                                  "/api/vectors/collections", "/api/vectors/count"])
def test_other_operations_do_not_exist(client: TestClient, path: str):
    response = client.post(path, headers={"x-test-user": "alice"}, json={})
    assert response.status_code in (404, 405)


def test_wrong_media_type(client: TestClient):
    response = client.post("/api/vectors/query", headers={"x-test-user": "alice", "content-type": "text/plain"},
                           content=json.dumps({"vector": VEC}))
    assert response.status_code == 415


def test_store_outage_is_503(client: TestClient, store: CountingStore):
    store.store.close()
    status, body = call(client, "alice", "query", {"vector": VEC})
    assert status == 503 and body["error"]["code"] == "vector_store_unavailable"


def test_integer_components_are_numbers(client: TestClient):
    vector = [0] * DIMENSION
    vector[0] = 1
    assert call(client, "alice", "upsert", {"points": [{**pt("int", 1), "vector": vector}]})[0] == 200
    assert call(client, "alice", "query", {"vector": vector})[1]["results"][0]["id"] == "int"


def test_filters_up_to_the_bounds_are_accepted(client: TestClient):
    call(client, "alice", "upsert", {"points": [pt("a", 1)]})
    nested = {"must": [{"must": [{"should": [{"key": "path", "match": {"value": "art.md"}}]}]}]}
    assert [r["id"] for r in call(client, "alice", "query", {"vector": VEC, "filter": nested})[1]["results"]] == ["a"]
    many = {"should": [{"key": "chunk", "match": {"value": i}} for i in range(16)]}
    assert call(client, "alice", "query", {"vector": VEC, "filter": many, "limit": 20})[0] == 200


def test_default_limit_follows_a_lower_setting(make_app, edge_store, tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path, vector_max_limit=3)
    with TestClient(make_app(vectors=edge_store, settings=settings), raise_server_exceptions=False) as client:
        call(client, "alice", "upsert", {"points": [pt(str(i), i) for i in range(6)]})
        status, body = call(client, "alice", "query", {"vector": VEC})
        assert status == 200 and len(body["results"]) == 3
        assert call(client, "alice", "query", {"vector": VEC, "limit": 4})[0] == 422
