"""Sync between devices through the real proxy and SeaweedFS: a new device, and edit to visible.

1. A new device gets a ~50 MB workspace: one device fills it (Markdown notes of the project's
   own prose), pushes and compacts it into a snapshot; a fresh device pulls it (presigned
   GETs of the sealed snapshot parts, a few at once, open, decompress, take it in whole —
   pylib/sync/adopt.py — with the keyword and link indexes the snapshot carries; what it
   leaves for after, packing its texts, is shown on its own line and with the pull). The
   baseline, same run: the raw workspace file, uploaded to the same S3, read back with one
   presigned GET (what "copy the file" costs). Goal (issue 10): <= 1.5x. Five rounds, each
   measure in turn, medians. Also shown: the parts fetched and opened alone (the network and
   crypto share), and with ``--merge`` the same pull through the record-by-record merge (what
   a new device did before).
2. Edit on one device -> visible on the other: both devices run the page's schedule
   (SyncScheduler: a round DEBOUNCE_MS after an edit, a manifest poll every POLL_MS), each in
   its own loop; the time from a saved edit on A until B holds the text, p50 and p95. The
   baseline, same run: one push on A and one pull on B back to back (the network and engine
   work alone, no waiting for the schedule).

CPython devices (the browser's engine is the same Python; its fetch and WebCrypto differ).
The proxy runs as `quire serve` runs it, in a process of its own (bench/proxy_process.py);
``--proxy-thread`` serves it from a thread of this process as before, where every presign's
Python shares the devices' interpreter lock. Under today's CPU sharing, timings are noisy:
the load average is printed with the figures.

    .venv/bin/python bench/engine_sync_devices.py [--quick] [--merge] [--format 1] [--proxy-thread] [--rounds N]

``--format 1`` writes the snapshot as versions before format 2 did (every text plain: the
new device stores them so and packs them after), for a comparison under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine_blobs import start_proxy  # noqa: E402
from bench.proxy_process import ProxyProcess  # noqa: E402
from bench.engine_sync import _fill, _note, _words  # noqa: E402
from pylib import artifacts, db  # noqa: E402
from pylib.sync.engine import SyncEngine  # noqa: E402
from pylib.sync.proxystore import ProxyStore  # noqa: E402
from pylib.sync import adopt  # noqa: E402
from pylib.sync.scheduler import DEBOUNCE_MS, POLL_MS, SyncScheduler  # noqa: E402


ROUNDS = 5  # of the new device's measures: medians (--rounds)


def live_notes(ws) -> int:
    return len(artifacts.list_tree(ws)["artifacts"])


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


async def _fresh_pull(path: Path, base: str, headers: dict, key: bytes,
                      ) -> tuple[float, int, int, float]:
    """``(ms, records applied, live notes, ms of what it leaves for after)`` of a fresh
    device's first pull."""
    ws = db.open_workspace(str(path), synchronous="OFF")
    try:
        engine = SyncEngine(ws, ProxyStore(base, headers), key)
        started = time.perf_counter()
        applied = await engine.pull()
        pull_ms = _ms(started)
        live = len(artifacts.list_tree(ws)["artifacts"])
        started = time.perf_counter()
        while engine.finish():  # what the page does a piece per tick, after the pull
            pass
        return pull_ms, applied, live, _ms(started)
    finally:
        ws.close()


async def _fetch_only(path: Path, base: str, headers: dict, key: bytes) -> float:
    """The snapshot's parts read and opened, nothing applied."""
    ws = db.open_workspace(str(path), synchronous="OFF")
    try:
        engine = SyncEngine(ws, ProxyStore(base, headers), key)
        started = time.perf_counter()
        manifest = await engine.read_manifest()
        await engine._snapshot(manifest.snapshot)
        return _ms(started)
    finally:
        ws.close()


async def new_device(tmp: Path, base: str, headers: dict, mb: int, merge: bool,
                     packed: bool = True, rounds: int = ROUNDS) -> dict:
    rng, words, key = random.Random(12), _words(), os.urandom(32)
    a = db.open_workspace(str(tmp / "a.sqlite"), synchronous="OFF")
    store = ProxyStore(base, headers)
    engine = SyncEngine(a, store, key)
    notes = _fill(a, rng, words, mb * 1024 * 1024, 48 * 1024)
    await engine.push()
    assert await engine.compact(packed=packed)
    a.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = Path(a.path).read_bytes()
    await store.put("bench/workspace.sqlite", raw)
    listed = await store.list("sync/snapshots/")
    assert live_notes(a) == notes
    a.close()
    runs: dict[str, list[float]] = {"copy": [], "pull": [], "after": [], "fetch": []}
    for i in range(rounds):  # each measure in turn, a round at a time (the load drifts)
        started = time.perf_counter()
        copied = await store.get("bench/workspace.sqlite")
        runs["copy"].append(_ms(started))
        assert copied is not None and len(copied.body) == len(raw)
        pull_ms, applied, live, after_ms = await _fresh_pull(tmp / f"c{i}.sqlite", base,
                                                             headers, key)
        assert live == notes
        runs["pull"].append(pull_ms)
        runs["after"].append(after_ms)
        runs["fetch"].append(await _fetch_only(tmp / f"f{i}.sqlite", base, headers, key))
    out = {"bytes": len(raw), "notes": notes, "records": applied, "format": 2 if packed else 1,
           "rounds": rounds,
           "sealed": sum(n for _, n in listed),
           **{f"{k}_ms": statistics.median(v) for k, v in runs.items()},
           "ratio": statistics.median(p / c for p, c in zip(runs["pull"], runs["copy"])),
           "fetch_ratio": statistics.median(f / c for f, c in zip(runs["fetch"], runs["copy"])),
           "after_ratio": statistics.median((p + x) / c for p, x, c in
                                            zip(runs["pull"], runs["after"], runs["copy"]))}
    if merge:  # the same pull with the whole-snapshot path switched off
        real, adopt.is_fresh = adopt.is_fresh, lambda conn: False
        try:
            out["merge_ms"], _, live, _ = await _fresh_pull(tmp / "m.sqlite", base, headers, key)
            out["merge_ratio"] = out["merge_ms"] / out["copy_ms"]
        finally:
            adopt.is_fresh = real
        assert live == notes
    return out


async def _run_schedule(scheduler: SyncScheduler, stop: asyncio.Event,
                        woken: asyncio.Event) -> None:
    """The page's loop: sleep until the scheduler's next wake (or until a save wakes it, as
    the page's "saved" event asks for the status at once), tick, again."""
    while not stop.is_set():
        wake = scheduler.next_wake()
        delay = 0.05 if wake is None else max(0.0, (wake - scheduler.clock()) / 1000)
        try:
            await asyncio.wait_for(woken.wait(), timeout=min(delay, 0.5))
        except TimeoutError:
            pass
        woken.clear()
        if not stop.is_set():
            await scheduler.tick()


async def edit_to_visible(tmp: Path, base: str, headers: dict, samples: int) -> dict:
    key = os.urandom(32)
    a = db.open_workspace(str(tmp / "ea.sqlite"), synchronous="OFF")
    b = db.open_workspace(str(tmp / "eb.sqlite"), synchronous="OFF")
    ea, eb = SyncEngine(a, ProxyStore(base, headers), key), SyncEngine(b, ProxyStore(base, headers), key)
    doc = artifacts.create(a, "/shared.md", _note(random.Random(13), _words(), 1500))
    await ea.push()
    await eb.pull()
    direct = []
    for i in range(samples):  # the baseline: the same work, no schedule in between
        artifacts.update(a, doc.id, f"direct {i}\n")
        started = time.perf_counter()
        await ea.push()
        await eb.pull()
        direct.append(_ms(started))
        assert artifacts.get(b, doc.id).text == f"direct {i}\n"
    sa, sb = SyncScheduler(ea), SyncScheduler(eb)
    stop, woken = asyncio.Event(), {sa: asyncio.Event(), sb: asyncio.Event()}

    def saved(scheduler: SyncScheduler) -> None:
        scheduler.committed()
        woken[scheduler].set()

    a.on_commit.append(lambda _ws: saved(sa))
    b.on_commit.append(lambda _ws: saved(sb))
    loops = [asyncio.create_task(_run_schedule(s, stop, woken[s])) for s in (sa, sb)]
    visible = []
    try:
        for i in range(samples):
            await asyncio.sleep(random.Random(i).uniform(0.2, 2.0))  # edits land anywhere in a poll
            text = f"scheduled {i}\n"
            artifacts.update(a, doc.id, text)
            started = time.perf_counter()
            while artifacts.get(b, doc.id).text != text:
                await asyncio.sleep(0.02)
            visible.append(_ms(started))
    finally:
        stop.set()
        for event in woken.values():
            event.set()
        await asyncio.gather(*loops)
        a.close()
        b.close()
    return {"visible": sorted(visible), "direct": sorted(direct)}


def _p(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 10 MB workspace, 5 edits")
    parser.add_argument("--merge", action="store_true",
                        help="also pull through the record-by-record merge (the old path)")
    parser.add_argument("--format", type=int, choices=(1, 2), default=2,
                        help="the snapshot's format (1: every text plain, as before format 2)")
    parser.add_argument("--proxy-thread", action="store_true",
                        help="serve the proxy from a thread of this process (as before: its"
                             " Python then shares this process's interpreter lock)")
    parser.add_argument("--rounds", type=int, default=ROUNDS,
                        help="rounds of the new device's measures (medians)")
    args = parser.parse_args()
    quick = args.quick
    mb, samples = (10, 5) if quick else (50, 15)
    from proxy.storage.seaweed import EmbeddedS3

    with tempfile.TemporaryDirectory(prefix="quire-bench-sync-") as tmp:
        weed = EmbeddedS3(Path(tmp) / "weed", "http://127.0.0.1:9")
        weed.start()
        proxy = None
        try:
            users = ("bench", "bench-edits")  # the second: its own manifest, its own key
            if args.proxy_thread:
                base, signed, server = start_proxy(Path(tmp) / "data", weed, users)
            else:  # as `quire serve` runs it: a process of its own
                proxy = ProxyProcess(Path(tmp) / "data", weed, users)
                base, signed = proxy.url, proxy.headers
            headers, edit_headers = signed["bench"], signed["bench-edits"]
            fresh = asyncio.run(new_device(Path(tmp), base, headers, mb, args.merge,
                                           packed=args.format == 2, rounds=max(1, args.rounds)))
            fresh["proxy"] = "a thread of this process" if args.proxy_thread else "its own process"
            edits = asyncio.run(edit_to_visible(Path(tmp), base, edit_headers, samples))
            if args.proxy_thread:
                server.should_exit = True
        finally:
            if proxy is not None:
                proxy.stop()
            weed.stop()
    _report(fresh, edits)


def _report(fresh: dict, edits: dict) -> None:
    v, d = edits["visible"], edits["direct"]
    print(f"load average: {os.getloadavg()[0]:.1f} (timings are noisy on shared CPUs);"
          f" snapshot format {fresh['format']}; the proxy in {fresh['proxy']}\n")
    print(f"A new device: medians of {fresh['rounds']} rounds, each a GET, a pull and the parts alone in"
          " turn; ratios are medians of each round's own ratio.\n")
    print("| measure | sync | baseline (same run) | ratio |")
    print("|---|---|---|---|")
    print(f"| a new device gets a {fresh['bytes'] / 2**20:.1f} MB workspace ({fresh['notes']} notes,"
          f" {fresh['records']:,} records; {fresh['sealed'] / 2**20:.1f} MB sealed) |"
          f" {fresh['pull_ms']:.0f} ms | one presigned GET of the raw file {fresh['copy_ms']:.0f} ms"
          f" | {fresh['ratio']:.2f}x (goal <= 1.5x) |")
    print(f"| ... of which the parts fetched and opened alone | {fresh['fetch_ms']:.0f} ms | |"
          f" {fresh['fetch_ratio']:.2f}x |")
    print(f"| then what it left for after (engine.finish: packing its texts) |"
          f" {fresh['after_ms']:.0f} ms | | {fresh['after_ratio']:.2f}x with the pull |")
    if "merge_ms" in fresh:
        print(f"| the same pull through the record-by-record merge | {fresh['merge_ms']:.0f} ms | |"
              f" {fresh['merge_ratio']:.2f}x |")
    print(f"| edit on A -> visible on B (a round {DEBOUNCE_MS} ms after an edit, a poll every"
          f" {POLL_MS} ms), p50 / p95 of {len(v)} | {_p(v, .5):.0f} / {_p(v, .95):.0f} ms"
          f" | push + pull back to back {statistics.median(d):.0f} ms (p50) |"
          f" {_p(v, .5) / statistics.median(d):.1f}x (goal p50 <= 3,000 ms) |")


if __name__ == "__main__":
    main()
