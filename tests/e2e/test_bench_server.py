"""The browser benchmarks' own server (bench/browser_harness.py) serves the engine build of the
sources as they are, with every file the engine boots from.

The app's pages are web/ as it is now, but the engine they boot is the wheel in web/vendor/:
with a wheel older than pylib/ (a merge without a build), `python -m bench --only editor` once
waited out its timeout on an engine that could not start. The harness now brings web/vendor/
up to date before serving, and a failed boot raises at once with the engine's message.
"""

from __future__ import annotations

import hashlib
import json
import sys
from urllib.parse import urljoin

import httpx
from e2e_helpers import ROOT

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from bench.browser_harness import bench_server, check_vendored  # noqa: E402
from precache import build_manifest  # noqa: E402
from vendor import pylib_version  # noqa: E402


def test_the_bench_server_serves_the_engine_built_from_these_sources() -> None:
    check_vendored()  # what every browser benchmark does first
    with bench_server() as url, httpx.Client(base_url=url, timeout=30) as http:
        engine = http.get("engine/engine.py")
        assert engine.content == (ROOT / "web" / "engine" / "engine.py").read_bytes()
        wasm = http.get("vendor/pyodide/pyodide.asm.wasm")
        assert wasm.headers["content-type"] == "application/wasm"
        assert wasm.headers["cross-origin-embedder-policy"] == "require-corp"
        lock_url = urljoin(url, "vendor/pyodide/pyodide-lock.json")
        packages = http.get(lock_url).json()["packages"]
        # The engine the page installs is the one built from pylib/ now, not an older build.
        assert packages["quire-pylib"]["version"] == pylib_version()
        for name, entry in packages.items():
            wheel = http.get(urljoin(lock_url, entry["file_name"]))
            assert wheel.status_code == 200, (name, entry["file_name"])
            assert hashlib.sha256(wheel.content).hexdigest() == entry["sha256"], name
        # The service worker installs only a build whose files match their hashes.
        manifest = json.loads(http.get("vendor/manifest.json").content)
        assert manifest["version"] == build_manifest(ROOT / "web")["version"]

