"""Run Quire's benchmarks and print their tables: `python -m bench [--quick] [--only NAME ...]`.

Browser benchmarks (bench/browser_*.py, and bench/search_fts.py, which also times CPython) run
here, sharing one bench server and one headless Chromium. Proxy benchmarks (bench/proxy_*.py)
and engine benchmarks (bench/versions_*.py and bench/links_*.py, in CPython and in Pyodide
under Node; bench/engine_*.py, CPython) run as scripts in their own processes, with `--quick`
passed through. A failing benchmark is reported and the others still run; the exit status
says whether all of them passed.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BROWSER = ("save", "boot", "queries", "search", "keys", "search_panel", "preview", "editor", "index_typing")  # bench/browser_<name>.py (search: search_fts.py)


def proxy_scripts() -> list[Path]:
    """Benchmarks that run as scripts: the engine's, then the proxy's."""
    return (sorted(BENCH.glob("versions_*.py")) + sorted(BENCH.glob("links_*.py"))
            + sorted(BENCH.glob("engine_*.py")) + sorted(BENCH.glob("proxy_*.py")))


def run_browser(names: list[str], quick: bool) -> list[str]:
    from bench import (browser_boot, browser_editor, browser_index_typing, browser_keys, browser_preview,
                       browser_queries, browser_save, browser_search_panel, search_fts)
    from bench.browser_harness import bench_server, check_vendored, chromium, print_tables

    modules = {"save": browser_save, "boot": browser_boot, "queries": browser_queries,
               "search": search_fts, "keys": browser_keys, "search_panel": browser_search_panel,
               "preview": browser_preview, "editor": browser_editor, "index_typing": browser_index_typing}
    check_vendored()
    failed = []
    with bench_server() as url, chromium() as cr:
        for name in names:
            print(f"## browser: {name}\n", flush=True)
            started = time.monotonic()
            try:
                print_tables(modules[name].run(cr, url, quick))
            except Exception:  # one broken benchmark must not hide the others' results
                traceback.print_exc()
                failed.append(name)
            print(f"({name}: {time.monotonic() - started:.0f} s)\n", flush=True)
    return failed


def run_proxy(script: Path, quick: bool) -> bool:
    print(f"## {'proxy' if script.stem.startswith('proxy_') else 'engine'}: {script.stem}\n",
          flush=True)
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(script), *(["--quick"] if quick else [])], cwd=ROOT)
    print(f"\n({script.stem}: {time.monotonic() - started:.0f} s, exit status {result.returncode})\n", flush=True)
    return result.returncode == 0


def main() -> int:
    names = [*BROWSER, *(p.stem for p in proxy_scripts())]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a few minutes in all)")
    parser.add_argument("--only", nargs="+", choices=names, metavar="NAME",
                        help=f"run only these: {', '.join(names)}")
    parser.add_argument("--no-proxy", action="store_true", help="skip the proxy benchmarks")
    args = parser.parse_args()
    chosen = args.only or [n for n in names if not (args.no_proxy and n.startswith("proxy_"))]

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# Quire benchmarks — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
          f"{os.cpu_count()} CPUs, load average {load}; `python -m bench{' --quick' if args.quick else ''}`\n",
          flush=True)
    started = time.monotonic()
    failed = run_browser([n for n in BROWSER if n in chosen], args.quick) if set(BROWSER) & set(chosen) else []
    for script in proxy_scripts():
        if script.stem in chosen and not run_proxy(script, args.quick):
            failed.append(script.stem)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# done in {time.monotonic() - started:.0f} s; load average {load}"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
