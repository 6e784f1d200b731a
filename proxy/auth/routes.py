"""JSON routes for identity: sign in, sign out, who am I, and delete my account and data."""

from __future__ import annotations

import inspect

from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from proxy.auth.middleware import presented_bearer, session_id_of
from proxy.auth.principal import User, require_user
from proxy.auth.service import AuthService
from proxy.http.bodies import read_model
from proxy.http.errors import unauthorized
from proxy.http.openapi import document


class LoginRequest(BaseModel):
    name: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    """Who is signed in: `signed_in` false (and nothing else) when nobody is."""

    signed_in: bool
    uid: str | None = None
    name: str | None = None
    via: str | None = None  # "session" | "token" | "oidc"


class Done(BaseModel):
    ok: bool


def auth_service(request: Request) -> AuthService:
    return request.app.state.auth


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def me_of(user: User) -> dict:
    return Me(signed_in=True, uid=user.uid, name=user.name, via=user.via).model_dump()


@document("Sign in with a name and password; sets the session cookie", request=LoginRequest, response=Me,
          auth=False, errors=(400, 403, 415, 422, 429))
async def login(request: Request) -> JSONResponse:
    body = await read_model(request, LoginRequest)
    auth = auth_service(request)
    account, session_id = await auth.login(body.name, body.password, client_ip(request))
    response = JSONResponse(me_of(User(uid=account.uid, name=account.name, via="session")))
    auth.set_session_cookie(response, session_id)
    return response


@document("Sign out: revoke this session and clear its cookie", response=Done, auth=False, errors=(403,))
async def logout(request: Request) -> JSONResponse:
    auth = auth_service(request)
    auth.end_session(session_id_of(request.scope))
    response = JSONResponse(Done(ok=True).model_dump())
    auth.clear_session_cookie(response)
    return response


@document("Who is signed in; `signed_in: false` when nobody is (401 only for a bad bearer header)",
          response=Me, auth=False, errors=(401,))
async def me(request: Request) -> JSONResponse:
    user = request.scope.get("user")
    if isinstance(user, User):
        return JSONResponse(me_of(user))
    if presented_bearer(request.scope):
        raise unauthorized()  # a script's token is wrong: say so, do not pretend all is well
    response = JSONResponse(Me(signed_in=False).model_dump(), headers={"Cache-Control": "no-store"})
    if auth_service(request).session_cookie(request.headers):
        auth_service(request).clear_session_cookie(response)  # a stale cookie: drop it
    return response


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
