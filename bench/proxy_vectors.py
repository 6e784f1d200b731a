"""Vector query latency through the proxy vs calling the engine directly, in the same run.

Setup: a qdrant-edge shard with 20,000 points (384-d, cosine) spread over 100 users, each user
with a bearer token. The shard is copied once: the proxy serves one copy, this process queries
the other (a shard is single-process).
- engine: the query (same vector, same user, limit 10) on the shard copy in this process, with
  the user filter the proxy would add;
- proxy: the full app (`create_app`: request log, body limit, auth with a real token lookup,
  strict JSON, validation, scoping) under a real uvicorn in its own process, called over
  loopback HTTP/1.1 with keep-alive by a lean client (http.client), so a client library's own
  cost is not counted as the proxy's.
The two are interleaved query by query, so both see the same machine load. The difference is
what the proxy adds. Goals: added p50 <= 2 ms, added p99 <= 10 ms. CPU time per query (engine:
this process during the engine call; proxy: the server process, engine included) is printed
too: unlike wall-clock latency it hardly depends on what else the machine is running.

    .venv/bin/python bench/proxy_vectors.py [--points 20000] [--users 100] [--queries 2000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIMENSION = 384


def settings_for(data_dir: Path):
    from proxy.settings import Settings

    # S3 is never called here; the service only needs an endpoint to be constructed.
    return Settings(_env_file=None, data_dir=data_dir, s3_endpoint_url="http://127.0.0.1:9",
                    s3_access_key_id="bench", s3_secret_access_key="bench", vector_max_limit=100)


def unit(rng: random.Random) -> list[float]:
    vector = [rng.random() - 0.5 for _ in range(DIMENSION)]
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- setup -----------------------------------------------------------------------------------

def seed_vectors(data_dir: Path, points: int, users: list[str], rng: random.Random) -> None:
    from proxy.vectors import EdgeStore, NewPoint

    store = EdgeStore(data_dir / "qdrant" / "artifacts")
    try:
        batch: dict[str, list[NewPoint]] = {}
        for i in range(points):
            uid = users[i % len(users)]
            payload = {"artifact_id": f"art-{i // 8}", "path": f"notes/{i // 8}.md",
                       "content_preview": "lorem ipsum " * 8, "chunk": i % 8}
            batch.setdefault(uid, []).append(NewPoint(f"p{i}", unit(rng), payload))
        for uid, items in batch.items():
            store.upsert(uid, items)
    finally:
        store.close()


def create_accounts(data_dir: Path, count: int) -> list[tuple[str, str]]:
    """(uid, bearer token) for `count` accounts (argon2 with small parameters: setup only)."""
    from argon2 import PasswordHasher

    from proxy.auth import accounts
    from proxy.auth.service import AuthService

    accounts.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    auth = AuthService(settings_for(data_dir))
    try:
        people = [auth.accounts.add(f"user{i:03d}", "bench-password-123") for i in range(count)]
        return [(p.uid, auth.create_token(p.uid)[0]) for p in people]
    finally:
        auth.close()


# --- the two measurements ------------------------------------------------------------------

CLIENT_FILTER = {"must": [{"key": "chunk", "match": {"any": [0, 1, 2, 3]}}]}


def engine_query(shard, uid: str, vector: list[float], filtered: bool) -> tuple[float, float]:
    """The engine alone: qdrant-edge query with the user filter, in this process.
    Returns (wall seconds, CPU seconds of this process)."""
    import qdrant_edge as qe

    from proxy.vectors import Clause, Match, scoped
    from proxy.vectors.edge import to_edge_filter

    client = Clause(must=(Match("chunk", any=(0, 1, 2, 3)),)) if filtered else None
    request = qe.QueryRequest(limit=10, query=qe.Query.Nearest(vector), filter=to_edge_filter(scoped(uid, client)),
                              with_payload=True, with_vector=False)
    start, cpu = time.perf_counter(), time.process_time()
    found = shard.query(request)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if len(found) != 10:
        raise RuntimeError("the engine found fewer than 10 points")
    return elapsed, cpu


def proxy_query(connection, token: str, vector: list[float], filtered: bool) -> float:
    body = {"vector": vector, "limit": 10, **({"filter": CLIENT_FILTER} if filtered else {})}
    content = json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    start = time.perf_counter()
    connection.request("POST", "/api/vectors/query", body=content, headers=headers)
    response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200 or len(json.loads(data)["results"]) != 10:
        raise RuntimeError(f"unexpected answer {response.status}: {data[:200]!r}")
    return elapsed


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(engine_dir: Path, server: subprocess.Popen, base_url: str, workload: list, filtered: bool,
            warmup: int) -> dict:
    """Engine and proxy latencies, interleaved query by query, and CPU per query of each.

    Wall-clock latency depends on what else the machine runs; CPU time per query does not much,
    so it is reported too (server CPU includes its engine query; the client's is not counted)."""
    import http.client

    import qdrant_edge as qe

    shard = qe.EdgeShard.load(str(engine_dir))
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    direct, proxy, engine_cpu = [], [], 0.0
    try:
        for i, (uid, token, vector) in enumerate(workload):
            if i == warmup:
                server_cpu, engine_cpu = cpu_seconds(server.pid), 0.0
            wall, cpu = engine_query(shard, uid, vector, filtered)
            direct.append(wall)
            engine_cpu += cpu
            proxy.append(proxy_query(connection, token, vector, filtered))
        server_cpu = cpu_seconds(server.pid) - server_cpu
    finally:
        connection.close()
        shard.close()
    count = len(workload) - warmup
    return {"direct": direct[warmup:], "proxy": proxy[warmup:],
            "engine_cpu": engine_cpu / count, "proxy_cpu": server_cpu / count}


# --- the server process ----------------------------------------------------------------------

def serve(data_dir: Path, port: int, http: str) -> None:
    """Run the real app under uvicorn (this is the child process of the benchmark)."""
    import uvicorn

    from proxy.app import create_app
    from proxy.storage.service import S3Service

    settings = settings_for(data_dir)
    app = create_app(settings, s3=S3Service(settings))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, http=http)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, http: str = "auto") -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(data_dir), str(port), http],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the proxy exited during start-up")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    stop_server(process)
    raise RuntimeError("the proxy did not start")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


# --- report ---------------------------------------------------------------------------------

def row(name: str, result: dict) -> dict:
    ms = 1000.0
    d50, d99 = percentile(result["direct"], 0.5) * ms, percentile(result["direct"], 0.99) * ms
    p50, p99 = percentile(result["proxy"], 0.5) * ms, percentile(result["proxy"], 0.99) * ms
    return {"case": name, "direct_p50": d50, "direct_p99": d99, "proxy_p50": p50, "proxy_p99": p99,
            "added_p50": p50 - d50, "added_p99": p99 - d99,
            "engine_cpu": result["engine_cpu"] * ms, "proxy_cpu": result["proxy_cpu"] * ms,
            "added_cpu": (result["proxy_cpu"] - result["engine_cpu"]) * ms}


def print_table(rows: list[dict], args: argparse.Namespace) -> None:
    print(f"\nVector query latency: {args.points} points, {args.users} users, {args.queries} queries, limit 10, "
          f"uvicorn http={args.http}; 1-min load average at the end: {os.getloadavg()[0]:.1f} (ms)")
    print(f"{'case':<20}{'engine p50':>11}{'engine p99':>11}{'proxy p50':>10}{'proxy p99':>10}"
          f"{'added p50':>10}{'added p99':>10}{'engine CPU':>11}{'proxy CPU':>10}{'added CPU':>10}")
    for r in rows:
        print(f"{r['case']:<20}{r['direct_p50']:>11.3f}{r['direct_p99']:>11.3f}{r['proxy_p50']:>10.3f}"
              f"{r['proxy_p99']:>10.3f}{r['added_p50']:>10.3f}{r['added_p99']:>10.3f}"
              f"{r['engine_cpu']:>11.3f}{r['proxy_cpu']:>10.3f}{r['added_cpu']:>10.3f}")
    ok = all(r["added_p50"] <= 2.0 and r["added_p99"] <= 10.0 for r in rows)
    print(f"goal (added p50 <= 2 ms, p99 <= 10 ms): {'met' if ok else 'NOT met'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    parser.add_argument("--http", default="auto", choices=["auto", "h11", "httptools"],
                        help="uvicorn's HTTP parser (auto: httptools when installed)")
    parser.add_argument("--serve", nargs=3, metavar=("DATA_DIR", "PORT", "HTTP"), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="fewer points and queries, for a fast check")
    args = parser.parse_args()
    if args.quick:
        args.points, args.queries, args.warmup = min(args.points, 5_000), min(args.queries, 300), min(args.warmup, 50)
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]), args.serve[2])
        return 0

    rng = random.Random(42)
    with tempfile.TemporaryDirectory(prefix="quire-bench-") as tmp:
        data_dir = Path(tmp)
        t0 = time.perf_counter()
        people = create_accounts(data_dir, args.users)
        seed_vectors(data_dir, args.points, [uid for uid, _ in people], rng)
        engine_dir = data_dir / "engine-copy"
        shutil.copytree(data_dir / "qdrant" / "artifacts", engine_dir)
        print(f"setup: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        workload = [(*rng.choice(people), unit(rng)) for _ in range(args.warmup + args.queries)]
        rows = []
        process, base = start_server(data_dir, args.http)
        try:
            for filtered in (False, True):
                result = measure(engine_dir, process, base, workload, filtered, args.warmup)
                rows.append(row("plus client filter" if filtered else "user filter only", result))
        finally:
            stop_server(process)
    print_table(rows, args)
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
