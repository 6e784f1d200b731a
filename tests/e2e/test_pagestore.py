"""web/engine/pagestore.mjs for real: SQLite in Pyodide, Chromium's IndexedDB, byte-for-byte restores.

The page tests/e2e/pages/pagestore.html starts a module worker with bare Pyodide and the app's
PageStore (imported as is) and edits a SQLite file on the in-memory FS. Every check restores
the stored image with a fresh PageStore into another file and compares it with the file that
was saved, byte for byte, and runs SQLite's integrity check on the copy. Each test has its own
browser context, so its own IndexedDB.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from e2e_helpers import CONFIG, ForeignRequests, engine_call, new_context, pages_server, wait_ready

PAGES = Path(__file__).parent / "pages"
KIB = 1024


@pytest.fixture(scope="module")
def pages_url() -> Iterator[str]:
    """web/ at / and the test pages at /tests/, on 127.0.0.1 (stopped when the module ends)."""
    with pages_server() as url:
        yield url + "/"


class Worker:
    """The PageStore worker of one page: `worker("op", key=value)` runs an op and returns its result."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def __call__(self, op: str, **args):
        return self.page.evaluate("([op, args]) => pagestore.call(op, args)", [op, args])


@pytest.fixture()
def worker(browser: Browser, pages_url: str, foreign_requests: ForeignRequests) -> Iterator[Worker]:
    ctx = new_context(browser, pages_url, foreign_requests)
    ctx.set_default_timeout(CONFIG.BOOT_TIMEOUT_MS)
    page = ctx.new_page()
    page.on("pageerror", lambda error: print("pageerror:", error))
    page.goto(pages_url + "tests/pagestore.html")
    run = Worker(page)
    run("init")
    yield run
    ctx.close()


def assert_restores(worker: Worker, against: str = "file") -> dict:
    checked = worker("check", against=against)
    assert checked["equal"], f"the restored image differs from the saved one: {checked}"
    assert checked["integrity"] == "ok"
    return checked


def test_random_edits_flushes_and_folds_restore_byte_for_byte(worker: Worker) -> None:
    rng = random.Random(20261122)
    opened = worker("open", chunkKiB=64)
    assert opened["restored"] == 0 and opened["saved"]["generation"] == 1
    logged_restores = folds = whole_chunks = 0
    for round_ in range(40):
        saved = worker("edit", seed=rng.randrange(1 << 30))["saved"]
        assert saved and saved["generation"] == round_ + 2
        whole_chunks += saved["chunks"] > 0
        if rng.random() < 0.25:
            folded = worker("fold", stepBytes=rng.choice([64 * KIB, 4 * 2**20]))
            folds += folded["folded"] is not None
        checked = assert_restores(worker)
        logged_restores += checked["log"] > 0
    # The run covered what it is meant to: restores with the log on top, folds, whole chunks.
    assert logged_restores and folds and whole_chunks, (logged_restores, folds, whole_chunks)
    while worker("fold")["folded"]:
        pass
    assert worker("check")["log"] == 0
    assert_restores(worker)


def test_a_save_during_a_fold_is_kept(worker: Worker) -> None:
    worker("open", chunkKiB=64)
    for seed in range(8):
        worker("edit", seed=seed)
    raced = worker("foldWhileEditing", seed=99)
    assert raced["folded"]["chunks"] > 0 and raced["saved"]["generation"] == 10
    assert not raced["pending"]
    assert_restores(worker)
    worker("fold")
    assert_restores(worker)


def test_small_saves_go_to_the_log_and_a_large_one_writes_whole_chunks(worker: Worker) -> None:
    worker("open")  # the default chunk size
    worker("grow", bytes=3 * 2**20)
    worker("fold")
    small = worker("edit", seed=5, small=True)["saved"]
    assert small["chunks"] == 0 and 0 < small["pages"] <= 8 and small["bytes"] == small["pages"] * 4 * KIB, small
    large = worker("grow", bytes=6 * 2**20, seed=2)["saved"]
    assert large["chunks"] >= 4, large
    assert_restores(worker)


def test_truncation_drops_chunks_and_log_pages_past_the_end(worker: Worker) -> None:
    worker("open", chunkKiB=64)
    grown = worker("grow", bytes=2 * 2**20)
    for seed in range(5):
        worker("edit", seed=seed)  # leaves log pages all over the file
    before = worker("stored")
    assert before["pages"] and max(before["pages"]) * 4 * KIB > 1 * 2**20
    shrunk = worker("shrink")
    assert shrunk["size"] < grown["size"] // 4 and not shrunk["pending"]
    after = worker("stored")
    assert after["meta"]["size"] == shrunk["size"]
    assert all(c * 64 * KIB < shrunk["size"] for c in after["chunks"])
    assert all(p * 4 * KIB < shrunk["size"] for p in after["pages"])
    assert_restores(worker)
    # Shrunk and grown again before a flush: the bytes in between must not come back stale.
    worker("shrink", keep=1, flush=False)
    worker("grow", bytes=1 * 2**20, seed=3)
    assert_restores(worker)
    worker("fold")
    assert_restores(worker)


def test_version_1_store_is_read_and_rewritten(worker: Worker) -> None:
    old = worker("writeVersion1", workspace="old", chunkKiB=64, seeds=list(range(30)))
    assert old["version"] == 1 and old["size"] > 256 * KIB
    opened = worker("open", workspace="old")
    assert opened["restored"] == old["size"] and opened["format"] == 1 and opened["chunkSize"] == 64 * KIB
    assert_restores(worker, against="snapshot")
    assert worker("stored")["meta"]["generation"] == 7
    # Saves on top of the old chunks, then the idle rewrite into the current format.
    for seed in range(100, 105):
        assert worker("edit", seed=seed)["saved"]["generation"] > 7
    assert_restores(worker)
    folded = worker("fold")["folded"]
    assert folded["rewrite"] is True
    stored = worker("stored")
    assert stored["meta"]["format"] == 2 and stored["meta"]["chunkSize"] == 512 * KIB
    assert stored["pages"] == [] and stored["blobs"] == len(stored["chunks"])
    checked = assert_restores(worker)
    assert checked["format"] == 2 and checked["chunkSize"] == 512 * KIB


def test_an_aborted_flush_keeps_its_pages_for_the_next_one(worker: Worker) -> None:
    worker("open", chunkKiB=64)
    for seed in range(4):
        worker("edit", seed=seed)
    worker("takeSnapshot")
    worker("edit", seed=50, flush=False)
    worker("failNextTransaction", mode="abort")
    failed = worker("flushExpectingError")
    assert failed["code"] == "save_failed" and failed["pending"], failed
    # The stored image is still the last committed one.
    assert_restores(worker, against="snapshot")
    saved = worker("flush")
    assert saved["saved"]["generation"] == 6 and not saved["pending"]
    assert_restores(worker)


def test_quota_exceeded_loses_nothing(worker: Worker, pages_url: str) -> None:
    # Chromium caches the room an origin has left for a while: set the quota before any write.
    cdp = worker.page.context.new_cdp_session(worker.page)
    origin = pages_url.rstrip("/")
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin, "quotaSize": 1536 * KIB})
    try:
        worker("open")  # 512 KiB chunks: a fold writes at least one
        worker("grow", bytes=1 * 2**20)
        for seed in range(6):
            worker("edit", seed=seed, small=True)
        # A fold that does not fit: the log stays, and the stored image still restores.
        failed = worker("foldExpectingError")
        assert failed["code"] == "quota_exceeded" and failed["log"] > 0, failed
        assert_restores(worker)
        # Small saves still fit...
        assert worker("edit", seed=6, small=True)["saved"]["chunks"] == 0
        # ... a large one does not: a clear message, the dirty pages kept, the stored image unchanged.
        worker("takeSnapshot")
        worker("grow", bytes=3 * 2**20, seed=9, flush=False)
        failed = worker("flushExpectingError")
        assert failed["code"] == "quota_exceeded" and failed["pending"], failed
        assert "no room left" in failed["message"]
        assert_restores(worker, against="snapshot")
    finally:
        cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin})
    saved = worker("flush")
    assert saved["saved"] and not saved["pending"]
    assert_restores(worker)
    while worker("fold")["folded"]:
        pass
    assert worker("check")["log"] == 0
    assert_restores(worker)


def test_background_fold_empties_the_log(worker: Worker) -> None:
    worker("open", chunkKiB=64, fold={"idleMs": 3000})
    for seed in range(6):
        worker("edit", seed=seed)
    assert worker("check")["log"] > 0
    folded = worker("waitFolded")
    assert folded["log"] == 0 and folded["foldError"] is None
    assert_restores(worker)


STORED_IN_APP = """async () => {
    const get = (req) => new Promise((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
    });
    const db = await get(indexedDB.open("quire-pages"));
    try {
        const tx = db.transaction(["meta", "pages", "chunks"], "readonly");
        const range = IDBKeyRange.bound(["default", 0], ["default", Infinity]);
        const [meta, log, chunks] = await Promise.all([
            get(tx.objectStore("meta").get("default")), get(tx.objectStore("pages").count(range)),
            get(tx.objectStore("chunks").getAll(range))]);
        return {format: meta.format, generation: meta.generation, log,
                chunks: chunks.length, blobs: chunks.filter((c) => c instanceof Blob).length};
    } finally {
        db.close();
    }
}"""


def test_the_app_logs_a_save_and_folds_it_when_idle(app: Page) -> None:
    engine_call(app, "artifacts.create", {"path": "/idle.md", "content": "typed, then a pause"})
    stored = app.evaluate(STORED_IN_APP)  # right after the save: its pages are in the log
    assert stored["format"] == 2 and stored["log"] > 0, stored
    deadline = time.monotonic() + 30
    while (folded := app.evaluate(STORED_IN_APP))["log"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert folded["log"] == 0, folded
    # Later saves may have come and been folded too: the background indexer stores the new
    # note's vectors (and waits for idle spells, in which the log folds).
    assert folded["generation"] >= stored["generation"] and folded["blobs"] == folded["chunks"] > 0
    app.reload()
    wait_ready(app)
    listing = engine_call(app, "tree.list")["artifacts"]
    assert "/idle.md" in {a["path"] for a in listing}
