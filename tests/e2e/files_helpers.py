"""Large files and the workspace key in real Chromium: what the browser tests of encrypted files
share (a signed-in profile, setting up encryption through its dialogs, uploading through the
page's button, the server's S3 read and written directly, S3 requests held part way).

Test modules import these, never each other.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, expect

from e2e_helpers import TO_BASE64, ForeignRequests, QuireServer, engine_call, login_link, new_context, open_app

SHOTS = Path(__file__).resolve().parents[2] / ".build" / "screenshots"
PASS = "a long passphrase for e2e"
MARKER = b"QUIRE-E2E-PLAINTEXT"
MB = 1024 * 1024


def s3_client(server: QuireServer):
    """The embedded S3 with its own credentials (what the test may read and change directly)."""
    folder = server.data_dir / "s3"
    creds, ports = (json.loads((folder / name).read_text()) for name in ("credentials.json", "ports.json"))
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{ports['s3']}", region_name="us-east-1",
                        aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"])


def s3_objects(server: QuireServer, uid: str) -> dict[str, bytes]:
    """Every object under the user's folder, read with the embedded S3's own credentials."""
    client = s3_client(server)
    listing = client.list_objects_v2(Bucket="quire", Prefix=f"users/{uid}/").get("Contents", [])
    return {o["Key"].split("/", 2)[2]: client.get_object(Bucket="quire", Key=o["Key"])["Body"].read() for o in listing}


def put_s3_object(server: QuireServer, uid: str, key: str, body: bytes) -> None:
    """Write an object of the user's folder (`key` relative to it, as :func:`s3_objects` names them)."""
    s3_client(server).put_object(Bucket="quire", Key=f"users/{uid}/{key}", Body=body)


# Bytes cross between page and test as base64 or a hash: a 3 MB array through evaluate() takes minutes.
EXPORT_BASE64 = f"""async () => ({TO_BASE64})((await globalThis.quire.engine.call("transfer.export", {{}})).data)"""
IMPORT_BASE64 = """async (b64) => {
  const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  await globalThis.quire.engine.call("transfer.import", { data, mode: "replace" });
}"""
OPENED_SHA256 = """async (id) => {
  const { data } = await globalThis.quire.engine.call("files.open", { id });
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}"""


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"files-{name}.png"))


def signed_in(browser: Browser, server: QuireServer, guard: ForeignRequests) -> tuple[BrowserContext, Page, str]:
    ctx = new_context(browser, server.url, guard)
    link, uid = login_link(server)
    page = ctx.new_page()
    page.goto(link)
    page.wait_for_url(server.url)
    page.close()
    return ctx, open_app(ctx, server.url), uid


def file_state(page: Page, path: str, want: str, timeout: float = 90) -> None:
    """Poll the engine until the file at `path` is in state `want`."""
    deadline, rows = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        rows = engine_call(page, "files.list")
        if any(r["path"] == path and r["state"] == want for r in rows):
            return
        page.wait_for_timeout(300)
    raise AssertionError(f"{path} never became {want}: {rows}")


def upload(page: Page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload file").click()
    chooser.value.set_files(str(path))
    expect(page.locator("#doc-name")).to_have_text(path.name, timeout=60_000)


def set_up_encryption(page: Page) -> list[str]:
    page.evaluate("() => { globalThis.quire.openEncryption(); }")
    dialog = page.get_by_role("dialog", name="Set up encryption")
    expect(dialog).to_contain_text("nobody can read your files")
    dialog.get_by_label("Passphrase", exact=True).fill("short")
    expect(dialog).to_contain_text("Too short")
    dialog.get_by_label("Passphrase", exact=True).fill(PASS)
    dialog.get_by_label("Repeat the passphrase").fill(PASS)
    expect(dialog.locator(".key-meter-text")).not_to_contain_text("Too short")
    shoot(page, "setup")
    dialog.get_by_role("button", name="Set up encryption").click()
    words_dialog = page.get_by_role("dialog", name="Your recovery words")
    expect(words_dialog.get_by_role("listitem")).to_have_count(24, timeout=60_000)  # Argon2id, then S3
    done = words_dialog.get_by_role("button", name="Done")
    expect(done).to_be_disabled()
    shoot(page, "recovery-words")
    words = words_dialog.get_by_role("listitem").all_inner_texts()
    words_dialog.get_by_label("I have written down the recovery words").check()
    done.click()
    expect(words_dialog).to_have_count(0)
    return [w.strip() for w in words]


class Held:
    """Requests to the S3 objects of large files that match `hold` wait until `release()`: a
    transfer can be seen part way, whatever the machine's speed. The rest go on as usual."""

    def __init__(self, ctx: BrowserContext, hold: Callable[[Request], bool]) -> None:
        self.ctx, self.hold, self.routes, self.released = ctx, hold, [], False
        ctx.route(self._objects, self._route)

    @staticmethod
    def _objects(url: str) -> bool:
        return "/blobs/" in urlsplit(url).path

    def _route(self, route: Route) -> None:
        if not self.released and self.hold(route.request):
            self.routes.append(route)
        else:
            route.fallback()

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        for route in self.routes:
            route.fallback()
        self.routes.clear()
        self.ctx.unroute(self._objects, self._route)


def later_parts(request: Request) -> bool:
    """A multipart upload's parts after the first."""
    return request.method == "PUT" and parse_qs(urlsplit(request.url).query).get("partNumber", ["1"]) != ["1"]


class Throttled:
    """While inside, the page and its workers receive at most ``bytes_per_second`` (Chromium's
    own network emulation): a download takes long enough to be watched part way."""

    def __init__(self, ctx: BrowserContext, page: Page, bytes_per_second: int) -> None:
        self.cdp, self.rate = ctx.new_cdp_session(page), bytes_per_second

    def _conditions(self, rate: int) -> None:
        self.cdp.send("Network.emulateNetworkConditions",
                      {"offline": False, "latency": 0, "downloadThroughput": rate, "uploadThroughput": -1})

    def __enter__(self) -> Throttled:
        self.cdp.send("Network.enable")
        self._conditions(self.rate)
        return self

    def __exit__(self, *_: object) -> None:
        self._conditions(-1)
        self.cdp.detach()
