"""Staff log-in: username and password for a bearer token (the web page and the signing client)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from pipeline.accounts import IssuedToken, login, logout
from pipeline.api.auth import CurrentPrincipal, _bearer, forget_token, unauthorized
from pipeline.api.context import ApiContext, get_context
from storage.db.engine import run_in_transaction

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    token: str
    token_type: str = "bearer"
    expires_at: datetime
    username: str
    roles: list[str]


class Me(BaseModel):
    kind: str
    name: str
    roles: list[str]
    scopes: list[str]
    agencies: list[str]


@router.post("/login", response_model=TokenResponse, responses={401: {"description": "sai thông tin"}})
def post_login(body: LoginRequest, ctx: Annotated[ApiContext, Depends(get_context)]) -> TokenResponse:
    def work(session: Session) -> IssuedToken | None:
        return login(session, body.username, body.password)

    issued = run_in_transaction(ctx.engine, work)
    if issued is None:
        raise unauthorized()
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
