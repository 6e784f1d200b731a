"""The preview in Chromium: workspace images, links that stay in the app, task checkboxes that
edit the source, split-view scrolling, and no request leaving the origin (the shared page's
guard fails a test on any foreign request, a remote image included)."""

from __future__ import annotations

import re
import struct
import zlib

from playwright.sync_api import Page, expect

from e2e_helpers import engine_call
from shared_page import editor, expect_editor_text, saved, shown, unique
from workspace_helpers import find_artifact


def png(width: int, height: int) -> bytes:
    """A real, solid-colour PNG (zlib + CRCs), so the browser decodes it to those pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x20\x90\xd0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def upload(page: Page, path: str, data: bytes) -> None:
    page.evaluate("""async ([path, bytes]) => {
        await globalThis.quire.engine.call("artifacts.upload", { path, data: new Uint8Array(bytes) });
    }""", [path, list(data)])


def make_note(page: Page, path: str, text: str) -> None:
    engine_call(page, "artifacts.create", {"path": path, "content": text})


def refresh(page: Page) -> None:
    page.evaluate("() => globalThis.quire.ui.documents.refreshTree()")


def open_path(page: Page, path: str) -> None:
    """Open a document by path, as a click in the tree does."""
    folder = path.rsplit("/", 1)[0]
    if folder:
        page.evaluate("(f) => globalThis.quire.ui.tree.reveal(f + '/x')", folder)
    page.locator(f'[role=treeitem][data-path="{path}"] .tree-row').first.click()
    shown(page, path.rsplit("/", 1)[1])


def preview(page: Page):
    return page.locator("#preview")


FILLER = "\n\n".join(f"Paragraph {n} of filler text that takes some room in the preview." for n in range(60))


def note_text(other: str) -> str:
    return (f"# Linked note\n\n![a picture](attachments/pic.png \"Pic\")\n\n"
            "![remote](https://example.com/remote.png)\n\n"
            "| left | right |\n|:--|--:|\n| 1 | 2 |\n\n"
            "- [ ] first task\n- [x] second task\n\n"
            f"See [the other](../{other}/Other%20note.md), [[Other note]] and [below](#links).\n\n"
            f"Footnote[^1].\n\n{FILLER}\n\n## Links\n\nThe end.\n\n[^1]: The note.\n")


def setup_notes(page: Page) -> tuple[str, str]:
    here, there = unique("pv"), unique("pv-other")
    upload(page, f"/{here}/attachments/pic.png", png(40, 24))
    make_note(page, f"/{there}/Other note.md", "# Other\n\nThe other note.\n")
    make_note(page, f"/{here}/Linked.md", note_text(there))
    refresh(page)
    open_path(page, f"/{here}/Linked.md")
    expect(preview(page).locator("h1")).to_have_text("Linked note")
    return here, there


def test_workspace_image_shows_and_remote_image_is_refused(page: Page) -> None:
    setup_notes(page)
    img = preview(page).locator("img[alt='a picture']")
    expect(img).to_have_attribute("src", re.compile(r"^blob:"))
    page.wait_for_function("() => document.querySelector(\"#preview img[alt='a picture']\")?.naturalWidth === 40")
    # The pixels are the uploaded PNG's.
    colour = page.evaluate("""() => {
        const img = document.querySelector("#preview img[alt='a picture']");
        const c = Object.assign(document.createElement("canvas"), { width: 40, height: 24 });
        const g = c.getContext("2d"); g.drawImage(img, 0, 0);
        return Array.from(g.getImageData(5, 5, 1, 1).data.slice(0, 3));
    }""")
    assert colour == [0x20, 0x90, 0xd0]
    remote = preview(page).locator(".preview-image-note.is-remote")
    expect(remote).to_have_count(1)
    assert "offline" in remote.get_attribute("title") and "private" in remote.get_attribute("title")
    assert preview(page).locator("img[src^='http']").count() == 0
    # Table alignment survives the sanitiser.
    right = preview(page).locator("td").nth(1)
    assert right.evaluate("(td) => getComputedStyle(td).textAlign") == "right"
    expect(preview(page).locator("sup.footnote-ref a")).to_have_attribute("href", "#fn1")
    # A heading named like a document property keeps its anchor, prefixed (DOM clobbering).
    expect(preview(page).locator("h1")).to_have_attribute("id", "user-content-linked-note")


def test_links_open_inside_the_app(page: Page) -> None:
    here, there = setup_notes(page)
    url = page.url
    pane = page.locator("#pane-preview")
    preview(page).get_by_role("link", name="below").click()
    expect(preview(page).locator("#user-content-links")).to_be_in_viewport()
    assert pane.evaluate("(p) => p.scrollTop") > 200 and page.url == url
    preview(page).get_by_role("link", name="the other").click()
    shown(page, "Other note.md")
    expect(preview(page).locator("h1")).to_have_text("Other")
    open_path(page, f"/{here}/Linked.md")
    preview(page).get_by_role("link", name="Other note").click()
    shown(page, "Other note.md")
    assert len(page.context.pages) == 1 and page.url == url
    # External links open in a new tab without the workspace page.
    make_note(page, f"/{here}/Ext.md", "[site](https://example.com/x)\n")
    refresh(page)
    open_path(page, f"/{here}/Ext.md")
    link = preview(page).get_by_role("link", name="site")
    expect(link).to_have_attribute("target", "_blank")
    assert "noopener" in link.get_attribute("rel")
    # Where nothing opens notes (a version in the history dialog), a note link cannot navigate.
    links = page.evaluate("""async () => {
        const { setEngineHtml } = await import("/ui/preview.mjs");
        const el = document.createElement("article");
        setEngineHtml(el, '<p><a href="Other.md">n</a> <a href="https://e.example/">e</a></p>');
        return [...el.querySelectorAll("a")].map((a) => [a.getAttribute("href"), a.target]);
    }""")
    assert links == [[None, ""], ["https://e.example/", "_blank"]]


def test_task_checkbox_edits_the_source_line(page: Page) -> None:
    here, _ = setup_notes(page)
    box = preview(page).locator("li.task-list-item input").first
    expect(box).not_to_be_checked()
    box.click()
    expect_editor_text(page, re.compile(r"- \[x\] first task\n- \[x\] second task"))
    saved(page)
    assert "- [x] first task" in find_artifact(page, f"/{here}/Linked.md")["text"]
    preview(page).locator("li.task-list-item input").nth(1).click()
    expect_editor_text(page, re.compile(r"- \[x\] first task\n- \[ \] second task"))
    expect(preview(page).locator("li.task-list-item input").nth(1)).not_to_be_checked()


def test_split_view_scrolls_both_panes(page: Page) -> None:
    setup_notes(page)
    pane = page.locator("#pane-preview")
    page.evaluate("() => { const el = quire.ui.editor.scroller; el.scrollTop = el.scrollHeight; }")
    page.wait_for_function("() => document.getElementById('pane-preview').scrollTop > 0")
    expect(preview(page).locator("#user-content-links")).to_be_in_viewport()
    page.wait_for_timeout(300)
    pane.evaluate("(p) => { p.scrollTop = 0; }")
    page.wait_for_function("() => quire.ui.editor.scroller.scrollTop < 50")


def test_hidden_preview_does_not_render(page: Page) -> None:
    name = unique("hidden") + ".md"
    make_note(page, f"/{name}", "# Shown\n")
    refresh(page)
    open_path(page, f"/{name}")
    expect(preview(page).locator("h1")).to_have_text("Shown")
    page.locator("#view-toggle button[data-view=edit]").click()
    before = page.evaluate("() => globalThis.quire.preview.stats.renders")
    editor(page).fill("# Changed while hidden\n")
    page.wait_for_timeout(600)
    assert page.evaluate("() => globalThis.quire.preview.stats.renders") == before
    page.locator("#view-toggle button[data-view=split]").click()
    expect(preview(page).locator("h1")).to_have_text("Changed while hidden")
    # Once it has started, the preview worker (its own Pyodide) renders, not the data worker.
    page.wait_for_function("() => globalThis.quire.preview.renderer.isReady", timeout=60_000)
    editor(page).fill("# Rendered by the preview worker\n")
    expect(preview(page).locator("h1")).to_have_text("Rendered by the preview worker")
    assert page.evaluate("() => globalThis.quire.preview.stats.via") == "preview-worker"


def test_split_view_preview_catches_up_after_typing(page: Page) -> None:
    """Typing in a long note beside its preview: the keys go to the editor at once, and once typing
    stops the preview shows them, rebuilding only the block that changed (not the whole note)."""
    name = unique("split-typing") + ".md"
    blocks = "\n\n".join(f"## Block {n}\n\nText of block {n}, with **bold** and a [link](x.md)." for n in range(600))
    make_note(page, f"/{name}", blocks + "\n\nThe last line")  # 45 KB: the preview worker renders it
    refresh(page)
    open_path(page, f"/{name}")
    page.locator("#view-toggle button[data-view=split]").click()
    last = preview(page).locator("p").last
    expect(last).to_have_text("The last line")
    page.wait_for_function("() => globalThis.quire.preview.renderer.isReady", timeout=60_000)
    # The preview pane lays out on its own: a keystroke in the editor must not make the browser
    # measure the whole rendered note again (it did as a flex item: tens of ms per key).
    assert page.evaluate("() => getComputedStyle(document.getElementById('pane-preview')).display") == "block"
    assert "layout" in page.evaluate("() => getComputedStyle(document.getElementById('preview')).contain")
    renders = page.evaluate("() => quire.preview.stats.renders")
    editor(page).click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" typed in split view", delay=30)
    expect_editor_text(page, re.compile(r"The last line typed in split view$"))
    expect(last).to_have_text("The last line typed in split view")
    stats = page.evaluate("() => quire.preview.stats")
    assert stats["renders"] > renders
    # Incremental: only the changed section was sanitised and put in again.
    assert stats["built"] <= 2, stats
    assert preview(page).locator("h2").count() == 600


# Runs a zero timeout again and again, noting when each ran, until the preview has finished the
# render it is given (a note just opened goes in a slice at a time: `quire.preview.stats.fill`).
TIMER_TURNS = """(before) => { window.__turns = new Promise((resolve) => {
  const ran = [];
  const tick = () => setTimeout(() => {
    ran.push(performance.now());
    const el = document.getElementById('preview');
    if (quire.preview.stats.renders > before && !el.dataset.partial) resolve(ran);
    else tick();
  }, 0);
  tick();
}); }"""


def test_opening_a_long_note_beside_the_preview_leaves_the_page_its_tasks(page: Page) -> None:
    """A long note opened in split view goes into the preview top first, a slice at a time; between
    two slices the page's other tasks (timers, the engine's answers, the editor's own work) get
    their turn. With scheduler.yield() between slices they all waited for the whole fill (3-4 s
    for this note), so the count is of turns, not of milliseconds, which load would change."""
    name = unique("long-fill") + ".md"
    blocks = "\n\n".join(f"## Block {n}\n\nText of block {n}, with **bold**, `code` and a [link](x.md)."
                         for n in range(6000))  # ~500 KB, thousands of sections to put in
    make_note(page, f"/{name}", blocks)
    small = unique("short") + ".md"
    make_note(page, f"/{small}", "# Short\n")
    refresh(page)
    open_path(page, f"/{small}")
    page.locator("#view-toggle button[data-view=split]").click()
    page.wait_for_function("() => globalThis.quire.preview.renderer.isReady", timeout=60_000)
    before = page.evaluate("() => quire.preview.stats.renders")
    page.evaluate(TIMER_TURNS, before)
    open_path(page, f"/{name}")
    ran = page.evaluate("() => window.__turns")
    assert preview(page).locator("h2").count() == 6000
    fill = page.evaluate("() => quire.preview.stats.fill")
    assert fill["ended"] is not None and fill["slices"] >= 10, fill  # the case measured: a long fill
    during = [t for t in ran if fill["started"] < t < fill["ended"]]
    # Each pause between two slices lets the waiting timer run (and it queues the next).
    assert len(during) >= (fill["slices"] - 1) // 2, (len(during), fill)
