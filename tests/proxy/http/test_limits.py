"""Slow and idle clients are limited (real sockets, real uvicorn configured as `quire serve` does).

A client must send its request head within QUIRE_CLIENT_TIMEOUT_SECONDS and may not pause a body
longer than that; idle keep-alive connections close; beyond QUIRE_MAX_CONNECTIONS new
requests get a 503. A client that is slow but keeps sending is still served.
"""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from auth_fixtures import make_quire_app, make_quire_settings  # noqa: F401
from auth_fixtures import fast_password_hashing  # noqa: F401
from live_server import closed_by_server, connect, running

TIMEOUT = 1.0
HEAD = b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


def stall_nothing(sock: socket.socket) -> None:
    pass


def stall_partial_line(sock: socket.socket) -> None:
    sock.sendall(b"GET /healthz HT")


def stall_partial_headers(sock: socket.socket) -> None:
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b\r\n")


def stall_half_body(sock: socket.socket) -> None:
    sock.sendall(HEAD + b"Content-Length: 100\r\n\r\n" + b'{"name": ')


def stall_chunked_body(sock: socket.socket) -> None:
    sock.sendall(HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"3\r\n{\"n\r\n")


STALLS = [stall_nothing, stall_partial_line, stall_partial_headers, stall_half_body, stall_chunked_body]


@pytest.fixture
def live(make_quire_app, make_quire_settings):  # noqa: F811
    def start(**overrides):
        settings = make_quire_settings(client_timeout_seconds=TIMEOUT, **overrides)
        return running(make_quire_app(settings), settings)
    return start


@pytest.mark.parametrize("stall", STALLS, ids=[s.__name__ for s in STALLS])
def test_stalled_clients_are_disconnected(live, stall):
    with live() as url:
        socks, opened = [], []
        for _ in range(20):
            socks.append(connect(url))
            opened.append(time.monotonic())
            stall(socks[-1])
        time.sleep(TIMEOUT / 2)
        for sock in socks:
            sock.settimeout(0.01)
        # Under load, connecting twenty sockets can take a while: judge "not yet" only for the
        # sockets whose deadline is still clearly ahead (always the later ones).
        now = time.monotonic()
        young = [s for s, t in zip(socks, opened) if now - t < TIMEOUT * 0.75]
        assert young, "the machine is too slow to check the deadline"
        assert not any(closed_by_server(s) for s in young), "closed before the deadline"
        time.sleep(TIMEOUT * 1.5)
        for sock in socks:
            sock.settimeout(2)
        assert all(closed_by_server(s) for s in socks)
        assert httpx.get(url + "/healthz").status_code == 200
        for sock in socks:
            sock.close()


def test_a_header_dripped_byte_by_byte_does_not_keep_the_connection(live):
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
    with live() as url, connect(url) as sock:
        started = time.monotonic()
        try:
            for byte in request:
                sock.sendall(bytes([byte]))
                time.sleep(0.05)  # well under the deadline each time, far over it in total
        except (BrokenPipeError, ConnectionResetError):
            pass
        sock.settimeout(2)
        assert closed_by_server(sock)
        assert time.monotonic() - started < TIMEOUT * 3


def test_a_slow_but_steady_body_is_served(live):
    body = b'{"name": "nobody", "password": "wrong-password"}'
    pieces = [body[i:i + 12] for i in range(0, len(body), 12)]
    with live() as url, connect(url) as sock:
        sock.sendall(HEAD + f"Content-Length: {len(body)}\r\n\r\n".encode())
        for piece in pieces:
            time.sleep(TIMEOUT * 0.6)  # each pause under the deadline, the whole body over it
            sock.sendall(piece)
        reply = sock.recv(65536)
        assert reply.startswith(b"HTTP/1.1 401"), reply[:80]


def test_idle_keep_alive_connections_close(live):
    with live(keep_alive_timeout_seconds=0.5) as url, connect(url) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        time.sleep(1.0)
        sock.settimeout(1)
        assert closed_by_server(sock)


def test_beyond_max_connections_new_requests_get_503(live):
    with live(max_connections=4) as url:
        held = [connect(url) for _ in range(4)]
        time.sleep(0.1)
        try:
            response = httpx.get(url + "/healthz")
            assert response.status_code == 503
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.2)
        assert httpx.get(url + "/healthz").status_code == 200


def test_oversized_request_heads_are_refused(live):
    with live() as url:
        response = httpx.get(url + "/healthz", headers={"X-Big": "a" * 100_000})
        assert response.status_code in (400, 431)


def test_many_half_open_connections_do_not_starve_real_clients(live):
    with live(max_connections=200) as url:
        socks = [connect(url) for _ in range(150)]
        answered = []

        def real_client() -> None:
            answered.append(httpx.get(url + "/healthz", timeout=5).status_code)

        threads = [threading.Thread(target=real_client) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answered == [200] * 5
        time.sleep(TIMEOUT * 2)
        for sock in socks:
            sock.settimeout(2)
        assert all(closed_by_server(s) for s in socks)
        for sock in socks:
            sock.close()


@pytest.mark.parametrize("header_bytes", [100, 8_000, 15_000])
def test_a_body_sent_along_with_its_head_does_not_count_as_head(live, header_bytes: int):
    body = b'{"name": "nobody", "password": "' + b"p" * 300_000 + b'"}'
    request = (HEAD + b"X-Pad: " + b"a" * header_bytes + b"\r\n" + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    with live() as url, connect(url) as sock:
        sock.sendall(request)
        reply = sock.recv(65536)
        assert not reply.startswith(b"HTTP/1.1 431") and reply.startswith(b"HTTP/1.1 4"), reply[:80]


def test_the_limits_travel_to_worker_processes(make_quire_settings):  # noqa: F811
    """`quire serve --workers N` pickles the uvicorn config into each worker (spawn)."""
    import pickle

    from proxy.http.limits import DeadlineHttpToolsProtocol
    from proxy.serve import uvicorn_config

    settings = make_quire_settings(client_timeout_seconds=3.5, max_connections=7, keep_alive_timeout_seconds=2)
    config = pickle.loads(pickle.dumps(uvicorn_config("proxy.app:create_app_from_env", settings, factory=True)))
    assert config.client_timeout == 3.5 and config.http is DeadlineHttpToolsProtocol
    assert (config.limit_concurrency, config.timeout_keep_alive) == (7, 2)
