"""The command line of an engine benchmark that runs in CPython and then in Pyodide under Node.

The same script measures both: inside Pyodide (bench/pyodide_script.mjs) it prints its result as
one JSON line, which the CPython run reads back and prints as a second table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_in_pyodide(script: str, quick: bool, timeout: int = 1800) -> dict:
    """The result of `script` (a path from the checkout's root) measured inside Pyodide."""
    args = ["node", str(ROOT / "bench" / "pyodide_script.mjs"), script, "--json",
            *(["--quick"] if quick else [])]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"Pyodide run failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(script: str, doc: str, quick_help: str, measure: Callable[[bool], dict],
         table: Callable[[dict], str], goals_met: Callable[[dict], bool]) -> int:
    """Parse the arguments, measure here (and in Pyodide), print; 0 if every goal was met."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--no-pyodide", action="store_true", help="CPython only")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args()
    result = measure(args.quick)
    if args.json:
        print(json.dumps(result))
        return 0
    print(table(result), flush=True)
    ok = goals_met(result)
    if not args.no_pyodide and sys.platform != "emscripten":
        pyo = run_in_pyodide(script, args.quick)
        print(table(pyo), flush=True)
        ok = ok and goals_met(pyo)
    return 0 if ok else 1
