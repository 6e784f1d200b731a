"""Signing in and out in the browser's way: the forms, the one-time link, the pages' wording.

(The same flows in real Chromium are in tests/e2e/test_browser_signin.py.)
"""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from auth_fixtures import (  # noqa: F401  (fixtures)
    ORIGIN, PASSWORD, SAME_ORIGIN, add_user, client, fast_password_hashing, make_quire_app, make_quire_settings,
    quire_app, quire_settings, sign_in,
)
from proxy import serve
from proxy.auth import pages

FORM = {"name": "alice", "password": PASSWORD}


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<body>")[1])).strip()


def test_sign_in_page_escapes_what_it_echoes_and_has_a_strict_csp(quire_app, client: TestClient):
    page = client.get("/signin")
    assert page.status_code == 200 and "<form" in page.text and 'name="password"' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "http" not in page.text.split("<body>")[1].replace('href="/"', "")  # no external assets
    evil = '"><script>alert(1)</script>'
    response = client.post("/signin", data={"name": evil, "password": "wrong password"}, headers=SAME_ORIGIN)
    assert response.status_code == 401
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_sign_in_form_sets_the_cookie_and_redirects(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    response = client.post("/signin", data=FORM, headers=SAME_ORIGIN, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert client.get("/api/auth/me").json()["name"] == "alice"


def test_the_pages_say_what_signing_in_gives_and_promise_nothing_that_does_not_exist(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    texts = [visible_text(client.get("/signin").text)]
    sign_in(client, "alice")
    texts.append(visible_text(client.get("/signin").text))
    for text in texts:
        assert "works offline without signing in" in text
        assert "devices sync through it, end-to-end encrypted" in text
        assert "sync and search" not in text.lower() and "turns on" not in text.lower()


def test_signed_in_the_sign_in_page_says_who_and_offers_sign_out(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    sign_in(client, "alice")
    page = client.get("/signin")
    assert "Signed in as alice" in page.text and 'action="/signout"' in page.text and 'name="password"' not in page.text


def test_signout_is_a_page_and_a_form_not_a_json_404(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    signed_out = client.get("/signout")
    assert signed_out.status_code == 200 and signed_out.headers["content-type"].startswith("text/html")
    assert "You are signed out" in signed_out.text
    sign_in(client, "alice")
    raw = client.cookies.get("quire_session")
    confirm = client.get("/signout")  # a GET never signs out (link prefetchers, crawlers)
    assert "Signed in as alice" in confirm.text and client.get("/api/auth/me").json()["signed_in"] is True
    response = client.post("/signout", headers=SAME_ORIGIN, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signout"
    assert "max-age=0" in response.headers["set-cookie"].lower()
    assert quire_app.state.auth.session_user(raw) is None  # revoked on the server, not only forgotten
    assert "You are signed out" in client.get("/signout").text


def test_a_cross_site_sign_out_changes_nothing(quire_app, client: TestClient):
    add_user(quire_app, "alice")
    sign_in(client, "alice")
    for headers in ({"Origin": "http://evil.example"}, {"Origin": ORIGIN, "Sec-Fetch-Site": "cross-site"}, {}):
        response = client.post("/signout", headers=headers, follow_redirects=False)
        assert response.status_code == 403 and "Nothing was changed" in response.text
        assert "set-cookie" not in response.headers
    assert client.get("/api/auth/me").json()["name"] == "alice"


def test_sign_out_without_a_session_is_harmless(client: TestClient):
    response = client.post("/signout", headers=SAME_ORIGIN)
    assert response.status_code == 200 and "You are signed out" in response.text


def test_a_spent_link_says_so_and_offers_the_form(quire_app, client: TestClient):
    owner = quire_app.state.auth.accounts.ensure_owner()
    link = quire_app.state.auth.create_login_link(owner.uid)
    assert client.get(f"/?login={link}", follow_redirects=False).status_code == 303
    with TestClient(quire_app, base_url=ORIGIN) as other:
        again = other.get(f"/?login={link}", follow_redirects=False)
    text = visible_text(again.text)
    assert again.status_code == 401 and pages.LINK_SPENT.split(":")[0] in text
    assert "owner" not in text  # says nothing about whose link it was


def test_a_restart_revokes_every_unused_login_link(quire_app, quire_settings, client: TestClient):
    first = serve.login_link(quire_settings, "http://127.0.0.1:8000/").split("?login=")[1]
    second = serve.login_link(quire_settings, "http://127.0.0.1:8000/").split("?login=")[1]  # the next start
    assert client.get(f"/?login={first}", follow_redirects=False).status_code == 401
    assert client.get(f"/?login={second}", follow_redirects=False).status_code == 303
    assert client.get("/api/auth/me").json()["name"] == "owner"
    # Sessions and tokens survive a restart; only unused links go.
    serve.login_link(quire_settings, "http://127.0.0.1:8000/")
    assert client.get("/api/auth/me").json()["name"] == "owner"
