"""`quire serve`: the app under uvicorn with its embedded S3 and vector store, and a login link.

Start order: listening socket (so the real port is known), embedded SeaweedFS
(told the app's origins for CORS, restarted if it dies), the owner account and a one-time login
link (revoking every unused link of an earlier start), the vector
store, then uvicorn. Everything started is stopped in reverse order on SIGTERM, Ctrl-C or a
crash; the SeaweedFS child also dies with us if we are killed outright (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from typing import TextIO

import uvicorn

from proxy.app import create_app
from proxy.auth.accounts import OWNER_NAME, Accounts
from proxy.auth.credentials import LINK, CredentialStore
from proxy.auth.db import AuthDB
from proxy.auth.origin import allowed_origins
from proxy.auth.service import AUTH_DB_NAME
from proxy.http.limits import apply_deadline, server_limits
from proxy.http.logs import configure_logging
from proxy.settings import Settings


class Stop(Exception):
    """Raised by our signal handlers so every cleanup callback runs."""


def _raise_stop(signum: int, frame: object) -> None:
    # Once stopping, further signals must not interrupt the cleanup (stopping SeaweedFS).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    raise Stop(signal.Signals(signum).name)


def display_url(settings: Settings, port: int) -> str:
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/"
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}/"


def app_origins(settings: Settings, port: int) -> list[str]:
    """Origins the browser may use for the app (the same the cross-site check accepts);
    S3 allows CORS from exactly these."""
    return allowed_origins(settings.public_url, settings.host, port)


def bind_socket(settings: Settings) -> socket.socket:
    config = uvicorn.Config(app=None, host=settings.host, port=settings.port)
    return config.bind_socket()


def login_link(settings: Settings, base_url: str) -> str:
    """A new one-time link for the owner; links printed by earlier starts stop working."""
    db = AuthDB(settings.data_dir / AUTH_DB_NAME)
    try:
        owner = Accounts(db).ensure_owner()
        links = CredentialStore(db)
        links.revoke_all(LINK)
        token, _ = links.issue(LINK, owner.uid, settings.login_link_ttl_seconds)
    finally:
        db.close()
    return f"{base_url}?login={token}"


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as QUIRE_* variables, for worker processes that rebuild them from the environment."""
    env = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        elif isinstance(value, (list, dict)):
            value = json.dumps(value)
        env[f"QUIRE_{name.upper()}"] = str(value)
    return env


def uvicorn_config(app, settings: Settings, **extra) -> uvicorn.Config:
    proxy_headers = settings.forwarded_allow_ips is not None
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, access_log=False, log_config=None,
        proxy_headers=proxy_headers, forwarded_allow_ips=settings.forwarded_allow_ips if proxy_headers else None,
        server_header=False, **{**server_limits(settings), **extra},
    )
    return apply_deadline(config, settings)


def announce(out: TextIO, url: str, link: str, settings: Settings) -> None:
    print(f"Quire is running at {url}", file=out)
    print(f"Sign in as {OWNER_NAME} with this one-time link (valid {settings.login_link_ttl_seconds // 60} minutes):",
          file=out)
    print(f"    {link}", file=out)
    print("Press Ctrl-C to stop.", file=out, flush=True)


def run_single(settings: Settings, sock: socket.socket, stack: contextlib.ExitStack, on_ready) -> None:
    from proxy import vectors as vector_stores

    vectors = vector_stores.from_settings(settings)
    stack.callback(vectors.close)
    app = create_app(settings, vectors=vectors)
    server = uvicorn.Server(uvicorn_config(app, settings))
    startup = server.startup

    async def startup_then_announce(sockets=None) -> None:
        await startup(sockets=sockets)
        if server.started:
            on_ready()

    server.startup = startup_then_announce  # type: ignore[method-assign]
    server.run(sockets=[sock])


def run_workers(settings: Settings, sock: socket.socket, on_ready) -> None:
    from uvicorn.supervisors import Multiprocess

    os.environ.update(settings_environment(settings))
    config = uvicorn_config("proxy.app:create_app_from_env", settings, factory=True, workers=settings.workers)
    server = uvicorn.Server(config)
    on_ready()
    Multiprocess(config, target=server.run, sockets=[sock]).run()


def serve(settings: Settings, out: TextIO = sys.stdout) -> int:
    """Run Quire until stopped; returns the exit status."""
    configure_logging()
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with contextlib.ExitStack() as stack:
            sock = bind_socket(settings)
            stack.callback(sock.close)
            port = sock.getsockname()[1]
            settings = settings.model_copy(update={"port": port})
            if settings.embedded_s3:
                from proxy.storage.seaweed import EmbeddedS3
                from proxy.storage.supervisor import Supervisor

                weed = Supervisor(EmbeddedS3(settings.data_dir, app_origins(settings, port), bucket=settings.s3_bucket))
                endpoint = weed.start()
                stack.callback(weed.stop)
                settings = settings.model_copy(update={**endpoint.settings_update(), "s3_supervised": True})
            url = display_url(settings, port)
            link = login_link(settings, url)
            ready = lambda: announce(out, url, link, settings)  # noqa: E731
            if settings.workers > 1:
                run_workers(settings, sock, ready)
            else:
                run_single(settings, sock, stack, ready)
    except Stop:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Quire stopped.", file=out, flush=True)
    return 0
