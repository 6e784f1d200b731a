"""The composed app: isolation headers everywhere, errors, body limit, OpenAPI, health, logs, settings."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from pydantic import ValidationError
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from auth_fixtures import (  # noqa: F401  (fixtures)
    ORIGIN, PASSWORD, SAME_ORIGIN, add_user, bearer, client, fast_password_hashing, live_server, make_quire_app,
    make_quire_settings, quire_app, quire_settings, sign_in,
)
from proxy.app import create_app
from proxy.http.isolation import HEADERS
from proxy.settings import Settings

ISOLATION = {
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
    "cross-origin-resource-policy": "same-origin",
}


def assert_isolated(response: httpx.Response) -> None:
    for name, value in ISOLATION.items():
        assert response.headers.get(name) == value, (response.request.url, name, response.status_code)


def assert_error_shape(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}


def test_every_kind_of_response_is_cross_origin_isolated(quire_app, client: TestClient):
    async def boom(request):
        raise RuntimeError("unexpected")

    quire_app.router.routes.insert(0, Route("/api/test-boom", boom))
    add_user(quire_app, "alice")
    responses = [
        client.get("/"), client.get("/app.mjs"), client.get("/sw.js"), client.get("/healthz"), client.get("/readyz"),
        client.get("/signin"), client.get("/api/openapi.json"), client.get("/api/auth/me"),
        client.get("/api/auth/me", headers={"Authorization": "Bearer qt_unknown"}), client.get("/api/nope"), client.post("/api/auth/me"), client.get("/missing.js"), client.post("/app.mjs"),
        client.post("/api/auth/login", content=b"x" * (3 * 1024 * 1024), headers={"content-type": "application/json"}),
        client.get("/api/test-boom"),
        client.get("/app.mjs", headers={"If-None-Match": client.get("/app.mjs").headers["etag"]}),
    ]
    statuses = sorted({r.status_code for r in responses})
    assert statuses == [200, 304, 401, 404, 405, 413, 500]
    for response in responses:
        assert_isolated(response)
    sign_in(client, "alice")
    refused = client.post("/api/auth/logout")  # a cookie write without origin proof
    assert refused.status_code == 403
    assert_isolated(refused)


def test_unexpected_errors_are_a_json_500_without_details(quire_app, client: TestClient, caplog):
    async def boom(request):
        raise RuntimeError("database password is hunter2")

    quire_app.router.routes.insert(0, Route("/api/test-boom", boom))
    with caplog.at_level(logging.INFO, logger="quire"):
        response = client.get("/api/test-boom")
    assert_error_shape(response, 500)
    assert response.json()["error"] == {"code": "internal_error", "message": "internal error"}
    assert "hunter2" not in response.text
    assert any(record.name == "quire.error" for record in caplog.records)


def test_unknown_api_routes_and_methods_use_the_error_shape(client: TestClient):
    assert_error_shape(client.get("/api/does-not-exist"), 404)
    assert_error_shape(client.post("/api/s3/nothing"), 404)
    assert_error_shape(client.put("/api/auth/login"), 405)
    assert_error_shape(client.get("/api/s3/presign"), 405)
    assert_error_shape(client.get("/no-such-file.txt"), 404)


def test_body_limit_by_content_length(client: TestClient):
    response = client.post("/api/vectors/query", content=b"{" + b" " * (2 * 1024 * 1024 + 10) + b"}",
                           headers={"content-type": "application/json", "authorization": "Bearer x"})
    assert_error_shape(response, 413)
    assert response.json()["error"]["code"] == "payload_too_large"


def test_body_limit_counts_streamed_bytes(quire_app, live_server):
    """A chunked body (no Content-Length) is cut off once it passes the limit, on a real server."""
    account = add_user(quire_app, "alice")
    url = live_server(quire_app)
    sent = 0

    def chunks():
        nonlocal sent
        for _ in range(64):
            sent += 64 * 1024
            yield b" " * (64 * 1024)

    response = httpx.post(f"{url}/api/vectors/query", content=chunks(), timeout=30,
                          headers={"content-type": "application/json", **bearer(quire_app, account)})
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.request.headers
    assert_error_shape(response, 413)
    assert_isolated(response)


def test_body_limit_applies_to_a_lying_content_length_too(quire_app, client: TestClient):
    account = add_user(quire_app, "alice")

    def chunks():
        for _ in range(40):
            yield b" " * (64 * 1024)

    response = client.post("/api/vectors/query", content=chunks(),
                           headers={"content-type": "application/json", **bearer(quire_app, account)})
    assert_error_shape(response, 413)


@pytest.mark.parametrize("body,status", [
    (b"{", 400), (b"", 400), (b"[]", 422), (b'{"vector": "nope"}', 422), (b'{"vector": [NaN]}', 400),
    (b'{"vector": [Infinity]}', 400), (b"\xff\xfe", 400), (b"[" * 100000, 400),
])
def test_malformed_json_is_a_4xx(quire_app, client: TestClient, body, status):
    account = add_user(quire_app, "alice")
    response = client.post("/api/vectors/query", content=body,
                           headers={"content-type": "application/json", **bearer(quire_app, account)})
    assert_error_shape(response, status)


def test_openapi_lists_every_route_and_method(quire_app, client: TestClient):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in schema["paths"].items() for method in ops}
    expected = set()
    for route in quire_app.routes:
        if isinstance(route, Route):
            expected |= {(route.path, m) for m in route.methods - {"HEAD"}}
    expected.add(("/{path}", "GET"))  # the page's files
    assert expected <= documented
    for path in ("/api/s3/presign", "/api/s3/objects", "/api/s3/usage", "/api/vectors/upsert",
                 "/api/vectors/query", "/api/vectors/delete", "/api/auth/login", "/api/auth/logout",
                 "/api/auth/me", "/api/me", "/healthz", "/readyz", "/signin"):
        assert path in schema["paths"], path
    login = schema["paths"]["/api/auth/login"]["post"]
    ref = login["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.rsplit("/", 1)[1] in schema["components"]["schemas"]
    assert "security" in schema["paths"]["/api/s3/presign"]["post"]
    assert "security" not in schema["paths"]["/healthz"]["get"]


def test_healthz_and_readyz(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"s3": True, "qdrant": True}}


def test_readyz_reports_an_unreachable_s3(make_quire_settings, edge_store, fast_password_hashing):
    from auth_fixtures import free_port
    from proxy.storage.service import S3Service

    settings = make_quire_settings(s3_endpoint_url=f"http://127.0.0.1:{free_port()}")
    app = create_app(settings, s3=S3Service.from_settings(settings), vectors=edge_store)
    with TestClient(app, base_url=ORIGIN) as test_client:
        response = test_client.get("/readyz")
    app.state.auth.close()
    assert_error_shape(response, 503)
    assert "s3" in response.json()["error"]["message"]
    assert "qdrant" not in response.json()["error"]["message"]


def test_request_logs_are_json_and_carry_no_secrets(quire_app, client: TestClient, caplog):
    account = add_user(quire_app, "alice")
    token_headers = bearer(quire_app, account)
    link = quire_app.state.auth.create_login_link(account.uid)
    with caplog.at_level(logging.INFO, logger="quire.access"):
        sign_in(client, "alice")
        session = client.cookies.get("quire_session")
        client.get("/api/auth/me", headers=token_headers)
        client.get(f"/?login={link}&other=secret-query", follow_redirects=False)
        client.post("/api/auth/logout", headers=SAME_ORIGIN)
    lines = [r.getMessage() for r in caplog.records if r.name == "quire.access"]
    assert len(lines) == 4
    entries = [json.loads(line) for line in lines]
    assert {e["path"] for e in entries} == {"/api/auth/login", "/api/auth/me", "/", "/api/auth/logout"}
    assert {"time", "request_id", "method", "path", "status", "duration_ms", "client", "uid"} <= set(entries[0])
    assert entries[1]["uid"] == account.uid
    text = "\n".join(lines)
    for secret in (PASSWORD, session, token_headers["Authorization"].split()[1], link, "secret-query"):
        assert secret not in text


def test_the_app_needs_no_secret_key(make_quire_settings, s3_service, edge_store, tmp_path):
    app = create_app(make_quire_settings(), s3=s3_service, vectors=edge_store)
    app.state.auth.close()
    assert "secret_key" not in Settings.model_fields
    assert not (tmp_path / "data" / "secret_key").exists()


def test_production_without_the_s3_secret_is_a_startup_error(tmp_path):
    with pytest.raises(ValidationError, match="QUIRE_S3_SECRET_ACCESS_KEY"):
        Settings(_env_file=None, environment="production", data_dir=tmp_path, s3_endpoint_url="https://s3.example")
    Settings(_env_file=None, environment="production", data_dir=tmp_path)  # embedded S3: nothing missing


def test_a_public_url_that_is_not_http_is_a_startup_error(tmp_path):
    for bad in ("quire.example.org", "ftp://quire.example.org", "https://"):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, data_dir=tmp_path, public_url=bad)


def test_every_header_we_add_is_on_api_responses(client: TestClient):
    response = client.get("/healthz")
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["x-request-id"]


def test_the_app_is_plain_data(quire_app):
    kinds = [type(route).__name__ for route in quire_app.routes]
    assert kinds.count("Mount") == 2 and isinstance(quire_app.routes[-1], Mount)
    names = [m.cls.__name__ for m in quire_app.user_middleware]
    assert names == ["IsolationHeadersMiddleware", "RequestLogMiddleware", "BodyLimitMiddleware", "AuthMiddleware"]
