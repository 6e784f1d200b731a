"""The workspace in a real browser: boot, edit, reload, offline, crash, two tabs, export, import."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from e2e_helpers import CONFIG, ForeignRequests, QuireServer, engine_call, export_bytes, new_context, open_app, wait_ready
from shared_page import expect_editor_text
from workspace_helpers import check_database, find_artifact, new_document, open_document, user_rows, wait_saved_and_idle

def test_boot_is_cross_origin_isolated_and_shows_the_workspace(app: Page) -> None:
    assert app.evaluate("self.crossOriginIsolated") is True
    expect(app.get_by_role("button", name="New document")).to_be_enabled()
    expect(app.get_by_role("button", name="Export workspace")).to_be_enabled()
    expect(app.get_by_role("status")).to_be_visible()
    info = engine_call(app, "workspace.info")
    assert info["schema_version"] == info["latest_version"] >= 1


def test_edit_survives_reload(app: Page) -> None:
    new_document(app, "ideas.md")
    app.get_by_label("Document text").type("# Ideas\n\nkeep <b>this</b> safe")
    wait_saved_and_idle(app)
    app.reload()
    wait_ready(app)
    open_document(app, "ideas.md")
    expect_editor_text(app, "# Ideas\n\nkeep <b>this</b> safe")
    # The preview escapes what the document contains: no <b> element from the text.
    preview = app.locator("#preview")
    expect(preview.locator("h1")).to_have_text("Ideas")
    assert preview.locator("b").count() == 0
    assert "<b>this</b>" in preview.inner_text()


def test_offline_reload_keeps_working(browser, own_server: QuireServer, foreign_requests: ForeignRequests) -> None:
    ctx = new_context(browser, own_server.url, foreign_requests)
    page = open_app(ctx, own_server.url)
    new_document(page, "offline.md")
    page.get_by_label("Document text").type("written online")
    wait_saved_and_idle(page)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null || location.reload()", timeout=60_000)
    own_server.stop()
    page.reload()
    wait_ready(page)
    open_document(page, "offline.md")
    editor = page.get_by_label("Document text")
    expect_editor_text(page, "written online")
    editor.press("End")
    editor.type(" and offline")
    wait_saved_and_idle(page)
    page.reload()
    wait_ready(page)
    assert find_artifact(page, "/offline.md")["text"] == "written online and offline"
    ctx.close()


def _chromium_pids(profile: Path) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if cmdline and b"chromium" in cmdline[0] and f"--user-data-dir={profile}".encode() in cmdline:
                pids.append(int(entry.name))
    return pids


def test_crash_mid_typing_keeps_every_saved_edit(
    playwright_instance: Playwright, server: QuireServer, foreign_requests: ForeignRequests, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"

    def launch() -> BrowserContext:
        ctx = playwright_instance.chromium.launch_persistent_context(str(profile), **CONFIG.launch_options())
        foreign_requests.install(ctx, server.url)
        return ctx

    ctx = launch()
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.goto(server.url)
    wait_ready(page)
    new_document(page, "crash.md")
    editor = page.get_by_label("Document text")
    saved_text = "line one of a long note\n" * 20
    editor.fill(saved_text)
    editor.type("typed by hand")
    saved_text += "typed by hand"
    wait_saved_and_idle(page)
    # Keep typing, then kill the browser without warning while keystrokes are in flight.
    editor.type(" and more being typed", delay=5)
    pids = _chromium_pids(profile)
    assert pids, "could not find the browser's processes"
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        ctx.close()
    except Exception:  # the browser is gone: closing reports it
        pass

    ctx = launch()
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.goto(server.url)
    wait_ready(page)
    text = find_artifact(page, "/crash.md")["text"]
    assert text.startswith(saved_text), "an edit the status had reported as saved was lost"
    assert (saved_text + " and more being typed").startswith(text)
    check_database(export_bytes(page), tmp_path)
    ctx.close()


def test_second_tab_does_not_fork_and_takes_over_cleanly(context: BrowserContext, server: QuireServer) -> None:
    first = open_app(context, server.url)
    new_document(first, "shared.md")
    first.get_by_label("Document text").type("from the first tab")
    second = context.new_page()
    second.goto(server.url, wait_until="domcontentloaded")
    expect(second.get_by_text("This workspace is open in another tab")).to_be_visible(timeout=60_000)
    assert second.evaluate("document.documentElement.dataset.engine") == "elsewhere"
    second.get_by_role("button", name="Use here").click()
    wait_ready(second)
    # The first tab handed over with its last keystrokes saved, and is now read-only.
    assert find_artifact(second, "/shared.md")["text"] == "from the first tab"
    first.wait_for_function("document.documentElement.dataset.engine === 'released'")
    expect(first.get_by_label("Document text")).not_to_be_editable()


def test_export_downloads_a_valid_sqlite_file(app: Page, tmp_path: Path) -> None:
    new_document(app, "exported.md")
    app.get_by_label("Document text").type("export me")
    wait_saved_and_idle(app)
    with app.expect_download() as info:
        app.get_by_role("button", name="Export workspace").click()
    download = info.value
    assert download.suggested_filename == f"workspace-{time.strftime('%Y-%m-%d')}.sqlite"
    conn = check_database(Path(download.path()).read_bytes(), tmp_path)
    rows = conn.execute("SELECT content FROM artifacts WHERE path = '/exported.md'").fetchall()
    assert rows and bytes(rows[0][0]) == b"export me"


def _import(page: Page, path: Path, mode: str) -> None:
    page.get_by_role("button", name="Import workspace").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[type=file]").set_input_files(str(path))
    dialog.get_by_role("button", name=mode).click()


@pytest.mark.parametrize("payload", [
    b"this is not a database at all",
    b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + b"\x00" * 80,
])
def test_bad_import_is_refused_and_changes_nothing(app: Page, tmp_path: Path, payload: bytes) -> None:
    new_document(app, "keep.md")
    app.get_by_label("Document text").type("precious")
    wait_saved_and_idle(app)
    before = user_rows(export_bytes(app))
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(payload)
    _import(app, bad, "Replace")
    alert = app.get_by_role("alert")
    expect(alert).to_contain_text("not changed", timeout=30_000)
    assert before["artifacts"] and user_rows(export_bytes(app)) == before


def test_import_replace_and_merge_of_a_file_made_on_the_desktop(app: Page, tmp_path: Path) -> None:
    from pylib import api

    made = tmp_path / "desktop.sqlite"
    api.open_workspace(str(made))
    api.dispatch("artifacts.create", {"path": "/from-desktop.md", "content": "made in CPython"})
    api.close_workspace()

    new_document(app, "local.md")
    app.get_by_label("Document text").type("local only")
    wait_saved_and_idle(app)

    _import(app, made, "Merge")
    expect(app.get_by_role("dialog")).to_contain_text("merged", timeout=30_000)
    app.get_by_role("button", name="Done").click()
    paths = {a["path"] for a in engine_call(app, "tree.list")["artifacts"]}
    assert {"/from-desktop.md", "/local.md"} <= paths

    _import(app, made, "Replace")
    dialog = app.get_by_role("dialog")
    expect(dialog).to_contain_text("replaced", timeout=30_000)
    expect(dialog.get_by_role("button", name="Download backup")).to_be_visible()
    expect(dialog.locator("#import-backup-note")).to_contain_text("kept in this browser")
    app.get_by_role("button", name="Done").click()  # closed without downloading the backup
    paths = {a["path"] for a in engine_call(app, "tree.list")["artifacts"]}
    assert paths == {"/from-desktop.md"}
    app.reload()
    wait_ready(app)
    assert {a["path"] for a in engine_call(app, "tree.list")["artifacts"]} == {"/from-desktop.md"}

    # The workspace as it was is kept in this browser: Storage restores it (and keeps the
    # replaced one in turn).
    app.get_by_role("button", name="Storage").click()
    backups = app.get_by_role("dialog").locator("#storage-backups .list-row")
    expect(backups).to_have_count(1)
    expect(backups.first).to_contain_text("before an import")
    backups.first.get_by_role("button", name="Restore", exact=False).click()
    app.get_by_role("dialog", name="Restore backup").get_by_role("button", name="Restore").click()
    expect(app.get_by_role("dialog")).to_contain_text("replaced", timeout=30_000)
    app.get_by_role("button", name="Done").click()
    assert {a["path"] for a in engine_call(app, "tree.list")["artifacts"]} == {"/from-desktop.md", "/local.md"}
    app.reload()
    wait_ready(app)
    assert {a["path"] for a in engine_call(app, "tree.list")["artifacts"]} == {"/from-desktop.md", "/local.md"}
    app.get_by_role("button", name="Storage").click()
    expect(app.get_by_role("dialog").locator("#storage-backups .list-row")).to_have_count(2)
    app.locator("#storage-backups").scroll_into_view_if_needed()
    shots = Path(__file__).resolve().parents[2] / "test-results"
    shots.mkdir(exist_ok=True)
    app.screenshot(path=str(shots / "storage-backups.png"))
