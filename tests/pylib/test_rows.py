"""The row rules: every column has one, the engine's own rows pass them, and they hold."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import badfiles  # noqa: E402

from pylib import activity, artifacts, citations, jsondata, rows, tasks, trash, versions  # noqa: E402
from pylib.errors import InvalidParams  # noqa: E402
from pylib.transfer import export_workspace, import_workspace  # noqa: E402
from pylib.transfer.rowcheck import check_rows  # noqa: E402
from pylib.transfer.schema import reference  # noqa: E402
from pylib import migrations  # noqa: E402
from pylib.content import DOCUMENT_TEXT_LIMIT, FILE_INLINE_LIMIT  # noqa: E402


def test_every_column_of_the_latest_schema_has_a_rule():
    latest = reference(migrations.LATEST_VERSION)
    assert {t: set(c) for t, c in latest.columns.items()} == {
        t: set(r) for t, r in rows.RULES.items()}


def test_every_table_is_either_ruled_or_derived_and_rebuilt():
    """The keyword index's tables have no rules on purpose (never copied from a file): the
    list says so explicitly, and the checker refuses to be asked about them."""
    conn = migrations.create_fresh()
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    views = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    conn.close()
    assert tables == set(rows.RULES) | rows.DERIVED_TABLES
    assert not set(rows.RULES) & rows.DERIVED_TABLES
    assert views == rows.DERIVED_VIEWS
    assert not rows.DERIVED_TABLES & set(reference(migrations.LATEST_VERSION).tables)
    with pytest.raises(ValueError, match="derived"):
        rows.row_checker("search_map", ("docid", "artifact_id", "has_body"))


def test_every_kind_of_row_the_engine_writes_passes_the_rules(tmp_path):
    """So the rules and the engine cannot drift apart: exercise every write, check every row."""
    ws = badfiles.make_workspace(tmp_path)
    doc = artifacts.create(ws, "/r/ünïcode é.md", "# x")
    big = artifacts.upload(ws, "/r/big.bin", b"\x00" * (1024 * 1024 + 10))
    for i in range(6):  # older versions become deltas and keyframes
        artifacts.update(ws, doc.id, f"# y\n{'line ' * 50}{i}\n")
    artifacts.restore_version(ws, versions.list_versions(ws, doc.id)[-1]["id"])
    large = artifacts.create(ws, "/r/large.md", "# big\n" + "word " * 300_000)  # a 1.5 MB document
    artifacts.update(ws, large.id, "# bigger\n" + "word " * 300_001)
    artifacts.rename(ws, big.id, "bigger.bin")
    task = tasks.claim(ws)
    tasks.complete(ws, task.id, {"deep": [[[[1.5]]]], "s": "\u00e9"})
    failed = tasks.enqueue(ws, "x" * rows.MAX_TASK_TYPE_CHARS, [None, True, "t"])
    tasks.fail(ws, failed.id, "")
    citations.record(ws, doc.id, "r" * rows.MAX_RUN_ID_CHARS, 1, "")
    trash.trash_folder(ws, "/r")
    other = badfiles.make_workspace(tmp_path, "o.sqlite", tag="other")
    import_workspace(ws, export_workspace(other), "merge")
    latest = reference(migrations.LATEST_VERSION)
    check_rows(ws.conn, {t: latest.columns[t] for t in latest.tables})
    assert ws.conn.execute("SELECT count(*) FROM action_log").fetchone()[0] > 20
    stored = {s for (s,) in ws.conn.execute("SELECT DISTINCT storage FROM artifact_versions")}
    assert {"full", "delta"} <= stored


def test_engine_writes_refuse_what_the_rules_refuse(tmp_path):
    ws = badfiles.make_workspace(tmp_path)
    deep = []
    for _ in range(jsondata.MAX_DEPTH):
        deep = [deep]
    with pytest.raises(InvalidParams):
        tasks.enqueue(ws, "t", deep)
    with pytest.raises(InvalidParams):
        tasks.enqueue(ws, "t", "x" * jsondata.MAX_BYTES)
    task = tasks.enqueue(ws, "t", {})
    with pytest.raises(InvalidParams):
        tasks.fail(ws, task.id, "e" * (rows.MAX_ERROR_CHARS + 1))
    with pytest.raises(InvalidParams):
        citations.record(ws, task.id, "r", float("nan"))


@pytest.mark.parametrize("text", [
    "[" * 200_000, "[" * 200_000 + "]" * 200_000, '"' + "[" * 100_000 + '"',
    '["\\"' + "[" * 70 + '"]',
])
def test_json_depth_is_measured_without_recursion(text):
    try:
        value = jsondata.parse(text)
    except jsondata.JSONProblem:
        return
    assert isinstance(value, (str, list))


def test_json_brackets_inside_strings_do_not_count():
    assert jsondata.parse('["' + "[" * 500 + '"]') == ["[" * 500]
    limit = jsondata.MAX_DEPTH
    assert jsondata.too_deep("[" * (limit + 1) + "]" * (limit + 1))
    assert not jsondata.too_deep("[" * limit + "]" * limit)


def test_json_at_the_depth_limit_reads_back_through_every_model(tmp_path):
    """The deepest storable JSON must read back through the engine's pydantic models on this
    runtime (inside Pyodide, pydantic-core gives up at 50 levels)."""
    ws = badfiles.make_workspace(tmp_path)
    deep = "leaf"
    for _ in range(jsondata.MAX_DEPTH):
        deep = [deep]
    task = tasks.enqueue(ws, "t", deep)
    assert tasks.get(ws, task.id).input == deep and tasks.list_tasks(ws)
    with ws.transaction() as conn:
        conn.execute("UPDATE action_log SET payload = ?", (jsondata.dump({"a": deep[0]}),))
    assert activity.list_actions(ws).items[0].payload == {"a": deep[0]}


@pytest.mark.parametrize("table, column, value, ok", [
    ("citations", "weight", 1.0, True), ("citations", "weight", 1e308, False),
    ("citations", "weight", float("nan"), False), ("citations", "weight", True, False),
    ("artifacts", "content", rows.BlobLength(DOCUMENT_TEXT_LIMIT), True),
    ("artifacts", "content", rows.BlobLength(DOCUMENT_TEXT_LIMIT + 1), False),
    ("artifact_versions", "content", rows.BlobLength(DOCUMENT_TEXT_LIMIT + 1), False),
    ("artifact_versions", "storage", "lz4", False),
    ("artifacts", "content", 12, False), ("artifacts", "kind", "markdown", True),
    ("artifacts", "path", "/a/b.md", True), ("artifacts", "path", "/e\u0301", False),
    ("artifacts", "created_at", 2**53, False), ("agent_tasks", "status", "DONE", False),
    ("sync_state", "value", "", True), ("artifacts", "metadata", "[]", False),
])
def test_single_values(table, column, value, ok):
    assert (rows.RULES[table][column].problem(value) is None) is ok


def test_a_row_is_checked_column_by_column_then_across_columns():
    row = {"id": "a", "path": "/x/y.md", "name": "z.md"}
    assert rows.row_problem("folders", row) == ("name", "'z.md' is not the last segment of the path")
    assert rows.row_problem("folders", {**row, "name": "y.md"}) is None
    assert rows.row_problem("folders", {**row, "id": ""})[0] == "id"


def test_only_documents_stay_inline_past_the_file_limit():
    big = b"a" * (FILE_INLINE_LIMIT + 1)
    row = {"id": "a", "path": "/x.md", "name": "x.md", "content": big, "kind": "markdown"}
    assert rows.row_problem("artifacts", row) is None
    assert rows.row_problem("artifacts", {**row, "kind": "image"})[0] == "content"
    assert rows.row_problem("artifacts", {**row, "content": b"\x00" + big})[0] == "content"
    assert rows.row_problem("artifacts", {**row, "content": b"\x00" * 100, "kind": "image"}) is None


def test_a_delta_names_its_base():
    row = {"id": "v", "storage": "delta", "base_id": None}
    assert rows.row_problem("artifact_versions", row)[0] == "base_id"
    assert rows.row_problem("artifact_versions", {**row, "base_id": "w"}) is None


def test_invalid_utf8_is_named_by_row_and_column(tmp_path):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE sync_state (key TEXT, value TEXT)")
    conn.execute("INSERT INTO sync_state VALUES ('good', 'fine'), ('bad', CAST(X'c3' AS TEXT))")
    with pytest.raises(Exception) as refused:
        check_rows(conn, {"sync_state": ("key", "value")})
    assert refused.value.details["row"] == "'bad'" and refused.value.details["column"] == "value"
