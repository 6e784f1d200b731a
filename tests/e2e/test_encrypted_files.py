"""Large files and the workspace key in real Chromium, against the shared real server (proxy +
embedded SeaweedFS): set up encryption and see the recovery words once, upload a 3 MB file
(S3 holds only ciphertext, under a keyed name), a second device (a new browser profile, the
same user) refuses a wrong passphrase, unlocks with the recovery words and opens the file;
a file added offline uploads once the browser is back online; a file added while the key is
locked stays on the device (not in the SQLite file), survives a reload and uploads once
unlocked; a 40 MB file is kept outside the
SQLite file (which does not grow by its size) and goes up as a multipart upload with its progress in the storage view, and comes back (after a reload, from S3,
with its progress in the status bar) as the same bytes; a file added while the server is stopped
uploads once it is back.

The profiles are this module's own (they must be signed in, and the shared page is not); they
reuse the session's server and browser, except the test that stops its server.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e_helpers import ForeignRequests, QuireServer, engine_call, wait_ready
from files_helpers import (EXPORT_BASE64, IMPORT_BASE64, MARKER, MB, OPENED_SHA256, PASS, Held, file_state,
                           Throttled, later_parts, s3_objects, set_up_encryption, shoot, signed_in, upload)

PROGRESS = re.compile(r"Downloading forty\.bin — [1-9][\d.]* MB of 40\.0 MB")


@pytest.fixture(scope="module")
def device_a(browser: Browser, server: QuireServer) -> Iterator[tuple[BrowserContext, Page, str]]:
    guard = ForeignRequests()
    ctx, page, uid = signed_in(browser, server, guard)
    words = set_up_encryption(page)  # the screens are checked as they are used
    yield ctx, page, uid, words
    ctx.close()
    assert guard.urls == [], f"requests left the app's origin: {guard.urls}"


def test_a_large_file_uploads_encrypted_and_a_new_device_opens_it(browser: Browser, server: QuireServer, device_a,
                                                                   tmp_path: Path, foreign_requests) -> None:
    ctx, page, uid, words = device_a
    assert len(words) == 24 and engine_call(page, "keys.status")["unlocked"] is True
    data = MARKER + random.Random(9).randbytes(3 * 1024 * 1024)
    big = tmp_path / "report-secret-name.bin"
    big.write_bytes(data)
    upload(page, big)
    file_state(page, "/report-secret-name.bin", "on_device")
    shoot(page, "uploaded")
    objects = s3_objects(server, uid)
    blobs = [k for k in objects if k.startswith("blobs/")]
    assert len(blobs) == 1 and len(blobs[0]) == len("blobs/") + 64
    assert all(MARKER not in body and b"report-secret-name" not in body for body in objects.values())
    assert len(objects[blobs[0]]) > len(data)  # sealed segments: ciphertext and tags

    # A second device: a new profile, the same user, the workspace file (pointers only) imported.
    exported = page.evaluate(EXPORT_BASE64)
    ctx_b, page_b, _ = signed_in(browser, server, foreign_requests)
    try:
        page_b.evaluate(IMPORT_BASE64, exported)
        page_b.evaluate("() => { globalThis.quire.openEncryption(); }")
        dialog = page_b.get_by_role("dialog", name="Unlock encrypted files")
        dialog.get_by_label("Passphrase").fill("not the right passphrase")
        dialog.get_by_role("button", name="Unlock").click()
        expect(dialog.get_by_role("alert")).to_contain_text("does not unlock", timeout=60_000)
        shoot(page_b, "wrong-passphrase")
        assert engine_call(page_b, "keys.status")["unlocked"] is False
        dialog.get_by_role("button", name="Use the recovery words instead").click()
        dialog.get_by_label("Recovery words").fill(" ".join(words))
        dialog.get_by_role("button", name="Unlock").click()
        expect(dialog).to_have_count(0, timeout=60_000)
        assert engine_call(page_b, "keys.status")["unlocked"] is True
        [row] = engine_call(page_b, "files.list")
        assert row["state"] == "cloud_only"
        assert page_b.evaluate(OPENED_SHA256, row["id"]) == hashlib.sha256(data).hexdigest()
        file_state(page_b, "/report-secret-name.bin", "on_device")  # kept in this device's cache now
    finally:
        ctx_b.close()


def test_a_file_added_offline_uploads_once_back_online(device_a, tmp_path: Path) -> None:
    ctx, page, _, _ = device_a
    offline = tmp_path / "offline.bin"
    offline.write_bytes(random.Random(5).randbytes(1_500_000))
    ctx.set_offline(True)
    try:
        upload(page, offline)
        file_state(page, "/offline.bin", "waiting", timeout=30)
        expect(page.locator("#files-state")).to_contain_text("waiting to upload")
        shoot(page, "offline-waiting")
    finally:
        ctx.set_offline(False)
    file_state(page, "/offline.bin", "on_device")
    expect(page.locator("#files-state")).to_be_hidden()


def test_a_file_added_while_locked_waits_on_the_device_and_uploads_once_unlocked(device_a, tmp_path: Path) -> None:
    ctx, page, _, _ = device_a
    engine_call(page, "keys.lock")
    data = MARKER + random.Random(6).randbytes(1_500_000)
    locked = tmp_path / "while-locked.bin"
    locked.write_bytes(data)
    try:
        before = engine_call(page, "storage.stats")
        upload(page, locked)
        file_state(page, "/while-locked.bin", "waiting", timeout=30)
        after = engine_call(page, "storage.stats")
        # Kept in the device store, not inside the SQLite file, though the key cannot name it yet.
        assert after["pending_uploads"]["count"] == before["pending_uploads"]["count"]
        assert after["size_bytes"] - before["size_bytes"] < 512 * 1024
        expect(page.locator("#files-state")).to_contain_text("waiting to upload: set up or unlock encryption")
        shoot(page, "locked-waiting")
        page.reload(wait_until="domcontentloaded")  # nothing is lost, and it reads back with no key
        wait_ready(page)
        file_state(page, "/while-locked.bin", "waiting", timeout=30)
        [row] = [r for r in engine_call(page, "files.list") if r["path"] == "/while-locked.bin"]
        assert page.evaluate(OPENED_SHA256, row["id"]) == hashlib.sha256(data).hexdigest()
        page.evaluate("() => { globalThis.quire.openEncryption(); }")
        dialog = page.get_by_role("dialog", name="Unlock encrypted files")
        dialog.get_by_label("Passphrase").fill(PASS)
        dialog.get_by_role("button", name="Unlock").click()
        expect(dialog).to_have_count(0, timeout=60_000)
    finally:
        if not engine_call(page, "keys.status")["unlocked"]:
            engine_call(page, "keys.unlock", {"passphrase": PASS})  # the tests after this one need the key
    file_state(page, "/while-locked.bin", "on_device")  # named, encrypted, uploaded
    expect(page.locator("#files-state")).to_be_hidden()


def test_storage_view_frees_space_and_export_with_files_round_trips(device_a, tmp_path: Path) -> None:
    ctx, page, _, _ = device_a
    kept = tmp_path / "kept.bin"
    kept.write_bytes(random.Random(6).randbytes(1_200_000))
    upload(page, kept)
    file_state(page, "/kept.bin", "on_device")
    expect(page.locator("#file-state")).to_have_text("On this device and in the cloud (encrypted)", timeout=30_000)
    page.get_by_role("button", name="Storage").click()
    view = page.get_by_role("dialog", name="Storage")
    expect(view.locator("#storage-files-totals [data-state=on_device]")).not_to_contain_text("0 ·")
    shoot(page, "storage")
    view.get_by_role("button", name="Free space on this device").click()
    expect(page.get_by_role("dialog", name="Storage").locator("#storage-files-totals [data-state=on_device]")).to_contain_text(
        "0 ·", timeout=30_000)
    shoot(page, "storage-freed")
    page.keyboard.press("Escape")
    assert {r["state"] for r in engine_call(page, "files.list")} == {"cloud_only"}

    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Export with files").click()
    bundle = Path(info.value.path()).read_bytes()
    import zipfile, io  # noqa: E401
    names = zipfile.ZipFile(io.BytesIO(bundle)).namelist()
    assert "workspace.sqlite" in names and hashlib.sha256(kept.read_bytes()).hexdigest() in {n.split("/")[-1] for n in names}

    before = engine_call(page, "files.list")
    bad = tmp_path / "broken.zip"
    bad.write_bytes(bundle[: len(bundle) // 2])  # a truncated archive
    page.get_by_role("button", name="Import workspace").click()
    dialog = page.get_by_role("dialog", name="Import workspace")
    dialog.get_by_label("Workspace file").set_input_files(str(bad))
    dialog.get_by_role("button", name="Replace").click()
    expect(page.get_by_role("alert").first).to_contain_text("not changed", timeout=60_000)
    shoot(page, "bad-bundle")
    assert engine_call(page, "files.list") == before


def test_a_40_mb_file_goes_up_in_parts_and_comes_back_the_same_after_a_reload(device_a, tmp_path: Path) -> None:
    ctx, page, _, _ = device_a
    data = MARKER + random.Random(40).randbytes(40 * MB - len(MARKER))
    big = tmp_path / "forty.bin"
    big.write_bytes(data)
    held = Held(ctx, later_parts)
    try:
        before = engine_call(page, "storage.stats")["size_bytes"]
        upload(page, big)
        # The bytes went to the device store, not into the workspace's SQLite file (a pointer).
        grown = engine_call(page, "storage.stats")["size_bytes"] - before
        assert grown < MB, f"the SQLite file grew by {grown} bytes"
        page.get_by_role("button", name="Storage").click()
        view = page.get_by_role("dialog", name="Storage")
        row = view.locator("#storage-files .bar-row[data-state=uploading]", has_text="/forty.bin")
        # Part 1 (16 MiB) is in S3, parts 2 and 3 are held: the person sees how far it is.
        expect(row).to_contain_text(re.compile(r"Uploading [1-9][\d.]* MB of 40\.0 MB"), timeout=120_000)
        expect(row.get_by_role("progressbar")).to_be_visible()
        expect(view.locator("#storage-files-progress")).to_contain_text(re.compile(r"[1-9][\d.]* MB of 4\d\.\d MB in all"))
        row.scroll_into_view_if_needed()
        shoot(page, "storage-uploading")
    finally:
        held.release()
    expect(view.locator("#storage-files .bar-row[data-state=on_device]", has_text="/forty.bin")).to_be_visible(
        timeout=120_000)
    page.keyboard.press("Escape")

    engine_call(page, "files.free_space")  # so the download below comes from S3
    file_state(page, "/forty.bin", "cloud_only", timeout=30)
    page.reload(wait_until="domcontentloaded")
    wait_ready(page)
    page.get_by_role("treeitem", name="forty.bin", exact=True).locator(".tree-row").first.click()
    expect(page.locator("#doc-name")).to_have_text("forty.bin")
    expect(page.locator("#file-state")).to_contain_text("In the cloud only", timeout=30_000)
    # The browser reads the object as one streamed GET (no later ranges to hold), so the
    # download is slowed to a pace a person can follow, and every text the status bar's task
    # area takes is recorded: a progress line shown for less than the test's polling interval
    # still counts as shown.
    page.evaluate("""() => {
      const task = document.querySelector('#task');
      window.taskTexts = [];
      new MutationObserver(() => window.taskTexts.push(task.hidden ? '' : document.querySelector('#task-label').textContent))
        .observe(task, {subtree: true, childList: true, characterData: true, attributes: true});
    }""")
    with Throttled(ctx, page, bytes_per_second=16 * MB):
        started = time.monotonic()
        with page.expect_download(timeout=180_000) as info:
            page.locator("#binary").get_by_role("button", name="Download").click()
            page.wait_for_function("(source) => window.taskTexts.some((t) => new RegExp(source).test(t))",
                                   arg=PROGRESS.pattern, timeout=120_000)
            shoot(page, "downloading")
        took = time.monotonic() - started
    shown = [t for t in page.evaluate("window.taskTexts") if PROGRESS.search(t)]
    assert len(set(shown)) >= 2, f"the progress did not move in {took:.1f} s: {shown}"
    assert hashlib.sha256(Path(info.value.path()).read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    expect(page.locator("#task")).to_be_hidden(timeout=30_000)


def test_a_file_added_while_the_server_is_stopped_uploads_once_it_is_back(browser: Browser, own_server: QuireServer,
                                                                          foreign_requests, tmp_path: Path) -> None:
    # Its own server (and so its own profile and boot): it stops the server, which the
    # session's shared one, used by every other test, must never be.
    ctx, page, uid = signed_in(browser, own_server, foreign_requests)
    try:
        set_up_encryption(page)
        own_server.stop()
        added = tmp_path / "while-down.bin"
        added.write_bytes(MARKER + random.Random(11).randbytes(1_300_000))
        upload(page, added)
        file_state(page, "/while-down.bin", "waiting", timeout=30)
        expect(page.locator("#files-state")).to_contain_text("waiting to upload (cannot reach the server)",
                                                             timeout=90_000)
        shoot(page, "server-stopped")
        own_server.start()  # the same port and data: the page finds it back by itself
        file_state(page, "/while-down.bin", "on_device", timeout=120)
        expect(page.locator("#files-state")).to_be_hidden()
        blobs = {k: v for k, v in s3_objects(own_server, uid).items() if k.startswith("blobs/")}
        assert len(blobs) == 1 and all(MARKER not in body for body in blobs.values())
    finally:
        ctx.close()
