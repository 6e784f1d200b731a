"""EmbeddedS3: a real `weed mini` that checks signatures, stays on loopback and dies with us."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from proxy.storage.ports import free_ports
from proxy.storage.seaweed import EmbeddedS3, load_credentials, weed_binary

ORIGIN = "http://127.0.0.1:8765"  # the same origin conftest's weed allows


def test_weed_binary_comes_from_the_package():
    path = weed_binary()
    assert path.name == "weed" and os.access(path, os.X_OK)


def test_credentials_are_generated_once_and_private(tmp_path: Path):
    first = load_credentials(tmp_path)
    assert load_credentials(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "credentials.json").stat().st_mode)
    assert mode == 0o600
    assert len(first[1]) >= 40


def test_server_files_are_private(weed: EmbeddedS3):
    assert stat.S_IMODE((weed.folder / "credentials.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((weed.folder / "s3-config.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(weed.folder.stat().st_mode) == 0o700


def test_unsigned_requests_are_refused(weed: EmbeddedS3):
    base = f"{weed.endpoint.endpoint_url}/{weed.bucket}"
    assert httpx.put(f"{base}/users/x/unsigned", content=b"data").status_code == 403
    assert httpx.get(f"{base}/").status_code == 403
    assert httpx.get(f"{base}/users/x/unsigned").status_code in (403, 404)


def test_wrongly_signed_requests_are_refused(weed: EmbeddedS3):
    e = weed.endpoint
    forged = boto3.client("s3", endpoint_url=e.endpoint_url, region_name=e.region, aws_access_key_id=e.access_key_id,
                          aws_secret_access_key="not-the-secret", config=Config(signature_version="s3v4"))
    with pytest.raises(ClientError) as info:
        forged.put_object(Bucket=weed.bucket, Key="users/x/forged", Body=b"data")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError):
        weed.client().head_object(Bucket=weed.bucket, Key="users/x/forged")


def test_correctly_signed_requests_work(weed: EmbeddedS3):
    client = weed.client()
    client.put_object(Bucket=weed.bucket, Key="users/x/signed", Body=b"data")
    assert client.get_object(Bucket=weed.bucket, Key="users/x/signed")["Body"].read() == b"data"


def listening_sockets(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket `pid` listens on, read from /proc (no tools needed)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                address, port = fields[1].split(":")
                found.append((address if width == 32 else socket.inet_ntoa(bytes.fromhex(address)[::-1]),
                              int(port, 16)))
    return found


def test_listens_on_loopback_only_on_its_own_ports(weed: EmbeddedS3):
    sockets = listening_sockets(weed.pid)
    assert sockets, "weed listens somewhere"
    assert {address for address, _ in sockets} == {"127.0.0.1"}
    assert {port for _, port in sockets} <= set(weed.ports.values()) | {weed.ports["admin"] + 10000}


def test_cors_allows_the_app_origin_only(weed: EmbeddedS3, app_origin: str):
    url = f"{weed.endpoint.endpoint_url}/{weed.bucket}/users/x/any"
    preflight = {"access-control-request-method": "PUT",
                 "access-control-request-headers": "content-type,x-amz-checksum-sha256,if-match"}
    ok = httpx.options(url, headers={"origin": app_origin, **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == app_origin
    assert "PUT" in ok.headers["access-control-allow-methods"]
    assert "ETag" in ok.headers["access-control-expose-headers"]
    evil = httpx.options(url, headers={"origin": "http://evil.example", **preflight})
    assert evil.headers.get("access-control-allow-origin") != "http://evil.example"
    rules = weed.client().get_bucket_cors(Bucket=weed.bucket)["CORSRules"]
    assert rules[0]["AllowedOrigins"] == [app_origin]


def test_restart_keeps_data_and_credentials(tmp_path: Path):
    server = EmbeddedS3(tmp_path, ORIGIN)
    first = server.start()
    try:
        server.client().put_object(Bucket=first.bucket, Key="users/x/kept", Body=b"kept")
    finally:
        server.stop()
    again = EmbeddedS3(tmp_path, ORIGIN)
    second = again.start()
    try:
        assert (second.access_key_id, second.secret_access_key) == (first.access_key_id, first.secret_access_key)
        assert again.client().get_object(Bucket=second.bucket, Key="users/x/kept")["Body"].read() == b"kept"
    finally:
        again.stop()
    assert again.process is None


def test_a_port_taken_before_weed_binds_it_makes_the_start_choose_new_ports(tmp_path: Path, monkeypatch):
    # Between choosing a free port and weed binding it, another process may take it.
    from proxy.storage import seaweed

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    held, calls, real = taken.getsockname()[1], [], seaweed.free_ports

    def first_with_a_taken_port(count, host="127.0.0.1"):
        ports = real(count, host)
        calls.append(ports)
        if len(calls) == 1:
            ports[seaweed._PORT_NAMES.index("s3")] = held
        return ports

    monkeypatch.setattr(seaweed, "free_ports", first_with_a_taken_port)
    server = EmbeddedS3(tmp_path, ORIGIN)
    try:
        endpoint = server.start()
        assert len(calls) == 2 and server.ports["s3"] != held
        assert endpoint.endpoint_url.endswith(f":{server.ports['s3']}")
        server.client().put_object(Bucket=endpoint.bucket, Key="users/x/after", Body=b"up")
        assert seaweed.PORT_TAKEN in server.log_path.read_text(errors="replace")
    finally:
        server.stop()
        taken.close()


def test_stop_terminates_the_process_and_cleans_sockets(tmp_path: Path):
    server = EmbeddedS3(tmp_path, ORIGIN)
    server.start()
    pid, grpc = server.pid, server.ports["s3_grpc"]
    server.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not Path(f"/tmp/seaweedfs-s3-grpc-{grpc}.sock").exists()


def test_child_dies_with_its_parent(tmp_path: Path):
    """PR_SET_PDEATHSIG: if the process that started weed is killed, weed goes too."""
    script = textwrap.dedent(f"""
        import json, sys, time
        from proxy.storage.seaweed import EmbeddedS3
        server = EmbeddedS3({str(tmp_path)!r}, {ORIGIN!r})
        server.start()
        print(json.dumps({{"pid": server.pid}}), flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[3])
    try:
        child = json.loads(parent.stdout.readline())["pid"]
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
                break  # exited, waiting to be reaped by init
            time.sleep(0.1)
        else:
            os.kill(child, signal.SIGKILL)
            pytest.fail("weed outlived its parent")
    finally:
        if parent.poll() is None:
            parent.kill()


def test_free_ports_are_distinct():
    ports = free_ports(8)
    assert len(set(ports)) == 8
