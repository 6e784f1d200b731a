"""The one credential store and the auth database's migrations (an older file loses nothing)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from proxy.auth.accounts import Accounts
from proxy.auth.credentials import ID_CHARS, LINK, SESSION, TOKEN, CredentialStore
from proxy.auth.db import MIGRATIONS, SCHEMA_VERSION, AuthDB, hash_secret

PASSWORD = "correct horse battery staple"


@pytest.fixture
def db(tmp_path: Path):
    database = AuthDB(tmp_path / "auth.sqlite")
    yield database
    database.close()


def test_each_kind_resolves_only_as_itself(db: AuthDB):
    uid = Accounts(db).add("alice", PASSWORD).uid
    store = CredentialStore(db)
    session, _ = store.issue(SESSION, uid, 60)
    token, info = store.issue(TOKEN, uid, None)
    link, _ = store.issue(LINK, uid, 60)
    assert token.startswith("qt_") and info.expires_at is None and len(info.id) == ID_CHARS
    assert store.resolve(SESSION, session).uid == uid and store.resolve(TOKEN, token).via == "token"
    assert store.resolve(SESSION, token) is None and store.resolve(TOKEN, session) is None
    assert store.resolve(SESSION, link) is None and store.resolve(LINK, link) is None  # links are redeemed only
    assert store.redeem(LINK, session) is None and store.redeem(SESSION, session) is None
    assert store.resolve(SESSION, session) is not None  # a wrong-kind redeem spent nothing
    assert store.redeem(LINK, link) == uid and store.redeem(LINK, link) is None


def test_only_hashes_are_stored_and_revocation_is_by_secret_or_id(db: AuthDB):
    uid = Accounts(db).add("alice", PASSWORD).uid
    store = CredentialStore(db)
    token, info = store.issue(TOKEN, uid, None)
    other, _ = store.issue(TOKEN, uid, None)
    stored = [row[0] for row in db.execute("SELECT secret_hash FROM credentials")]
    assert hash_secret(token) in stored and token not in stored
    assert store.revoke(SESSION, info.id) == 0  # the id of a token does not revoke a session
    assert store.revoke(TOKEN, info.id) == 1 and store.resolve(TOKEN, token) is None
    assert store.revoke(TOKEN, other) == 1 and store.revoke(TOKEN, "nonsense") == 0
    assert store.revoke(TOKEN, "'; DROP TABLE users; --") == 0 and Accounts(db).by_name("alice")


def test_revoke_all_of_a_kind_leaves_the_other_kinds(db: AuthDB):
    uid = Accounts(db).add("alice", PASSWORD).uid
    store = CredentialStore(db)
    session, _ = store.issue(SESSION, uid, 60)
    links = [store.issue(LINK, uid, 60)[0] for _ in range(3)]
    assert store.revoke_all(LINK) == 3
    assert all(store.redeem(LINK, link) is None for link in links)
    assert store.resolve(SESSION, session) is not None


def test_removing_an_account_removes_all_its_credentials(db: AuthDB):
    accounts = Accounts(db)
    alice, bob = accounts.add("alice", PASSWORD), accounts.add("bob", PASSWORD)
    store = CredentialStore(db)
    for kind in (SESSION, TOKEN, LINK):
        store.issue(kind, alice.uid, 60)
    kept, _ = store.issue(TOKEN, bob.uid, None)
    accounts.remove(alice.uid)
    assert db.execute("SELECT count(*) FROM credentials WHERE uid = ?", (alice.uid,)).fetchone()[0] == 0
    assert store.resolve(TOKEN, kept).name == "bob"


def test_a_version_1_file_keeps_its_accounts_sessions_and_tokens(tmp_path: Path):
    path = tmp_path / "auth.sqlite"
    old = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0][1]:
        old.execute(statement)
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO users VALUES ('u1', 'alice', 'not-a-real-hash', 1.0)")
    old.execute("INSERT INTO sessions VALUES (?, 'u1', 1.0, 9e12)", (hash_secret("old-session"),))
    old.execute("INSERT INTO tokens VALUES (?, 'u1', 1.0, NULL)", (hash_secret("qt_old-token"),))
    old.execute("INSERT INTO login_links VALUES (?, 'u1', 9e12)", (hash_secret("old-link"),))
    old.execute("INSERT INTO login_failures VALUES ('name:alice', 1.0)")
    old.close()

    db = AuthDB(path)
    store = CredentialStore(db)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.resolve(SESSION, "old-session").name == "alice"
    assert store.resolve(TOKEN, "qt_old-token").name == "alice"
    assert store.redeem(LINK, "old-link") is None  # unused links of an earlier start do not survive
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "tokens", "login_links", "login_failures"}.isdisjoint(tables)
    db.close()
    AuthDB(path).close()  # opening again applies nothing twice


def test_a_file_from_a_newer_quire_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "auth.sqlite"
    AuthDB(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer Quire"):
        AuthDB(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    conn.close()
