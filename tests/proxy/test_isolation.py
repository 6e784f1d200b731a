"""The attack suite: users must stay apart through the real app, with real auth, S3 and qdrant-edge.

Alice and Bob are victims with objects and points; Mallory is a signed-up attacker with her own
token, session and data. Every route is tried anonymous, with forged, expired, revoked and
misaddressed credentials, as the wrong user and as the right user; then cross-user keys,
traversal, presigned-URL rewriting, filter injection, id collisions, oversize bodies, CSRF and a
replayed one-time login link. After every single test the victims' objects and points are
compared with a snapshot taken before the first attack.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.testclient import TestClient

from auth_fixtures import ORIGIN, PASSWORD, SAME_ORIGIN, write_web_dir
from proxy.auth import accounts
from proxy.auth.accounts import Account
from proxy.auth.credentials import TOKEN
from proxy.app import create_app
from proxy.http.errors import GENERIC_AUTH_MESSAGE
from proxy.storage.service import S3Service
from proxy.settings import Settings
from proxy.vectors import DIMENSION, EdgeStore, NewPoint, point_id

ISSUER = "https://id.example.org/realms/quire"
AUDIENCE = "quire"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
GENERIC_401 = {"error": {"code": "unauthorized", "message": GENERIC_AUTH_MESSAGE}}
SECRET_TEXT = b"alice's diary: nobody else may read this"


def unit(seed: int) -> list[float]:
    rng = random.Random(seed)
    vector = [rng.uniform(-1, 1) for _ in range(DIMENSION)]
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


PROBE = unit(0)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(key=RSA_KEY, alg: str = "RS256", **overrides) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "dana", "iat": now, "exp": now + 300, **overrides}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=alg, headers={"kid": "rsa-1"})


def unsigned_jwt() -> str:
    header = b64(json.dumps({"alg": "none", "kid": "rsa-1"}).encode())
    now = int(time.time())
    body = b64(json.dumps({"iss": ISSUER, "aud": AUDIENCE, "sub": "dana", "exp": now + 300}).encode())
    return f"{header}.{body}."


def hs256_key_confusion() -> str:
    pem = RSA_KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = b64(json.dumps({"alg": "HS256", "kid": "rsa-1"}).encode())
    body = b64(json.dumps({"iss": ISSUER, "aud": AUDIENCE, "sub": "dana", "exp": int(time.time()) + 300}).encode())
    return f"{header}.{body}.{b64(hmac.new(pem, f'{header}.{body}'.encode(), hashlib.sha256).digest())}"


@dataclass
class World:
    app: Any
    client: TestClient
    s3: S3Service
    store: EdgeStore
    admin: Any
    bucket: str
    alice: Account
    bob: Account
    mallory: Account
    tokens: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def snapshot(self, uid: str) -> tuple:
        objects = {}
        pages = self.admin.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=f"users/{uid}/")
        for page in pages:
            for obj in page.get("Contents", []):
                body = self.admin.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()
                objects[obj["Key"]] = (obj["ETag"], body)
        points = sorted((h.id, json.dumps(h.payload, sort_keys=True), round(h.score, 4))
                        for h in self.store.query(uid, PROBE, limit=100))
        return objects, points, self.store.count(uid)


def seed(world: World) -> None:
    for account, text in ((world.alice, SECRET_TEXT), (world.bob, b"bob's notes")):
        for key in ("private/secret.txt", "manifest.json"):
            world.admin.put_object(Bucket=world.bucket, Key=f"users/{account.uid}/{key}", Body=text)
    def pts(prefix: str, artifact: str, base: int) -> list[NewPoint]:
        return [NewPoint(cid, unit(base + i), {"artifact_id": artifact, "path": f"{prefix}.md",
                                                "content_preview": f"{prefix} private text", "chunk": i})
                for i, cid in enumerate((f"{prefix}1", f"{prefix}2", "shared"))]
    world.store.upsert(world.alice.uid, pts("a", "A", 10))
    world.store.upsert(world.bob.uid, pts("b", "B", 20))
    world.store.upsert(world.mallory.uid, pts("m", "M", 30))


@pytest.fixture(scope="module")
def world(weed, tmp_path_factory) -> World:
    folder = tmp_path_factory.mktemp("isolation")
    jwks = folder / "jwks.json"
    public = {**json.loads(RSAAlgorithm.to_jwk(RSA_KEY.public_key())), "kid": "rsa-1", "alg": "RS256", "use": "sig"}
    jwks.write_text(json.dumps({"keys": [public]}))
    settings = Settings(_env_file=None, data_dir=folder / "data", public_url=ORIGIN, web_dir=write_web_dir(folder / "web"),
                        oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_file=jwks,
                        vector_max_batch=16, vector_max_limit=50, **weed.endpoint.settings_update())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        s3, store = S3Service(settings), EdgeStore(folder / "qdrant")
        app = create_app(settings, s3=s3, vectors=store)
        auth = app.state.auth
        people = {name: auth.accounts.add(name, PASSWORD) for name in ("alice", "bob", "mallory", "ghost")}
        world = World(app, TestClient(app, base_url=ORIGIN), s3, store, weed.client(), settings.s3_bucket,
                      people["alice"], people["bob"], people["mallory"])
        for name in ("alice", "bob", "mallory"):
            world.tokens[name] = auth.create_token(people[name].uid)[0]
        world.tokens["expired"] = auth.create_token(people["mallory"].uid, 1)[0]
        revoked = world.tokens["revoked"] = auth.create_token(people["mallory"].uid)[0]
        auth.credentials.revoke(TOKEN, revoked)
        world.tokens["ghost"] = auth.create_token(people["ghost"].uid)[0]
        auth.accounts.remove(people["ghost"].uid)
        seed(world)
        world.baseline = {u.uid: world.snapshot(u.uid) for u in (world.alice, world.bob)}
        time.sleep(1.1)  # let the short-lived token expire
        yield world
        store.close()
        auth.close()


@pytest.fixture(autouse=True)
def victims_unchanged(world: World):
    """After every attack, Alice's and Bob's objects and points are exactly as they were."""
    yield
    for account in (world.alice, world.bob):
        assert world.snapshot(account.uid) == world.baseline[account.uid], f"{account.name}'s data changed"


# --- every route, every kind of bad credential ---------------------------------------------

ROUTES: dict[str, tuple[str, str, Any]] = {
    "presign": ("POST", "/api/s3/presign", {"op": "get", "key": "private/secret.txt"}),
    "objects": ("GET", "/api/s3/objects", None),
    "usage": ("GET", "/api/s3/usage", None),
    "upsert": ("POST", "/api/vectors/upsert", {"points": [{"id": "a1", "vector": unit(99),
                                                            "payload": {"artifact_id": "A"}}]}),
    "query": ("POST", "/api/vectors/query", {"vector": PROBE, "limit": 50}),
    "delete": ("POST", "/api/vectors/delete", {"artifact_id": "A"}),
    "delete_me": ("DELETE", "/api/me", None),
}

BAD_CREDENTIALS: dict[str, Callable[[World], dict[str, str]]] = {
    "anonymous": lambda w: {},
    "forged quire token": lambda w: {"Authorization": "Bearer qt_" + secrets.token_urlsafe(32)},
    "expired quire token": lambda w: w.auth("expired"),
    "revoked quire token": lambda w: w.auth("revoked"),
    "token of a deleted account": lambda w: w.auth("ghost"),
    "jwt signed by another key": lambda w: {"Authorization": "Bearer " + make_jwt(key=OTHER_KEY)},
    "expired jwt": lambda w: {"Authorization": "Bearer " + make_jwt(exp=int(time.time()) - 3600)},
    "jwt for another audience": lambda w: {"Authorization": "Bearer " + make_jwt(aud="someone-else")},
    "jwt from another issuer": lambda w: {"Authorization": "Bearer " + make_jwt(iss="https://evil.example")},
    "jwt not yet valid": lambda w: {"Authorization": "Bearer " + make_jwt(nbf=int(time.time()) + 3600)},
    "jwt with alg none": lambda w: {"Authorization": "Bearer " + unsigned_jwt()},
    "jwt hs256 key confusion": lambda w: {"Authorization": "Bearer " + hs256_key_confusion()},
    "basic auth": lambda w: {"Authorization": "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()},
    "forged session cookie": lambda w: {"Cookie": "quire_session=" + secrets.token_urlsafe(32)},
    "spoofed identity headers": lambda w: {"X-Test-User": w.alice.uid, "X-User-Id": w.alice.uid,
                                           "X-Forwarded-User": "alice", "X-Remote-User": "alice"},
}


def send(world: World, route: str, headers: dict[str, str], body: Any = None) -> httpx.Response:
    method, path, default = ROUTES[route]
    payload = default if body is None else body
    if payload is None:
        return world.client.request(method, path, headers=headers)
    return world.client.request(method, path, headers={"content-type": "application/json", **headers},
                                content=json.dumps(payload))


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("credential", BAD_CREDENTIALS)
def test_bad_credentials_get_the_generic_401(world: World, route: str, credential: str):
    response = send(world, route, BAD_CREDENTIALS[credential](world))
    assert response.status_code == 401
    assert response.json() == GENERIC_401


@pytest.mark.parametrize("route", ["presign", "objects", "usage", "query"])
def test_the_right_user_is_served(world: World, route: str):
    response = send(world, route, world.auth("alice"))
    assert response.status_code == 200
    if route == "presign":
        assert httpx.get(response.json()["url"]).content == SECRET_TEXT
    if route == "objects":
        assert {o["key"] for o in response.json()["objects"]} == {"private/secret.txt", "manifest.json"}
    if route == "query":
        assert {r["id"] for r in response.json()["results"]} == {"a1", "a2", "shared"}


def test_an_oidc_user_is_served_in_their_own_space(world: World):
    headers = {"Authorization": "Bearer " + make_jwt()}
    assert send(world, "usage", headers).json()["objects"] == 0
    assert send(world, "query", headers).json() == {"results": []}


# --- S3: cross-user keys, traversal, rewritten URLs -----------------------------------------

def presign(world: World, who: str, **body) -> httpx.Response:
    return send(world, "presign", world.auth(who), body)


TRAVERSAL_KEYS = [
    "../{alice}/private/secret.txt", "../../users/{alice}/private/secret.txt", "/users/{alice}/private/secret.txt",
    "./../{alice}/manifest.json", "x/../../{alice}/manifest.json", "..\\{alice}\\manifest.json",
    "..", "../", "a//../../{alice}/manifest.json", "\u202e../{alice}/manifest.json", "..\u200b/{alice}/manifest.json",
    "u\u0308ber/../../{alice}", "a\x00/../../{alice}", "a\n../{alice}",
]


@pytest.mark.parametrize("op", ["get", "put", "head", "delete"])
@pytest.mark.parametrize("key", TRAVERSAL_KEYS)
def test_traversal_keys_are_refused(world: World, key: str, op: str):
    body = {"op": op, "key": key.format(alice=world.alice.uid)}
    if op == "put":
        body["size"] = 5
    response = presign(world, "mallory", **body)
    assert response.status_code in (400, 422)
    assert "url" not in response.json()


LOOKALIKE_KEYS = [
    "users/{alice}/private/secret.txt", "%2e%2e/{alice}/private/secret.txt", "..%2f{alice}%2fprivate%2fsecret.txt",
    "\u2024\u2024/{alice}/private/secret.txt", "\uff0e\uff0e/{alice}/private/secret.txt",
    "%252e%252e/{alice}/private/secret.txt", ".../{alice}/private/secret.txt",
]


@pytest.mark.parametrize("key", LOOKALIKE_KEYS)
def test_lookalike_keys_stay_in_the_callers_folder(world: World, key: str):
    key = key.format(alice=world.alice.uid)
    response = presign(world, "mallory", op="get", key=key)
    if response.status_code != 200:
        assert response.status_code in (400, 422)
        return
    url = response.json()["url"]
    assert f"/users/{world.mallory.uid}/" in url
    got = httpx.get(url)
    assert got.status_code == 404 and SECRET_TEXT not in got.content
    put = presign(world, "mallory", op="put", key=key, size=6)
    assert httpx.put(put.json()["url"], content=b"hacked", headers=put.json()["headers"]).status_code == 200


@pytest.mark.parametrize("op", ["get", "put", "delete", "head"])
def test_rewritten_urls_cannot_reach_another_user(world: World, op: str):
    body = {"op": op, "key": "mine.txt", **({"size": 6} if op == "put" else {})}
    signed = presign(world, "mallory", **body).json()
    for victim, key in ((world.alice, "private/secret.txt"), (world.bob, "manifest.json")):
        url = signed["url"].replace(f"users/{world.mallory.uid}/mine.txt", f"users/{victim.uid}/{key}")
        response = httpx.request(signed["method"], url, headers=signed["headers"],
                                 content=b"hacked" if op == "put" else None)
        assert response.status_code == 403
        assert SECRET_TEXT not in response.content


def test_request_body_cannot_name_the_user_or_bucket(world: World):
    for extra in ({"uid": world.alice.uid}, {"user": "alice"}, {"bucket": "other"}, {"prefix": "users/"}):
        assert presign(world, "mallory", op="get", key="x", **extra).status_code == 422


def test_duplicate_json_keys_are_validated_as_parsed(world: World):
    raw = '{"op": "get", "key": "fine", "key": "../%s/private/secret.txt"}' % world.alice.uid
    response = world.client.post("/api/s3/presign", content=raw,
                                 headers={**world.auth("mallory"), "content-type": "application/json"})
    assert response.status_code == 400


@pytest.mark.parametrize("params", [{"prefix": "../{alice}/"}, {"prefix": "/users/{alice}/"},
                                    {"cursor": "../{alice}/a"}, {"prefix": "..", "cursor": ".."}])
def test_listing_cannot_leave_the_callers_folder(world: World, params: dict):
    params = {k: v.format(alice=world.alice.uid) for k, v in params.items()}
    response = world.client.get("/api/s3/objects", headers=world.auth("mallory"), params=params)
    assert response.status_code in (400, 422)


def test_listing_and_usage_show_only_own_objects(world: World):
    keys = {o["key"] for o in world.client.get("/api/s3/objects", headers=world.auth("bob")).json()["objects"]}
    assert keys == {"private/secret.txt", "manifest.json"}
    assert world.client.get("/api/s3/usage", headers=world.auth("bob")).json()["bytes"] == 2 * len(b"bob's notes")


# --- vectors: filter injection, id collisions --------------------------------------------

def vectors(world: World, op: str, body: Any, who: str = "mallory") -> httpx.Response:
    return send(world, op, world.auth(who), body)


def own_results(world: World, response: httpx.Response) -> None:
    assert response.status_code == 200
    for result in response.json()["results"]:
        assert result["id"] in {"m1", "m2", "shared"} or result["id"].startswith("mallory-")
        assert "user_id" not in result["payload"] and "client_id" not in result["payload"]
        assert result["payload"]["artifact_id"] not in ("A", "B")


MALLORY_POINTS = {"m1", "m2", "shared"}
ALICE_POINTS = {"a1", "a2", "shared"}

# Each filter with the exact ids it must return to Mallory and, as the control that proves the
# filter really matches data, the ids the same filter returns to Alice: an empty answer for
# Mallory then shows the user scope at work, not a filter that matches nothing.
ALLOWED_BUT_SCOPED_FILTERS = {
    "should any": ({"should": [{"key": "artifact_id", "match": {"value": "A"}},
                               {"key": "artifact_id", "match": {"value": "M"}}]}, MALLORY_POINTS, ALICE_POINTS),
    "should only victims": ({"should": [{"key": "artifact_id", "match": {"any": ["A", "B"]}}]}, set(), ALICE_POINTS),
    "must_not nothing": ({"must_not": [{"key": "artifact_id", "match": {"value": "nobody"}}]},
                         MALLORY_POINTS, ALICE_POINTS),
    "must_not own": ({"must_not": [{"key": "artifact_id", "match": {"value": "M"}}]}, set(), ALICE_POINTS),
    "double negation": ({"must_not": [{"must_not": [{"key": "chunk", "range": {"gte": 0}}]}]},
                        MALLORY_POINTS, ALICE_POINTS),
    "wide range": ({"should": [{"key": "chunk", "range": {"gte": -1e300, "lte": 1e300}}]}, MALLORY_POINTS, ALICE_POINTS),
    "victim path": ({"must": [{"key": "path", "match": {"value": "a.md"}}]}, set(), ALICE_POINTS),
    "victim chunk range": ({"must": [{"key": "chunk", "range": {"gte": 1}},
                                     {"key": "artifact_id", "match": {"value": "A"}}]}, set(), {"a2", "shared"}),
}


@pytest.mark.parametrize("case", ALLOWED_BUT_SCOPED_FILTERS.values(), ids=ALLOWED_BUT_SCOPED_FILTERS.keys())
def test_filters_never_reach_other_users(world: World, case: tuple):
    flt, mallory_sees, alice_sees = case
    # Earlier attacks may delete Mallory's own points; put them back so the expectation is exact.
    world.store.upsert(world.mallory.uid, [
        NewPoint(cid, unit(30 + i), {"artifact_id": "M", "path": "m.md", "content_preview": "m private text", "chunk": i})
        for i, cid in enumerate(("m1", "m2", "shared"))])
    body = {"vector": unit(10), "filter": flt, "limit": 50}
    response = vectors(world, "query", body)
    own_results(world, response)
    assert {r["id"] for r in response.json()["results"]} == mallory_sees
    control = vectors(world, "query", body, who="alice")
    assert control.status_code == 200
    assert {r["id"] for r in control.json()["results"]} == alice_sees


INJECTED_FILTERS = {
    "user_id match": {"must": [{"key": "user_id", "match": {"value": "{alice}"}}]},
    "user_id in should": {"should": [{"key": "user_id", "match": {"any": ["{alice}", "{bob}"]}}]},
    "user_id must_not": {"must_not": [{"key": "user_id", "match": {"value": "{mallory}"}}]},
    "user_id nested": {"must": [{"should": [{"key": "user_id", "match": {"value": "{alice}"}}]}]},
    "user_id casing": {"must": [{"key": "User_Id", "match": {"value": "{alice}"}}]},
    "user_id path": {"must": [{"key": "payload.user_id", "match": {"value": "{alice}"}}]},
    "$ne value": {"must": [{"key": "artifact_id", "match": {"value": {"$ne": "x"}}}]},
    "$ne operator": {"must_not": [{"key": "user_id", "$ne": "{alice}"}]},
    "$or": {"$or": [{"user_id": "{alice}"}]},
    "match except": {"must": [{"key": "artifact_id", "match": {"except": ["M"]}}]},
    "is_empty user_id": {"should": [{"is_empty": {"key": "user_id"}}]},
    "is_null user_id": {"should": [{"is_null": {"key": "user_id"}}]},
    "has_id": {"should": [{"has_id": ["{alice_point}"]}]},
    "nested condition": {"must": [{"nested": {"key": "x", "filter": {"must": []}}}]},
    "min_should zero": {"min_should": {"conditions": [], "min_count": 0}},
    "values_count": {"must": [{"key": "artifact_id", "values_count": {"gte": 0}}]},
    "deep nesting": json.loads('{"must": [' * 5 + '{"key": "chunk", "range": {"gte": 0}}' + "]}" * 5),
    "very deep nesting": json.loads('{"must": [' * 300 + '{"key": "chunk", "range": {"gte": 0}}' + "]}" * 300),
    "too many conditions": {"should": [{"key": "chunk", "match": {"value": i}} for i in range(40)]},
    "filter as list": [{"key": "user_id", "match": {"value": "{alice}"}}],
}


@pytest.mark.parametrize("flt", INJECTED_FILTERS.values(), ids=INJECTED_FILTERS.keys())
def test_filter_injection_is_refused(world: World, flt):
    text = json.dumps(flt).replace("{alice}", world.alice.uid).replace("{bob}", world.bob.uid)
    text = text.replace("{mallory}", world.mallory.uid).replace("{alice_point}", point_id(world.alice.uid, "a1"))
    response = vectors(world, "query", {"vector": PROBE, "filter": json.loads(text)})
    assert 400 <= response.status_code < 500
    assert "results" not in response.json()


QUERY_SHAPES = {
    "with_vector": {"with_vector": True}, "with_payload": {"with_payload": ["user_id"]},
    "lookup_from": {"lookup_from": {"collection": "artifacts"}}, "shard_key": {"shard_key_selector": "alice"},
    "huge limit": {"limit": 10**6}, "offset": {"offset": 10}, "user_id field": {"user_id": "{alice}"},
    "recommend by id": {"vector": None, "positive": ["a1"]},
}


@pytest.mark.parametrize("extra", QUERY_SHAPES.values(), ids=QUERY_SHAPES.keys())
def test_query_options_beyond_the_allow_list_are_refused(world: World, extra: dict):
    body = {"vector": PROBE, **extra}
    response = vectors(world, "query", {k: v for k, v in body.items() if v is not None})
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("cid", ["a1", "b1", "shared", "{alice_point}", "{bob_point}"])
def test_id_collisions_write_only_the_callers_point(world: World, cid: str):
    cid = cid.replace("{alice_point}", point_id(world.alice.uid, "a1")).replace("{bob_point}", point_id(world.bob.uid, "b1"))
    body = {"points": [{"id": cid, "vector": PROBE, "payload": {"artifact_id": "M", "content_preview": "overwrite"}}]}
    assert vectors(world, "upsert", body).json() == {"upserted": 1}
    # The victims' points are checked by the autouse fixture; Mallory now has her own point.
    results = vectors(world, "query", {"vector": PROBE, "limit": 1}).json()["results"]
    assert results[0]["id"] == cid and results[0]["payload"]["content_preview"] == "overwrite"
    vectors(world, "delete", {"ids": [cid]})


@pytest.mark.parametrize("body", [
    {"ids": ["a1", "a2", "b1", "b2", "shared"]},
    {"artifact_id": "A"}, {"artifact_id": "B"},
    {"ids": ["{alice_point}", "{bob_point}"]},
], ids=["victims' client ids", "alice's artifact", "bob's artifact", "victims' internal ids"])
def test_deletes_reach_only_the_callers_points(world: World, body: dict):
    text = json.dumps(body).replace("{alice_point}", point_id(world.alice.uid, "a1"))
    text = text.replace("{bob_point}", point_id(world.bob.uid, "b1"))
    assert vectors(world, "delete", json.loads(text)).status_code == 200


@pytest.mark.parametrize("payload", [
    {"artifact_id": "M", "user_id": "{alice}"}, {"artifact_id": "M", "client_id": "a1"},
    {"artifact_id": "M", "user": "{alice}"}, {"artifact_id": {"$set": "A"}},
], ids=["user_id", "client_id", "user", "operator"])
def test_payload_cannot_claim_another_owner(world: World, payload: dict):
    payload = json.loads(json.dumps(payload).replace("{alice}", world.alice.uid))
    response = vectors(world, "upsert", {"points": [{"id": "mallory-x", "vector": PROBE, "payload": payload}]})
    assert response.status_code == 422


def test_delete_by_filter_is_not_an_operation(world: World):
    response = vectors(world, "delete", {"filter": {"must": [{"key": "artifact_id", "match": {"value": "A"}}]}})
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/api/vectors/retrieve", "/api/vectors/recommend", "/api/vectors/scroll",
                                  "/api/vectors/collections/artifacts", "/api/vectors/points/a1"])
def test_unlisted_vector_operations_do_not_exist(world: World, path: str):
    for method in ("GET", "POST", "PUT", "DELETE"):
        response = world.client.request(method, path, headers=world.auth("mallory"))
        assert response.status_code in (404, 405)


# --- oversize bodies ------------------------------------------------------------------------

@pytest.mark.parametrize("route", ["presign", "upsert", "query", "delete"])
def test_oversize_bodies_are_refused(world: World, route: str):
    method, path, _ = ROUTES[route]
    padding = json.dumps({"pad": "x" * (3 * 1024 * 1024)})
    response = world.client.request(method, path, content=padding,
                                    headers={**world.auth("mallory"), "content-type": "application/json"})
    assert response.status_code == 413


def test_oversize_chunked_body_is_refused(world: World):
    def chunks():
        yield b'{"points": ['
        for _ in range(40):
            yield json.dumps({"id": "x", "vector": PROBE, "payload": {"artifact_id": "A"}}).encode() * 10 + b","
        yield b"]}"
    response = world.client.post("/api/vectors/upsert", content=chunks(),
                                 headers={**world.auth("mallory"), "content-type": "application/json"})
    assert response.status_code == 413


def test_oversize_batch_is_refused(world: World):
    points = [{"id": f"mallory-{i}", "vector": PROBE, "payload": {"artifact_id": "M"}} for i in range(17)]
    assert vectors(world, "upsert", {"points": points}).status_code in (413, 422)


# --- cross-site writes and one-time login links -----------------------------------------------

@pytest.fixture
def mallory_browser(world: World):
    """A TestClient with Mallory's session cookie (signed in as the app's page does)."""
    browser = TestClient(world.app, base_url=ORIGIN)
    response = browser.post("/api/auth/login", json={"name": "mallory", "password": PASSWORD}, headers=SAME_ORIGIN)
    assert response.status_code == 200
    return browser


# What a browser sends when another site (or another port of this host: the embedded S3 serves
# uploads there) makes the victim's browser write with her cookie.
CROSS_SITE_CASES = {
    "foreign origin": {"Origin": "http://evil.example"},
    "foreign origin, same-origin claim": {"Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"},
    "cross-site fetch metadata": {"Origin": ORIGIN, "Sec-Fetch-Site": "cross-site"},
    "same-site sibling port": {"Origin": "http://testserver:8333", "Sec-Fetch-Site": "same-site"},
    "no origin": {},
    "null origin": {"Origin": "null"},
    "hostile host, matching origin": {"Host": "evil.example", "Origin": "http://evil.example"},
}


@pytest.mark.parametrize("route", ["presign", "upsert", "delete", "delete_me"])
@pytest.mark.parametrize("case", CROSS_SITE_CASES)
def test_cross_site_cookie_writes_are_refused(world: World, mallory_browser, route: str, case: str):
    browser = mallory_browser
    before = world.store.count(world.mallory.uid)
    method, path, body = ROUTES[route]
    if route == "upsert":
        body = {"points": [{"id": "mallory-csrf", "vector": PROBE, "payload": {"artifact_id": "M"}}]}
    headers = {**CROSS_SITE_CASES[case], "content-type": "application/json"}
    response = browser.request(method, path, headers=headers, content=json.dumps(body) if body else None)
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"
    assert world.store.count(world.mallory.uid) == before
    assert world.app.state.auth.accounts.by_uid(world.mallory.uid) is not None


def test_same_origin_cookie_writes_work(world: World, mallory_browser):
    response = mallory_browser.post("/api/s3/presign", json={"op": "get", "key": "x"}, headers=SAME_ORIGIN)
    assert response.status_code == 200 and f"/users/{world.mallory.uid}/x?" in response.json()["url"]


def test_a_one_time_login_link_works_once(world: World):
    link = world.app.state.auth.create_login_link(world.mallory.uid)
    first = TestClient(world.app, base_url=ORIGIN, follow_redirects=False)
    assert first.get("/", params={"login": link}).status_code == 303
    assert first.get("/api/auth/me").json()["uid"] == world.mallory.uid
    replay = TestClient(world.app, base_url=ORIGIN, follow_redirects=False)
    again = replay.get("/", params={"login": link})
    assert again.status_code == 401 and "set-cookie" not in again.headers
    assert replay.get("/api/s3/usage").status_code == 401


def test_a_forged_login_link_is_refused(world: World):
    browser = TestClient(world.app, base_url=ORIGIN, follow_redirects=False)
    response = browser.get("/", params={"login": secrets.token_urlsafe(32)})
    assert response.status_code == 401 and "set-cookie" not in response.headers


# --- account deletion reaches only the caller -----------------------------------------------

def test_deleting_an_account_removes_only_its_own_data(world: World):
    eve = world.app.state.auth.accounts.add("eve-" + secrets.token_hex(3), PASSWORD)
    token = world.app.state.auth.create_token(eve.uid)[0]
    headers = {"Authorization": f"Bearer {token}"}
    signed = send(world, "presign", headers, {"op": "put", "key": "f", "size": 1}).json()
    httpx.put(signed["url"], content=b"x", headers=signed["headers"]).raise_for_status()
    assert send(world, "upsert", headers, {"points": [{"id": "a1", "vector": PROBE,
                                                        "payload": {"artifact_id": "A"}}]}).status_code == 200
    assert send(world, "delete_me", headers).status_code == 200
    assert world.s3.usage(eve.uid)["objects"] == 0 and world.store.count(eve.uid) == 0
    assert send(world, "usage", headers).status_code == 401
