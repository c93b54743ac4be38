"""Who is calling: an API key of a downstream system or a staff member's bearer token.

Every endpoint except ``/healthz``, the presigned downloads and the web page shell depends on
:func:`authenticate` (through :func:`require_scope` or :func:`require_role`). A missing or wrong
credential is a 401 and a valid one without the right scope or role a 403; the body never says
more than that. Staff scopes follow from their roles; an administrator passes every check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, cast

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from pipeline.api.context import ApiContext, get_context
from pipeline.passwords import hash_secret
from pipeline.principals import ROLES, SCOPES, Principal, principal_for_key, principal_for_token

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="khóa API của hệ thống")
_bearer = HTTPBearer(auto_error=False, description="mã phiên đăng nhập của cán bộ (POST /auth/login)")


def unauthorized() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="Chưa xác thực (authentication required)",
        headers={"WWW-Authenticate": 'Bearer realm="sohoa"'},
    )


def forbidden() -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail="Không có quyền (forbidden)")


def _resolve(ctx: ApiContext, api_key: str | None, token: str | None) -> Principal | None:
    """Credential to principal, through the short-lived cache (database read on a miss)."""
    raw = api_key if api_key else token
    if not raw:
        return None
    digest = ("k:" if api_key else "t:") + hash_secret(raw)
    cached = ctx.auth_cache.get(digest)
    if cached is not None:
        return cast(Principal, cached)
    if api_key:
        principal = principal_for_key(ctx.engine, api_key)
        if principal is not None:
            ctx.auth_cache.put(digest, principal)
        return principal
    assert token is not None
    found = principal_for_token(ctx.engine, token)
    if found is None:
        return None
    ctx.auth_cache.put(digest, found[0], not_after=found[1])
    return found[0]


def forget_token(ctx: ApiContext, token: str) -> None:
    ctx.auth_cache.drop("t:" + hash_secret(token))


async def authenticate(
    request: Request,
    ctx: Annotated[ApiContext, Depends(get_context)],
    api_key: Annotated[str | None, Depends(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> Principal:
    """The caller, or 401. The principal is also left on ``request.state`` for the access log."""
    token = bearer.credentials if bearer is not None and bearer.credentials else None
    digest = ("k:" + hash_secret(api_key)) if api_key else ("t:" + hash_secret(token) if token else None)
    principal = ctx.auth_cache.get(digest) if digest else None
    if principal is None and (api_key or token):
        principal = await run_in_threadpool(_resolve, ctx, api_key, token)
    if principal is None:
        raise unauthorized()
    request.state.principal = principal
    return cast(Principal, principal)


def require_scope(scope: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency: any caller (key or staff) holding ``scope``."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope}")

    async def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not principal.has_scope(scope):
            raise forbidden()
        return principal

    dependency.__name__ = f"require_scope_{scope.replace(':', '_')}"
    return dependency


def require_role(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency: a staff member with one of ``roles`` (an administrator always passes)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    async def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.kind != "staff":
            raise forbidden()
        if not principal.is_admin and not (principal.roles & set(roles)):
            raise forbidden()
        return principal

    dependency.__name__ = f"require_role_{'_'.join(roles)}"
    return dependency


async def require_staff(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    if principal.kind != "staff":
        raise forbidden()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
