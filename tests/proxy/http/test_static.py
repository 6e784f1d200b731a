"""Serving web/: MIME types, cache policy, service-worker scope, revalidation, traversal."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from auth_fixtures import (  # noqa: F401  (fixtures)
    client, fast_password_hashing, make_quire_app, make_quire_settings, quire_app, quire_settings,
)
from proxy.http.static import cache_control_for, media_type_for

MEDIA = {
    "/app.mjs": "text/javascript; charset=utf-8",
    "/legacy.js": "text/javascript; charset=utf-8",
    "/sw.js": "text/javascript; charset=utf-8",
    "/app.css": "text/css; charset=utf-8",
    "/": "text/html; charset=utf-8",
    "/index.html": "text/html; charset=utf-8",
    "/vendor/pyodide/pyodide.asm.wasm": "application/wasm",
    "/vendor/pyodide/pyodide-lock.json": "application/json",
    "/vendor/pyodide/python_stdlib.zip": "application/zip",
    "/vendor/wheels/pydantic-2.14.3-py3-none-any.whl": "application/zip",
    "/vendor/model/model_quantized.onnx": "application/octet-stream",
    "/vendor/pyodide/python.data": "application/octet-stream",
    "/pyscript.toml": "application/toml",
}


@pytest.mark.parametrize("path", sorted(MEDIA))
def test_media_types(client: TestClient, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA[path]
    assert response.headers["cross-origin-embedder-policy"] == "require-corp"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_app_shell_and_service_worker_always_revalidate(client: TestClient):
    for path in ("/", "/index.html", "/sw.js", "/app.mjs", "/vendor/pyodide/pyodide.asm.wasm"):
        response = client.get(path)
        assert response.headers["cache-control"] == "no-cache", path
        assert response.headers["etag"], path
    assert client.get("/sw.js").headers["service-worker-allowed"] == "/"
    assert "service-worker-allowed" not in client.get("/app.mjs").headers


def test_versioned_wheels_are_immutable(client: TestClient):
    response = client.get("/vendor/wheels/pydantic-2.14.3-py3-none-any.whl")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert cache_control_for("quire_pylib-0.1.0+c9d0c7e48740-py3-none-any.whl").endswith("immutable")
    assert cache_control_for("pyodide-lock.json") == "no-cache"
    assert cache_control_for("my-notes.whl") == "no-cache"  # not a wheel name: no version in it


def test_etag_revalidation_gives_304(client: TestClient):
    first = client.get("/app.mjs")
    again = client.get("/app.mjs", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == "no-cache"
    changed = client.get("/app.mjs", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200


def test_head_works_and_writes_do_not(client: TestClient):
    assert client.head("/app.mjs").status_code == 200
    for method in ("POST", "PUT", "DELETE"):
        response = client.request(method, "/app.mjs")
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", [
    "/../secret_key", "/%2e%2e/secret_key", "/vendor/../../secret_key", "/..%2fsecret_key", "/%00", "/a%00.js",
    "/" + "a" * 5000,
])
def test_no_path_escapes_web_dir(quire_settings, client: TestClient, path):
    (quire_settings.web_dir.parent / "secret_key").write_text("do not serve me")
    response = client.get(path)
    assert response.status_code == 404
    assert "do not serve me" not in response.text


def test_unknown_extensions_are_octet_stream():
    assert media_type_for("x.unknown") == "application/octet-stream"
    assert media_type_for("X.WASM") == "application/wasm"


def test_a_missing_web_dir_answers_404_not_500(make_quire_app, make_quire_settings, tmp_path):
    app = make_quire_app(make_quire_settings(web_dir=tmp_path / "absent"))
    with TestClient(app) as test_client:
        assert test_client.get("/").status_code == 404
        assert test_client.get("/healthz").status_code == 200
