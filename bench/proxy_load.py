"""Load: 200 concurrent clients on loopback mixing presign and vector queries, against the full
proxy and, in the same run, a bare Starlette app doing the same work without the stack.

Setup: 20 accounts with bearer tokens and a qdrant-edge shard with 100 points per user (384-d).
Each client holds one keep-alive connection and sends, at random, half presign requests and half
vector queries (limit 10) for a random user. Every answer is checked (status 200 and the expected
body); any failure or dropped connection counts as an error. Goal: 0 errors; p50/p99 reported.

    .venv/bin/python bench/proxy_load.py [--seconds 60] [--clients 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from proxy_presign import (  # noqa: E402
    PRESIGN_BODY, ROOT, Stats, percentile, presign_ok, request_bytes, run_load, settings_for, start_server,
    stop_server,
)

sys.path.insert(0, str(ROOT))

DIMENSION = 384
POINTS_PER_USER = 100


def unit(rng: random.Random) -> list[float]:
    vector = [rng.random() - 0.5 for _ in range(DIMENSION)]
    norm = math.sqrt(sum(x * x for x in vector))
    return [round(x / norm, 6) for x in vector]


def setup(data_dir: Path, users: int, rng: random.Random) -> list[tuple[str, str]]:
    """(uid, token) per account, each with POINTS_PER_USER points in the shard."""
    from argon2 import PasswordHasher

    from proxy.auth import accounts
    from proxy.auth.service import AuthService
    from proxy.vectors import EdgeStore, NewPoint

    accounts.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # setup only
    auth = AuthService(settings_for(data_dir))
    try:
        people = [auth.accounts.add(f"user{i:03d}", "bench-password-123") for i in range(users)]
        tokens = [(p.uid, auth.create_token(p.uid)[0]) for p in people]
    finally:
        auth.close()
    store = EdgeStore(data_dir / "qdrant" / "artifacts")
    try:
        for uid, _ in tokens:
            store.upsert(uid, [NewPoint(f"p{i}", unit(rng), {"artifact_id": f"a{i // 4}", "path": f"n/{i}.md",
                                                             "content_preview": "lorem ipsum", "chunk": i % 4})
                               for i in range(POINTS_PER_USER)])
    finally:
        store.close()
    return tokens


def bare_app(data_dir: Path):
    """The same presign and query work as the proxy's routes, with no middleware and no auth."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from proxy.storage.models import PresignRequest
    from proxy.storage.service import S3Service
    from proxy.vectors import EdgeStore

    s3 = S3Service(settings_for(data_dir))
    store = EdgeStore(data_dir / "qdrant" / "artifacts")

    async def presign(request: Request) -> JSONResponse:
        body = PresignRequest.model_validate_json(await request.body())
        return JSONResponse(s3.presign(request.headers["x-user"], body).model_dump(mode="json"))

    async def query(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        hits = await run_in_threadpool(store.query, request.headers["x-user"], body["vector"], None, body["limit"])
        return JSONResponse({"results": [{"id": h.id, "score": h.score, "payload": h.payload} for h in hits]})

    return Starlette(routes=[Route("/api/s3/presign", presign, methods=["POST"]),
                             Route("/api/vectors/query", query, methods=["POST"])])


def serve(kind: str, data_dir: Path, port: int) -> None:
    import uvicorn

    from proxy_presign import full_app

    app = bare_app(data_dir) if kind == "bare" else full_app(data_dir)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, log_config=None,
                backlog=4096)


def query_ok(status: int, body: bytes) -> bool:
    return status == 200 and len(json.loads(body)["results"]) == 10


def make_picker(kind: str, people: list[tuple[str, str]], rng: random.Random):
    """Pre-built raw requests (so the client spends its CPU on sockets, not on JSON)."""
    requests = []
    for uid, token in people:
        who = {"Authorization": f"Bearer {token}"} if kind == "full" else {"X-User": uid}
        requests.append(("presign", request_bytes("/api/s3/presign", PRESIGN_BODY, who), presign_ok))
        for _ in range(5):
            body = json.dumps({"vector": unit(rng), "limit": 10}).encode()
            requests.append(("query", request_bytes("/api/vectors/query", body, who), query_ok))
    presigns = [r for r in requests if r[0] == "presign"]
    queries = [r for r in requests if r[0] == "query"]
    return lambda: rng.choice(presigns) if rng.random() < 0.5 else rng.choice(queries)


def measure(kind: str, data_dir: Path, people, args: argparse.Namespace) -> Stats:
    process, port = start_server(__file__, kind, data_dir)
    try:
        pick = make_picker(kind, people, random.Random(7))
        asyncio.run(run_load(port, min(args.clients, 20), 1.0, pick))  # warm-up
        return asyncio.run(run_load(port, args.clients, args.seconds, pick))
    finally:
        stop_server(process)


def print_table(results: dict[str, Stats], args: argparse.Namespace) -> None:
    print(f"\nLoad: {args.clients} concurrent keep-alive clients for {args.seconds:g} s per server, "
          f"50% presign / 50% vector query, {args.users} users x {POINTS_PER_USER} points, uvicorn 1 worker")
    print(f"{'server':<34}{'op':<9}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    labels = {"bare": "bare Starlette app (baseline)", "full": "full proxy"}
    for kind, stats in results.items():
        for op in ("presign", "query", "all"):
            samples = stats.all() if op == "all" else stats.latencies.get(op, [])
            errors = stats.error_count if op == "all" else stats.errors.get(op, 0)
            print(f"{labels[kind]:<34}{op:<9}{len(samples):>9}{len(samples) / args.seconds:>8.0f}"
                  f"{percentile(samples, .5) * 1e3:>9.1f}{percentile(samples, .99) * 1e3:>9.1f}{errors:>8}")
    bare, full = results["bare"], results["full"]
    print(f"full / bare: throughput {full.count / bare.count:.0%}, "
          f"p99 {percentile(full.all(), .99) / percentile(bare.all(), .99):.2f}x")
    print(f"goal (0 errors through the proxy): {'met' if full.error_count == 0 else 'NOT met'} "
          f"({full.error_count} errors)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per server")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--serve", nargs=3, metavar=("KIND", "DATA_DIR", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="10 s per server, for a fast check")
    args = parser.parse_args()
    if args.quick:
        args.seconds = min(args.seconds, 10.0)
    if args.serve:
        serve(args.serve[0], Path(args.serve[1]), int(args.serve[2]))
        return 0
    with tempfile.TemporaryDirectory(prefix="quire-load-") as tmp:
        data_dir = Path(tmp)
        people = setup(data_dir, args.users, random.Random(42))
        results = {kind: measure(kind, data_dir, people, args) for kind in ("bare", "full")}
    print_table(results, args)
    return 1 if results["full"].error_count else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
