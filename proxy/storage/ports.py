"""Ports and sockets of the embedded SeaweedFS: free ports for one instance, and the gRPC sockets
weed leaves in /tmp (one per gRPC port; weed never removes them itself)."""

from __future__ import annotations

import random
import socket
from pathlib import Path

# The admin worker dials the admin gRPC port at admin HTTP port + 10000 whatever the flag says.
ADMIN_GRPC_OFFSET = 10000


class PortError(RuntimeError):
    """No free ports could be found."""


def _port_free(port: int, host: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct ports that are free right now, chosen by the kernel."""
    sockets, ports = [], []
    try:
        while len(ports) < count:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
            ports.append(sock.getsockname()[1])
    finally:
        for sock in sockets:
            sock.close()
    return ports


def admin_port_pair(host: str, taken: set[int]) -> int:
    for _ in range(200):
        port = random.randint(20000, 65535 - ADMIN_GRPC_OFFSET)
        pair = (port, port + ADMIN_GRPC_OFFSET)
        if not taken.intersection(pair) and all(_port_free(p, host) for p in pair):
            return port
    raise PortError("no free port pair for the SeaweedFS admin server")


def grpc_sockets(ports: dict[str, int]) -> list[Path]:
    """The sockets weed leaves in /tmp, one per gRPC port."""
    grpc = {"master": ports.get("master_grpc"), "volume": ports.get("volume_grpc"),
            "filer": ports.get("filer_grpc"), "s3": ports.get("s3_grpc"),
            "admin": ports["admin"] + ADMIN_GRPC_OFFSET if ports.get("admin") else None}
    return [Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock") for name, port in grpc.items() if port]


def listening(path: Path) -> bool:
    """True if a process accepts connections on the Unix socket at `path`."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True
