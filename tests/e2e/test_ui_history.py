"""History with a diff and activity for people, in the real page: versions grouped by day with
real times, each save's changes and what restoring would change, restore in one click; the
activity log in sentences, grouped by day, filtered to one document, without internal codes.
One booted page serves the module (see shared_page.py)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from shared_page import create_document, editor, expect_editor_text, saved, shown, unique

SHOTS = Path(__file__).resolve().parents[2] / ".build" / "screenshots"
CLOCK = re.compile(r"^\d\d:\d\d")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_history_shows_each_saves_changes_by_day_and_restores_in_one_click(page: Page) -> None:
    name = unique("diary") + ".md"
    create_document(page, name)
    editor(page).fill("# Diary\n\nMonday: rain.\nTuesday: sun.")
    saved(page)
    editor(page).fill("# Diary\n\nMonday: rain.\nTuesday: snow.\nWednesday: wind.")
    saved(page)
    page.get_by_role("button", name="History").click()
    dialog = page.get_by_role("dialog")
    day = dialog.get_by_role("group", name="Today")
    expect(day.get_by_role("heading", name="Today")).to_be_visible()
    options = day.get_by_role("option")
    expect(options).to_have_count(3)
    for title in options.locator(".list-title").all_inner_texts():
        assert CLOCK.match(title), title  # "14:03", not "just now"
    expect(dialog.locator(".history-bar")).to_contain_text(re.compile(r"Saved Today \d\d:\d\d"))
    # The version before the current one: what its save changed (everything, from empty).
    expect(dialog.locator(".diff-summary")).to_have_text("This save changed +4 −0 lines")
    dialog.get_by_role("button", name="Against current").click()
    expect(dialog.locator(".diff-summary")).to_have_text("Restoring it would change +1 −2 lines")
    expect(dialog.locator(".diff-added .diff-text")).to_have_text(["Tuesday: sun."])
    expect(dialog.locator(".diff-removed .diff-text")).to_have_text(["Tuesday: snow.", "Wednesday: wind."])
    _shot(page, "history-diff")
    options.first.click()  # the current version: its own save's changes
    expect(dialog.locator(".diff-summary")).to_have_text("This save changed +2 −1 lines")
    expect(dialog.get_by_role("button", name="Against current")).to_be_disabled()
    options.nth(1).click()
    dialog.get_by_role("button", name="Restore version").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect_editor_text(page, "# Diary\n\nMonday: rain.\nTuesday: sun.")


def test_activity_reads_as_sentences_by_day_and_filters_by_document(page: Page) -> None:
    plan, roadmap, other = unique("Plan"), unique("Roadmap"), unique("other")
    create_document(page, f"{plan}.md")
    editor(page).fill("Draft")
    saved(page)
    page.locator("#doc-rename").click()
    page.get_by_role("dialog").get_by_label("New name").fill(f"{roadmap}.md")
    page.get_by_role("dialog").get_by_role("button", name="Save name").click()
    shown(page, f"{roadmap}.md")
    create_document(page, f"{other}.md")
    page.get_by_role("treeitem", name=f"{roadmap}.md").locator(".tree-row").click()
    shown(page, f"{roadmap}.md")
    page.get_by_role("button", name="Activity").click()
    dialog = page.get_by_role("dialog", name="Activity")
    today = dialog.get_by_role("list", name="Today")
    expect(today.locator(".list-title").first).to_have_text(f"Created {other}.md")
    titles = today.locator(".list-title").all_inner_texts()
    assert f"Renamed {plan}.md to {roadmap}.md" in titles
    assert f"Edited {plan}.md" in titles
    assert not [t for t in titles if re.search(r"\b[A-Z]+_[A-Z]+\b", t)], titles
    assert all(CLOCK.match(t) for t in today.locator(".act-time").all_inner_texts())
    dialog.get_by_label("Show").select_option(label=f"Only {roadmap}.md")
    expect(today.locator(".list-title")).to_have_text(
        [f"Renamed {plan}.md to {roadmap}.md", f"Edited {plan}.md", f"Created {plan}.md"])
    _shot(page, "activity-one-document")
    dialog.get_by_label("Show").select_option(label="All documents")
    expect(today.locator(".list-title").first).to_have_text(f"Created {other}.md")
