"""Workspace connection: pragmas, transactions, commit hooks."""

import pytest

from pylib import db


def _ws(tmp_path, **kw):
    return db.open_workspace(str(tmp_path / "w.sqlite"), **{"synchronous": "OFF", **kw})


def test_pragmas_are_set(tmp_path):
    ws = _ws(tmp_path, journal_mode="MEMORY")
    assert ws.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert ws.conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0
    assert ws.conn.execute("PRAGMA journal_mode").fetchone()[0] == "memory"


def test_unknown_journal_mode_is_refused(tmp_path):
    with pytest.raises(ValueError):
        _ws(tmp_path, journal_mode="bogus; DROP TABLE artifacts")


def test_commit_runs_hooks_once_and_counts(tmp_path):
    ws = _ws(tmp_path)
    seen = []
    ws.on_commit.append(lambda w: seen.append(w.commits))
    with ws.transaction() as conn:
        conn.execute("INSERT INTO sync_state VALUES ('a', '1')")
        with ws.transaction():  # nested: joins the outer transaction
            conn.execute("INSERT INTO sync_state VALUES ('b', '2')")
        assert seen == []
    assert seen == [1] and ws.commits == 1


def test_read_only_transaction_is_not_counted(tmp_path):
    ws = _ws(tmp_path)
    seen = []
    ws.on_commit.append(lambda w: seen.append(1))
    with ws.transaction() as conn:
        conn.execute("SELECT count(*) FROM artifacts").fetchone()
    assert seen == [] and ws.commits == 0


def test_exception_rolls_back_everything(tmp_path):
    ws = _ws(tmp_path)
    seen = []
    ws.on_commit.append(lambda w: seen.append(1))
    with pytest.raises(RuntimeError):
        with ws.transaction() as conn:
            conn.execute("INSERT INTO sync_state VALUES ('a', '1')")
            raise RuntimeError("stop")
    assert ws.conn.execute("SELECT count(*) FROM sync_state").fetchone()[0] == 0
    assert not ws.conn.in_transaction and not ws.in_transaction
    assert seen == [] and ws.commits == 0


def test_committed_data_survives_reopen(tmp_path):
    ws = _ws(tmp_path)
    with ws.transaction() as conn:
        conn.execute("INSERT INTO sync_state VALUES ('k', 'v')")
    ws.close()
    again = _ws(tmp_path)
    assert again.conn.execute("SELECT value FROM sync_state").fetchone()[0] == "v"


def test_foreign_keys_are_enforced(tmp_path):
    import sqlite3

    ws = _ws(tmp_path)
    with pytest.raises(sqlite3.IntegrityError):
        with ws.transaction() as conn:
            conn.execute("INSERT INTO citations VALUES ('c', 'missing', 'run', 0.5, NULL, 1)")
