"""Typing and saving while the first semantic index runs, against the same with indexing idle,
in the same page and run, in headless Chromium on the real app.

The workspace (NOTES Markdown notes of about 1.5 KB, built with the engine in CPython) is
imported into a fresh context (`quire serve`); its first index then has minutes of work. The two
arms take turns, ROUNDS times each, so both see the same machine load:
- idle: `indexer.hold(true)` and wait until none of its calls is in flight;
- indexing: `indexer.hold(false)` and wait until one of its calls (an embedding batch or an
  engine call) is in flight.
Each arm then measures keystroke to paint in the open note (the capturing keydown listener of
bench/browser_editor.py: the key's time stamp to the frame after it), and engine round trips from
the page of what the editor asks while one types: a save (`artifacts.update` of another note) and
link completion (`links.complete`). Goal: typing p95 while indexing ≤ 1.25× idle.

    .venv/bin/python -m bench.browser_index_typing [--quick]
"""

from __future__ import annotations

import base64
import random
import tempfile
from pathlib import Path

from bench.browser_app import alternate, imported_app, round_trips
from bench.browser_boot import quire_server
from bench.browser_editor import LATENCY, type_keys
from bench.browser_harness import BOOT_TIMEOUT_MS, Chromium, Table, main_for, median, ms, p95, ratio

NOTES = 400
GOAL = 1.25
WORDS = ("garden budget travel meeting recipe refund invoice project river mountain letter school "
         "doctor train weather market music library harbour winter summer contract garage kitchen").split()


def build_workspace() -> str:
    """NOTES notes of prose in sections (several chunks each), exported as base64."""
    from pylib import api, artifacts, db

    rng = random.Random(5)
    sentence = lambda: " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/typing.sqlite"
        ws = db.open_workspace(path, synchronous="OFF")
        for i in range(NOTES):
            text = "\n\n".join(f"## Part {s}\n" + " ".join(sentence() for _ in range(6)) for s in range(3))
            artifacts.create(ws, f"/notes/note {i:03d}.md", f"# Note {i}\n\n{text}")
        artifacts.create(ws, "/Typing here.md", "# Typing here\n\n")
        ws.close()
        api.close_workspace()
        return base64.b64encode(Path(path).read_bytes()).decode()


def arm(page, indexing: bool) -> None:
    """Let the indexer run (and wait until it works) or hold it (and wait until it rests)."""
    page.evaluate("(on) => window.quire.semantic.indexer.hold(!on)", indexing)
    busy = "window.quire.semantic.indexer.running > 0" if indexing else "window.quire.semantic.indexer.running === 0"
    page.wait_for_function(busy, polling=50, timeout=BOOT_TIMEOUT_MS)


def measure(page, indexing: bool, keys: int, calls: int, other_id: str) -> dict[str, list[float]]:
    arm(page, indexing)
    page.locator("#editor .cm-content").click()
    page.keyboard.press("Control+End")
    typing = type_keys(page, keys)
    arm(page, indexing)
    saves = []
    for i in range(calls):
        saves += round_trips(page, "artifacts.update", {"id": other_id, "content": f"# Other\n\nsaved {i} {indexing}"}, 1)
    links = round_trips(page, "links.complete", {"query": "note 1", "limit": 20}, calls)
    return {"typing": typing, "save": saves, "links": links}


def run(cr: Chromium, base_url: str, quick: bool) -> list[Table]:
    keys, calls, rounds = (30, 10, 2) if quick else (60, 20, 4)
    exported = build_workspace()
    samples: dict[str, dict[str, list[float]]] = {"idle": {}, "indexing": {}}
    with quire_server() as app_url, imported_app(cr, app_url, exported, NOTES + 1, f"({LATENCY})()") as page:
        page.wait_for_function("window.quire.semantic?.indexLoaded === true", polling=250, timeout=BOOT_TIMEOUT_MS * 4)
        page.evaluate("quire.ui.layout.setView('edit')")
        listing = page.evaluate("quire.engine.call('tree.list', {})")["artifacts"]
        typing_id = next(a["id"] for a in listing if a["path"] == "/Typing here.md")
        other_id = next(a["id"] for a in listing if a["path"] == "/notes/note 000.md")
        page.evaluate("(id) => quire.ui.documents.open(id, {focus: true})", typing_id)
        page.wait_for_function("(id) => quire.ui.editor.current?.id === id", arg=typing_id)
        for name, indexing in (("idle", False), ("indexing", True)):
            measure(page, indexing, 5, 2, other_id)  # warm-up
        taken = alternate({name: (lambda indexing=indexing: [measure(page, indexing, keys, calls, other_id)])
                           for name, indexing in (("idle", False), ("indexing", True))}, rounds)
        for name, runs in taken.items():
            for kind in ("typing", "save", "links"):
                samples[name][kind] = [x for r in runs for x in r[kind]]
        progress = page.evaluate("quire.engine.call('embeddings.progress', {})")
        paused = page.evaluate("window.quire.semantic.indexer.paused")
        page.evaluate("window.quire.semantic.indexer.hold(false)")
    cr.check_origin()
    return [table(samples, keys, calls, rounds, progress, paused)]


def table(samples: dict, keys: int, calls: int, rounds: int, progress: dict, paused: int) -> Table:
    out = Table(f"Typing and saving while the first index runs vs indexing idle (ms; {NOTES} notes, "
                f"{rounds} turns each)", ["measure", "idle p50", "idle p95", "indexing p50", "indexing p95",
                                         "p50 ratio", "p95 ratio"])
    labels = {"typing": f"keystroke to paint ({keys} keys a turn)", "save": f"save round trip ({calls} a turn)",
              "links": f"link completion round trip ({calls} a turn)"}
    for kind, label in labels.items():
        a, b = samples["idle"][kind], samples["indexing"][kind]
        out.add(label, ms(median(a)), ms(p95(a)), ms(median(b)), ms(p95(b)), ratio(median(b), median(a)),
                ratio(p95(b), p95(a)))
    worst = p95(samples["indexing"]["typing"]) / max(p95(samples["idle"]["typing"]), 1e-9)
    out.notes += [
        f"Goal: typing p95 while indexing ≤ {GOAL}× idle: {'met' if worst <= GOAL else 'NOT met'} ({worst:.2f}×).",
        f"By the end {progress['embedded']} chunks were embedded ({progress['indexed']} of {progress['documents']}"
        f" documents); the indexer waited for a quiet page {paused} times.",
        "Timings on 2 shared cores are noisy; read the same-run ratios.",
    ]
    return out


def main() -> None:
    main_for(__doc__, run)


if __name__ == "__main__":
    main()
