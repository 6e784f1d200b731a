"""The first paint's styles: index.html inlines only what the shell needs at its first paint, the
rest is in app.css, which the app applies once it runs. Applying app.css must change nothing that
the first paint shows, in a wide and a narrow window, light and dark — otherwise the shell would
visibly jump when the app starts (or a rule the first paint needs was moved out of index.html)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from e2e_helpers import QuireServer

# Every computed property of every element (and its ::before / ::after) that is rendered at the
# first paint, plus its box; a stylesheet that changes any of them changes what a person sees.
SNAPSHOT = """
() => {
  const out = {};
  const all = [document.documentElement, ...document.querySelectorAll("body, body *")];
  all.forEach((el, i) => {
    if (el.closest("svg.sprite, noscript, script, style, link")) return;
    if (!el.getClientRects().length) return; // not rendered: display none, or inside such
    const key = `${i}:${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.getAttribute("class") || ""}`;
    const r = el.getBoundingClientRect();
    const entry = { box: [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 10) / 10) };
    for (const pseudo of [null, "::before", "::after"]) {
      const cs = getComputedStyle(el, pseudo);
      if (pseudo && (cs.content === "none" || cs.content === "normal")) continue;
      const props = {};
      for (const name of cs) props[name] = cs.getPropertyValue(name);
      entry[pseudo || "self"] = props;
    }
    out[key] = entry;
  });
  return out;
}
"""

APPLY_APP_CSS = """
() => new Promise((resolve, reject) => {
  const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href: "app.css" });
  link.onload = resolve;
  link.onerror = () => reject(new Error("app.css did not load"));
  document.head.append(link);
})
"""


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for key in sorted(set(before) | set(after)):
        if key not in before or key not in after:
            found.append(f"{key}: {'appears' if key in after else 'disappears'}")
            continue
        for part in sorted(set(before[key]) | set(after[key])):
            a, b = before[key].get(part), after[key].get(part)
            if part == "box":
                if a != b:
                    found.append(f"{key} box {a} -> {b}")
                continue
            a, b = a or {}, b or {}
            for prop in sorted(set(a) | set(b)):
                if a.get(prop) != b.get(prop):
                    found.append(f"{key} {part} {prop}: {a.get(prop)!r} -> {b.get(prop)!r}")
    return found


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (390, "light"), (1280, "dark")])
def test_app_css_changes_nothing_the_first_paint_shows(
    browser: Browser, server: QuireServer, width: int, scheme: str,
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme,
                                  service_workers="block")
    try:
        # The shell alone, as at its first paint: the app's modules are kept from starting.
        context.route("**/ui/first.mjs", lambda route: route.fulfill(
            status=200, content_type="text/javascript", body="export {};"))
        page = context.new_page()
        page.goto(server.url, wait_until="load")
        page.wait_for_timeout(300)  # the page's delayed start has run (and found nothing to do)
        # Hold the skeleton's and progress bar's animations still, so only styles can differ.
        page.evaluate("""() => Promise.all(document.getAnimations().map((a) => {
            a.pause();
            a.currentTime = 0;
            return a.ready;
        }))""")
        shell = page.evaluate(SNAPSHOT)
        assert len(shell) > 40, "the shell should render its sidebar, top bar, boot card and status bar"
        assert any("#boot-progress" in key for key in shell)
        page.evaluate(APPLY_APP_CSS)
        changed = differences(shell, page.evaluate(SNAPSHOT))
        assert changed == [], "\n".join(changed[:40])
    finally:
        context.close()
