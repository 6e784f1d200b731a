"""Presign requests/s through the full proxy vs a bare Starlette route, in the same run.

Both servers are the same kind of process: uvicorn, one worker, on loopback, started by this
script. The bare app is one Starlette route that parses the same JSON body with the same
pydantic model and signs the same URL with the same S3Service — no middleware, no auth. The
full app is `create_app`: isolation headers, JSON request log, body limit, bearer-token lookup
in the auth database, then the real presign route. The load comes from a small asyncio client
speaking raw HTTP/1.1 with keep-alive, so the client costs little CPU next to the servers.
Goal: full >= 60% of bare.

    .venv/bin/python bench/proxy_presign.py [--seconds 8] [--connections 16] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRESIGN_BODY = json.dumps({"op": "put", "key": "notes/bench.md", "content_type": "text/markdown", "size": 1234,
                           "sha256": "a" * 64}).encode()


def settings_for(data_dir: Path):
    from proxy.settings import Settings

    # Presigning is local computation: the endpoint is never contacted (no quota configured).
    return Settings(_env_file=None, data_dir=data_dir, s3_endpoint_url="http://127.0.0.1:9",
                    s3_access_key_id="bench", s3_secret_access_key="bench-secret-access-key")


def create_token(data_dir: Path) -> str:
    from argon2 import PasswordHasher

    from proxy.auth import accounts
    from proxy.auth.service import AuthService

    accounts.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # setup only
    auth = AuthService(settings_for(data_dir))
    try:
        account = auth.accounts.add("bench", "bench-password-123")
        return auth.create_token(account.uid)[0]
    finally:
        auth.close()


# --- the two apps (run in child processes) -------------------------------------------------------

def bare_app(data_dir: Path):
    """One route doing the same presign work as the real one, with none of the stack around it."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from proxy.storage.models import PresignRequest
    from proxy.storage.service import S3Service

    s3 = S3Service(settings_for(data_dir))

    async def presign(request: Request) -> JSONResponse:
        body = PresignRequest.model_validate_json(await request.body())
        return JSONResponse(s3.presign("bench-user", body).model_dump(mode="json"))

    return Starlette(routes=[Route("/api/s3/presign", presign, methods=["POST"])])


def full_app(data_dir: Path, vectors=None):
    from proxy.app import create_app
    from proxy.http.logs import configure_logging
    from proxy.storage.service import S3Service

    configure_logging()  # request logs on, as in production (stderr goes to /dev/null here)
    settings = settings_for(data_dir)
    return create_app(settings, s3=S3Service(settings), vectors=vectors)


def serve(kind: str, data_dir: Path, port: int) -> None:
    import uvicorn

    app = bare_app(data_dir) if kind == "bare" else full_app(data_dir)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, log_config=None)


# --- processes ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(script: str, kind: str, data_dir: Path) -> tuple[subprocess.Popen, int]:
    """Run `script --serve KIND DATA_DIR PORT` and wait for it to answer; stopped by PID later."""
    port = free_port()
    process = subprocess.Popen([sys.executable, script, "--serve", kind, str(data_dir), str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the {kind} server exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise RuntimeError(f"the {kind} server did not start")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


# --- a cheap HTTP/1.1 load generator -------------------------------------------------------------

def request_bytes(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


class Stats:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    def add(self, label: str, seconds: float, ok: bool) -> None:
        self.latencies.setdefault(label, []).append(seconds)
        if not ok:
            self.errors[label] = self.errors.get(label, 0) + 1

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def all(self) -> list[float]:
        return [x for v in self.latencies.values() for x in v]


async def run_load(port: int, connections: int, seconds: float,
                   pick: Callable[[], tuple[str, bytes, Callable[[int, bytes], bool]]]) -> Stats:
    """`connections` keep-alive clients send `pick()`ed requests for `seconds`; every answer is checked."""
    stats = Stats()
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                label, raw, check = pick()
                start = time.perf_counter()
                writer.write(raw)
                status, body = await read_response(reader)
                stats.add(label, time.perf_counter() - start, check(status, body))
        finally:
            writer.close()

    results = await asyncio.gather(*(client() for _ in range(connections)), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            stats.add("connection", 0.0, False)
    return stats


def presign_ok(status: int, body: bytes) -> bool:
    return status == 200 and b'"url"' in body


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# --- the benchmark ----------------------------------------------------------------------------

def measure(kind: str, data_dir: Path, token: str, args: argparse.Namespace) -> Stats:
    headers = {"Authorization": f"Bearer {token}"} if kind == "full" else {}
    raw = request_bytes("/api/s3/presign", PRESIGN_BODY, headers)
    process, port = start_server(__file__, kind, data_dir)
    try:
        asyncio.run(run_load(port, args.connections, 1.0, lambda: ("presign", raw, presign_ok)))  # warm-up
        return asyncio.run(run_load(port, args.connections, args.seconds, lambda: ("presign", raw, presign_ok)))
    finally:
        stop_server(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per server per round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="bare and full alternate this many times")
    parser.add_argument("--serve", nargs=3, metavar=("KIND", "DATA_DIR", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="one short round, for a fast check")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = min(args.seconds, 3.0), 1
    if args.serve:
        serve(args.serve[0], Path(args.serve[1]), int(args.serve[2]))
        return 0

    with tempfile.TemporaryDirectory(prefix="quire-bench-") as tmp:
        data_dir = Path(tmp)
        token = create_token(data_dir)
        runs: dict[str, list[Stats]] = {"bare": [], "full": []}
        for _ in range(args.rounds):
            for kind in ("bare", "full"):
                runs[kind].append(measure(kind, data_dir, token, args))
    print_table(runs, args)
    errors = sum(s.error_count for stats in runs.values() for s in stats)
    return 1 if errors else 0


def print_table(runs: dict[str, list[Stats]], args: argparse.Namespace) -> None:
    print(f"\nPresign throughput: {args.connections} keep-alive connections, {args.rounds} x {args.seconds:g} s "
          f"per server, uvicorn 1 worker, loopback")
    print(f"{'server':<36}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}")
    rate = {kind: statistics.median(s.count / args.seconds for s in stats) for kind, stats in runs.items()}
    labels = {"bare": "bare Starlette route (baseline)", "full": "full proxy (auth, logs, limits)"}
    for kind, stats in runs.items():
        samples = [x for s in stats for x in s.all()]
        errors = sum(s.error_count for s in stats)
        print(f"{labels[kind]:<36}{rate[kind]:>10.0f}{percentile(samples, .5) * 1e3:>9.2f}"
              f"{percentile(samples, .99) * 1e3:>9.2f}{errors:>8}{rate[kind] / rate['bare']:>8.0%}")
    ratio = rate["full"] / rate["bare"]
    print(f"goal (full >= 60% of bare): {'met' if ratio >= 0.6 else 'NOT met'} ({ratio:.0%})")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
