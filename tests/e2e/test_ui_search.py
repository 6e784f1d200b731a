"""The search panel in Chromium against the real app: find a note by a word as it is typed,
snippets with the matched words marked (and document text never read as HTML), malformed
queries, filters and sort, keyboard and click, opening with the match selected and in view,
stale answers dropped, and searching with the server stopped.

These tests count word matches exactly, so they search with "Words only" (the shared page's
background index makes "Words and meaning" add whatever is near in meaning); the fused panel,
with semantic hits, is tested on an indexed workspace in test_semantic_search.py."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from e2e_helpers import ForeignRequests, QuireServer, engine_call, new_context, open_app, wait_ready
from shared_page import create_document, create_folder, editor, saved, shown, start_at_top_level, unique
from workspace_helpers import wait_saved_and_idle

SEARCH_KEY = "Control+Shift+F"


def panel(page: Page):
    return page.get_by_role("dialog", name="Search")


def results(page: Page):
    return panel(page).get_by_role("listbox", name="Results").get_by_role("option")


def words_only(page: Page) -> None:
    panel(page).get_by_label("Match", exact=True).select_option("words")


def search_for(page: Page, query: str) -> None:
    words_only(page)
    box = panel(page).get_by_role("searchbox", name="Search")
    box.fill(query)
    # The list says which query it shows: wait for the answer to this one.
    expect(panel(page).locator("#search-results")).to_have_attribute("data-query", query, timeout=15_000)


def write_note(page: Page, name: str, text: str, folder: str | None = None) -> None:
    create_document(page, name, folder)
    editor(page).fill(text)
    saved(page)


def selected_text(page: Page) -> str:
    return page.evaluate("(() => { const e = quire.ui.editor, [from, to] = e.selection();"
                         " return e.text().slice(from, to); })()")


def test_type_a_note_find_it_by_a_word_and_open_it_at_the_match(page: Page) -> None:
    word = unique("zephyr").replace("-", "")
    name = unique("weather")
    filler = "\n".join(f"Line {n} of ordinary text about nothing in particular." for n in range(120))
    write_note(page, name, f"{filler}\nThe {word.upper()} wind arrives late in the evening.\n{filler}")
    start_at_top_level(page)

    page.get_by_role("button", name=re.compile("^Search")).click()
    expect(panel(page)).to_be_visible()
    search_for(page, word)
    hit = results(page).filter(has_text=name)
    expect(hit).to_have_count(1)
    expect(results(page)).to_have_count(1)
    expect(hit).to_have_accessible_name(f"{name}.md")
    expect(hit).to_contain_text("Top level")
    expect(hit.locator("mark")).to_have_text(word.upper())
    expect(hit).to_have_attribute("aria-selected", "true")

    page.keyboard.press("Enter")
    expect(panel(page)).to_have_count(0)
    shown(page, f"{name}.md")
    expect(editor(page)).to_be_focused()
    assert selected_text(page) == word.upper()
    # The match is scrolled into view: the editor no longer shows the top, and the selection's
    # line is inside the visible part.
    # CodeMirror scrolls in its next measure cycle, so wait for it rather than read it at once.
    page.wait_for_function("quire.ui.editor.scroller.scrollTop > 200", timeout=10_000)


def test_ctrl_shift_f_arrows_and_click_and_the_panel_remembers(page: Page) -> None:
    tag = unique("marmalade").replace("-", "")
    first, second = unique("jam-a"), unique("jam-b")
    write_note(page, first, f"Orange {tag} on toast.")
    write_note(page, second, f"Lemon {tag} in tea, {tag} again.")
    start_at_top_level(page)

    page.keyboard.press(SEARCH_KEY)
    search_for(page, tag)
    expect(results(page)).to_have_count(2)
    page.keyboard.press("ArrowDown")
    expect(results(page).nth(1)).to_have_attribute("aria-selected", "true")
    expect(results(page).nth(0)).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    expect(results(page).nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Escape")
    # From the preview-only view, the match is shown in the editor (the split view).
    page.get_by_role("button", name="Preview", exact=True).click()
    page.keyboard.press(SEARCH_KEY)
    results(page).filter(has_text=first).click()
    shown(page, f"{first}.md")
    assert selected_text(page) == tag
    expect(page.locator("#app")).to_have_attribute("data-view", "split")
    expect(editor(page)).to_be_visible()

    # Opened again, the panel shows the same query and its results, ready to refine.
    page.keyboard.press(SEARCH_KEY)
    box = panel(page).get_by_role("searchbox", name="Search")
    expect(box).to_have_value(tag)
    expect(results(page)).to_have_count(2)
    page.keyboard.press("Escape")
    expect(panel(page)).to_have_count(0)


def test_malformed_queries_never_fail_and_document_text_is_never_html(page: Page) -> None:
    word = unique("quokka").replace("-", "")
    name = unique("markup")
    write_note(page, name, f'A {word} said near <img src=x onerror="window.__pwned=1"> & "hello" <b>bold</b>.')
    start_at_top_level(page)
    page.keyboard.press(SEARCH_KEY)
    for query in [f'"{word}', f"{word} -", f"NEAR({word}", f"said:{word}", f"{word} (", f"^{word}*", f"{word})"]:
        search_for(page, query)
        expect(results(page).filter(has_text=name)).to_have_count(1)
        expect(panel(page).get_by_text("Search failed")).to_have_count(0)
    for query in ["-", '"', "*", "()", "-" + word]:
        search_for(page, query)
        expect(results(page)).to_have_count(0)
        expect(panel(page).get_by_text("Search failed")).to_have_count(0)
    search_for(page, word)
    hit = results(page).filter(has_text=name)
    expect(hit).to_contain_text('<img src=x onerror="window.__pwned=1"> & "hello" <b>bold</b>')
    assert hit.locator("img, b").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_filters_by_folder_and_type_and_sort_by_date(page: Page) -> None:
    word = unique("lighthouse").replace("-", "")
    folder = unique("coast")
    create_folder(page, folder)
    write_note(page, unique("in-folder"), f"The {word} in the folder.", folder)
    start_at_top_level(page)
    top = unique("top")
    write_note(page, top, f"The {word} {word} {word} at the top level.")
    code = unique("script") + ".py"
    write_note(page, code, f"# {word} keeper\nprint('{word}')")
    start_at_top_level(page)

    page.keyboard.press(SEARCH_KEY)
    search_for(page, word)
    expect(results(page)).to_have_count(3)
    expect(panel(page).get_by_role("status")).to_have_text("3 documents")

    dialog = panel(page)
    dialog.get_by_label("Folder", exact=True).select_option(f"/{folder}")
    expect(results(page)).to_have_count(1)
    expect(results(page).first).to_contain_text(folder)
    dialog.get_by_label("Folder", exact=True).select_option("")
    dialog.get_by_label("Type", exact=True).select_option("code")
    expect(results(page)).to_have_count(1)
    expect(results(page).first).to_have_accessible_name(code)
    dialog.get_by_label("Type", exact=True).select_option("markdown")
    expect(results(page)).to_have_count(2)
    dialog.get_by_label("Folder", exact=True).select_option(f"/{folder}")
    dialog.get_by_label("Type", exact=True).select_option("code")
    expect(results(page)).to_have_count(0)
    expect(dialog.get_by_text("No document matches")).to_be_visible()

    dialog.get_by_label("Folder", exact=True).select_option("")
    dialog.get_by_label("Type", exact=True).select_option("")
    dialog.get_by_label("Sort", exact=True).select_option("date")
    # Newest first: the code file was written last.
    expect(results(page)).to_have_count(3)
    expect(results(page).first).to_have_accessible_name(code)
    dialog.get_by_label("Sort", exact=True).select_option("relevance")
    expect(results(page).first).to_have_accessible_name(f"{top}.md")


def test_typing_fast_shows_the_latest_query_only(page: Page) -> None:
    a, b = unique("alpaca").replace("-", ""), unique("bison").replace("-", "")
    write_note(page, unique("farm-a"), f"An {a} lives here.")
    write_note(page, unique("farm-b"), f"A {b} lives there.")
    start_at_top_level(page)
    page.keyboard.press(SEARCH_KEY)
    words_only(page)
    box = panel(page).get_by_role("searchbox", name="Search")
    box.press_sequentially(a, delay=5)
    box.fill("")
    box.press_sequentially(b, delay=5)
    expect(panel(page).locator("#search-results")).to_have_attribute("data-query", b)
    expect(results(page)).to_have_count(1)
    expect(results(page).first).to_contain_text(b)
    # Nothing answered later replaces it.
    page.wait_for_timeout(500)
    expect(results(page)).to_have_count(1)
    expect(results(page).first).to_contain_text(b)


def test_search_works_with_the_server_stopped(browser: Browser, own_server: QuireServer,
                                              foreign_requests: ForeignRequests) -> None:
    ctx = new_context(browser, own_server.url, foreign_requests)
    page = open_app(ctx, own_server.url)
    word = unique("offgrid").replace("-", "")
    write_note(page, "cabin", f"No signal at the {word} cabin.")
    wait_saved_and_idle(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null || location.reload()", timeout=60_000)
    own_server.stop()
    page.reload()
    wait_ready(page)
    page.keyboard.press(SEARCH_KEY)
    search_for(page, word)
    expect(results(page)).to_have_count(1)
    page.keyboard.press("Enter")
    shown(page, "cabin.md")
    assert selected_text(page) == word
    assert engine_call(page, "search.query", {"query": word})["hits"][0]["name"] == "cabin.md"
    ctx.close()


SLOW_ANSWERS = """(slow) => {
    // The engine answers `slow` late, as a busy worker would; the panel must never show it.
    const session = window.quire.ui.session;
    const call = session.call.bind(session);
    window.__shownQueries = [];
    new MutationObserver(() => window.__shownQueries.push(document.querySelector('#search-results')?.dataset.query))
        .observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-query"] });
    session.call = async (method, params) => {
        const answer = await call(method, params);
        if (method.startsWith("search.") && params.query === slow) await new Promise((r) => setTimeout(r, 800));
        return answer;
    };
    window.__restoreCall = () => { session.call = call; };
}"""


def test_an_answer_to_an_older_query_is_dropped(page: Page) -> None:
    old, new = unique("heron").replace("-", ""), unique("egret").replace("-", "")
    write_note(page, unique("birds-a"), f"A grey {old} by the water.")
    write_note(page, unique("birds-b"), f"A white {new} by the water.")
    start_at_top_level(page)
    page.evaluate(SLOW_ANSWERS, old)
    try:
        page.keyboard.press(SEARCH_KEY)
        words_only(page)
        box = panel(page).get_by_role("searchbox", name="Search")
        box.fill(old)
        page.wait_for_timeout(200)  # the slow answer is on its way
        box.fill(new)
        expect(panel(page).locator("#search-results")).to_have_attribute("data-query", new)
        expect(results(page)).to_have_count(1)
        expect(results(page).first).to_contain_text(new)
        page.wait_for_timeout(1000)
        expect(results(page).first).to_contain_text(new)
        assert old not in page.evaluate("window.__shownQueries")
    finally:
        page.evaluate("window.__restoreCall()")


def test_more_results_on_demand(page: Page) -> None:
    word = unique("pelican").replace("-", "")
    folder = f"/{unique('many')}"
    for i in range(33):
        engine_call(page, "artifacts.create", {"path": f"{folder}/note {i:02d}.md", "content": f"{word} number {i}",
                                               "mime_type": "text/markdown"})
    page.evaluate("window.quire.ui.documents.refreshTree()")
    page.keyboard.press(SEARCH_KEY)
    search_for(page, word)
    expect(results(page)).to_have_count(30)
    expect(panel(page).get_by_role("status")).to_have_text("30+ documents")
    panel(page).get_by_role("button", name="Show more results").click()
    expect(results(page)).to_have_count(33)
    expect(panel(page).get_by_role("status")).to_have_text("33 documents")
    expect(panel(page).get_by_role("button", name="Show more results")).to_be_hidden()
    names = [n.strip() for n in results(page).locator(".search-hit-name").all_inner_texts()]
    assert sorted(names) == sorted(f"note {i:02d}.md" for i in range(33))
