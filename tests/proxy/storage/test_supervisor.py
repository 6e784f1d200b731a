"""The embedded SeaweedFS is supervised: a dead weed is reaped, logged and restarted with backoff;
while it is down /readyz and presign answer 503; a stopped (SIGSTOP) weed meets deadlines; no
/tmp socket outlives it. Each test starts its own weed and signals it by PID."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from auth_fixtures import ORIGIN, add_user, bearer, fast_password_hashing, write_web_dir  # noqa: F401
from proxy.app import create_app
from proxy.settings import Settings
from proxy.storage.ports import grpc_sockets
from proxy.storage.seaweed import EmbeddedS3
from proxy.storage.service import S3Service
from proxy.storage.supervisor import Supervisor
from proxy.vectors import EdgeStore


def wait_until(predicate, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not true within {timeout} s")


def reaped(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


@pytest.fixture
def supervised(tmp_path: Path, fast_password_hashing):  # noqa: F811
    """A supervised weed of its own, the whole app on it, and a signed-in user's headers."""
    built = []

    def build(*, first_delay: float = 0.5, **overrides):
        data = tmp_path / "data"
        supervisor = Supervisor(EmbeddedS3(data, ORIGIN), first_delay=first_delay, poll_seconds=0.1)
        endpoint = supervisor.start()
        settings = Settings(_env_file=None, data_dir=data, web_dir=write_web_dir(tmp_path / "web"),
                            **{**endpoint.settings_update(), "s3_supervised": True, **overrides})
        store = EdgeStore(tmp_path / "qdrant")
        app = create_app(settings, s3=S3Service(settings), vectors=store)
        headers = bearer(app, add_user(app, "owner"))
        client = TestClient(app, base_url=ORIGIN)
        built.append((supervisor, store, app))
        return supervisor, client, headers

    yield build
    for supervisor, store, app in built:
        supervisor.stop()
        store.close()
        app.state.auth.close()


def presign(client: TestClient, headers: dict, **body) -> httpx.Response:
    return client.post("/api/s3/presign", json=body, headers=headers)


def test_a_killed_weed_is_reaped_logged_and_restarted(supervised, caplog):
    caplog.set_level(logging.INFO, logger="quire.s3")
    supervisor, client, headers = supervised(first_delay=2.0)  # a window wide enough to observe
    signed = presign(client, headers, op="put", key="kept", size=4).json()
    assert httpx.put(signed["url"], headers=signed["headers"], content=b"kept").status_code == 200
    assert client.get("/readyz").status_code == 200
    old_pid = supervisor.server.pid

    os.kill(old_pid, signal.SIGKILL)
    # Within a poll or two the supervisor has noticed: no URL for the dead endpoint from then on.
    refused = wait_until(lambda: (r := presign(client, headers, op="get", key="kept")).status_code == 503 and r, 2)
    assert client.get("/readyz").status_code == 503
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "storage_unavailable"
    assert "url" not in refused.json()
    assert presign(client, headers, op="put", key="new", size=1).status_code == 503
    wait_until(lambda: reaped(old_pid), 5)

    wait_until(lambda: client.get("/readyz").status_code == 200, 30, step=0.2)
    assert supervisor.server.pid != old_pid and supervisor.restarts == 1
    again = presign(client, headers, op="get", key="kept").json()
    assert httpx.get(again["url"]).content == b"kept"  # data and the endpoint survive the restart
    messages = [r.getMessage() for r in caplog.records if r.name == "quire.s3"]
    assert any(f"pid {old_pid}) exited" in m for m in messages)
    assert any("restarted" in m for m in messages)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_every_kind_of_death_is_survived(supervised, sig):
    supervisor, client, headers = supervised(first_delay=0.2)
    for round_ in range(2):
        pid = supervisor.server.pid
        os.kill(pid, sig)
        wait_until(lambda: supervisor.server.pid not in (None, pid) and supervisor.available(), 30, step=0.2)
        wait_until(lambda: reaped(pid), 5)
        assert presign(client, headers, op="get", key="x").status_code == 200
    assert supervisor.restarts == 2


def test_restarts_back_off_while_weed_cannot_start(supervised, caplog):
    caplog.set_level(logging.INFO, logger="quire.s3")
    supervisor, client, headers = supervised(first_delay=0.2)
    master_port = supervisor.server.ports["master"]
    os.kill(supervisor.server.pid, signal.SIGKILL)
    # Take one of weed's ports so that restarts fail until it is given back. The master's: weed
    # gives up on it at once, while on a taken S3 port it takes 20 s to exit.
    wait_until(lambda: not supervisor.available(), 5)
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    wait_until(lambda: _try_bind(blocker, master_port), 5)
    blocker.listen()
    try:
        failures = wait_until(lambda: [r for r in caplog.records if "did not restart" in r.getMessage()][:2] or None
                              if len([r for r in caplog.records if "did not restart" in r.getMessage()]) >= 2 else None,
                              90, step=0.5)
        delays = [float(r.getMessage().rsplit("in ", 1)[1].split()[0]) for r in failures]
        assert delays[1] > delays[0]
        assert presign(client, headers, op="get", key="x").status_code == 503
    finally:
        blocker.close()
    wait_until(lambda: client.get("/readyz").status_code == 200, 90, step=0.5)
    assert presign(client, headers, op="get", key="x").status_code == 200


def _try_bind(sock: socket.socket, port: int) -> bool:
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        return False
    return True


def test_a_stopped_weed_meets_the_deadlines(supervised):
    """SIGSTOP: weed accepts connections (the kernel does) and never answers."""
    supervisor, client, headers = supervised(user_quota_bytes=10_000, s3_timeout_seconds=1, s3_max_attempts=2)
    pid = supervisor.server.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        for method, path, body in [("GET", "/api/s3/objects", None), ("GET", "/api/s3/usage", None),
                                   ("POST", "/api/s3/presign", {"op": "put", "key": "q", "size": 10})]:
            started = time.monotonic()
            response = client.request(method, path, json=body, headers=headers)
            elapsed = time.monotonic() - started
            assert response.status_code == 503, (path, response.text)
            assert response.json()["error"]["code"] == "storage_unavailable"
            assert elapsed < 2 * 1 + 1.5, (path, elapsed)
        started = time.monotonic()
        assert client.get("/readyz").status_code == 503
        assert time.monotonic() - started < 6
        assert supervisor.server.pid == pid  # stopped is not dead: no restart
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_until(lambda: client.get("/api/s3/usage", headers=headers).status_code == 200, 10)


def test_no_socket_outlives_weed(supervised):
    supervisor, client, headers = supervised(first_delay=0.2)
    first = grpc_sockets(supervisor.server.ports)
    wait_until(lambda: any(p.exists() for p in first), 10)
    os.kill(supervisor.server.pid, signal.SIGKILL)
    wait_until(lambda: supervisor.restarts == 1 and supervisor.available(), 30, step=0.2)
    supervisor.stop()
    assert not any(p.exists() for p in first)
    assert not supervisor.marker.exists() and supervisor.server.process is None


def test_sockets_left_by_a_killed_run_are_removed_at_the_next_start(tmp_path: Path):
    server = EmbeddedS3(tmp_path / "data", ORIGIN)
    server.start()
    sockets = grpc_sockets(server.ports)
    wait_until(lambda: any(p.exists() for p in sockets), 10)
    process = server.process
    os.kill(process.pid, signal.SIGKILL)  # as if Quire itself were killed: nobody cleans up
    process.wait(10)
    assert any(p.exists() for p in sockets)
    again = EmbeddedS3(tmp_path / "data", ORIGIN)
    try:
        again.start()
        assert not any(p.exists() for p in sockets if p not in grpc_sockets(again.ports))
    finally:
        again.stop()
