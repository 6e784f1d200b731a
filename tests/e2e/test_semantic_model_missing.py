"""A corrupt search model (a damaged ONNX file in the served build): the page says in the
status bar that semantic search is unavailable, and search keeps answering with keyword hits."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect

from e2e_helpers import CONFIG, ROOT, QuireServer, engine_call, new_context, open_app


def test_a_corrupt_model_leaves_keyword_search_working(browser, tmp_path: Path, foreign_requests) -> None:
    web = tmp_path / "web"
    shutil.copytree(ROOT / "web", web)
    model = web / "vendor" / "models" / "all-MiniLM-L6-v2" / "onnx" / "model_quantized.onnx"
    model.write_bytes(b"this is not an ONNX model" * 100)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "precache.py"), str(web)], check=True, capture_output=True)
    server = QuireServer(tmp_path / "data", env={"QUIRE_WEB_DIR": str(web)})
    server.start()
    context = new_context(browser, server.url, foreign_requests)
    context.set_default_timeout(CONFIG.BOOT_TIMEOUT_MS * 3)
    try:
        page = open_app(context, server.url)
        engine_call(page, "artifacts.create", {"path": "/Refund policy.md", "content": "Refunds within thirty days."})
        expect(page.locator("#index-state")).to_contain_text("Semantic search is unavailable", timeout=120_000)
        hits = page.evaluate("() => window.quire.semantic.search('refunds').then(r => r.hits)")
        assert [h["name"] for h in hits] == ["Refund policy.md"] and hits[0]["source"] == "keyword"
        # The search panel answers with word matches and says why there are no others.
        page.keyboard.press("Control+Shift+F")
        panel = page.get_by_role("dialog", name="Search")
        panel.get_by_role("searchbox", name="Search").fill("refunds")
        expect(panel.get_by_role("listbox", name="Results").get_by_role("option")).to_have_count(1)
        expect(panel.locator("#search-note")).to_have_text(
            "Semantic results are unavailable (the search model could not be loaded): showing word matches only.")
        page.screenshot(path=str(CONFIG.RESULTS_DIR / "semantic" / "model-missing.png"))
    finally:
        context.close()
        server.stop()
