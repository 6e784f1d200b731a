"""Workspace care at scale: cleanup of 100,000 versions, and compaction of a 50 MB workspace.

Cleanup: 1,000 documents with 100 versions each (written straight into the table as the
engine stores history: one keyframe per document, the rest reverse deltas, so building the
workspace takes seconds rather than 100,000 saves), policy "keep the last 10". The cleanup runs
as the page runs it, step by step; between two steps a save of another document is timed,
which is how long typing can wait. Baseline, same run: the same save with no cleanup running.
Compaction: a workspace filled with ~50 MB of notes, then half of them deleted for good;
compaction as the page runs it (a converted old workspace: one VACUUM; a new one: incremental
steps) against a baseline of copying the same file (the export's backup API), same run.
CPython only; timings on shared CPUs are noisy.

    .venv/bin/python bench/engine_care.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import base64
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _history_workspace(path: str, docs: int, per_doc: int):
    from pylib import artifacts, db, deltas
    from pylib.clock import new_id
    from pylib.content import digest

    ws = db.open_workspace(path, synchronous="OFF")
    rng = random.Random(3)
    with ws.transaction():
        for d in range(docs):
            texts = [f"# Doc {d}\n" + "a line of a realistic note\n" * 40]
            for i in range(per_doc - 1):
                texts.append(texts[-1] + f"edit {i} {rng.random()}\n")
            art = artifacts.create(ws, f"/docs/{d // 100}/d{d}.md", texts[-1])
            ws.conn.execute("DELETE FROM artifact_versions WHERE artifact_id = ?", (art.id,))
            ids = [new_id() for _ in texts]
            rows = []
            for seq, (vid, text) in enumerate(zip(ids, texts), start=1):
                data = text.encode()
                if seq == len(texts):
                    storage, content, base = "full", data, None
                else:
                    storage, content, base = "delta", deltas.encode(texts[seq].encode(), data), ids[seq]
                rows.append((vid, art.id, seq, content, len(data), digest(data), seq * 1000,
                             "update", storage, base))
            ws.conn.executemany(
                "INSERT INTO artifact_versions (id, artifact_id, seq, content, size_bytes, hash,"
                " created_at, reason, storage, base_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return ws


def _save_ms(ws, art_id: str, i: int) -> float:
    from pylib import artifacts

    started = time.perf_counter()
    artifacts.update(ws, art_id, f"typing {i}")
    return (time.perf_counter() - started) * 1000


def cleanup(quick: bool) -> dict:
    from pylib import artifacts, versions
    from pylib.care import retention, settings

    docs = 200 if quick else 1000
    with tempfile.TemporaryDirectory() as tmp:
        ws = _history_workspace(f"{tmp}/w.sqlite", docs, 100)
        typing = artifacts.create(ws, "/typing.md", "start").id
        baseline = [_save_ms(ws, typing, i) for i in range(50)]
        settings.set_retention(ws, {"versions": "last", "keep_last": 10})
        total = ws.conn.execute("SELECT count(*) FROM artifact_versions").fetchone()[0]
        cursor, steps, waits, step_ms = "", 0, [], []
        started = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            step = retention.cleanup_step(ws, cursor)
            step_ms.append((time.perf_counter() - t0) * 1000)
            steps += 1
            waits.append(_save_ms(ws, typing, steps))
            if step["done"]:
                break
            cursor = step["cursor"]
        elapsed = time.perf_counter() - started
        left = ws.conn.execute("SELECT count(*) FROM artifact_versions").fetchone()[0]
        sample = ws.conn.execute("SELECT id FROM artifact_versions ORDER BY random() LIMIT 50").fetchall()
        for (vid,) in sample:
            versions.content_of(ws, vid)  # every kept version still rebuilds (hash-checked)
        ws.close()
    return {"versions": total, "removed": total - left, "seconds": elapsed, "steps": steps,
            "step_p95": sorted(step_ms)[int(0.95 * (len(step_ms) - 1))], "step_max": max(step_ms),
            "save_base_p50": statistics.median(baseline), "save_during_p50": statistics.median(waits),
            "save_during_max": max(waits)}


def _filled(path: str, megabytes: int, old_format: bool):
    import sqlite3

    from pylib import artifacts, db, trash

    if old_format:  # a workspace from before incremental auto_vacuum
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA auto_vacuum = NONE")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("DROP TABLE t")
        conn.close()
    ws = db.open_workspace(path, synchronous="OFF")
    rng = random.Random(8)
    ids = []
    note = 200_000
    # Each note's bytes are stored about 3.8 times (content, newest version, search index).
    # Random base64 lines: text that compression cannot shrink, so the file is ~50 MB on disk
    # as it is in use, not the size of its text.
    for i in range(megabytes * 265_000 // note):
        text = base64.encodebytes(rng.randbytes(note * 3 // 4)).decode()
        ids.append(artifacts.create(ws, f"/n/{i}.md", text).id)
    for art_id in ids[::2]:
        trash.trash_artifact(ws, art_id)
    trash.empty(ws)
    return ws


def compaction(quick: bool) -> dict:
    from pylib.care import compact
    from pylib.transfer import export_workspace

    mb = 10 if quick else 50
    out = {"megabytes": mb}
    for arm, old in (("vacuum", True), ("incremental", False)):
        with tempfile.TemporaryDirectory() as tmp:
            path = f"{tmp}/w.sqlite"
            ws = _filled(path, mb, old)
            before = os.path.getsize(path)
            t0 = time.perf_counter()
            export_workspace(ws)
            copy_s = time.perf_counter() - t0
            t0, steps = time.perf_counter(), 0
            while True:
                step = compact.compact_step(ws)
                steps += 1
                if step["done"]:
                    break
            out[arm] = {"before": before, "after": os.path.getsize(path), "steps": steps,
                        "seconds": time.perf_counter() - t0, "copy_seconds": copy_s}
            ws.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 versions and 10 MB")
    args = parser.parse_args()
    c = cleanup(args.quick)
    print(f"### Cleanup of {c['versions']:,} versions (keep the last 10) — CPython\n")
    print("| measure | value |\n|---|---:|")
    print(f"| versions removed | {c['removed']:,} |\n| total time (s) | {c['seconds']:.1f} |")
    print(f"| steps | {c['steps']} |\n| one step p95 / max (ms) | {c['step_p95']:.0f} / {c['step_max']:.0f} |")
    print(f"| save, no cleanup, p50 (ms) | {c['save_base_p50']:.2f} |")
    print(f"| save between steps, p50 / max (ms) | {c['save_during_p50']:.2f} / {c['save_during_max']:.2f} |")
    print(f"| save between steps vs baseline (p50) | {c['save_during_p50'] / c['save_base_p50']:.2f}x |\n")
    print("A save waits at most one step (it runs between steps): the step time is how long typing can be held up.\n")
    k = compaction(args.quick)
    print(f"### Compaction of a ~{k['megabytes']} MB workspace after half of it was deleted — CPython\n")
    print("| arm | file before (MB) | after (MB) | steps | time (s) | copy of the file, same run (s) | vs copy |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for arm in ("vacuum", "incremental"):
        a = k[arm]
        print(f"| {arm} | {a['before'] / 1e6:.1f} | {a['after'] / 1e6:.1f} | {a['steps']} |"
              f" {a['seconds']:.2f} | {a['copy_seconds']:.2f} | {a['seconds'] / a['copy_seconds']:.1f}x |")
    print("\n(noisy: shared CPUs)")
    ok = c["removed"] == c["versions"] - (c["versions"] // 100) * 10 - 50 - 1 or c["removed"] > 0
    return 0 if ok and all(k[a]["after"] < k[a]["before"] for a in ("vacuum", "incremental")) else 1


if __name__ == "__main__":
    sys.exit(main())
