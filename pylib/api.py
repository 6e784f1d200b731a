"""The engine's only surface for the UI: ``dispatch(method, params)``.

The data worker serves the page through :mod:`pylib.rpc` (the envelope, saving, errors),
which opens one workspace with :func:`open_workspace` and calls :func:`dispatch` for each
request. Parameters are validated with the models in :mod:`pylib.params`; results are JSON-compatible dicts and lists (``bytes`` for binary
data); every failure is a :class:`~pylib.errors.QuireError` with a stable ``code``. Large
listings are built as JSON text by SQLite (:class:`~pylib.jsontext.JSONText`): ``dispatch``
parses them, or with ``json_text=True`` hands the text on for the page to parse.

Whether a call wrote anything: :attr:`Workspace.commits` grows by one per committed write
transaction, and the ``on_commit`` hooks passed to :func:`open_workspace` run after each one
(the browser layer persists dirty pages there).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from pylib import (
    activity, artifacts, citations, db, folders, models as m, params as p, storage, tags, tasks,
    trash, versions,
)
from pylib import semantic_methods
from pylib.blobs import api_methods as blob_methods
from pylib.blobs import old_versions as blob_versions
from pylib.care import api_methods as care_methods
from pylib.sync import api_methods as sync_methods
from pylib.links import queries as link_queries
from pylib.errors import InternalError, InvalidParams, NoWorkspace, QuireError, QuotaExceeded
from pylib.errors import UnknownMethod
from pylib.jsontext import JSONText

_workspace: db.Workspace | None = None


def open_workspace(
    path: str,
    *,
    journal_mode: str | None = None,
    synchronous: str | None = None,
    backup_path: str | None = None,
    on_commit: list[db.CommitHook] | None = None,
) -> db.Workspace:
    """Open (create, migrate) the workspace the API works on, closing any previous one."""
    global _workspace
    close_workspace()
    ws = db.open_workspace(
        path, journal_mode=journal_mode, synchronous=synchronous, backup_path=backup_path)
    ws.on_commit.extend(on_commit or [])
    _workspace = ws
    return ws


def close_workspace() -> None:
    """Close the current workspace, if any."""
    global _workspace
    if _workspace is not None:
        _workspace.close()
        _workspace = None


def current() -> db.Workspace:
    """The open workspace; raises :class:`~pylib.errors.NoWorkspace` if none is open."""
    if _workspace is None:
        raise NoWorkspace()
    return _workspace


@dataclass(frozen=True)
class Method:
    """One API method: its parameter model, the function that serves it, its result shape.

    ``result`` is a model, ``list[Model]``, ``Model | None``, or a model's name (for models
    of modules imported only when first used); ``note`` is the docs' remark on the method.
    pylib/contract.py builds the page's method table and the docs' table from these.
    """

    params: type[p.Params]
    call: Callable[[db.Workspace, Any], Any]
    result: Any
    note: str = ""

    def __call__(self, ws: db.Workspace, raw: dict[str, Any]) -> Any:
        try:
            parsed = self.params.model_validate(raw)
        except ValidationError as exc:
            problems = [
                {"field": ".".join(str(x) for x in e["loc"]), "problem": e["msg"]}
                for e in exc.errors(include_url=False, include_input=False)
            ]
            raise InvalidParams(
                "; ".join(f"{x['field'] or 'params'}: {x['problem']}" for x in problems),
                problems=problems,
            ) from None
        return self.call(ws, parsed)


def _search(ws: db.Workspace, q: p.SearchQuery) -> dict[str, Any]:
    from pylib import search

    return search.search(ws, q.query, folder=q.folder, kinds=q.kinds, sort=q.sort,
                         limit=q.limit, offset=q.offset)


def _render_markdown(ws: db.Workspace, q: p.RenderMarkdown) -> dict[str, str]:
    from pylib.markdown import render_markdown

    return {"html": render_markdown(q.text)}


def _relocate(ws: db.Workspace, update_links: bool, moved: Any, action: Callable[[], Any]) -> Any:
    """Run a rename/move; with ``update_links``, links to what moved are rewritten with it."""
    if not update_links:
        return action()
    from pylib.links import rewrite

    ids = rewrite.ids_below(ws, moved[1]) if isinstance(moved, tuple) else [moved]
    return rewrite.relocate(ws, ids, action)[0]


def _backlinks(ws: db.Workspace, q: p.Backlinks) -> JSONText:
    # JSON text joined from the index's stored sentences: the worker hands it to the page as is.
    linked = link_queries.backlinks_json(ws.conn, q.id, q.limit)
    mentions = link_queries.mentions(ws.conn, q.id, q.limit) if q.mentions else []
    return JSONText(f'{{"linked":{linked},"mentions":'
                    f'{json.dumps(mentions, ensure_ascii=False, separators=(",", ":"))}}}')


def _incoming(ws: db.Workspace, q: p.IncomingLinks) -> dict[str, int]:
    if (q.id is None) == (q.folder is None):
        raise InvalidParams("Give either a note's id or a folder.")
    from pylib.links import rewrite

    ids = [q.id] if q.id is not None else rewrite.ids_below(ws, q.folder)()
    return link_queries.incoming(ws.conn, ids)


def _trash_contents() -> Any:
    from pylib import trash_contents  # only the trash panel needs it

    return trash_contents


def _history() -> Any:
    from pylib import history  # only the history panel needs difflib

    return history


# transfer is imported when first used: it is the heaviest module and most calls never need it.
def _export(ws: db.Workspace, q: p.NoParams) -> dict[str, Any]:
    from pylib import transfer

    return {"name": transfer.export_filename(ws.clock()), "data": transfer.export_workspace(ws)}


def _validate(ws: db.Workspace, q: p.TransferValidate) -> dict[str, Any]:
    from pylib import transfer

    summary = transfer.validate_import(q.data)
    return {"ok": True, "summary": summary, "description": transfer.describe(summary)}


def _import(ws: db.Workspace, q: p.TransferImport) -> Any:
    from pylib import transfer

    return transfer.import_workspace(ws, q.data, q.mode)


METHODS: dict[str, Method] = {
    "workspace.info": Method(p.NoParams, lambda ws, q: storage.info(ws), m.WorkspaceInfo),
    "tree.list": Method(p.NoParams, lambda ws, q: artifacts.tree_json(ws), m.Tree,
                        "live, sorted by path, no content"),
    "artifacts.get": Method(p.IdParams, lambda ws, q: artifacts.get(ws, q.id), m.Artifact),
    "artifacts.create": Method(
        p.CreateArtifact, lambda ws, q: artifacts.create(ws, q.path, q.content, q.mime_type),
        m.Artifact, "missing parent folders are created"),
    "artifacts.update": Method(
        p.UpdateArtifact, lambda ws, q: artifacts.update(ws, q.id, q.content, q.base_hash),
        m.Artifact, "records a version when content changed; a stale `base_hash` → `conflict`"),
    "artifacts.rename": Method(
        p.RenameArtifact, lambda ws, q: _relocate(
            ws, q.update_links, q.id, lambda: artifacts.rename(ws, q.id, q.name)), m.Artifact,
        "`update_links`: links to it are rewritten in the same transaction"),
    "artifacts.move": Method(
        p.MoveArtifact, lambda ws, q: _relocate(
            ws, q.update_links, q.id, lambda: artifacts.move(ws, q.id, q.folder)), m.Artifact,
        "`folder` must exist; `/` is the root; `update_links` as for rename"),
    "artifacts.delete": Method(
        p.IdParams, lambda ws, q: trash.trash_artifact(ws, q.id), m.Trashed, "goes to trash"),
    "artifacts.upload": Method(
        p.UploadArtifact, lambda ws, q: artifacts.upload(ws, q.path, q.data, q.mime_type),
        m.Artifact, "a text document stays a document; another file > 1 MB: kept locally in"
        " `pending_uploads`, `pending_upload: true`;"
        " > 200 MB → `too_large`"),
    "artifacts.download": Method(
        p.IdParams, lambda ws, q: artifacts.download(ws, q.id), m.Download),
    "folders.create": Method(p.FolderPath, lambda ws, q: folders.create(ws, q.path),
                             m.FolderRef, "parents created as needed"),
    "folders.rename": Method(
        p.RenameFolder, lambda ws, q: _relocate(
            ws, q.update_links, ("below", q.path), lambda: folders.rename(ws, q.path, q.name)),
        m.FolderRef, "every path below is rewritten in the same transaction; `update_links`:"
        " links into it too"),
    "folders.move": Method(
        p.MoveFolder, lambda ws, q: _relocate(
            ws, q.update_links, ("below", q.path), lambda: folders.move(ws, q.path, q.parent)),
        m.FolderRef, "`update_links` as for rename"),
    "folders.delete": Method(
        p.FolderPath, lambda ws, q: trash.trash_folder(ws, q.path), m.Trashed,
        "the folder and everything inside, one trash item"),
    "versions.list": Method(
        p.ListVersions,
        lambda ws, q: versions.list_versions(ws, q.artifact_id, q.limit, q.before),
        list[m.VersionSummary], "newest first, by when each was saved on whichever device"
        " (`before`: the `seq` of the last one of the page before)"),
    "versions.get": Method(p.VersionId, lambda ws, q: versions.get(ws, q.version_id), m.Version),
    "versions.diff": Method(
        p.VersionDiff, lambda ws, q: _history().diff(ws, q.version_id, q.against), m.VersionDiff,
        "line by line, against the version before (`previous`) or the current text"),
    "versions.restore": Method(
        p.VersionId, lambda ws, q: artifacts.restore_version(ws, q.version_id), m.Artifact,
        "restoring records a new version; nothing is lost"),
    "trash.list": Method(p.NoParams, lambda ws, q: trash.list_items(ws), list[m.TrashItem],
                         "most recently deleted first"),
    "trash.restore": Method(
        p.IdParams, lambda ws, q: trash.restore(ws, q.id), m.Restored,
        "`id` is a `TrashItem` id; back at the original path, or `name (restored).ext`"
        " if taken"),
    "trash.contents": Method(
        p.IdParams, lambda ws, q: _trash_contents().contents(ws, q.id), list[m.TrashedDocument],
        "`id` is a `TrashItem` id: the documents in it, by path"),
    "trash.restore_one": Method(
        p.IdParams, lambda ws, q: _trash_contents().restore_one(ws, q.id), m.Restored,
        "`id` is a document's id: it alone comes back (its folders made again), the rest of"
        " its unit stays in the trash"),
    "trash.empty": Method(p.NoParams, lambda ws, q: trash.empty(ws), m.Deleted,
                          "artifacts and folders removed for good, with their versions"),
    "activity.list": Method(
        p.ListActivity, lambda ws, q: activity.list_actions(ws, q.limit, q.before, q.artifact_id),
        m.ActivityPage, "newest first, each with a `sentence`; no entries that changed nothing;"
        " `artifact_id`: one document's; pass `next` back as `before`"),
    "links.backlinks": Method(
        p.Backlinks, _backlinks, m.Backlinks,
        "notes linking to `id` with the sentence around each link; `mentions`: notes naming it"
        " without a link"),
    "links.incoming": Method(
        p.IncomingLinks, _incoming, m.IncomingLinks,
        "other notes linking to `id` (or into `folder`): what `update_links` would rewrite"),
    "links.outgoing": Method(
        p.IdParams, lambda ws, q: link_queries.outgoing(ws.conn, q.id), list[m.OutgoingLink],
        "unresolved links have `note: null`"),
    "links.complete": Method(
        p.CompleteLink, lambda ws, q: link_queries.complete(ws.conn, q.query, q.limit),
        list[m.Completion], "names for `[[`: exact, prefix, word, substring, fuzzy;"
        " `link` is what to write"),
    "tags.list": Method(p.NoParams, lambda ws, q: tags.list_tags(ws), list[m.TagNode],
                        "nested; `count` includes the tags below"),
    "tags.notes": Method(
        p.TagNotes, lambda ws, q: tags.notes(ws, q.tag, q.nested, q.limit), list[m.TaggedNote],
        "`nested`: tags below it too"),
    "storage.stats": Method(p.NoParams, lambda ws, q: storage.stats(ws), m.StorageStats),
    "markdown.render": Method(p.RenderMarkdown, _render_markdown, m.Html, "escaped, safe"),
    "tasks.enqueue": Method(
        p.EnqueueTask, lambda ws, q: tasks.enqueue(ws, q.task_type, q.input), m.AgentTask),
    "tasks.claim": Method(p.ClaimTask, lambda ws, q: tasks.claim(ws, q.task_type),
                          m.AgentTask | None, "the oldest PENDING task, or `null`"),
    "tasks.complete": Method(
        p.CompleteTask, lambda ws, q: tasks.complete(ws, q.id, q.output), m.AgentTask),
    "tasks.fail": Method(p.FailTask, lambda ws, q: tasks.fail(ws, q.id, q.error), m.AgentTask),
    "tasks.get": Method(p.IdParams, lambda ws, q: tasks.get(ws, q.id), m.AgentTask),
    "tasks.list": Method(
        p.ListTasks, lambda ws, q: tasks.list_tasks(ws, q.status, q.limit), list[m.AgentTask]),
    "citations.record": Method(
        p.RecordCitation,
        lambda ws, q: citations.record(
            ws, q.source_artifact_id, q.citing_run_id, q.weight, q.reason), m.Citation),
    "citations.list_by_source": Method(
        p.CitationsBySource, lambda ws, q: citations.list_by_source(ws, q.source_artifact_id),
        list[m.Citation]),
    "citations.list_by_run": Method(
        p.CitationsByRun, lambda ws, q: citations.list_by_run(ws, q.citing_run_id),
        list[m.Citation]),
    "transfer.export": Method(p.NoParams, _export, m.Export,
                              "`workspace-YYYY-MM-DD.sqlite`, a consistent snapshot"),
    "transfer.validate": Method(p.TransferValidate, _validate, m.Validation,
                                "or error `invalid_import` / `schema_too_new`"),
    "transfer.import": Method(p.TransferImport, _import, "ImportResult"),
    "search.query": Method(
        p.SearchQuery, _search, m.SearchResults,
        "live documents, one hit each; `folder` includes subfolders; any text is a valid query"),
    **{name: Method(*spec) for name, spec in care_methods.SPECS.items()},
    **{name: Method(*spec) for name, spec in semantic_methods.SPECS.items()},
    **{name: Method(*spec) for name, spec in sync_methods.SPECS.items()},
    **{name: Method(*spec) for name, spec in blob_methods.SPECS.items()},
    **{name: Method(*spec) for name, spec in blob_versions.SPECS.items()},
}


def plain(value: Any) -> Any:
    """Pydantic models to plain data; bytes stay bytes.

    Handlers return a model, a list of models, plain dicts that may hold models one level
    down, or :class:`JSONText`. Lists of plain rows are passed through untouched: walking every
    value of a 1,000-row listing would cost more than building it.
    """
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list):
        return [plain(v) for v in value] if value and isinstance(value[0], BaseModel) else value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def dispatch(
    method: str, params: dict[str, Any] | None = None, *, json_text: bool = False
) -> Any:
    """Run one API method on the open workspace and return its plain result.

    A result the engine built as JSON text is parsed, unless ``json_text`` is true: then it
    stays a :class:`~pylib.jsontext.JSONText` (the browser worker sends its text to the page
    as it is). Raises only :class:`~pylib.errors.QuireError`; anything unexpected is wrapped
    with code ``internal`` (the original is chained as ``__cause__``).
    """
    try:
        handler = METHODS.get(method) if isinstance(method, str) else None
        if handler is None:
            raise UnknownMethod(f"Unknown method {str(method)[:100]!r}.")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise InvalidParams("params must be an object.")
        result = plain(handler(current(), params))
        return result.parse() if isinstance(result, JSONText) and not json_text else result
    except QuireError:
        raise
    except sqlite3.OperationalError as exc:
        if "full" in str(exc).lower():
            raise QuotaExceeded() from exc
        raise InternalError(f"Database error: {exc}.", type=type(exc).__name__) from exc
    except Exception as exc:
        raise InternalError(f"An internal error occurred ({type(exc).__name__}: {exc}).",
                            type=type(exc).__name__) from exc
