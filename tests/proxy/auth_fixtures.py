"""Fixtures for tests of the full proxy app (real auth stack, real SeaweedFS, real qdrant-edge).

Import the fixtures you use into a test module: `from auth_fixtures import quire_app, client, ...`.

- `quire_settings` / `make_quire_settings(**overrides)`: Settings for the session's weed, with
  ORIGIN as the public URL, a fresh data dir and a small web/ folder (`web_dir`).
- `quire_app`: `create_app` with a real S3Service and EdgeStore (argon2 with small parameters).
- `client`: a TestClient on it (base URL http://testserver, so the app's origin is ORIGIN).
- `live_server(app)`: the app under a real uvicorn on a free loopback port; returns its base URL.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.testclient import TestClient

from argon2 import PasswordHasher

from proxy.auth import accounts
from proxy.auth.accounts import Account
from proxy.app import create_app
from proxy.settings import Settings

ORIGIN = "http://testserver"
# What Chromium sends with a same-origin fetch or form post from the app's page.
SAME_ORIGIN = {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"}
PASSWORD = "correct horse battery staple"

WEB_FILES = {
    "index.html": "<!doctype html><title>Quire</title><p>app</p>",
    "sw.js": "self.addEventListener('fetch', () => {});",
    "app.mjs": "export const x = 1;",
    "legacy.js": "var x = 1;",
    "app.css": "body { margin: 0 }",
    "vendor/pyodide/pyodide.asm.wasm": b"\x00asm\x01\x00\x00\x00",
    "vendor/pyodide/pyodide-lock.json": '{"packages": {}}',
    "vendor/pyodide/python_stdlib.zip": b"PK\x05\x06" + b"\x00" * 18,
    "vendor/wheels/pydantic-2.14.3-py3-none-any.whl": b"PK\x05\x06" + b"\x00" * 18,
    "vendor/model/model_quantized.onnx": b"\x08\x07onnx",
    "vendor/pyodide/python.data": b"\x01\x02\x03",
    "pyscript.toml": 'name = "quire"\n',
}


def write_web_dir(folder: Path) -> Path:
    for rel, content in WEB_FILES.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return folder


@pytest.fixture
def make_quire_settings(make_settings: Callable[..., Settings], tmp_path: Path) -> Callable[..., Settings]:
    web = write_web_dir(tmp_path / "web")

    def build(**overrides) -> Settings:
        return make_settings(**{"public_url": ORIGIN, "web_dir": web, **overrides})
    return build


@pytest.fixture
def quire_settings(make_quire_settings: Callable[..., Settings]) -> Settings:
    return make_quire_settings()


@pytest.fixture
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with small parameters: the default profile costs ~0.3 s per hash here."""
    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def make_quire_app(s3_service, edge_store, fast_password_hashing) -> Iterator[Callable[..., Starlette]]:
    """Build apps on the shared S3 and this test's edge store; their auth files are closed after."""
    apps: list[Starlette] = []

    def build(settings: Settings) -> Starlette:
        app = create_app(settings, s3=s3_service, vectors=edge_store)
        apps.append(app)
        return app
    yield build
    for app in apps:
        app.state.auth.close()


@pytest.fixture
def quire_app(make_quire_app, quire_settings: Settings) -> Starlette:
    return make_quire_app(quire_settings)


@pytest.fixture
def client(quire_app: Starlette) -> Iterator[TestClient]:
    with TestClient(quire_app, base_url=ORIGIN) as test_client:
        yield test_client


def add_user(app: Starlette, name: str, password: str = PASSWORD) -> Account:
    return app.state.auth.accounts.add(name, password)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> dict:
    """Sign in through the JSON route as the app's page does; returns the body (the cookie stays
    in the client)."""
    response = client.post("/api/auth/login", json={"name": name, "password": password}, headers=SAME_ORIGIN)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(app: Starlette, account: Account, ttl: int | None = None) -> dict[str, str]:
    token, _ = app.state.auth.create_token(account.uid, ttl)
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server() -> Iterator[Callable[[Starlette], str]]:
    """Run apps under a real uvicorn (in a thread, on free loopback ports); stopped after the test."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: Starlette) -> str:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                               access_log=False, lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)
