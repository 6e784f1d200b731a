"""Every kind of bad file is refused with a clear error and leaves the workspace untouched."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper module next to this file

import badfiles  # noqa: E402

from pylib.errors import QuireError  # noqa: E402
from pylib.transfer import export_workspace, import_workspace, validate_import  # noqa: E402


def test_there_are_at_least_twelve_kinds_of_bad_file():
    assert len(badfiles.BAD_FILES) >= 12


@pytest.mark.parametrize("kind", sorted(badfiles.BAD_FILES))
def test_bad_file_is_refused_and_workspace_unchanged(tmp_path, kind):
    ws = badfiles.make_workspace(tmp_path)
    good = export_workspace(ws)
    build, code, reason = badfiles.BAD_FILES[kind]
    bad, max_bytes = build(good, tmp_path)
    limit = {"max_bytes": max_bytes} if max_bytes else {}
    before_bytes, before_rows, commits = export_workspace(ws), badfiles.table_contents(ws.conn), ws.commits

    with pytest.raises(QuireError) as refused:
        validate_import(bad, **limit)
    assert refused.value.code == code
    if reason is not None:
        assert refused.value.details.get("reason") == reason, refused.value.message
    assert refused.value.message and not refused.value.message.startswith("<")

    for mode in ("replace", "merge"):
        with pytest.raises(QuireError) as failed:
            import_workspace(ws, bad, mode, **limit)
        assert failed.value.code == code

    assert export_workspace(ws) == before_bytes
    assert badfiles.table_contents(ws.conn) == before_rows
    assert ws.commits == commits
    assert ws.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_trigger_in_file_never_runs(tmp_path):
    """A trigger that would wipe the artifacts is refused before anything could fire it."""
    ws = badfiles.make_workspace(tmp_path)
    bad = badfiles.edit(export_workspace(ws), tmp_path,
                        "CREATE TABLE marker (x)",
                        "CREATE TRIGGER wipe AFTER INSERT ON artifacts BEGIN "
                        "INSERT INTO marker VALUES (1); END")
    count = ws.conn.execute("SELECT count(*) FROM artifacts").fetchone()[0]
    with pytest.raises(QuireError):
        import_workspace(ws, bad, "replace")
    assert ws.conn.execute("SELECT count(*) FROM artifacts").fetchone()[0] == count
    assert "marker" not in badfiles.table_contents(ws.conn)


def test_not_bytes_is_refused(tmp_path):
    with pytest.raises(QuireError) as refused:
        validate_import("workspace.sqlite")  # a name, not the file's bytes
    assert refused.value.code == "invalid_import"
