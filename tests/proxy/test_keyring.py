"""The workspace key's wrapped copies in real S3 through the real proxy: create once, unlock on
a second device with the passphrase or the recovery secret, a wrong passphrase refused with
nothing written, a passphrase change that re-wraps the same key, and no secret in the object."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, live_server, make_quire_app, make_quire_settings, quire_app,
    quire_settings,
)
from blob_fixtures import remote  # noqa: F401  (fixtures)
from pylib.errors import Conflict, InvalidParams, KeyUnavailable, WrongSecret
from pylib.keyring import ARGON2, Keyring
from pylib.platform.cpython import CPythonPlatform
from pylib.s3client import S3Client

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from aio import run  # noqa: E402

SMALL = {"memory_kib": 1024, "iterations": 1, "parallelism": 1}  # Argon2id, cheap for tests
PASS = "correct horse battery staple"


def keyring(remote) -> Keyring:
    pl = CPythonPlatform()
    return Keyring(pl, S3Client(pl, remote[0], headers=remote[1]), "ws-1", costs=SMALL)


def stored(s3_service, uid) -> bytes:
    return s3_service._client.get_object(Bucket=s3_service.bucket, Key=f"users/{uid}/keys/ws-1.json")["Body"].read()


def test_create_then_unlock_on_another_device(remote, s3_service):
    async def scenario():
        first = keyring(remote)
        assert not await first.exists()
        created = await first.create(PASS)
        second = keyring(remote)  # another device: nothing but the sign-in and the passphrase
        by_passphrase = await second.unlock(PASS)
        by_words = await second.recover(created.recovery)
        with pytest.raises(Conflict):
            await second.create("another passphrase here")
        return created, by_passphrase, by_words

    created, by_passphrase, by_words = run(scenario())
    assert len(created.data_key) == 32 and len(created.recovery) == 32
    assert by_passphrase.data_key == by_words.data_key == created.data_key
    body = stored(s3_service, remote[2])
    for secret in (created.data_key, created.recovery, PASS.encode()):
        assert secret not in body and secret.hex().encode() not in body
    assert json.loads(body)["envelopes"]["passphrase"]["params"]["memory_kib"] == SMALL["memory_kib"]


def test_a_wrong_passphrase_or_secret_is_refused_and_nothing_is_written(remote, s3_service):
    async def scenario():
        ring = keyring(remote)
        created = await ring.create(PASS)
        before = stored(s3_service, remote[2])
        with pytest.raises(WrongSecret) as wrong:
            await ring.unlock("not the passphrase at all")
        with pytest.raises(WrongSecret):
            await ring.recover(bytes(32))
        with pytest.raises(InvalidParams):  # a key that is not this workspace's is never wrapped
            await ring.change_passphrase(bytes(32), "a brand new passphrase")
        return created, before, wrong.value

    created, before, wrong = run(scenario())
    assert "does not unlock" in wrong.message and "Nothing was changed" in wrong.message
    assert stored(s3_service, remote[2]) == before


def test_changing_the_passphrase_rewraps_the_same_key(remote, s3_service):
    async def scenario():
        ring = keyring(remote)
        created = await ring.create(PASS)
        await ring.change_passphrase(created.data_key, "a brand new passphrase")
        with pytest.raises(WrongSecret):
            await ring.unlock(PASS)
        return created, await ring.unlock("a brand new passphrase"), await ring.recover(created.recovery)

    created, renewed, recovered = run(scenario())
    assert renewed.data_key == recovered.data_key == created.data_key


def test_no_key_yet_short_passphrases_and_forged_costs(remote, s3_service):
    async def scenario():
        ring = keyring(remote)
        with pytest.raises(KeyUnavailable):
            await ring.unlock(PASS)
        with pytest.raises(InvalidParams):
            await ring.create("short")
        await ring.create(PASS)
        document = json.loads(stored(s3_service, remote[2]))
        document["envelopes"]["passphrase"]["params"]["memory_kib"] = 64 * 1024 * 1024  # 64 GiB
        s3_service._client.put_object(Bucket=s3_service.bucket, Key=f"users/{remote[2]}/keys/ws-1.json",
                                      Body=json.dumps(document).encode())
        with pytest.raises(InvalidParams, match="does not allow"):
            await ring.unlock(PASS)

    run(scenario())
    assert ARGON2 == {"memory_kib": 65536, "iterations": 3, "parallelism": 1}
