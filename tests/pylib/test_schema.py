"""Schema: version 1 is the seed schema verbatim; later steps add the rest."""

import re
import sqlite3

import pytest

from pylib import migrations

SEED_TABLES = {"artifacts", "action_log", "agent_tasks", "citations", "sync_state"}
SEED_INDEXES = {
    "idx_artifacts_path", "idx_artifacts_updated", "idx_action_log_timestamp",
    "idx_action_log_synced", "idx_agent_tasks_status", "idx_citations_source",
}


def _names(conn, kind):
    return {n for (n,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'", (kind,))}


def test_steps_are_numbered_from_one_and_found_as_package_resources():
    names = [s.name for s in migrations.STEPS]
    numbers = [s.version for s in migrations.STEPS]
    assert names[0] == "0001_initial"
    assert numbers == sorted(set(numbers)) and numbers[:9] == list(range(1, 10))
    assert migrations.LATEST_VERSION == numbers[-1]
    assert all(re.fullmatch(r"\d{4}_[a-z0-9_]+", n) for n in names)


def test_numbering_may_skip_but_never_repeat():
    step = migrations.Migration
    migrations._check_numbering([step(1, "0001_a", sql=""), step(3, "0003_c", sql="")])
    with pytest.raises(RuntimeError, match="share number 2"):
        migrations._check_numbering([step(1, "0001_a", sql=""), step(2, "0002_b", sql=""),
                                     step(2, "0002_c", sql="")])


def test_version_one_is_exactly_the_seed_schema():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrations.migrate(conn, steps=migrations.STEPS[:1])
    assert migrations.schema_version(conn) == 1
    assert _names(conn, "table") == SEED_TABLES
    assert _names(conn, "index") == SEED_INDEXES
    cols = [r[1] for r in conn.execute("PRAGMA table_info(artifacts)")]
    assert cols == ["id", "path", "name", "mime_type", "content", "s3_key", "size_bytes", "hash",
                    "created_at", "updated_at", "metadata"]
    fks = conn.execute("PRAGMA foreign_key_list(citations)").fetchall()
    assert [(r[2], r[3], r[4]) for r in fks] == [("artifacts", "source_artifact_id", "id")]


def test_initial_step_text_matches_the_seed_sql_statements():
    step = migrations.STEPS[0]
    statements = migrations.split_statements(step.sql)
    assert sum(s.lstrip("- \n").count("CREATE TABLE") for s in statements) == 5
    assert statements[-1].endswith("PRAGMA user_version = 1;")


def test_fresh_database_is_at_latest_version_with_every_table():
    conn = migrations.create_fresh()
    assert migrations.schema_version(conn) == migrations.LATEST_VERSION
    tables = _names(conn, "table")
    assert SEED_TABLES <= tables
    assert {"folders", "trash", "artifact_versions", "pending_uploads"} <= tables
    assert SEED_INDEXES <= _names(conn, "index")
    art_cols = {r[1] for r in conn.execute("PRAGMA table_info(artifacts)")}
    assert {"deleted_at", "trash_id", "kind"} <= art_cols
    # The one view is the search index's content (migration 0012); the only triggers are
    # sync's change capture (0018): insert and delete on each synced table, update on most.
    triggers = _names(conn, "trigger")
    assert all(t.startswith("sync_") for t in triggers) and "sync_artifacts_update" in triggers
    assert _names(conn, "view") == {"search_source"}


def test_schema_objects_of_two_fresh_databases_are_identical():
    a = migrations.schema_objects(migrations.create_fresh())
    b = migrations.schema_objects(migrations.create_fresh())
    assert a == b and ("table", "artifacts") in a


def test_fresh_database_on_disk_passes_integrity_check(tmp_path):
    path = tmp_path / "fresh.sqlite"
    migrations.create_fresh(str(path)).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION


def test_split_statements_keeps_comments_with_semicolons_out_of_the_way():
    sql = "-- a; comment\nCREATE TABLE t (x TEXT); -- trailing; note\nINSERT INTO t VALUES ('a;b');\n"
    parts = migrations.split_statements(sql)
    assert len(parts) == 2 and "'a;b'" in parts[1]
