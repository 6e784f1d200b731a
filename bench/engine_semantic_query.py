"""Semantic query time over 50,000 local chunks: the embedding worker's scan
(web/embed/vectors.mjs: int8 rows in memory, WebAssembly SIMD dot products, top-k heap; run
here under Node, the same V8 as Chromium) against two same-run baselines: the same index with
the scalar JavaScript loop (the worker before SIMD) and float32 rows with a full sort, with the
top-10 agreement between int8 and float32 (what int8 costs in accuracy). The engine's pure-Python scan
(pylib/semantic/query.py), which the page does not use, is timed over 2,000 chunks for scale.

    .venv/bin/python bench/engine_semantic_query.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "relevance"))


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def python_scan(chunks: int, queries: int) -> list[float]:
    from score import quantized

    from pylib import artifacts, db
    from pylib.semantic import pending, store_vectors
    from pylib.semantic.query import scan

    rng = random.Random(7)
    unit = lambda: (lambda v: [x / sum(y * y for y in v) ** 0.5 for x in v])([rng.gauss(0, 1) for _ in range(384)])
    with tempfile.TemporaryDirectory() as tmp:
        ws = db.open_workspace(f"{tmp}/w.sqlite", synchronous="OFF")
        for i in range(chunks):
            artifacts.create(ws, f"/n{i}.md", f"note {i}")
        while todo := pending(ws, 500)["chunks"]:
            store_vectors(ws, "all-MiniLM-L6-v2-int8", [
                {"id": c["id"], "vector": d, "scale": s} for c, (d, s) in zip(todo, (quantized(unit()) for _ in todo))])
        times = []
        for _ in range(queries):
            q = unit()
            t = time.perf_counter()
            scan(ws, q, 50)
            times.append((time.perf_counter() - t) * 1000)
        ws.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    queries = 30 if args.quick else 100
    print(f"load: {os.getloadavg()[0]:.1f} (1-minute average, 2 shared cores)\n")
    out = subprocess.run(["node", str(ROOT / "bench" / "pages" / "vector_scan.mjs"), "50000", str(queries), "50"],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    ours, scalar, base = result["ours"], result["scalar"], result["baseline"]
    print(f"{'50,000 chunks, top 50':<38} {'p50 ms':>8} {'p95 ms':>8}")
    print(f"{'int8 SIMD + heap (the worker)':<38} {p(ours, .5):>8.1f} {p(ours, .95):>8.1f}")
    print(f"{'int8 scalar JS + heap (baseline 1)':<38} {p(scalar, .5):>8.1f} {p(scalar, .95):>8.1f}")
    print(f"{'float32 + full sort (baseline 2)':<38} {p(base, .5):>8.1f} {p(base, .95):>8.1f}")
    print(f"ratio p95 scalar/SIMD: {p(scalar, .95) / p(ours, .95):.1f}x; float32 sort/SIMD:"
          f" {p(base, .95) / p(ours, .95):.1f}x; goal p95 <= 30 ms:"
          f" {'met' if p(ours, .95) <= 30 else 'NOT met'}")
    print(f"top-10 agreement int8 vs float32: {result['recall10']:.3f};"
          f" SIMD vs scalar (int16 vs float query): {result['simdVsScalar10']:.3f}")
    py = python_scan(2000, 5 if args.quick else 20)
    print(f"\nengine's Python scan, 2,000 chunks (CPython): p50 {p(py, .5):.1f} ms, p95 {p(py, .95):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
