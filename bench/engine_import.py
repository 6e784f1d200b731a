"""Import of a 50 MB workspace (CPython): validate and replace, against SQLite's own copy.

`python bench/engine_import.py [--quick] [--mb 50]`. A workspace of Markdown notes (with
versions, actions, tasks and citations) is built in memory and exported; then, in rounds that
take turns so a busy machine slows all of them alike:

* baseline: what the bytes cost SQLite alone — deserialize into a private connection, run
  ``integrity_check``, and back the pages up onto a workspace file;
* ``validate_import``: every check the import makes (header, schema, integrity, row rules);
* ``import_workspace(replace)``: validation, the rebuild by our migrations, the backup copy
  and the page copy onto the live workspace;
* the same import with the row rules switched off (every row accepted unchecked): what the
  rules of ``pylib/rows.py`` cost, measured in the same run.

Prints medians, p95 and each method's ratio to the baseline of the same run.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pylib import artifacts, citations, db, tasks  # noqa: E402
from pylib.transfer import copy as transfer_copy  # noqa: E402
from pylib.transfer import export_workspace, import_workspace, validate_import  # noqa: E402


def build(megabytes: int) -> bytes:
    """An exported workspace of about ``megabytes`` MB: notes of ~45 KB, each edited twice."""
    rng = random.Random(7)
    ws = db.open_workspace(":memory:")
    note = 15_000
    count = max(1, megabytes * 1_000_000 // (7 * note // 3))  # content, a full newest version, deltas
    for i in range(count):
        body = base64.b64encode(rng.randbytes(note * 3 // 4)).decode()
        doc = artifacts.create(ws, f"/notes/{i % 50:02d}/note-{i}.md", f"# Note {i}\n\n{body}\n")
        artifacts.update(ws, doc.id, f"# Note {i}\n\n{body}\nedited\n")
        artifacts.update(ws, doc.id, f"# Note {i}\n\n{body}\nedited twice\n")
        if i % 10 == 0:
            tasks.enqueue(ws, "summarize", {"artifact_id": doc.id, "depth": [[1, 2], {"k": i}]})
            citations.record(ws, doc.id, f"run-{i}", 0.25, "quoted")
    data = export_workspace(ws)
    ws.close()
    return data


def baseline(data: bytes, target: sqlite3.Connection) -> None:
    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.backup(target)
    conn.close()


def without_rules(run):
    """``run`` with the copy's row checker replaced by one that accepts every row."""
    def unchecked():
        checker = transfer_copy.row_checker
        transfer_copy.row_checker = lambda table, columns: lambda values: None
        try:
            run()
        finally:
            transfer_copy.row_checker = checker
    return unchecked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    parser.add_argument("--mb", type=int, default=50, help="workspace size in MB (default 50)")
    args = parser.parse_args()
    rounds = 3 if args.quick else 7
    started = time.perf_counter()
    data = build(args.mb)
    print(f"workspace: {len(data) / 1e6:.1f} MB, built in {time.perf_counter() - started:.1f} s; "
          f"{rounds} rounds, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    with tempfile.TemporaryDirectory() as tmp:
        ws = db.open_workspace(str(Path(tmp) / "live.sqlite"), synchronous="OFF")
        raw = sqlite3.connect(str(Path(tmp) / "raw.sqlite"))
        methods = {
            "baseline: deserialize + integrity_check + backup": lambda: baseline(data, raw),
            "validate_import": lambda: validate_import(data),
            "import_workspace (replace)": lambda: import_workspace(ws, data, "replace"),
            "import_workspace (replace), row rules off": without_rules(
                lambda: import_workspace(ws, data, "replace")),
        }
        times: dict[str, list[float]] = {name: [] for name in methods}
        for _ in range(rounds):
            for name, run in methods.items():
                t0 = time.perf_counter()
                run()
                times[name].append((time.perf_counter() - t0) * 1000)
        ws.close()
        raw.close()
    base = statistics.median(times[next(iter(methods))])
    print(f"| {'method':<48} | median ms | p95 ms | / baseline |")
    print(f"|{'-' * 50}|----------:|-------:|-----------:|")
    for name, values in times.items():
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        median = statistics.median(values)
        print(f"| {name:<48} | {median:9.0f} | {p95:6.0f} | {median / base:9.2f}× |")
    print("\nTimings on a shared machine are noisy; compare ratios within one run.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
