"""Sync between devices in real Chromium, through the real proxy and its embedded SeaweedFS.

Two browser contexts are two devices signed in as the same user on the shared server. Each must
boot its own engine (a context is a device: its own IndexedDB), so this module boots two and,
for the new-device test, a third. Keys are set up the way a person does it on the first two:
the indicator's "Set up encryption…" and "Unlock…" buttons open the encryption screens
(web/ui/keys.mjs), which are filled in and clicked through; the third device recovers with the
words through the engine's method. The indicator's states are screenshotted into
.build/screenshots/ to be looked at.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e_helpers import ForeignRequests, QuireServer, engine_call, new_context, page_bytes, wait_ready
from shared_page import expect_editor_text, open_in_tree

SHOTS = Path(__file__).resolve().parents[2] / ".build" / "screenshots"
PASSWORD = "sync-devices-password-1"
PASSPHRASE = "a long passphrase for sync tests"


@dataclass
class Device:
    context: BrowserContext
    page: Page
    guard: ForeignRequests
    errors: list[str] = field(default_factory=list)


@dataclass
class Devices:
    server: QuireServer
    browser: Browser
    name: str
    a: Device | None = None
    b: Device | None = None
    seen: dict = field(default_factory=dict)  # what the indicator said before the keys were set up
    words: list[str] = field(default_factory=list)
    opened: list[Device] = field(default_factory=list)

    def open(self) -> Device:
        """A new device: a fresh profile, signed in as the user, the app booted."""
        guard = ForeignRequests()
        context = new_context(self.browser, self.server.url, guard)
        answer = context.request.post(self.server.url + "api/auth/login",
                                      data={"name": self.name, "password": PASSWORD},
                                      headers={"origin": self.server.url.rstrip("/")})
        assert answer.ok, answer.text()
        page = context.new_page()
        device = Device(context, page, guard)
        page.on("pageerror", lambda error: device.errors.append(str(error)))
        page.goto(self.server.url, wait_until="domcontentloaded")
        wait_ready(page)
        self.opened.append(device)
        return device


def sync_state(page: Page) -> str:
    """The indicator's last status and whether a call is in flight (for failure messages)."""
    return page.evaluate("() => JSON.stringify({status: quire.sync.status, running: !!quire.sync.running})")


def expect_tree_item(page: Page, name: str, timeout: int = 60_000) -> None:
    try:
        expect(page.get_by_role("treeitem", name=name, exact=True)).to_be_visible(timeout=timeout)
    except AssertionError as error:
        raise AssertionError(f"{name} not shown; sync: {sync_state(page)}") from error


def sync_text(page: Page) -> str:
    return page.locator("#sync-text").inner_text()


def expect_sync(page: Page, pattern: str, timeout: int = 60_000) -> None:
    expect(page.locator("#sync-text")).to_have_text(re.compile(pattern), timeout=timeout)


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # A dialog fades in: shoot once every running animation has ended, as a person sees it.
    page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {})))")
    page.screenshot(path=str(SHOTS / f"sync-{name}.png"))


def s3_objects(page: Page, prefix: str) -> list[dict]:
    return page.evaluate("""async (prefix) => {
        const res = await fetch(`/api/s3/objects?prefix=${encodeURIComponent(prefix)}`);
        return (await res.json()).objects;
    }""", prefix)


def s3_bodies(page: Page, keys: list[str]) -> list[bytes]:
    """Each object's bytes, read from the page through presigned URLs (as the engine does)."""
    return [page_bytes(page, """async (key) => {
        const res = await fetch("/api/s3/presign", { method: "POST", headers: { "content-type": "application/json" },
            body: JSON.stringify({ op: "get", key }) });
        const signed = await res.json();
        const body = await fetch(signed.url, { headers: signed.headers });
        return new Uint8Array(await body.arrayBuffer());
    }""", key) for key in keys]


def set_up_from_the_indicator(page: Page) -> list[str]:
    """Click "Set up encryption…", choose the passphrase, confirm the words; returns them."""
    button = page.locator("#sync-now")
    expect(button).to_have_text("Set up encryption…")
    button.click()
    dialog = page.get_by_role("dialog", name="Set up encryption")
    dialog.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    dialog.get_by_label("Repeat the passphrase").fill(PASSPHRASE)
    dialog.get_by_role("button", name="Set up encryption").click()
    shown = page.get_by_role("dialog", name="Your recovery words")
    words = shown.get_by_role("list", name="Recovery words").locator("li")
    expect(words).to_have_count(24, timeout=60_000)  # Argon2id runs first
    done = shown.get_by_role("button", name="Done")
    expect(done).to_be_disabled()  # not before the person says the words are written down
    shoot(page, "recovery-words")
    shown.get_by_label("I have written down the recovery words").check()
    found = words.all_inner_texts()
    done.click()
    expect(shown).to_be_hidden()
    return found


def unlock_from_the_indicator(page: Page) -> None:
    button = page.locator("#sync-now")
    expect(button).to_have_text("Unlock…")
    button.click()
    dialog = page.get_by_role("dialog", name="Unlock encrypted files")
    dialog.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    dialog.get_by_role("button", name="Unlock").click()
    expect(dialog).to_be_hidden(timeout=60_000)


@pytest.fixture(scope="module")
def devices(browser: Browser, server: QuireServer) -> Iterator[Devices]:
    name = f"sync{uuid.uuid4().hex[:8]}"
    add = subprocess.run([str(Path(sys.executable).parent / "quire"), "user", "add", name,
                          "--data-dir", str(server.data_dir)], input=PASSWORD + "\n", text=True,
                         capture_output=True)
    assert add.returncode == 0, add.stderr
    found = Devices(server, browser, name)
    try:
        a = found.a = found.open()
        expect_sync(a.page, "Set up encryption to sync")
        shoot(a.page, "no-keys")
        engine_call(a.page, "artifacts.create", {"path": "/before-keys.md", "content": "written before any key"})
        # The save starts a round ("Syncing…"); what it ends with is what the person sees.
        expect_sync(a.page, "^Set up encryption to sync$")
        found.seen["a"] = sync_text(a.page)
        found.seen["objects before keys"] = s3_objects(a.page, "")
        found.words = set_up_from_the_indicator(a.page)
        expect_sync(a.page, r"^Synced · ")
        shoot(a.page, "synced")
        b = found.b = found.open()
        expect_sync(b.page, "Enter your passphrase to sync")
        found.seen["b"] = sync_text(b.page)
        shoot(b.page, "locked")
        unlock_from_the_indicator(b.page)
        expect_sync(b.page, r"^Synced · ")
        yield found
    finally:
        for device in found.opened:
            device.context.close()


@pytest.fixture()
def pair(devices: Devices) -> Iterator[Devices]:
    yield devices
    for device in (devices.a, devices.b):
        device.context.set_offline(False)
        assert device.guard.urls == [], f"requests left the app's origin: {device.guard.urls}"
        assert device.errors == [], f"errors in the page: {device.errors}"


def paths(page: Page) -> list[str]:
    return sorted(a["path"] for a in engine_call(page, "tree.list")["artifacts"])


def test_nothing_is_sent_before_the_workspace_has_a_key(pair: Devices):
    """The fixture set the key up from A's indicator through the encryption screens, and
    unlocked B from its indicator; each then said Synced."""
    assert pair.seen["a"] == "Set up encryption to sync"
    assert pair.seen["objects before keys"] == []
    assert pair.seen["b"] == "Enter your passphrase to sync"
    assert len(pair.words) == 24 and all(w.isalpha() for w in pair.words)
    # Once keys exist, what was written before them went too: the other device has it.
    expect_tree_item(pair.b.page, "before-keys.md")


def test_an_edit_on_one_device_shows_on_the_other_without_a_reload(pair: Devices):
    a, b = pair.a.page, pair.b.page
    note = engine_call(a, "artifacts.create", {"path": "/travels.md", "content": "first line\n"})
    expect_tree_item(b, "travels.md")
    open_in_tree(b, "travels.md")
    expect_editor_text(b, "first line\n")
    started = time.monotonic()
    engine_call(a, "artifacts.update", {"id": note["id"], "content": "first line\nsecond, from A\n"})
    expect_editor_text(b, "first line\nsecond, from A\n", timeout=30_000)
    print(f"edit to visible on the other device: {(time.monotonic() - started) * 1000:.0f} ms")


def test_both_offline_edit_one_note_and_nothing_is_lost(pair: Devices):
    a, b = pair.a, pair.b
    note = engine_call(a.page, "artifacts.create", {"path": "/apart.md", "content": "one\ntwo\nthree\nfour\n"})
    expect_tree_item(b.page, "apart.md")
    expect_sync(a.page, r"^Synced · ")
    a.context.set_offline(True)
    b.context.set_offline(True)
    engine_call(a.page, "artifacts.update", {"id": note["id"], "content": "ONE from A\ntwo\nthree\nfour\n"})
    engine_call(b.page, "artifacts.update", {"id": note["id"], "content": "one\ntwo\nthree\nFOUR from B\n"})
    expect_sync(a.page, r"^Offline — \d+ changes? waiting$")
    shoot(a.page, "offline")
    a.context.set_offline(False)
    b.context.set_offline(False)
    merged = "ONE from A\ntwo\nthree\nFOUR from B\n"  # a three-way merge: both edits
    for page in (a.page, b.page):
        expect_text(page, note["id"], merged)

    # The same line on both: one text is current, the other is a conflict version, announced.
    a.context.set_offline(True)
    b.context.set_offline(True)
    engine_call(a.page, "artifacts.update", {"id": note["id"], "content": merged.replace("two", "two (A)")})
    engine_call(b.page, "artifacts.update", {"id": note["id"], "content": merged.replace("two", "two (B)")})
    a.context.set_offline(False)
    expect_sync(a.page, r"^Synced · ")
    b.context.set_offline(False)
    notice = b.page.locator(".sync-conflict")
    expect(notice).to_contain_text("apart.md", timeout=60_000)
    shoot(b.page, "conflict")
    now = engine_call(b.page, "artifacts.get", {"id": note["id"]})
    current = now["text"]
    versions = engine_call(b.page, "versions.list", {"artifact_id": note["id"]})
    conflict = [v for v in versions if v["reason"] == "conflict"]
    assert conflict, versions
    # History is in the order the versions were saved, on either device, whatever order B
    # recorded them in; the engine marks the one that holds the current text.
    saved = [v["created_at"] for v in versions]
    assert saved == sorted(saved, reverse=True), versions
    [marked] = [v for v in versions if v["current"]]
    assert marked["hash"] == now["hash"] and marked["reason"] != "conflict"
    kept = {current, engine_call(b.page, "versions.get", {"version_id": conflict[0]["id"]})["text"]}
    assert kept == {merged.replace("two", "two (A)"), merged.replace("two", "two (B)")}
    notice.get_by_role("button", name="Open history").click()
    expect(b.page.get_by_role("dialog")).to_be_visible()
    # The conflict version is the newest, yet the current text is the one marked "current".
    badge = b.page.get_by_role("dialog").locator(".version-btn:has(.version-current)")
    expect(badge).to_have_count(1)
    assert badge.get_attribute("data-id") == marked["id"] != conflict[0]["id"]
    shoot(b.page, "conflict-history")
    b.page.keyboard.press("Escape")
    expect_text(a.page, note["id"], current)


def expect_text(page: Page, artifact_id: str, text: str, timeout: int = 60_000) -> None:
    """Wait until the engine of `page` holds `text` for the note (polled: sync is asynchronous)."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        got = engine_call(page, "artifacts.get", {"id": artifact_id})["text"]
        if got == text or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    assert got == text


def test_a_new_device_gets_the_whole_workspace_and_the_server_sees_ciphertext(pair: Devices):
    a = pair.a.page
    marker = f"plaintext-marker-{uuid.uuid4().hex[:8]}"
    engine_call(a, "artifacts.create", {"path": "/deep/inside/secret.md", "content": f"# {marker}\n"})
    expect_sync(a, r"^Synced · ")
    c = pair.open()
    expect_sync(c.page, "Enter your passphrase to sync")
    engine_call(c.page, "keys.recover", {"words": " ".join(pair.words)})
    expect_tree_item(c.page, "deep")
    expect_sync(c.page, r"^Synced · ")
    assert paths(c.page) == paths(a)
    keys = [o["key"] for o in s3_objects(a, "")]
    assert any(k.startswith("sync/") for k in keys) and any(k.startswith("keys/") for k in keys)
    assert not any(marker.encode() in body for body in s3_bodies(a, keys))
    # "Sync now" runs a round at once; once the session ends the indicator says so in words.
    before = c.page.evaluate("() => quire.sync.status.last_synced")
    c.page.get_by_role("button", name="Sync now").click()
    c.page.wait_for_function("(t) => quire.sync.status.last_synced > t", arg=before, timeout=60_000)
    c.page.evaluate("() => fetch('/api/auth/logout', { method: 'POST' })")
    expect_sync(c.page, "^Signed out: sign in to sync")
    shoot(c.page, "signed-out")
    assert paths(c.page) == paths(a)
    assert c.guard.urls == [] and c.errors == []
