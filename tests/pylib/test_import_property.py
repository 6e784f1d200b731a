"""Attacks nobody wrote the rules for: generated paths, JSON texts and rows (CPython only:
needs hypothesis). Whatever is generated, an import either refuses the file and changes
nothing, or accepts it and every read of the result works."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings, strategies as st  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

import badfiles  # noqa: E402

from pylib import activity, artifacts, citations, folders, migrations, rows, tasks  # noqa: E402
from pylib.db import Workspace  # noqa: E402
from pylib.errors import QuireError  # noqa: E402
from pylib.paths import stored_path_problem  # noqa: E402
from pylib.transfer import export_workspace, import_workspace  # noqa: E402
from pylib.transfer.rowcheck import check_tree  # noqa: E402

_TMP = Path(tempfile.mkdtemp(prefix="quire-prop-"))
_WS = badfiles.make_workspace(_TMP)
_GOOD = export_workspace(_WS)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_PATH_CHARS = st.characters(blacklist_categories=("Cs",))
_SEGMENT = st.one_of(st.text(_PATH_CHARS, max_size=8),
                     st.sampled_from(["..", ".", "", " ", "e\u0301", "\u202e", "a\\b", "x" * 256]))
_PLAIN_SEGMENT = st.text("abc. -_()ééé", min_size=1, max_size=6)
_PATHS = st.one_of(st.text(_PATH_CHARS, max_size=40),
                   st.lists(_SEGMENT, min_size=0, max_size=40).map(lambda s: "/" + "/".join(s)),
                   st.lists(_PLAIN_SEGMENT, min_size=1, max_size=5).map(
                       lambda s: "/" + "/".join(s)))


def _import_or_refuse(bad: bytes) -> bool:
    """Import ``bad`` (replace); on refusal the workspace must be unchanged. True if accepted."""
    before = export_workspace(_WS)
    try:
        import_workspace(_WS, bad, "replace")
    except QuireError as exc:
        assert exc.code == "invalid_import" and exc.message
        assert export_workspace(_WS) == before
        event(f"refused: {exc.details.get('reason')}")
        return False
    event("accepted")
    return True


def _reads_work(ws: Workspace) -> None:
    tree = artifacts.list_tree(ws)
    for item in tree["artifacts"]:
        assert stored_path_problem(item["path"]) is None
        artifacts.get(ws, item["id"])
    assert all(stored_path_problem(p) is None for p in folders.list_paths(ws))
    check_tree(ws.conn, repair=False, now=0)
    activity.list_actions(ws, limit=500)
    tasks.list_tasks(ws)
    assert ws.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@SETTINGS
@given(path=_PATHS, table=st.sampled_from(sorted(badfiles.PATH_COLUMNS)))
def test_generated_paths_are_refused_or_readable(path, table):
    name = path.rsplit("/", 1)[-1]
    bad = badfiles.edit(_GOOD, _TMP, (f"UPDATE {table} SET path = ?, name = ? "
                                      f"{badfiles.PATH_COLUMNS[table]}", (path, name)))
    if _import_or_refuse(bad):
        _reads_work(_WS)


_JSONISH = st.one_of(
    st.text(alphabet='[]{}":,0123456789.eE+-\\unatrfls ', max_size=300),
    st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
                 lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=3),
                                                                           kids, max_size=3),
                 max_leaves=200).map(lambda v: __import__("json").dumps(v)),
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
)


@SETTINGS
@given(text=_JSONISH, target=st.sampled_from(sorted(badfiles.JSON_COLUMNS)))
def test_generated_json_is_refused_or_readable(text, target):
    table, column = target
    bad = badfiles.edit(_GOOD, _TMP, (f"UPDATE {table} SET {column} = ?", (text,)))
    if _import_or_refuse(bad):
        _reads_work(_WS)


_ANY = st.one_of(st.none(), st.integers(-2**63, 2**63 - 1), st.floats(), st.text(max_size=30),
                 st.binary(max_size=10), st.sampled_from(["PENDING", "DONE", "{}", "[]", "1"]))


_TIMES = st.one_of(*[st.integers(0, 2**53 - 1)] * 4, st.sampled_from([-1, 2**53, 2**63 - 1]))
_VALID_JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) |
    st.integers(-2**60, 2**60) | st.text(max_size=5),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=3), kids,
                                                              max_size=3),
    max_leaves=50).map(lambda v: __import__("json").dumps(v))
_PLAUSIBLE = {
    "status": st.sampled_from(rows.TASK_STATUSES), "task_type": st.text(min_size=1, max_size=110),
    "input": st.one_of(*[_VALID_JSON] * 3, _JSONISH),
    "output": st.none() | _VALID_JSON | _JSONISH, "created_at": _TIMES,
    "started_at": st.none() | _TIMES, "completed_at": st.none() | _TIMES,
    "error": st.none() | st.text(max_size=20),
}
# Mostly plausible values, sometimes anything: rows near the rules' edges, on both sides.
_TASKS = st.one_of(
    st.fixed_dictionaries({c: _PLAUSIBLE.get(c, _ANY) for c in rows.RULES["agent_tasks"]}),
    st.fixed_dictionaries({c: _PLAUSIBLE.get(c, _ANY) | _ANY for c in rows.RULES["agent_tasks"]}))


@SETTINGS
@given(values=_TASKS, weight=st.one_of(st.floats(), _ANY), reason=_ANY)
def test_rows_the_rules_accept_can_be_read(values, weight, reason):
    """Any row that passes the rules, stored as is, reads back through the engine."""
    conn = migrations.create_fresh()
    ws = Workspace(conn, ":memory:")
    doc = artifacts.create(ws, "/a.md", "x")
    task = {**values, "id": "t1"}
    cite = {"id": "c1", "source_artifact_id": doc.id, "citing_run_id": "r", "weight": weight,
            "reason": reason, "created_at": 1}
    for table, row in (("agent_tasks", task), ("citations", cite)):
        if rows.row_problem(table, row) is None:
            cols = ", ".join(row)
            with ws.transaction():
                conn.execute(f"INSERT INTO {table} ({cols}) VALUES "
                             f"({', '.join('?' for _ in row)})", tuple(row.values()))
    event(f"task row {'accepted' if rows.row_problem('agent_tasks', task) is None else 'refused'}")
    listed = {t.id for t in tasks.list_tasks(ws)}
    assert ("t1" in listed) == (rows.row_problem("agent_tasks", task) is None)
    cited = {c.id for c in citations.list_by_source(ws, doc.id)}
    assert ("c1" in cited) == (rows.row_problem("citations", cite) is None)
    conn.close()
