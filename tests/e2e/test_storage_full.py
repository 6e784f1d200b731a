"""A full disk in a real browser: Chromium's own quota check refuses the IndexedDB writes.

The origin's quota is lowered through the DevTools protocol (Storage.overrideQuotaForOrigin), so
the browser itself answers QuotaExceededError, as it does when the disk is full. The page must
say so clearly, keep everything saved before intact, and save the held change once there is
room again, without another keystroke.

The service worker is blocked in these profiles: its offline copy of the app (~17 MB in the
Cache API) shares the origin's quota and would fill it before the workspace is opened. A disk
that is full before the workspace first saves is a case of its own below.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e_helpers import ForeignRequests, QuireServer, export_bytes, new_context, wait_ready
from shared_page import expect_editor_text
from workspace_helpers import check_database, find_artifact, new_document, wait_saved_and_idle

FULL = "storage for this site is full"
# Room for an empty workspace (about 300 KB, stored twice while the page log is folded) and a
# small note, not for one more save of BIG.
QUOTA = 1536 * 1024
# ~1.8 MB of text that does not compress: one save of it is larger than the whole quota.
_NOISE = base64.b64encode(random.Random(7).randbytes(1_400_000)).decode()  # made once, not per line
BIG = "\n".join(_NOISE[i:i + 76] for i in range(0, 1_800_000, 76))
BEFORE = "saved before the disk filled up"


@pytest.fixture()
def context(browser: Browser, server: QuireServer, foreign_requests: ForeignRequests) -> Iterator[BrowserContext]:
    ctx = new_context(browser, server.url, foreign_requests, service_workers="block")
    yield ctx
    ctx.close()


def quota(context: BrowserContext, page: Page, server: QuireServer, size: int | None) -> None:
    """Set the origin's quota to `size` bytes, or give the default back (None). Chromium reads an
    override when the site opens its storage, so the first one is set before the app loads."""
    params: dict = {"origin": server.url.rstrip("/")}
    if size is not None:
        params["quotaSize"] = size
    context.new_cdp_session(page).send("Storage.overrideQuotaForOrigin", params)


def open_with_small_quota(context: BrowserContext, server: QuireServer) -> Page:
    page = context.new_page()
    page.goto(server.url + "healthz")
    quota(context, page, server, QUOTA)
    page.goto(server.url, wait_until="domcontentloaded")
    wait_ready(page)
    new_document(page, "full.md")
    page.get_by_label("Document text").type(BEFORE)
    wait_saved_and_idle(page)
    return page


def paste(page: Page, text: str) -> None:
    page.evaluate(
        """(text) => {
            quire.ui.editor.setText(text);  // one edit, as a paste is
        }""",
        text,
    )


def test_a_full_disk_loses_nothing_and_the_change_is_saved_once_there_is_room(
    context: BrowserContext, server: QuireServer, tmp_path: Path,
) -> None:
    app = open_with_small_quota(context, server)
    paste(app, BIG)
    expect(app.get_by_role("alert")).to_contain_text(FULL, timeout=15_000)
    expect(app.get_by_role("status")).to_contain_text("Not saved")

    # The tab goes away with the change unsaved (it was never reported saved; leaving asks
    # first). The page kept the text and hands it to the engine again at once, so the engine's
    # answers now wait for room; the stored workspace is checked whole at the end.
    app.on("dialog", lambda dialog: dialog.accept())
    app.reload()
    wait_ready(app)

    # The note opens again with the pasted text, kept by the page, and tries to save it; still
    # no room: one alert however often the page retries.
    expect(app.locator("#doc-name")).to_have_text("full.md")
    expect(app.get_by_role("status")).to_contain_text("Recovered text you typed before the page closed")
    expect_editor_text(app, BIG)
    expect(app.get_by_role("alert")).to_contain_text(FULL, timeout=15_000)
    app.wait_for_timeout(6_000)  # past one automatic retry
    expect(app.locator("#alerts .alert")).to_have_count(1)
    expect(app.get_by_role("status")).to_contain_text("Not saved")

    quota(context, app, server, None)
    # No keystroke: the page tries again by itself.
    expect(app.get_by_role("status")).to_contain_text("Saving works again", timeout=20_000)
    wait_saved_and_idle(app)
    expect(app.locator("#alerts")).to_be_hidden()

    app.reload()
    wait_ready(app)
    assert find_artifact(app, "/full.md")["text"] == BIG
    check_database(export_bytes(app), tmp_path)


def test_a_disk_full_before_the_first_save_still_opens_the_workspace(
    context: BrowserContext, server: QuireServer,
) -> None:
    page = context.new_page()
    page.goto(server.url + "healthz")
    quota(context, page, server, 16 * 1024)  # less than an empty workspace takes
    page.goto(server.url, wait_until="domcontentloaded")
    wait_ready(page)
    expect(page.get_by_role("alert")).to_contain_text(FULL, timeout=15_000)
    expect(page.get_by_role("status")).to_contain_text("Not saved")
    expect(page.get_by_role("button", name="New document")).to_be_enabled()

    quota(context, page, server, None)
    expect(page.get_by_role("status")).to_contain_text("Saving works again", timeout=20_000)
    new_document(page, "after.md")
    page.get_by_label("Document text").type(BEFORE)
    wait_saved_and_idle(page)
    page.reload()
    wait_ready(page)
    assert find_artifact(page, "/after.md")["text"] == BEFORE
