"""The proxy in a process of its own, as `quire serve` runs it, for benchmarks of its callers.

A proxy served from a thread of the benchmark's own process shares one interpreter lock with
the client it serves: every presign's Python (routing, the session check, signing) then runs
on the client's time, which no deployment does. Here the proxy is a child process (uvicorn,
the full auth stack, the given S3), with accounts made for the given user names; the parent
reads its URL and each user's bearer token from its first line of output.

    python -m bench.proxy_process DATA_DIR SETTINGS_JSON USER [USER ...]   (run by ProxyProcess)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ProxyProcess:
    """A proxy child process: ``url``, ``headers[user]`` (bearer), :meth:`stop` by its PID."""

    def __init__(self, data_dir: Path, weed, users: tuple[str, ...]) -> None:
        update = weed.endpoint.settings_update()
        fields = {k: (v.get_secret_value() if hasattr(v, "get_secret_value") else v)
                  for k, v in update.items()}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.proxy_process", str(data_dir), json.dumps(fields), *users],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            self.stop()
            raise RuntimeError("the proxy process did not start")
        ready = json.loads(line)
        self.url = ready["url"]
        self.headers = {user: {"Authorization": f"Bearer {token}"}
                        for user, token in ready["tokens"].items()}
        deadline = time.monotonic() + 30
        while True:  # the line comes just before uvicorn binds its port
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the proxy process did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _serve(data_dir: str, fields: str, users: list[str]) -> None:
    import uvicorn

    from bench.engine_blobs import bench_app, free_port

    port = free_port()
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    app, tokens = bench_app(Path(data_dir), port, json.loads(fields), tuple(users))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="off"))
    print(json.dumps({"url": f"http://127.0.0.1:{port}", "tokens": tokens}), flush=True)
    server.run()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    _serve(sys.argv[1], sys.argv[2], sys.argv[3:])
