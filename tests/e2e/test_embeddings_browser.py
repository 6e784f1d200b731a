"""The vendored embedding model in real Chromium (web/embed/worker.mjs, transformers.js on
onnxruntime-web) against CPython onnxruntime on the same ONNX file and tokenizer: every text's
vector has cosine >= 0.999 with the native one, and nothing is fetched from another origin."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from e2e_helpers import CONFIG, ForeignRequests, ROOT, new_context, pages_server

sys.path.insert(0, str(ROOT / "tests" / "pylib"))
from embed_reference import ReferenceEmbedder  # noqa: E402

PAGES = Path(__file__).parent / "pages"
TEXTS = [
    "Refund policy › Returns: customers may return any item within 30 days for a full refund.",
    "how do I get my money back",
    "Meeting notes › Q3 planning: hire two engineers, ship the search panel, fix sync.",
    "Ünïcödé, emoji 🎉 and punctuation — all handled?!",
    "x",
    " ".join(["The quick brown fox jumps over the lazy dog."] * 60),  # truncated at 256 tokens
    "def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)",
    "Recipe › Pancakes: flour, milk, eggs, a pinch of salt; rest the batter ten minutes.",
]


def serve_pages() -> Iterator[str]:
    """web/ at /, tests/e2e/pages at /tests/, cross-origin isolated like the real server."""
    with pages_server() as url:
        yield url


@pytest.fixture(scope="module")
def pages_url() -> Iterator[str]:
    yield from serve_pages()


def test_browser_vectors_match_native_onnxruntime(browser: Browser, pages_url: str,
                                                  foreign_requests: ForeignRequests) -> None:
    import numpy as np

    ctx = new_context(browser, pages_url + "/", foreign_requests)
    ctx.set_default_timeout(CONFIG.BOOT_TIMEOUT_MS * 3)
    try:
        page = ctx.new_page()
        page.goto(pages_url + "/tests/embed.html")
        page.wait_for_function("window.embedReady === true")
        info = page.evaluate("() => window.embedder.start()")
        flat = page.evaluate("(texts) => window.embedTexts(texts, 4)", TEXTS)
        # The worker's own batching (by length) gives the same vectors as fixed batches of 4.
        auto = page.evaluate("(texts) => window.embedTexts(texts)", TEXTS)
        # Two workers, each given groups of 2 as it comes free: the same vectors, in order.
        two = page.evaluate("(texts) => window.embedTwo(texts, 2)", TEXTS)
    finally:
        ctx.close()
    assert info["model"] == "all-MiniLM-L6-v2" and info["dims"] == 384
    browser_vectors = np.array(flat, dtype=np.float64).reshape(len(TEXTS), 384)
    native = ReferenceEmbedder().embed(TEXTS).astype(np.float64)
    assert np.allclose(np.linalg.norm(browser_vectors, axis=1), 1.0, atol=1e-4)
    assert np.allclose(np.array(auto).reshape(len(TEXTS), 384), browser_vectors, atol=2e-3)
    assert two["lanes"] == 2
    assert np.allclose(np.array(two["flat"]).reshape(len(TEXTS), 384), browser_vectors, atol=2e-3)
    cosines = (browser_vectors * native).sum(axis=1)
    assert cosines.min() >= 0.999, dict(zip(TEXTS, cosines.round(5)))
    # Different texts give different vectors (a constant output would pass the check above only
    # if the native one were constant too).
    assert (browser_vectors[0] @ browser_vectors[2]) < 0.9
