"""The sign-in page (a server-rendered form) and the one-time login link on `/?login=...`.

Everything interpolated into HTML is escaped. The page has no external assets and a strict
Content-Security-Policy: inline styles only, no scripts, forms post to this origin only.
"""

from __future__ import annotations

from html import escape

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from proxy import csrf
from proxy.auth import AuthService
from proxy.http.errors import GENERIC_AUTH_MESSAGE, ApiError
from proxy.http.openapi import Operation, document

CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
MAX_FIELD_CHARS = 1024

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Quire</title>
<style>
  :root {{ color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }}
  body {{ margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }}
  main {{ width: min(22rem, 90vw); padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 15%, transparent);
         border-radius: 12px; box-shadow: 0 4px 24px color-mix(in srgb, CanvasText 8%, transparent); }}
  h1 {{ margin: 0 0 .25rem; font-size: 1.4rem; }}
  p {{ margin: 0 0 1.25rem; opacity: .75; font-size: .95rem; }}
  label {{ display: block; margin: .9rem 0 .3rem; font-size: .9rem; font-weight: 600; }}
  input {{ width: 100%; box-sizing: border-box; padding: .6rem .7rem; font: inherit; border-radius: 8px;
          border: 1px solid color-mix(in srgb, CanvasText 25%, transparent); background: Field; color: FieldText; }}
  button {{ width: 100%; margin-top: 1.4rem; padding: .65rem; font: inherit; font-weight: 600; border: 0;
           border-radius: 8px; background: #3b5bdb; color: white; cursor: pointer; }}
  button:hover {{ background: #364fc7; }}
  .error {{ margin: 0 0 1rem; padding: .6rem .75rem; border-radius: 8px; background: #fff0f0; color: #a51d1d; opacity: 1; }}
  .aside {{ margin-top: 1.25rem; font-size: .85rem; text-align: center; }}
  a {{ color: #3b5bdb; }}
</style>
</head>
<body>
<main>
  <h1>Sign in to Quire</h1>
  <p>Signing in turns on sync and search. Your workspace works offline without it.</p>
  {error}
  <form method="post" action="/signin">
    <label for="name">Name</label>
    <input id="name" name="name" autocomplete="username" required maxlength="256" value="{name}" autofocus>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
    <button type="submit">Sign in</button>
  </form>
  <p class="aside"><a href="/">Continue without signing in</a></p>
</main>
</body>
</html>
"""


def render_page(*, name: str = "", error: str | None = None, status: int = 200,
                headers: dict | None = None) -> HTMLResponse:
    block = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    html = PAGE.format(error=block, name=escape(name[:256], quote=True))
    return HTMLResponse(html, status_code=status,
                        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store", **(headers or {})})


def auth_service(request: Request) -> AuthService:
    return request.app.state.auth


@document("The sign-in page", response=None, response_media="text/html", auth=False)
async def signin_page(request: Request) -> Response:
    return render_page()


@document("Sign in with the form; redirects to the app with the session cookie set",
          request_media="application/x-www-form-urlencoded", response_media="text/html", status=303,
          auth=False, errors=(400, 403, 429))
async def signin_submit(request: Request) -> Response:
    auth = auth_service(request)
    if not csrf.origin_allowed(request.headers.get("origin"), auth.expected_origin(request.scope), required=False):
        return render_page(error=GENERIC_AUTH_MESSAGE, status=403)
    try:
        form = await request.form(max_files=0, max_fields=8)
    except (HTTPException, ValueError, AssertionError):
        return render_page(error="The form could not be read.", status=400)
    name, password = form.get("name"), form.get("password")
    if not isinstance(name, str) or not isinstance(password, str) or not name or not password \
            or len(name) > MAX_FIELD_CHARS or len(password) > MAX_FIELD_CHARS:
        return render_page(name=name if isinstance(name, str) else "", error=GENERIC_AUTH_MESSAGE, status=401)
    client = request.client.host if request.client else "unknown"
    try:
        _, session_id = await auth.login(name, password, client)
    except HTTPException as error:  # rate limited
        return render_page(name=name, error="Too many sign-in attempts. Try again in a minute.",
                           status=error.status_code, headers=error.headers)
    except ApiError:
        return render_page(name=name, error=GENERIC_AUTH_MESSAGE, status=401)
    response = RedirectResponse("/", status_code=303)
    auth.set_session_cookie(response, session_id)
    return response


async def index(request: Request) -> Response:
    """The app's page; with `?login=<token>` first redeems a one-time login link."""
    token = request.query_params.get("login")
    # Only a GET redeems a link: HEAD requests (link checkers) must not use it up.
    if token is None or request.method != "GET":
        return await request.app.state.web.get_response("index.html", request.scope)
    auth = auth_service(request)
    uid = auth.login_links.consume(token)
    if uid is None:
        return render_page(error=GENERIC_AUTH_MESSAGE, status=401)
    response = RedirectResponse("/", status_code=303, headers={"Cache-Control": "no-store"})
    auth.set_session_cookie(response, auth.sessions.create(uid))
    return response


index.__openapi__ = Operation(  # type: ignore[attr-defined]
    summary="The app's page; `?login=` redeems a one-time login link", response_media="text/html",
    auth=False, errors=(401, 404), query={"login": {"type": "string"}},
)


def routes() -> list[BaseRoute]:
    return [
        Route("/signin", signin_page, methods=["GET"]),
        Route("/signin", signin_submit, methods=["POST"]),
        Route("/", index, methods=["GET"]),
    ]
