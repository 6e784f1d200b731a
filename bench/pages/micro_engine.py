"""Python side of the storage and query micro-benchmarks (run by micro_worker.mjs in Pyodide).

Workspaces are built with the engine itself (pylib.api), so they have the real schema, indexes,
versions and action log. Content is random bytes (incompressible): a workspace of N MB really
stores N MB.
"""

from __future__ import annotations

import base64
import os
import random
import time

import js
from pyodide.ffi import to_js

from pylib import api
from pylib.jsontext import JSONText

EDITED_PATH = "/notes/journal.md"
_open_path: str | None = None


def use(path: str) -> None:
    """Make the workspace at ``path`` the one the API works on (as the app opens it)."""
    global _open_path
    if _open_path != path:
        api.open_workspace(path, journal_mode="MEMORY")
        _open_path = path


def close() -> None:
    global _open_path
    api.close_workspace()
    _open_path = None


def _count(table: str) -> int:
    return api.current().conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _edited_id() -> str:
    row = api.current().conn.execute(
        "SELECT id FROM artifacts WHERE path = ? AND deleted_at IS NULL", (EDITED_PATH,)).fetchone()
    if row:
        return row[0]
    return api.dispatch("artifacts.create", {"path": EDITED_PATH, "content": edit_text(0)})["id"]


def edit_text(n: int) -> str:
    """The edited document's content: a small Markdown note (about 1.5 KB) that says which edit."""
    body = " ".join(f"line {i} of the note, typed and saved." for i in range(40))
    return f"# Journal\n\nEdit {n:08d}.\n\n{body}\n"


def grow(path: str, target_bytes: int) -> dict:
    """Add notes and files to the workspace at ``path`` until the file holds ``target_bytes``.

    Per round: three Markdown notes (1–6 KB of base64 text) and one binary file (8–160 KB).
    The edited document is created first, so it sits among older data, as a real note would.
    """
    use(path)
    doc_id = _edited_id()
    n = _count("artifacts")
    rng = random.Random(n)
    started = time.perf_counter()
    while os.path.getsize(path) < target_bytes:
        for _ in range(3):
            text = base64.b64encode(rng.randbytes(rng.randint(750, 4500))).decode()
            api.dispatch("artifacts.create", {
                "path": f"/notes/{n // 200:03d}/note-{n:05d}.md", "content": f"# Note {n}\n\n{text}\n"})
            n += 1
        api.dispatch("artifacts.upload", {
            "path": f"/files/{n // 200:03d}/file-{n:05d}.bin", "data": rng.randbytes(rng.randint(8_000, 160_000))})
        n += 1
    return {"docId": doc_id, "size": os.path.getsize(path), "artifacts": n,
            "buildMs": (time.perf_counter() - started) * 1000}


def edit(doc_id: str, n: int) -> None:
    """One save of the edited document, exactly as the page's editor sends it."""
    api.dispatch("artifacts.update", {"id": doc_id, "content": edit_text(n)})


# --- listing and history --------------------------------------------------------------------------

def build_listing(path: str, documents: int, versions: int) -> dict:
    """``documents`` notes in 50 folders, one of which has ``versions`` versions."""
    use(path)
    rng = random.Random(7)
    started = time.perf_counter()
    for i in range(documents):
        text = base64.b64encode(rng.randbytes(rng.randint(200, 1500))).decode()
        name = f"note-{i:04d}.md" if i % 4 else f"data-{i:04d}.txt"
        api.dispatch("artifacts.create", {"path": f"/area-{i % 5}/topic-{i % 50:02d}/{name}",
                                          "content": text})
    doc_id = api.dispatch("artifacts.create", {"path": "/history.md", "content": "# History\n"})["id"]
    for n in range(1, versions):
        api.dispatch("artifacts.update", {"id": doc_id, "content": f"# History\n\n{edit_text(n)}"})
    return {"docId": doc_id, "artifacts": _count("artifacts"), "size": os.path.getsize(path),
            "buildMs": (time.perf_counter() - started) * 1000}


def _answer(result):
    """The answer as web/engine/engine.py builds it and converts it for the page."""
    body = ({"id": 1, "ok": True, "result_json": result.text} if isinstance(result, JSONText)
            else {"id": 1, "ok": True, "result": result})
    return to_js(body, dict_converter=js.Object.fromEntries, create_pyproxies=False)


def time_dispatch(method: str, params: dict, reps: int, warmup: int) -> dict[str, list[float]]:
    """Milliseconds per call as the app's worker makes it, timed in Python (warm-up calls
    dropped): ``dispatch`` = ``api.dispatch(..., json_text=True)`` (a listing stays the JSON
    text SQLite built); ``to_js`` = that plus converting the answer to a JS object."""
    params = params.to_py() if hasattr(params, "to_py") else params
    samples = {"dispatch": [], "to_js": []}
    for i in range(warmup + reps):
        started = time.perf_counter()
        result = api.dispatch(method, params, json_text=True)
        dispatched = time.perf_counter()
        _answer(result)
        if i >= warmup:
            samples["dispatch"].append((dispatched - started) * 1000)
            samples["to_js"].append((time.perf_counter() - started) * 1000)
    return samples


RAW_QUERIES = {
    # The same rows with no engine around them: sqlite3 and tuples only (the floor).
    "tree.list": ("SELECT id, path, name, mime_type, kind, size_bytes, hash, created_at, updated_at"
                  " FROM artifacts INDEXED BY idx_artifacts_listing WHERE deleted_at IS NULL ORDER BY path", ()),
    "versions.list": ("SELECT id, artifact_id, seq, size_bytes, hash, created_at, reason, restored_from,"
                      " length(content) IS NOT NULL FROM artifact_versions WHERE artifact_id = ?"
                      " ORDER BY seq DESC LIMIT 50", None),
}


def time_raw(method: str, doc_id: str, reps: int, warmup: int) -> list[float]:
    sql, args = RAW_QUERIES[method]
    args = (doc_id,) if args is None else args
    conn = api.current().conn
    samples = []
    for i in range(warmup + reps):
        started = time.perf_counter()
        conn.execute(sql, args).fetchall()
        if i >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def export_workspace() -> bytes:
    """A file the app can import (transfer.export: a consistent snapshot)."""
    return api.dispatch("transfer.export", {})["data"]
