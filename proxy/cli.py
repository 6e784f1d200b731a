"""The `quire` command: serve the app, manage users and tokens, and work with workspace files.

Domain errors (settings, accounts) become one-line messages and exit status 2 here, at the edge.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pydantic import ValidationError

from pylib import cli as engine_cli

from proxy.auth.accounts import AccountError, Accounts
from proxy.auth.credentials import TOKEN, CredentialStore
from proxy.auth.db import AuthDB
from proxy.auth.service import AUTH_DB_NAME
from proxy.settings import Settings


class CliError(Exception):
    """A message for the person at the terminal; exits with status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quire", description="Quire: a local-first workspace and its server.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, help="where Quire keeps its data (QUIRE_DATA_DIR)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", parents=[common],
                                help="run Quire (embedded S3 and vector store unless configured)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default $PORT or 8000; 0 picks a free one)")
    serve.add_argument("--workers", type=int, help="worker processes (more than 1 needs QUIRE_QDRANT_URL)")

    user = commands.add_parser("user", help="manage local accounts").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", parents=[common], help="add an account (password from a prompt, or stdin when piped)")
    add.add_argument("name")
    user.add_parser("list", parents=[common], help="list accounts")
    remove = user.add_parser("remove", parents=[common], help="remove an account with its sessions and tokens")
    remove.add_argument("name")

    token = commands.add_parser("token", help="bearer tokens for scripts").add_subparsers(dest="action", required=True)
    create = token.add_parser("create", parents=[common], help="print a new bearer token for NAME")
    create.add_argument("name")
    create.add_argument("--ttl", type=int, metavar="SECONDS", help="expire after SECONDS (default: never)")
    listing = token.add_parser("list", parents=[common], help="list tokens (ids, owners, expiry)")
    listing.add_argument("name", nargs="?")
    revoke = token.add_parser("revoke", parents=[common], help="revoke a token, given the token or its id")
    revoke.add_argument("token")

    # `migrate FILE` and `check FILE` belong to the engine; it adds its own arguments.
    engine_cli.add_subcommands(commands)
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    for name in ("data_dir", "host", "port", "workers"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    try:
        return Settings(**overrides)
    except ValidationError as error:
        messages = "; ".join(item["msg"].removeprefix("Value error, ") for item in error.errors(include_input=False))
        raise CliError(f"invalid settings: {messages}") from None


@contextmanager
def auth_db(settings: Settings) -> Iterator[AuthDB]:
    db = AuthDB(settings.data_dir / AUTH_DB_NAME)
    try:
        yield db
    finally:
        db.close()


def read_password(name: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("Repeat it: ") != first:
            raise CliError("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def when(timestamp: float | None) -> str:
    if timestamp is None:
        return "never"
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def user_command(args: argparse.Namespace, settings: Settings) -> int:
    with auth_db(settings) as db:
        accounts = Accounts(db)
        if args.action == "add":
            account = accounts.add(args.name, read_password(args.name))
            print(f"added {account.name} (uid {account.uid})")
        elif args.action == "list":
            for account in accounts.list():
                print(f"{account.name}\t{account.uid}\t{when(account.created_at)}")
        else:
            account = accounts.by_name(args.name)
            if account is None or not accounts.remove(account.uid):
                raise CliError(f"no user named {args.name!r}")
            print(f"removed {account.name} with its sessions and tokens; its stored objects and vectors "
                  f"stay under uid {account.uid} (DELETE /api/me removes them)")
    return 0


def token_command(args: argparse.Namespace, settings: Settings) -> int:
    with auth_db(settings) as db:
        accounts, tokens = Accounts(db), CredentialStore(db)
        if args.action == "create":
            if args.ttl is not None and args.ttl < 1:
                raise CliError("--ttl must be a positive number of seconds")
            account = accounts.by_name(args.name)
            if account is None:
                raise CliError(f"no user named {args.name!r}")
            token, info = tokens.issue(TOKEN, account.uid, args.ttl)
            print(token)
            print(f"token id {info.id}, expires {when(info.expires_at)}", file=sys.stderr)
        elif args.action == "list":
            owner = accounts.by_name(args.name) if args.name else None
            if args.name and owner is None:
                raise CliError(f"no user named {args.name!r}")
            names = {a.uid: a.name for a in accounts.list()}
            for info in tokens.list(TOKEN, owner.uid if owner else None):
                print(f"{info.id}\t{names.get(info.uid, info.uid)}\texpires {when(info.expires_at)}")
        else:
            if not tokens.revoke(TOKEN, args.token):
                raise CliError("no such token")
            print("revoked")
    return 0


def serve_command(settings: Settings) -> int:
    from proxy.storage.seaweed import EmbeddedS3Error
    from proxy.serve import serve

    try:
        return serve(settings)
    except EmbeddedS3Error as error:
        raise CliError(f"the embedded S3 server did not start: {error}") from None
    except OSError as error:
        raise CliError(f"could not start: {error}") from None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in engine_cli.COMMANDS:
            return engine_cli.run(args)
        settings = load_settings(args)
        if args.command == "serve":
            return serve_command(settings)
        if args.command == "user":
            return user_command(args, settings)
        return token_command(args, settings)
    except (CliError, AccountError) as error:
        print(f"quire: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
