"""Staff log-in: username and password for a bearer token (the web page and the signing client)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from pipeline import login_throttle
from pipeline.accounts import IssuedToken, login, logout
from pipeline.api.auth import CurrentPrincipal, _bearer, forget_token, unauthorized
from pipeline.api.context import ApiContext, get_context
from pipeline.api.types import Timestamp
from storage.db.engine import run_in_transaction

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    token: str
    token_type: str = "bearer"
    expires_at: Timestamp
    username: str
    roles: list[str]


class Me(BaseModel):
    kind: str
    name: str
    roles: list[str]
    scopes: list[str]
    agencies: list[str]


@router.post(
    "/login",
    response_model=TokenResponse,
    responses={
        401: {"description": "sai thông tin"},
        429: {"description": "sai quá nhiều lần: chờ Retry-After giây (too many failed log-ins)"},
    },
)
def post_login(
    body: LoginRequest, request: Request, ctx: Annotated[ApiContext, Depends(get_context)]
) -> TokenResponse:
    address = request.client.host if request.client else "unknown"
    # The attempt is counted (committed) before the password is checked: see login_throttle.
    policy = ctx.settings.login
    run_in_transaction(
        ctx.engine, lambda s: login_throttle.reserve_attempt(s, body.username, address, policy=policy)
    )

    def work(session: Session) -> IssuedToken | None:
        return login(session, body.username, body.password)

    issued = run_in_transaction(ctx.engine, work)
    if issued is None:
        raise unauthorized()
    run_in_transaction(
        ctx.engine, lambda s: login_throttle.record_success(s, body.username, address, policy=policy)
    )
    return TokenResponse(
        token=issued.token, expires_at=issued.expires_at, username=issued.username, roles=issued.roles
    )


@router.post("/logout", status_code=204)
def post_logout(
    principal: CurrentPrincipal,
    ctx: Annotated[ApiContext, Depends(get_context)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> None:
    if principal.kind == "staff" and bearer is not None:
        token = bearer.credentials
        run_in_transaction(ctx.engine, lambda session: logout(session, token))
        forget_token(ctx, token)


@router.get("/me", response_model=Me)
async def get_me(principal: CurrentPrincipal) -> Me:
    return Me(
        kind=principal.kind,
        name=principal.name,
        roles=sorted(principal.roles),
        scopes=sorted(principal.scopes),
        agencies=sorted(principal.agencies),
    )
