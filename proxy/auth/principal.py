"""Who is making a request. Set by the auth middleware; read by every API route."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.authentication import BaseUser
from starlette.requests import Request

from proxy.http.errors import unauthorized


@dataclass(frozen=True)
class User(BaseUser):
    """A signed-in user. `uid` is the stable id used in S3 keys and vector payloads."""

    uid: str
    name: str
    via: str = "session"  # "session" | "token" | "oidc"

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def identity(self) -> str:
        return self.uid


def require_user(request: Request) -> User:
    """The signed-in user, from the session or token only; never from the request body."""
    user = request.scope.get("user")
    if not isinstance(user, User):
        raise unauthorized()
    return user
