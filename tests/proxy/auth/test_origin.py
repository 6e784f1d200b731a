"""The cross-site check (Sec-Fetch-Site + Origin) replaces CSRF tokens: what passes, what does not.

The expected origins come from the configured public URL and the bound addresses, never from the
request's Host (a hostile Host with a matching Origin is the DNS-rebinding shape).
"""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers
from starlette.testclient import TestClient

from auth_fixtures import (  # noqa: F401  (fixtures)
    ORIGIN, PASSWORD, SAME_ORIGIN, add_user, client, fast_password_hashing, make_quire_app, make_quire_settings,
    quire_app, quire_settings, sign_in,
)
from proxy.auth.origin import OriginCheck, allowed_origins, bound_origins, origin_of

LOGIN = {"name": "alice", "password": PASSWORD}

# Requests a browser could send from somewhere other than the app's own page (or that no
# browser sends but an attacker's script might), each with a cookie riding along.
FOREIGN = {
    "foreign origin": {"Origin": "http://evil.example"},
    "foreign origin, same-origin claim": {"Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"},
    "cross-site": {"Origin": ORIGIN, "Sec-Fetch-Site": "cross-site"},
    "same-site (another port of this host)": {"Origin": "http://testserver:9333", "Sec-Fetch-Site": "same-site"},
    "same-site with our origin": {"Origin": ORIGIN, "Sec-Fetch-Site": "same-site"},
    "user-initiated POST": {"Origin": ORIGIN, "Sec-Fetch-Site": "none"},
    "null origin": {"Origin": "null"},
    "null origin, same-origin claim": {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    "no origin, same-origin claim": {"Sec-Fetch-Site": "same-origin"},
    "no headers at all": {},
    "origin with a path": {"Origin": ORIGIN + "/"},
    "origin with another port": {"Origin": ORIGIN + ":8080"},
    "origin with userinfo": {"Origin": "http://user@testserver"},
    "origin as a prefix": {"Origin": ORIGIN + ".evil.example"},
    "https twin": {"Origin": "https://testserver"},
    "two origins": {"Origin": f"{ORIGIN} http://evil.example"},
    "hostile host, matching origin": {"Host": "evil.example", "Origin": "http://evil.example"},
    "hostile host, matching origin, same-origin claim":
        {"Host": "evil.example", "Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"},
}


def test_origin_of_serialises_like_a_browser():
    assert origin_of("https://Quire.Example.org:443/app/?x=1") == "https://quire.example.org"
    assert origin_of("http://127.0.0.1:80") == "http://127.0.0.1"
    assert origin_of("http://[::1]:8000/") == "http://[::1]:8000"
    assert origin_of("https://bücher.example") == "https://xn--bcher-kva.example"
    for bad in ("ftp://x", "quire.example.org", "", "javascript:alert(1)", "http://"):
        with pytest.raises(ValueError):
            origin_of(bad)


def test_allowed_origins_are_the_public_url_and_the_bound_addresses():
    assert allowed_origins(None, "127.0.0.1", 8123) == [
        "http://127.0.0.1:8123", "http://localhost:8123", "http://[::1]:8123"]
    assert allowed_origins("https://quire.example.org/", "0.0.0.0", 8000)[0] == "https://quire.example.org"
    assert "http://127.0.0.1:8000" in allowed_origins("https://quire.example.org", "0.0.0.0", 8000)
    assert bound_origins("192.168.1.5", 8000) == ["http://192.168.1.5:8000"]
    assert bound_origins("fd00::5", 8000) == ["http://[fd00::5]:8000"]
    assert allowed_origins(None, "127.0.0.1", 0) == []  # not bound yet: nothing is trusted


def test_the_check_never_consults_host():
    check = OriginCheck(allowed_origins(None, "127.0.0.1", 8000))
    for host in ("evil.example", "127.0.0.1:8000"):
        headers = Headers({"host": host, "origin": f"http://{host}", "sec-fetch-site": "same-origin"})
        assert check.same_origin(headers, cookie=True) is (host == "127.0.0.1:8000")


@pytest.mark.parametrize("case", FOREIGN)
def test_cookie_writes_from_anywhere_but_the_app_are_refused(quire_app, client: TestClient, case: str):
    add_user(quire_app, "alice")
    sign_in(client, "alice")
    for method, path in (("POST", "/api/auth/logout"), ("DELETE", "/api/me"), ("POST", "/api/s3/presign"),
                         ("PUT", "/api/auth/login"), ("PATCH", "/api/nope")):
        response = client.request(method, path, headers=FOREIGN[case], json={"op": "get", "key": "a.txt"})
        assert response.status_code == 403, (case, method, path, response.text)
        assert response.json()["error"]["code"] == "csrf_failed"
    # Nothing happened: still signed in, the account still exists.
    assert client.get("/api/auth/me").json()["name"] == "alice"
    assert quire_app.state.auth.accounts.by_name("alice") is not None


@pytest.mark.parametrize("case", [c for c in FOREIGN if c != "no headers at all"])
def test_sign_in_from_anywhere_but_the_app_is_refused(quire_app, client: TestClient, case: str):
    add_user(quire_app, "alice")
    json_login = client.post("/api/auth/login", headers=FOREIGN[case], json=LOGIN)
    form_login = client.post("/signin", headers=FOREIGN[case], data=LOGIN, follow_redirects=False)
    assert json_login.status_code == 403 and form_login.status_code == 403, case
    assert "set-cookie" not in json_login.headers and "set-cookie" not in form_login.headers
    assert "was not sent from Quire" in form_login.text  # a page, not a JSON error
    assert client.get("/api/auth/me").json()["signed_in"] is False


def test_a_refused_sign_in_is_not_counted_as_an_attempt(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    for _ in range(20):
        client.post("/signin", headers=FOREIGN["foreign origin"], data={"name": "alice", "password": "wrong"})
    assert client.post("/api/auth/login", json=LOGIN, headers=SAME_ORIGIN).status_code == 200


def test_what_the_apps_page_sends_passes(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    # Chromium: a same-origin fetch or form post carries both headers.
    sign_in(client, "alice")
    presign = client.post("/api/s3/presign", headers=SAME_ORIGIN, json={"op": "get", "key": "a.txt"})
    assert presign.status_code == 200, presign.text
    # Plain http to a LAN address: no Sec-Fetch-Site (not a trustworthy origin), Origin alone decides.
    assert client.post("/api/s3/presign", headers={"Origin": ORIGIN}, json={"op": "get", "key": "a.txt"}).status_code == 200
    assert client.post("/api/auth/logout", headers=SAME_ORIGIN).status_code == 200


def test_scripts_without_browser_headers_may_sign_in_but_not_write_with_a_cookie(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    assert client.post("/api/auth/login", json=LOGIN).status_code == 200  # curl-style, no Origin
    assert client.post("/api/s3/presign", json={"op": "get", "key": "a.txt"}).status_code == 403
    assert client.get("/api/auth/me").json()["name"] == "alice"  # reads need no proof


def test_bearer_requests_need_no_origin_proof_and_cannot_borrow_the_cookie(quire_app, client: TestClient):
    account = add_user(quire_app, "alice")
    token, _ = quire_app.state.auth.create_token(account.uid)
    response = client.post("/api/s3/presign", headers={"Authorization": f"Bearer {token}", **FOREIGN["cross-site"]},
                           json={"op": "get", "key": "a.txt"})
    assert response.status_code == 200 and f"users/{account.uid}/a.txt" in response.json()["url"]
    sign_in(client, "alice")
    forged = client.post("/api/s3/presign", headers={"Authorization": "Bearer qt_forged", **FOREIGN["cross-site"]},
                         json={"op": "get", "key": "a.txt"})
    assert forged.status_code == 401  # the cookie is not used when a bearer header is present


def test_public_url_and_bound_addresses_are_the_only_origins(make_quire_app, make_quire_settings):
    app = make_quire_app(make_quire_settings(public_url="https://quire.example.org", host="0.0.0.0", port=8123))
    add_user(app, "alice")
    with TestClient(app, base_url="https://quire.example.org") as browser:
        for origin, expected in (("https://quire.example.org", 200), ("http://127.0.0.1:8123", 200),
                                 ("http://localhost:8123", 200), ("https://testserver", 403),
                                 ("http://quire.example.org", 403), ("http://192.168.1.5:8123", 403)):
            response = browser.post("/api/auth/login", json=LOGIN, headers={"Origin": origin})
            assert response.status_code == expected, origin
