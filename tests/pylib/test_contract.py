"""Page, worker and docs agree on the engine's methods (all generated from api.METHODS).

- web/engine/methods.mjs (what client.mjs checks every call against) and the docs' method
  table are exactly what pylib.contract renders;
- every method the page's code names exists, and the worker serves every method in the table;
- every result has the shape its model says.
"""

import ast
import inspect
import re
import typing
from pathlib import Path

from pydantic import TypeAdapter

from pylib import api, contract, models
from pylib.sync import api_methods as sync_methods
from pylib.blobs import api_methods as blob_methods
from pylib.blobs import old_versions as blob_versions

ROOT = Path(__file__).resolve().parents[2]
NAMESPACES = sorted({name.split(".")[0] for name in api.METHODS})
# A string literal naming a method, in any quotes: "tree.list", 'trash.restore', `x.y`.
METHOD_LITERAL = re.compile(r"""["'`]((?:%s)\.[a-z_]+)["'`]""" % "|".join(NAMESPACES))
CALL = re.compile(r"""\.call\(\s*["'`]([^"'`]+)["'`]""")


def _page_sources():
    return sorted((ROOT / "web" / "ui").glob("*.mjs")) + [ROOT / "web" / "engine" / "client.mjs"]


def test_generated_files_are_current():
    assert (ROOT / "web" / "engine" / "methods.mjs").read_text(encoding="utf-8") \
        == contract.methods_mjs(), "run python -m pylib.contract --write"
    docs = (ROOT / "docs" / "engine-api.md").read_text(encoding="utf-8")
    assert contract.docs_with_table(docs) == docs, "run python -m pylib.contract --write"


def test_the_table_lists_exactly_the_workers_methods():
    table = (ROOT / "web" / "engine" / "methods.mjs").read_text(encoding="utf-8")
    listed = set(re.findall(r'^  "([a-z_]+\.[a-z_]+)": ', table, flags=re.M))
    assert listed == set(api.METHODS)
    docs = (ROOT / "docs" / "engine-api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", docs, flags=re.M))
    assert documented == set(api.METHODS)


def test_every_method_the_page_names_exists():
    named = {}
    for path in _page_sources():
        text = path.read_text(encoding="utf-8")
        for name in CALL.findall(text) + METHOD_LITERAL.findall(text):
            named.setdefault(name, path.name)
    assert len(named) >= 20, named  # the scan finds the page's calls (tree.list, ...)
    unknown = {name: where for name, where in named.items() if name not in api.METHODS}
    assert unknown == {}


def test_named_result_shapes_are_described_in_the_docs():
    shapes = (ROOT / "docs" / "engine-api.md").read_text(encoding="utf-8")
    shapes = shapes.split("\n## Shapes", 1)[1].split("\n## ", 1)[0]
    names = set()
    for method in api.METHODS.values():
        text = contract.type_name(contract.result_model(method))
        names.update(n for n in re.findall(r"[A-Z][A-Za-z]+", text) if n not in ("PENDING",))
    missing = {n for n in names if f"`{n}`" not in shapes}
    assert names and missing == set()


def _check(results, name, value):
    shape = contract.result_model(api.METHODS[name])
    TypeAdapter(shape).validate_python(value)
    results.add(name)


def test_every_method_is_served_and_returns_its_shape(tmp_path):
    api.open_workspace(str(tmp_path / "w.sqlite"), synchronous="OFF")
    done = set()
    call = api.dispatch
    try:
        sync_methods.configure(base_url="http://127.0.0.1:9")  # a proxy that is not there
        for name in api.METHODS:  # none is unknown to the worker, whatever the params
            try:
                result = call(name, {})
                if inspect.iscoroutine(result):
                    result.close()  # a network method (pylib.blobs.api_methods): not run here
            except Exception as exc:
                assert exc.code != "unknown_method", name
        for name in ("workspace.info", "tree.list", "trash.list", "storage.stats",
                     "activity.list", "trash.empty", "transfer.export"):
            _check(done, name, call(name))
        art = call("artifacts.create", {"path": "/d/a.md", "content": "# a"})
        _check(done, "artifacts.create", art)
        _check(done, "artifacts.get", call("artifacts.get", {"id": art["id"]}))
        _check(done, "artifacts.update", call("artifacts.update", {"id": art["id"], "content": "b"}))
        _check(done, "artifacts.rename", call("artifacts.rename", {"id": art["id"], "name": "c.md"}))
        _check(done, "folders.create", call("folders.create", {"path": "/e"}))
        _check(done, "artifacts.move", call("artifacts.move", {"id": art["id"], "folder": "/e"}))
        up = call("artifacts.upload", {"path": "/u.bin", "data": b"\x01"})
        _check(done, "artifacts.upload", up)
        _check(done, "artifacts.download", call("artifacts.download", {"id": up["id"]}))
        history = call("versions.list", {"artifact_id": art["id"]})
        _check(done, "versions.list", history)
        _check(done, "versions.get", call("versions.get", {"version_id": history[-1]["id"]}))
        _check(done, "versions.diff", call("versions.diff", {"version_id": history[0]["id"],
                                                             "against": "current"}))
        _check(done, "versions.restore", call("versions.restore", {"version_id": history[-1]["id"]}))
        _check(done, "folders.rename", call("folders.rename", {"path": "/d", "name": "g"}))
        _check(done, "folders.move", call("folders.move", {"path": "/g", "parent": "/e"}))
        _check(done, "markdown.render", call("markdown.render", {"text": "*x*"}))
        link = call("artifacts.create", {"path": "/l.md", "content": "[[c]] #t/u"})
        _check(done, "links.backlinks", call("links.backlinks", {"id": art["id"]}))
        _check(done, "links.outgoing", call("links.outgoing", {"id": link["id"]}))
        _check(done, "links.incoming", call("links.incoming", {"id": art["id"]}))
        _check(done, "links.complete", call("links.complete", {"query": "c"}))
        _check(done, "tags.list", call("tags.list"))
        _check(done, "tags.notes", call("tags.notes", {"tag": "t"}))
        _check(done, "artifacts.delete", call("artifacts.delete", {"id": up["id"]}))
        _check(done, "folders.delete", call("folders.delete", {"path": "/e/g"}))
        [item, *_] = call("trash.list")
        _check(done, "trash.contents", call("trash.contents", {"id": item["id"]}))
        _check(done, "trash.restore", call("trash.restore", {"id": item["id"]}))
        _check(done, "trash.restore_one", call("trash.restore_one", {"id": up["id"]}))
        task = call("tasks.enqueue", {"task_type": "t", "input": {"n": 1}})
        _check(done, "tasks.enqueue", task)
        _check(done, "tasks.claim", call("tasks.claim", {}))
        _check(done, "tasks.get", call("tasks.get", {"id": task["id"]}))
        _check(done, "tasks.complete", call("tasks.complete", {"id": task["id"]}))
        other = call("tasks.enqueue", {"task_type": "t"})
        call("tasks.claim", {})
        _check(done, "tasks.fail", call("tasks.fail", {"id": other["id"], "error": "no"}))
        _check(done, "tasks.list", call("tasks.list", {}))
        cite = {"source_artifact_id": art["id"], "citing_run_id": "r", "weight": 0.5}
        _check(done, "citations.record", call("citations.record", cite))
        _check(done, "citations.list_by_source",
               call("citations.list_by_source", {"source_artifact_id": art["id"]}))
        _check(done, "citations.list_by_run", call("citations.list_by_run", {"citing_run_id": "r"}))
        _check(done, "search.query", call("search.query", {"query": "x*", "sort": "date"}))
        for name in ("care.status", "care.settings", "care.preview", "care.check",
                     "care.breakdown", "care.compact"):
            _check(done, name, call(name))
        _check(done, "care.set_retention", call("care.set_retention", {"keep_last": 5}))
        _check(done, "care.cleanup", call("care.cleanup", {"cursor": ""}))
        _check(done, "care.conflict_seen", call("care.conflict_seen", {"artifact_id": art["id"]}))
        _check(done, "care.repair", call("care.repair"))
        _check(done, "care.train_dictionary", call("care.train_dictionary"))
        pending = call("embeddings.pending", {"limit": 5})
        _check(done, "embeddings.pending", pending)
        vectors = [{"id": c["id"], "vector": bytes([1] * 384), "scale": 0.01} for c in pending["chunks"]]
        _check(done, "embeddings.store", call("embeddings.store", {"model": pending["model"], "vectors": vectors}))
        _check(done, "embeddings.progress", call("embeddings.progress"))
        _check(done, "embeddings.vectors", call("embeddings.vectors", {}))
        unit = [1 / 384 ** 0.5] * 384
        _check(done, "search.semantic", call("search.semantic", {"vector": unit}))
        _check(done, "search.fused", call("search.fused", {"query": "c", "vector": unit}))
        _check(done, "search.related", call("search.related", {"id": art["id"]}))
        box = call("vectors.outbox", {})
        _check(done, "vectors.outbox", box)
        _check(done, "vectors.acknowledge", call("vectors.acknowledge", {"upserted": [
            {k: u[k] for k in ("artifact_id", "chunk", "chunk_id")} for u in box["upserts"]]}))
        _check(done, "vectors.forget", call("vectors.forget"))
        _check(done, "sync.status", call("sync.status"))
        _check(done, "sync.event", call("sync.event", {"kind": "offline"}))
        data = call("transfer.export")["data"]
        _check(done, "transfer.validate", call("transfer.validate", {"data": data}))
        _check(done, "transfer.import", call("transfer.import", {"data": data, "mode": "merge"}))
    finally:
        api.close_workspace()
        sync_methods.configure()
    # These reach the proxy and S3: tests/proxy/test_sync_service.py and test_blob_methods.py
    # check their shapes against a live proxy (old versions: test_blob_old_versions.py).
    assert done == set(api.METHODS) - {"sync.tick"} - set(blob_methods.SPECS) - set(blob_versions.SPECS)


def test_type_names_read_well():
    assert contract.type_name(list[models.Citation]) == "[Citation...]"
    assert contract.type_name(models.AgentTask | None) == "AgentTask|null"
    assert contract.type_name(models.Trashed) == "{trashed: int}"
    assert contract.type_name(typing.Literal["a", "b"]) == '"a"|"b"'


def test_the_worker_script_is_glue_with_no_envelope_of_its_own():
    tree = ast.parse((ROOT / "web" / "engine" / "engine.py").read_text(encoding="utf-8"))
    tree.body = tree.body[1:] if ast.get_docstring(tree) else tree.body  # the code, not its doc
    glue = ast.unparse(tree).replace("'", '"')
    assert "rpc.Server()" in glue and "call_js(" in glue
    # No second envelope, error mapping or dispatch in the worker: those live in pylib.rpc.
    for copy in ('"ok"', "result_json", "QuireError", "dispatch(", "error_body"):
        assert copy not in glue, copy
