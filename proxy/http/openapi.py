"""`/api/openapi.json`: an OpenAPI 3.1 description built from the app's own routes.

Endpoints describe themselves with `@document(...)` (pydantic models for bodies); a route
without it still appears, with a generic body, so the schema always lists every route.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

BODY_METHODS = {"POST", "PUT", "PATCH"}
REF = "#/components/schemas/{model}"


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """The one error shape every route uses."""

    error: ErrorDetail


@dataclass(frozen=True)
class Operation:
    """How one endpoint is described: summary, bodies, query parameters, auth."""

    summary: str
    request: type[BaseModel] | None = None
    request_media: str = "application/json"
    response: type[BaseModel] | None = None
    response_media: str = "application/json"
    status: int = 200
    errors: tuple[int, ...] = ()
    auth: bool = True
    query: dict[str, dict] = field(default_factory=dict)  # name -> JSON schema (optional params)


def document(summary: str, **options: Any) -> Callable:
    """Decorator: attach an Operation to an endpoint (see Operation for the options)."""

    def attach(endpoint: Callable) -> Callable:
        endpoint.__openapi__ = Operation(summary=summary, **options)  # type: ignore[attr-defined]
        return endpoint

    return attach


def _openapi_path(path: str) -> tuple[str, list[str]]:
    names = re.findall(r"{([^}:]+)(?::[^}]+)?}", path)
    return re.sub(r"{([^}:]+)(?::[^}]+)?}", r"{\1}", path), names


def _walk(routes: Iterable[BaseRoute], prefix: str = "") -> Iterable[tuple[str, Route | Mount]]:
    for route in routes:
        if isinstance(route, Route) and route.include_in_schema:
            yield prefix + route.path, route
        elif isinstance(route, Mount):
            sub = getattr(route.app, "routes", None)
            if sub:
                yield from _walk(sub, prefix + route.path)
            elif getattr(route.app, "__openapi__", None) is not None:
                yield prefix + route.path.rstrip("/") + "/{path}", route


def _operation_doc(endpoint: Any, method: str) -> Operation:
    doc = getattr(endpoint, "__openapi__", None)
    if isinstance(doc, dict):
        doc = doc.get(method)
    if isinstance(doc, Operation):
        return doc
    summary = (endpoint.__doc__ or getattr(endpoint, "__name__", "operation")).strip().splitlines()[0]
    return Operation(summary=summary)


def _content(model: type[BaseModel] | None, media: str) -> dict:
    schema = {"$ref": REF.format(model=model.__name__)} if model else {"type": "object"}
    return {media: {"schema": schema}}


def _build_operation(doc: Operation, method: str, params: list[str], op_id: str) -> dict:
    op: dict[str, Any] = {"operationId": op_id, "summary": doc.summary, "responses": {}}
    parameters = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in params]
    parameters += [{"name": n, "in": "query", "required": False, "schema": s} for n, s in doc.query.items()]
    if parameters:
        op["parameters"] = parameters
    if method in BODY_METHODS:
        op["requestBody"] = {"required": doc.request is not None, "content": _content(doc.request, doc.request_media)}
    success = {"description": doc.summary, "content": _content(doc.response, doc.response_media)}
    op["responses"][str(doc.status)] = success
    statuses = set(doc.errors) | {413, 500} | ({401} if doc.auth else set())
    for status in sorted(statuses):
        op["responses"][str(status)] = {"description": "error", "content": _content(ErrorBody, "application/json")}
    if doc.auth:
        op["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
    return op


def openapi_schema(routes: Iterable[BaseRoute], *, cookie_name: str = "quire_session",
                   title: str = "Quire proxy", version: str = "1") -> dict:
    """The whole description for these routes, with pydantic models as shared components."""
    paths: dict[str, dict] = {}
    models: dict[str, type[BaseModel]] = {"ErrorBody": ErrorBody}
    for path, route in _walk(routes):
        if isinstance(route, Mount):
            endpoint, methods = route.app, {"GET"}
        else:
            endpoint, methods = route.endpoint, (route.methods or {"GET"}) - {"HEAD"}
        oapi_path, params = _openapi_path(path)
        for method in sorted(methods):
            doc = _operation_doc(endpoint, method)
            for model in (doc.request, doc.response):
                if model is not None:
                    models[model.__name__] = model
            op_id = f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', oapi_path.lower()).strip('_') or 'root'}"
            paths.setdefault(oapi_path, {})[method.lower()] = _build_operation(doc, method, params, op_id)
    _, top = models_json_schema([(m, "validation") for m in models.values()], ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": cookie_name},
            },
        },
    }


async def openapi_endpoint(request: Request) -> JSONResponse:
    """This description."""
    cached = getattr(request.app.state, "openapi", None)
    if cached is None:
        auth = getattr(request.app.state, "auth", None)
        cookie_name = auth.cookie_name if auth else "quire_session"
        cached = request.app.state.openapi = openapi_schema(request.app.routes, cookie_name=cookie_name)
    return JSONResponse(cached)


openapi_endpoint.__openapi__ = Operation(  # type: ignore[attr-defined]
    summary="The OpenAPI description of this API", auth=False,
)
