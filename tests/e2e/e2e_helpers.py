"""Helpers for the browser tests: Debian's Chromium driven by Playwright against a real `quire serve`.

Every request to a host other than the app's origin is aborted and recorded; a test fails if
any was made. Each test gets a fresh browser profile (so a fresh IndexedDB) unless it asks for
a persistent one. The browser's settings (path, flags, viewport, timeouts, failure artifacts)
come from the top-level playwright.config.py (`CONFIG`).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from proxy.storage.seaweed import death_signal_hook
from static_server import free_port, isolated_app, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]


def browser_config() -> ModuleType:
    """The top-level playwright.config.py (a file name no `import` statement can spell)."""
    name = "quire_playwright_config"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "playwright.config.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


CONFIG = browser_config()
_traced: weakref.WeakSet[BrowserContext] = weakref.WeakSet()


def current_build() -> None:
    """Bring web/vendor/ up to date with the sources, as `make setup` does (scripts/vendor.py,
    about a second when nothing changed). Pages are served from web/ as it is now, but the engine
    they boot is the wheel built into web/vendor/ and the service worker installs only files that
    match the manifest's hashes: after pylib/ or web/ changed without a build (a merge, a pull),
    web/engine/engine.py would call an engine that lacks what it needs and the app fails to boot."""
    if not (ROOT / "node_modules" / "pyodide").exists():
        raise RuntimeError("node_modules is missing: run `make setup` first.")
    lock = ROOT / ".build" / "vendor.lock"  # test workers running side by side build it once
    lock.parent.mkdir(exist_ok=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor.py")], cwd=ROOT,
                              capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"scripts/vendor.py failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


@contextmanager
def pages_server(extra_routes: list | None = None) -> Iterator[str]:
    """web/ at /, tests/e2e/pages at /tests/ (and `extra_routes`), cross-origin isolated like
    the real server, on 127.0.0.1; yields its URL without a trailing slash, stops on exit."""
    app = isolated_app({"/tests": Path(__file__).parent / "pages", "/": ROOT / "web"}, extra_routes)
    with serve_in_thread(app, "test page server") as url:
        yield url


class PortTaken(RuntimeError):
    """The port picked for a server was taken before it could bind it."""


@dataclass
class QuireServer:
    """`quire serve` in a child process, on a free loopback port, stopped by PID."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)  # settings for this server (QUIRE_WEB_DIR, ...)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        """Start and wait until healthy. Another process on this machine may take the free port
        picked for a first start before the server binds it: then a new one is picked (a restart
        keeps its port, which the pages' origin is, and tries it again a moment later)."""
        for attempt in range(4):
            try:
                self._start_once()
                self.started = True
                return
            except PortTaken:
                if attempt == 3:
                    raise
                if getattr(self, "started", False):
                    time.sleep(1)
                else:
                    self.port = free_port()

    def _start_once(self) -> None:
        env = {**os.environ, "QUIRE_DATA_DIR": str(self.data_dir), "PORT": str(self.port),
               "PYTHONUNBUFFERED": "1", **self.env}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # A file, not a pipe: nobody reads a pipe while tests run, and a full one blocks the server.
        self.log_path = self.data_dir / "server.log"
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(Path(sys.executable).parent / "quire"), "serve", "--port", str(self.port),
                 "--data-dir", str(self.data_dir)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=death_signal_hook(),  # a test run killed outright takes its servers along
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = self.log_path.read_text()
                if "Address already in use" in log[-500:]:
                    raise PortTaken(log[-500:])
                raise RuntimeError("quire serve exited early:\n" + log)
            try:
                if httpx.get(self.url + "healthz", timeout=1).status_code == 200:
                    self._note_s3_endpoint()
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("quire serve did not become healthy in time")

    def _note_s3_endpoint(self) -> None:
        """The embedded S3's port (from `<data dir>/s3/ports.json`), which its pages may call."""
        ports = self.data_dir / "s3" / "ports.json"
        if ports.exists():
            S3_ENDPOINTS.add(f"127.0.0.1:{json.loads(ports.read_text())['s3']}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None




# The S3 endpoints of the Quire servers these tests started: the page talks to its server's
# configured S3 through presigned URLs (that is the product), and to nothing else.
S3_ENDPOINTS: set[str] = set()


class ForeignRequests:
    """Aborts and records every request that leaves the app's origin (or its server's S3)."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def install(self, context: BrowserContext, origin: str) -> None:
        allowed = urlsplit(origin).netloc

        def is_foreign(url: str) -> bool:
            parts = urlsplit(url)
            return (parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != allowed
                    and parts.netloc not in S3_ENDPOINTS)

        def abort(route) -> None:
            self.urls.append(route.request.url)
            route.abort()

        context.route(is_foreign, abort)




def new_context(browser: Browser, origin: str, guard: ForeignRequests, **overrides: object) -> BrowserContext:
    """A fresh profile on the app at `origin`, with the configured viewport, timeouts and guard."""
    ctx = browser.new_context(**CONFIG.context_options(origin, **overrides))
    ctx.set_default_navigation_timeout(CONFIG.NAVIGATION_TIMEOUT_MS)
    guard.install(ctx, origin)
    if CONFIG.TRACE != "off":
        ctx.tracing.start(screenshots=True, snapshots=True)
        _traced.add(ctx)
    return ctx


def save_failure_artifacts(test_id: str, contexts: list[BrowserContext]) -> Path:
    """Screenshots of every open page (and traces, when configured) in test-results/<test>/."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_id)
    if len(name) > 120:  # a parametrised id can be a whole file's bytes: keep it a valid name
        name = name[:100] + "_" + hashlib.sha256(test_id.encode()).hexdigest()[:16]
    out = CONFIG.RESULTS_DIR / name
    out.mkdir(parents=True, exist_ok=True)
    for i, ctx in enumerate(contexts):
        for j, page in enumerate(ctx.pages):
            try:
                page.screenshot(path=str(out / f"context{i}-page{j}.png"), timeout=10_000)
            except PlaywrightError as error:  # a crashed or closing page: keep what we have
                print(f"no screenshot of page {j}: {error}")
        if ctx in _traced:
            ctx.tracing.stop(path=str(out / f"context{i}-trace.zip"))
            _traced.discard(ctx)
    return out


def wait_ready(page: Page, timeout: int = CONFIG.BOOT_TIMEOUT_MS) -> None:
    """Wait until the engine reports the workspace open and editable."""
    page.wait_for_function(
        "['ready', 'failed'].includes(document.documentElement.dataset.engine)", timeout=timeout
    )
    state = page.evaluate("document.documentElement.dataset.engine")
    assert state == "ready", page.locator("[role=alert]").all_inner_texts()
    # The page is ready once it has also shown what the engine holds (a note shown from the
    # instant-open copy is reloaded first); the commands that need the workspace wait for that.
    page.wait_for_function("!globalThis.quire?.ui?.store || globalThis.quire.ui.store.state.ready", timeout=timeout)


def open_app(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: print("pageerror:", error))
    page.goto(url, wait_until="domcontentloaded")
    wait_ready(page)
    return page




def engine_call(page: Page, method: str, params: dict | None = None):
    """Call the engine the page uses, as the UI does (for setup and for checking results)."""
    return page.evaluate(
        "([method, params]) => globalThis.quire.engine.call(method, params)", [method, params or {}]
    )


# Bytes leave the page as base64: an array of numbers through evaluate() costs about 20 s a MB.
TO_BASE64 = """(data) => {
    let text = "";
    for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return btoa(text);
}"""


def page_bytes(page: Page, expression: str, arg: object = None) -> bytes:
    """The bytes (a Uint8Array) an async page expression of one argument resolves to."""
    b64 = page.evaluate(f"async (arg) => ({TO_BASE64})(await ({expression})(arg))", arg)
    return base64.b64decode(b64)


def export_bytes(page: Page) -> bytes:
    return page_bytes(page, """async () => (await globalThis.quire.engine.call("transfer.export", {})).data""")


def status_text(page: Page) -> str:
    return re.sub(r"\s+", " ", page.get_by_role("status").first.inner_text()).strip()


def printed_login_link(server: "QuireServer") -> str:
    """The one-time sign-in link `quire serve` printed in the server's log."""
    match = re.search(r"(http://\S+\?login=\S+)", server.log_path.read_text())
    assert match, server.log_path.read_text()
    return match.group(1)


def login_link(server: "QuireServer") -> tuple[str, str]:
    """A new one-time sign-in link for the server's owner, issued the way `quire serve` issues
    the printed one, and the owner's uid."""
    from proxy.auth.accounts import Accounts
    from proxy.auth.credentials import LINK, CredentialStore
    from proxy.auth.db import AuthDB
    from proxy.auth.service import AUTH_DB_NAME

    db = AuthDB(server.data_dir / AUTH_DB_NAME)
    try:
        uid = Accounts(db).ensure_owner().uid
        token, _ = CredentialStore(db).issue(LINK, uid, 600)
    finally:
        db.close()
    return f"{server.url}?login={token}", uid
