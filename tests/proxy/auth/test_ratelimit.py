"""Sign-in rate limits: reserved before the password check, so they hold under any concurrency
(threads of one server, processes sharing a data directory); per client first, then per account,
and a real user is not locked out by someone else's failures from another address."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from auth_fixtures import (  # noqa: F401  (fixtures)
    ORIGIN, PASSWORD, SAME_ORIGIN, add_user, client, fast_password_hashing, live_server, make_quire_app,
    make_quire_settings, quire_app, quire_settings,
)
from proxy.auth import accounts
from proxy.auth.db import AuthDB
from proxy.auth.ratelimit import Limited, LoginLimiter, Reservation, client_key

ROOT = Path(__file__).resolve().parents[3]


class CountingHasher(PasswordHasher):
    """Real argon2id (about 0.14 s per check here, like production's ~0.17 s), counting checks."""

    def __init__(self) -> None:
        super().__init__(time_cost=3, memory_cost=16384, parallelism=1)
        self.checks = 0

    def verify(self, hash, password):  # noqa: A002  (argon2's own parameter name)
        self.checks += 1
        return super().verify(hash, password)


def login(client: TestClient, name: str, password: str, address: str = "203.0.113.7") -> int:
    with TestClient(client.app, base_url=ORIGIN, client=(address, 4000)) as other:
        return other.post("/api/auth/login", json={"name": name, "password": password}).status_code


def test_sixty_parallel_wrong_passwords_check_at_most_the_limit(make_quire_app, make_quire_settings, live_server,
                                                                 monkeypatch):
    hasher = CountingHasher()
    monkeypatch.setattr(accounts, "hasher", hasher)
    app = make_quire_app(make_quire_settings(login_attempts_per_minute=5))
    add_user(app, "alice")
    hasher.checks = 0
    url = live_server(app)

    def attempt(index: int) -> int:
        return httpx.post(f"{url}/api/auth/login", json={"name": "alice", "password": f"wrong-{index}"},
                          timeout=60).status_code

    with ThreadPoolExecutor(60) as pool:
        statuses = list(pool.map(attempt, range(60)))
    assert statuses.count(401) <= 5 and statuses.count(401) + statuses.count(429) == 60, statuses
    assert hasher.checks <= 5
    # The limit also holds for the right password now (from this address).
    assert httpx.post(f"{url}/api/auth/login", json={"name": "alice", "password": PASSWORD}).status_code == 429


RESERVE_SCRIPT = """
import json, sys, time
from proxy.auth.db import AuthDB
from proxy.auth.ratelimit import LoginLimiter, Reservation
path, start, index = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
limiter = LoginLimiter(AuthDB(path), per_client=4, per_account=7)
while time.time() < start:
    time.sleep(0.001)
granted = []
for attempt in range(12):
    address = f"198.51.100.{index}" if attempt % 2 else "192.0.2.1"  # half from one shared address
    if isinstance(limiter.reserve(address, "ALICE" if attempt % 3 else "alice"), Reservation):
        granted.append(address)
print(json.dumps(granted))
"""


def test_processes_sharing_a_data_directory_share_the_limits(tmp_path: Path):
    path = tmp_path / "auth.sqlite"
    AuthDB(path).close()  # migrated once, so the children race on attempts only
    start = time.time() + 3
    children = [subprocess.Popen([sys.executable, "-c", RESERVE_SCRIPT, str(path), str(start), str(i)],
                                 cwd=ROOT, stdout=subprocess.PIPE, text=True) for i in range(6)]
    granted = [address for child in children for address in json.loads(child.communicate(timeout=120)[0])]
    assert all(child.returncode == 0 for child in children)
    assert len(granted) <= 7  # per account, from addresses it never signed in from
    assert granted.count("192.0.2.1") <= 4  # per client address
    assert len(granted) == 7  # and the limit is reached, not undershot (the race is real)


def test_a_client_address_is_limited_across_accounts(quire_app, client: TestClient):
    add_user(quire_app, "carol")
    for index in range(5):
        assert login(client, f"guess{index}", "wrong-password") == 401
    assert login(client, "carol", PASSWORD) == 429
    assert login(client, "carol", PASSWORD, address="10.1.2.3") == 200  # another address is not affected


def test_someone_elses_failures_from_another_address_do_not_lock_the_user_out(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    for _ in range(5):
        assert login(client, "alice", "wrong-password", address="203.0.113.66") == 401
    assert login(client, "alice", "wrong-password", address="203.0.113.66") == 429  # the guesser waits
    assert login(client, "alice", PASSWORD, address="198.51.100.20") == 200  # the real user does not


def test_a_spread_attack_locks_the_account_for_new_addresses_but_not_known_ones(make_quire_app, make_quire_settings,
                                                                               client: TestClient):
    app = make_quire_app(make_quire_settings(login_account_attempts_per_minute=8))
    add_user(app, "alice")
    with TestClient(app, base_url=ORIGIN) as browser:
        assert login(browser, "alice", PASSWORD, address="198.51.100.20") == 200  # her usual address
        statuses = [login(browser, "Alice", "wrong", address=f"203.0.113.{i}") for i in range(12)]
        assert statuses.count(401) == 8 and statuses[8:] == [429] * 4
        assert login(browser, "alice", PASSWORD, address="203.0.113.200") == 429  # a new address waits
        assert login(browser, "alice", PASSWORD, address="198.51.100.20") == 200  # a known one does not


def test_ipv6_clients_are_limited_by_their_64(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    for host in range(1, 6):
        assert login(client, f"guess{host}", "wrong", address=f"2001:db8:1:2::{host:x}") == 401
    assert login(client, "alice", PASSWORD, address="2001:db8:1:2:ffff::1") == 429
    assert login(client, "alice", PASSWORD, address="2001:db8:1:3::1") == 200  # another /64


def test_client_keys():
    assert client_key("::ffff:192.0.2.5") == client_key("192.0.2.5") == "192.0.2.5"
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff:1") == "2001:db8::/64"
    assert client_key("fe80::1%eth0") == "fe80::/64"
    assert client_key("testclient") == "name:testclient"


def test_a_success_forgives_only_this_addresses_attempts_on_this_account(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    add_user(quire_app, "bob")
    assert [login(client, "bob", "guess") for _ in range(2)] == [401, 401]
    assert [login(client, "alice", "typo") for _ in range(2)] == [401, 401]
    assert login(client, "alice", PASSWORD) == 200  # her two typos no longer count; the guesses on bob do
    assert [login(client, "carol", "x") for _ in range(3)] == [401, 401, 401]
    assert login(client, "alice", PASSWORD) == 429


def test_limits_and_retry_after(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    for _ in range(5):
        login(client, "alice", "wrong")
    with TestClient(quire_app, base_url=ORIGIN, client=("203.0.113.7", 4000)) as same:
        response = same.post("/api/auth/login", json={"name": "alice", "password": PASSWORD})
        form = same.post("/signin", data={"name": "alice", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 429 and response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 60 and "set-cookie" not in response.headers
    assert form.status_code == 429 and "Too many sign-in attempts" in form.text and "set-cookie" not in form.headers


def test_attempts_leave_the_window_after_a_minute(tmp_path: Path, monkeypatch):
    from proxy.auth import ratelimit

    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "now", lambda: clock[0])
    limiter = LoginLimiter(AuthDB(tmp_path / "auth.sqlite"), per_client=2, per_account=100)
    assert isinstance(limiter.reserve("192.0.2.1", "a"), Reservation)
    clock[0] += 30
    assert isinstance(limiter.reserve("192.0.2.1", "b"), Reservation)
    limited = limiter.reserve("192.0.2.1", "c")
    assert isinstance(limited, Limited) and limited.retry_after == 30
    clock[0] += 30.5
    assert isinstance(limiter.reserve("192.0.2.1", "c"), Reservation)
