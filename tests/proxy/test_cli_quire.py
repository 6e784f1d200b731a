"""The `quire` command: user and token management in-process, and `quire serve` end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from auth_fixtures import free_port
from proxy import cli

QUIRE = [sys.executable, "-m", "proxy.cli"]
ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_user_add_list_remove(tmp_path, capsys, monkeypatch):
    data = str(tmp_path)
    monkeypatch.setattr("sys.stdin", _Stdin("a fine password\n"))
    status, out, _ = run(capsys, "user", "add", "alice", "--data-dir", data)
    assert status == 0 and out.startswith("added alice")
    status, out, _ = run(capsys, "user", "list", "--data-dir", data)
    assert status == 0 and out.split()[0] == "alice"
    monkeypatch.setattr("sys.stdin", _Stdin("a fine password\n"))
    status, _, err = run(capsys, "user", "add", "ALICE", "--data-dir", data)
    assert status == 2 and "already exists" in err
    status, out, _ = run(capsys, "user", "remove", "alice", "--data-dir", data)
    assert status == 0 and "removed alice" in out
    assert run(capsys, "user", "list", "--data-dir", data)[1] == ""
    assert run(capsys, "user", "remove", "alice", "--data-dir", data)[0] == 2


def test_passwords_are_stored_with_argon2id(tmp_path, capsys, monkeypatch):
    import sqlite3

    monkeypatch.setattr("sys.stdin", _Stdin("another fine password\n"))
    assert run(capsys, "user", "add", "bob", "--data-dir", str(tmp_path))[0] == 0
    db = sqlite3.connect(tmp_path / "auth.sqlite")
    (digest,) = db.execute("SELECT password_hash FROM users WHERE name = 'bob'").fetchone()
    db.close()
    assert digest.startswith("$argon2id$") and "another" not in digest


@pytest.mark.parametrize("name,password,message", [
    ("bad name!", "a fine password", "user name"), ("../x", "a fine password", "user name"),
    ("carol", "short", "password"),
])
def test_user_add_refuses_bad_input(tmp_path, capsys, monkeypatch, name, password, message):
    monkeypatch.setattr("sys.stdin", _Stdin(password + "\n"))
    status, _, err = run(capsys, "user", "add", name, "--data-dir", str(tmp_path))
    assert status == 2 and message in err


def test_token_for_an_unknown_user_is_an_error(tmp_path, capsys):
    status, out, err = run(capsys, "token", "create", "nobody", "--data-dir", str(tmp_path))
    assert status == 2 and out == "" and "no user" in err
    assert run(capsys, "token", "create", "nobody", "--ttl", "0", "--data-dir", str(tmp_path))[0] == 2


def test_several_workers_need_a_qdrant_url(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("QUIRE_QDRANT_URL", raising=False)
    status, _, err = run(capsys, "serve", "--workers", "2", "--data-dir", str(tmp_path))
    assert status == 2 and "QUIRE_QDRANT_URL" in err


def test_production_without_a_secret_does_not_start(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QUIRE_ENVIRONMENT", "production")
    monkeypatch.setenv("QUIRE_S3_ENDPOINT_URL", "https://s3.example")
    monkeypatch.delenv("QUIRE_S3_SECRET_ACCESS_KEY", raising=False)
    status, _, err = run(capsys, "serve", "--data-dir", str(tmp_path))
    assert status == 2 and "QUIRE_S3_SECRET_ACCESS_KEY" in err


def test_migrate_and_check_are_the_engines_commands(tmp_path):
    import sqlite3

    from pylib import migrations

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, steps=migrations.STEPS[:1])
    conn.close()
    quire = [str(Path(sys.executable).parent / "quire")]
    checked = subprocess.run([*quire, "check", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "run `quire migrate`" in checked.stdout
    migrated = subprocess.run([*quire, "migrate", "--no-backup", str(path)], capture_output=True, text=True, timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    checked = subprocess.run([*quire, "check", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "(current)" in checked.stdout
    missing = subprocess.run([*quire, "check", str(tmp_path / "absent.sqlite")], capture_output=True, text=True)
    assert missing.returncode == 2


def test_worker_processes_rebuild_the_same_settings_from_the_environment(tmp_path, monkeypatch):
    from proxy.serve import settings_environment
    from proxy.settings import Settings

    original = Settings(_env_file=None, data_dir=tmp_path, workers=3, public_url="https://quire.example.org",
                        qdrant_url="http://qdrant.internal:6333", qdrant_api_key="q-key",
                        s3_endpoint_url="http://127.0.0.1:9000", s3_access_key_id="AK", s3_secret_access_key="SK",
                        oidc_algorithms=["ES256"], user_quota_bytes=10)
    for name in list(os.environ):
        if name.startswith("QUIRE_") or name == "PORT":
            monkeypatch.delenv(name)
    for name, value in settings_environment(original).items():
        monkeypatch.setenv(name, value)
    rebuilt = Settings(_env_file=None)
    assert rebuilt.model_dump(exclude={"qdrant_api_key", "s3_secret_access_key"}) == \
        original.model_dump(exclude={"qdrant_api_key", "s3_secret_access_key"})
    for secret in ("qdrant_api_key", "s3_secret_access_key"):
        assert getattr(rebuilt, secret).get_secret_value() == getattr(original, secret).get_secret_value()


class _Stdin:
    """A non-TTY stdin (as when a password is piped in)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self.lines.pop(0) if self.lines else ""


# --- quire serve, end to end --------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        kids += [int(k) for k in text]
    return kids


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return False


class Served:
    """A `quire serve` subprocess: its output lines, URL, login link and weed child."""

    def __init__(self, data_dir: Path, port: int, extra_env: dict | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIRE_")}
        env.update({"PORT": str(port), "PYTHONUNBUFFERED": "1", **(extra_env or {})})
        self.process = subprocess.Popen(
            [*QUIRE, "serve", "--data-dir", str(data_dir)], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.lines: list[str] = []
        self.url = self.link = None
        deadline = time.monotonic() + 90
        while self.link is None:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError(f"quire serve exited: {self.process.wait()} {self.process.stderr.read()}")
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Quire is running at "):
                self.url = line.split(" at ", 1)[1].strip()
            elif "?login=" in line:
                self.link = line.strip()
            if time.monotonic() > deadline:
                raise AssertionError("quire serve did not print its login link in time")
        weeds = [pid for pid in children_of(self.process.pid)
                 if "weed" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")]
        assert len(weeds) == 1, weeds
        self.weed_pid = weeds[0]

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            if pid_alive(self.weed_pid):
                os.kill(self.weed_pid, signal.SIGKILL)


@pytest.fixture
def served(tmp_path):
    started: list[Served] = []

    def start(**env) -> Served:
        server = Served(tmp_path / "data", free_port(), env)
        started.append(server)
        return server
    yield start
    for server in started:
        server.stop(signal.SIGKILL)


def test_serve_end_to_end_sigterm_then_restart_and_ctrl_c(served, tmp_path):
    server = served()
    port = int(server.url.rstrip("/").rsplit(":", 1)[1])
    assert server.url == f"http://127.0.0.1:{port}/"
    assert not (tmp_path / "data" / "secret_key").exists()  # nothing needs one any more
    assert server.link.startswith(f"{server.url}?login=")

    ready = httpx.get(f"{server.url}readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["checks"] == {"s3": True, "qdrant": True}
    assert ready.headers["cross-origin-embedder-policy"] == "require-corp"

    with httpx.Client(timeout=10) as browser:
        response = browser.get(server.link, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/"
        me = browser.get(f"{server.url}api/auth/me")
        assert me.status_code == 200 and me.json()["name"] == "owner"
        presign = browser.post(f"{server.url}api/s3/presign", json={"op": "get", "key": "x.txt"},
                               headers={"Origin": server.url.rstrip("/"), "Sec-Fetch-Site": "same-origin"})
        assert presign.status_code == 200, presign.text
        # The origin the app trusts is the one it bound, whatever Host the request names.
        hostile = browser.post(f"{server.url}api/s3/presign", json={"op": "get", "key": "x.txt"},
                               headers={"Host": "evil.example", "Origin": "http://evil.example"})
        assert hostile.status_code == 403
    with httpx.Client(timeout=10) as replay:
        assert replay.get(server.link, follow_redirects=False).status_code == 401

    assert server.stop(signal.SIGTERM) == 0
    assert wait_gone(server.weed_pid, 15), "weed outlived quire serve"
    out_tail = server.process.stdout.read()
    assert "Quire stopped." in out_tail
    logs = server.process.stderr.read()
    assert '"path": "/readyz"' in logs and "login=" not in logs

    # A restart keeps the owner account and revokes the unused links of the earlier start;
    # Ctrl-C stops weed too.
    from proxy.auth.credentials import LINK, CredentialStore
    from proxy.auth.db import AuthDB

    db = AuthDB(tmp_path / "data" / "auth.sqlite")
    owner_uid = db.execute("SELECT uid FROM users WHERE name = 'owner'").fetchone()[0]
    unused, _ = CredentialStore(db).issue(LINK, owner_uid, 900)  # as if the first start had printed it
    db.close()
    again = served()
    with httpx.Client(timeout=10) as stale:
        assert stale.get(f"{again.url}?login={unused}", follow_redirects=False).status_code == 401
    assert _me(again)["name"] == "owner"
    assert again.stop(signal.SIGINT) == 0
    assert wait_gone(again.weed_pid, 15)


def test_weed_dies_with_a_killed_serve(served):
    server = served()
    server.process.kill()  # no cleanup at all: the kernel's parent-death signal must do it
    server.process.wait(10)
    assert wait_gone(server.weed_pid, 15)


def _me(server: Served) -> dict:
    with httpx.Client(timeout=10) as browser:
        browser.get(server.link)
        return browser.get(f"{server.url}api/auth/me").json()


def test_serve_restarts_a_weed_that_dies(served):
    server = served()
    with httpx.Client(timeout=10) as browser:
        browser.get(server.link)
        headers = {"Origin": server.url.rstrip("/"), "Sec-Fetch-Site": "same-origin"}

        def presign_status() -> int:
            return browser.post(f"{server.url}api/s3/presign", json={"op": "get", "key": "x"}, headers=headers).status_code

        assert presign_status() == 200
        old = server.weed_pid
        os.kill(old, signal.SIGKILL)
        deadline = time.monotonic() + 3
        while presign_status() != 503:
            assert time.monotonic() < deadline, "presign still issued URLs for a dead S3"
            time.sleep(0.05)
        assert browser.get(f"{server.url}readyz").status_code == 503
        assert wait_gone(old, 5), "the dead weed was not reaped"
        deadline = time.monotonic() + 60
        while browser.get(f"{server.url}readyz").status_code != 200:
            assert time.monotonic() < deadline, "weed was not restarted"
            time.sleep(0.2)
        assert presign_status() == 200
    weeds = [pid for pid in children_of(server.process.pid)
             if "weed" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")]
    assert len(weeds) == 1 and weeds[0] != old
    server.weed_pid = weeds[0]
    assert server.stop(signal.SIGTERM) == 0
    assert wait_gone(weeds[0], 15)
    logs = server.process.stderr.read()
    assert f"pid {old}) exited" in logs and "embedded S3 restarted" in logs
