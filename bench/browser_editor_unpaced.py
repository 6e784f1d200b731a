"""The editor's own cost to paint a keystroke, without the wait for the display's next frame.

The keystroke rows of bench/browser_editor.py run from the keydown to a zero timeout after the
next frame, so they include waiting for that frame (up to 16.7 ms at 60 Hz): a bare textarea in
a 10 KB note measures about 27 ms p95 there, and no input could show 16 ms. Here the same
measure runs in a Chromium launched for it with vsync and the frame-rate limit off
(`--disable-gpu-vsync --disable-frame-rate-limit`): a frame starts as soon as there is
something to draw, so keydown to the end of that frame is the page's own work (input handling,
style, layout, paint), for CodeMirror and for a bare textarea with the same text in the same
page and run. bench/browser_editor.py runs it after its own rows
(`.venv/bin/python -m bench --quick --only editor`).
"""

from __future__ import annotations

from bench.browser_harness import (
    CONFIG, Chromium, Table, boot_app, median, ms, p95, ratio, watch_errors,
)

UNPACED_ARGS = ["--disable-gpu-vsync", "--disable-frame-rate-limit"]
# Without a frame-rate limit an endless CSS animation (the status bar's pulsing "Saving…" dot)
# draws frames without pause and takes a core from the keystrokes measured; with the display's
# pacing it is a few cheap frames a second. Animations are off in this browser's page only.
STILL = """() => document.addEventListener("DOMContentLoaded", () => {
  const style = document.createElement("style");
  style.textContent = "*, *::before, *::after { animation: none !important; transition: none !important; }";
  document.head.append(style);
})"""
SIZES = [("10 KB", 10_000), ("1 MB", 1_000_000)]


def unpaced_browser(cr: Chromium):
    """A second Chromium from the same Playwright, the usual flags plus the unpaced ones."""
    options = CONFIG.launch_options()
    options["args"] = [*options["args"], *UNPACED_ARGS]
    return cr.browser.browser_type.launch(**options)


def unpaced_table(cr: Chromium, url: str, keys: int, latency: str, keystrokes) -> Table:
    """Keystroke to the end of its frame, frame rate unlimited: CodeMirror vs a bare textarea.
    `latency` (the init script that records each key) and `keystrokes(page, size, keys, view,
    round_)` are bench/browser_editor.py's, so both tables measure and type alike."""
    browser = unpaced_browser(cr)
    table = Table("Keystroke to paint with no frame-rate limit (the page's own cost), ms",
                  ["note", "editor p50", "editor p95", "textarea p50", "textarea p95", "p50 ratio", "p95 ratio"])
    try:
        own = Chromium(browser, cr.guard)
        ctx = own.context(url)
        ctx.add_init_script(script=f"({latency})()")
        ctx.add_init_script(script=f"({STILL})()")
        page = ctx.new_page()
        errors = watch_errors(page)
        boot_app(page, url, errors)
        page.wait_for_timeout(10_000)  # the page's work after boot (model, preview worker) out of the way
        for label, size in SIZES:
            editor, bare = keystrokes(page, size, keys, "edit", round_=2)
            table.add(label, ms(median(editor)), ms(p95(editor)), ms(median(bare)), ms(p95(bare)),
                      ratio(median(editor), median(bare)), ratio(p95(editor), p95(bare)))
        if errors:
            raise RuntimeError(f"page errors: {errors[:3]}")
        ctx.close()
    finally:
        browser.close()
    table.notes.append(f"{keys} keys per note, 40 ms apart, in a Chromium with {' '.join(UNPACED_ARGS)}; "
                       "CSS animations off; the rows above it keep the display's frame pacing. Noisy on a shared machine.")
    return table

