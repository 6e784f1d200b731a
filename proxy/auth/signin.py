"""Signing in and out in the browser: the forms on `/signin` and `/signout`, and the one-time
login link on `/?login=...` that `quire serve` prints.

The forms are plain HTML (pages.py). A form post must come from the app's own page (the
middleware's origin check); a refused one gets a page saying so, not a JSON error.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from proxy.auth import pages
from proxy.auth.middleware import came_from_app, session_id_of
from proxy.auth.principal import User
from proxy.auth.service import AuthService
from proxy.http.errors import GENERIC_AUTH_MESSAGE, ApiError
from proxy.http.openapi import Operation, document

MAX_FIELD_CHARS = 1024


def auth_service(request: Request) -> AuthService:
    return request.app.state.auth


def session_user(request: Request) -> User | None:
    user = request.scope.get("user")
    return user if isinstance(user, User) and session_id_of(request.scope) else None


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers={"Cache-Control": "no-store"})


@document("The sign-in page (or, when signed in, who is and a sign-out button)", response=None,
          response_media="text/html", auth=False)
async def signin_page(request: Request) -> Response:
    user = session_user(request)
    return pages.signed_in_page(user.name) if user else pages.signin_page()


async def read_fields(request: Request) -> tuple[str, str] | None:
    try:
        form = await request.form(max_files=0, max_fields=8)
    except (HTTPException, ValueError, AssertionError):
        return None
    name, password = form.get("name"), form.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        return "", ""
    return name, password


@document("Sign in with the form; redirects to the app with the session cookie set",
          request_media="application/x-www-form-urlencoded", response_media="text/html", status=303,
          auth=False, errors=(400, 401, 403, 429))
async def signin_submit(request: Request) -> Response:
    if not came_from_app(request.scope):
        return pages.signin_page(error=pages.CROSS_SITE, status=403)
    fields = await read_fields(request)
    if fields is None:
        return pages.signin_page(error="The form could not be read.", status=400)
    name, password = fields
    if not name or not password or len(name) > MAX_FIELD_CHARS or len(password) > MAX_FIELD_CHARS:
        return pages.signin_page(name=name, error=GENERIC_AUTH_MESSAGE, status=401)
    auth = auth_service(request)
    try:
        _, session_id = await auth.login(name, password, request.client.host if request.client else "unknown")
    except HTTPException as error:  # rate limited
        return pages.signin_page(name=name, error="Too many sign-in attempts. Try again in a minute.",
                                 status=error.status_code, headers=error.headers)
    except ApiError:
        return pages.signin_page(name=name, error=GENERIC_AUTH_MESSAGE, status=401)
    response = see_other("/")
    auth.set_session_cookie(response, session_id)
    return response


@document("The sign-out page: a sign-out button when signed in, else 'you are signed out'", response=None,
          response_media="text/html", auth=False)
async def signout_page(request: Request) -> Response:
    user = session_user(request)
    return pages.signed_in_page(user.name) if user else pages.signed_out_page()


@document("Sign out with the form: revoke this session, clear its cookie, show the signed-out page",
          response_media="text/html", status=303, auth=False, errors=(403,))
async def signout_submit(request: Request) -> Response:
    if not came_from_app(request.scope):
        return pages.refused_page()
    auth = auth_service(request)
    auth.end_session(session_id_of(request.scope))
    response = see_other("/signout")
    auth.clear_session_cookie(response)
    return response


async def index(request: Request) -> Response:
    """The app's page; with `?login=<token>` first redeems a one-time login link."""
    token = request.query_params.get("login")
    # Only a GET redeems a link: HEAD requests (link checkers) must not use it up.
    if token is None or request.method != "GET":
        return await request.app.state.web.get_response("index.html", request.scope)
    auth = auth_service(request)
    uid = auth.redeem_login_link(token)
    if uid is None:
        # One message for used, expired, revoked and forged links: nothing more is revealed.
        return pages.signin_page(error=pages.LINK_SPENT, status=401)
    response = see_other("/")
    auth.set_session_cookie(response, auth.start_session(uid))
    return response


index.__openapi__ = Operation(  # type: ignore[attr-defined]
    summary="The app's page; `?login=` redeems a one-time login link", response_media="text/html",
    auth=False, errors=(401, 404), query={"login": {"type": "string"}},
)


def routes() -> list[BaseRoute]:
    return [
        Route("/signin", signin_page, methods=["GET"]),
        Route("/signin", signin_submit, methods=["POST"]),
        Route("/signout", signout_page, methods=["GET"]),
        Route("/signout", signout_submit, methods=["POST"]),
        Route("/", index, methods=["GET"]),
    ]
