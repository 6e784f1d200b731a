"""The quota counts outstanding upload grants, not only stored bytes (real SeaweedFS, real SQLite).

Every case ends with real uploads: whatever was granted is uploaded, and what S3 then holds
must be within the quota.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from proxy.http.errors import ApiError
from proxy.storage.grants import IN_FLIGHT_GRACE_SECONDS, LEDGER_NAME, Grants, QuotaExceeded, worst_case_usage
from proxy.storage.models import PresignRequest, PresignResponse
from proxy.storage.service import S3Service

ROOT = Path(__file__).resolve().parents[3]


def try_presign(service: S3Service, uid: str, key: str, size: int) -> PresignResponse | None:
    try:
        return service.presign(uid, PresignRequest(op="put", key=key, size=size))
    except ApiError as error:
        assert (error.status, error.code) == (413, "quota_exceeded")
        return None


def upload_all(granted: list[tuple[PresignResponse, int]]) -> None:
    for signed, size in granted:
        response = httpx.put(signed.url, headers=signed.headers, content=b"x" * size)
        assert response.status_code == 200, response.text


def test_outstanding_presigns_count_against_the_quota(make_settings, new_uid):
    """The reported attack: five 60,000-byte presigns against a 100,000-byte quota."""
    service, uid = S3Service(make_settings(user_quota_bytes=100_000)), new_uid()
    results = [try_presign(service, uid, f"blob-{i}", 60_000) for i in range(5)]
    granted = [(r, 60_000) for r in results if r is not None]
    assert len(granted) == 1
    upload_all(granted)
    assert service.usage(uid)["bytes"] == 60_000


@pytest.mark.parametrize("size,expected", [(25_000, 4), (33_333, 3), (50_000, 2), (100_000, 1), (100_001, 0)])
def test_grants_add_up_whatever_their_size(make_settings, new_uid, size: int, expected: int):
    service, uid = S3Service(make_settings(user_quota_bytes=100_000)), new_uid()
    granted = [r for r in (try_presign(service, uid, f"k{i}", size) for i in range(expected + 3)) if r]
    assert len(granted) == expected


def test_concurrent_presigns_cannot_overdraw(make_settings, new_uid):
    settings = make_settings(user_quota_bytes=100_000)
    uid = new_uid()
    # One service per thread, as separate worker processes would have; they share the data dir.
    services = [S3Service(settings) for _ in range(8)]
    barrier = threading.Barrier(8)

    def attempt(index: int) -> PresignResponse | None:
        barrier.wait()
        return try_presign(services[index % 8], uid, f"c{index}", 30_000)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(8)))
    granted = [(r, 30_000) for r in results if r is not None]
    assert len(granted) == 3
    upload_all(granted)
    assert services[0].usage(uid)["bytes"] == 90_000


WORKER = """
import json, sys
from proxy.settings import Settings
from proxy.storage.models import PresignRequest
from proxy.storage.service import S3Service
from proxy.http.errors import ApiError
settings = Settings.model_validate_json(sys.stdin.read())
service = S3Service(settings)
granted = 0
for i in range(6):
    try:
        service.presign(sys.argv[1], PresignRequest(op="put", key=f"{sys.argv[2]}-{i}", size=20_000))
        granted += 1
    except ApiError:
        pass
print(granted)
"""


def test_worker_processes_share_the_ledger(make_settings, new_uid):
    settings = make_settings(user_quota_bytes=100_000)
    uid = new_uid()
    env_json = json.dumps({**json.loads(settings.model_dump_json()),
                           "s3_secret_access_key": settings.s3_secret_access_key.get_secret_value()})
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, uid, f"p{n}"], cwd=ROOT, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE) for n in range(4)]
    for worker in workers:
        worker.stdin.write(env_json)
        worker.stdin.close()
    counts = [int(worker.stdout.read()) for worker in workers]
    assert all(worker.wait(60) == 0 for worker in workers)
    assert sum(counts) == 5  # 24 attempts of 20,000 bytes, 100,000 allowed


def test_one_key_holds_one_object_so_its_grants_count_once(make_settings, new_uid):
    service, uid = S3Service(make_settings(user_quota_bytes=100_000)), new_uid()
    same_key = [try_presign(service, uid, "manifest", 60_000) for _ in range(3)]
    assert all(same_key)
    assert try_presign(service, uid, "other", 50_000) is None
    assert try_presign(service, uid, "other", 40_000) is not None


def test_replacing_counts_the_larger_of_stored_and_granted(make_settings, new_uid):
    service, uid = S3Service(make_settings(user_quota_bytes=100_000)), new_uid()
    upload_all([(try_presign(service, uid, "big", 90_000), 90_000)])
    # Shrinking "big" may never happen: until the grant expires the 90,000 bytes still count.
    assert try_presign(service, uid, "big", 10_000) is not None
    assert try_presign(service, uid, "small", 20_000) is None
    assert try_presign(service, uid, "small", 10_000) is not None


def test_users_do_not_share_a_quota(make_settings, new_uid):
    service = S3Service(make_settings(user_quota_bytes=100_000))
    alice, bob = new_uid("alice"), new_uid("bob")
    assert try_presign(service, alice, "a", 100_000) is not None
    assert try_presign(service, bob, "b", 100_000) is not None
    assert try_presign(service, alice, "c", 1) is None


def test_deleting_the_user_forgets_their_grants(make_settings, new_uid):
    service, uid = S3Service(make_settings(user_quota_bytes=100_000)), new_uid()
    assert try_presign(service, uid, "a", 100_000) is not None
    service.delete_user(uid)
    assert service.grants.outstanding(uid) == []
    assert try_presign(service, uid, "a", 100_000) is not None


def test_no_quota_no_ledger(make_settings):
    settings = make_settings()
    assert S3Service(settings).grants is None
    assert not (settings.data_dir / LEDGER_NAME).exists()


# --- the ledger on its own ---------------------------------------------------------------

def test_expired_grants_stop_counting_after_the_grace(tmp_path: Path):
    grants, now = Grants(tmp_path / LEDGER_NAME), time.time()
    grants.reserve("u", "users/u/old", 90, stored={}, listed_at=now, quota=100,
                   expires_at=now - IN_FLIGHT_GRACE_SECONDS - 5)
    grants.reserve("u", "users/u/in-flight", 5, stored={}, listed_at=now, quota=100,
                   expires_at=now - IN_FLIGHT_GRACE_SECONDS + 60)
    assert grants.outstanding("u") == [("users/u/in-flight", 5)]
    grants.reserve("u", "users/u/new", 95, stored={}, listed_at=now, quota=100, expires_at=now + 300)
    with pytest.raises(QuotaExceeded):
        grants.reserve("u", "users/u/more", 1, stored={}, listed_at=now, quota=100, expires_at=now + 300)


def test_a_refused_reservation_records_nothing(tmp_path: Path):
    grants, now = Grants(tmp_path / LEDGER_NAME), time.time()
    with pytest.raises(QuotaExceeded):
        grants.reserve("u", "users/u/a", 101, stored={}, listed_at=now, quota=100, expires_at=now + 60)
    assert grants.outstanding("u") == []


@pytest.mark.parametrize("stored,granted,expected", [
    ({}, [], 0),
    ({"a": 5}, [], 5),
    ({"a": 5}, [("a", 3)], 5),
    ({"a": 5}, [("a", 9), ("a", 7)], 9),
    ({"a": 5, "b": 1}, [("c", 2), ("c", 4)], 10),
])
def test_worst_case_usage(stored, granted, expected):
    assert worst_case_usage(stored, granted) == expected
