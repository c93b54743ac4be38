"""``/api/v1``: every API route under a version prefix, the unversioned paths kept one release.

Each router of the package is included twice: under ``/api/v1`` (the described API) and at its
old path, hidden from the OpenAPI description and answering with ``Deprecation`` (RFC 9745),
``Sunset`` (RFC 8594) and a ``Link`` to the successor, so integrators see the move in their logs
before the old paths go. A v1 list answers a :class:`~pipeline.api.paging.Page`; its alias keeps
the bare list it answered before.

Some paths never move: ``/healthz`` (fixed by the interface, also at ``/api/v1/healthz``), the
presigned download links ``/objects/…`` (the signature covers the path) and the citizens' page
behind a printed receipt's QR code, plus the staff web page shell.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, get_args

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from pipeline.api.paging import Page

API_PREFIX = "/api/v1"
DEPRECATED_SINCE = "@1796083200"  # 2026-12-01T00:00:00Z, the release that introduced /api/v1
SUNSET = "Wed, 30 Jun 2027 23:59:59 GMT"  # the next release removes the aliases
# Served at these paths only, never deprecated (a signed URL or a printed QR code names them).
UNVERSIONED_ONLY = ("/objects/", "/tra-cuu/")
# Served both at the old path (not deprecated) and under /api/v1.
PERMANENT = ("/healthz",)

ROUTE_KEYS = (
    "response_model", "status_code", "tags", "dependencies", "summary", "description",
    "response_description", "responses", "deprecated", "methods", "operation_id",
    "response_model_include", "response_model_exclude", "response_model_by_alias",
    "response_model_exclude_unset", "response_model_exclude_defaults", "response_model_exclude_none",
    "include_in_schema", "response_class", "name", "callbacks", "openapi_extra",
)


def _route_kwargs(route: APIRoute) -> dict[str, Any]:
    kwargs = {k: getattr(route, k) for k in ROUTE_KEYS}
    kwargs["methods"] = sorted(route.methods or [])
    return kwargs


def _page_item(model: Any) -> Any | None:
    if isinstance(model, type) and issubclass(model, Page):
        (item,) = get_args(model.model_fields["items"].annotation)
        return item
    return None


def _bare_list(endpoint: Any) -> Any:
    """The endpoint answering its page's items only (what the alias answered before v1)."""
    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            return (await endpoint(*args, **kwargs)).items

        return async_wrapper

    @functools.wraps(endpoint)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return endpoint(*args, **kwargs).items

    return wrapper


def include_versioned(app: FastAPI, router: APIRouter, alias_paths: set[str]) -> None:
    """Include ``router`` under the prefix and, deprecated and undescribed, at its old paths."""
    v1, alias, unversioned = APIRouter(), APIRouter(), APIRouter()
    for route in router.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            unversioned.routes.append(route)  # the web page shell and other non-API paths
            continue
        if route.path.startswith(UNVERSIONED_ONLY):
            unversioned.routes.append(route)
            continue
        v1.routes.append(route)
        if route.path.startswith(PERMANENT):
            unversioned.routes.append(route)
            continue
        kwargs = _route_kwargs(route)
        kwargs.update(include_in_schema=False, deprecated=True, name=f"{route.name}_unversioned")
        endpoint = route.endpoint
        item = _page_item(route.response_model)
        if item is not None:
            kwargs["response_model"] = list[item]  # type: ignore[valid-type]
            endpoint = _bare_list(endpoint)
        alias.add_api_route(route.path, endpoint, **kwargs)
        alias_paths.add(route.path)
    app.include_router(v1, prefix=API_PREFIX)
    app.include_router(alias)
    app.include_router(unversioned)


class DeprecationHeaders:
    """ASGI middleware: answers of an unversioned alias carry Deprecation, Sunset and Link."""

    def __init__(self, app: Any, alias_paths: set[str]) -> None:
        self.app = app
        self.alias_paths = alias_paths

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_marked(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                route = scope.get("route")
                if getattr(route, "path", None) in self.alias_paths:
                    raw = scope.get("raw_path") or scope["path"].encode()
                    successor = API_PREFIX + raw.decode("latin-1")
                    headers = list(message.get("headers", []))
                    headers += [
                        (b"deprecation", DEPRECATED_SINCE.encode()),
                        (b"sunset", SUNSET.encode()),
                        (b"link", f'<{successor}>; rel="successor-version"'.encode()),
                    ]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_marked)
