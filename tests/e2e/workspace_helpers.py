"""Driving the workspace page the way a person does, and checking what the engine then holds.

Shared by the browser tests (test modules import these, never each other).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e_helpers import engine_call

SEED_TABLES = {"artifacts", "action_log", "agent_tasks", "citations", "sync_state"}


def new_document(page: Page, name: str) -> None:
    page.get_by_role("button", name="New document").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#doc-name")).to_have_text(name)
    expect(page.get_by_label("Document text")).to_be_editable()


def wait_saved_and_idle(page: Page, quiet_ms: int = 1200) -> None:
    """Until the status says Saved and stays so: every keystroke so far is durable."""
    page.wait_for_function(
        """(quietMs) => {
            const el = document.getElementById("status");
            const now = performance.now();
            if (el.dataset.save !== "saved") { window.__savedSince = null; return false; }
            window.__savedSince ??= now;
            return now - window.__savedSince >= quietMs;
        }""",
        arg=quiet_ms, polling=100, timeout=30_000,
    )


def open_document(page: Page, name: str) -> None:
    page.get_by_role("treeitem", name=name).first.click()
    expect(page.locator("#doc-name")).to_have_text(name)
    expect(page.get_by_label("Document text")).to_be_editable()


def find_artifact(page: Page, path: str) -> dict:
    listing = engine_call(page, "tree.list")
    matches = [a for a in listing["artifacts"] if a["path"] == path]
    assert matches, f"{path} not in {[a['path'] for a in listing['artifacts']]}"
    return engine_call(page, "artifacts.get", {"id": matches[0]["id"]})


def check_database(data: bytes, tmp_path: Path) -> sqlite3.Connection:
    path = tmp_path / "check.sqlite"
    path.write_bytes(data)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert SEED_TABLES <= tables
    return conn


def user_rows(data: bytes) -> dict[str, list]:
    """Every row of the user's own data in an exported file, table by table: what an import may
    change. Derived tables (search, links, embeddings) and device bookkeeping are left out, since
    background work (indexing, for one) rewrites them while a test runs."""
    from pylib import rows

    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name")
            if name not in rows.DERIVED_TABLES and not name.startswith("embedding_")]
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                for name in tables}
    finally:
        conn.close()
