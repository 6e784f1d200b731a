"""Changing large files in real Chromium, against the shared real server (proxy + embedded
SeaweedFS), as a person does it: "Replace file…" on a small and a large file (from the file's
card and from its menu in the tree) keeps the new bytes, the large one saved on this device
first and then uploaded, and a file changed meanwhile is refused with a clear message and left
as it is; the storage view's "Keep up to … GB of files on this device" lowered drops the least
recently used file from the device at once while a file waiting to upload stays; and an object
altered or truncated in S3 is refused when opened, with a clear message and no download, the
device unchanged, the file opening again once the object is restored; an old version of a replaced
large file opens from History (downloaded from S3 and verified) and is restored, pointing the file at
its old object again, and offline with no copy on this device both are refused in the dialog.

The profile is this module's own (signed in, encryption set up once).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e_helpers import ForeignRequests, QuireServer, engine_call, wait_ready
from files_helpers import (MARKER, Held, file_state, put_s3_object, s3_objects, set_up_encryption, shoot,
                           signed_in, upload)

ON_DEVICE = "On this device and in the cloud (encrypted)"


@pytest.fixture(scope="module")
def device(browser: Browser, server: QuireServer) -> Iterator[tuple[BrowserContext, Page, str]]:
    guard = ForeignRequests()
    ctx, page, uid = signed_in(browser, server, guard)
    set_up_encryption(page)
    yield ctx, page, uid
    ctx.close()
    assert guard.urls == [], f"requests left the app's origin: {guard.urls}"


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def open_in_tree(page: Page, name: str) -> None:
    page.get_by_role("treeitem", name=name, exact=True).locator(".tree-row").first.click()
    expect(page.locator("#doc-name")).to_have_text(name)


def download_from_card(page: Page) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        page.locator("#binary").get_by_role("button", name="Download").click()
    return Path(info.value.path()).read_bytes()


def artifact_at(page: Page, path: str) -> dict:
    [found] = [a for a in engine_call(page, "tree.list")["artifacts"] if a["path"] == path]
    return engine_call(page, "artifacts.get", {"id": found["id"]})


def test_replace_file_keeps_the_new_bytes_and_a_file_changed_meanwhile_is_refused(device, tmp_path: Path) -> None:
    ctx, page, _ = device
    small_old, small_new = random.Random(1).randbytes(2_000), random.Random(2).randbytes(3_000)
    upload(page, write(tmp_path, "small.bin", small_old))
    with page.expect_file_chooser() as chooser:
        page.locator("#binary").get_by_role("button", name="Replace file…").click()
    chooser.value.set_files(str(write(tmp_path, "new-small.bin", small_new)))
    expect(page.get_by_text("Replaced small.bin with new-small.bin")).to_be_visible()
    expect(page.locator("#binary")).to_contain_text("2.93 KB")
    assert download_from_card(page) == small_new
    versions = engine_call(page, "versions.list", {"artifact_id": artifact_at(page, "/small.bin")["id"]})
    assert [(v["seq"], v["size_bytes"], v["has_content"]) for v in versions] == [(2, 3_000, True), (1, 2_000, True)]

    # A large file, from its menu in the tree: kept on this device, then uploaded.
    big_old = MARKER + random.Random(3).randbytes(1_300_000)
    big_new = MARKER + random.Random(4).randbytes(2_100_000)
    upload(page, write(tmp_path, "big.bin", big_old))
    file_state(page, "/big.bin", "on_device")
    held = Held(ctx, lambda request: request.method == "PUT")
    try:
        page.get_by_role("treeitem", name="big.bin", exact=True).locator(".tree-row").first.click(button="right")
        menu = page.get_by_role("menu", name="Actions for big.bin")
        with page.expect_file_chooser() as chooser:
            menu.get_by_role("menuitem", name="Replace file…").click()
        chooser.value.set_files(str(write(tmp_path, "new-big.bin", big_new)))
        expect(page.locator("#file-state")).to_have_text("Saved on this device — uploading", timeout=60_000)
        shoot(page, "replace-uploading")
    finally:
        held.release()
    expect(page.locator("#file-state")).to_have_text(ON_DEVICE, timeout=90_000)
    assert download_from_card(page) == big_new  # from this device
    engine_call(page, "files.free_space")  # so the next one comes from S3
    page.reload(wait_until="domcontentloaded")
    wait_ready(page)
    open_in_tree(page, "big.bin")
    expect(page.locator("#file-state")).to_contain_text("In the cloud only", timeout=30_000)
    assert hashlib.sha256(download_from_card(page)).hexdigest() == hashlib.sha256(big_new).hexdigest()

    # Changed meanwhile (another tab, another device): the page's hash is stale, nothing is replaced.
    open_in_tree(page, "small.bin")
    elsewhere = engine_call(page, "files.update", {"id": artifact_at(page, "/small.bin")["id"],
                                                   "content": "changed on another device"})
    count = len(engine_call(page, "versions.list", {"artifact_id": elsewhere["id"]}))
    with page.expect_file_chooser() as chooser:
        page.locator("#binary").get_by_role("button", name="Replace file…").click()
    chooser.value.set_files(str(write(tmp_path, "late.bin", random.Random(5).randbytes(4_000))))
    expect(page.locator("#alerts")).to_contain_text("small.bin changed since you opened it")
    expect(page.locator("#alerts")).to_contain_text("it was not replaced")
    shoot(page, "replace-conflict")
    after = artifact_at(page, "/small.bin")
    assert after["hash"] == elsewhere["hash"] and after["size_bytes"] == len("changed on another device")
    assert len(engine_call(page, "versions.list", {"artifact_id": elsewhere["id"]})) == count
    page.locator("#alerts").get_by_role("button", name="Dismiss").first.click()


def storage_row(page: Page, path: str):
    return page.get_by_role("dialog", name="Storage").locator("#storage-files .bar-row", has_text=path)


def test_lowering_the_cache_limit_drops_the_least_recently_used_file_but_not_one_waiting(device, tmp_path: Path) -> None:
    ctx, page, _ = device
    engine_call(page, "files.free_space")  # only this test's files count
    for name, seed in (("first.bin", 21), ("second.bin", 22)):
        upload(page, write(tmp_path, name, random.Random(seed).randbytes(1_300_000)))
        file_state(page, f"/{name}", "on_device")
    ctx.set_offline(True)
    try:
        upload(page, write(tmp_path, "waiting.bin", random.Random(23).randbytes(1_300_000)))
        file_state(page, "/waiting.bin", "waiting", timeout=30)
        page.get_by_role("button", name="Storage").click()
        view = page.get_by_role("dialog", name="Storage")
        limit = view.get_by_label("Keep up to")
        expect(limit).to_have_value("2")  # GB: the default
        expect(view).to_contain_text("GB of files on this device")
        limit.fill("-1")
        view.get_by_role("button", name="Apply").click()
        expect(view.get_by_role("alert")).to_have_text("Enter a number of GB from 0 to 1024, for example 2 or 0.5.")
        expect(limit).to_have_attribute("aria-invalid", "true")
        assert engine_call(page, "files.status")["cache_limit_bytes"] == 2 * 1024 ** 3  # nothing changed
        assert {r["path"]: r["state"] for r in engine_call(page, "files.list")}["/first.bin"] == "on_device"

        # 3 MB: the three files (3.9 MB) are over it; first.bin, used least recently, leaves the device.
        limit.fill("0.003")
        view.get_by_role("button", name="Apply").click()
        expect(storage_row(page, "/first.bin")).to_have_attribute("data-state", "cloud_only", timeout=30_000)
        expect(storage_row(page, "/first.bin")).to_contain_text("In the cloud only")
        expect(storage_row(page, "/second.bin")).to_have_attribute("data-state", "on_device")
        expect(storage_row(page, "/waiting.bin")).to_have_attribute("data-state", "waiting")
        expect(page.get_by_role("dialog", name="Storage").get_by_label("Keep up to")).to_have_value("0.003")
        shoot(page, "cache-limit")

        # 0: everything S3 holds goes; the file not uploaded yet still stays.
        page.get_by_role("dialog", name="Storage").get_by_label("Keep up to").fill("0")
        page.get_by_role("dialog", name="Storage").get_by_role("button", name="Apply").click()
        expect(storage_row(page, "/second.bin")).to_have_attribute("data-state", "cloud_only", timeout=30_000)
        expect(storage_row(page, "/waiting.bin")).to_have_attribute("data-state", "waiting")
        # Back to 2 GB before going online: under a limit of 0 the upload would leave the device too.
        # Closed at once, before the new limit is in: the view does not come back by itself.
        page.get_by_role("dialog", name="Storage").get_by_label("Keep up to").fill("2")
        page.get_by_role("dialog", name="Storage").get_by_role("button", name="Apply").click()
        page.keyboard.press("Escape")
    finally:
        ctx.set_offline(False)
    assert engine_call(page, "files.status")["cache_limit_bytes"] == 2 * 1024 ** 3
    page.wait_for_timeout(300)  # the view's own redraw after the change, had it been kept
    expect(page.get_by_role("dialog", name="Storage")).to_have_count(0)
    file_state(page, "/waiting.bin", "on_device")  # uploaded once back online, never lost


def test_an_object_altered_in_s3_is_refused_when_opened_and_the_device_is_unchanged(device, server: QuireServer,
                                                                                     tmp_path: Path) -> None:
    ctx, page, uid = device
    data = MARKER + random.Random(31).randbytes(1_600_000)
    before = set(s3_objects(server, uid))
    upload(page, write(tmp_path, "tampered.bin", data))
    file_state(page, "/tampered.bin", "on_device")
    [key] = [k for k in s3_objects(server, uid) if k.startswith("blobs/") and k not in before]
    page.get_by_role("button", name="Storage").click()
    page.get_by_role("dialog", name="Storage").get_by_role("button", name="Free space on this device").click()
    expect(storage_row(page, "/tampered.bin")).to_have_attribute("data-state", "cloud_only", timeout=30_000)
    page.keyboard.press("Escape")
    stored = s3_objects(server, uid)[key]
    downloads: list = []
    page.on("download", lambda download: downloads.append(download))

    flipped = bytearray(stored)
    flipped[len(stored) // 2] ^= 0x01
    # Each is told for what it is: an altered segment, a copy cut short (not "altered"), one of another file.
    other = MARKER + random.Random(32).randbytes(1_600_000)  # the same size: its segment fits this file's place
    upload(page, write(tmp_path, "other.bin", other))
    file_state(page, "/other.bin", "on_device")
    [other_key] = [k for k in s3_objects(server, uid) if k.startswith("blobs/") and k not in before and k != key]
    listed = engine_call(page, "files.list")
    cases = (
        (bytes(flipped), "Segment 1 of 1 was altered: it fails its check, so the stored copy was changed after it was"
                         " made; it was not opened."),
        (stored[: len(stored) - 1000], "The stored copy is incomplete (cut short): it has fewer bytes than the file's"
                                       " segments need; it was not opened."),
        (s3_objects(server, uid)[other_key], "Segment 1 of 1 belongs to another file: the stored copy was put together"
                                             " from another file's pieces; it was not opened."),
    )
    for number, (altered, why) in enumerate(cases):
        put_s3_object(server, uid, key, altered)
        open_in_tree(page, "tampered.bin")
        expect(page.locator("#file-state")).to_contain_text("In the cloud only", timeout=30_000)
        page.locator("#binary").get_by_role("button", name="Download").click()
        alert = page.locator("#alerts")
        expect(alert).to_contain_text("Download failed", timeout=60_000)
        expect(alert).to_contain_text(why)
        shoot(page, f"tampered-{number}")
        alert.get_by_role("button", name="Dismiss").first.click()
        assert engine_call(page, "files.list") == listed  # nothing kept, nothing dropped
    page.wait_for_timeout(1000)
    assert downloads == []  # no garbage was handed to the person
    expect(page.get_by_role("treeitem", name="tampered.bin", exact=True)).to_be_visible()

    put_s3_object(server, uid, key, stored)  # restored: the same file opens again, verified
    assert hashlib.sha256(download_from_card(page)).hexdigest() == hashlib.sha256(data).hexdigest()
    file_state(page, "/tampered.bin", "on_device", timeout=30)


def blob_keys(server: QuireServer, uid: str) -> set[str]:
    return {k for k in s3_objects(server, uid) if k.startswith("blobs/")}


def test_an_old_version_of_a_replaced_large_file_opens_from_history_and_is_restored(device, server: QuireServer,
                                                                                     tmp_path: Path) -> None:
    ctx, page, uid = device
    old = MARKER + random.Random(41).randbytes(1_700_000)
    new = MARKER + random.Random(42).randbytes(2_300_000)
    upload(page, write(tmp_path, "history.bin", old))
    file_state(page, "/history.bin", "on_device")
    with page.expect_file_chooser() as chooser:
        page.locator("#binary").get_by_role("button", name="Replace file…").click()
    chooser.value.set_files(str(write(tmp_path, "history-new.bin", new)))
    expect(page.get_by_text("Replaced history.bin with history-new.bin")).to_be_visible()
    expect(page.locator("#file-state")).to_have_text(ON_DEVICE, timeout=90_000)
    art = artifact_at(page, "/history.bin")
    assert art["hash"] == hashlib.sha256(new).hexdigest()
    objects = blob_keys(server, uid)
    engine_call(page, "files.free_space")  # the old version comes from S3, verified

    page.get_by_role("button", name="History", exact=True).click()
    dialog = page.get_by_role("dialog", name="History — history.bin")
    options = dialog.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")  # the older one is shown first
    expect(dialog.locator(".history-content")).to_contain_text("A large file of 1.62 MB")
    with page.expect_download(timeout=120_000) as info:
        dialog.get_by_role("button", name="Download this version").click()
    assert info.value.suggested_filename == "history (version 1).bin"
    assert hashlib.sha256(Path(info.value.path()).read_bytes()).hexdigest() == hashlib.sha256(old).hexdigest()
    shoot(page, "history-large-version")

    # Offline with no copy on this device: both refused with the reason, nothing changes.
    page.wait_for_timeout(500)  # the download is kept in the device cache after its answer
    engine_call(page, "files.free_space")
    ctx.set_offline(True)
    try:
        problem = dialog.get_by_role("alert")  # said in the dialog: the page's alerts are behind it
        dialog.get_by_role("button", name="Download this version").click()
        expect(problem).to_contain_text("Could not download the version", timeout=60_000)
        expect(problem).to_contain_text("the server cannot be reached")
        dialog.get_by_role("button", name="Restore version").click()
        expect(problem).to_contain_text("Could not restore the version", timeout=60_000)
        expect(problem).to_contain_text("the server cannot be reached; connect and try again. Nothing was changed.")
        shoot(page, "history-large-offline")
    finally:
        ctx.set_offline(False)
    assert artifact_at(page, "/history.bin")["hash"] == art["hash"]
    assert len(engine_call(page, "versions.list", {"artifact_id": art["id"]})) == 2

    dialog.get_by_role("button", name="Restore version").click()
    expect(dialog).to_be_hidden(timeout=60_000)
    expect(page.get_by_text("Restored the version from")).to_be_visible()
    restored = artifact_at(page, "/history.bin")
    assert restored["hash"] == hashlib.sha256(old).hexdigest() and restored["size_bytes"] == len(old)
    listed = engine_call(page, "versions.list", {"artifact_id": art["id"]})
    assert [(v["seq"], v["reason"]) for v in listed] == [(3, "restore"), (2, "update"), (1, "create")]
    expect(page.locator("#binary")).to_contain_text("1.62 MB")
    assert hashlib.sha256(download_from_card(page)).hexdigest() == hashlib.sha256(old).hexdigest()
    assert blob_keys(server, uid) == objects  # the file points at its old object: nothing uploaded again
