"""Desktop commands on workspace files: ``quire migrate FILE`` and ``quire check FILE``.

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
from pathlib import Path
from typing import Any, TextIO

from pylib import migrations
from pylib.db import connect
from pylib.errors import MigrationFailed, NotAWorkspace, QuireError, SchemaTooNew

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2


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


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a parsed ``migrate``/``check`` command; returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    if not os.path.isfile(args.file):
        print(f"error: no such file: {args.file}", file=err)
        return EXIT_UNUSABLE
    try:
        if args.engine_command == "migrate":
            return _migrate(args, out)
        return _check(args, out)
    except MigrationFailed as exc:
        print(f"error: {exc.message}", file=err)
        return EXIT_PROBLEMS
    except (NotAWorkspace, SchemaTooNew) as exc:
        print(f"error: {exc.message}", file=err)
        return EXIT_UNUSABLE
    except QuireError as exc:
        print(f"error: {exc.message}", file=err)
        return EXIT_PROBLEMS


def _free_backup_path(file: str, version: int) -> str:
    candidate, n = f"{file}.v{version}.bak", 1
    while os.path.exists(candidate):
        n += 1
        candidate = f"{file}.v{version}.{n}.bak"
    return candidate


def _migrate(args: argparse.Namespace, out: TextIO) -> int:
    conn = connect(args.file)
    try:
        version = migrations.check_version(conn)
        if version == migrations.LATEST_VERSION:
            print(f"{args.file}: already at schema version {version}; nothing to do.", file=out)
            return EXIT_OK
        backup = None if args.no_backup else (args.backup or _free_backup_path(args.file, version))
        report = migrations.migrate(conn, backup_path=backup)
    finally:
        conn.close()
    print(f"{args.file}: migrated from schema version {report.from_version} to "
          f"{report.to_version} ({', '.join(report.applied)}).", file=out)
    if backup:
        print(f"The previous file is kept at {backup}.", file=out)
    return EXIT_OK


def _open_read_only(file: str) -> sqlite3.Connection:
    with open(file, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise NotAWorkspace("That file is not a SQLite database.")
    conn = sqlite3.connect(Path(file).absolute().as_uri() + "?mode=ro", uri=True)
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _count(conn: sqlite3.Connection, table: str, where: str = "") -> int | None:
    cols = _columns(conn, table)
    if not cols or ("deleted_at" in where and "deleted_at" not in cols):
        return None
    return conn.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]


def inspect(file: str) -> dict[str, Any]:
    """Integrity, schema version and counts of a workspace file, opened read-only."""
    conn = _open_read_only(file)
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        version = migrations.schema_version(conn)
        fk_problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        tasks = {}
        if _columns(conn, "agent_tasks"):
            tasks = dict(conn.execute("SELECT status, count(*) FROM agent_tasks GROUP BY status"))
        counts = {
            "artifacts": _count(conn, "artifacts", "WHERE deleted_at IS NULL")
            if "deleted_at" in _columns(conn, "artifacts") else _count(conn, "artifacts"),
            "trashed_artifacts": _count(conn, "artifacts", "WHERE deleted_at IS NOT NULL"),
            "folders": _count(conn, "folders", "WHERE deleted_at IS NULL"),
            "versions": _count(conn, "artifact_versions"),
            "pending_uploads": _count(conn, "pending_uploads"),
            "actions": _count(conn, "action_log"),
            "citations": _count(conn, "citations"),
        }
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    finally:
        conn.close()
    return {
        "file": file, "integrity": integrity, "foreign_key_problems": len(fk_problems),
        "schema_version": version, "latest_version": migrations.LATEST_VERSION,
        "size_bytes": page * pages, "counts": counts, "tasks": tasks,
    }


def _check(args: argparse.Namespace, out: TextIO) -> int:
    try:
        report = inspect(args.file)
    except sqlite3.DatabaseError as exc:
        raise NotAWorkspace(f"That file is not a readable SQLite database ({exc}).") from exc
    ok = report["integrity"] == ["ok"] and report["foreign_key_problems"] == 0
    version, latest = report["schema_version"], report["latest_version"]
    if args.json:
        print(json.dumps({**report, "ok": ok}, indent=2), file=out)
    else:
        _print_report(report, out)
    if version > latest:
        raise SchemaTooNew(f"Schema version {version} is newer than this Quire ({latest}).")
    if version == 0:
        raise NotAWorkspace("That SQLite file is not a Quire workspace (no schema version).")
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
    lines += [(k.replace("_", " "), v) for k, v in report["counts"].items() if v is not None]
    if report["tasks"]:
        tasks = ", ".join(f"{k} {v}" for k, v in sorted(report["tasks"].items()))
        lines.append(("agent tasks", tasks))
    print(report["file"], file=out)
    for label, value in lines:
        print(f"  {label + ':':<19}{value}", file=out)


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point: ``python -m pylib.cli migrate|check FILE``."""
    parser = argparse.ArgumentParser(prog="quire", description="Quire workspace files")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
