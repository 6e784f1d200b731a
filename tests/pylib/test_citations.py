"""Citations: weighted, validated, listed by source and by run."""

import math

import pytest

from pylib import activity, artifacts, citations, db
from pylib.errors import InvalidParams, NotFound


def _ws(tmp_path):
    return db.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")


def test_record_and_list(tmp_path):
    ws = _ws(tmp_path)
    a = artifacts.create(ws, "/a.md", "a")
    b = artifacts.create(ws, "/b.md", "b")
    c1 = citations.record(ws, a.id, "run-1", 0.25, "quoted the intro")
    citations.record(ws, b.id, "run-1", 1)
    citations.record(ws, a.id, "run-2", 0.0)
    assert c1.weight == 0.25 and c1.reason == "quoted the intro"
    assert [c.citing_run_id for c in citations.list_by_source(ws, a.id)] == ["run-1", "run-2"]
    assert [c.source_artifact_id for c in citations.list_by_run(ws, "run-1")] == [a.id, b.id]
    assert citations.list_by_run(ws, "run-3") == []
    stored = citations.list_by_source(ws, a.id)[0]
    assert stored == c1
    assert activity.list_actions(ws).items[0].action_type == "CITATION_RECORD"


@pytest.mark.parametrize("weight", [-0.01, 1.01, math.nan, math.inf, -math.inf, "0.5", None,
                                    True])
def test_bad_weights_are_refused(tmp_path, weight):
    ws = _ws(tmp_path)
    a = artifacts.create(ws, "/a.md", "a")
    with pytest.raises(InvalidParams):
        citations.record(ws, a.id, "run", weight)
    assert citations.list_by_source(ws, a.id) == []


def test_unknown_artifact_or_empty_run_is_refused(tmp_path):
    ws = _ws(tmp_path)
    with pytest.raises(NotFound):
        citations.record(ws, "missing", "run", 0.5)
    a = artifacts.create(ws, "/a.md", "a")
    with pytest.raises(InvalidParams):
        citations.record(ws, a.id, "", 0.5)
    assert ws.conn.execute("SELECT count(*) FROM citations").fetchone()[0] == 0
