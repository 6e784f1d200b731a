"""Large files through the full path vs plain presigned PUT/GET of the same bytes, same run.

Full path (pylib.blobs on the CPython platform, as the engine runs it): SHA-256 and keyed
name, AES-256-GCM in 4 MiB segments, multipart upload through presigned part URLs (8 MiB
parts, each checksum-signed); download by ranged GETs, every tag checked, SHA-256 verified.
Baseline: one presign and one checksum-signed PUT of the same plaintext, one presigned GET;
and, to tell transport from crypto, the sealed object read by the same ranged GETs (same range
size and concurrency) with no decryption or hashing ("same ranges").
Both go through the same live proxy (uvicorn in this process, full auth stack) to the same
embedded SeaweedFS (`weed mini`, started here). Goal: full >= 0.8x the plain throughput.
Timings on a shared machine are noisy; the downloads run in alternating order
each round; medians are reported, and every round's times.

    .venv/bin/python bench/engine_blobs.py [--quick] [--mb 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_app(data_dir: Path, port: int, s3_fields: dict, users: tuple[str, ...] = ("bench",)):
    """The proxy's app on ``port`` with the full auth stack and the given S3, and an account
    per user name: ``(app, {user: bearer token})``."""
    from argon2 import PasswordHasher

    from proxy.app import create_app
    from proxy.auth import accounts
    from proxy.settings import Settings

    accounts.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # setup only
    settings = Settings(_env_file=None, data_dir=data_dir, environment="development",
                        public_url=f"http://127.0.0.1:{port}", web_dir=data_dir, **s3_fields)
    app = create_app(settings)
    tokens = {}
    for user in users:
        account = app.state.auth.accounts.add(user, "bench-password-123")
        tokens[user] = app.state.auth.create_token(account.uid)[0]
    return app, tokens


def start_proxy(data_dir: Path, weed, users: tuple[str, ...] = ("bench",)):
    """create_app under uvicorn in a thread; (base URL, {user: bearer headers}, server)."""
    import uvicorn

    port = free_port()
    app, tokens = bench_app(data_dir, port, weed.endpoint.settings_update(), users)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return (f"http://127.0.0.1:{port}",
            {user: {"Authorization": f"Bearer {token}"} for user, token in tokens.items()}, server)


async def measure(base: str, headers: dict, size: int, rounds: int) -> tuple[dict[str, list[float]], ...]:
    from pylib.blobs import BlobStore
    from pylib.blobs.store import CONCURRENCY, DOWNLOAD_CHUNK
    from pylib.keys import derive_keys, new_data_key
    from pylib.platform.cpython import CPythonPlatform
    from pylib.s3client import S3Client

    pl = CPythonPlatform()
    client = S3Client(pl, base, headers=headers)
    names = ("plain put", "full upload", "plain get", "ranged get", "full download")
    times: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}  # this process: client, proxy, crypto

    async def timed(name: str, work) -> object:
        started, used = time.perf_counter(), time.process_time()
        result = await work
        times[name].append(time.perf_counter() - started)
        cpu[name].append(time.process_time() - used)
        return result

    for round_ in range(rounds):
        data = os.urandom(size)  # fresh bytes each round: no dedupe shortcut
        store = BlobStore(pl, client, await derive_keys(pl, new_data_key(pl)))
        await timed("plain put", client.put(f"plain/{round_}", data))
        report = await timed("full upload", store.upload(data))
        sealed = await client.head(report.ref.key)
        # Downloads in alternating order, so neither always reads a warmer server.
        gets = [("plain get", lambda: client.get(f"plain/{round_}"), data),
                # the same ranges and concurrency as the full path, no crypto: its transport alone
                ("ranged get", lambda: client.get_chunks(report.ref.key, int(sealed["content-length"]),
                                                         DOWNLOAD_CHUNK, concurrency=CONCURRENCY), None),
                ("full download", lambda: store.download(report.ref), data)]
        for name, work, want in (gets if round_ % 2 == 0 else gets[::-1]):
            got = await timed(name, work())
            assert want is None or got == want
            del got
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="32 MB, 2 rounds")
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    mb, rounds = (32, 2) if args.quick else (args.mb, args.rounds)
    from proxy.storage.seaweed import EmbeddedS3

    with tempfile.TemporaryDirectory(prefix="quire-bench-blobs-") as tmp:
        weed = EmbeddedS3(Path(tmp) / "weed", "http://127.0.0.1:9")
        weed.start()
        try:
            base, headers, server = start_proxy(Path(tmp) / "data", weed)
            times, cpu = asyncio.run(measure(base, headers["bench"], mb * 1_000_000, rounds))
            server.should_exit = True
        finally:
            weed.stop()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{mb} MB file, {rounds} rounds (medians), load: {os.getloadavg()[0]:.1f}\n")
    print("| direction | plain presigned MB/s | full path MB/s | full / plain (goal >= 0.8) |")
    print("|---|---|---|---|")
    for direction, plain, full in (("upload", "plain put", "full upload"), ("download", "plain get", "full download"),
                                   ("download, same ranges", "ranged get", "full download")):
        print(f"| {direction} | {mb / med[plain]:.1f} | {mb / med[full]:.1f} | {med[plain] / med[full]:.2f}x |")
    print("\nper round (s): " + "; ".join(f"{k} " + " ".join(f"{t:.2f}" for t in v) for k, v in times.items()))
    print("CPU of this process, median (s): " + "; ".join(f"{k} {statistics.median(v):.3f}" for k, v in cpu.items()))

if __name__ == "__main__":
    main()
