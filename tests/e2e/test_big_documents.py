"""A big Markdown note in the real page: still an editable note after reloads, with history."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e_helpers import engine_call, wait_ready
from shared_page import editor, open_in_tree, saved, unique

LINE = "- a line of a long note, with **bold** words and a [link](other.md)\n"


def _reload(page: Page) -> None:
    page.reload(wait_until="domcontentloaded")
    wait_ready(page)


def test_a_2_mb_note_stays_editable_across_reloads_and_keeps_its_history(app: Page) -> None:
    name = unique("big") + ".md"
    text = "# Big\n\n" + LINE * (2_100_000 // len(LINE))
    created = engine_call(app, "artifacts.create", {"path": f"/{name}", "content": text})
    engine_call(app, "artifacts.update", {"id": created["id"], "content": text + "one more\n"})
    _reload(app)
    open_in_tree(app, name)
    expect(editor(app)).to_be_editable()
    expect(app.locator("#binary")).to_be_hidden()
    assert app.evaluate("quire.ui.editor.text().length") == len(text) + 9
    editor(app).press("Control+End")
    app.keyboard.insert_text("typed in the page")  # one input event, as a paste is
    saved(app)
    _reload(app)
    open_in_tree(app, name)
    expect(editor(app)).to_be_editable()
    got = engine_call(app, "artifacts.get", {"id": created["id"]})
    assert got["text"].endswith("one more\ntyped in the page") and not got["pending_upload"]
    history = engine_call(app, "versions.list", {"artifact_id": created["id"]})
    assert [v["has_content"] for v in history] == [True, True, True]
    restored = engine_call(app, "versions.restore", {"version_id": history[-1]["id"]})
    assert restored["text"] == text and restored["kind"] == "markdown"
