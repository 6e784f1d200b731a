"""Typing and saving in the real page: autosave, Ctrl+S, save failures, typing while a document
opens, what a document contains shown as text, and its history. One booted page serves the
module (see shared_page.py)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e_helpers import engine_call, wait_ready
from shared_page import (
    create_document, editor, expect_editor_text, open_in_tree, saved, shown, text_of, unique,
)


# ---------- typing and saving ----------

SAVE_SPY = """() => {
  // Watches the real engine calls and the status; changes nothing they do.
  const engine = quire.engine, call = engine.call, editor = document.querySelector("#editor .cm-content");
  const spy = { inflight: 0, max: 0, updates: [], states: [], typedDuringSave: 0, inputs: [] };
  let durable = null; // the text of the last update the engine answered
  engine.call = function (method, params) {
    const answer = call.call(this, method, params);
    if (method !== "artifacts.update") return answer;
    const update = { tail: params.content.slice(-80), started: performance.now(), done: false };
    spy.updates.push(update);
    spy.max = Math.max(spy.max, ++spy.inflight);
    return answer.finally(() => { spy.inflight--; update.done = true; durable = params.content; });
  };
  const onInput = () => { spy.inputs.push(performance.now()); if (spy.inflight) spy.typedDuringSave++; };
  editor.addEventListener("input", onInput);
  const status = document.getElementById("status");
  const observer = new MutationObserver(() => {
    spy.states.push({ state: status.dataset.save, inflight: spy.inflight, shownIsDurable: quire.ui.editor.text() === durable });
  });
  observer.observe(status, { attributes: true, attributeFilter: ["data-save"] });
  spy.stop = () => { engine.call = call; editor.removeEventListener("input", onInput); observer.disconnect(); };
  window.__spy = spy;
}"""


def spy_on_saves(page: Page) -> None:
    page.evaluate(SAVE_SPY)


def spy(page: Page) -> dict:
    return page.evaluate("(({stop, ...rest}) => rest)(window.__spy)")


def stop_spying(page: Page) -> None:
    page.evaluate("window.__spy.stop()")


def test_autosave_sends_one_update_at_a_time_and_loses_no_keystroke(page: Page) -> None:
    name = unique("autosave") + ".md"
    create_document(page, name)
    # A long document makes each save take a while, so typing goes on while one is in flight.
    # (One paragraph: filling a text area with many lines takes the browser minutes.)
    base = " ".join(f"word{i}" for i in range(40_000))
    editor(page).fill(base)
    saved(page)
    spy_on_saves(page)
    try:
        editor(page).press("Control+End")
        typed = " start"
        page.keyboard.type(typed)
        # Wait until a save has started, then type on at once; again, until typing met a save.
        for n in range(1, 9):
            page.wait_for_function(f"window.__spy.updates.length >= {n}", polling=10)
            page.keyboard.type(f" {n}")
            typed += f" {n}"
            if page.evaluate("window.__spy.typedDuringSave"):
                break
        saved(page)
        seen = spy(page)
    finally:
        stop_spying(page)
    # (Long texts are compared by their ends: a failing comparison must not print half a megabyte.)
    stored = text_of(page, name)
    assert (len(stored), stored[-40:]) == (len(base) + len(typed), (base + typed)[-40:])
    assert seen["max"] == 1, "two saves of one document were in flight at once"
    assert seen["updates"][-1]["tail"].endswith(typed)
    assert seen["typedDuringSave"] >= 1, "no keystroke arrived while a save was in flight"
    states = [s["state"] for s in seen["states"]]
    assert "saving" in states and states[-1] == "saved"
    for state in seen["states"]:
        if state["state"] == "saved":  # only ever after the engine answered, for exactly that text
            assert state["inflight"] == 0 and state["shownIsDurable"], state


def test_ctrl_s_saves_at_once(page: Page) -> None:
    name = unique("ctrl-s") + ".md"
    create_document(page, name)
    spy_on_saves(page)
    try:
        editor(page).type("quick")
        page.keyboard.press("Control+s")
        saved(page)
        seen = spy(page)
    finally:
        stop_spying(page)
    # Autosave waits 400 ms after the last keystroke; Ctrl+S did not.
    assert seen["updates"] and seen["updates"][0]["started"] - seen["inputs"][-1] < 400
    assert text_of(page, name) == "quick"


def test_a_failed_save_is_one_alert_until_saving_works_again(page: Page) -> None:
    name = unique("gone") + ".md"
    create_document(page, name)
    editor(page).type("kept")
    saved(page)
    # The document disappears behind the page's back: the next saves fail for real.
    artifact = next(a for a in engine_call(page, "tree.list")["artifacts"] if a["name"] == name)
    engine_call(page, "artifacts.delete", {"id": artifact["id"]})
    editor(page).press("End")
    page.keyboard.type("a")
    alerts = page.locator("#alerts .alert")
    expect(alerts).to_have_count(1)
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    expect(page.get_by_role("status")).to_contain_text("Not saved")
    page.keyboard.type("b")
    page.keyboard.press("Control+s")
    expect(page.get_by_role("status")).to_contain_text("Not saved")
    expect(alerts).to_have_count(1)  # the same failure again is not stacked
    expect_editor_text(page, "keptab")  # and nothing typed is dropped
    unit = next(t for t in engine_call(page, "trash.list") if t["name"] == name)
    engine_call(page, "trash.restore", {"id": unit["id"]})
    page.keyboard.press("Control+s")
    saved(page)
    expect(page.locator("#alerts")).to_be_hidden()
    expect(page.get_by_role("status")).to_contain_text("Saving works again")
    assert text_of(page, name) == "keptab"


def test_typing_right_after_create_or_open_is_kept(page: Page) -> None:
    first, second = unique("typed") + ".md", unique("typed") + ".md"
    # New document → name → Create, and type at once: before the document exists.
    page.get_by_role("button", name="New document").click()
    page.get_by_role("dialog").get_by_label("Document name").fill(first)
    page.get_by_role("dialog").get_by_role("button", name="Create").click()
    page.keyboard.type("hello")
    shown(page, first)
    # While editing it: Alt+N, a name, Enter, and type at once. The new document gets the text.
    page.keyboard.press("Alt+n")
    page.keyboard.press("Control+a")
    page.keyboard.type(second)
    page.keyboard.press("Enter")
    page.keyboard.type("world")
    shown(page, second)
    # Quick open from the editor, Enter, and type at once: in front of the opened text.
    page.keyboard.press("Control+k")
    page.keyboard.type(first)
    page.keyboard.press("Enter")
    page.keyboard.type("> ")
    shown(page, first)
    # From the tree: Enter on a document and type at once.
    page.get_by_role("treeitem", name=second, exact=True).focus()
    page.keyboard.press("Enter")
    page.keyboard.type("big ")
    shown(page, second)
    saved(page)
    expect_editor_text(page, "big world")
    page.reload()
    wait_ready(page)
    assert (text_of(page, first), text_of(page, second)) == ("> hello", "big world")
    open_in_tree(page, first)
    expect_editor_text(page, "> hello")


# ---------- what a document contains is shown as text ----------

HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">'
HOSTILE_TEXT = """# Title

<script>window.__pwned = 2</script> keep <b>this</b> as text

[a link](javascript:window.__pwned=3) ![a picture](https://example.com/x.png) <img src=x onerror="window.__pwned=4">

<iframe srcdoc="<p>x</p>"></iframe>
"""
# What a faulty renderer could emit: the page must neutralise it on its own.
EVIL_HTML = ('<h1>Title</h1><img src=x onerror="window.__pwned=5"><script>window.__pwned=6</script>'
             '<a href="javascript:window.__pwned=7">link</a><iframe srcdoc="<p>x</p>"></iframe>'
             '<p onclick="window.__pwned=8" style="color:red">text</p><img src="https://example.com/y.png" alt="pic">')


def test_names_and_text_are_shown_as_text(page: Page) -> None:
    name = f"{HOSTILE_NAME}{unique('')}.md"
    create_document(page, name)
    editor(page).fill(HOSTILE_TEXT)
    saved(page)
    item = page.get_by_role("treeitem", name=name, exact=True)
    expect(item).to_contain_text(name)
    assert page.locator("#tree img").count() == 0
    expect(page.locator("#doc-name")).to_have_text(name)
    assert page.title() == f"{name} — Quire"
    preview = page.locator("#preview")
    expect(preview.locator("h1")).to_have_text("Title")
    expect(preview).to_contain_text("<b>this</b>")
    assert preview.locator("script, iframe, img, b").count() == 0
    assert preview.locator("a[href^='javascript']").count() == 0
    page.keyboard.press("Control+k")
    page.keyboard.type(name[-10:])
    expect(page.get_by_role("option").first).to_contain_text(name)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="History").click()
    expect(page.get_by_role("dialog").get_by_role("heading", name=f"History — {name}")).to_be_visible()
    page.keyboard.press("Escape")
    cleaned = page.evaluate("""async (html) => {
        const { setEngineHtml } = await import("/ui/preview.mjs");
        const el = document.createElement("article");
        setEngineHtml(el, html);
        document.body.append(el);
        await new Promise((r) => setTimeout(r, 200));
        el.remove();
        return el.innerHTML;
    }""", EVIL_HTML)
    assert "<h1>Title</h1>" in cleaned
    for bad in ("<script", "<iframe", "<img", "onerror", "onclick", "style=", "javascript:"):
        assert bad not in cleaned, (bad, cleaned)
    assert page.evaluate("window.__pwned") is None


# ---------- history ----------

def test_history_view_and_restore(page: Page) -> None:
    name = unique("ideas") + ".md"
    create_document(page, name)
    editor(page).fill("# Ideas\n\nA list of **things**.")
    saved(page)
    editor(page).fill("second text")
    saved(page)
    page.get_by_role("button", name="History").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("option")).to_have_count(3)  # created empty, then two saves
    expect(dialog.get_by_role("option").first).to_contain_text("current")
    # The version before the current one is selected, with what its save changed; its text too.
    expect(dialog.locator(".diff-added")).to_have_text(["+# Ideas", "+", "+A list of **things**."])
    dialog.get_by_role("button", name="Text", exact=True).click()
    expect(dialog.locator(".history-content h1")).to_have_text("Ideas")
    expect(dialog.locator(".history-content strong")).to_have_text("things")
    dialog.get_by_role("button", name="Restore version").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect_editor_text(page, "# Ideas\n\nA list of **things**.")
    expect(page.locator("#preview h1")).to_have_text("Ideas")
    page.get_by_role("button", name="History").click()
    expect(page.get_by_role("dialog").get_by_role("option")).to_have_count(4)  # restoring added one
    expect(page.get_by_role("dialog").get_by_role("option").first).to_contain_text("restored")
