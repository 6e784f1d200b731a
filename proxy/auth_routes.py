"""JSON routes for identity: sign in, sign out, who am I, and delete my account and data."""

from __future__ import annotations

import inspect

from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from proxy import csrf
from proxy.auth import AuthService, session_id_of
from proxy.http.bodies import read_model
from proxy.http.errors import ApiError
from proxy.http.openapi import document
from proxy.principal import require_user


class LoginRequest(BaseModel):
    name: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    """The signed-in user. `csrf_token` goes in `X-CSRF-Token` on cookie-authenticated writes."""

    uid: str
    name: str
    via: str
    csrf_token: str | None


class Done(BaseModel):
    ok: bool


def auth_service(request: Request) -> AuthService:
    return request.app.state.auth


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_login_origin(request: Request) -> None:
    """Refuse sign-in posted from another site (login CSRF); non-browsers send no Origin."""
    auth = auth_service(request)
    if not csrf.origin_allowed(request.headers.get("origin"), auth.expected_origin(request.scope), required=False):
        raise ApiError(403, "csrf_failed", "missing or invalid CSRF token or origin")


def me_body(request: Request, session_id: str | None) -> dict:
    user = require_user(request)
    token = auth_service(request).csrf_token(session_id) if session_id else None
    return Me(uid=user.uid, name=user.name, via=user.via, csrf_token=token).model_dump()


@document("Sign in with a name and password; sets the session cookie", request=LoginRequest, response=Me,
          auth=False, errors=(400, 403, 415, 422, 429))
async def login(request: Request) -> JSONResponse:
    check_login_origin(request)
    body = await read_model(request, LoginRequest)
    auth = auth_service(request)
    account, session_id = await auth.login(body.name, body.password, client_ip(request))
    me = Me(uid=account.uid, name=account.name, via="session", csrf_token=auth.csrf_token(session_id))
    response = JSONResponse(me.model_dump())
    auth.set_session_cookie(response, session_id)
    return response


@document("Sign out: revoke this session and clear its cookie", response=Done, auth=False, errors=(403,))
async def logout(request: Request) -> JSONResponse:
    auth = auth_service(request)
    session_id = session_id_of(request.scope)
    if session_id:
        auth.sessions.revoke(session_id)
    response = JSONResponse(Done(ok=True).model_dump())
    auth.clear_session_cookie(response)
    return response


@document("The signed-in user and the CSRF token for this session", response=Me)
async def me(request: Request) -> JSONResponse:
    return JSONResponse(me_body(request, session_id_of(request.scope)))


async def _call(function, *args) -> None:
    if inspect.iscoroutinefunction(function):
        await function(*args)
    else:
        await run_in_threadpool(function, *args)


@document("Delete my S3 objects, my vectors and my account (cannot be undone)", response=Done, errors=(403,))
async def delete_me(request: Request) -> JSONResponse:
    user = require_user(request)
    # Data first: if a store fails, the account survives and the user can try again.
    await _call(request.app.state.s3.delete_user, user.uid)
    await _call(request.app.state.vectors.delete_user, user.uid)
    auth = auth_service(request)
    if user.via != "oidc":  # OIDC users have no local account; their provider owns it
        auth.delete_account(user.uid)
    response = JSONResponse(Done(ok=True).model_dump())
    auth.clear_session_cookie(response)
    return response


def routes() -> list[BaseRoute]:
    return [
        Route("/api/auth/login", login, methods=["POST"]),
        Route("/api/auth/logout", logout, methods=["POST"]),
        Route("/api/auth/me", me, methods=["GET"]),
        Route("/api/me", delete_me, methods=["DELETE"]),
    ]
