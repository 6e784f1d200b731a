"""Browser settings for Quire's browser tests (tests/e2e) and benchmarks (bench/), in one place.

Python Playwright has no config file of its own, so this module is it: tests/e2e/e2e_helpers.py
loads it (`browser_config()`) and bench/browser_harness.py uses the same loader. Nothing else
names the browser, its flags, the viewport or the timeouts.

- Chromium is Debian's (`/usr/bin/chromium`, `make chromium` installs it); never
  `playwright install`. The flags keep it quiet: no first-run, sync, component updates or
  background requests, so the only traffic is the app's own (the tests refuse any other).
- Base URL: every test starts its own server on a free 127.0.0.1 port; `context_options`
  takes that server's URL, so pages may `goto("/")`-style relative paths.
- On a failed test, a screenshot of each open page goes to test-results/<test>/; set
  QUIRE_TRACE=retain-on-failure to also keep a Playwright trace there (off by default: tracing
  every test costs CPU this 2-core machine does not have to spare).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
NARROW_VIEWPORT = {"width": 390, "height": 800}

# Booting Pyodide and the engine takes seconds here, more when six people share two cores.
BOOT_TIMEOUT_MS = 90_000
NAVIGATION_TIMEOUT_MS = 90_000
# The benchmarks time boots under load; they wait longer before calling one failed.
BENCH_TIMEOUT_MS = 120_000

RESULTS_DIR = ROOT / "test-results"
SCREENSHOT = "only-on-failure"
TRACE = os.environ.get("QUIRE_TRACE", "off")  # "off" | "retain-on-failure"


def launch_options(**overrides: object) -> dict:
    """Keyword arguments for `chromium.launch` (and `launch_persistent_context`)."""
    return {"executable_path": CHROMIUM, "args": list(LAUNCH_ARGS), "headless": True, **overrides}


def context_options(base_url: str | None = None, **overrides: object) -> dict:
    """Keyword arguments for `browser.new_context`: the viewport and the server under test."""
    options: dict = {"viewport": dict(VIEWPORT), "accept_downloads": True}
    if base_url:
        options["base_url"] = base_url
    return {**options, **overrides}
