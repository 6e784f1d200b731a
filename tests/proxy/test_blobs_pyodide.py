"""The blob engine inside real Pyodide under Node (its fetch and WebCrypto) against the live
proxy and real SeaweedFS: what the browser's data worker will run, byte for byte; and its
methods there: a file added with no key kept stays on the device under a local name, then is
named, uploaded and read back from S3 once a key is kept."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from auth_fixtures import (  # noqa: F401  (fixtures)
    add_user, bearer, fast_password_hashing, live_server, make_quire_app, make_quire_settings, quire_app,
    quire_settings,
)
from blob_fixtures import remote  # noqa: F401  (fixtures)
from test_blobs_s3 import stored_objects

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(300)
def test_pyodide_uploads_and_downloads_through_the_proxy(remote, s3_service):
    node = shutil.which("node")
    assert node, "Node.js is needed to run Pyodide outside the browser"
    base, headers, uid = remote
    run = subprocess.run([node, str(ROOT / "tests" / "pyodide" / "run_blob_remote.mjs"), base,
                          headers["Authorization"].split()[1]], cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stderr[-4000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["platform"] == "pyodide"
    assert report["created"] == [True, True, False] and report["parts"] == 2
    assert report["equal"] == [True, True]
    assert report["refusal"] == "Segment 1 of 1 failed its check."
    local = report["local"]
    assert local["pending"] is True and local["states"] == ["waiting"]  # kept under a local name
    assert local["device"] == ["local-" + local["sha256"]]
    assert local["uploaded"] == ["on_device"] and local["freed"] == 1 and local["equal"] is True
    assert local["host_buffer"] == "JsProxy" and local["cached"] == local["named"]
    assert local["named"] == [local["key"].removeprefix("blobs/")] and local["key"] != "blobs/" + local["sha256"]
    assert sorted(stored_objects(s3_service, uid)) == sorted(report["names"] + [local["key"]])
