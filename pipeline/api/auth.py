"""Who is calling: an API key of a downstream system or a staff member's bearer token.

Every endpoint except ``/healthz``, the presigned downloads and the web page shell depends on
:func:`authenticate` (through :func:`require_scope` or :func:`require_role`). A missing or wrong
credential is a 401 and a valid one without the right scope or role a 403; the body never says
more than that. Staff scopes follow from their roles; an administrator passes every check.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Literal, cast

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from pipeline.api.context import ApiContext, get_context
from pipeline.api.passwords import hash_secret
from storage.db.api_models import ApiKey, StaffToken, StaffUser
from storage.db.engine import read_session

ALL = "*"

ROLES = ("clerk", "official", "administrator")

SCOPES = (
    "results:read",  # fetch signed e-results
    "lookup",  # what the store already holds for an owner
    "verify",  # validate a PDF's signatures
    "intake",  # upload scans
    "documents:read",  # dossiers, documents, fields, jobs
    "documents:write",  # correct fields and document types
    "signing:queue",  # put documents in an official's signing queue
    "sign",  # fetch one's own queue and upload signed copies
    "report",  # Decision 766 indicators
    "access-log",  # who read a person's data (Decree 13/2023)
)

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "clerk": frozenset(
        {"intake", "documents:read", "documents:write", "lookup", "verify", "results:read", "report",
         "signing:queue"}
    ),
    "official": frozenset(
        {"documents:read", "documents:write", "lookup", "verify", "results:read", "report", "sign",
         "signing:queue"}
    ),
    "administrator": frozenset(SCOPES),
}

API_KEY_PREFIX = "sohoa"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller. ``agencies`` holds agency codes, or ``"*"`` for all of them."""

    kind: Literal["key", "staff"]
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    agencies: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    key_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind == "staff" and "administrator" in self.roles

    @property
    def all_agencies(self) -> bool:
        return ALL in self.agencies or self.is_admin

    def has_scope(self, scope: str) -> bool:
        return self.is_admin or scope in self.scopes

    def may_see(self, agency_code: str | None) -> bool:
        """Records of no agency (e.g. a scan ingested without a dossier) need all-agency access."""
        if self.all_agencies:
            return True
        return agency_code is not None and agency_code in self.agencies

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"{self.kind}:{self.name}"


def scopes_for_roles(roles: list[str] | frozenset[str]) -> frozenset[str]:
    result: set[str] = set()
    for role in roles:
        result |= ROLE_SCOPES.get(role, frozenset())
    return frozenset(result)


def make_api_key(prefix: str, secret: str) -> str:
    return f"{API_KEY_PREFIX}_{prefix}_{secret}"


def split_api_key(raw: str) -> tuple[str, str] | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


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


def principal_for_key(ctx: ApiContext, raw: str) -> Principal | None:
    parsed = split_api_key(raw)
    if parsed is None or len(raw) > 200:
        return None
    prefix, _secret = parsed
    with read_session(ctx.engine) as session:
        key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        if key is None or key.revoked_at is not None:
            return None
        if not hmac.compare_digest(key.key_hash, hash_secret(raw.strip())):
            return None
        return Principal(
            kind="key",
            name=key.name,
            scopes=frozenset(key.scopes),
            agencies=frozenset(key.agencies),
            key_id=key.id,
        )


def principal_for_user(user: StaffUser) -> Principal:
    return Principal(
        kind="staff",
        name=user.username,
        roles=frozenset(user.roles),
        scopes=scopes_for_roles(user.roles),
        agencies=frozenset(user.agencies),
        user_id=user.id,
    )


def principal_for_token(ctx: ApiContext, token: str) -> tuple[Principal, float] | None:
    """The staff member and the seconds left before the token expires."""
    if len(token) > 200:
        return None
    with read_session(ctx.engine) as session:
        row = session.execute(
            select(StaffToken.expires_at, StaffUser)
            .join(StaffUser, StaffUser.id == StaffToken.user_id)
            .where(StaffToken.token_hash == hash_secret(token))
        ).first()
        if row is None:
            return None
        expires_at, user = row
        if expires_at.tzinfo is None:  # SQLite returns naive datetimes
            expires_at = expires_at.replace(tzinfo=UTC)
        left = (expires_at - datetime.now(UTC)).total_seconds()
        if user.disabled or left <= 0:
            return None
        return principal_for_user(user), left


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
        principal = principal_for_key(ctx, api_key)
        if principal is not None:
            ctx.auth_cache.put(digest, principal)
        return principal
    assert token is not None
    found = principal_for_token(ctx, token)
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
