"""Serving web/: the right MIME types and cache headers for an offline-first page.

Caching rules: every file carries an ETag and `Cache-Control: no-cache`, so browsers revalidate
(a cheap 304) and never run a stale app shell next to a newer worker. The exceptions are files
whose URL changes whenever their bytes do — wheels, whose names carry name and version (our own
engine wheel's version carries a content hash) — which are cached for a year as immutable.
The service worker, not the HTTP cache, is what makes the page work offline.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".wasm": "application/wasm",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".onnx": "application/octet-stream",
    ".data": "application/octet-stream",
    ".toml": "application/toml",
    ".py": "text/x-python; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
# A wheel file name is name-version(-build)?-python-abi-platform.whl: it names one immutable build.
VERSIONED = re.compile(r"^[A-Za-z0-9_.]+-[0-9][^/-]*(-[0-9][^/-]*)?-[^/-]+-[^/-]+-[^/-]+\.whl$")


def media_type_for(path: str) -> str:
    return MEDIA_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")


def cache_control_for(path: str) -> str:
    return IMMUTABLE if VERSIONED.match(os.path.basename(path)) else NO_CACHE


class WebFiles(StaticFiles):
    """StaticFiles with Quire's MIME table, cache policy and service-worker scope header."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, html=True, check_dir=False)

    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200) -> Response:
        name = os.fspath(full_path)
        headers = {"Cache-Control": cache_control_for(name)}
        if os.path.basename(name) == "sw.js":
            headers["Service-Worker-Allowed"] = "/"
        response = FileResponse(
            full_path, status_code=status_code, stat_result=stat_result,
            media_type=media_type_for(name), headers=headers,
        )
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response

    async def check_config(self) -> None:
        # A missing web/ (tests, API-only deployments) answers 404s instead of failing.
        return None
