"""Signing in and out in real Chromium against `quire serve`: the form, the one-time link, a server
feature used from the page, signing out, and what a page on another origin cannot do.

HTTP-client tests cannot catch what a browser adds (Origin, Sec-Fetch-Site, Referrer-Policy
effects): a form that passed every client test once failed here with `Origin: null`.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e_helpers import ForeignRequests, QuireServer, free_port, login_link, new_context, printed_login_link

PASSWORD = "correct horse battery staple"
SHOTS = Path(__file__).resolve().parents[2] / ".build" / "screenshots"


@pytest.fixture(scope="module")
def quire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QuireServer]:
    """A server of this module's own (its login link and sign-in limits are not shared)."""
    srv = QuireServer(tmp_path_factory.mktemp("signin-data"))
    srv.start()
    add = subprocess.run([str(Path(sys.executable).parent / "quire"), "user", "add", "alice",
                          "--data-dir", str(srv.data_dir)], input=PASSWORD + "\n", text=True, capture_output=True)
    assert add.returncode == 0, add.stderr
    yield srv
    srv.stop()


@pytest.fixture()
def context(browser: Browser, quire: QuireServer) -> Iterator[BrowserContext]:
    guard = ForeignRequests()
    ctx = new_context(browser, quire.url, guard)
    yield ctx
    ctx.close()
    assert guard.urls == [], f"requests left the app's origin: {guard.urls}"


class Console:
    """Every console error and failed same-origin request of a page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"signin-{name}.png"))


def page_fetch(page: Page, method: str, path: str, body: dict | None = None) -> dict:
    """A same-origin fetch from the page, as the app makes it (Chromium adds its own headers)."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const init = { method, credentials: "same-origin", headers: { accept: "application/json" } };
            if (body) { init.body = JSON.stringify(body); init.headers["content-type"] = "application/json"; }
            const res = await fetch(path, init);
            return { status: res.status, body: await res.json() };
        }""",
        [method, path, body],
    )


def store_and_read_back(page: Page, uid: str) -> None:
    """A server feature from the page: presign an upload and a download of the user's own object."""
    data = b"written through a presigned URL the page asked for"
    put = page_fetch(page, "POST", "/api/s3/presign",
                     {"op": "put", "key": "signin/hello.txt", "content_type": "text/plain", "size": len(data)})
    assert put["status"] == 200, put
    assert f"/users/{uid}/signin/hello.txt" in put["body"]["url"]
    assert httpx.put(put["body"]["url"], headers=put["body"]["headers"], content=data).status_code == 200
    got = page_fetch(page, "POST", "/api/s3/presign", {"op": "get", "key": "signin/hello.txt"})
    assert got["status"] == 200 and httpx.get(got["body"]["url"]).content == data


def test_sign_in_with_the_form_use_the_server_and_sign_out(context: BrowserContext, quire: QuireServer) -> None:
    page = context.new_page()
    console = Console(page)
    page.goto(quire.url + "signin")
    expect(page.get_by_text("works offline without signing in")).to_be_visible()
    shoot(page, "form")
    page.get_by_label("Name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(quire.url)
    expect(page.locator("#account-name")).to_contain_text("alice")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    shoot(page, "signed-in")
    me = page_fetch(page, "GET", "/api/auth/me")
    assert me["status"] == 200 and me["body"]["name"] == "alice" and me["body"]["signed_in"] is True
    store_and_read_back(page, me["body"]["uid"])

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#account-name")).to_be_hidden()
    assert page_fetch(page, "GET", "/api/auth/me")["body"]["signed_in"] is False
    shoot(page, "signed-out")
    assert console.errors == []
    assert page_fetch(page, "POST", "/api/s3/presign", {"op": "get", "key": "signin/hello.txt"})["status"] == 401


def test_the_printed_login_link_signs_in_once_and_the_signout_page_signs_out(browser: Browser,
                                                                              context: BrowserContext,
                                                                              quire: QuireServer) -> None:
    link = printed_login_link(quire)
    page = context.new_page()
    console = Console(page)
    page.goto(link)
    page.wait_for_url(quire.url)  # the link is spent and out of the address bar
    expect(page.locator("#account-name")).to_contain_text("owner")
    me = page_fetch(page, "GET", "/api/auth/me")
    store_and_read_back(page, me["body"]["uid"])

    # The sign-out page's form: a real form POST, so this is where Origin: null used to bite.
    page.goto(quire.url + "signout")
    expect(page.get_by_role("heading", name="Signed in as owner")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    # (The pages' CSP allows no fetch: ask with the context's cookies instead.)
    assert context.request.get(quire.url + "api/auth/me").json()["signed_in"] is False
    assert console.errors == []

    again = browser.new_context()
    try:
        replay = again.new_page()
        replay.goto(link)
        expect(replay.get_by_text("This sign-in link can no longer be used")).to_be_visible()
        expect(replay.get_by_label("Password")).to_be_visible()  # and the way forward
        shoot(replay, "link-spent")
    finally:
        again.close()


def test_a_login_link_signs_in_a_returning_visitor(context: BrowserContext, quire: QuireServer) -> None:
    """Once the service worker serves the page, a login link must still reach the server."""
    page = context.new_page()
    page.goto(quire.url)
    expect(page.locator("#sign-in")).to_be_visible()
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller"), "the page is not served by the worker"
    page.goto(login_link(quire)[0])
    page.wait_for_url(quire.url)
    expect(page.locator("#account-name")).to_contain_text("owner")
    assert page_fetch(page, "GET", "/api/auth/me")["body"]["signed_in"] is True
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#sign-in")).to_be_visible()


def test_a_signed_out_page_load_logs_no_error(context: BrowserContext, quire: QuireServer) -> None:
    page = context.new_page()
    console = Console(page)
    page.goto(quire.url)
    expect(page.locator("#sign-in")).to_be_visible()
    assert "your devices sync" in page.locator("#sign-in").get_attribute("title")
    page.wait_for_timeout(500)
    assert console.errors == []


class _ForeignPage(BaseHTTPRequestHandler):
    """Serves a page that posts a sign-in form and a fetch to the Quire server it is told."""

    target = ""

    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        body = f"""<!doctype html><form id="f" method="post" action="{self.target}signin">
            <input name="name" value="alice"><input name="password" value="{PASSWORD}"></form>
            <script>document.getElementById("f").submit();</script>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_a_page_on_another_port_of_this_host_cannot_sign_anyone_in(browser: Browser, quire: QuireServer) -> None:
    # 127.0.0.1 on another port is the same *site* as the app (the embedded S3 lives there too).
    handler = type("Handler", (_ForeignPage,), {"target": quire.url})
    other = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
        page.wait_for_url(quire.url + "signin")
        expect(page.get_by_text("was not sent from Quire")).to_be_visible()
        assert not [c for c in ctx.cookies() if c["name"].endswith("quire_session")]
        shoot(page, "cross-site-refused")
    finally:
        ctx.close()
        other.shutdown()
