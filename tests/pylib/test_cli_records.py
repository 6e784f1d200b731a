"""`quire tasks`, `quire citations` and `quire cat` on exported files."""

import io
import json

from pylib import api, cli
from pylib.transfer import export_workspace


def _export(tmp_path):
    api.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    try:
        doc = api.dispatch("artifacts.create", {"path": "/n/a.md", "content": "first text"})
        for text in ("second text", "third text"):
            api.dispatch("artifacts.update", {"id": doc["id"], "content": text})
        t = api.dispatch("tasks.enqueue", {"task_type": "summarise", "input": {"doc": doc["id"]}})
        api.dispatch("tasks.claim", {})
        api.dispatch("tasks.complete", {"id": t["id"], "output": {"words": 3}})
        bad = api.dispatch("tasks.enqueue", {"task_type": "translate", "input": {}})
        api.dispatch("tasks.claim", {})
        api.dispatch("tasks.fail", {"id": bad["id"], "error": "no model"})
        api.dispatch("citations.record", {"source_artifact_id": doc["id"],
                                          "citing_run_id": "run-1", "weight": 0.8,
                                          "reason": "quoted"})
        path = tmp_path / "export.sqlite"
        path.write_bytes(export_workspace(api.current()))
    finally:
        api.close_workspace()
    return str(path)


def _run(argv):
    out = io.StringIO()
    import contextlib
    with contextlib.redirect_stdout(out):
        code = cli.main(argv)
    return code, out.getvalue()


def test_tasks_lists_by_status_with_input_output_and_error(tmp_path):
    file = _export(tmp_path)
    code, text = _run(["tasks", file])
    assert code == 0 and "COMPLETED" in text and '{"words": 3}' in text and "no model" in text
    code, text = _run(["tasks", file, "--status", "failed", "--json"])
    rows = json.loads(text)
    assert [r["task_type"] for r in rows] == ["translate"] and rows[0]["error"] == "no model"


def test_citations_by_document_and_by_run(tmp_path):
    file = _export(tmp_path)
    code, text = _run(["citations", file, "--json", "--document", "/n/a.md"])
    [row] = json.loads(text)
    assert (row["run"], row["weight"], row["reason"]) == ("run-1", 0.8, "quoted")
    code, text = _run(["citations", file, "--run", "other", "--json"])
    assert json.loads(text) == []


def test_cat_prints_current_text_and_old_versions(tmp_path):
    file = _export(tmp_path)
    assert _run(["cat", file, "/n/a.md"]) == (0, "third text")
    assert _run(["cat", file, "/n/a.md", "--version", "1"]) == (0, "first text")
    err = io.StringIO()
    import contextlib
    with contextlib.redirect_stderr(err):
        code = cli.main(["cat", file, "/n/missing.md"])
    assert code == 1 and "No document at /n/missing.md" in err.getvalue()
