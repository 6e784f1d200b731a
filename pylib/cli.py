"""Desktop commands on workspace files: ``quire migrate FILE`` and ``quire check FILE``.

Both start with exactly the import's validation (:mod:`pylib.transfer`) on the file's bytes,
read once: SQLite never opens the file itself, so nothing in it runs and nothing is written
next to it. ``check`` exits non-zero on every file the import refuses; ``migrate`` refuses
the same files, untouched, and otherwise rebuilds the rows at the latest schema.

``main(argv)`` runs them standalone (``python -m pylib.cli``); the proxy's ``quire`` command
adds them to its own parser with :func:`add_subcommands` and runs them with :func:`run`.
Exit codes: 0 success, 1 the file has problems or migrating failed (file restored), 2 the
file cannot be used (missing, not a workspace, schema newer than this Quire).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from typing import Any, TextIO

from pylib import cli_records, migrations, textstore
from pylib.care import integrity
from pylib.clock import now_ms
from pylib.errors import InvalidImport, NotAWorkspace, QuireError, SchemaTooNew
from pylib.transfer.export import export_workspace
from pylib.transfer.importer import checked, rebuilt
from pylib.transfer.validate import DEFAULT_MAX_BYTES, inspect

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2
# Every command this module adds (the proxy's `quire` hands these to :func:`run`).
COMMANDS = ("migrate", "check", *cli_records.COMMANDS)
# Refusals that mean "not a workspace at all" rather than "a workspace with problems".
_UNUSABLE = frozenset({"empty", "not_sqlite", "not_a_workspace"})


def add_subcommands(subparsers: Any) -> None:
    """Add ``migrate`` and ``check`` to an argparse ``add_subparsers()`` object."""
    mig = subparsers.add_parser("migrate", help="upgrade a workspace file to this Quire's schema")
    mig.add_argument("file", help="path to a workspace .sqlite file")
    mig.add_argument("--backup", metavar="PATH",
                     help="where to keep the pre-migration copy (default: FILE.vN.bak)")
    mig.add_argument("--no-backup", action="store_true",
                     help="keep the pre-migration copy in memory only")
    mig.set_defaults(engine_command="migrate")
    chk = subparsers.add_parser("check", help="verify a workspace file and summarise it")
    chk.add_argument("file", help="path to a workspace .sqlite file")
    chk.add_argument("--json", action="store_true", help="print the report as JSON")
    chk.set_defaults(engine_command="check")
    cli_records.add_subcommands(subparsers)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a parsed ``migrate``/``check`` command; returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    if not os.path.isfile(args.file):
        print(f"error: no such file: {args.file}", file=err)
        return EXIT_UNUSABLE
    try:
        if args.engine_command in cli_records.COMMANDS:
            return cli_records.run(args, out)
        if args.engine_command == "migrate":
            return _migrate(args, out)
        return _check(args, out)
    except QuireError as exc:
        unchanged = " The file was not changed." if args.engine_command == "migrate" else ""
        print(f"error: {exc.message}{unchanged}", file=err)
        unusable = isinstance(exc, (NotAWorkspace, SchemaTooNew)) or (
            isinstance(exc, InvalidImport) and exc.details.get("reason") in _UNUSABLE)
        return EXIT_UNUSABLE if unusable else EXIT_PROBLEMS


def _free_backup_path(file: str, version: int) -> str:
    candidate, n = f"{file}.v{version}.bak", 1
    while os.path.exists(candidate):
        n += 1
        candidate = f"{file}.v{version}.{n}.bak"
    return candidate


def _read(file: str) -> bytes:
    return cli_records.read_file(file)


def _write_atomically(file: str, data: bytes) -> None:
    from pylib.platform.cpython_files import write_atomically

    write_atomically(file, data, f"{file}.migrating-{os.getpid()}")


def _migrate(args: argparse.Namespace, out: TextIO) -> int:
    """Validate exactly as an import does (a file with a trigger, view or foreign table is
    refused before anything runs), rebuild the rows in a database made by our migrations,
    then replace the file in one rename, keeping the old bytes as a backup."""
    data = _read(args.file)
    with inspect(data) as found:
        version = found.reference.version
        # Rebuilt even at the latest version: the rebuild's checks are the import's too.
        fresh = rebuilt(found, found.header.page_size, now_ms())
    try:
        if version == migrations.LATEST_VERSION:
            print(f"{args.file}: already at schema version {version}; nothing to do.", file=out)
            return EXIT_OK
        migrated = export_workspace(fresh)
    finally:
        fresh.close()
    backup = None if args.no_backup else (args.backup or _free_backup_path(args.file, version))
    if backup:
        with open(backup, "wb") as fh:
            fh.write(data)
    _write_atomically(args.file, migrated)
    applied = [s.name for s in migrations.STEPS if s.version > version]
    print(f"{args.file}: migrated from schema version {version} to "
          f"{migrations.LATEST_VERSION} ({', '.join(applied)}).", file=out)
    if backup:
        print(f"The previous file is kept at {backup}.", file=out)
    return EXIT_OK


def _count(conn: sqlite3.Connection, table: str, columns: tuple[str, ...],
           where: str = "") -> int | None:
    # Names come from our reference schema; the file's schema was checked to be ours.
    if not columns or ("deleted_at" in where and "deleted_at" not in columns):
        return None
    return conn.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]


def inspect_file(file: str) -> dict[str, Any]:
    """Validate a workspace file exactly as an import would, then summarise it.

    Raises what the import raises (:class:`~pylib.errors.InvalidImport`,
    :class:`~pylib.errors.SchemaTooNew`) for a file it would refuse.
    """
    with checked(_read(file)) as found:
        conn, cols = found.conn, found.reference.columns
        art = cols.get("artifacts", ())
        live = "WHERE deleted_at IS NULL" if "deleted_at" in art else ""
        counts = {
            "artifacts": _count(conn, "artifacts", art, live),
            "trashed_artifacts": _count(conn, "artifacts", art, "WHERE deleted_at IS NOT NULL"),
            "folders": _count(conn, "folders", cols.get("folders", ()), "WHERE deleted_at IS NULL"),
            "versions": _count(conn, "artifact_versions", cols.get("artifact_versions", ())),
            "pending_uploads": _count(conn, "pending_uploads", cols.get("pending_uploads", ())),
            "actions": _count(conn, "action_log", cols.get("action_log", ())),
            "citations": _count(conn, "citations", cols.get("citations", ())),
        }
        tasks = dict(conn.execute("SELECT status, count(*) FROM agent_tasks GROUP BY status"))
        summary = found.summary
        problems = None
        if summary.schema_version == migrations.LATEST_VERSION:
            # The engine's own invariants, as Storage → Check workspace runs them: live paths,
            # versions that rebuild to their hashes, contents that match, files findable.
            textstore.register(conn)
            problems = integrity.run_checks(conn)
    return {
        "file": file, "integrity": ["ok"], "foreign_key_problems": 0,
        "schema_version": summary.schema_version, "latest_version": summary.latest_version,
        "size_bytes": summary.size_bytes, "counts": counts, "tasks": tasks,
        "engine_problems": problems,
    }


def _check(args: argparse.Namespace, out: TextIO) -> int:
    try:
        report = inspect_file(args.file)
    except QuireError as exc:
        if args.json:
            print(json.dumps({"file": args.file, "ok": False, "error": exc.to_dict()},
                             indent=2, default=str), file=out)
        raise
    ok = not report["engine_problems"]
    if args.json:
        print(json.dumps({**report, "ok": ok}, indent=2), file=out)
    else:
        _print_report(report, out)
    return EXIT_OK if ok else EXIT_PROBLEMS


def _print_report(report: dict[str, Any], out: TextIO) -> None:
    version, latest = report["schema_version"], report["latest_version"]
    state = "current" if version == latest else (
        "newer than this Quire" if version > latest else "older; run `quire migrate`")
    fk = report["foreign_key_problems"]
    lines = [
        ("integrity", "; ".join(report["integrity"][:10])),
        ("foreign keys", f"{fk} problem(s)" if fk else "ok"),
        ("schema", f"version {version} ({state})"),
        ("size", f"{report['size_bytes']:,} bytes"),
    ]
    problems = report["engine_problems"]
    lines.append(("engine checks", "run `quire migrate` first" if problems is None
                  else f"{len(problems)} problem(s)" if problems else "ok"))
    lines += [(k.replace("_", " "), v) for k, v in report["counts"].items() if v is not None]
    if report["tasks"]:
        tasks = ", ".join(f"{k} {v}" for k, v in sorted(report["tasks"].items()))
        lines.append(("agent tasks", tasks))
    print(report["file"], file=out)
    for label, value in lines:
        print(f"  {label + ':':<19}{value}", file=out)
    for problem in (problems or [])[:20]:
        print(f"  problem ({problem['check']}): {problem['message']}", file=out)


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point: ``python -m pylib.cli migrate|check FILE``."""
    parser = argparse.ArgumentParser(prog="quire", description="Quire workspace files")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
