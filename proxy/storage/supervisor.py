"""Keeps the embedded SeaweedFS running: restarts a dead `weed` with backoff, and says when it is down.

A thread polls the child by its PID (which also reaps it: no zombie stays). When weed dies, the
supervisor logs it, removes its /tmp sockets, marks storage unavailable and restarts it on the
same ports (so every issued URL and the proxy's own endpoint stay valid), waiting 0.5 s, 1 s,
2 s ... up to 30 s between failed attempts. While it is down, presign and /readyz answer 503.

"Unavailable" is a marker file in the S3 folder, so that every worker process of `quire serve`
(which all share the data directory) sees it: see `unavailable_marker` and S3Service.
The restarted child gets PR_SET_PDEATHSIG from this thread, which lives until `stop()`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from pathlib import Path

from proxy.storage.seaweed import EmbeddedS3, EmbeddedS3Error, S3Endpoint

log = logging.getLogger("quire.s3")

MARKER_NAME = "unavailable"


def unavailable_marker(data_dir: Path) -> Path:
    """The file whose presence says the embedded S3 of `data_dir` is down."""
    return Path(data_dir) / "s3" / MARKER_NAME


class Supervisor:
    """Runs one EmbeddedS3 and restarts it whenever it dies, until `stop()`."""

    def __init__(self, server: EmbeddedS3, *, poll_seconds: float = 0.25, first_delay: float = 0.5,
                 max_delay: float = 30.0, stable_seconds: float = 60.0) -> None:
        self.server = server
        self.poll_seconds = poll_seconds
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.stable_seconds = stable_seconds  # up this long, and the next death starts from first_delay
        self.marker = server.folder / MARKER_NAME
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def available(self) -> bool:
        """True while weed runs and answers (as far as the supervisor knows)."""
        return not self.marker.exists()

    def start(self) -> S3Endpoint:
        """Start weed and the watching thread; returns the endpoint."""
        self._mark_down()
        ready = threading.Event()
        failure: list[BaseException] = []

        def first_start() -> None:
            # weed is started from the watching thread itself: PR_SET_PDEATHSIG follows the
            # thread that forked, so the child must belong to one that lives as long as we do.
            try:
                self.server.start()
            except BaseException as error:  # handed to the caller below
                failure.append(error)
                ready.set()
                return
            self._mark_up()
            ready.set()
            self._watch()

        self._thread = threading.Thread(target=first_start, name="quire-s3-supervisor", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            raise failure[0]
        if self.server.endpoint is None:
            raise EmbeddedS3Error("the embedded S3 did not start")
        return self.server.endpoint

    def stop(self) -> None:
        """Stop watching, stop weed (by its PID), remove its sockets and the marker."""
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(60)
        self.server.stop()
        with contextlib.suppress(OSError):
            self.marker.unlink()

    def _watch(self) -> None:
        delay, up_since = self.first_delay, time.monotonic()
        try:
            while not self._stopping.wait(self.poll_seconds):
                process = self.server.process
                if process is not None and process.poll() is None:
                    continue
                if time.monotonic() - up_since > self.stable_seconds:
                    delay = self.first_delay
                self._mark_down()
                code = self.server.reap()
                log.warning("embedded S3 (weed pid %s) exited with status %s; restarting in %.1f s",
                            process.pid if process else "?", code, delay)
                delay = self._restart_with_backoff(delay)
                up_since = time.monotonic()
        finally:
            self.server.stop()  # this thread started weed; it must not outlive it

    def _restart_with_backoff(self, delay: float) -> float:
        while not self._stopping.wait(delay):
            try:
                self.server.restart()
            except EmbeddedS3Error as error:
                delay = min(delay * 2, self.max_delay)
                log.warning("embedded S3 did not restart (%s); next attempt in %.1f s",
                            str(error).splitlines()[0], delay)
                continue
            self.restarts += 1
            self._mark_up()
            log.info("embedded S3 restarted (weed pid %s)", self.server.pid)
            return min(delay * 2, self.max_delay)
        return delay

    def _mark_down(self) -> None:
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        self.marker.touch()

    def _mark_up(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.marker.unlink()

    def __enter__(self) -> S3Endpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
