"""Sync: bytes uploaded for a one-document edit in a 50 MB workspace, and merge throughput.

1. A 50 MB workspace (Markdown notes of the project's own prose, so it compresses like real
   notes) is synced once. Then one 1.5 KB note gets a few words typed and the device pushes:
   the bytes written to the store (segment + manifest, sealed) against the seed's design,
   which uploads the whole workspace file per change (baseline: the file's size, same run).
   Goal (issue 10): <= 8 KB per edit.
2. Merge throughput: another device applies 10,000 remote records (notes made elsewhere, with
   their versions and action-log rows) in one pull; the baseline is the time the first device
   took to write the same notes through the engine's own API, in the same run.

CPython, memory store (no network: bytes and engine work only). Under today's CPU sharing,
timings are noisy; the byte counts are exact.

    .venv/bin/python bench/engine_sync.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pylib import artifacts, db  # noqa: E402
from pylib.sync.engine import SyncEngine  # noqa: E402
from pylib.sync.store import MemoryStore  # noqa: E402


def _words() -> list[str]:
    prose = " ".join(p.read_text(encoding="utf-8")
                     for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    return prose.split()


def _note(rng: random.Random, words: list[str], size: int) -> str:
    out, n = [], 0
    while n < size:
        at = rng.randrange(len(words) - 30)
        line = " ".join(words[at:at + rng.randrange(6, 30)])
        out.append(line)
        n += len(line) + 1
    return "\n".join(out)[:size]


def _fill(ws, rng, words, total: int, note_bytes: int) -> int:
    count = 0
    while os.path.getsize(ws.path) < total:
        with ws.transaction():
            for _ in range(50):
                artifacts.create(ws, f"/notes/{count // 200}/n{count}.md",
                                 _note(rng, words, note_bytes))
                count += 1
    return count


def edit_bytes(quick: bool) -> dict:
    rng, words = random.Random(10), _words()
    total = (10 if quick else 50) * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        ws = db.open_workspace(f"{tmp}/a.sqlite", synchronous="OFF")
        store = MemoryStore()
        engine = SyncEngine(ws, store, os.urandom(32))
        target = artifacts.create(ws, "/edited.md", _note(rng, words, 1500))
        notes = _fill(ws, rng, words, total, 48 * 1024)
        asyncio.run(engine.push())
        file_bytes = os.path.getsize(ws.path)
        sizes = []
        for i in range(5 if quick else 20):
            text = artifacts.get(ws, target.id).text
            at = rng.randrange(len(text))
            artifacts.update(ws, target.id, text[:at] + f" typed word {i}" + text[at:])
            before = store.bytes_written
            asyncio.run(engine.push())
            sizes.append(store.bytes_written - before)
        ws.close()
    sizes.sort()
    return {"file": file_bytes, "notes": notes, "median": sizes[len(sizes) // 2],
            "max": sizes[-1], "edits": len(sizes)}


def merge_rate(quick: bool) -> dict:
    rng, words = random.Random(11), _words()
    n_notes = 1_000 if quick else 3_334  # each note: artifact, version and action-log records
    with tempfile.TemporaryDirectory() as tmp:
        store, key = MemoryStore(), os.urandom(32)
        a = db.open_workspace(f"{tmp}/a.sqlite", synchronous="OFF")
        b = db.open_workspace(f"{tmp}/b.sqlite", synchronous="OFF")
        texts = [_note(rng, words, 600) for _ in range(n_notes)]
        started = time.perf_counter()
        with a.transaction():
            for i, text in enumerate(texts):
                artifacts.create(a, f"/inbox/{i // 500}/n{i}.md", text)
        local_ms = (time.perf_counter() - started) * 1000
        asyncio.run(SyncEngine(a, store, key).push())
        engine_b = SyncEngine(b, store, key)
        started = time.perf_counter()
        applied = asyncio.run(engine_b.pull())
        pull_ms = (time.perf_counter() - started) * 1000
        live = len(artifacts.list_tree(b)["artifacts"])
        a.close()
        b.close()
    return {"records": applied, "pull_ms": pull_ms, "local_ms": local_ms, "notes": live}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 10 MB workspace, 3,000 records")
    quick = parser.parse_args().quick
    edit = edit_bytes(quick)
    merge = merge_rate(quick)
    print("| measure | sync | baseline (same run) | ratio |")
    print("|---|---|---|---|")
    print(f"| bytes uploaded per one-document edit, {edit['file'] / 2**20:.1f} MB workspace"
          f" ({edit['notes']} notes), median of {edit['edits']} | {edit['median']:,} B"
          f" (max {edit['max']:,}) | whole file {edit['file']:,} B |"
          f" {edit['median'] / edit['file']:.5f} |")
    print(f"| applying {merge['records']:,} remote records in one pull | {merge['pull_ms']:.0f} ms"
          f" | writing the same {merge['notes']:,} notes locally {merge['local_ms']:.0f} ms |"
          f" {merge['pull_ms'] / merge['local_ms']:.2f}x |")
    print(f"\nload average: {os.getloadavg()[0]:.1f} (timings are noisy on shared CPUs)")
    ok = edit["median"] <= 8 * 1024
    print(f"goal <= 8 KB per edit: {'met' if ok else 'NOT met'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
