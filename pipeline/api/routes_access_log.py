"""``/access-log``: every recorded read of one person's data, the record a citizen can be shown.

Only a caller with the ``access-log`` scope over every agency (an administrator, a data-protection
officer's key) lists it: the list itself says which agencies hold that person's papers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from pipeline.api.auth import forbidden, require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.personal_data import AccessEntry, accesses_of
from pipeline.principals import Principal
from pipeline.reuse import validate_owner_id
from storage.db.engine import read_session

router = APIRouter(tags=["reuse"])


class AccessLogRequest(BaseModel):
    owner: str = Field(max_length=64)


class AccessLog(BaseModel):
    owner: str
    entries: list[AccessEntry]


def _answer(ctx: ApiContext, principal: Principal, owner: str) -> JSONResponse:
    if not principal.all_agencies:
        raise forbidden()
    owner_id = validate_owner_id(owner)
    with read_session(ctx.engine) as session:
        entries = accesses_of(session, owner_id)
    body = AccessLog(owner=owner_id, entries=entries)
    return JSONResponse(body.model_dump(mode="json"), headers={"Cache-Control": "no-store"})


@router.get(
    "/access-log",
    response_model=AccessLog,
    summary="Nhật ký truy cập dữ liệu cá nhân của một người (who read this person's data)",
)
def get_access_log(
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("access-log"))],
    owner: Annotated[str, Query(max_length=64, description="số định danh / mã số doanh nghiệp")],
) -> JSONResponse:
    return _answer(ctx, principal, owner)


@router.post(
    "/access-log",
    response_model=AccessLog,
    summary="Như GET /access-log, số định danh trong thân yêu cầu (id kept out of URLs)",
)
def post_access_log(
    body: AccessLogRequest,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("access-log"))],
) -> JSONResponse:
    return _answer(ctx, principal, body.owner)
