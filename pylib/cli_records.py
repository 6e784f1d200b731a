"""Desktop commands that read a workspace file's records: ``quire tasks``, ``quire citations``
and ``quire cat``.

Like ``quire check``, each validates the file exactly as an import does and reads a copy
Quire rebuilt (upgraded to this Quire's schema) in memory: the file itself is never opened
by SQLite, never written, and nothing in it runs. ``cat`` prints a document's text, or one of
its versions rebuilt from deltas and compression (``--version N``), so an exported file's
history is readable without the app.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator, TextIO

from pylib import tasks, textstore, versions
from pylib.clock import now_ms
from pylib.db import Workspace
from pylib.errors import InvalidImport, NotFound
from pylib.transfer.importer import rebuilt
from pylib.transfer.validate import DEFAULT_MAX_BYTES, inspect

COMMANDS = ("tasks", "citations", "cat")


def add_subcommands(subparsers: Any) -> None:
    """Add ``tasks``, ``citations`` and ``cat`` to an argparse ``add_subparsers()`` object."""
    tsk = subparsers.add_parser("tasks", help="list a workspace file's agent tasks")
    tsk.add_argument("file")
    tsk.add_argument("--status", choices=tasks.STATUSES, type=str.upper)
    tsk.add_argument("--json", action="store_true", help="print JSON")
    cit = subparsers.add_parser("citations", help="which runs cited which documents")
    cit.add_argument("file")
    cit.add_argument("--document", metavar="PATH", help="only citations of this document")
    cit.add_argument("--run", metavar="RUN_ID", help="only citations made by this run")
    cit.add_argument("--json", action="store_true", help="print JSON")
    cat = subparsers.add_parser("cat", help="print a document's text (or an old version's)")
    cat.add_argument("file")
    cat.add_argument("path", help="the document's path, e.g. /notes/ideas.md")
    cat.add_argument("--version", type=int, metavar="N",
                     help="the version History shows as #N (1 the oldest);"
                          " default: the current text")
    for sub, name in ((tsk, "tasks"), (cit, "citations"), (cat, "cat")):
        sub.set_defaults(engine_command=name)


def read_file(file: str) -> bytes:
    """The file's bytes. SQLite never opens the file itself: nothing is ever written next to
    it (no -wal or -shm, whatever its header says) and nothing in it runs."""
    size = os.path.getsize(file)
    if size > DEFAULT_MAX_BYTES:
        raise InvalidImport(f"The file is {size:,} bytes; the limit is {DEFAULT_MAX_BYTES:,}.",
                            reason="too_large")
    with open(file, "rb") as fh:
        return fh.read()


@contextmanager
def opened(file: str) -> Iterator[Workspace]:
    """The file validated as an import would, rebuilt at this Quire's schema, in memory."""
    with inspect(read_file(file)) as found:
        fresh = rebuilt(found, found.header.page_size, now_ms())
    try:
        yield Workspace(fresh, ":memory:")
    finally:
        fresh.close()


def _task_rows(ws: Workspace, status: str | None) -> list[dict[str, Any]]:
    return [t.model_dump() for t in tasks.list_tasks(ws, status, 500)]


def _citation_rows(ws: Workspace, document: str | None, run: str | None) -> list[dict[str, Any]]:
    sql = ("SELECT c.citing_run_id, a.path, c.weight, c.reason, c.created_at, c.id"
           " FROM citations c LEFT JOIN artifacts a ON a.id = c.source_artifact_id WHERE 1")
    args: list[Any] = []
    if document:
        sql += " AND a.path = ?"
        args.append(document)
    if run:
        sql += " AND c.citing_run_id = ?"
        args.append(run)
    rows = ws.conn.execute(sql + " ORDER BY c.citing_run_id, c.weight DESC, a.path", args)
    return [{"run": r[0], "document": r[1], "weight": r[2], "reason": r[3], "created_at": r[4],
             "id": r[5]} for r in rows]


def _cat(ws: Workspace, path: str, version: int | None, out: TextIO) -> None:
    row = ws.conn.execute("SELECT id FROM artifacts WHERE path = ?"
                          " ORDER BY deleted_at IS NOT NULL LIMIT 1", (path,)).fetchone()
    if row is None:
        raise NotFound(f"No document at {path}.")
    if version is None:
        data = textstore.read(ws.conn, row[0])
    else:
        vid = versions.by_number(ws, row[0], version)
        if vid is None:
            raise NotFound(f"{path} has no version {version}.")
        data = versions.content_of(ws, vid)[1]
    data = data.encode() if isinstance(data, str) else bytes(data or b"")
    out.write(data.decode("utf-8", errors="replace"))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, (dict, list)) else value


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run a parsed records command on ``args.file``; raises what the import raises."""
    with opened(args.file) as ws:
        if args.engine_command == "cat":
            _cat(ws, args.path, args.version, out)
            return 0
        if args.engine_command == "tasks":
            rows = _task_rows(ws, args.status)
            line = "{status:<10} {task_type:<20} {id}  in={input} out={output} err={error}"
        else:
            rows = _citation_rows(ws, args.document, args.run)
            line = "{run:<24} {weight:>5.2f}  {document}  {reason}"
    if args.json:
        print(json.dumps(rows, indent=2, default=str), file=out)
        return 0
    for row in rows:
        print(line.format(**{k: _cell(v) for k, v in row.items()}), file=out)
    if not rows:
        print(f"no {args.engine_command} in {args.file}", file=sys.stderr)
    return 0
